"""Every reader's page type is valid HTML, by the Nu HTML Checker (the W3C validator).

The checker is ``vnu-jar`` from npm, run with the machine's Java (``scripts/test``
installs both). Its JVM takes seconds to start, so the pages are written to files and
checked in one run.
"""

import json
import shutil
import subprocess

import pytest
from bs4 import BeautifulSoup

from tests.reader_pages import build_site, node_tool, reader_pages

pytestmark = pytest.mark.django_db

EXPECTED_STATUS = {
    "refused-form": 400,
    "not-found": 404,
    "mail-confirm-invalid": 404,
    "mail-unsubscribe-invalid": 404,
    "edit-closed": 403,
}


def test_every_reader_page_type_is_valid_html(tmp_path):
    """The front page, posts (thread, reply form, refused form), pages, archives, search,
    comment pages, 404, sources, email-link pages, the edit and login pages: zero errors
    from the Nu HTML Checker, and no label or ARIA reference to a missing id."""
    vnu = node_tool("vnu-jar/build/dist/vnu.jar")
    java = shutil.which("java")
    assert java, "Java is missing: run scripts/test as root (it installs default-jre-headless)."
    site = build_site()
    files = []
    for name, (status, html) in reader_pages(site).items():
        assert status == EXPECTED_STATUS.get(name, 200), f"{name}: HTTP {status}"
        assert dangling_references(html) == [], name
        path = tmp_path / f"{name}.html"
        path.write_text(html, encoding="utf-8")
        files.append(path)
    result = subprocess.run(
        [java, "-jar", str(vnu), "--errors-only", "--format", "json", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    messages = json.loads(result.stderr or '{"messages": []}')["messages"]
    errors = [
        f"{m['url'].rsplit('/', 1)[-1]}:{m.get('lastLine', '?')}: {m['message']}"
        + (f" [{m.get('extract', '').strip()}]" if m.get("extract") else "")
        for m in messages
        if m["type"] == "error" or m.get("subType") == "fatal"
    ]
    assert errors == [], f"{len(errors)} HTML errors:\n" + "\n".join(errors)


def dangling_references(html):
    """The ids that labels and ARIA attributes point to but the page lacks (the checker
    does not look: a field's error that no ``aria-describedby`` reaches is never read)."""
    page = BeautifulSoup(html, "html.parser")
    ids = {element["id"] for element in page.select("[id]")}
    missing = []
    for attribute in ("for", "aria-describedby", "aria-labelledby", "aria-controls"):
        for element in page.select(f"[{attribute}]"):
            missing += [
                f"{attribute}={ref}" for ref in element[attribute].split() if ref not in ids
            ]
    return missing
