"""Threads for pages of other sites: made by a page's first comment, kept off the blog."""

import io
import itertools
import json
import time

import feedparser
import pytest
from bs4 import BeautifulSoup
from django.db import transaction
from django.db.models.query import QuerySet
from django.urls import reverse

from rejoinder.discussion.forms import issue_stamp
from rejoinder.discussion.models import Comment
from rejoinder.interop.api.mount import api_url
from rejoinder.interop.wxr_export import export_wxr
from rejoinder.publishing import external
from rejoinder.publishing.models import Post
from tests.factories import make_comment, make_post, make_user
from tests.mailserver import MailServer, run_worker, send_through

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("lenient_rules")]

FRIEND = "https://friend.example"
PAGE = f"{FRIEND}/notes/x/"
PROBLEM = "application/problem+json"
_bodies = itertools.count(1)


@pytest.fixture(autouse=True)
def allow_list(settings):
    settings.CORS_ALLOWED_ORIGINS = [FRIEND]


@pytest.fixture
def admin(db):
    return make_user("site-admin", superuser=True, email="admin@example.org")


def send(client, page_url=PAGE, title="Notes: x", origin=FRIEND, **fields):
    """POST a comment for the page at ``page_url``, as embed.js does."""
    payload = {
        "name": "Ann",
        "body": f"Point number {next(_bodies)}.",  # never a duplicate
        "issued": issue_stamp(time.time() - 60),
    }
    payload.update(page_url=page_url, page_title=title, **fields)
    return client.post(
        api_url("create_by_url"),
        json.dumps(payload),
        content_type="application/json",
        headers={"Origin": origin},
    )


def fragment(client, url, origin=FRIEND):
    return client.get("/comments/embed/", {"url": url}, headers={"Origin": origin})


@pytest.fixture
def thread(client, admin):
    """The page's thread, made by its first comment (Ann's)."""
    assert send(client).status_code == 201
    return Post.objects.external().get()


@pytest.mark.parametrize(
    ("given", "normal"),
    [
        ("https://friend.example/notes/x/", "https://friend.example/notes/x/"),
        ("HTTPS://Friend.Example:443/notes/x/#comments", "https://friend.example/notes/x/"),
        ("http://friend.example:80", "http://friend.example/"),
        ("https://friend.example:8443/a?b=1&c=2#d", "https://friend.example:8443/a?b=1&c=2"),
        ("https://friend.example/Case/Kept/", "https://friend.example/Case/Kept/"),
        ("http://[::1]:8000/x", "http://[::1]:8000/x"),
    ],
)
def test_addresses_are_normalised(given, normal):
    """Scheme and host in lower case, default port and fragment dropped, the query kept."""
    assert external.normalize_url(given) == normal


@pytest.mark.parametrize(
    "given",
    [
        "",
        "/notes/x/",
        "ftp://friend.example/x",
        "javascript:alert(1)",
        "https://user:secret@friend.example/",
        "https://friend.example/a b",
        "https://friend.example/\ud800",
        "https://friend.example:99999/",
        "https://friend.example/" + "a" * 1000,
    ],
)
def test_addresses_that_cannot_be_a_thread_are_refused(given):
    assert external.normalize_url(given) is None


def test_an_unknown_page_shows_an_empty_thread_and_writes_nothing(client, admin):
    """An allowed site's page without comments: the form, posting by address; no row yet."""
    response = fragment(client, PAGE + "#top")
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == FRIEND
    html = BeautifulSoup(response.content, "html.parser")
    section = html.select_one("section.rejoinder-embed")
    assert section["data-page-url"] == PAGE
    assert section["data-api"] == "http://testserver/api/v1/comments/by-url"
    assert section["data-stamp"] == "http://testserver/api/v1/comment-stamp"
    assert "data-post" not in section.attrs
    assert html.select("article.comment") == []
    assert html.select_one("form#respond textarea[name=body]") is not None
    assert not Post.objects.exists()


@pytest.mark.parametrize("url", ["https://foe.example/notes/x/", "http://friend.example/x/"])
def test_a_page_off_the_allow_list_has_no_thread(client, admin, url):
    """The page's origin (scheme, host and port) must be listed, whoever asks."""
    assert fragment(client, url).status_code == 404
    response = send(client, page_url=url)
    assert response.status_code == 404
    assert response["Content-Type"] == PROBLEM
    assert [e["field"] for e in response.json()["errors"]] == ["page_url"]
    assert not Post.objects.exists() and not Comment.objects.exists()


def test_the_first_comment_makes_the_thread(client, admin):
    """A thread of type external, published, held by the first superuser, titled by the page."""
    response = send(client, page_url="HTTPS://FRIEND.example/notes/x/#respond")
    assert response.status_code == 201, response.content
    answer = response.json()
    thread = Post.objects.get()
    assert (thread.type, thread.external_url, thread.title) == ("external", PAGE, "Notes: x")
    assert (thread.author, thread.status, thread.body) == (admin, Post.Status.PUBLISHED, "")
    assert thread.get_absolute_url() == PAGE
    comment = Comment.objects.get()
    assert (comment.post, comment.author_name) == (thread, "Ann")
    assert answer["comment"]["url"] == f"{PAGE}#comment-{comment.pk}"
    assert thread.revisions.count() == 0 and thread.aliases.count() == 0


def test_later_comments_join_the_same_thread(client, thread):
    """Another spelling of the address, or the thread's id, reaches the same thread."""
    assert (
        send(client, page_url="https://friend.example:443/notes/x/", title="Other").status_code
        == 201
    )
    response = client.post(
        api_url("create", post_id=thread.pk),
        json.dumps({"name": "Cy", "body": "Third.", "issued": issue_stamp(time.time() - 60)}),
        content_type="application/json",
    )
    assert response.status_code == 201
    assert Post.objects.count() == 1
    thread.refresh_from_db()
    assert (thread.comment_count, thread.title) == (3, "Notes: x")


def test_an_address_of_a_post_here_posts_to_that_post(client, admin):
    """The same endpoint serves the blog's own posts: no thread is made for them."""
    post = make_post(title="Ours")
    response = send(client, page_url=f"http://testserver{post.get_absolute_url()}")
    assert response.status_code == 201
    assert Comment.objects.get().post == post
    assert not Post.objects.external().exists()
    assert send(client, page_url="http://testserver/nothing/here/").status_code == 404


def test_a_stamp_without_a_post(client):
    stamp = client.get(api_url("stamp")).json()
    assert stamp["issued"] and stamp["max_age"] > 0


def test_the_title_defaults_to_the_address_and_fits_the_field(client, admin):
    """embed.js cuts a page's title to the title field's 300 characters; longer is refused."""
    send(client, page_url=f"{FRIEND}/untitled/", title=" \n ")
    send(client, page_url=f"{FRIEND}/long/", title="  A\tlong\n title " + "x" * 280)
    response = send(client, page_url=f"{FRIEND}/longer/", title="x" * 301)
    assert [e["field"] for e in response.json()["errors"]] == ["page_title"]
    titles = dict(Post.objects.values_list("external_url", "title"))
    assert titles == {
        f"{FRIEND}/untitled/": f"{FRIEND}/untitled/",
        f"{FRIEND}/long/": "A long title " + "x" * 280,
    }


def test_a_refused_first_comment_leaves_no_thread(client, admin):
    """Invalid (no name) or refused by a rule (a reply to nothing): no thread, no comment."""
    assert send(client, name="").status_code == 422
    assert send(client, parent=12345).status_code == 422
    assert not Post.objects.exists() and not Comment.objects.exists()


def test_a_site_without_an_account_makes_no_thread(client):
    """No account to hold the thread: no thread (and no comment)."""
    assert send(client).status_code == 404
    assert not Post.objects.exists()


def test_racing_first_comments_make_one_thread(admin, monkeypatch):
    """Two first comments at once: the loser's insert breaks the unique address, and it
    takes the winner's row (get_or_create's retry, inside a savepoint)."""
    winner = external.get_or_create_thread(PAGE, "One")
    # The loser looked before the winner's insert committed, and saw nothing.
    monkeypatch.setattr(external, "find_thread", lambda url: None)
    real_get, calls = QuerySet.get, []

    def get(self, *args, **kwargs):
        calls.append(kwargs)
        if len(calls) == 1:
            raise self.model.DoesNotExist
        return real_get(self, *args, **kwargs)

    monkeypatch.setattr(QuerySet, "get", get)
    with transaction.atomic():
        loser = external.get_or_create_thread(PAGE, "Two")
        assert loser == winner and len(calls) == 2
    assert Post.objects.count() == 1


def test_the_thread_is_read_like_a_posts(client, thread):
    """Found by its page's address (any spelling), its comments by id, counts by address."""
    make_comment(thread, name="Bob")
    found = client.get("/api/v1/posts/by-url", {"url": PAGE + "#x"}).json()
    assert (found["id"], found["type"], found["url"]) == (thread.pk, "external", PAGE)
    assert found["comment_count"] == 2 and found["comments_open"] is True
    data = client.get(f"/api/v1/posts/{thread.pk}/comments").json()
    assert [c["author_name"] for c in data["comments"]] == ["Ann", "Bob"]
    assert data["page_url"] == PAGE
    assert data["comments"][0]["url"] == f"{PAGE}#comment-{data['comments'][0]['id']}"
    urls = [PAGE, "https://FRIEND.example/notes/x/", f"{FRIEND}/other/", "https://foe.example/"]
    counts = client.get("/api/v1/counts", {"url": urls}).json()["counts"]
    assert [(c["post"], c["count"]) for c in counts] == [
        (thread.pk, 2),
        (thread.pk, 2),
        (None, None),
        (None, None),
    ]


def test_the_fragment_of_a_thread_links_to_its_page(client, thread):
    html = BeautifulSoup(fragment(client, PAGE).content, "html.parser")
    section = html.select_one("section.rejoinder-embed")
    assert section["data-post"] == str(thread.pk)
    assert "data-page-url" not in section.attrs
    assert [a.get_text() for a in html.select("article.comment .p-name")] == ["Ann"]
    reply = html.select_one("a.reply-link")
    assert reply["href"].startswith(f"{PAGE}#comment-")


def test_threads_stay_off_the_blog(client, thread):
    """Not on the front page, in feeds, the sitemap, search, the API's list or the export."""
    make_post(title="Our own post")
    thread.title = "Zanzibar elsewhere"
    thread.save()
    assert Post.objects.published().count() == 1
    assert "Zanzibar" not in client.get("/").content.decode()
    for url in ("/feed/", "/feed/atom/", "/comments/feed/"):
        feed = feedparser.parse(client.get(url).content)
        assert not [e for e in feed.entries if "Zanzibar" in e.title or PAGE in e.link], url
    assert PAGE not in client.get(reverse("sitemap")).content.decode()
    assert "Zanzibar elsewhere" not in client.get("/", {"s": "Zanzibar"}).content.decode()
    listed = client.get("/api/v1/posts").json()["items"]
    assert [item["title"] for item in listed] == ["Our own post"]
    buffer = io.BytesIO()
    export_wxr(buffer)
    assert b"Zanzibar" not in buffer.getvalue() and PAGE.encode() not in buffer.getvalue()


def test_the_admin_lists_threads_apart(client, admin, thread):
    client.force_login(admin)
    listing = client.get(reverse("admin:publishing_externalthread_changelist"))
    assert PAGE in listing.content.decode()
    assert (
        "Notes: x" not in client.get(reverse("admin:publishing_post_changelist")).content.decode()
    )


@pytest.mark.django_db(transaction=True)
def test_the_holder_is_emailed_with_a_link_to_the_page(settings, client, admin):
    """The thread's holder is emailed as an author is; the comment's link is on the page."""
    server = MailServer()
    server.start()
    try:
        send_through(settings, server)
        settings.SITE_URL = "https://blog.example.org"
        assert send(client).json()["status"] == "approved"
        run_worker()
        [received] = server.received
    finally:
        server.stop()
    comment = Comment.objects.get()
    assert received.recipients == ["admin@example.org"]
    assert received["Subject"] == "New comment on “Notes: x”"
    for part in (received.text, received.html):
        assert f"{PAGE}#comment-{comment.pk}" in part
        assert "blog.example.orghttps" not in part
        assert "a page on another site" in part


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ('https://friend.example/a?x="><svg/onload=alert(1)>',
         "https://friend.example/a?x=%22%3E%3Csvg/onload=alert(1)%3E"),
        ("https://friend.example/été?q=ü", "https://friend.example/%C3%A9t%C3%A9?q=%C3%BC"),
        ("https://friend.example/a%20b?y=%22", "https://friend.example/a%20b?y=%22"),
        ("https://friend.example/a[1]?q=[x]", "https://friend.example/a%5B1%5D?q=%5Bx%5D"),
        ("https://friend.example/a%zz?q=%&r=%4", "https://friend.example/a%25zz?q=%25&r=%254"),
        ("https://friend.example/a|b^c`d{e}", "https://friend.example/a%7Cb%5Ec%60d%7Be%7D"),
        ("http://例え.jp/", "http://xn--r8jz45g.jp/"),
        ('https://a"b.example/', None),
        ("https://<svg>.example/", None),
        ("https://friend.example/a b", None),
    ],
)  # fmt: skip
def test_page_addresses_are_percent_encoded_or_refused(sent, kept):
    """What RFC 3986 does not allow in a path or query is percent-encoded, as browsers
    send it; a host that is not a host name is refused."""
    assert external.normalize_url(sent) == kept


def test_a_page_address_with_markup_is_stored_and_shown_encoded(client, admin):
    """The embed's fragment prints another site's page address only escaped and encoded."""
    url = f'{FRIEND}/a?x="><svg/onload=alert(1)>'
    assert send(client, page_url=url).status_code == 201
    stored = Post.objects.external().get().external_url
    assert stored == f"{FRIEND}/a?x=%22%3E%3Csvg/onload=alert(1)%3E"
    html = fragment(client, url).content.decode()
    assert "<svg/onload" not in html and '?x="' not in html
    links = BeautifulSoup(html, "html.parser").select(".reply-link")
    assert links and all(a["href"].startswith(stored + "#comment-") for a in links)
