"""Input a hostile reader sends: broken encodings, probes for logins."""

from urllib.parse import urlencode

import feedparser
import pytest

from rejoinder.discussion.models import Comment
from rejoinder.discussion.thread.locations import post_comment_url
from tests.factories import comment_form, make_comment, make_post, make_user

pytestmark = pytest.mark.django_db

FORM = "application/x-www-form-urlencoded"


@pytest.mark.parametrize(
    "body",
    [
        "name=Ann&body=%ED%A0%80",  # a lone surrogate, UTF-8 encoded (CESU)
        "name=Ann&body=%FF%FE",  # bytes that are not UTF-8 at all
        "name=%C3&body=cut+character",  # a truncated two-byte character
    ],
)
def test_comment_with_invalid_utf8_is_refused(client, body):
    """A form that is not valid UTF-8 is refused with a reason; nothing is saved."""
    post = make_post()
    response = client.post(post_comment_url(post), body, content_type=FORM)
    assert response.status_code == 400
    assert "not valid UTF-8" in response.content.decode()
    assert not Comment.objects.exists()


def test_valid_unicode_passes(client, lenient_rules):
    """Emoji and right-to-left text are fine."""
    post = make_post()
    stamp = urlencode({"issued": comment_form()["issued"]})
    body = f"name=%D7%A9%D7%9C%D7%95%D7%9D&body=%F0%9F%A7%B5+thread&{stamp}"
    assert client.post(post_comment_url(post), body, content_type=FORM).status_code == 303
    assert Comment.objects.get().body == "🧵 thread"


def test_search_with_invalid_utf8_is_refused(client):
    """A search address with broken UTF-8 gets 400, not a mangled query."""
    assert client.get("/?s=%ED%A0%80").status_code == 400


def test_logins_never_show_in_public(client):
    """An account without a name appears as "The author", in pages, feeds and comments."""
    writer = make_user("secret-login-7")
    post = make_post(author=writer, title="By a nameless account")
    make_comment(post, user=writer, body="Replying as the author")
    for url in (post.get_absolute_url(), "/", "/feed/", "/feed/atom/", "/comments/feed/"):
        body = client.get(url).content.decode()
        assert "secret-login-7" not in body, url
    assert "The author" in client.get(post.get_absolute_url()).content.decode()
    assert feedparser.parse(client.get("/feed/").content).entries[0].author == "The author"


def test_author_probe_reveals_nothing(client):
    """/?author=N is the front page: no redirect to a login-named address, no login."""
    writer = make_user("secret-login-8")
    make_post(author=writer)
    response = client.get("/", {"author": writer.pk})
    assert response.status_code == 200
    assert "secret-login-8" not in response.content.decode()


# Numbers: ASCII digits only, whatever str.isdigit() thinks


NOT_NUMBERS = ["²", "١٢", "1²", "⑦", "9" * 40, "-1", " 1", ""]


@pytest.mark.parametrize("value", NOT_NUMBERS)
def test_whole_number_takes_ascii_digits_only(value):
    """The one parser of reader-sent numbers refuses every digit that is not 0-9, and
    numbers longer than a row id can be."""
    from rejoinder.core.numbers import whole_number

    assert whole_number(value) is None
    assert whole_number("0042") == 42


@pytest.mark.parametrize("value", ["²", "١٢", "9" * 40])
def test_unicode_digits_in_reader_parameters_never_answer_500(
    client, lenient_rules, settings, value
):
    """``parent=²`` on the comment form, ``?unapproved=²``, the embed's ``post=`` and
    ``page=``, WordPress's ``/?p=``, the queue's ``comment=``: a clear 4xx or the page,
    never a server error."""
    from django.urls import reverse

    settings.CORS_ALLOWED_ORIGINS = ["https://friend.example"]
    post = make_post()
    make_comment(post, name="Ann")
    response = client.post(post_comment_url(post), comment_form(parent=value))
    assert response.status_code == 400
    assert Comment.objects.count() == 1
    assert client.get(post.get_absolute_url(), {"unapproved": value}).status_code == 200
    embed = {"headers": {"Origin": "https://friend.example"}}
    assert client.get("/comments/embed/", {"post": value}, **embed).status_code == 404
    assert (
        client.get("/comments/embed/", {"post": post.pk, "page": value}, **embed).status_code == 404
    )
    assert client.get("/", {"p": value}).status_code == 200
    client.force_login(make_user("mod", role="moderator"))
    decide = reverse("admin:discussion_comment_decide")
    response = client.post(decide, {"action": "approve", "comment": value})
    assert response.status_code == 303


# Limits Django itself enforces: a page (or a problem document) that names them


def test_an_over_large_comment_form_gets_a_page_naming_the_limit(client, settings):
    """A body over DATA_UPLOAD_MAX_MEMORY_SIZE: 413 and a page saying how large it may be,
    not Django's bare "Bad Request (400)"; nothing saved."""
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100_000
    post = make_post()
    response = client.post(post_comment_url(post), comment_form(body="x" * 200_000))
    assert response.status_code == 413
    text = response.content.decode()
    assert "<html" in text and "100 KB" in text and "nothing was saved" in text
    assert not Comment.objects.exists()


def test_too_many_fields_get_a_page_naming_the_limit(client, settings):
    """More fields than DATA_UPLOAD_MAX_NUMBER_FIELDS: 400 and a page that says so."""
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 20
    post = make_post()
    fields = {**comment_form(), **{f"f{n}": "x" for n in range(30)}}
    response = client.post(post_comment_url(post), fields)
    assert response.status_code == 400
    assert "more than 20 fields" in response.content.decode()


def test_the_api_answers_over_large_bodies_with_a_problem_document(client, settings):
    """The JSON API's refusal is its own problem document (RFC 9457), naming the limit."""
    import json

    from rejoinder.interop.api.mount import api_url

    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100_000
    post = make_post()
    payload = json.dumps({**comment_form(), "body": "x" * 200_000})
    response = client.post(
        api_url("create", post_id=post.pk), payload, content_type="application/json"
    )
    assert response.status_code == 413
    assert response["Content-Type"] == "application/problem+json"
    document = response.json()
    assert document["status"] == 413 and "100 KB" in document["detail"]
    assert not Comment.objects.exists()


def test_head_on_api_reads_answers_like_get_without_a_body(client):
    """HEAD is GET without the body (RFC 9110): same status and headers, no content."""
    make_post()
    got, head = client.get("/api/v1/posts"), client.head("/api/v1/posts")
    assert head.status_code == got.status_code == 200
    assert head["Content-Type"] == got["Content-Type"]
    assert head.content == b""


SSI = '<!--# include virtual="/admin/" --><!--#echo var="DOCUMENT_ROOT" -->'


def test_no_reader_or_author_text_reaches_a_page_as_an_ssi_directive(client, lenient_rules):
    """nginx runs SSI on the page cache's files (the comment form's live stamp): a comment
    (body, name), an author's post and a search never put ``<!--#`` into a page, so the
    only directives in a kept file are the site's own, filled before any reader sees it."""
    author = make_user("ssi-author", role="author", first_name="Ada")
    post = make_post(title=f"Title {SSI}", author=author)
    post.body = f"<p>{SSI}</p>\n\n{SSI}"
    post.save(editor=author)
    response = client.post(post_comment_url(post), comment_form(name=SSI[:100], body=SSI))
    assert response.status_code == 303
    for url in (post.get_absolute_url(), "/", f"/?s={SSI}", "/feed/", "/comments/feed/"):
        page = client.get(url)
        assert page.status_code == 200, url
        assert b"<!--#" not in page.content, url
