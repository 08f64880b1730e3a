"""Comment workflows: create, edit, delete, and the rules they keep.

``create_comment`` is how one comment comes to exist (the reader's form, the admin, the
demo); importers write whole threads with ``bulk_create_threads``. Both build their rows
with ``comment_values``, so a comment is the same whichever way it came in.
"""

import datetime
from types import SimpleNamespace

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from rejoinder.core import pagecache
from rejoinder.core.bulk import allocate_ids, insert_rows
from rejoinder.core.people import public_name
from rejoinder.publishing.markup import render_comment_markdown, sanitize_comment_html
from rejoinder.publishing.models import Post

from . import moderation, signals, spam, stamps, throttle
from .errors import CommentRefused, TooSoon
from .models import PATH_WIDTH, Comment, CommentEdit, DiscussionSettings, path_segment

__all__ = ["CommentRefused", "TooSoon"]


def comments_open(post, now=None):
    """Whether readers may comment: the post's own switch, then the automatic close."""
    if post.comment_status != Post.CommentStatus.OPEN or not post.is_public:
        return False
    days = settings.CLOSE_COMMENTS_AFTER_DAYS
    if days:
        return (now or timezone.now()) < post.published_at + datetime.timedelta(days=days)
    return True


GONE_PARENT = "The comment you replied to no longer exists."


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


def check_depth(parent):
    """Refuse a reply to a comment at ``REJOINDER_MAX_REPLY_DEPTH``: stored depth is bounded
    whoever writes (readers, the API, the admin), so no reader can build a chain whose
    paths make every thread query slow. Importers attach such replies at the limit instead
    (``bulk_create_threads``)."""
    limit = settings.MAX_REPLY_DEPTH
    if parent is not None and parent.depth >= limit:
        raise CommentRefused(
            "parent",
            f"Replies go at most {limit} levels deep, and that comment is at the limit: "
            "reply to an earlier comment in its thread instead.",
            max_depth=limit,
        )


def reference_errors(post, parent_id, parent, quoted):
    """What is wrong with what a reader's comment refers to, as {field: message}.

    ``parent_id`` is the id the reader sent, ``parent`` the comment found for it (or None);
    ``quoted`` the anchor a quote-reply names. A quoted paragraph is only a link back; a
    quoted comment must be one readers see. Shared by the form view and the API, which
    check this before ``create_comment()`` so the reader's other errors show with it.
    """
    errors = {}
    if parent_id and parent is None:
        errors["parent"] = GONE_PARENT
    if quoted.startswith("comment-") and not (
        Comment.objects.filter(
            pk=int(quoted.removeprefix("comment-")), post=post, status=Comment.Status.APPROVED
        ).exists()
    ):
        errors["quoted"] = (
            "the comment you quoted is not shown on this post (deleted, or awaiting "
            "a moderator); remove the quote or quote another comment."
        )
    return errors


def create_comment(*, post, body, parent=None, enforce_rules=True, stamp=None, **fields):
    """Create a comment with every field given; return it.

    ``fields`` are those of ``new_comment()``. With ``enforce_rules`` (readers' comments)
    the post must be open, the parent an approved comment of the same post, and the
    moderation rules and flood limits must let the comment in (``stamp``: the form's
    ``stamps.Stamp``, if it came from one: its age for the timing rule); the admin and
    importers pass ``False`` to bring comments in as they were. A ``status`` of None lets
    the moderation policy decide. A comment with a ``stamp`` spends it: a second one with
    the same stamp is refused. Raises ``CommentRefused`` (``TooSoon`` for a flood limit).

    The cheap refusals come before any work a stranger's text costs: the timing rule, bans
    and flood limits are settled on who is writing, before the Markdown and the spam score
    read the text (docs/security.md: one comment must not buy seconds of CPU). Writers
    queue for SQLite's one write lock (and PostgreSQL's row lock on the post's count), so
    what needs no lock comes before the write transaction too; what the thread as it
    stands decides (a locked branch, a duplicate) and the writes are one transaction.
    """
    check_depth(parent)
    if enforce_rules:
        if not comments_open(post):
            raise CommentRefused("body", "Comments are closed on this post.")
        check_reply(post, parent)
    # One read of the rules serves the refusals below and the status (judge).
    needs_rules = enforce_rules or fields.get("status") is None
    rules = DiscussionSettings.load() if needs_rules else None
    writer = _writer(post, fields)
    checked = enforce_rules and not moderation.is_exempt(writer)
    if checked:
        moderation.refuse_if_barred(writer, rules, stamp.age() if stamp else None)
        throttle.check(writer, rules)
    comment = new_comment(post=post, body=body, parent=parent, rules=rules, **fields)
    try:
        _save_new(comment, post, parent, checked, stamp)
    except IntegrityError:
        # The parent was read before this transaction; deleted since (a comment without
        # replies goes for good), the database refuses the reply: say so, as for any reply
        # to a deleted comment. (PostgreSQL checks the key when the transaction commits.)
        if parent is not None and not Comment.objects.filter(pk=parent.pk).exists():
            raise CommentRefused("parent", GONE_PARENT) from None
        raise
    return comment


def _writer(post, fields):
    """Who is writing, as the rules that need no text read it (bans, limits, exemption)."""
    user = fields.get("user")
    return SimpleNamespace(
        post=post,
        user=user,
        author_email=fields.get("author_email") or (user.email if user is not None else ""),
        ip_address=fields.get("ip_address"),
    )


@transaction.atomic
def _save_new(comment, post, parent, checked, stamp):
    """The write transaction of ``create_comment``: if ``checked`` (a reader's comment),
    what the thread as it stands decides; the stamp spent, last (a refused comment leaves
    it unspent); then the rows and tasks."""
    if checked:
        moderation.refuse_if_out_of_place(comment)
    if stamp is not None and not stamps.spend(stamp):
        # The form saw it unspent; another comment with it was accepted since.
        raise CommentRefused("issued", stamps.USED)
    comment.save()
    # The path ends in the comment's own id, known only now.
    comment.path = (parent.path if parent else "") + path_segment(comment.pk)
    comment.thread_id = parent.thread_id if parent else comment.pk
    Comment.objects.filter(pk=comment.pk).update(path=comment.path, thread=comment.thread_id)
    counted = comment.status == Comment.Status.APPROVED and comment.type == Comment.Type.COMMENT
    record_change(post, added=int(counted))
    # Its receivers' work (notification tasks) commits with the comment.
    signals.comment_saved.send(sender=Comment, comment=comment)


def new_comment(*, post, parent=None, user=None, **fields):
    """An unsaved comment with every field set but its place in the thread (path, thread).

    Takes the fields of ``comment_values()``.
    """
    values = comment_values(post=post, parent=parent, user=user, **fields)
    return Comment(post=post, parent=parent, user=user, **values)


def comment_values(
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
    spam_score=None,
    hold_reasons="",
    quoted_anchor="",
    rules=None,
):
    """The column values of a new comment, but its relations and place in the thread.

    ``body`` is Markdown and is rendered, unless ``body_html`` is given (imported HTML),
    which is sanitized with the readers' allow-list instead. A ``status`` of None lets the
    moderation policy decide, by ``rules`` (the site's, read here if not given).
    """
    if user is not None:
        # Signed-in commenters are named and reached as their account says.
        author_name = author_name or public_name(user)
        author_email = author_email or user.email
    values = {
        "type": type,
        "author_name": author_name,
        "author_email": author_email,
        "author_url": author_url,
        "ip_address": ip_address,
        "user_agent": (user_agent or "")[:500],
        "created_at": created_at or timezone.now(),
        "body": body,
        "body_html": (
            render_comment_markdown(body) if body_html is None else sanitize_comment_html(body_html)
        ),
        "depth": parent.depth + 1 if parent else 0,
        "locked": False,
        "removal_reason": "",
        "spam_score": spam_score,
        "hold_reasons": hold_reasons,
        "flagged": False,
        "announced_at": None,
        "quoted_anchor": quoted_anchor,
        "trained_as": "",
        "edited_by_moderator": False,
        "moderation_version": 0,
    }
    if status is None:
        candidate = SimpleNamespace(post=post, parent=parent, user=user, **values)
        verdict = moderation.judge(candidate, rules)
        status = verdict.status
        values["spam_score"] = verdict.score
        values["hold_reasons"] = "; ".join(verdict.reasons)[:500]
        values["flagged"] = verdict.flagged
    values["status"] = status
    return values


@transaction.atomic
def bulk_create_comments(post, specs):
    """Create many comments of one post at once (importers); return them in ``specs`` order.

    See ``bulk_create_threads()``; this is it for one post.
    """
    [rows] = bulk_create_threads([(post, specs)])
    post.refresh_from_db(fields=["comment_count", "comments_changed_at"])
    return rows


@transaction.atomic
def bulk_create_threads(batches):
    """Create the comments of many posts at once; return their rows, per batch, in order.

    ``batches`` are (post, specs) pairs. Each spec is a dict of ``comment_values()``
    fields plus ``parent_index``: the index in its batch's specs of its parent, which must
    come earlier, or None (then ``parent`` may name a comment saved before). Ids are taken
    first, so each row goes in complete with its path through one prepared INSERT for all
    the batches (``core.bulk``), and the posts' counts move by what was added. The rows are
    plain namespaces of column values (``id``, ``path`` …), not model instances: at 100,000
    comments, making instances would cost more than writing the rows.
    """
    ids = iter(allocate_ids(Comment, sum(len(specs) for _post, specs in batches)))
    results, everything, additions = [], [], []
    for post, specs in batches:
        rows = []
        for spec in specs:
            spec = dict(spec)
            parent_index = spec.pop("parent_index")
            parent = spec.pop("parent", None)
            user = spec.get("user")
            pk = next(ids)
            row = SimpleNamespace(
                id=pk,
                pk=pk,
                post_id=post.pk,
                user_id=user.pk if user is not None else None,
                edited_at=None,
                **comment_values(post=post, parent=parent, **spec),
            )
            if parent_index is not None:
                parent = rows[parent_index]
            _place(row, parent)
            rows.append(row)
        results.append(rows)
        everything.extend(rows)
        counted = sum(
            1 for row in rows if row.status == Comment.Status.APPROVED and row.type == "comment"
        )
        additions.append((post.pk, counted))
    insert_rows(everything, model=Comment)
    record_additions(additions)
    return results


def _place(row, parent):
    """Set the thread columns of an imported ``row`` under ``parent`` (None: top level).

    A reply that would be deeper than ``REJOINDER_MAX_REPLY_DEPTH`` goes under its ancestor
    one level above the limit (the path names every ancestor), so it is stored at the limit,
    kept rather than lost; ``row.reattached`` says so, for the import's report.
    """
    row.reattached = False
    if parent is None:
        row.parent_id, row.thread_id, row.path, row.depth = None, row.pk, path_segment(row.pk), 0
        return
    limit = settings.MAX_REPLY_DEPTH
    prefix, depth = parent.path, parent.depth + 1
    if depth > limit:
        prefix, depth, row.reattached = prefix[: limit * PATH_WIDTH], limit, True
    row.parent_id = int(prefix[-PATH_WIDTH:], 36)
    row.thread_id, row.path, row.depth = parent.thread_id, prefix + path_segment(row.pk), depth


def record_additions(additions):
    """Move the counts of many posts, each by what an import added, and date the change."""
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    table = connection.ops.quote_name(Post._meta.db_table)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET comment_count = comment_count + %s, "
            "comments_changed_at = %s WHERE id = %s",
            [(added, now, post_id) for post_id, added in additions],
        )
    pagecache.invalidate(
        pagecache.COMMENTS, *(pagecache.post_tag(post_id) for post_id, _added in additions)
    )


def record_change(post, added=None):
    """After any change to a post's comments: count, and date the change.

    The count is the number beside the title (approved comments): moved by ``added``
    when the caller knows it (a new comment: one UPDATE, whatever the thread's size),
    else counted again. The date versions the cached thread, so no reader is shown a
    thread older than the change.
    """
    now = timezone.now()
    if added is None:
        count = Comment.objects.filter(post=post).counted().count()
        Post.objects.filter(pk=post.pk).update(comment_count=count, comments_changed_at=now)
    else:
        Post.objects.filter(pk=post.pk).update(
            comment_count=F("comment_count") + added, comments_changed_at=now
        )
        count = post.comment_count + added  # as this request saw it; the row is exact
    post.comment_count, post.comments_changed_at = count, now
    pagecache.invalidate(pagecache.post_tag(post.pk), pagecache.COMMENTS)


def set_status(comment, status):
    """A moderator's decision: the new status, what the classifier learns from it, and
    the notifications an approval releases."""
    with transaction.atomic():
        before = comment.status
        comment.status = status
        comment.save_moderated(["status"])
        record_change(comment.post)
        decided(comment, before)


def decided(comment, before):
    """After a moderator set a comment's status (from ``before``)."""
    if comment.status in (Comment.Status.APPROVED, Comment.Status.SPAM):
        spam.learn(comment, is_spam=comment.status == Comment.Status.SPAM)
    if comment.status == Comment.Status.APPROVED and before != Comment.Status.APPROVED:
        transaction.on_commit(
            lambda: signals.comment_published.send(sender=Comment, comment=comment)
        )


def spam_pending_of(ban):
    """Send the banned commenter's pending comments to spam; return how many."""
    matched = moderation.pending_of(ban)
    for comment in matched:
        set_status(comment, Comment.Status.SPAM)
    return len(matched)


@transaction.atomic
def remove_comment(comment, reason):
    """A moderator's removal: the comment's place and replies stay, with the reason shown.

    The text is kept for moderators (a removal can be undone by approving again) but never
    shown to readers. A comment that was never published (pending, spam) has no place in
    the thread to keep: it goes to the trash instead, unseen, the reason kept on record.
    """
    reason = reason.strip()
    if not reason:
        raise CommentRefused("reason", "Reason: say why the comment was removed (readers see it).")
    if len(reason) > 300:
        raise CommentRefused(
            "reason", f"Reason: at most 300 characters (this one has {len(reason)})."
        )
    if comment.status != Comment.Status.APPROVED:
        comment.removal_reason = reason
        comment.save(update_fields=["removal_reason"])
        set_status(comment, Comment.Status.TRASH)
        return
    comment.status = Comment.Status.REMOVED
    comment.removal_reason = reason
    comment.save_moderated(["status", "removal_reason"])
    record_change(comment.post)


@transaction.atomic
def lock_branch(comment, locked=True):
    """Close (or reopen) replies under one comment without closing the post."""
    comment.locked = locked
    comment.save(update_fields=["locked"])
    record_change(comment.post)


def moderates(user, post):
    """Whether ``user`` may edit and delete other people's comments on ``post``: with the
    comment permission (moderators, editors, administrators), or as the post's author
    whose role lets authors moderate their own posts' comments."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.has_perm("discussion.change_comment"):
        return True
    return user.pk == post.author_id and user.has_perm("discussion.moderate_own_posts")


def can_modify(comment, user, owned_ids, now=None):
    """Who moderates the post's comments (``moderates``), always; the commenter within the
    edit window (account, or signed cookie). Other accounts, staff or not, never."""
    if moderates(user, comment.post):
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
    """Change a comment's text, keeping the previous text and who changed it.

    Unless someone who moderates the post's comments edits, the new text meets the content
    rules again (``moderation.judge_edit``): it may be held or sent to spam. An edit by
    anyone but the comment's writer marks it "edited by a moderator".
    """
    CommentEdit.objects.create(comment=comment, body=comment.body, editor=editor)
    comment.body = body
    comment.body_html = render_comment_markdown(body)
    comment.edited_at = timezone.now()
    fields = ["body", "body_html", "edited_at"]
    if editor is not None and editor.pk != comment.user_id:
        comment.edited_by_moderator = True
        fields.append("edited_by_moderator")
    trusted = editor is not None and moderates(editor, comment.post)
    if not trusted and comment.status in (Comment.Status.APPROVED, Comment.Status.PENDING):
        verdict = moderation.judge_edit(comment)
        if verdict.status != comment.status or verdict.reasons:
            comment.status = verdict.status
            comment.hold_reasons = "; ".join(verdict.reasons)[:500]
            comment.flagged = verdict.flagged
            comment.spam_score = verdict.score
            fields += ["status", "hold_reasons", "flagged", "spam_score"]
    # A new text: links emailed about the old one no longer act on it.
    comment.save_moderated(fields)
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
        comment.save_moderated(["status", "body", "body_html", "author_email", "author_url"])
    else:
        parent = comment.parent
        comment.delete()
        while (
            parent is not None
            and parent.status == Comment.Status.REMOVED
            and not parent.removal_reason  # a moderator's removal stays on record
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
