"""Quote-reply, server side: the anchor a comment quotes is checked, stored and linked back."""

import pytest
from bs4 import BeautifulSoup

from rejoinder.discussion.comments import set_status
from rejoinder.discussion.models import Comment
from rejoinder.discussion.thread.locations import comment_url, post_comment_url
from tests.factories import comment_form, make_comment, make_post
from tests.html import soup

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("lenient_rules")]

BODY = """A first paragraph.

> The council voted to close the bridge.
> — The Courier, "Bridge closed", https://courier.example/bridge

## A heading

- one
- two

A last paragraph.
"""


@pytest.fixture
def post():
    return make_post(title="Quoted post", body=BODY)


def send(client, post, **fields):
    return client.post(post_comment_url(post), comment_form(**fields))


def form_errors(response):
    return [e.get_text() for e in soup(response).select(".field-error, .form-errors p")]


def soup_of(html):
    return BeautifulSoup(html, "html.parser")


def quoting_link(client, post, comment):
    """The "quoting …" line above a comment's text on the post page."""
    page = soup(client.get(post.get_absolute_url()))
    return page.select_one(f"#comment-{comment.pk} > .comment-body > p.quoting")


def test_every_top_level_block_of_a_post_has_an_anchor(post):
    """Paragraphs, headings and lists get ``p-N`` (their place among the blocks); the
    quotation keeps ``quotation-1``; nothing inside a block gets an id."""
    post.refresh_from_db()
    html = soup_of(post.body_html)
    blocks = html.find_all(recursive=False)
    assert [(b.name, b.get("id")) for b in blocks] == [
        ("p", "p-1"),
        ("blockquote", "quotation-1"),
        ("h2", "p-3"),
        ("ul", "p-4"),
        ("p", "p-5"),
    ]
    assert [e.get("id") for e in html.select("blockquote *, ul *") if e.get("id")] == []


def test_a_post_without_quotations_is_anchored_too():
    """Anchoring does not wait for a quotation: a plain post's paragraphs get ids."""
    post = make_post(body="One.\n\nTwo.")
    post.refresh_from_db()
    assert [p.get("id") for p in soup_of(post.body_html).select("p")] == ["p-1", "p-2"]


def test_saving_again_keeps_the_same_anchors(post):
    """A second save (and a re-link after a check) yields the same HTML."""
    post.refresh_from_db()
    first = post.body_html
    post.save()
    post.refresh_from_db()
    assert post.body_html == first


@pytest.mark.parametrize("anchor", ["p-3", "quotation-1"])
def test_a_quoted_paragraph_is_stored_and_linked_back(client, post, anchor):
    """The anchor is kept as sent; the comment says "quoting the post", linking it."""
    response = send(client, post, body="> The council voted.\n\nWhy?", quoted=anchor)
    assert response.status_code == 303
    comment = Comment.objects.get()
    assert comment.quoted_anchor == anchor
    line = quoting_link(client, post, comment)
    assert line.get_text() == "quoting the post"
    assert line.a["href"] == f"{post.get_absolute_url()}#{anchor}"


def test_a_quoted_comment_is_named_and_linked(client, post):
    """Quoting a comment on the page names its author and links to it."""
    earlier = make_comment(post, name="Ann <b>Smith</b>")
    send(client, post, name="Bob", body="> She said so.", quoted=f"comment-{earlier.pk}")
    comment = Comment.objects.get(author_name="Bob")
    assert comment.quoted_anchor == f"comment-{earlier.pk}"
    html = client.get(post.get_absolute_url()).content.decode()
    assert "a comment by Ann &lt;b&gt;Smith&lt;/b&gt;" in html
    line = quoting_link(client, post, comment)
    assert line.get_text() == "quoting a comment by Ann <b>Smith</b>"
    assert line.a["href"] == f"#comment-{earlier.pk}"


def test_a_reply_may_quote_the_comment_it_answers(client, post):
    """Quote and parent together: the reply nests and links back to its parent."""
    parent = make_comment(post, name="Ann")
    send(client, post, body="> Yes.", parent=parent.pk, quoted=f"comment-{parent.pk}")
    reply = Comment.objects.get(parent=parent)
    assert reply.quoted_anchor == f"comment-{parent.pk}"
    assert quoting_link(client, post, reply).a["href"] == f"#comment-{parent.pk}"


def test_a_quoted_comment_not_on_the_page_links_its_own_page(client, post):
    """A quoted comment that is no longer shown is "an earlier comment", linked to its page."""
    earlier = make_comment(post, name="Ann")
    send(client, post, body="> Said.", quoted=f"comment-{earlier.pk}")
    comment = Comment.objects.get(quoted_anchor=f"comment-{earlier.pk}")
    set_status(earlier, Comment.Status.SPAM)
    line = quoting_link(client, post, comment)
    assert line.get_text() == "quoting an earlier comment"
    assert line.a["href"] == comment_url(earlier.post, earlier.pk)


@pytest.mark.parametrize(
    "anchor",
    [
        "p-",
        "p-1x",
        "comments-1",
        "x-1",
        "p-1234567890",
        'p-1"><script>alert(1)</script>',
        "p-1.5",
        "p-１２",  # fullwidth digits: not [0-9]
    ],
)
def test_a_malformed_anchor_is_refused_naming_the_field(client, post, anchor):
    """Only p-N, quotation-N or comment-N pass; the refusal names the field, keeps the text."""
    response = send(client, post, body="My quoted reply.", quoted=anchor)
    assert response.status_code == 400
    [error] = [e for e in form_errors(response) if e.startswith("Quoted passage:")]
    assert "p-3, quotation-2 or comment-14" in error
    assert not Comment.objects.exists()
    assert soup(response).select_one("textarea[name=body]").get_text().strip() == (
        "My quoted reply."
    )
    assert "<script>alert(1)</script>" not in response.content.decode()


@pytest.mark.parametrize("state", ["other post", "pending", "missing"])
def test_a_quoted_comment_must_be_shown_on_this_post(client, post, state):
    """comment-N must name an approved comment of the same post."""
    if state == "other post":
        quoted = make_comment(make_post(), name="Elsewhere").pk
    elif state == "pending":
        quoted = make_comment(post, name="Waiting", status=Comment.Status.PENDING).pk
    else:
        quoted = 999_999
    response = send(client, post, name="Bob", body="> Quoted.", quoted=f"comment-{quoted}")
    assert response.status_code == 400
    assert any(
        e.startswith("Quoted passage: the comment you quoted is not shown on this post")
        for e in form_errors(response)
    )
    assert not Comment.objects.filter(author_name="Bob").exists()
    # The refused form keeps the anchor, so sending it again (after fixing) is possible.
    assert soup(response).select_one("input[name=quoted]")["value"] == f"comment-{quoted}"


def test_the_form_carries_an_empty_quoted_field(client, post):
    """The post page's form has the hidden field the Quote button fills."""
    field = soup(client.get(post.get_absolute_url())).select_one("form#respond input[name=quoted]")
    assert field["type"] == "hidden"
    assert field.get("value", "") == ""


def test_a_comment_without_a_quote_has_no_quoting_line(client, post):
    """No anchor, no "quoting" line."""
    comment = make_comment(post)
    assert quoting_link(client, post, comment) is None
