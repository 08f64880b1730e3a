import pytest
from django.urls import reverse

from rejoinder.discussion.models import Comment
from tests.factories import make_comment, make_post, make_user

pytestmark = pytest.mark.django_db


def change_form(comment, **overrides):
    """What the admin's change form of ``comment`` sends, approved, with ``overrides``."""
    return {
        "status": "approved",
        "type": "comment",
        "author_name": comment.author_name,
        "author_email": "",
        "author_url": "",
        "created_at_0": "2026-01-02",
        "created_at_1": "10:00:00",
        "body": comment.body,
        "edits-TOTAL_FORMS": "0",
        "edits-INITIAL_FORMS": "0",
        **overrides,
    }


def test_moderator_approves_and_spams_with_counts_kept(client):
    """The moderator role changes statuses in the admin; the post's count follows."""
    moderator = make_user("mod", role="moderator")
    post = make_post()
    held = make_comment(post, status=Comment.Status.PENDING)
    shown = make_comment(post)
    client.force_login(moderator)
    changelist = reverse("admin:discussion_comment_changelist")
    response = client.post(changelist, {"action": "approve", "_selected_action": [held.pk]})
    assert response.status_code == 302
    client.post(changelist, {"action": "mark_spam", "_selected_action": [shown.pk]})
    post.refresh_from_db()
    assert post.comment_count == 1
    assert Comment.objects.get(pk=held.pk).status == Comment.Status.APPROVED
    assert Comment.objects.get(pk=shown.pk).status == Comment.Status.SPAM


def test_admin_adds_comments_through_create_comment(client, admin_user):
    """A comment added in the admin gets its path, thread and the post's count."""
    post = make_post()
    parent = make_comment(post)
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:discussion_comment_add"),
        {
            "post": post.pk,
            "parent": parent.pk,
            "status": "approved",
            "type": "comment",
            "author_name": "Added by staff",
            "author_email": "",
            "author_url": "",
            "created_at_0": "2026-01-02",
            "created_at_1": "10:00:00",
            "body": "From the admin",
            "edits-TOTAL_FORMS": "0",
            "edits-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    added = Comment.objects.get(author_name="Added by staff")
    assert (added.thread_id, added.depth) == (parent.pk, 1)
    assert added.path.startswith(parent.path)
    post.refresh_from_db()
    assert post.comment_count == 2


def test_staff_edit_in_the_admin_keeps_the_earlier_text(client, admin_user):
    """Changing a comment's text in the admin records the previous text."""
    comment = make_comment(make_post(), body="Before")
    client.force_login(admin_user)
    url = reverse("admin:discussion_comment_change", args=[comment.pk])
    data = change_form(comment, body="After")
    assert client.post(url, data).status_code == 302
    comment.refresh_from_db()
    assert comment.body == "After"
    assert [edit.body for edit in comment.edits.all()] == ["Before"]


def test_admin_change_refreshes_the_cached_thread(client, admin_user):
    """Renaming a commenter in the admin shows at once to anonymous readers."""
    post = make_post()
    comment = make_comment(post, name="Old Name")
    reader = type(client)()
    assert b"Old Name" in reader.get(post.get_absolute_url()).content
    client.force_login(admin_user)
    url = reverse("admin:discussion_comment_change", args=[comment.pk])
    data = change_form(comment, author_name="New Name")
    assert client.post(url, data).status_code == 302
    assert b"New Name" in reader.get(post.get_absolute_url()).content


def test_admin_delete_keeps_replies_under_a_tombstone(client, admin_user):
    """Deleting in the admin never takes the replies with it; the count follows."""
    post = make_post()
    parent = make_comment(post)
    reply = make_comment(post, parent)
    client.force_login(admin_user)
    changelist = reverse("admin:discussion_comment_changelist")
    response = client.post(
        changelist, {"action": "delete_selected", "_selected_action": [parent.pk], "post": "yes"}
    )
    assert response.status_code == 302
    assert Comment.objects.get(pk=parent.pk).status == Comment.Status.REMOVED
    assert Comment.objects.filter(pk=reply.pk).exists()
    post.refresh_from_db()
    assert post.comment_count == 1


def test_a_status_changed_in_the_edit_form_is_a_decision(client, admin_user):
    """Approving in the change form counts, teaches the classifier and is announced, like
    the queue's Approve."""
    post = make_post()
    comment = make_comment(post, body="Held for a while", status="pending")
    client.force_login(admin_user)
    url = reverse("admin:discussion_comment_change", args=[comment.pk])
    data = change_form(comment, body="Held for a while")
    assert client.post(url, data).status_code == 302
    comment.refresh_from_db()
    post.refresh_from_db()
    assert (comment.status, comment.trained_as, post.comment_count) == ("approved", "ham", 1)
