"""The comment form's stamp sends one comment: through the form, the API and the embed's
stamp endpoints alike, and only an accepted comment spends it."""

import json
import time

import pytest
from django.core import signing
from django.core.cache import caches

from rejoinder.discussion import stamps
from rejoinder.discussion.comments import CommentRefused, create_comment
from rejoinder.discussion.models import Comment
from rejoinder.discussion.thread.locations import post_comment_url
from rejoinder.interop.api.mount import api_url
from tests.factories import make_post
from tests.html import form_stamps, soup

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("lenient_rules")]

USED = "This form has already sent a comment"


@pytest.fixture
def post():
    return make_post(title="Open post")


def a_minute_ago():
    return stamps.issue(time.time() - 60)


def send_form(client, post, stamp, body):
    return client.post(post_comment_url(post), {"name": "Ann", "body": body, "issued": stamp})


def send_api(client, post, stamp, body):
    payload = {"name": "Ann", "body": body, "issued": stamp}
    url = api_url("create", post_id=post.pk)
    return client.post(url, json.dumps(payload), content_type="application/json")


def test_a_stamp_sent_again_through_the_form_is_refused_and_a_fresh_one_given(client, post):
    """The second comment with a stamp is refused, saying so; its text comes back in a
    form with a new stamp, which goes through."""
    stamp = a_minute_ago()
    assert send_form(client, post, stamp, "First").status_code == 303
    response = send_form(client, post, stamp, "Second, same form")
    assert response.status_code == 400
    page = soup(response)
    assert USED in page.select_one(".form-errors").get_text()
    assert page.select_one("textarea[name=body]").get_text().strip() == "Second, same form"
    (fresh,) = form_stamps(response.content)
    assert fresh != stamp
    assert Comment.objects.count() == 1
    assert send_form(client, post, fresh, "Second, same form").status_code == 303


@pytest.mark.parametrize("endpoint", ["comment_stamp", "stamp", "post_comments"])
def test_a_stamp_from_the_api_sends_one_comment(client, post, endpoint):
    """Each of the API's stamps (a post's, the site's, a thread's) brings in one comment;
    sent again it is refused as a problem naming ``issued`` (the embed then takes a new
    one); a stamp spent through the API is spent for the form too."""
    url = api_url(endpoint, **({} if endpoint == "stamp" else {"post_id": post.pk}))
    stamp = client.get(url).json()["issued"]
    assert stamps.read(stamp) is not None
    response = send_api(client, post, stamp, "First")
    assert response.status_code == 201, response.content
    again = send_api(client, post, stamp, "Second")
    assert again.status_code == 422
    problem = again.json()
    assert [error["field"] for error in problem["errors"]] == ["issued"]
    assert USED in problem["errors"][0]["detail"]
    assert send_form(client, post, stamp, "Third").status_code == 400
    assert Comment.objects.count() == 1


def test_the_same_stamp_twice_at_once_brings_in_one_comment(post):
    """Two comments that both passed the form's look at the stamp: spending it is one
    atomic step as the comment is saved, so the second is refused, naming the stamp."""
    stamp = stamps.read(a_minute_ago())
    create_comment(post=post, body="One", author_name="Ann", stamp=stamp)
    with pytest.raises(CommentRefused) as refused:
        create_comment(post=post, body="Two", author_name="Ann", stamp=stamp)
    assert (refused.value.field, refused.value.message) == ("issued", stamps.USED)
    assert list(Comment.objects.values_list("body", flat=True)) == ["One"]


def test_a_refused_comment_leaves_its_stamp_unspent(client, post):
    """Only an accepted comment spends the stamp: refused by a rule (here, the same text
    twice), the reader may send another text with the same form."""
    assert send_form(client, post, a_minute_ago(), "Said once").status_code == 303
    stamp = a_minute_ago()
    refused = send_form(client, post, stamp, "Said once")
    assert refused.status_code == 400
    assert "already said that" in refused.content.decode()
    assert send_form(client, post, stamp, "Said differently").status_code == 303


def test_a_stamp_without_a_nonce_is_refused(client, post):
    """A stamp of the old form (the signed time alone, which any number of comments could
    share) is refused like a forged one; the form comes back with a new stamp."""
    old = signing.dumps(int(time.time() - 60), salt="rejoinder.discussion.form-issued")
    response = send_form(client, post, old, "Kept")
    assert response.status_code == 400
    assert "did not come from this site" in response.content.decode()
    assert stamps.read(form_stamps(response.content)[0]) is not None


def test_in_the_database_cache_a_spent_stamp_commits_with_its_comment(post, settings):
    """Without Redis the spent stamps are rows of the database cache, written in the
    comment's own transaction: spent once the comment is, refused the second time."""
    settings.CACHES = {
        **settings.CACHES,
        "limits": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "rejoinder_limits",
        },
    }
    caches["limits"].clear()
    stamp = stamps.read(a_minute_ago())
    assert not stamps.is_spent(stamp)
    create_comment(post=post, body="One", author_name="Ann", stamp=stamp)
    assert stamps.is_spent(stamp)
    with pytest.raises(CommentRefused):
        create_comment(post=post, body="Two", author_name="Ann", stamp=stamp)
    assert Comment.objects.count() == 1


def test_the_stamp_address_answers_a_fresh_stamp_without_the_database(
    client, django_assert_num_queries
):
    """What nginx includes in its files for each reader: a new valid stamp every time,
    never cached anywhere, and no query (the page cache's layer answers it)."""
    with django_assert_num_queries(0):
        first, second = client.get("/comments/stamp/"), client.get("/comments/stamp/")
    assert first["Cache-Control"] == "no-store"
    assert first["Content-Type"] == "text/plain; charset=utf-8"
    given = [first.content.decode(), second.content.decode()]
    assert given[0] != given[1] and all(stamps.read(stamp) for stamp in given)
