"""Who is told about a comment, and as what kind of message.

* the post's author: each new comment, or each comment held for moderation
  (``Kind.AUTHOR_COMMENT``, ``AUTHOR_MODERATION``), as the discussion settings say;
* readers whose subscription is confirmed: a reply to their comment (``REPLY``) or every
  new comment on the post (``POST_COMMENT``); once per comment (``claim_announcement``);
* a reader's unconfirmed subscriptions: one request to confirm them (``CONFIRM``).
"""

from enum import StrEnum

from django.db.models import Q
from django.utils import timezone

from rejoinder.discussion.models import Comment, DiscussionSettings

from .mailboxes import address_key, same_address
from .models import Subscription


class Kind(StrEnum):
    AUTHOR_COMMENT = "author_comment"
    AUTHOR_MODERATION = "author_moderation"
    REPLY = "reply"
    POST_COMMENT = "post_comment"
    CONFIRM = "confirm"


AUTHOR_KINDS = (Kind.AUTHOR_COMMENT, Kind.AUTHOR_MODERATION)


def author_kind(comment, rules):
    """What the post's author is told about ``comment``: a ``Kind``, or None."""
    author = comment.post.author
    if not author.is_active or not author.email:
        return None
    if comment.user_id == author.pk or same_address(comment.author_email, author.email):
        return None
    if comment.status == Comment.Status.APPROVED and rules.notify_author_comment:
        return Kind.AUTHOR_COMMENT
    if comment.status == Comment.Status.PENDING and rules.notify_author_moderation:
        return Kind.AUTHOR_MODERATION
    return None


def recipients(comment):
    """The confirmed subscriptions to tell about ``comment``, one per address, in order.

    Returns (kind, subscription) pairs. Someone subscribed both to replies to the parent
    and to the whole post gets one email, the reply one. Never the commenter (same
    address), and never the post's author when they hear of every new comment as author.
    """
    skip = {address_key(comment.author_email)}
    if comment.user is not None:
        skip.add(address_key(comment.user.email))
    author = comment.post.author
    if author.email and DiscussionSettings.load().notify_author_comment:
        skip.add(address_key(author.email))
    rows = subscriptions_for(comment).select_related("subscriber")
    chosen = []
    for subscription in sorted(rows, key=lambda row: (row.comment_id is None, row.pk)):
        key = address_key(subscription.subscriber.email)
        if key in skip:
            continue
        skip.add(key)
        kind = Kind.POST_COMMENT if subscription.comment_id is None else Kind.REPLY
        chosen.append((kind, subscription))
    return chosen


def subscriptions_for(comment):
    """Confirmed subscriptions to ``comment``'s post, and to replies to its parent.

    Each subscription is confirmed on its own (``Subscription.confirmed_at``): that the
    address was confirmed once is not enough.
    """
    wanted = Q(post_id=comment.post_id, comment__isnull=True)
    if comment.parent_id is not None:
        wanted |= Q(comment_id=comment.parent_id)
    return Subscription.objects.filter(wanted, confirmed_at__isnull=False)


def claim_announcement(comment_id):
    """Whether subscribers are to be told of this comment now: True once per comment.

    One conditional UPDATE of ``Comment.announced_at``: of two workers, or two approvals,
    racing for the same comment exactly one gets the row. Only a published comment is
    claimed, so one unpublished before its task ran is announced when published again.
    """
    claimed = Comment.objects.filter(
        pk=comment_id, status=Comment.Status.APPROVED, announced_at__isnull=True
    ).update(announced_at=timezone.now())
    return claimed == 1
