"""Drafts, schedules and private posts stay out of every public view until their time."""

import datetime
import time

import feedparser
import pytest
from django.urls import reverse
from django.utils import timezone

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


def test_staff_can_preview_hidden_posts(client, editor, hidden_posts):
    """Staff open them at their address, marked as not visible, and not indexable."""
    client.force_login(editor)
    for post in hidden_posts:
        response = client.get(post.get_absolute_url())
        assert response.status_code == 200
        assert "not visible to readers" in response.content.decode()
        assert response["X-Robots-Tag"] == "noindex"


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
