"""A big thread in the browser: "Load more comments" in place, or as a page without script."""

import re

import pytest
from playwright.sync_api import expect

from tests.factories import make_comment, make_post


@pytest.fixture
def big_post(settings):
    settings.COMMENTS_PAGE_THRESHOLD = 10
    settings.COMMENT_THREADS_PER_PAGE = 2
    post = make_post(title="Argued at length")
    for n in range(6):  # 12 comments, over the threshold of 10
        top = make_comment(post, name=f"Top {n + 1}")
        make_comment(post, top, name=f"Reply {n + 1}")
    return post


def test_load_more_fetches_the_next_threads_in_place(new_context, big_post):
    """With JavaScript, each click appends the next page of threads to the same page."""
    page = new_context().new_page()
    page.goto(big_post.get_absolute_url())
    top_level = page.locator("[data-thread] > article")
    expect(top_level).to_have_count(2)
    load_more = page.get_by_role("link", name="Load more comments")
    load_more.click()
    expect(top_level).to_have_count(4)
    expect(page).to_have_url(re.compile(re.escape(big_post.get_absolute_url()) + "$"))
    expect(page.locator(".comment-page-count")).to_have_text("(page 2 of 3)")
    load_more.click()
    expect(top_level).to_have_count(6)
    expect(load_more).to_have_count(0)
    names = page.locator("[data-thread] > article > .comment-body .p-name").all_inner_texts()
    assert names == [f"Top {n}" for n in range(1, 7)]


def test_load_more_is_a_page_without_javascript(new_context, big_post):
    """Without JavaScript, the same link opens comment-page-2 with the next threads."""
    page = new_context(java_script_enabled=False).new_page()
    page.goto(big_post.get_absolute_url())
    page.get_by_role("link", name="Load more comments").click()
    expect(page).to_have_url(re.compile(r"/comment-page-2/#comments$"))
    expect(page.locator("[data-thread] > article")).to_have_count(2)
    expect(page.get_by_role("link", name="Earlier comments")).to_be_visible()
