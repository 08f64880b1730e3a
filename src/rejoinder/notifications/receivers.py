"""What the discussion's signals set off here: email queued, subscriptions recorded.

Nothing here talks to the mail server: the receivers decide who is told and queue
``tasks.send_notification``, one task per message, so each message is retried on its own.
"""

import contextlib
import functools
import logging

from django.db import transaction

from rejoinder.discussion import signals
from rejoinder.discussion.models import Comment, DiscussionSettings

from . import subscriptions, tasks
from .recipients import author_kind, claim_announcement, subscriptions_for

logger = logging.getLogger(__name__)


def connect():
    """Listen to the discussion (``NotificationsConfig.ready``)."""
    for signal, receiver in (
        (signals.comment_saved, comment_saved),
        (signals.comment_published, comment_published),
        (signals.comment_submitted, comment_submitted),
    ):
        signal.connect(receiver, sender=Comment, dispatch_uid=f"notifications-{receiver.__name__}")


def never_fails_the_comment(function):
    """Log, rather than raise, an error in work set off by a comment already saved.

    These run once the comment is saved: after its commit, or inside its transaction
    (``comment_saved``, so that the queued tasks commit with the comment), where they
    run in a savepoint, so a failed query leaves the comment's transaction usable. An
    error page would tell the reader their comment failed, and they would send it again.
    A failure here costs an email, which the log reports.
    """

    @functools.wraps(function)
    def guarded(sender, comment, **kwargs):
        inside = transaction.get_connection().in_atomic_block
        try:
            with transaction.atomic() if inside else contextlib.nullcontext():
                return function(sender, comment, **kwargs)
        except Exception:
            logger.exception("Notifications for comment %s failed", comment.pk)
            return None

    return guarded


@never_fails_the_comment
def comment_saved(sender, comment, **kwargs):
    """A comment was saved (in its transaction): queue what it should set off.

    The post's author hears of a published comment or of one held for moderation (as the
    discussion settings say; never of their own, never of spam); subscribers hear of a
    published one (``announce``).
    """
    kind = author_kind(comment, DiscussionSettings.load())
    if kind is not None:
        tasks.send_notification.enqueue(kind=kind.value, comment_id=comment.pk)
    if comment.status == Comment.Status.APPROVED and comment.announced_at is None:
        announce(comment)


@never_fails_the_comment
def comment_published(sender, comment, **kwargs):
    """A moderator published a comment: subscribers hear of it, once (``announce``)."""
    if Comment.objects.filter(pk=comment.pk, announced_at__isnull=False).exists():
        return  # announced before (published, unpublished and published again)
    announce(comment)


def announce(comment):
    """Queue the email to the readers who asked for it, or, with no one to tell, count
    the comment as announced now, so a reader who subscribes later does not hear of it
    when it is published again.

    One task finds the addresses (``recipients()``) in the worker, so a post with many
    subscribers does not slow the request down.
    """
    if subscriptions_for(comment).exists():
        tasks.notify_subscribers.enqueue(comment_id=comment.pk)
    else:
        claim_announcement(comment.pk)


@never_fails_the_comment
def comment_submitted(sender, comment, wishes, request, **kwargs):
    """A reader's "email me" boxes: record them, and say what the reader is told
    (``{"subscription": notice}``), or nothing."""
    email = comment.author_email
    outcome = subscriptions.subscribe(
        comment,
        replies=wishes.get("notify_replies", False),
        everything=wishes.get("notify_all", False),
        ip_address=comment.ip_address,
        confirmed_browser=request is not None and subscriptions.browser_confirmed(request, email),
    )
    notice = subscriptions.subscription_notice(outcome)
    return {"subscription": notice} if notice else {}
