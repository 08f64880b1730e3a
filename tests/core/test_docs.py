import re
from pathlib import Path

import rejoinder.settings

DOCS = Path(__file__).resolve().parents[2] / "docs" / "settings.md"
READ_VARIABLE = re.compile(r"\benv(?:_bool|_int|_list)?\(\s*\"([A-Z0-9_]+)\"")


def test_every_setting_is_documented():
    """Each environment variable settings.py reads has an entry in docs/settings.md."""
    source = Path(rejoinder.settings.__file__).read_text()
    variables = set(READ_VARIABLE.findall(source))
    assert len(variables) >= 10, "the pattern no longer finds the settings"
    documented = DOCS.read_text()
    missing = sorted(name for name in variables if f"`{name}`" not in documented)
    assert missing == [], f"undocumented settings: {missing}"
