"""The JSON API (/api/v1/): what readers see, and comments under the form's own rules."""

import datetime
import json
import time

import pytest
from bs4 import BeautifulSoup
from django.test import Client
from django.utils import timezone

from rejoinder.discussion.comments import delete_comment
from rejoinder.discussion.forms import BODY_LIMIT, issue_stamp
from rejoinder.discussion.models import Ban, Comment
from rejoinder.interop.api.mount import api_url
from rejoinder.publishing.models import Post
from tests.commands import rejoinder
from tests.core.test_cli import command_env
from tests.factories import make_category, make_comment, make_post, make_tag, make_user
from tests.html import soup

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"
EMAIL, IP = "secret-reader@example.org", "203.0.113.77"


@pytest.fixture
def post():
    author = make_user("jdoe-login", first_name="Jane", last_name="Doe")
    return make_post(
        title="On quoting",
        author=author,
        categories=[make_category("Essays")],
        tags=[make_tag("Sources")],
    )


def problem(response, status):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    document = response.json()
    assert {"type", "title", "status", "detail", "errors"} <= document.keys()
    assert document["status"] == status
    return document


def fields(document):
    return [error["field"] for error in document["errors"]]


def send(client, post, **fields):
    """POST a comment as JSON, the stamp taken a minute ago (as a reader would)."""
    payload = {"name": "Ann", "body": "A fair point.", "issued": issue_stamp(time.time() - 60)}
    payload.update(fields)
    url = api_url("create", post_id=post.pk)
    return client.post(url, json.dumps(payload), content_type="application/json")


# Posts


def test_posts_are_listed_newest_first_only_published(client, post, settings):
    """Drafts, schedules and pages stay out; pages of POSTS_PER_PAGE, with next links."""
    settings.POSTS_PER_PAGE = 2
    # Older than any factory post (they step back an hour per post made in this process).
    older = make_post(published_at=timezone.now() - datetime.timedelta(days=3650))
    make_post(status=Post.Status.DRAFT)
    make_post(status=Post.Status.PUBLISHED, published_at=timezone.now() + datetime.timedelta(1))
    make_post(type=Post.Type.PAGE, slug="about")
    newest = make_post(published_at=timezone.now())
    first = client.get("/api/v1/posts").json()
    assert (first["count"], first["num_pages"]) == (3, 2)
    assert [item["id"] for item in first["items"]] == [newest.pk, post.pk]
    second = client.get(first["next"]).json()
    assert [item["id"] for item in second["items"]] == [older.pk]
    assert second["previous"].endswith("/api/v1/posts?page=1")
    problem(client.get("/api/v1/posts?page=3"), 404)


def test_a_post_has_its_public_fields(client, post):
    """Absolute URL, the author's public name (never the login), terms, body HTML."""
    data = client.get(f"/api/v1/posts/{post.pk}").json()
    assert data["url"] == f"http://testserver{post.get_absolute_url()}"
    assert data["author"] == "Jane Doe"
    assert "jdoe-login" not in json.dumps(data)
    assert data["categories"][0]["name"] == "Essays"
    assert data["categories"][0]["url"] == "http://testserver/category/essays/"
    assert data["tags"][0]["slug"] == "sources"
    assert data["body_html"] == post.body_html
    assert (data["comment_count"], data["comments_open"]) == (0, True)
    assert {"published", "modified", "excerpt", "title", "id", "type"} <= data.keys()


def test_a_draft_is_a_404_problem(client):
    draft = make_post(status=Post.Status.DRAFT)
    document = problem(client.get(f"/api/v1/posts/{draft.pk}"), 404)
    assert str(draft.pk) in document["detail"]


@pytest.mark.parametrize(
    "address",
    [
        "{path}",
        "http://testserver{path}",
        "https://testserver{path}#comment-3",
        "{path}comment-page-2/",
        "{path}feed/",
    ],
)
def test_a_post_is_found_by_its_address(client, post, address):
    """The post's own URL, as a path or absolute, or any of its discussion's addresses."""
    url = address.format(path=post.get_absolute_url())
    response = client.get("/api/v1/posts/by-url", {"url": url})
    assert response.status_code == 200
    assert response.json()["id"] == post.pk


def test_an_old_address_and_a_page_are_found(client, post):
    old = post.get_absolute_url()
    post.slug = "renamed"
    post.save()
    assert client.get("/api/v1/posts/by-url", {"url": old}).json()["id"] == post.pk
    page = make_post(type=Post.Type.PAGE, slug="colophon")
    assert client.get("/api/v1/posts/by-url", {"url": "/colophon/"}).json()["id"] == page.pk


@pytest.mark.parametrize(
    "address", ["https://elsewhere.example{path}", "/2001/01/01/nothing/", "/tag/x/", "mailto:x"]
)
def test_an_address_of_no_post_is_a_problem_naming_url(client, post, address):
    response = client.get(
        "/api/v1/posts/by-url", {"url": address.format(path=post.get_absolute_url())}
    )
    assert fields(problem(response, 404)) == ["url"]


def test_invalid_parameters_are_problems(client, post):
    """ninja's own validation (422) answers as a problem naming the parameter."""
    assert fields(problem(client.get("/api/v1/posts?page=0"), 422)) == ["page"]
    assert fields(problem(client.get("/api/v1/posts/not-a-number"), 422)) == ["post_id"]
    response = client.get(f"/api/v1/posts/{post.pk}/comments?format=xml")
    assert fields(problem(response, 422)) == ["format"]


def test_the_openapi_document_is_served_and_the_docs_page_is_off(client):
    document = client.get("/api/v1/openapi.json").json()
    assert document["openapi"].startswith("3.")
    assert "/api/v1/posts/{post_id}/comments" in document["paths"]
    body = document["components"]["schemas"]["CommentIn"]["properties"]["body"]
    assert body["maxLength"] == BODY_LIMIT
    problem(client.get("/api/v1/docs"), 404)


def test_an_unknown_api_address_is_a_404_problem(client):
    document = problem(client.get("/api/v1/no/such/thing"), 404)
    assert document["detail"] == "The API has no such address."


def test_a_method_an_address_does_not_take_is_a_405_problem_naming_the_allowed(client):
    response = client.delete("/api/v1/posts")
    assert problem(response, 405)["detail"] == "DELETE is not allowed here; use GET or HEAD."
    assert response["Allow"] == "GET, HEAD"
    response = client.put("/api/v1/openapi.json")
    assert problem(response, 405)["detail"] == "PUT is not allowed here; use GET or HEAD."
    assert response["Allow"] == "GET, HEAD"


def test_a_server_process_loads_the_api_only_at_its_first_api_request(tmp_path):
    """django-ninja and pydantic (about 12 MB) stay out of workers that only serve pages."""
    script = """
import sys
from django.test import Client
client = Client(HTTP_HOST="localhost")
assert client.get("/").status_code == 200
print(sorted(name for name in ("ninja", "pydantic") if name in sys.modules))
assert client.get("/api/v1/posts").status_code == 200
print(sorted(name for name in ("ninja", "pydantic") if name in sys.modules))
"""
    env = command_env(tmp_path)  # a throw-away SQLite site
    assert rejoinder(env, "migrate", "--verbosity", "0").returncode == 0
    served = rejoinder(env, "shell", "-c", script)
    assert served.returncode == 0, served.stderr[-2000:]
    assert served.stdout.strip().splitlines()[-2:] == ["[]", "['ninja', 'pydantic']"]


# Threads


@pytest.fixture
def thread(post, lenient_rules):
    """Ann; Bob replying to Ann; a held comment; a tombstone with a reply; emails and IPs."""
    ann = make_comment(post, name="Ann", author_email=EMAIL, ip_address=IP,
                       author_url="https://ann.example")  # fmt: skip
    bob = make_comment(post, parent=ann, name="Bob", author_email=EMAIL, ip_address=IP)
    make_comment(post, name="Held", status=Comment.Status.PENDING, author_email=EMAIL)
    gone = make_comment(post, name="Gone", author_email=EMAIL, ip_address=IP)
    kept = make_comment(post, parent=gone, name="Kept", user=post.author)
    delete_comment(gone)
    post.refresh_from_db()
    return {"ann": ann, "bob": bob, "gone": gone, "kept": kept}


def test_the_nested_thread_is_what_a_reader_sees(client, post, thread):
    data = client.get(f"/api/v1/posts/{post.pk}/comments").json()
    assert (data["format"], data["page"], data["num_pages"]) == ("nested", 1, 1)
    assert data["comment_count"] == 3
    ann, gone = data["comments"]
    assert (ann["author_name"], ann["author_url"], ann["depth"]) == (
        "Ann",
        "https://ann.example",
        0,
    )
    assert ann["url"] == f"http://testserver{post.get_absolute_url()}#comment-{ann['id']}"
    [bob] = ann["replies"]
    assert (bob["author_name"], bob["parent"], bob["depth"]) == ("Bob", ann["id"], 1)
    assert (gone["status"], gone["html"], gone["author_name"]) == ("removed", "", "")
    [kept] = gone["replies"]
    assert kept["is_post_author"] is True and ann["is_post_author"] is False
    assert "Held" not in json.dumps(data)


def test_the_flat_thread_lists_the_same_comments_in_display_order(client, post, thread):
    data = client.get(f"/api/v1/posts/{post.pk}/comments?format=flat").json()
    ids = [c["id"] for c in data["comments"]]
    expected = [thread[name].pk for name in ("ann", "bob", "gone", "kept")]
    assert ids == expected
    assert all(c["replies"] == [] for c in data["comments"])


def test_no_response_holds_an_email_or_an_address(client, post, thread):
    """Emails and IP addresses are stored, and never leave through the API."""
    responses = [
        client.get("/api/v1/posts"),
        client.get(f"/api/v1/posts/{post.pk}"),
        client.get(f"/api/v1/posts/{post.pk}/comments"),
        client.get(f"/api/v1/posts/{post.pk}/comments?format=flat"),
        send(client, post, email="other@example.org", body="Mine."),
    ]
    for response in responses:
        text = response.content.decode()
        assert response.status_code in (200, 201)
        assert EMAIL not in text and "other@example.org" not in text
        assert IP not in text and "127.0.0.1" not in text
        assert "jdoe-login" not in text


def test_the_depth_cap_shows_deep_replies_beside_their_parent(
    client, post, settings, lenient_rules
):
    """As on the page: past REJOINDER_THREAD_DEPTH levels a reply sits beside its parent,
    with ``in_reply_to``; ``parent`` and ``depth`` stay the stored ones."""
    settings.THREAD_DEPTH = 2
    first = make_comment(post)
    second = make_comment(post, parent=first)
    third = make_comment(post, parent=second)
    [top] = client.get(f"/api/v1/posts/{post.pk}/comments").json()["comments"]
    beside = [(c["id"], c["parent"], c["depth"], c["in_reply_to"]) for c in top["replies"]]
    assert beside == [(second.pk, first.pk, 1, None), (third.pk, second.pk, 2, second.pk)]


def test_big_threads_are_paged_as_the_post_page_pages_them(client, post, settings, lenient_rules):
    """Page N of the API holds the top-level comments of the page's comment-page-N."""
    settings.COMMENTS_PAGE_THRESHOLD, settings.COMMENT_THREADS_PER_PAGE = 10, 4
    top = [make_comment(post) for _ in range(11)]
    make_comment(post, parent=top[5])
    post.refresh_from_db()
    for page in (1, 2, 3):
        data = client.get(f"/api/v1/posts/{post.pk}/comments", {"page": page}).json()
        assert data["num_pages"] == 3
        address = post.get_absolute_url() + (f"comment-page-{page}/" if page > 1 else "")
        assert data["page_url"] == f"http://testserver{address}"
        html = soup(client.get(address))
        on_page = [
            int(a["id"].removeprefix("comment-")) for a in html.select("[data-thread] > article")
        ]
        assert [c["id"] for c in data["comments"]] == on_page
        assert all(c["url"].startswith(data["page_url"] + "#comment-") for c in data["comments"])
    problem(client.get(f"/api/v1/posts/{post.pk}/comments", {"page": 4}), 404)


# Posting


def test_a_comment_is_posted_under_the_forms_rules(client, post, lenient_rules):
    stamp = client.get(f"/api/v1/posts/{post.pk}/comment-stamp").json()
    assert stamp["max_age"] == 24 * 3600 and stamp["min_seconds"] == 0
    response = send(client, post, website="https://ann.example", email="ann@example.org")
    assert response.status_code == 201
    data = response.json()
    comment = Comment.objects.get()
    assert (data["status"], data["comment"]["id"]) == ("approved", comment.pk)
    assert (
        data["comment"]["url"] == f"http://testserver{post.get_absolute_url()}#comment-{comment.pk}"
    )
    assert (comment.author_name, comment.author_url, comment.ip_address) == (
        "Ann", "https://ann.example", "127.0.0.1",
    )  # fmt: skip
    assert comment.user_id is None


def test_a_reply_and_a_quote_are_taken(client, post, lenient_rules):
    parent = make_comment(post, name="Bob")
    response = send(client, post, parent=parent.pk, quoted=f"comment-{parent.pk}")
    assert response.status_code == 201
    reply = Comment.objects.get(parent=parent)
    assert (reply.depth, reply.quoted_anchor) == (1, f"comment-{parent.pk}")


def test_html_in_a_comment_is_sanitized(client, post, lenient_rules):
    body = (
        '<script>alert(1)</script> **bold** [x](javascript:alert(2)) <img src=x onerror="alert(3)">'
    )
    html = send(client, post, body=body).json()["comment"]["html"]
    tree = BeautifulSoup(html, "html.parser")
    assert tree.strong.get_text() == "bold"
    assert tree.find("script") is None and tree.find("img") is None
    assert all(not a.get("href", "").startswith("javascript:") for a in tree.find_all("a"))
    assert all("onerror" not in tag.attrs for tag in tree.find_all(True))
    listed = client.get(f"/api/v1/posts/{post.pk}/comments").json()["comments"][0]["html"]
    assert listed == html


def test_a_first_time_commenter_is_held(client, post, rules):
    """Pre-moderation as on the form (the default rule): held, and told so."""
    response = send(client, post)
    assert response.status_code == 201
    data = response.json()
    assert data["status"] == "pending"
    assert "awaiting moderation" in data["message"]
    assert data["comment"]["url"] is None
    assert Comment.objects.get().status == Comment.Status.PENDING


def test_spam_is_answered_as_held(client, post, lenient_rules):
    lenient_rules.block_list = "casino"
    lenient_rules.save()
    data = send(client, post, body="Best casino bonus").json()
    assert data["status"] == "pending"
    assert Comment.objects.get().status == Comment.Status.SPAM


def test_a_banned_email_is_refused(client, post, lenient_rules):
    Ban.objects.create(email="troll@example.org")
    document = problem(send(client, post, email="troll@example.org"), 400)
    assert "cannot comment" in document["detail"]
    assert not Comment.objects.exists()


def test_the_flood_limit_is_a_429_with_retry_after(client, post, lenient_rules):
    lenient_rules.flood_seconds = 15
    lenient_rules.save()
    assert send(client, post, body="First.").status_code == 201
    response = send(client, post, body="Second.")
    document = problem(response, 429)
    assert 1 <= int(response["Retry-After"]) <= 15
    assert "too quickly" in document["detail"]


def test_a_stamp_is_required_and_must_be_the_sites(client, post, lenient_rules):
    assert fields(problem(send(client, post, issued="forged"), 422)) == ["issued"]
    old = issue_stamp(time.time() - 2 * 24 * 3600)
    assert fields(problem(send(client, post, issued=old), 422)) == ["issued"]
    url = api_url("create", post_id=post.pk)
    response = client.post(
        url, json.dumps({"name": "A", "body": "B"}), content_type="application/json"
    )
    assert fields(problem(response, 422)) == ["issued"]


def test_a_comment_sent_faster_than_a_person_types_is_refused(client, post, lenient_rules):
    lenient_rules.min_form_seconds = 3
    lenient_rules.save()
    document = problem(send(client, post, issued=issue_stamp()), 400)
    assert "faster than a person" in document["detail"]


def test_the_robot_trap_is_refused(client, post, lenient_rules):
    assert fields(problem(send(client, post, url="http://spam.example"), 422)) == ["url"]


@pytest.mark.parametrize(
    ("sent", "field", "limit", "message"),
    [
        ({"body": "x" * (BODY_LIMIT + 1)}, "body", {"max_length": BODY_LIMIT}, "at most 20,000"),
        ({"body": "   "}, "body", {"max_length": BODY_LIMIT, "min_length": 1}, "write something"),
        ({"name": "n" * 101}, "name", {"max_length": 100}, "at most 100"),
        ({"name": ""}, "name", {"max_length": 100}, "required"),
        ({"email": "not-an-email"}, "email", {"max_length": 254}, "valid address"),
        ({"website": "javascript:alert(1)"}, "website", {"max_length": 500}, "http://"),
        ({"notify_replies": True}, "email", {"max_length": 254}, "needed to email you"),
        ({"parent": 0}, "parent", {"ge": 1}, "greater than or equal to 1"),
        ({"quoted": "elsewhere"}, "quoted", {"max_length": 40}, "not a paragraph"),
    ],
)
def test_each_refusal_names_its_field_and_limit(
    client, post, lenient_rules, sent, field, limit, message
):
    document = problem(send(client, post, **sent), 422)
    [error] = document["errors"]
    assert error["field"] == field
    assert error["limit"] == limit
    assert message in error["detail"]
    assert field in document["detail"]


def test_replies_must_answer_a_shown_comment_of_the_post(client, post, lenient_rules):
    assert fields(problem(send(client, post, parent=999999), 422)) == ["parent"]
    held = make_comment(post, status=Comment.Status.PENDING)
    assert fields(problem(send(client, post, parent=held.pk), 400)) == ["parent"]
    elsewhere = make_comment(make_post())
    assert fields(problem(send(client, post, parent=elsewhere.pk), 400)) == ["parent"]
    response = send(client, post, quoted=f"comment-{held.pk}")
    assert fields(problem(response, 422)) == ["quoted"]


def test_closed_and_unpublished_posts_take_no_comments(client, lenient_rules):
    closed = make_post(comment_status=Post.CommentStatus.CLOSED)
    assert "closed" in problem(send(client, closed), 400)["detail"]
    draft = make_post(status=Post.Status.DRAFT)
    problem(send(client, draft), 404)


def test_the_session_is_ignored_so_no_csrf_token_is_needed(post, lenient_rules):
    """A signed-in editor's cookie grants nothing: the comment is an anonymous reader's."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user(role="editor"))
    response = send(client, post, name="Someone")
    assert response.status_code == 201
    comment = Comment.objects.get()
    assert (comment.user_id, comment.author_name) == (None, "Someone")
    assert "Set-Cookie" not in response.headers


def test_only_json_is_taken(client, post, lenient_rules):
    """A text/plain body is what a form on another site can send without asking (no CORS
    preflight): refused, so only allow-listed origins can post from a browser."""
    payload = {"name": "A", "body": "B", "issued": issue_stamp(time.time() - 60)}
    url = api_url("create", post_id=post.pk)
    response = client.post(url, json.dumps(payload), content_type="text/plain")
    problem(response, 415)
    assert not Comment.objects.exists()


# Origins (REJOINDER_CORS_ORIGINS)


def test_an_allowed_origin_may_post_and_read(client, post, lenient_rules, settings):
    settings.CORS_ALLOWED_ORIGINS = ["https://friend.example"]
    url = api_url("create", post_id=post.pk)
    preflight = client.options(
        url,
        headers={
            "Origin": "https://friend.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert preflight.status_code == 200
    assert preflight["Access-Control-Allow-Origin"] == "https://friend.example"
    assert "Access-Control-Allow-Credentials" not in preflight.headers
    payload = {"name": "A", "body": "B", "issued": issue_stamp(time.time() - 60)}
    answer = client.post(url, json.dumps(payload), content_type="application/json",
                         headers={"Origin": "https://friend.example"})  # fmt: skip
    assert answer.status_code == 201
    assert answer["Access-Control-Allow-Origin"] == "https://friend.example"


def test_another_origin_is_refused(client, post, lenient_rules, settings):
    settings.CORS_ALLOWED_ORIGINS = ["https://friend.example"]
    url = api_url("create", post_id=post.pk)
    preflight = client.options(
        url, headers={"Origin": "https://foe.example", "Access-Control-Request-Method": "POST"}
    )
    assert "Access-Control-Allow-Origin" not in preflight.headers
    payload = {"name": "A", "body": "B", "issued": issue_stamp(time.time() - 60)}
    answer = client.post(url, json.dumps(payload), content_type="application/json",
                         headers={"Origin": "https://foe.example"})  # fmt: skip
    problem(answer, 403)
    assert not Comment.objects.exists()
    listed = client.get("/api/v1/posts", headers={"Origin": "https://foe.example"})
    assert "Access-Control-Allow-Origin" not in listed.headers


# Counts


def test_counts_of_many_addresses(client, post, lenient_rules):
    make_comment(post)
    other = make_post()
    urls = [f"http://testserver{post.get_absolute_url()}", other.get_absolute_url(), "/nothing/"]
    expected = [
        {"url": urls[0], "post": post.pk, "count": 1},
        {"url": urls[1], "post": other.pk, "count": 0},
        {"url": urls[2], "post": None, "count": None},
    ]
    assert client.get("/api/v1/counts", {"url": urls}).json()["counts"] == expected
    response = client.post("/api/v1/counts", {"urls": urls}, content_type="application/json")
    assert response.json()["counts"] == expected


def test_counts_are_capped(client):
    urls = [f"/{n}/" for n in range(101)]
    document = problem(
        client.post("/api/v1/counts", {"urls": urls}, content_type="application/json"), 422
    )
    assert document["errors"] == [
        {"field": "url", "detail": "at most 100 addresses", "limit": {"max_items": 100}}
    ]
    assert "100" in problem(client.get("/api/v1/counts", {"url": urls}), 422)["detail"]
