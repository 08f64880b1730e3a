"""How deep replies go (REJOINDER_MAX_REPLY_DEPTH), and pages of chains of any depth."""

import json
import time

import pytest
from django.db import connection

from rejoinder.discussion.forms import issue_stamp
from rejoinder.discussion.models import PATH_WIDTH, Comment
from rejoinder.discussion.thread.locations import comment_url, post_comment_url
from rejoinder.discussion.thread.pages import ANCESTORS_SHOWN
from rejoinder.discussion.thread.tree import in_display_order
from rejoinder.interop.api.mount import api_url
from tests.factories import comment_form, make_comment, make_legacy_chain, make_post
from tests.html import soup

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("lenient_rules")]

LIMIT = 3


@pytest.fixture
def limit(settings):
    settings.MAX_REPLY_DEPTH = LIMIT
    return LIMIT


def chain(post, length):
    """``length`` comments, each replying to the one before (depths 0 .. length-1)."""
    comments = [make_comment(post)]
    for _ in range(length - 1):
        comments.append(make_comment(post, parent=comments[-1]))
    return comments


def test_a_reply_past_the_limit_is_refused_naming_it(client, limit):
    """A reply to a comment at the limit is refused naming the limit; one at it is taken."""
    post = make_post()
    comments = chain(post, LIMIT)  # the last at depth LIMIT - 1
    response = client.post(post_comment_url(post), comment_form(parent=comments[-1].pk))
    assert response.status_code == 303
    deepest = Comment.objects.get(parent=comments[-1])
    assert deepest.depth == LIMIT
    response = client.post(post_comment_url(post), comment_form(parent=deepest.pk, body="Kept"))
    assert response.status_code == 400
    page = soup(response)
    errors = [e.get_text() for e in page.select(".field-error, .form-errors p")]
    assert any(f"at most {LIMIT} levels deep" in error for error in errors), errors
    assert page.select_one("textarea[name=body]").get_text().strip() == "Kept"
    assert not Comment.objects.filter(parent=deepest).exists()


def test_the_api_refuses_a_reply_past_the_limit_naming_parent_and_limit(client, limit):
    """The API answers a problem document naming ``parent`` and the limit."""
    post = make_post()
    deepest = chain(post, LIMIT + 1)[-1]
    payload = {"name": "Ann", "body": "Deep.", "issued": issue_stamp(time.time() - 60)}
    payload["parent"] = deepest.pk
    url = api_url("create", post_id=post.pk)
    response = client.post(url, json.dumps(payload), content_type="application/json")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    [error] = response.json()["errors"]
    assert error["field"] == "parent"
    assert error["limit"] == {"max_depth": LIMIT}
    assert f"at most {LIMIT} levels deep" in error["detail"]
    assert not Comment.objects.filter(parent=deepest).exists()


def test_the_admin_cannot_reply_past_the_limit_either(admin_client, limit):
    """Stored depth is bounded whoever writes: the admin's form names the limit."""
    post = make_post()
    deepest = chain(post, LIMIT + 1)[-1]
    response = admin_client.post(
        "/admin/discussion/comment/add/",
        {
            "post": post.pk, "parent": deepest.pk, "status": "approved", "type": "comment",
            "author_name": "Staff", "created_at_0": "2024-01-01", "created_at_1": "10:00",
            "body": "Too deep",
        },
    )  # fmt: skip
    assert response.status_code == 200
    assert f"at most {LIMIT} levels deep" in response.content.decode()
    assert not Comment.objects.filter(parent=deepest).exists()


def test_a_comment_at_the_limit_renders_without_a_reply_link(client, limit):
    """Its own page shows it, its ancestors, and offers no reply that would be refused."""
    post = make_post()
    comments = chain(post, LIMIT + 1)
    page = soup(client.get(comment_url(comments[-1].post, comments[-1].pk)))
    shown = page.select_one(f"#comment-{comments[-1].pk}")
    assert shown is not None and shown.select_one(".reply-link") is None
    ancestors = page.select(".ancestors li")
    assert len(ancestors) == LIMIT
    parent_page = soup(client.get(comment_url(comments[-2].post, comments[-2].pk)))
    parent = parent_page.select_one(f"#comment-{comments[-2].pk}")
    assert parent.select_one(".reply-link") is not None


def legacy_length():
    # Past the 7,140 levels where SQLite refused the LIKE pattern of the whole path; on
    # PostgreSQL the path column (10,000 characters) holds 1,428 levels at most.
    return 8_000 if connection.vendor == "sqlite" else 10_000 // PATH_WIDTH


def test_a_chain_imported_before_the_limit_still_renders(client):
    """Pages of a chain thousands deep (stored before the limit existed) answer 200, show
    the nearest ancestors only, and link to the earlier ones."""
    post = make_post()
    ids = make_legacy_chain(post, legacy_length())
    for position in (len(ids) - 1, len(ids) // 2, 0):
        comment = Comment.objects.get(pk=ids[position])
        response = client.get(comment_url(comment.post, comment.pk))
        assert response.status_code == 200, position
        page = soup(response)
        assert page.select_one(f"#comment-{comment.pk}") is not None
        ancestors = page.select(".ancestors li a")
        assert len(ancestors) == min(position, ANCESTORS_SHOWN)
        if position > ANCESTORS_SHOWN:
            assert ancestors[-1]["href"].endswith(f"#comment-{ids[position - 1]}")
            earlier = page.select_one(".earlier-comments a")
            assert earlier.get_text() == f"{position - ANCESTORS_SHOWN} earlier comments"
            first_shown = Comment.objects.get(pk=ids[position - ANCESTORS_SHOWN])
            assert earlier["href"] == comment_url(first_shown.post, first_shown.pk)
    assert client.get(post.get_absolute_url()).status_code == 200


def test_thread_queries_do_not_sort_paths(client, django_assert_max_num_queries):
    """No query of a comment's page orders by path or matches it with LIKE: their cost
    would grow with the depth."""
    post = make_post()
    ids = make_legacy_chain(post, 50)
    comment = Comment.objects.get(pk=ids[25])
    with django_assert_max_num_queries(20) as captured:
        assert client.get(comment_url(comment.post, comment.pk)).status_code == 200
    comment_queries = [
        q["sql"] for q in captured.captured_queries if "discussion_comment" in q["sql"]
    ]
    assert comment_queries
    for sql in comment_queries:
        assert "LIKE" not in sql.upper() and 'ORDER BY "discussion_comment"."path"' not in sql


def test_display_order_from_parent_links_is_path_order():
    """Ordering by parent links (siblings by id) gives exactly the path order."""
    import random

    generator = random.Random(7)
    paths = {}
    rows = []
    for pk in generator.sample(range(1, 10_000), 400):
        parent = generator.choice([None, *paths]) if paths else None
        paths[pk] = (paths[parent] if parent else "") + f"{pk:07d}"
        rows.append((pk, parent))
    generator.shuffle(rows)
    by_path = sorted(rows, key=lambda row: paths[row[0]])
    assert in_display_order(rows) == by_path
    some_root = by_path[0][0]
    below = [row for row in by_path if paths[row[0]].startswith(paths[some_root])]
    assert in_display_order(rows, roots=[some_root]) == below
