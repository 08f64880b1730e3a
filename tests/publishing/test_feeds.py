import feedparser
import pytest

from rejoinder.publishing.models import UpdateNote
from tests.factories import make_category, make_post, make_tag

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", ["/feed/", "/feed/atom/"])
def test_feeds_parse_cleanly(client, url):
    """feedparser reads the RSS and Atom feeds without a single complaint."""
    make_post(title="First & <best>", body="Body with a [link](https://example.com/).")
    make_post(title="Second")
    feed = feedparser.parse(client.get(url).content)
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert [entry.title for entry in feed.entries] == ["First & <best>", "Second"]
    assert "https://example.com/" in feed.entries[0].description


def test_feed_entry_carries_update_notes(client):
    """A post script shows in the post's feed entry, labelled."""
    post = make_post(title="With PS", body="Main.")
    UpdateNote.objects.create(post=post, label="Post Script", body="Afterthought.")
    entry = feedparser.parse(client.get("/feed/").content).entries[0]
    assert "Post Script" in entry.description and "Afterthought." in entry.description


@pytest.mark.parametrize("suffix", ["feed/", "feed/atom/"])
def test_category_and_tag_feeds(client, suffix):
    """Each category and tag has RSS and Atom feeds of its own posts."""
    politics = make_category("Politics")
    tag = make_tag("Budgets")
    make_post(title="Filed", categories=[make_category("Local", parent=politics)], tags=[tag])
    make_post(title="Other")
    for base in ("/category/politics/", "/tag/budgets/"):
        feed = feedparser.parse(client.get(base + suffix).content)
        assert feed.bozo == 0
        assert [entry.title for entry in feed.entries] == ["Filed"]
