"""The apps' layers hold (docs/architecture.md), and the check would see them broken."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(source_root):
    """``lint-imports`` with the project's contracts, on the package under ``source_root``."""
    env = {**os.environ, "PYTHONPATH": str(source_root)}
    return subprocess.run(
        [LINT_IMPORTS, "--no-cache", str(ROOT / "pyproject.toml")],
        cwd=source_root, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip


def test_the_layers_and_the_views_rule_hold():
    """core < publishing < discussion < interop < operations; no app imports another's
    views."""
    result = lint_imports(ROOT / "src")
    assert result.returncode == 0, result.stdout[-3000:]
    assert "2 kept, 0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "line", "broken"),
    [
        ("publishing/search.py", "from rejoinder.discussion import models", "layered"),
        ("core/links.py", "import rejoinder.operations.backups", "layered"),
        ("discussion/feeds.py", "from rejoinder.publishing import views", "views"),
        ("interop/wxr.py", "from rejoinder.discussion.views import edit", "views"),
    ],
)
def test_a_deliberate_violation_breaks_the_check(tmp_path, module, line, broken):
    """An upward import, even inside a function, or a reach into another app's views,
    fails the test command's check, naming the import."""
    copy = tmp_path / "src"
    shutil.copytree(ROOT / "src" / "rejoinder", copy / "rejoinder")
    target = copy / "rejoinder" / module
    target.write_text(target.read_text() + f"\n\ndef _violation():\n    {line}  # noqa\n")
    result = lint_imports(copy)
    assert result.returncode == 1, result.stdout[-3000:]
    assert "1 kept, 1 broken" in result.stdout
    assert broken in result.stdout.split("Broken contracts")[1].splitlines()[3]
    assert f"rejoinder.{module.removesuffix('.py').replace('/', '.')} ->" in result.stdout
