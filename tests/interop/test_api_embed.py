"""The embed fragment (/comments/embed/): the post page's thread markup, for other sites."""

import pytest
from bs4 import BeautifulSoup

from rejoinder.discussion.models import Comment
from rejoinder.publishing.models import Post
from tests.factories import make_comment, make_post

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("lenient_rules")]

FRIEND = "https://friend.example"


@pytest.fixture(autouse=True)
def allow_list(settings):
    settings.CORS_ALLOWED_ORIGINS = [FRIEND]


@pytest.fixture
def post():
    post = make_post(title="Embedded")
    ann = make_comment(post, name="Ann", body="<b>bold</b> claim")
    make_comment(post, parent=ann, name="Bob")
    make_comment(post, name="Held", status=Comment.Status.PENDING)
    return post


def fragment(client, origin=FRIEND, **query):
    return client.get("/comments/embed/", query, headers={"Origin": origin})


def test_the_fragment_is_the_threads_markup_with_absolute_addresses(client, post):
    response = fragment(client, url=f"http://testserver{post.get_absolute_url()}")
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == FRIEND
    assert "no-cache" in response["Cache-Control"]
    html = BeautifulSoup(response.content, "html.parser")
    section = html.select_one("section.rejoinder-embed")
    assert section["data-api"] == f"http://testserver/api/v1/posts/{post.pk}/comments"
    names = [a.get_text() for a in html.select("article.comment .p-name")]
    assert names == ["Ann", "Bob"]
    for link in html.select("a[href]"):
        assert link["href"].startswith(("http://testserver/", "#")), link
    reply = html.select_one("a.reply-link")
    assert reply["href"].startswith(f"http://testserver{post.get_absolute_url()}comment-")
    form = html.select_one("form#respond")
    assert form.select_one("input[name=issued]")["value"]
    assert form.select_one("textarea[name=body]") is not None


def test_the_fragment_has_no_inline_script_or_style(client, post):
    html = BeautifulSoup(fragment(client, post=post.pk).content, "html.parser")
    assert html.find("script") is None and html.find("style") is None
    assert not [tag for tag in html.find_all(True) if "style" in tag.attrs]
    assert not [tag for tag in html.find_all(True) if any(a.startswith("on") for a in tag.attrs)]


def test_an_origin_off_the_list_is_refused(client, post):
    response = fragment(client, origin="https://foe.example", post=post.pk)
    assert response.status_code == 403
    assert "Access-Control-Allow-Origin" not in response.headers


@pytest.mark.parametrize(
    "query", [{"url": "https://elsewhere.example/page/"}, {"post": "x"}, {"url": ""}]
)
def test_an_unknown_page_has_no_thread(client, post, query):
    assert fragment(client, **query).status_code == 404


def test_a_draft_is_not_embedded(client):
    draft = make_post(status=Post.Status.DRAFT)
    assert fragment(client, post=draft.pk).status_code == 404


def test_closed_comments_show_no_form(client):
    closed = make_post(comment_status=Post.CommentStatus.CLOSED)
    html = BeautifulSoup(fragment(client, post=closed.pk).content, "html.parser")
    assert html.select_one("form") is None
    assert html.select_one(".comments-closed") is not None
