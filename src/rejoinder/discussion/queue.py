"""The moderation queue: which comments wait for a decision, what a moderator needs to see
beside each one, and the decisions taken from it.

A page of the queue costs the same few queries whatever it holds: the tabs' counts (one
aggregate), the page's count and rows (post, parent and account joined), and the
commenters' histories (one aggregate for the whole page).
"""

import html
from collections import defaultdict
from dataclasses import dataclass
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.db import models, transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.html import strip_tags
from django.utils.text import Truncator

from . import comments
from .errors import CommentRefused
from .models import Comment

PER_PAGE = 50
# Enough of the parent to know what is being answered; the rest is a click away.
PARENT_EXCERPT_CHARS = 200


class Tab(models.TextChoices):
    PENDING = "pending", "Pending"
    HELD = "held", "Held by the rules"
    SPAM = "spam", "Spam"


# Pending comments are every comment awaiting approval; held ones are those the rules
# held (a reason is recorded), as opposed to pre-moderation of a whole post or site alone.
FILTERS = {
    Tab.PENDING: Q(status=Comment.Status.PENDING),
    # Held by what it says (hold list, links, spam score), not only by pre-moderation.
    Tab.HELD: Q(status=Comment.Status.PENDING, flagged=True),
    Tab.SPAM: Q(status=Comment.Status.SPAM),
}


class Action(models.TextChoices):
    APPROVE = "approve", "Approve"
    SPAM = "spam", "Spam"
    TRASH = "trash", "Trash"
    REMOVE = "remove", "Remove"
    LOCK = "lock", "Lock replies"
    UNLOCK = "unlock", "Reopen replies"


STATUS_OF = {
    Action.APPROVE: Comment.Status.APPROVED,
    Action.SPAM: Comment.Status.SPAM,
    Action.TRASH: Comment.Status.TRASH,
}
DONE = {
    Action.APPROVE: "approved",
    Action.SPAM: "marked as spam",
    Action.TRASH: "moved to the trash",
    Action.REMOVE: "removed",
    Action.LOCK: "closed to replies",
    Action.UNLOCK: "reopened to replies",
}


@dataclass
class History:
    """A commenter's record: how many of their comments were approved, how many spam."""

    approved: int = 0
    spam: int = 0


def tab_counts():
    """How many comments each tab holds, in one query: ``{"pending": 3, ...}``."""
    waiting = Comment.objects.filter(status__in=[Comment.Status.PENDING, Comment.Status.SPAM])
    return waiting.aggregate(**{tab.value: Count("pk", filter=FILTERS[tab]) for tab in Tab})


def pending_count():
    """The number in the admin header's badge (the ``comment_queue`` index answers it)."""
    return Comment.objects.pending().count()


def in_tab(tab):
    """The comments of one tab, newest first."""
    return Comment.objects.filter(FILTERS[Tab(tab)]).order_by("-created_at", "-pk")


def queue_page(tab, number):
    """One page of a tab, each comment with ``history`` and ``parent_excerpt`` set.

    ``number`` may be anything a query string holds: out of range or not a number gives
    the last or first page, as ``Paginator.get_page`` does.
    """
    rows = in_tab(tab).select_related("post", "parent", "user")
    page = Paginator(rows, PER_PAGE).get_page(number)
    items = list(page.object_list)
    found = histories(items)
    for comment in items:
        comment.history = found.get(comment.pk)
        comment.parent_excerpt = ""
        if comment.parent is not None:
            # A reply is on its parent's post: its link needs no query of its own.
            comment.parent.post = comment.post
            comment.parent_excerpt = excerpt(comment.parent.body_html)
        comment.reasons = [r for r in comment.hold_reasons.split("; ") if r]
        comment.ban_url = ban_url(comment)
    page.object_list = items
    return page


def histories(rows):
    """``{comment id: History}`` for many comments in one query.

    A comment by an account is counted by the account; any other by its email address
    (as ``moderation.is_trusted`` counts a first-time commenter). A comment with neither
    has no history and no entry.
    """
    user_ids = {c.user_id for c in rows if c.user_id is not None}
    emails = {c.author_email for c in rows if c.user_id is None and c.author_email}
    if not user_ids and not emails:
        return {}
    who = Q()
    if user_ids:
        who |= Q(user_id__in=user_ids)
    if emails:
        who |= Q(author_email__in=emails)
    counts = (
        Comment.objects.filter(who, status__in=[Comment.Status.APPROVED, Comment.Status.SPAM])
        .values_list("user_id", "author_email", "status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    by_user, by_email = defaultdict(History), defaultdict(History)
    for user_id, email, status, n in counts:
        # One group may count for both an account and an address seen without it.
        for history in (
            by_user[user_id] if user_id in user_ids else None,
            by_email[email] if email in emails else None,
        ):
            if history is None:
                continue
            if status == Comment.Status.APPROVED:
                history.approved += n
            else:
                history.spam += n
    found = {}
    for comment in rows:
        if comment.user_id is not None:
            found[comment.pk] = by_user[comment.user_id]
        elif comment.author_email:
            found[comment.pk] = by_email[comment.author_email]
    return found


def excerpt(body_html):
    """A comment's text as plain text (to be escaped where shown), cut short."""
    text = " ".join(html.unescape(strip_tags(body_html)).split())
    return Truncator(text).chars(PARENT_EXCERPT_CHARS)


def ban_url(comment):
    """The admin's "add ban" form filled in for this commenter: account, else email, else IP."""
    if comment.user_id is not None:
        initial = {"user": comment.user_id}
    elif comment.author_email:
        initial = {"email": comment.author_email}
    elif comment.ip_address:
        initial = {"ip_range": comment.ip_address}
    else:
        return ""
    return f"{reverse('admin:discussion_ban_add')}?{urlencode(initial)}"


@transaction.atomic
def decide(chosen, action, reason=""):
    """Apply one moderator's decision to each of the ``chosen`` comments: all or none.

    Statuses go through ``comments.set_status`` (the classifier learns, approvals release
    notifications), removals through ``comments.remove_comment`` (which needs a reason),
    locks through ``comments.lock_branch``. Raises ``CommentRefused`` naming the field at
    fault; then nothing has changed. Returns the message for the moderator.
    """
    action = Action(action)
    if not chosen:
        raise CommentRefused("comment", "Comments: select at least one comment.")
    for comment in chosen:
        if action in STATUS_OF:
            comments.set_status(comment, STATUS_OF[action])
        elif action == Action.REMOVE:
            comments.remove_comment(comment, reason)
        else:
            comments.lock_branch(comment, locked=action == Action.LOCK)
    noun = "comment" if len(chosen) == 1 else "comments"
    return f"{len(chosen)} {noun} {DONE[action]}."
