"""One escaping boundary: nothing a reader sent reaches the thread HTML raw.

For every text field of the row (whatever fields it has: the test reads the definition),
a hostile value is printed only escaped, on our posts' threads and on another site's
page's thread, whose address came from a reader too."""

import datetime

import pytest
from bs4 import BeautifulSoup

from rejoinder.discussion.thread import rows
from rejoinder.discussion.thread.render import ThreadRenderer, Viewer
from rejoinder.discussion.thread.tree import build
from rejoinder.publishing import external
from tests.factories import make_post

pytestmark = pytest.mark.django_db

HOSTILE = '"><svg/onload=alert(1)>'
NOW = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)


def hostile_rows(removed_status):
    """A thread whose every text field holds HOSTILE: a comment, a reply quoting it, a
    reply capped beside its parent ("in reply to"), a tombstone with a reason."""

    def row(comment_id, parent_id, depth, status="approved", **values):
        text = {rows.FIELDS[i]: HOSTILE for i in rows.TEXTS}
        text["author_url"] = "https://reader.example/" + HOSTILE
        fields = {
            "id": comment_id, "parent_id": parent_id, "depth": depth, "user_id": None,
            "created_at": NOW, "edited_at": NOW, "body_html": "<p>Hi</p>", "locked": False,
            "edited_by_moderator": False, **text, "status": status, **values,
        }  # fmt: skip
        return tuple(fields.get(name) for name in rows.FIELDS)

    return [
        row(1, None, 0, status=HOSTILE),
        row(2, 1, 1, quoted_anchor="comment-1"),
        row(3, 2, 2, quoted_anchor="comment-99"),  # not on the page: its own page's address
        row(4, 3, 3),
        row(5, None, 0, status=removed_status),
        row(6, 5, 1),
    ]


def rendered(post, removed_status="removed", more=None):
    nodes = rows.nodes(hostile_rows(removed_status), escaped=True)
    roots = build(nodes, cap=2, more=more or {3: 2})
    return ThreadRenderer(post, Viewer(moderates=True), comments_open=True).render(roots)


def assert_nothing_raw(html):
    assert "<svg" not in html and "onload=alert(1)>" not in html
    page = BeautifulSoup(html, "html.parser")
    assert page.find("svg") is None
    assert all(not name.startswith("on") for tag in page.find_all(True) for name in tag.attrs)


def test_every_text_field_is_escaped_on_our_posts():
    """Names, addresses, reasons, anchors, status: none is printed raw."""
    html = rendered(make_post())
    assert_nothing_raw(html)
    page = BeautifulSoup(html, "html.parser")
    assert page.select_one("#comment-2 .p-name").get_text() == HOSTILE  # escaped, not lost
    assert page.select_one("#comment-5 .deleted").get_text().endswith(HOSTILE)
    assert "in reply to" in page.select_one("#comment-4").get_text()


def test_another_sites_page_address_is_escaped_even_unnormalised():
    """The page address of another site's thread is escaped by the renderer itself, even
    if it was stored without normalize_url's percent-encoding."""
    thread = external.new_thread("https://friend.example/a")
    thread.external_url = "https://friend.example/a?x=" + HOSTILE
    html = rendered(thread)
    assert_nothing_raw(html)
    links = BeautifulSoup(html, "html.parser").select(".reply-link, .edit-link, .more-replies a")
    assert links
    assert all(a["href"].startswith(thread.external_url + "#comment-") for a in links)


def test_the_renderer_refuses_raw_nodes():
    """A node read without escaping cannot reach an f-string of the renderer."""
    roots = build(rows.nodes(hostile_rows("removed")), cap=2)
    with pytest.raises(TypeError, match="escaped"):
        ThreadRenderer(make_post(), Viewer(), comments_open=True).render(roots)
