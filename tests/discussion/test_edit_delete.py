"""Editing and deleting your own comment; tombstones; staff edits; IP retention."""

import datetime

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from rejoinder.discussion.models import Comment
from rejoinder.discussion.thread.locations import post_comment_url
from tests.factories import comment_form, make_comment, make_post, make_user
from tests.html import soup

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("lenient_rules")]


def edit_url(comment):
    return reverse("discussion:edit", kwargs={**comment.post.url_kwargs(), "comment": comment.pk})


def post_as_reader(client, post, **fields):
    data = comment_form(**{"body": "First words.", **fields})
    client.post(post_comment_url(post), data)
    return Comment.objects.latest("pk")


def test_reader_edits_own_comment_by_cookie(client):
    """The browser that posted may edit for the window; the old text is kept."""
    post = make_post()
    comment = post_as_reader(client, post)
    page = soup(client.get(post.get_absolute_url()))
    assert page.select_one(f"#comment-{comment.pk} a.edit-link")["href"] == edit_url(comment)
    response = client.post(edit_url(comment), {"body": "Better words."})
    assert response.status_code == 303
    comment.refresh_from_db()
    assert comment.body == "Better words." and comment.edited_at is not None
    assert [edit.body for edit in comment.edits.all()] == ["First words."]


def test_another_reader_cannot_edit(client):
    """Without the cookie (another browser) editing is refused with the rule stated."""
    post = make_post()
    comment = make_comment(post)
    response = client.post(edit_url(comment), {"body": "Hijack"})
    assert response.status_code == 403
    assert "15 minutes" in response.content.decode()
    comment.refresh_from_db()
    assert comment.body != "Hijack"


def test_edit_window_closes(client, settings):
    """After the window, even the author's browser cannot edit."""
    post = make_post()
    comment = post_as_reader(client, post)
    Comment.objects.filter(pk=comment.pk).update(
        created_at=timezone.now() - datetime.timedelta(minutes=16)
    )
    assert client.post(edit_url(comment), {"body": "Late"}).status_code == 403


def test_account_edits_own_comment_and_editors_edit_any(client, editor):
    """Accounts edit their own by identity; editors edit anyone's, keeping each version."""
    user = make_user("reader")
    post = make_post()
    comment = make_comment(post, user=user, body="v1")
    client.force_login(user)
    assert client.post(edit_url(comment), {"body": "v2"}).status_code == 303
    other = make_comment(post, body="not yours")
    assert client.post(edit_url(other), {"body": "mine now"}).status_code == 403
    client.force_login(editor)
    assert client.post(edit_url(comment), {"body": "v3"}).status_code == 303
    comment.refresh_from_db()
    assert [e.body for e in comment.edits.all()] == ["v2", "v1"]
    assert comment.edits.first().editor == editor


def test_edit_refusals_name_the_field(client):
    """An edit over the limit is refused with the limit named and the text kept."""
    post = make_post()
    comment = post_as_reader(client, post)
    response = client.post(edit_url(comment), {"body": "y" * 20_001})
    assert response.status_code == 400
    assert "Comment: at most 20,000 characters (you typed 20001)." in response.content.decode()


def test_deleted_comment_with_replies_becomes_a_tombstone(client):
    """Its replies stay, under "Comment deleted."; its text and name are gone."""
    post = make_post()
    comment = post_as_reader(client, post, body="Regrettable")
    reply = make_comment(post, comment, name="Replier")
    assert client.post(edit_url(comment), {"delete": "1"}).status_code == 303
    comment.refresh_from_db()
    assert comment.status == Comment.Status.REMOVED and comment.body == ""
    page = soup(client.get(post.get_absolute_url()))
    tombstone = page.select_one(f"#comment-{comment.pk}")
    assert tombstone.select_one(".deleted").get_text() == "Comment deleted."
    assert tombstone.select_one(f"#comment-{reply.pk}") is not None
    assert "Regrettable" not in page.get_text()
    assert page.select_one("h1 .comment-count").get_text() == "1"


def test_deleted_leaf_disappears_with_empty_tombstones(client, editor):
    """A leaf is removed; a tombstone left with no replies goes too."""
    post = make_post()
    top = make_comment(post)
    middle = make_comment(post, top)
    leaf = make_comment(post, middle)
    client.force_login(editor)
    client.post(edit_url(middle), {"delete": "1"})
    assert Comment.objects.get(pk=middle.pk).status == Comment.Status.REMOVED
    client.post(edit_url(leaf), {"delete": "1"})
    assert list(Comment.objects.values_list("pk", flat=True)) == [top.pk]


def test_old_ip_addresses_are_forgotten(settings):
    """After the retention period the command drops commenters' IP addresses."""
    settings.COMMENT_IP_RETENTION_DAYS = 30
    post = make_post()
    old = make_comment(post, ip_address="198.51.100.7")
    new = make_comment(post, ip_address="198.51.100.8")
    Comment.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=31)
    )
    call_command("anonymize_ips", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert Comment.objects.get(pk=old.pk).ip_address is None
    assert Comment.objects.get(pk=new.pk).ip_address == "198.51.100.8"


# Who may change another person's comment: by permission, never by being staff


@pytest.mark.parametrize(
    ("role", "own_post", "allowed"),
    [
        ("moderator", False, True),
        ("editor", False, True),
        ("administrator", False, True),
        ("author", True, True),  # WordPress's authors moderate their own posts' comments
        ("author", False, False),
        (None, False, False),  # staff with no role at all
    ],
)
def test_others_comments_are_changed_by_permission_not_by_being_staff(
    client, role, own_post, allowed
):
    """Moderators, editors and administrators edit and delete any comment; an author only
    on their own posts; any other staff account neither (it gets the same answer as a
    comment that does not exist)."""
    user = make_user(f"u-{role}", role=role)
    user.is_staff = True
    user.save()
    post = make_post(author=user if own_post else make_user("writer", role="author"))
    comment = make_comment(post, body="The reader's words.")
    client.force_login(user)
    page = soup(client.get(post.get_absolute_url()))
    assert bool(page.select_one(f"#comment-{comment.pk} a.edit-link")) is allowed
    response = client.post(edit_url(comment), {"body": "Changed."})
    assert response.status_code == (303 if allowed else 403)
    comment.refresh_from_db()
    assert (comment.body == "Changed.") is allowed
    response = client.post(edit_url(comment), {"delete": "1"})
    assert response.status_code == (303 if allowed else 403)
    assert Comment.objects.filter(pk=comment.pk).exists() is not allowed


def test_a_moderators_edit_is_shown_as_a_moderators_and_recorded(client):
    """Never as the reader's own words: "edited by a moderator" on the page and in the
    API, the earlier text kept with who changed it."""
    moderator = make_user("mod", role="moderator")
    post = make_post()
    comment = make_comment(post, body="Original words.")
    client.force_login(moderator)
    form = soup(client.get(edit_url(comment)))
    assert "edited by a moderator" in form.get_text()
    assert client.post(edit_url(comment), {"body": "Trimmed."}).status_code == 303
    comment.refresh_from_db()
    assert comment.edited_by_moderator
    assert [(e.body, e.editor) for e in comment.edits.all()] == [("Original words.", moderator)]
    client.logout()
    shown = soup(client.get(post.get_absolute_url())).select_one(f"#comment-{comment.pk} .edited")
    assert shown.get_text() == "(edited by a moderator)"
    thread = client.get(f"/api/v1/posts/{post.pk}/comments").json()
    assert thread["comments"][0]["edited_by_moderator"] is True


def test_a_readers_own_edit_is_plainly_edited(client):
    """The writer's own edit says "(edited)" only."""
    post = make_post()
    comment = post_as_reader(client, post)
    client.post(edit_url(comment), {"body": "Better words."})
    shown = soup(client.get(post.get_absolute_url())).select_one(f"#comment-{comment.pk} .edited")
    assert shown.get_text() == "(edited)"


def test_the_edit_page_answers_the_same_for_missing_and_forbidden_comments(client):
    """403 and the same page for a comment that does not exist and one that is not yours,
    so its answer tells nobody which comment ids exist."""
    post = make_post()
    comment = make_comment(post)
    missing = reverse("discussion:edit", kwargs={**post.url_kwargs(), "comment": comment.pk + 99})
    forbidden, absent = client.get(edit_url(comment)), client.get(missing)
    assert forbidden.status_code == absent.status_code == 403
    assert forbidden.content == absent.content
