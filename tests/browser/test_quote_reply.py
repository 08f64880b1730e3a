"""Quote-reply in Chromium: select words of the post or of a comment, press "Quote", reply.

The selection is made the way a reader's drag makes it (a Range added to the document's
selection, which fires ``selectionchange``); the rest is clicks and typing.
"""

import re

from playwright.sync_api import Page, expect

from rejoinder.discussion.models import Comment
from tests.browser.test_seed_thread import watch
from tests.factories import make_post

BODY = """The council met on Tuesday.

The council voted to close the bridge. Nobody asked the ferrymen.

> The bridge will stay closed until spring.
> — The Courier, "Bridge closed", https://courier.example/bridge

That is all we know.
"""

SELECT = """([selector, words]) => {
  const root = document.querySelector(selector);
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const at = node.data.indexOf(words);
    if (at < 0) continue;
    const range = document.createRange();
    range.setStart(node, at);
    range.setEnd(node, at + words.length);
    const selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    return true;
  }
  return false;
}"""


def select(page: Page, selector, words):
    """Select ``words`` inside the element ``selector`` as a reader's drag would."""
    assert page.evaluate(SELECT, [selector, words]), f"{words!r} not in {selector}"


def submit(page: Page, post_url, name, typed):
    """Type after the quote, name yourself, post; return the new comment's id."""
    form = page.locator("form#respond")
    form.get_by_label("Comment", exact=True).press_sequentially(typed)
    form.get_by_label("Name", exact=True).fill(name)
    form.get_by_role("button", name="Post comment").click()
    landed = re.compile(rf"^{re.escape(post_url)}#comment-(\d+)$")
    expect(page).to_have_url(landed)
    return int(landed.match(page.url).group(1))


def test_a_reader_quotes_the_post_then_another_quotes_that_comment(
    live_server, new_context, lenient_rules
):
    """Selecting a sentence of the post shows "Quote"; pressing it fills the form with the
    sentence as a Markdown quote and the paragraph's anchor; the comment posted shows
    "quoting the post", linking to that paragraph. A second reader selects words of that
    comment and presses "Quote" from the keyboard: the form opens as a reply to it, and
    the reply shows "quoting a comment by Ann", linking to it. No console errors.
    """
    console_errors = []
    post = make_post(title="The bridge", body=BODY)
    post_url = live_server.url + post.get_absolute_url()
    page = watch(new_context(), console_errors)
    page.goto(post_url)

    quote = page.get_by_role("button", name="Quote", exact=True)
    expect(quote).to_be_hidden()
    sentence = "The council voted to close the bridge."
    select(page, "article.h-entry > .e-content #p-2", sentence)
    expect(quote).to_be_visible()

    quote.click()
    form = page.locator("form#respond")
    textarea = form.get_by_label("Comment", exact=True)
    expect(textarea).to_be_focused()
    expect(textarea).to_have_value(f"> {sentence}\n\n")
    expect(form.locator("input[name=quoted]")).to_have_value("p-2")
    expect(form.locator(".respond-title")).to_have_text("Leave a comment")
    expect(quote).to_be_hidden()

    first = submit(page, post_url, "Ann", "Which bridge?")
    comment = Comment.objects.get(pk=first)
    assert (comment.quoted_anchor, comment.parent_id) == ("p-2", None)
    # Browsers send a textarea's line breaks as CRLF (HTML's form submission rules).
    assert comment.body.replace("\r\n", "\n") == f"> {sentence}\n\nWhich bridge?"
    line = page.locator(f"#comment-{first} > .comment-body > p.quoting")
    expect(line).to_have_text("quoting the post")
    link = line.get_by_role("link", name="the post")
    expect(link).to_have_attribute("href", f"{post.get_absolute_url()}#p-2")
    link.click()
    expect(page).to_have_url(f"{post_url}#p-2")
    expect(page.locator("#p-2")).to_be_in_viewport()

    # A second reader quotes Ann's comment, reaching the button with the keyboard.
    other = watch(new_context(), console_errors)
    other.goto(post_url)
    select(other, f"#comment-{first} > .comment-body > .e-content", "Which bridge?")
    button = other.get_by_role("button", name="Quote", exact=True)
    expect(button).to_be_visible()
    button.focus()
    other.keyboard.press("Enter")
    form = other.locator("form#respond")
    expect(other.locator(f"#comment-{first} > form#respond")).to_be_visible()
    expect(form.locator(".respond-title")).to_have_text("Reply to Ann")
    expect(form.locator("input[name=parent]")).to_have_value(str(first))
    expect(form.locator("input[name=quoted]")).to_have_value(f"comment-{first}")
    textarea = form.get_by_label("Comment", exact=True)
    expect(textarea).to_have_value("> Which bridge?\n\n")
    expect(textarea).to_be_focused()

    second = submit(other, post_url, "Bob", "The old one.")
    reply = Comment.objects.get(pk=second)
    assert (reply.quoted_anchor, reply.parent_id) == (f"comment-{first}", first)
    line = other.locator(f"#comment-{second} > .comment-body > p.quoting")
    expect(line).to_have_text("quoting a comment by Ann")
    expect(line.get_by_role("link")).to_have_attribute("href", f"#comment-{first}")

    # Text outside the post and its comments (here the form's title) offers nothing.
    button = other.get_by_role("button", name="Quote", exact=True)
    select(other, f"#comment-{second} > .comment-body > .e-content", "The old one.")
    expect(button).to_be_visible()
    select(other, "form#respond .respond-title", "Leave")
    expect(button).to_be_hidden()
    assert console_errors == []
