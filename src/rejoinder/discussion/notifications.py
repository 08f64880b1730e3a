"""Notification email: who hears about a comment, and the message each one gets.

What goes out (``docs/notifications.md``):

* to the post's author: each new comment, or each comment held for moderation, with
  signed approve / spam / trash links (``Kind.AUTHOR_COMMENT``, ``AUTHOR_MODERATION``);
* to readers who ticked a box, once their address is confirmed: a reply to their comment
  (``REPLY``) or every new comment on the post (``POST_COMMENT``);
* to a reader's unconfirmed subscriptions: one request to confirm them (``CONFIRM``),
  and nothing else until they are confirmed (double opt-in, per subscription: a confirmed
  address alone does not let anyone subscribe it to every post).

Nothing here talks to the mail server. The functions called when comments come and go
decide who is told and queue ``tasks.send_notification``, one task per message, so each
message is retried on its own; the task calls ``build_message()`` when it runs, so a
comment moderated or deleted in the meantime is not announced.
"""

import contextlib
import datetime
import functools
import logging
import re
import secrets
from collections import namedtuple
from email.utils import formataddr
from enum import StrEnum
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from rejoinder.core.links import public_url
from rejoinder.core.networks import address_bucket
from rejoinder.core.people import public_name

from . import throttle
from .addresses import comment_location
from .models import Comment, DiscussionSettings, Subscriber, Subscription
from .plaintext import html_to_plain_text

logger = logging.getLogger(__name__)


class Kind(StrEnum):
    AUTHOR_COMMENT = "author_comment"
    AUTHOR_MODERATION = "author_moderation"
    REPLY = "reply"
    POST_COMMENT = "post_comment"
    CONFIRM = "confirm"


AUTHOR_KINDS = (Kind.AUTHOR_COMMENT, Kind.AUTHOR_MODERATION)

# The author's one-click decisions, and the status each sets.
MODERATION_ACTIONS = {
    "approve": Comment.Status.APPROVED,
    "spam": Comment.Status.SPAM,
    "trash": Comment.Status.TRASH,
}
MODERATION_LABELS = {"approve": "Approve", "spam": "Mark as spam", "trash": "Move to trash"}
# How long the links in an author's email work.
MODERATION_LINK_MAX_AGE = datetime.timedelta(days=7)

_UNSUBSCRIBE_SALT = "rejoinder.discussion.unsubscribe"
_MODERATE_SALT = "rejoinder.discussion.moderate"


# Who is told.


def never_fails_the_comment(function):
    """Log, rather than raise, an error in work set off by a comment already saved.

    These run once the comment is saved: after its commit, or inside its transaction
    (``comment_created``, so that the queued tasks commit with the comment), where they
    run in a savepoint, so a failed query leaves the comment's transaction usable. An
    error page would tell the reader their comment failed, and they would send it again.
    A failure here costs an email, which the log reports.
    """

    @functools.wraps(function)
    def guarded(comment, *args, **kwargs):
        inside = transaction.get_connection().in_atomic_block
        try:
            with transaction.atomic() if inside else contextlib.nullcontext():
                return function(comment, *args, **kwargs)
        except Exception:
            logger.exception("Notifications for comment %s failed", comment.pk)
            return None

    return guarded


@never_fails_the_comment
def comment_created(comment):
    """A comment was saved (called in its transaction): queue what it should set off.

    The post's author hears of a published comment or of one held for moderation (as the
    discussion settings say; never of their own, never of spam); subscribers hear of a
    published one (``comment_approved``).
    """
    kind = author_kind(comment, DiscussionSettings.load())
    if kind is not None:
        _enqueue("send_notification", kind=kind.value, comment_id=comment.pk)
    if comment.status == Comment.Status.APPROVED and comment.announced_at is None:
        # Saved unannounced only when someone listens (``has_listeners``).
        _enqueue("notify_subscribers", comment_id=comment.pk)


@never_fails_the_comment
def comment_approved(comment):
    """A comment was published: queue the email to the readers who asked for it.

    One task finds the addresses (``recipients()``) in the worker, so a post with many
    subscribers does not slow the request down. A comment is announced once: nothing is
    queued for one announced before (published, unpublished and published again). With
    no one to tell, the comment counts as announced now, so a reader who subscribes later
    does not hear of it when it is published again.
    """
    if Comment.objects.filter(pk=comment.pk, announced_at__isnull=False).exists():
        return
    if _subscriptions_for(comment).exists():
        _enqueue("notify_subscribers", comment_id=comment.pk)
    else:
        claim_announcement(comment.pk)


def has_listeners(comment):
    """Whether any confirmed subscription would hear of ``comment`` once published."""
    return _subscriptions_for(comment).exists()


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
    rows = _subscriptions_for(comment).select_related("subscriber")
    chosen = []
    for subscription in sorted(rows, key=lambda row: (row.comment_id is None, row.pk)):
        key = address_key(subscription.subscriber.email)
        if key in skip:
            continue
        skip.add(key)
        kind = Kind.POST_COMMENT if subscription.comment_id is None else Kind.REPLY
        chosen.append((kind, subscription))
    return chosen


def _subscriptions_for(comment):
    """Confirmed subscriptions to ``comment``'s post, and to replies to its parent.

    Each subscription is confirmed on its own (``Subscription.confirmed_at``): that the
    address was confirmed once is not enough.
    """
    wanted = Q(post_id=comment.post_id, comment__isnull=True)
    if comment.parent_id is not None:
        wanted |= Q(comment_id=comment.parent_id)
    return Subscription.objects.filter(wanted, confirmed_at__isnull=False)


def _enqueue(task_name, **kwargs):
    """Queue a task with the transaction that calls for it (at once outside one).

    The queue is a table of the same database: the task commits with the change that sets
    it off, or not at all, and the worker cannot see it before. Every caller is
    ``never_fails_the_comment``: a queue that cannot be written to is logged, not raised.
    """
    from . import tasks

    getattr(tasks, task_name).enqueue(**kwargs)


# Subscribing, confirming, unsubscribing.


# What a reader is told after ticking a box (``?subscription=`` on the page they land on).
NOTICE_SUBSCRIBED = "subscribed"
NOTICE_CONFIRM = "confirm"

# What ``subscribe()`` did: the subscriber; whether every subscription asked for is
# confirmed (email will come); whether a confirmation link for them went to the address,
# now or earlier within the window, and still works.
Subscribed = namedtuple("Subscribed", "subscriber confirmed link_pending")


@never_fails_the_comment
def subscribe(comment, *, replies, everything, ip_address, confirmed_browser=False):
    """Record a commenter's "email me" boxes; ask for confirmation where it is needed.

    ``replies``: replies to ``comment``; ``everything``: every new comment on its post.
    Each subscription is confirmed on its own. It is confirmed at once when a signed-in
    commenter uses their account's address, or when ``confirmed_browser`` says this
    browser confirmed the address before (``browser_confirmed()``). Otherwise it waits,
    and the address gets a confirmation request, at most one every
    ``NOTIFY_CONFIRM_HOURS``; one IP address (its /64 for IPv6) may ask for email
    ``NOTIFY_IP_HOURLY`` times an hour, past which the boxes are ignored.

    Returns ``Subscribed``, or None when nothing was recorded; ``subscription_notice()``
    turns it into what the reader is told.
    """
    email = normalize_address(comment.author_email)
    if not (replies or everything) or not email:
        return None
    if comment.status not in (Comment.Status.APPROVED, Comment.Status.PENDING):
        return None  # spam and trash do not get to have mail sent anywhere
    account = comment.user
    from_account = account is not None and same_address(account.email, email)
    if not from_account and ip_address and not _within_ip_limit(ip_address):
        logger.info("Ignored a request for email: too many from one IP address this hour.")
        return None
    proven = from_account or confirmed_browser
    now = timezone.now()
    with transaction.atomic():
        subscriber, _created = Subscriber.objects.get_or_create(email=email)
        if proven and subscriber.confirmed_at is None:
            subscriber.confirmed_at = now
            subscriber.save(update_fields=["confirmed_at"])
        subscriptions = []
        for target in ([comment] if replies else []) + ([None] if everything else []):
            subscription, _created = Subscription.objects.get_or_create(
                subscriber=subscriber,
                post_id=comment.post_id,
                comment=target,
                defaults={"confirmed_at": now if proven else None},
            )
            if proven and subscription.confirmed_at is None:
                subscription.confirmed_at = now
                subscription.save(update_fields=["confirmed_at"])
            subscriptions.append(subscription)
        confirmed = all(subscription.confirmed_at for subscription in subscriptions)
        if not confirmed and _claim_confirmation(subscriber):
            _enqueue(
                "send_notification",
                kind=Kind.CONFIRM.value,
                subscriber_id=subscriber.pk,
                comment_id=comment.pk,
            )
    link_pending = not confirmed and _link_pending(subscriber, now)
    return Subscribed(subscriber, confirmed, link_pending)


def subscription_notice(outcome):
    """What the page tells a reader who ticked a box, from ``subscribe()``'s outcome.

    ``NOTICE_SUBSCRIBED`` when email will come; ``NOTICE_CONFIRM`` when a link to confirm
    went to the address, now or within the window, and following it starts these
    subscriptions; None when nothing was recorded or no working link is on its way (the
    window is still closed after a link was used or voided), rather than a promise of an
    email that did not go.
    """
    if outcome is None:
        return None
    if outcome.confirmed:
        return NOTICE_SUBSCRIBED
    if outcome.link_pending:
        return NOTICE_CONFIRM
    return None


def _within_ip_limit(ip_address, now=None):
    """Count one request for email from ``ip_address``; False past the hourly limit.

    Counted per ``address_bucket``: an IPv6 address as its /64 (one customer's block,
    which they could otherwise cycle through), an IPv4-mapped one as its IPv4 address.
    """
    count, _wait = throttle.count_this_hour("notify-ip", address_bucket(ip_address), now)
    return count <= settings.NOTIFY_IP_HOURLY


def _claim_confirmation(subscriber):
    """Whether a confirmation may go to ``subscriber`` now; if so, note that it went.

    One per address per ``NOTIFY_CONFIRM_HOURS``: the database's ``confirmation_sent_at``
    for the exact address, and a cache key for the address in any letter case. The
    update is conditional, so two requests at once cannot both send. A link not yet used
    keeps its token, so a reminder carries the same link.
    """
    hours = settings.NOTIFY_CONFIRM_HOURS
    confirm_key = throttle.limit_key("notify", "confirm", address_key(subscriber.email))
    if not throttle.cache.add(confirm_key, 1, hours * 3600):
        return False
    now = timezone.now()
    token = subscriber.confirm_token or secrets.token_urlsafe(32)
    recently = Q(confirmation_sent_at__gte=now - datetime.timedelta(hours=hours))
    claimed = (
        Subscriber.objects.filter(pk=subscriber.pk)
        .exclude(recently)
        .update(confirmation_sent_at=now, confirm_token=token)
    )
    if claimed:
        subscriber.confirmation_sent_at, subscriber.confirm_token = now, token
    return bool(claimed)


def _link_pending(subscriber, now):
    """Whether a working confirmation link went to ``subscriber`` within the window."""
    sent = subscriber.confirmation_sent_at
    window = datetime.timedelta(hours=settings.NOTIFY_CONFIRM_HOURS)
    return bool(subscriber.confirm_token) and sent is not None and sent >= now - window


def unconfirmed_subscriptions(subscriber):
    """The subscriptions a confirmation link of ``subscriber``'s would start."""
    return (
        subscriber.subscriptions.filter(confirmed_at__isnull=True)
        .select_related("post", "comment")
        .order_by("pk")
    )


def pending_confirmation(token):
    """(subscriber, the subscriptions confirming would start) for a confirmation link,
    changing nothing; None for a used or unknown token."""
    subscriber = Subscriber.objects.filter(confirm_token=token).first() if token else None
    if subscriber is None:
        return None
    return subscriber, list(unconfirmed_subscriptions(subscriber))


def confirm(token):
    """Confirm the address a confirmation link was sent to, and start its subscriptions.

    Every subscription of the address still waiting is confirmed, and the address is
    marked confirmed. The link works once: its token is cleared by a conditional update,
    so of two requests at once one confirms. Returns (subscriber, the subscriptions
    started), or None for a used or unknown token.
    """
    if not token:
        return None
    now = timezone.now()
    with transaction.atomic():
        subscriber = Subscriber.objects.filter(confirm_token=token).first()
        if subscriber is None:
            return None
        used = Subscriber.objects.filter(pk=subscriber.pk, confirm_token=token).update(
            confirm_token="", confirmed_at=now
        )
        if not used:
            return None
        started = list(unconfirmed_subscriptions(subscriber))
        Subscription.objects.filter(pk__in=[s.pk for s in started]).update(confirmed_at=now)
    for subscription in started:
        subscription.confirmed_at = now
    subscriber.confirm_token, subscriber.confirmed_at = "", now
    return subscriber, started


# A browser that confirmed an address: a signed cookie of keyed digests of the addresses
# (never the addresses), set when a confirmation link's button is pressed. Later boxes
# ticked with one of those addresses in that browser are confirmed at once.
BROWSER_COOKIE = "rejoinder_confirmed"
_BROWSER_SALT = "rejoinder.discussion.confirmed-browser"
BROWSER_COOKIE_AGE = datetime.timedelta(days=365)
_BROWSER_KEEP = 10  # the most recent addresses remembered


def _address_digest(email):
    """A keyed digest of an address as stored: no one without the site's secret can tell
    which address it is, or make one."""
    value = normalize_address(email)
    return salted_hmac(_BROWSER_SALT, value, algorithm="sha256").hexdigest()[:32]


def _confirmed_digests(request):
    raw = request.get_signed_cookie(
        BROWSER_COOKIE,
        default="",
        salt=_BROWSER_SALT,
        max_age=BROWSER_COOKIE_AGE.total_seconds(),
    )
    return [part for part in raw.split(".") if part]


def browser_confirmed(request, email):
    """Whether this browser confirmed ``email`` before (its signed cookie says so)."""
    if not email:
        return False
    digest = _address_digest(email)
    return any(constant_time_compare(digest, known) for known in _confirmed_digests(request))


def remember_confirmed_browser(request, response, email):
    """Note on ``response`` that this browser confirmed ``email``: a signed, HTTP-only,
    SameSite=Lax cookie (secure as the session's) for ``BROWSER_COOKIE_AGE``."""
    digest = _address_digest(email)
    known = [digest, *(d for d in _confirmed_digests(request) if d != digest)][:_BROWSER_KEEP]
    response.set_signed_cookie(
        BROWSER_COOKIE,
        ".".join(known),
        salt=_BROWSER_SALT,
        max_age=int(BROWSER_COOKIE_AGE.total_seconds()),
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )


def unsubscribe(subscriber_id, subscription_id=None):
    """End one subscription, or (None) all of a subscriber's; return how many ended.

    Ending them all also voids a confirmation link not yet used: "this was not me".
    """
    subscriptions = Subscription.objects.filter(subscriber_id=subscriber_id)
    if subscription_id is not None:
        subscriptions = subscriptions.filter(pk=subscription_id)
    else:
        Subscriber.objects.filter(pk=subscriber_id).update(confirm_token="")
    removed, _per_model = subscriptions.delete()
    return removed


# Signed links.


def unsubscribe_token(subscriber_id, subscription_id=None):
    """The signed part of an unsubscribe link: one subscription, or all (None).

    It never expires: an unsubscribe link must work whenever the message is read.
    """
    value = f"{subscriber_id}-{subscription_id or 0}"
    return signing.Signer(salt=_UNSUBSCRIBE_SALT).sign(value)


def read_unsubscribe_token(token):
    """(subscriber id, subscription id or None) from a link, or None if it is not ours."""
    try:
        value = signing.Signer(salt=_UNSUBSCRIBE_SALT).unsign(token)
        subscriber_id, subscription_id = (int(part) for part in value.split("-"))
    except (signing.BadSignature, ValueError):
        return None
    return subscriber_id, subscription_id or None


ModerationLink = namedtuple("ModerationLink", "comment_id action status author_id version")


def moderation_token(comment, action):
    """The signed part of a moderation link: the comment, the action, the comment's status
    as the email tells it and its moderation version then, and the author it went to
    (valid ``MODERATION_LINK_MAX_AGE``)."""
    version = comment.moderation_version
    value = f"{comment.pk}-{action}-{comment.status}-{comment.post.author_id}-{version}"
    return signing.TimestampSigner(salt=_MODERATE_SALT).sign(value)


def read_moderation_token(token):
    """A ``ModerationLink``; raises ``signing.SignatureExpired`` for an old link and
    ``signing.BadSignature`` for anything else that is not a link of ours."""
    value = signing.TimestampSigner(salt=_MODERATE_SALT).unsign(
        token, max_age=MODERATION_LINK_MAX_AGE
    )
    parts = value.split("-")
    if len(parts) == 4:
        parts.append(None)  # a link from before links were single-use: never applies
    try:
        comment_id, action, status, author_id, version = parts
        version = None if version is None else int(version)
        link = ModerationLink(int(comment_id), action, status, int(author_id), version)
    except ValueError:
        raise signing.BadSignature("Malformed moderation link.") from None
    if action not in MODERATION_ACTIONS:
        raise signing.BadSignature("Unknown moderation action.")
    return link


def link_applies(link, comment):
    """Whether a moderation link may still act on ``comment``: its status and text are
    as the email told them (no link of that email was used, no moderator decided, its
    writer did not edit it, back into the queue or not), so each link works once."""
    return comment.status == link.status and comment.moderation_version == link.version


# The messages.


def build_message(kind, *, comment_id=None, subscription_id=None, subscriber_id=None):
    """The email for one queued notification, or None if it no longer applies.

    It no longer applies when the comment is gone or was moderated since (an author is
    not asked to moderate a decided comment; readers only hear of published ones), when
    the reader unsubscribed, or when the address is confirmed already.
    """
    kind = Kind(kind)
    if kind is Kind.CONFIRM:
        return _confirmation(subscriber_id, comment_id)
    comment = (
        Comment.objects.select_related("post", "post__author", "user").filter(pk=comment_id).first()
    )
    if comment is None:
        return None
    if kind in AUTHOR_KINDS:
        return _to_author(kind, comment)
    return _to_subscriber(kind, comment, subscription_id)


def _to_author(kind, comment):
    author = comment.post.author
    wanted = Comment.Status.APPROVED if kind is Kind.AUTHOR_COMMENT else Comment.Status.PENDING
    if comment.status != wanted or not author.is_active or not author.email:
        return None
    title = comment.post.title
    # The threads of other sites' pages are held by an administrator (publishing.external).
    yours = (
        f"the comments on “{title}”, a page on another site, are yours to moderate"
        if comment.post.is_external
        else ""
    )
    wrote = f"you wrote “{title}”"
    if kind is Kind.AUTHOR_COMMENT:
        subject = f"New comment on “{title}”"
        actions = ["spam", "trash"]
        why = (
            f"You get this email because {yours or wrote} and this site emails authors "
            "about every new comment."
        )
    else:
        subject = f"Comment awaiting moderation on “{title}”"
        actions = ["approve", "spam", "trash"]
        why = (
            f"You get this email because {yours or wrote} and this site emails authors "
            "about comments held for moderation."
        )
    links = [
        {
            "label": MODERATION_LABELS[action],
            "url": site_address(
                reverse("discussion:moderate", args=[moderation_token(comment, action)])
            ),
        }
        for action in actions
    ]
    days = MODERATION_LINK_MAX_AGE.days
    context = {
        **_comment_context(comment),
        "moderation_links": links,
        "moderation_days": days,
        "hold_reasons": comment.hold_reasons,
    }
    return _message(
        kind,
        subject,
        formataddr((public_name(author), author.email)),
        why,
        context,
    )


def _to_subscriber(kind, comment, subscription_id):
    subscription = (
        Subscription.objects.select_related("subscriber").filter(pk=subscription_id).first()
    )
    if subscription is None or subscription.confirmed_at is None:
        return None
    subscriber = subscription.subscriber
    if (
        comment.status != Comment.Status.APPROVED
        or not comment.post.is_public
        or same_address(subscriber.email, comment.author_email)
    ):
        return None
    title = comment.post.title
    if kind is Kind.REPLY:
        subject = f"New reply to your comment on “{title}”"
        why = (
            "You get this email because you asked to be emailed replies to your comment "
            f"on “{title}”."
        )
    else:
        subject = f"New comment on “{title}”"
        why = f"You get this email because you asked to be emailed every new comment on “{title}”."
    unsubscribe_url = site_address(
        reverse("discussion:unsubscribe", args=[unsubscribe_token(subscriber.pk, subscription.pk)])
    )
    return _message(
        kind, subject, subscriber.email, why, _comment_context(comment), unsubscribe_url
    )


def _confirmation(subscriber_id, comment_id):
    """The request to confirm an address, naming every subscription the link starts."""
    subscriber = Subscriber.objects.filter(pk=subscriber_id).first()
    if subscriber is None or not subscriber.confirm_token:
        return None
    waiting = list(unconfirmed_subscriptions(subscriber))
    if not waiting:
        return None
    # The post the reader commented on first, then the others in the order asked for.
    comment = Comment.objects.filter(pk=comment_id).only("post_id").first()
    first_post = comment.post_id if comment is not None else waiting[0].post_id
    waiting.sort(key=lambda s: (s.post_id != first_post, s.pk))
    posts = {}
    for subscription in waiting:
        entry = posts.setdefault(
            subscription.post_id, {"post": subscription.post, "replies": False, "all": False}
        )
        entry["all" if subscription.comment_id is None else "replies"] = True
    items = [
        {
            "title": entry["post"].title,
            "url": site_address(entry["post"].get_absolute_url()),
            "wants": " and ".join(
                want
                for want, wanted in (
                    ("replies to your comment", entry["replies"]),
                    ("every new comment", entry["all"]),
                )
                if wanted
            ),
        }
        for entry in posts.values()
    ]
    others = len(items) - 1
    where = f"“{items[0]['title']}”"
    if others:
        where += f" and {others} other post{'s' if others != 1 else ''}"
    subject = f"Confirm your email address for comments on {where}"
    why = (
        f"You get this email because someone, we hope you, commented on {where} with "
        "this address and asked for email. Nothing more is sent until you confirm; if it "
        "was not you, ignore this message or unsubscribe."
    )
    context = {
        "items": items,
        "confirm_url": site_address(reverse("discussion:confirm", args=[subscriber.confirm_token])),
    }
    unsubscribe_url = site_address(
        reverse("discussion:unsubscribe", args=[unsubscribe_token(subscriber.pk)])
    )
    return _message(Kind.CONFIRM, subject, subscriber.email, why, context, unsubscribe_url)


def _comment_context(comment):
    """What every message about a comment shows: who wrote what, where, with links."""
    from . import comments

    post = comment.post
    comment_url = reply_url = ""
    if comment.status == Comment.Status.APPROVED:
        try:
            comment_url = site_address(comment_location(comment))
        except NoReverseMatch:  # a page's comments have no paged addresses
            comment_url = site_address(comment.get_absolute_url())
        if post.is_external:
            # Another site's page: replies are written in its embed, under the comment.
            reply_url = comment_url if comments.comments_open(post) else ""
        elif comments.comments_open(post):
            kwargs = {**post.url_kwargs(), "comment": comment.pk}
            with contextlib.suppress(NoReverseMatch):
                reply_url = site_address(reverse("discussion:reply", kwargs=kwargs))
    return {
        "post_title": post.title,
        "post_url": site_address(post.get_absolute_url()),
        "commenter": comment.author_name,
        "commenter_url": comment.author_url,
        "comment_html": comment.body_html,
        "comment_text": html_to_plain_text(comment.body_html),
        "comment_url": comment_url,
        "reply_url": reply_url,
        "is_reply": comment.parent_id is not None,
    }


def _message(kind, subject, to, why, context, unsubscribe_url=""):
    """Both parts from ``discussion/mail/<kind>.txt`` and ``.html``, and the headers.

    Readers' messages carry RFC 8058 one-click unsubscribe headers (``List-Unsubscribe``
    with an HTTPS address, ``List-Unsubscribe-Post``); every message says it was sent by
    a machine (``Auto-Submitted``, RFC 3834), so vacation replies stay away.
    """
    subject = " ".join(subject.split())  # a title's line break must not end the header
    context = {
        **context,
        "subject": subject,
        "why": why,
        "unsubscribe_url": unsubscribe_url,
        "site_title": settings.SITE_TITLE,
        "site_url": site_address("/"),
    }
    text = render_to_string(f"discussion/mail/{kind}.txt", context)
    text = re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"
    html = render_to_string(f"discussion/mail/{kind}.html", context)
    headers = {"Auto-Submitted": "auto-generated"}
    if unsubscribe_url:
        headers["List-Unsubscribe"] = f"<{unsubscribe_url}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message = EmailMultiAlternatives(subject, text, to=[to], headers=headers)
    message.attach_alternative(html, "text/html")
    return message


# Addresses.


def site_address(path):
    """``path`` as a full address, for email: there is no request to take the host from.

    ``REJOINDER_SITE_URL`` when it is set (production should set it); otherwise the first
    host name the site answers to. ``rejoinder run`` gives its worker the address it
    serves at. An absolute address (another site's page, whose thread is here) is
    left alone.
    """
    url = public_url(path)
    if urlsplit(url).scheme:
        return url
    host = next(
        (name for name in settings.ALLOWED_HOSTS if name != "*" and not name.startswith(".")),
        "localhost",
    )
    scheme = "https" if settings.SECURE_SSL_REDIRECT else "http"
    return f"{scheme}://{host}{path}"


def normalize_address(email):
    """An address as stored: the domain in lower case (it is case-blind), the rest exact."""
    email = (email or "").strip()
    local, at, domain = email.rpartition("@")
    return f"{local}@{domain.lower()}" if at else email


def address_key(email):
    """An address for comparing: the same mailbox whatever the letter case."""
    return (email or "").strip().lower()


def same_address(first, second):
    return bool(first) and bool(second) and address_key(first) == address_key(second)
