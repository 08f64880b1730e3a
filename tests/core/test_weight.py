"""What a reader's browser downloads besides the page: little, and all from this site.

The budget counts every script and stylesheet the reader's pages reference (found by
reading the pages, so a new file is counted without editing this test), minified by the
stripper below. The admin's files are not counted; nor is the embed script, which runs on
other sites' pages rather than on ours.

Minifying: comments and indentation are stripped and CSS whitespace around punctuation is
dropped; JavaScript keeps its trailing comments and inner spacing, so its count is an upper
bound of what a real minifier (terser, esbuild) would give. No minifier is installed for it.
"""

import re
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup
from django.contrib.staticfiles import finders
from django.templatetags.static import static

from tests.reader_pages import build_site, reader_pages

pytestmark = pytest.mark.django_db

# The budgets, in bytes of minified, uncompressed text.
JS_BUDGET = 15 * 1024
CSS_BUDGET = 25 * 1024
# Names of the frameworks a reader's page must not load.
FRAMEWORKS = re.compile(r"jquery|react|vue|angular|svelte|alpine|htmx|preact|lit", re.I)


def minify_css(text):
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    text = re.sub(r"\s+", " ", text)
    return re.sub(r"\s*([{}:;,>])\s*", r"\1", text).replace(";}", "}").strip()


def minify_js(text):
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    lines = (line.strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line and not line.startswith("//"))


@pytest.fixture(scope="module")
def pages(django_db_setup, django_db_blocker):
    """The reader's page types, fetched once for this module's tests."""
    from django.db import transaction

    with django_db_blocker.unblock(), transaction.atomic():
        fetched = reader_pages(build_site())
        transaction.set_rollback(True)
    return {name: BeautifulSoup(html, "html.parser") for name, (_status, html) in fetched.items()}


def reader_assets(pages):
    """{static path: kind} of every script and stylesheet the reader's pages load."""
    prefix = static("")
    assets = {}
    for name, page in pages.items():
        if name == "login":  # the admin's page
            continue
        for script in page.select("script[src]"):
            assets[script["src"]] = "js"
        for link in page.select("link[rel~=stylesheet]"):
            assets[link["href"]] = "css"
    for url in assets:
        assert url.startswith(prefix), f"{url} is not one of this site's static files"
    return {url.removeprefix(prefix): kind for url, kind in assets.items()}


def test_reader_pages_load_under_15_kb_of_script_and_25_kb_of_style(pages):
    """Minified, the scripts of the reader's pages total under 15 KB and their stylesheets
    under 25 KB; none is a JavaScript framework."""
    sizes = {"js": 0, "css": 0}
    for path, kind in reader_assets(pages).items():
        assert not FRAMEWORKS.search(path), f"{path} looks like a framework"
        text = open(finders.find(path), encoding="utf-8").read()  # noqa: SIM115
        sizes[kind] += len((minify_js if kind == "js" else minify_css)(text).encode())
    assert sizes["css"] > 0 and sizes["js"] > 0, sizes  # the budget measured something
    assert sizes["js"] < JS_BUDGET, f"JavaScript: {sizes['js']} bytes minified"
    assert sizes["css"] < CSS_BUDGET, f"CSS: {sizes['css']} bytes minified"


def test_fonts_are_the_systems_and_nothing_comes_from_elsewhere(pages):
    """No @font-face in the stylesheets (the theme uses system fonts), and no page links a
    script, stylesheet, font or image from another site."""
    for path, kind in reader_assets(pages).items():
        if kind == "css":
            css = open(finders.find(path), encoding="utf-8").read()  # noqa: SIM115
            assert "@font-face" not in css and "@import" not in css, path
    for name, page in pages.items():
        for element in page.select("script[src], link[href], img[src]"):
            if element.name == "link" and {"canonical", "alternate"} & set(element["rel"]):
                continue  # addresses of this site's own pages, not something loaded
            address = urlsplit(element.get("src") or element["href"])
            assert not address.netloc, f"{name}: {element} loads from another site"


def test_the_minifiers_keep_what_matters():
    """The stripper removes comments and spacing, not code."""
    assert minify_css("/* x */\na {\n  color: red;\n}\n") == "a{color:red}"
    assert minify_js('// note\n  const a = "b";\n\n  f(a);\n') == 'const a = "b";\nf(a);'
