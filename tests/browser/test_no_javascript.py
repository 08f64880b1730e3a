"""The reader's pages with JavaScript switched off: reading, folding, paging, replying."""

import re

import pytest
from playwright.sync_api import expect

from tests.reader_pages import build_site


@pytest.fixture
def site(db, lenient_rules):
    return build_site()


def test_a_reader_without_javascript_reads_and_replies(site, live_server, new_context):
    """Without JavaScript the post and its thread show, a branch folds (a <details>),
    "Reply to <name>" opens the reply page, and the reply posted there lands on the post
    at the new comment, under its parent."""
    page = new_context(java_script_enabled=False).new_page()
    post_url = site.flagship.get_absolute_url()
    page.goto(post_url)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Harbour Bridge")
    expect(page.locator("article.comment").first).to_be_visible()
    root = page.locator("[data-thread] > article").first
    summary = root.locator(":scope > details.replies > summary")
    summary.click()
    expect(root.locator("details.replies article").first).to_be_hidden()
    summary.click()

    parent = root.locator("details.replies article").first
    parent_id = int(parent.get_attribute("id").removeprefix("comment-"))
    name = parent.locator(":scope > .comment-body .p-name").first.inner_text()
    parent.locator(":scope > .comment-body").get_by_role("link", name=f"Reply to {name}").click()
    expect(page).to_have_url(re.compile(rf"{post_url}comment-{parent_id}/reply/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Reply to {name}")
    page.get_by_label("Name", exact=True).fill("Quinn")
    page.get_by_label("Comment", exact=True).fill("Read without scripts, answered too.")
    page.get_by_role("button", name="Post comment").click()

    landed = re.compile(rf"{re.escape(live_server.url + post_url)}#comment-(\d+)$")
    expect(page).to_have_url(landed)
    new_id = landed.match(page.url).group(1)
    mine = page.locator(f"#comment-{parent_id} li > #comment-{new_id}")
    expect(mine.locator(".e-content")).to_have_text("Read without scripts, answered too.")


def test_a_big_thread_pages_without_javascript(site, live_server, new_context, settings):
    """ "Load more comments" is a link to the next page of threads, which works as a link."""
    settings.COMMENTS_PAGE_THRESHOLD = 20
    settings.COMMENT_THREADS_PER_PAGE = 10
    page = new_context(java_script_enabled=False).new_page()
    page.goto(site.big.get_absolute_url())
    expect(page.locator("[data-thread] > article")).to_have_count(10)
    page.get_by_role("link", name="Load more comments").click()
    expect(page).to_have_url(re.compile(r"/comment-page-2/#comments$"))
    expect(page.locator("[data-thread] > article")).to_have_count(10)
    expect(page.get_by_role("link", name="Earlier comments")).to_be_visible()
