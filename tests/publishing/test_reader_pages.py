import datetime

import mf2py
import pytest
from django.urls import reverse
from django.utils import timezone

from rejoinder.publishing.models import Post, UpdateNote
from tests.factories import make_category, make_comment, make_post, make_tag, make_user
from tests.html import soup, text_of

pytestmark = pytest.mark.django_db


def test_post_page_carries_an_h_entry(client):
    """mf2py finds the h-entry with name, content, published, url, author and categories."""
    author = make_user("writer", first_name="Ada", last_name="Writer")
    post = make_post(
        title="On quoting", body="The *text*.", author=author, tags=[make_tag("Media")]
    )
    response = client.get(post.get_absolute_url())
    parsed = mf2py.parse(doc=response.content.decode(), url="http://testserver/")
    [entry] = [item for item in parsed["items"] if "h-entry" in item["type"]]
    props = entry["properties"]
    assert props["name"] == ["On quoting"]
    assert props["content"][0]["html"].strip().startswith('<p id="p-1">The <em>text</em>.</p>')
    assert props["published"][0].startswith(timezone.localtime(post.published_at).strftime("%Y"))
    assert props["url"] == [f"http://testserver{post.get_absolute_url()}"]
    assert props["author"][0]["properties"]["name"] == ["Ada Writer"]
    assert "Media" in props["category"]


def test_comment_count_shows_beside_the_title(client):
    """The title's heading ends with the comment count, 0 until comments exist."""
    post = make_post(title="Counted")
    assert text_of(client.get(post.get_absolute_url()), "h1 .comment-count") == "0"
    for _ in range(6):
        make_comment(post)
    page = soup(client.get(post.get_absolute_url()))
    assert page.select_one("h1").get_text(" ", strip=True) == "Counted 6"


def test_update_notes_show_at_the_end_dated(client):
    """Post scripts and updates follow the body, each with its label and time."""
    post = make_post(body="Main text.")
    UpdateNote.objects.create(post=post, label="Post Script", body="> Later quote\n> — Outlet B")
    page = soup(client.get(post.get_absolute_url()))
    note = page.select_one(".e-content .update-note")
    assert note.select_one("h2").get_text(" ", strip=True).startswith("Post Script")
    assert note.select_one("time")["datetime"]
    assert note.select_one("blockquote footer cite").get_text() == "Outlet B"


def test_canonical_and_open_graph_tags(client, settings):
    """A post page names its canonical address, on REJOINDER_SITE_URL when set."""
    settings.SITE_URL = "https://blog.example.org"
    post = make_post(title="Tagged")
    page = soup(client.get(post.get_absolute_url()))
    canonical = f"https://blog.example.org{post.get_absolute_url()}"
    assert page.select_one('link[rel="canonical"]')["href"] == canonical
    assert page.select_one('meta[property="og:url"]')["content"] == canonical
    assert page.select_one('meta[property="og:title"]')["content"] == "Tagged"
    assert page.select_one('meta[property="og:type"]')["content"] == "article"


def test_front_page_paginates_at_page_n(client, settings):
    """The front page pages at /page/N/; /page/1/ redirects to /, past the end is 404."""
    settings.POSTS_PER_PAGE = 2
    for _ in range(5):
        make_post()
    first = soup(client.get("/"))
    assert len(first.select("article.h-entry")) == 2
    assert first.select_one('a[rel="next"]')["href"] == "/page/2/"
    third = soup(client.get("/page/3/"))
    assert len(third.select("article.h-entry")) == 1
    assert third.select_one('a[rel="prev"]')["href"] == "/page/2/"
    assert client.get("/page/1/")["Location"] == "/"
    assert client.get("/page/4/").status_code == 404


def test_pages_live_at_their_slug(client):
    """A page answers at /slug/ and is not listed among posts."""
    page = make_post(title="About us", slug="about", type=Post.Type.PAGE)
    assert page.get_absolute_url() == "/about/"
    assert text_of(client.get("/about/"), "h1 .p-name") == "About us"
    assert "About us" not in client.get("/").content.decode()


def test_category_lists_its_posts_and_its_childrens(client):
    """/category/parent/ shows posts filed under it or any category inside it."""
    parent = make_category("Politics")
    child = make_category("Elections", parent=parent)
    make_post(title="In child", categories=[child])
    make_post(title="In parent", categories=[parent])
    make_post(title="Elsewhere")
    body = client.get("/category/politics/").content.decode()
    assert "In child" in body and "In parent" in body and "Elsewhere" not in body
    child_body = client.get("/category/politics/elections/").content.decode()
    assert "In child" in child_body and "In parent" not in child_body
    assert client.get("/category/nothing/").status_code == 404


def test_tag_lists_its_posts(client):
    """/tag/x/ shows the posts with that tag only."""
    tag = make_tag("Budgets")
    make_post(title="Tagged post", tags=[tag])
    make_post(title="Untagged post")
    body = client.get("/tag/budgets/").content.decode()
    assert "Tagged post" in body and "Untagged post" not in body


def test_date_archives(client):
    """/YYYY/ and /YYYY/MM/ list that period's posts; an empty period is 404."""
    october = timezone.make_aware(datetime.datetime(2025, 10, 6, 12))
    make_post(title="October post", published_at=october)
    make_post(title="November post", published_at=october + datetime.timedelta(days=30))
    year = client.get("/2025/").content.decode()
    assert "October post" in year and "November post" in year
    month = client.get("/2025/10/").content.decode()
    assert "October post" in month and "November post" not in month
    assert "October post" in client.get("/2025/10/06/").content.decode()
    assert client.get("/2024/").status_code == 404
    assert client.get("/2025/13/").status_code == 404


def test_not_found_page_offers_search(client):
    """An unknown address answers 404 with a search form."""
    response = client.get("/no/such/thing/")
    assert response.status_code == 404
    form = soup(response).select_one('main form[role="search"]')
    assert form.select_one('input[name="s"]') is not None


def test_robots_txt_points_at_the_sitemap(client):
    """robots.txt names the sitemap's full address."""
    body = client.get("/robots.txt").content.decode()
    assert f"Sitemap: http://testserver{reverse('sitemap')}" in body


def test_reader_pages_have_no_inline_script(client):
    """No page of the theme carries inline JavaScript or style attributes."""
    post = make_post()
    for url in ("/", post.get_absolute_url(), "/?s=post", "/nothing/"):
        page = soup(client.get(url))
        assert page.select("script:not([src])") == []
        assert page.select("[style]") == []
        assert not [
            tag for tag in page.find_all(True) if any(a.startswith("on") for a in tag.attrs)
        ]
