"""From the editor's screen to the reader's: write, preview, publish, read, search, subscribe."""

import re

import feedparser
from playwright.sync_api import Page, expect

from tests.browser.actions import log_in

TITLE = "Council plan rejoinder"
SLUG = "council-plan-rejoinder"
SEARCH_WORD = "quinquennial"
BODY = f"""The council says the plan is fine.

> The plan was approved on Tuesday.
> — The Example Courier, "Plan approved", https://example.com/plan

We disagree: the {SEARCH_WORD} budget tells another story.
"""
SOURCE_URL = "https://example.com/plan"


def write_and_publish(page: Page):
    page.get_by_role("link", name="Posts", exact=True).click()
    page.get_by_role("link", name="Add post").click()
    expect(page).to_have_url(re.compile(r"/admin/publishing/post/add/$"))

    # Typed key by key: the admin fills the slug in from the title's keyup events.
    page.get_by_label("Title").press_sequentially(TITLE)
    expect(page.get_by_label("Slug")).to_have_value(SLUG)

    body = page.get_by_label("Body (Markdown)")
    body.fill(BODY)
    page.get_by_role("button", name="Preview", exact=True).click()
    preview = page.locator("#id_body ~ .markdown-preview")
    expect(preview).to_be_visible()
    quote = preview.locator(f'blockquote[cite="{SOURCE_URL}"]')
    expect(quote).to_contain_text("The plan was approved on Tuesday.")
    expect(quote.locator("footer cite")).to_contain_text("The Example Courier")
    expect(preview.get_by_text("We disagree:")).to_be_visible()

    page.get_by_label("Status:", exact=True).select_option(label="Published")
    # Publish time keeps its default, now: the split widget's date and time are filled in.
    # (Django labels the pair as a whole, so the two inputs are found by id.)
    expect(page.locator("#id_published_at_0")).to_have_value(re.compile(r"^\d{4}-\d{2}-\d{2}$"))
    expect(page.locator("#id_published_at_1")).to_have_value(re.compile(r"^\d{2}:\d{2}"))

    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist .success")).to_contain_text(
        f"The post “{TITLE}” was added successfully."
    )


def read_as_reader(page: Page):
    page.goto("/")
    page.get_by_role("link", name=TITLE, exact=True).click()
    expect(page).to_have_url(re.compile(rf"/\d{{4}}/\d{{2}}/\d{{2}}/{SLUG}/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(TITLE)
    quote = page.locator(f'blockquote[cite="{SOURCE_URL}"]')
    expect(quote).to_contain_text("The plan was approved on Tuesday.")
    expect(quote.locator("footer cite")).to_contain_text("The Example Courier")
    expect(page.locator("h1 .comment-count")).to_have_text("0")


def search_as_reader(page: Page):
    search = page.get_by_role("search")
    search.get_by_label("Search").fill(SEARCH_WORD)
    search.get_by_role("button", name="Search").click()
    expect(page).to_have_url(re.compile(rf"[?&]s={SEARCH_WORD}"))
    hit = page.locator(".search-results > li").filter(
        has=page.get_by_role("link", name=TITLE, exact=True)
    )
    expect(hit).to_have_count(1)
    expect(hit.locator("mark")).to_have_text(SEARCH_WORD, ignore_case=True)


def check_feed(page: Page):
    response = page.request.get("/feed/")
    assert response.ok, response.status
    feed = feedparser.parse(response.body(), response_headers=response.headers)
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert TITLE in [entry.title for entry in feed.entries]


def test_editor_publishes_a_quoting_post_that_readers_can_read_search_and_subscribe_to(
    page, editor, new_context
):
    """An editor logs into the admin, adds a post whose slug comes from its title, previews
    its Markdown (a quotation with an attribution line renders as a cited blockquote) and
    publishes it. A reader who is not logged in then finds it on the front page, reads it
    with its cited blockquote and a comment count of 0, finds it through the header search
    with the searched word highlighted, and finds it in a well-formed RSS feed.
    """
    log_in(page, editor.username)
    write_and_publish(page)

    reader = new_context().new_page()
    read_as_reader(reader)
    search_as_reader(reader)
    check_feed(reader)
