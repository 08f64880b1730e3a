"""Passage links in Chromium: a quotation's link lands the reader on the quoted passage.

The source is a long newspaper page (``article_pages.semantic_page``) served by a local
HTTP server the test starts; the quoted paragraph sits far below the fold of a small
window. The link's text fragment (``#:~:text=start,end``) must scroll the page to it.
"""

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from tests.factories import make_post
from tests.publishing.article_pages import ARTICLE, semantic_page, serving

# Paragraph 11 of 14, with a hyphen (encoded %2D) and a curly apostrophe in its words.
PASSAGE = ARTICLE[10]
VIEWPORT = {"width": 800, "height": 500}


@pytest.fixture
def article_url():
    """The source article's address on a server of the test's own."""
    with serving({"/article": semantic_page().encode()}) as origin:
        yield f"{origin}/article"


def passage(page: Page):
    return page.locator("article p", has_text=PASSAGE[:40])


def assert_scrolled_to_the_passage(page: Page):
    """The page moved down, and the passage's first line is inside the window."""
    page.wait_for_function("window.scrollY > 0", timeout=5000)
    box = passage(page).bounding_box()
    assert box is not None
    assert 0 <= box["y"] < VIEWPORT["height"], box
    expect(passage(page)).to_be_in_viewport()


def test_a_passage_link_scrolls_the_source_to_the_passage(live_server, new_context, article_url):
    """Without the fragment the article opens at its top, the passage below the fold; the
    post's "the passage in the source" link (followed by a click, and opened directly)
    opens it scrolled to the passage."""
    post = make_post(
        title="On the bridge",
        body=f'Our view.\n\n> {PASSAGE}\n> — The Courier, "Bridge vote", {article_url}\n\nEnd.',
    )
    page = new_context(viewport=VIEWPORT).new_page()

    page.goto(article_url)
    assert page.evaluate("window.scrollY") == 0
    assert passage(page).bounding_box()["y"] > VIEWPORT["height"]

    page.goto(post.get_absolute_url())
    link = page.locator("#quotation-1 a.passage-link")
    href = link.get_attribute("href")
    parts = urlsplit(href)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == article_url
    assert parts.fragment == (
        ":~:text=A%20new%20signal%2Dcontrolled%20junction,to%20the%20council%E2%80%99s%20figures"
    )

    link.click()
    page.wait_for_url(href)
    assert_scrolled_to_the_passage(page)

    direct = new_context(viewport=VIEWPORT).new_page()
    direct.goto(href)
    assert_scrolled_to_the_passage(direct)

    # The control: words the article does not have leave it at its top, so the scrolling
    # above was the fragment's doing, not something of the page's own.
    missing = new_context(viewport=VIEWPORT).new_page()
    missing.goto(f"{article_url}#:~:text=words%20the%20article%20lacks")
    missing.wait_for_load_state("load")
    missing.wait_for_timeout(1000)  # Chromium looks for the text after load, when idle
    assert missing.evaluate("window.scrollY") == 0
