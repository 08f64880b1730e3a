"""Screenshots of the demo site on a desktop and a phone, light and dark.

Every run takes them, and checks what a picture would show: nothing wider than the
screen, no address or email of a reader on the page. They are written to pytest's
temporary directory, or to ``REJOINDER_SCREENSHOTS_DIR`` when it is set; the README's
pictures in ``docs/screenshots/`` are made with::

    REJOINDER_SCREENSHOTS_DIR=docs/screenshots .venv/bin/pytest tests/browser/test_screenshots.py

The content is the first-run demo (fixed dates, fixed comments), so the pictures change
only when the theme or the demo does.
"""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from rejoinder.operations.demo import load_demo
from rejoinder.publishing.models import Post
from tests.factories import make_user

SCREENS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
EMAIL_OR_IP = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+|\b\d{1,3}(?:\.\d{1,3}){3}\b")


@pytest.fixture
def shots(tmp_path):
    folder = os.environ.get("REJOINDER_SCREENSHOTS_DIR")
    folder = Path(folder) if folder else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("screen", SCREENS)
def test_screenshots_of_the_demo(screen, scheme, db, live_server, new_context, shots):
    """The front page, the top of the demo post and its discussion fit the screen, show no
    email or IP address, and are saved as ``<page>-<screen>-<scheme>.png``."""
    load_demo(make_user("demo", first_name="Site", last_name="Editor"))
    post = Post.objects.get(slug="harbour-bridge-money")
    context = new_context(viewport=SCREENS[screen], color_scheme=scheme, reduced_motion="reduce")
    page = context.new_page()
    for name, url, part in [
        ("front", "/", None),
        ("post", post.get_absolute_url(), None),
        ("thread", post.get_absolute_url(), "#comments"),
    ]:
        page.goto(url)
        if part:
            page.locator(part).evaluate("e => e.scrollIntoView()")
        expect(page.locator("main")).to_be_visible()
        overflow = page.evaluate("document.documentElement.scrollWidth - innerWidth")
        assert overflow <= 0, f"{name} is {overflow}px wider than the {screen} screen"
        assert not EMAIL_OR_IP.search(page.locator("body").inner_text()), name
        page.screenshot(path=shots / f"{name}-{screen}-{scheme}.png")
        assert (shots / f"{name}-{screen}-{scheme}.png").stat().st_size > 10_000
