"""Drafts, schedules and private posts stay out of every public view until their time."""

import datetime
import time

import feedparser
import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from rejoinder.core import pagecache, versions
from rejoinder.publishing.models import Post
from tests.factories import make_post

pytestmark = pytest.mark.django_db

FUTURE = timezone.now() + datetime.timedelta(days=3)


@pytest.fixture
def hidden_posts():
    return [
        make_post(title="Zanzibar draft", status=Post.Status.DRAFT),
        make_post(title="Zanzibar scheduled", status=Post.Status.PUBLISHED, published_at=FUTURE),
        make_post(title="Zanzibar private", status=Post.Status.PRIVATE),
    ]


def test_scheduled_status_follows_the_publish_time():
    """A post published with a future time is stored as scheduled."""
    post = make_post(status=Post.Status.PUBLISHED, published_at=FUTURE)
    assert post.status == Post.Status.SCHEDULED
    assert not Post.objects.published().filter(pk=post.pk).exists()


def test_hidden_posts_are_not_on_the_front_page(client, hidden_posts):
    """The front page lists none of them."""
    make_post(title="Visible one")
    body = client.get("/").content.decode()
    assert "Visible one" in body
    assert "Zanzibar" not in body


def test_hidden_posts_answer_404_at_their_address(client, hidden_posts):
    """A reader opening a draft, scheduled or private post's address gets 404."""
    for post in hidden_posts:
        assert client.get(post.get_absolute_url()).status_code == 404


def test_editors_can_preview_hidden_posts(client, editor, hidden_posts):
    """Editors open them at their address, marked as not visible, and not indexable."""
    client.force_login(editor)
    for post in hidden_posts:
        response = client.get(post.get_absolute_url())
        assert response.status_code == 200
        assert "not visible to readers" in response.content.decode()
        assert response["X-Robots-Tag"] == "noindex"


@pytest.mark.parametrize(
    ("role", "sees_others", "sees_own"),
    [
        ("administrator", True, True),
        ("editor", True, True),
        ("author", False, True),
        ("moderator", False, False),
        (None, False, False),  # a staff account with no role
    ],
)
def test_hidden_posts_are_shown_as_wordpress_capabilities_decide(
    client, role, sees_others, sees_own
):
    """Editors and administrators preview every draft, schedule and private post; authors
    only their own; moderators and other staff none: not at the address, nor in the post's
    comment feed, nor through its comment form."""
    from tests.factories import make_user

    user = make_user(f"u-{role}", role=role)
    user.is_staff = True
    user.save()
    others = make_user("other-writer", role="author")
    client.force_login(user)
    for status, published_at in [
        (Post.Status.DRAFT, None),
        (Post.Status.PUBLISHED, FUTURE),
        (Post.Status.PRIVATE, None),
    ]:
        extra = {"published_at": published_at} if published_at else {}
        for author, expected in [(others, sees_others), (user, sees_own)]:
            post = make_post(status=status, author=author, **extra)
            url = post.get_absolute_url()
            assert client.get(url).status_code == (200 if expected else 404), (status, author)
            assert client.get(f"{url}feed/").status_code == 404  # a feed only when public
            answer = client.post(f"{url}comments/", {"body": "x", "name": "Ann"})
            assert answer.status_code in (400, 403, 404)
            assert not post.comments.exists()


def test_hidden_posts_are_not_in_feeds(client, hidden_posts):
    """Neither RSS nor Atom carries them."""
    make_post(title="Visible one")
    for url in ("/feed/", "/feed/atom/"):
        feed = feedparser.parse(client.get(url).content)
        titles = [entry.title for entry in feed.entries]
        assert titles == ["Visible one"]


def test_hidden_posts_are_not_in_the_sitemap(client, hidden_posts):
    """The sitemap lists only public addresses."""
    visible = make_post(title="Visible one")
    body = client.get(reverse("sitemap")).content.decode()
    assert visible.get_absolute_url() in body
    for post in hidden_posts:
        assert post.get_absolute_url() not in body


def test_hidden_posts_are_not_found_by_search(client, hidden_posts):
    """Search does not find them, even by their exact title."""
    make_post(title="Zanzibar visible")
    body = client.get("/", {"s": "Zanzibar"}).content.decode()
    assert "Zanzibar visible" in body
    for post in hidden_posts:
        assert post.title not in body


def test_scheduled_post_appears_when_its_time_comes(client):
    """Once its time has passed, a scheduled post shows without being saved again."""
    soon = timezone.now() + datetime.timedelta(seconds=1.5)
    make_post(title="Soon", status=Post.Status.PUBLISHED, published_at=soon)
    assert "Soon" not in client.get("/").content.decode()  # and the front page is cached
    time.sleep((soon - timezone.now()).total_seconds() + 0.1)
    assert "Soon" in client.get("/").content.decode()


def find(user, post):
    return Post.objects.at_address(user, **post.url_kwargs())


def test_an_address_found_once_follows_every_change_of_its_post(client, editor, settings):
    """Each process remembers which post an address led to, until any post changes: a
    post unpublished, moved to another address or deleted is not found at the old one."""
    settings.PAGE_CACHE = False  # the page cache would answer the second visits itself
    post = make_post(title="Zanzibar at noon")
    url, reader = post.get_absolute_url(), AnonymousUser()
    assert find(reader, post) == post
    with CaptureQueriesContext(connection) as queries:
        assert find(reader, post) == post
    [query] = queries.captured_queries
    assert "slug" not in query["sql"].partition("WHERE")[2]  # by its key: address remembered

    post.status = Post.Status.DRAFT
    post.save()
    assert client.get(url).status_code == 404
    assert find(editor, post) == post  # staff still see the draft there ...
    assert find(reader, post) is None  # ... and what staff found is not a reader's
    post.status, post.slug = Post.Status.PUBLISHED, "zanzibar-at-night"
    post.save()
    assert client.get(url).status_code == 301  # the old address now only redirects
    assert client.get(post.get_absolute_url()).status_code == 200
    Post.objects.filter(pk=post.pk).delete()
    assert client.get(post.get_absolute_url()).status_code == 404


def test_an_address_found_while_a_change_commits_is_not_remembered_past_it():
    """The remembered addresses are those of the token read before the query: a post found
    from rows older than a change is looked for again once the change has moved it."""
    post = make_post(title="Zanzibar at dawn")
    reader = AnonymousUser()
    known = versions.kept(pagecache.POSTS, dict)  # a lookup begins ...
    post.status = Post.Status.DRAFT
    post.save()  # ... a change commits meanwhile ...
    known[(*post.url_kwargs().values(), False)] = post.pk  # ... and it keeps what it found
    assert find(reader, post) is None
