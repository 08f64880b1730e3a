"""The seed page's thread, rebuilt by hand in Chromium: with and without JavaScript.

Separate browser contexts stand for separate people. Every reply goes through the
"Reply to <name>" link of the comment it answers: with JavaScript the form moves under that
comment; without it the link opens the reply page that quotes the comment.
"""

import re

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from rejoinder.discussion.models import Comment
from tests.browser.actions import log_in
from tests.discussion.test_thread_page import comment_tree
from tests.factories import make_post, make_user

AUTHOR_NAME = "Site Author"


@pytest.fixture
def console_errors():
    """Every console error and uncaught exception of the pages opened with ``watch``."""
    return []


def watch(context: BrowserContext, errors) -> Page:
    """A new page of ``context`` whose console errors and uncaught exceptions go to ``errors``."""
    page = context.new_page()
    page.on(
        "console",
        lambda message: (
            errors.append(f"{page.url}: console {message.type}: {message.text}")
            if message.type == "error"
            else None
        ),
    )
    page.on("pageerror", lambda error: errors.append(f"{page.url}: uncaught {error}"))
    return page


def fill_and_submit(page: Page, post_url, body, name=None, email="", website=""):
    """Fill the form ``#respond`` wherever it is, post it, return the new comment's id.

    ``name`` None: a signed-in user, who is not asked for a name, email or website.
    """
    form = page.locator("form#respond")
    if name is None:
        for label in ("Name", "Email", "Website"):
            expect(form.get_by_label(label, exact=True)).to_have_count(0)
    else:
        form.get_by_label("Name", exact=True).fill(name)
        form.get_by_label("Email", exact=True).fill(email)
        form.get_by_label("Website", exact=True).fill(website)
    form.get_by_label("Comment", exact=True).fill(body)
    form.get_by_role("button", name="Post comment").click()
    landed = re.compile(rf"^{re.escape(post_url)}#comment-(\d+)$")
    expect(page).to_have_url(landed)
    comment_id = int(landed.match(page.url).group(1))
    expect(page.locator(f"#comment-{comment_id} .e-content")).to_have_text(body)
    return comment_id


def comment_first(page: Page, post_url, body, name):
    page.goto(post_url)
    expect(page.locator("form#respond .respond-title")).to_have_text("Leave a comment")
    return fill_and_submit(page, post_url, body, name=name)


def reply(page: Page, post_url, js, parent_id, parent_name, body, **identity):
    """Open the post, click "Reply to <parent_name>" on the parent, post the reply."""
    page.goto(post_url)
    parent = page.locator(f"article#comment-{parent_id}")
    # The parent's own link, not one of its replies' (they sit inside its article too).
    link = parent.locator(":scope > .comment-body").get_by_role(
        "link", name=f"Reply to {parent_name}", exact=True
    )
    link.click()
    form = page.locator("form#respond")
    if js:
        # Moved under the parent's own body, where the script puts it, on the same page.
        expect(parent.locator(":scope > form#respond")).to_be_visible()
        expect(page).to_have_url(post_url)
        expect(form.locator(".respond-title")).to_have_text(f"Reply to {parent_name}")
        expect(form.get_by_label("Comment", exact=True)).to_be_focused()
    else:
        expect(page).to_have_url(f"{post_url}comment-{parent_id}/reply/")
        expect(page.get_by_role("heading", level=1)).to_have_text(f"Reply to {parent_name}")
        expect(page.locator("blockquote.replying-to cite")).to_have_text(parent_name)
    expect(form.locator("input[name=parent]")).to_have_value(str(parent_id))
    return fill_and_submit(page, post_url, body, **identity)


@pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
def test_readers_and_the_author_rebuild_the_seed_thread_by_hand(
    js, live_server, new_context, console_errors, lenient_rules
):
    """Readers in separate browsers post "Alpha" and reply 2 -> 1 ("Bravo"), 3 -> 2
    ("Charlie"); the post's author, signed in through the admin, replies 4 -> 3; then
    5 -> 3 ("Delta") and 6 -> 5 ("Echo"). Each reply starts from the "Reply to <name>"
    link of the comment it answers: with JavaScript the form moves into that comment
    without leaving the page, without it the reply page opens. Each post lands on the post
    page at the new comment. The post page then counts 6 in its title, mf2py reads exactly
    the seed's tree, only the author's reply has the "Author" badge, and (with JavaScript)
    folding comment 3's replies hides them and offers "Show 3 replies". No page logs an
    error to its console.
    """
    author = make_user("siteauthor", role="editor", first_name="Site", last_name="Author")
    post = make_post(title="The seed argument", author=author)
    post_url = live_server.url + post.get_absolute_url()

    def person():
        return watch(new_context(java_script_enabled=js), console_errors)

    alpha, bravo, charlie, delta, echo = (person() for _ in range(5))
    # The author signs in on a page of its own: the admin's pages have no favicon link, so
    # Chromium's request for /favicon.ico may log a 404 there; the blog's pages are watched.
    writer_context = new_context(java_script_enabled=js)
    log_in(writer_context.new_page(), author.username)
    writer = watch(writer_context, console_errors)

    c1 = comment_first(alpha, post_url, "The council is right.", name="Alpha")
    c2 = reply(bravo, post_url, js, c1, "Alpha", "It is not.", name="Bravo")
    c3 = reply(
        charlie,
        post_url,
        js,
        c2,
        "Bravo",
        "Look at the budget.",
        name="Charlie",
        email="charlie@example.org",
    )
    c4 = reply(writer, post_url, js, c3, "Charlie", "The budget is on page 4.")
    c5 = reply(
        delta,
        post_url,
        js,
        c3,
        "Charlie",
        "Page 4 is the old budget.",
        name="Delta",
        website="https://delta.example",
    )
    c6 = reply(echo, post_url, js, c5, "Delta", "Which one was approved?", name="Echo")

    by_name = {c.author_name: c for c in Comment.objects.filter(post=post)}
    assert {name: c.pk for name, c in by_name.items()} == {
        "Alpha": c1,
        "Bravo": c2,
        "Charlie": c3,
        AUTHOR_NAME: c4,
        "Delta": c5,
        "Echo": c6,
    }
    assert Comment.objects.get(post=post, user=author).pk == c4
    assert by_name["Delta"].author_url == "https://delta.example"

    reader = person()
    reader.goto(post_url)
    expect(reader.locator("h1 .comment-count")).to_have_text("6")
    parents, _ = comment_tree(reader.content(), post_url)
    assert parents == {c1: None, c2: c1, c3: c2, c4: c3, c5: c3, c6: c5}
    badges = reader.locator("article.comment > .comment-body .badge")
    expect(badges).to_have_count(1)
    expect(reader.locator(f"#comment-{c4} > .comment-body .badge")).to_have_text("Author")

    if js:
        replies = reader.locator(f"#comment-{c3} > details.replies")
        summary = replies.locator(":scope > summary")
        expect(summary).to_have_text("Hide 3 replies", use_inner_text=True)
        summary.click()
        for hidden in (c4, c5, c6):
            expect(reader.locator(f"#comment-{hidden}")).to_be_hidden()
        expect(summary).to_have_text("Show 3 replies", use_inner_text=True)
        expect(reader.locator(f"#comment-{c3} > .comment-body")).to_be_visible()

    assert console_errors == []
