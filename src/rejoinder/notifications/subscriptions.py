"""Subscribing, confirming, unsubscribing: the reader's side of notification email.

A reader ticks "email me replies" or "email me every new comment" under the comment form;
each subscription waits for its own confirmation (double opt-in: a confirmed address alone
does not let anyone subscribe it to every post), unless the reader proves the address:
signed in with it, or in a browser that confirmed it before (a signed cookie of keyed
digests, never the addresses).
"""

import datetime
import logging
import secrets
from collections import namedtuple

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from rejoinder.core.networks import address_bucket
from rejoinder.discussion import throttle
from rejoinder.discussion.models import Comment

from . import tasks
from .mailboxes import address_key, normalize_address, same_address
from .models import Subscriber, Subscription
from .recipients import Kind

logger = logging.getLogger(__name__)

# What a reader is told after ticking a box (``?subscription=`` on the page they land on).
NOTICE_SUBSCRIBED = "subscribed"
NOTICE_CONFIRM = "confirm"

# What ``subscribe()`` did: the subscriber; whether every subscription asked for is
# confirmed (email will come); whether a confirmation link for them went to the address,
# now or earlier within the window, and still works.
Subscribed = namedtuple("Subscribed", "subscriber confirmed link_pending")


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
            tasks.send_notification.enqueue(
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


def pending_confirmation(token):
    """(subscriber, the subscriptions confirming would start) for a confirmation link,
    changing nothing; None for a used or unknown token."""
    subscriber = Subscriber.objects.filter(confirm_token=token).first() if token else None
    if subscriber is None:
        return None
    return subscriber, list(subscriber.unconfirmed_subscriptions())


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
        started = list(subscriber.unconfirmed_subscriptions())
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
