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


def test_feeds_and_sitemap_use_the_configured_site_url(client, settings):
    """With REJOINDER_SITE_URL set, feed and sitemap links use it, not the request's host."""
    settings.SITE_URL = "https://blog.example.org"
    post = make_post(title="Addressed")
    expected = f"https://blog.example.org{post.get_absolute_url()}"
    for url in ("/feed/", "/feed/atom/"):
        feed = feedparser.parse(client.get(url).content)
        assert feed.entries[0].link == expected
        assert feed.feed.link == "https://blog.example.org/"
    assert f"<loc>{expected}</loc>" in client.get("/sitemap.xml").content.decode()
    assert (
        "Sitemap: https://blog.example.org/sitemap.xml"
        in client.get("/robots.txt").content.decode()
    )
