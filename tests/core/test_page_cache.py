"""The anonymous page cache: what it keeps, for whom, and that no change is ever missed.

Every invalidation test runs three times: pages and version tokens in local memory (one
process), both in Redis (several machines), and pages in memory with the tokens in files
(one machine without Redis: the default); the nginx files are checked here for what is
written and deleted, and with a real nginx in test_nginx_front.py.
"""

import io
import os
import time

import pytest
from django.core.cache import caches
from django.core.management import call_command
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.http import http_date

from rejoinder.core import pagecache
from rejoinder.discussion import comments, stamps
from rejoinder.discussion.models import Comment
from rejoinder.publishing import views as publishing_views
from rejoinder.publishing.models import Post, UpdateNote
from tests.factories import comment_form, make_category, make_comment, make_post, make_tag
from tests.html import form_stamps, soup, text_of, without_stamps


def _redis_location():
    # One Redis database per test process (xdist worker), 0-7: clearing it cannot touch
    # another process's entries (test_shared_limits uses 8-15).
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    return f"redis://127.0.0.1:6379/{int(worker.removeprefix('gw') or 0) % 8}"


BACKENDS = {
    "memory": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "t"},
    "redis": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "KEY_PREFIX": "pages"},
    "token files": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "f"},
}


@pytest.fixture(params=list(BACKENDS))
def backend(request, settings, tmp_path, db):
    config = dict(BACKENDS[request.param])
    if request.param == "redis":
        config["LOCATION"] = _redis_location()
    elif request.param == "token files":
        settings.PAGE_CACHE_VERSIONS_DIR = str(tmp_path / "versions")
    settings.CACHES = {**settings.CACHES, "pages": config}
    caches["pages"].clear()
    yield request.param
    caches["pages"].clear()


@pytest.fixture
def page_files(settings, tmp_path):
    settings.PAGE_CACHE_DIR = str(tmp_path / "files")
    return tmp_path / "files"


def visit(client, url):
    """GET twice: the second answer must come from the cache; return it."""
    client.get(url)
    response = client.get(url)
    assert response["X-Page-Cache"] == "hit", url
    return response


def post_with_neighbours():
    category, tag = make_category("Transport"), make_tag("bridges")
    post = make_post(title="The bridge money", categories=[category], tags=[tag])
    return post, category, tag


def reader_pages(post, category, tag):
    return {
        "post": post.get_absolute_url(),
        "front": "/",
        "category": category.get_absolute_url(),
        "tag": tag.get_absolute_url(),
        "archive": f"/{post.published_at:%Y}/",
        "feed": "/feed/",
        "comment feed": reverse("discussion:feed"),
        "post comment feed": reverse("discussion:post_feed", kwargs=post.url_kwargs()),
    }


def test_a_second_visit_is_answered_from_the_cache_with_validators(client, backend):
    """The same page (but for the comment form's stamp, fresh in each: a weak ETag), an
    ETag and Last-Modified, a shared-cache lifetime with stale-while-revalidate; a
    conditional request gets a 304, a HEAD no body."""
    post = make_post()
    first = client.get(post.get_absolute_url())
    assert first["X-Page-Cache"] == "miss"
    second = client.get(post.get_absolute_url())
    assert second["X-Page-Cache"] == "hit"
    assert without_stamps(second.content) == without_stamps(first.content)
    assert second["ETag"] == first["ETag"] and second["ETag"].startswith('W/"')
    assert second["Cache-Control"] == ("public, max-age=0, s-maxage=60, stale-while-revalidate=300")
    assert "Cookie" in second["Vary"]
    assert "script-src 'self'" in second["Content-Security-Policy"]
    not_modified = client.get(post.get_absolute_url(), headers={"If-None-Match": second["ETag"]})
    assert not_modified.status_code == 304 and not_modified.content == b""
    since = client.get(
        post.get_absolute_url(), headers={"If-Modified-Since": second["Last-Modified"]}
    )
    assert since.status_code == 304
    older = client.get(
        post.get_absolute_url(), headers={"If-Modified-Since": http_date(time.time() - 86400)}
    )
    assert older.status_code == 200
    assert second["Content-Length"] == str(len(second.content))
    head = client.head(post.get_absolute_url())
    assert head.status_code == 200 and head.content == b""
    assert head["Content-Length"] == str(len(second.content))


def test_each_reader_of_a_cached_page_gets_a_fresh_stamp(client, backend, page_files):
    """The comment form's stamp is never kept with the page: two readers of the cached
    page get two stamps of their own, neither the one the page was rendered with (the
    kept page and its nginx file hold only the marker that is filled per response)."""
    post = make_post()
    first = client.get(post.get_absolute_url())
    assert first["X-Page-Cache"] == "miss"
    (at_caching,) = form_stamps(first.content)
    readers = [Client().get(post.get_absolute_url()) for _ in range(2)]
    assert [reader["X-Page-Cache"] for reader in readers] == ["hit", "hit"]
    given = [form_stamps(reader.content)[0] for reader in readers]
    assert len({at_caching, *given}) == 3
    assert all(stamps.read(stamp) is not None for stamp in given)
    entry = caches["pages"].get(pagecache._entry_key(RequestFactory().get(post.get_absolute_url())))
    kept = page_files / post.get_absolute_url().strip("/") / "index.html"
    for html in (entry["body"], kept.read_bytes()):
        assert form_stamps(html) == [pagecache.live_marker(stamps.LIVE_NAME)]


def test_a_too_fast_comment_from_a_cached_page_is_refused(client, backend, rules, monkeypatch):
    """The timing rule counts from the response the reader got, not from the moment the
    page was cached: a comment sent at once from a page cached a minute ago is refused
    (with the text kept and a new stamp that then goes through)."""
    rules.moderation = rules.Moderation.OFF
    rules.flood_seconds = rules.hourly_limit = 0
    rules.min_form_seconds = 3
    rules.save()
    post = make_post()
    assert client.get(post.get_absolute_url())["X-Page-Cache"] == "miss"
    cached_at = time.time()
    monkeypatch.setattr(time, "time", lambda: cached_at + 60)  # a minute later
    page = client.get(post.get_absolute_url())
    assert page["X-Page-Cache"] == "hit"
    data = {"name": "Bot", "body": "Instant", "issued": form_stamps(page.content)[0]}
    response = client.post(f"{post.get_absolute_url()}comments/", data)
    assert response.status_code == 400
    assert "less than 3 seconds after the page loaded" in text_of(response, ".form-errors")
    assert not Comment.objects.exists()
    monkeypatch.setattr(time, "time", lambda: cached_at + 70)  # a person's ten seconds
    data["issued"] = form_stamps(response.content)[0]
    assert client.post(f"{post.get_absolute_url()}comments/", data).status_code == 303


def test_a_new_comment_shows_on_every_page_that_shows_the_post(client, backend):
    """A comment: the post page, listings (its count), the post's feeds and the site's
    comment feed all change on the next request; ETags move."""
    post, category, tag = post_with_neighbours()
    pages = reader_pages(post, category, tag)
    before = {name: visit(client, url) for name, url in pages.items()}
    make_comment(post, body="A new point about tolls")
    for name, url in pages.items():
        response = client.get(url)
        assert response["X-Page-Cache"] == "miss", name
        assert response["ETag"] != before[name]["ETag"], name
    page = client.get(pages["post"])
    assert "A new point about tolls" in page.content.decode()
    assert text_of(page, "h1 .comment-count") == "1"
    link = f'a.comment-count[href="{post.get_absolute_url()}#comments"]'
    assert text_of(client.get("/"), link) == "1"
    assert "A new point about tolls" in client.get(pages["comment feed"]).content.decode()


def test_a_comment_leaves_other_posts_pages_cached(client, backend):
    """Invalidation is precise: a comment on one post does not drop another post's page."""
    commented, other = make_post(), make_post()
    visit(client, other.get_absolute_url())
    visit(client, commented.get_absolute_url())
    make_comment(commented)
    assert client.get(other.get_absolute_url())["X-Page-Cache"] == "hit"
    assert client.get(commented.get_absolute_url())["X-Page-Cache"] == "miss"


def test_moderation_decisions_edits_and_deletions_show_at_once(client, backend):
    """Held, then approved; edited; removed with a reason; deleted: each shows on the
    next request of the cached page."""
    post = make_post()
    url = post.get_absolute_url()
    held = make_comment(post, body="Waiting for a moderator", status=Comment.Status.PENDING)
    assert "Waiting for a moderator" not in visit(client, url).content.decode()
    comments.set_status(held, Comment.Status.APPROVED)
    assert "Waiting for a moderator" in client.get(url).content.decode()
    visit(client, url)
    comments.edit_comment(held, "Edited after approval")
    assert "Edited after approval" in client.get(url).content.decode()
    visit(client, url)
    comments.remove_comment(held, "off topic")
    assert "off topic" in client.get(url).content.decode()
    visit(client, url)
    comments.delete_comment(Comment.objects.get(pk=held.pk))
    assert "Edited after approval" not in client.get(url).content.decode()


def test_editing_a_post_changes_everything_that_shows_it(client, backend):
    """A new title shows on the post, the listings, the feed; a new category too."""
    post, category, tag = post_with_neighbours()
    pages = reader_pages(post, category, tag)
    for url in pages.values():
        visit(client, url)
    post.title = "The bridge money, revisited"
    post.save()
    for name in ("post", "front", "category", "tag", "archive", "feed"):
        assert "The bridge money, revisited" in client.get(pages[name]).content.decode(), name
    # A category added: its listing, cached while empty, shows the post.
    roads = make_category("Roads")
    visit(client, roads.get_absolute_url())
    post.categories.add(roads)
    assert "The bridge money, revisited" in client.get(roads.get_absolute_url()).content.decode()
    # A renamed category, shown on the post page.
    visit(client, pages["post"])
    category.name = "Public transport"
    category.save()
    assert "Public transport" in client.get(pages["post"]).content.decode()


def test_a_new_post_shows_on_the_front_page_and_in_the_feed_and_sitemap(client, backend):
    make_post(title="First")
    for url in ("/", "/feed/", "/sitemap.xml"):
        visit(client, url)
    second = make_post(title="Second in line")
    assert "Second in line" in client.get("/").content.decode()
    assert "Second in line" in client.get("/feed/").content.decode()
    assert second.get_absolute_url() in client.get("/sitemap.xml").content.decode()
    second.status = Post.Status.DRAFT
    second.save()
    assert "Second in line" not in client.get("/").content.decode()


def test_signed_in_readers_never_get_the_cache_and_their_pages_are_private(
    client, backend, admin_user
):
    post = make_post()
    visit(client, post.get_absolute_url())
    client.force_login(admin_user)
    response = client.get(post.get_absolute_url())
    assert response.get("X-Page-Cache") is None
    assert "private" in response["Cache-Control"] and "no-cache" in response["Cache-Control"]
    assert 'name="csrfmiddlewaretoken"' in response.content.decode()
    anonymous = Client().get(post.get_absolute_url())
    assert anonymous["X-Page-Cache"] == "hit"
    assert 'name="csrfmiddlewaretoken"' not in anonymous.content.decode()
    assert not anonymous.cookies  # a cached page sets no cookie, not even CSRF's


def test_a_reader_who_just_commented_sees_their_own_held_comment(client, backend, rules):
    """After posting, the reader's cookie takes them past the cache to their comment
    awaiting moderation; everyone else still gets the cached page."""
    post = make_post()
    url = post.get_absolute_url()
    visit(client, url)
    response = client.post(f"{url}comments/", comment_form(body="Held for a first-timer"))
    assert response.status_code == 303
    mine = client.get(response["Location"])
    assert mine.get("X-Page-Cache") is None and "private" in mine["Cache-Control"]
    assert "Held for a first-timer" in mine.content.decode()
    # Without the query string too: the reader's cookie, not the address, decides.
    assert client.get(url).get("X-Page-Cache") is None
    others = Client().get(url)
    assert "Held for a first-timer" not in others.content.decode()


def test_the_remembered_name_fills_the_form_past_the_cache(client, backend, lenient_rules):
    """ "Save my name …" keeps name, email and website in a signed cookie; the form comes
    filled; unticking it forgets them."""
    post = make_post()
    url = post.get_absolute_url()
    fields = comment_form(
        name="Rita", email="rita@example.org", website="https://rita.example", remember="on"
    )
    assert client.post(f"{url}comments/", fields).status_code == 303
    client.cookies.pop("rejoinder_comments")  # the edit window is over; the name stays
    form = soup(client.get(url)).select_one("form#respond")
    assert form.select_one("[name=name]")["value"] == "Rita"
    assert form.select_one("[name=email]")["value"] == "rita@example.org"
    assert form.select_one("[name=remember]").has_attr("checked")
    assert client.get(url).get("X-Page-Cache") is None
    answer = client.post(f"{url}comments/", comment_form(name="Rita", body="Forget me now"))
    assert answer.cookies["rejoinder_commenter"].value == ""  # deleted
    assert Client().get(url)["X-Page-Cache"] in ("hit", "miss")


@pytest.mark.parametrize(
    ("headers", "allowed"),
    [
        ({}, True),  # no browser headers: not a cross-site browser form
        ({"Origin": "http://testserver", "Sec-Fetch-Site": "same-origin"}, True),
        ({"Origin": "https://evil.example"}, False),
        ({"Origin": "null"}, False),
        ({"Sec-Fetch-Site": "cross-site"}, False),
        ({"Sec-Fetch-Site": "same-site"}, False),
    ],
)
def test_comments_from_cached_pages_are_checked_by_origin(lenient_rules, headers, allowed):
    """A cached page has no CSRF token: a reader's comment is refused when the browser
    says it comes from another site, and nothing is saved."""
    post = make_post()
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        f"{post.get_absolute_url()}comments/", comment_form(body="Origin test"), headers=headers
    )
    assert (response.status_code == 303) is allowed
    assert Comment.objects.filter(body="Origin test").exists() is allowed
    if not allowed:
        assert response.status_code == 403
        assert "sent from another site" in response.content.decode()


def test_signed_in_commenters_still_need_the_csrf_token(admin_user, lenient_rules):
    post = make_post()
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    response = client.post(f"{post.get_absolute_url()}comments/", comment_form(body="No token"))
    assert response.status_code == 403
    assert not Comment.objects.filter(body="No token").exists()


def test_pages_with_a_query_or_a_cookie_they_set_are_not_kept(client, backend):
    post = make_post(title="Searchable bridge")
    assert client.get("/?s=bridge").get("X-Page-Cache") is None
    assert client.get("/?s=bridge").get("X-Page-Cache") is None
    assert client.get(post.get_absolute_url() + "?utm_source=x").get("X-Page-Cache") is None
    assert client.get("/no-such-page/").status_code == 404
    assert client.get("/no-such-page/").get("X-Page-Cache") is None


def test_switched_off_nothing_is_cached(client, settings, db):
    settings.PAGE_CACHE = False
    post = make_post()
    client.get(post.get_absolute_url())
    assert client.get(post.get_absolute_url()).get("X-Page-Cache") is None


def test_cached_pages_are_files_for_nginx_deleted_when_stale(client, backend, page_files):
    """With REJOINDER_PAGE_CACHE_DIR: each kept page is a file at its address; a comment
    deletes exactly the files that show the post (its page, feeds, listings)."""
    post, other = make_post(), make_post()
    for url in (post.get_absolute_url(), other.get_absolute_url(), "/", "/feed/"):
        visit(client, url)
    visit(client, "/sitemap.xml")
    post_file = page_files / post.get_absolute_url().strip("/") / "index.html"
    other_file = page_files / other.get_absolute_url().strip("/") / "index.html"
    front, feed = page_files / "index.html", page_files / "feed" / "index.xml"
    served = client.get(post.get_absolute_url()).content
    assert without_stamps(post_file.read_bytes()) == without_stamps(served)
    # The file holds no stamp, but the SSI include nginx fills for each reader.
    assert form_stamps(post_file.read_bytes()) == [pagecache.live_marker(stamps.LIVE_NAME)]
    assert front.exists() and feed.exists() and (page_files / "sitemap.xml").exists()
    make_comment(post, body="Deletes the files")
    assert not post_file.exists() and not front.exists() and not feed.exists()
    assert other_file.exists()  # another post's page does not show this comment
    client.get(post.get_absolute_url())
    assert "Deletes the files" in post_file.read_text()


def test_the_page_cache_command_prunes_old_files_and_clears(client, backend, page_files):
    """`rejoinder page_cache --prune` deletes files older than the cache's lifetime (for
    cron beside nginx); `--clear` forgets every page, in memory and on disk."""
    old, fresh = make_post(), make_post()
    visit(client, old.get_absolute_url())
    visit(client, fresh.get_absolute_url())
    old_file = page_files / old.get_absolute_url().strip("/") / "index.html"
    fresh_file = page_files / fresh.get_absolute_url().strip("/") / "index.html"
    two_hours_ago = time.time() - 7200
    os.utime(old_file, (two_hours_ago, two_hours_ago))
    out = io.StringIO()
    call_command("page_cache", "--prune", stdout=out)
    assert out.getvalue() == "Deleted 1 cached file.\n"
    assert not old_file.exists() and fresh_file.exists()
    call_command("page_cache", "--clear", stdout=io.StringIO())
    assert not fresh_file.exists()
    assert client.get(fresh.get_absolute_url())["X-Page-Cache"] == "miss"


def test_clearing_reaches_pages_other_processes_keep(client, backend, settings, tmp_path):
    """`clear()` moves the epoch token every page depends on: a page another process keeps
    in its own memory goes stale too, and nothing else in the cache is touched."""
    post = make_post()
    visit(client, post.get_absolute_url())
    caches["limits"].set("unrelated", 1)
    kept = caches["pages"]._cache.copy() if backend != "redis" else None
    pagecache.clear()
    if kept is not None:  # the page is still in this process's memory, yet not served
        assert caches["pages"]._cache.keys() == kept.keys()
    assert client.get(post.get_absolute_url())["X-Page-Cache"] == "miss"
    assert caches["limits"].get("unrelated") == 1


# The article (byline, body, update notes, sources, tags): the part of a post's page every
# reader sees alike, kept once per version for readers whose whole page is not kept.

ARTICLE_TABLES = ("publishing_category", "publishing_tag", "publishing_updatenote", "quotation")


def article_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return response, [q["sql"] for q in queries if any(t in q["sql"] for t in ARTICLE_TABLES)]


def test_a_signed_in_readers_article_is_kept_and_every_change_shows_at_once(
    client, backend, admin_user
):
    post, category, _tag = post_with_neighbours()
    url = post.get_absolute_url()
    client.force_login(admin_user)
    _, first = article_queries(client, url)
    assert first  # the first render reads categories, tags, update notes, quotations
    response, second = article_queries(client, url)
    assert second == []  # the kept article: none of them read again
    assert response.get("X-Page-Cache") is None  # the page itself is this reader's own

    category.name = "Public transport"
    category.save()
    assert "Public transport" in text_of(client.get(url), ".byline")
    post.tags.add(make_tag("harbours"))
    assert "harbours" in text_of(client.get(url), ".tags")
    UpdateNote.objects.create(post=post, body="The council answered.")
    assert "The council answered." in text_of(client.get(url), ".update-note")
    post.body = "> A quoted line.\n\nOur answer, rewritten."
    post.save()
    assert "Our answer, rewritten." in text_of(client.get(url), ".e-content")


def test_without_the_page_cache_the_article_is_still_kept_per_version(client, backend, settings):
    settings.PAGE_CACHE = False
    post, category, _tag = post_with_neighbours()
    url = post.get_absolute_url()
    article_queries(client, url)
    assert article_queries(client, url)[1] == []
    category.name = "Public transport"
    category.save()
    assert "Public transport" in text_of(client.get(url), ".byline")


def test_an_article_read_before_a_change_is_never_shown_after_it(client, backend, admin_user):
    """A render that took its version, then read the post, then saw a change commit keeps
    what it read under the version the change has moved: the next reader gets the new."""
    post, category, _tag = post_with_neighbours()
    request = RequestFactory().get(post.get_absolute_url())
    request.user = admin_user
    article = publishing_views.article_version()  # a render begins ...
    as_read = Post.objects.prefetch_related("categories").get(pk=post.pk)  # ... reads
    category.name = "Public transport"
    category.save()  # the change commits
    old = publishing_views.render_entry(request, as_read, article)  # the render goes on
    assert "Transport" in text_of(old, ".byline")
    client.force_login(admin_user)
    assert "Public transport" in text_of(client.get(post.get_absolute_url()), ".byline")
