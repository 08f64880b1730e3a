"""Characters XML 1.0 cannot carry: refused at every door, and no stored one breaks a feed.

One comment holding U+0001 once made /comments/feed/ answer 500 to every reader while it
was among the newest. The forms (the comment form, which the API uses too, and every admin
form) refuse them naming the field; the feeds drop any that are stored anyway, with a
warning in the log.
"""

import json
import logging
import time

import feedparser
import pytest

from rejoinder.discussion.forms import issue_stamp
from rejoinder.discussion.models import Comment
from rejoinder.discussion.thread.locations import post_comment_url
from rejoinder.interop.api.mount import api_url
from rejoinder.publishing.models import Post
from tests.factories import comment_form, make_comment, make_post
from tests.publishing.test_admin import ADD_URL, errors, form_data

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("lenient_rules")]

# C0 controls but tab, LF and CR; U+FFFE and U+FFFF (not characters in XML 1.0).
CONTROLS = ["\x01", "\x08", "\x0b", "\x0c", "\x1b", "\x1f", "\ufffe"]


@pytest.mark.parametrize("char", CONTROLS)
@pytest.mark.parametrize(("field", "label"), [("name", "Name"), ("body", "Comment")])
def test_the_comment_form_refuses_control_characters_naming_the_field(client, char, field, label):
    """400, the field and the character named, nothing saved."""
    post = make_post()
    response = client.post(
        post_comment_url(post), comment_form(**{field: f"Ann{char}Bee", "email": ""})
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert f"{label}: contains an invisible control character (U+{ord(char):04X}" in text
    assert not Comment.objects.exists()


@pytest.mark.parametrize("char", ["\x07", "\ud800"])
def test_the_api_refuses_control_characters_and_lone_surrogates(client, char):
    """JSON can carry a lone surrogate ("\\ud800") too: a problem naming the field."""
    post = make_post()
    payload = {"name": "Ann", "body": f"bell{char}", "issued": issue_stamp(time.time() - 60)}
    response = client.post(
        api_url("create", post_id=post.pk), json.dumps(payload), content_type="application/json"
    )
    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == ["body"]
    assert not Comment.objects.exists()


@pytest.mark.parametrize(("field", "label"), [("title", "Title"), ("body", "Body (Markdown)"),
                                              ("excerpt", "Excerpt")])  # fmt: skip
def test_the_writing_screen_refuses_control_characters(client, editor, field, label):
    """An editor's title, body or excerpt with one is refused naming the field."""
    client.force_login(editor)
    response = client.post(ADD_URL, form_data(author=editor.pk, **{field: "Text\x02 here"}))
    assert response.status_code == 200
    assert any(error.startswith(f"{label}: contains an invisible") for error in errors(response))
    assert not Post.objects.exists()


def test_an_update_note_with_one_is_refused(client, editor):
    """The update notes' inline form checks its text too."""
    client.force_login(editor)
    notes = {
        "updates-TOTAL_FORMS": "1", "updates-0-label": "Update",
        "updates-0-published_at_0": "2026-01-06", "updates-0-published_at_1": "09:00:00",
        "updates-0-body": "Corrected\x03.",
    }  # fmt: skip
    response = client.post(ADD_URL, form_data(author=editor.pk, **notes))
    assert response.status_code == 200
    assert any("contains an invisible control character" in e for e in errors(response))
    assert not Post.objects.exists()


def test_a_stored_control_character_never_breaks_a_feed(client, caplog):
    """Rows written before the doors closed (or by a path not thought of): every feed
    answers 200 with valid XML, the characters dropped and a warning logged."""
    post = make_post(title="Plain title")
    comment = make_comment(post, name="Ann")
    Comment.objects.filter(pk=comment.pk).update(
        author_name="Ann\x01", body_html="<p>bell\x07 and \x1b escape</p>"
    )
    Post.objects.filter(pk=post.pk).update(title="Title\x0b", body_html="<p>tab\x0c</p>")
    post.refresh_from_db()
    feeds = ["/feed/", "/feed/atom/", "/comments/feed/", "/comments/feed/atom/",
             f"{post.get_absolute_url()}feed/", f"{post.get_absolute_url()}feed/atom/"]  # fmt: skip
    with caplog.at_level(logging.WARNING, logger="rejoinder.feeds"):
        for url in feeds:
            response = client.get(url)
            assert response.status_code == 200, url
            parsed = feedparser.parse(response.content)
            assert parsed.bozo == 0, (url, parsed.get("bozo_exception"))
            assert parsed.entries, url
    assert "removed characters XML 1.0 cannot carry" in caplog.text
