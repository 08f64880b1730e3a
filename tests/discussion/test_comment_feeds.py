import feedparser
import pytest
from django.urls import reverse

from rejoinder.discussion.models import Comment
from tests.factories import make_comment, make_post

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", ["discussion:feed", "discussion:feed_atom"])
def test_site_comment_feed_has_approved_comments_only(client, name):
    """The site's comment feed parses cleanly and leaves held and spam comments out."""
    post = make_post(title="Argued")
    make_comment(post, name="Shown", body="Visible *point*")
    make_comment(post, name="Held", status=Comment.Status.PENDING)
    make_comment(post, name="Spammer", status=Comment.Status.SPAM)
    feed = feedparser.parse(client.get(reverse(name)).content)
    assert feed.bozo == 0
    assert [entry.title for entry in feed.entries] == ["Shown on Argued"]
    assert "<em>point</em>" in feed.entries[0].description


@pytest.mark.parametrize("suffix", ["feed/", "feed/atom/"])
def test_post_comment_feed(client, suffix):
    """Each post has its own comment feed, with that post's comments only."""
    post = make_post()
    make_comment(post, name="Here")
    make_comment(make_post(), name="Elsewhere")
    feed = feedparser.parse(client.get(post.get_absolute_url() + suffix).content)
    assert feed.bozo == 0
    assert [entry.author for entry in feed.entries] == ["Here"]


def test_post_feed_carries_comment_counts(client):
    """The post feed says how many comments each post has (slash:comments)."""
    post = make_post()
    make_comment(post)
    make_comment(post)
    feed = feedparser.parse(client.get("/feed/").content)
    assert feed.bozo == 0
    assert feed.entries[0].slash_comments == "2"
