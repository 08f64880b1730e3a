"""Comment workflows: create, edit, delete, and the rules they keep.

``create_comment`` is the one way a comment comes to exist: the reader's form, the admin
and the importers all call it, with every field given.
"""

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from rejoinder.publishing.markup import render_comment_markdown, sanitize_comment_html
from rejoinder.publishing.models import Post

from . import moderation
from .models import Comment, CommentEdit, path_segment


class CommentRefused(Exception):
    """A rule refused the comment; ``field`` names the form field it concerns."""

    def __init__(self, field, message):
        super().__init__(message)
        self.field = field
        self.message = message


def comments_open(post, now=None):
    """Whether readers may comment: the post's own switch, then the automatic close."""
    if post.comment_status != Post.CommentStatus.OPEN or not post.is_public:
        return False
    days = settings.CLOSE_COMMENTS_AFTER_DAYS
    if days:
        return (now or timezone.now()) < post.published_at + datetime.timedelta(days=days)
    return True


def check_reply(post, parent):
    """Refuse a reply to a comment that is not an approved comment of the same post."""
    if parent is None:
        return
    if parent.post_id != post.pk:
        raise CommentRefused("parent", "You can only reply to comments on this post.")
    if parent.status != Comment.Status.APPROVED:
        raise CommentRefused(
            "parent", "That comment can no longer be replied to (it was deleted or is held)."
        )


@transaction.atomic
def create_comment(*, post, body, parent=None, enforce_rules=True, **fields):
    """Create a comment with every field given; return it.

    ``fields`` are those of ``new_comment()``. With ``enforce_rules`` (readers' comments)
    the post must be open and the parent an approved comment of the same post; the admin
    and importers pass ``False`` to bring comments in as they were. A ``status`` of None
    lets the moderation policy decide.
    """
    if enforce_rules:
        if not comments_open(post):
            raise CommentRefused("body", "Comments are closed on this post.")
        check_reply(post, parent)
    comment = new_comment(post=post, body=body, parent=parent, **fields)
    comment.save()
    # The path ends in the comment's own id, known only now.
    comment.path = (parent.path if parent else "") + path_segment(comment.pk)
    comment.thread_id = parent.thread_id if parent else comment.pk
    Comment.objects.filter(pk=comment.pk).update(path=comment.path, thread=comment.thread_id)
    record_change(post)
    return comment


def new_comment(
    *,
    post,
    body,
    parent=None,
    body_html=None,
    author_name="",
    author_email="",
    author_url="",
    user=None,
    status=None,
    created_at=None,
    ip_address=None,
    user_agent="",
    type=Comment.Type.COMMENT,
):
    """An unsaved comment with every field set but its place in the thread (path, thread).

    ``body`` is Markdown and is rendered, unless ``body_html`` is given (imported HTML),
    which is sanitized with the readers' allow-list instead.
    """
    if user is not None:
        # Signed-in commenters are named and reached as their account says.
        author_name = author_name or user.get_full_name() or user.get_username()
        author_email = author_email or user.email
    comment = Comment(
        post=post,
        parent=parent,
        type=type,
        user=user,
        author_name=author_name,
        author_email=author_email,
        author_url=author_url,
        ip_address=ip_address,
        user_agent=(user_agent or "")[:500],
        created_at=created_at or timezone.now(),
        body=body,
        body_html=(
            render_comment_markdown(body) if body_html is None else sanitize_comment_html(body_html)
        ),
        depth=parent.depth + 1 if parent else 0,
    )
    comment.status = status or moderation.initial_status(comment)
    return comment


@transaction.atomic
def bulk_create_comments(post, specs):
    """Create many comments of one post at once (importers); return them in ``specs`` order.

    Each spec is a dict of ``new_comment()`` fields plus ``parent_index``: the index in
    ``specs`` of its parent, which must come earlier, or None (then ``parent`` may name a
    comment saved before). Two queries for any number of comments, then one recount.
    """
    comments = []
    for spec in specs:
        spec = dict(spec)
        parent_index = spec.pop("parent_index")
        comment = new_comment(post=post, **spec)
        if parent_index is not None:
            comment.depth = comments[parent_index].depth + 1
        comment.parent_index = parent_index
        comments.append(comment)
    Comment.objects.bulk_create(comments, batch_size=500)
    for comment in comments:
        if comment.parent_index is None and comment.parent is not None:
            # A reply to a comment saved earlier (a newer export of the same site).
            comment.path = comment.parent.path + path_segment(comment.pk)
            comment.thread_id = comment.parent.thread_id
        elif comment.parent_index is None:
            comment.path = path_segment(comment.pk)
            comment.thread_id = comment.pk
        else:
            parent = comments[comment.parent_index]
            comment.parent_id = parent.pk
            comment.path = parent.path + path_segment(comment.pk)
            comment.thread_id = parent.thread_id
    Comment.objects.bulk_update(comments, ["parent", "path", "thread"], batch_size=500)
    record_change(post)
    return comments


def record_change(post):
    """After any change to a post's comments: recount, and date the change.

    The count is the number beside the title (approved comments); the date versions the
    cached thread, so no reader is shown a thread older than the change.
    """
    count = Comment.objects.filter(post=post).counted().count()
    now = timezone.now()
    Post.objects.filter(pk=post.pk).update(comment_count=count, comments_changed_at=now)
    post.comment_count, post.comments_changed_at = count, now


def set_status(comment, status):
    with transaction.atomic():
        comment.status = status
        comment.save(update_fields=["status"])
        record_change(comment.post)


def can_modify(comment, user, owned_ids, now=None):
    """Staff always; the commenter within the edit window (account, or signed cookie)."""
    if user.is_authenticated and user.is_staff:
        return True
    if comment.status != Comment.Status.APPROVED and comment.status != Comment.Status.PENDING:
        return False
    window = datetime.timedelta(minutes=settings.COMMENT_EDIT_MINUTES)
    if (now or timezone.now()) > comment.created_at + window:
        return False
    if comment.user_id is not None:
        return user.is_authenticated and user.pk == comment.user_id
    return comment.pk in owned_ids


@transaction.atomic
def edit_comment(comment, body, editor=None):
    """Change a comment's text, keeping the previous text."""
    CommentEdit.objects.create(comment=comment, body=comment.body, editor=editor)
    comment.body = body
    comment.body_html = render_comment_markdown(body)
    comment.edited_at = timezone.now()
    comment.save(update_fields=["body", "body_html", "edited_at"])
    record_change(comment.post)
    return comment


@transaction.atomic
def delete_comment(comment):
    """Delete a comment: with replies it becomes a tombstone, a leaf disappears.

    Tombstones left without replies by a deletion disappear too, up the chain.
    """
    post = comment.post
    if comment.replies.exists():
        comment.status = Comment.Status.REMOVED
        comment.body = comment.body_html = ""
        comment.author_email = comment.author_url = ""
        comment.save(update_fields=["status", "body", "body_html", "author_email", "author_url"])
    else:
        parent = comment.parent
        comment.delete()
        while (
            parent is not None
            and parent.status == Comment.Status.REMOVED
            and not parent.replies.exists()
        ):
            grandparent = parent.parent
            parent.delete()
            parent = grandparent
    record_change(post)


def anonymize_old_ips(now=None):
    """Forget the IP address of comments older than the retention period. Returns how many.

    The address is dropped rather than masked: past the period it has no moderation use
    that outweighs the commenter's privacy.
    """
    cutoff = (now or timezone.now()) - datetime.timedelta(days=settings.COMMENT_IP_RETENTION_DAYS)
    return Comment.objects.filter(created_at__lt=cutoff, ip_address__isnull=False).update(
        ip_address=None
    )
