"""The messages: one email per queued notification, built when its task runs.

The task (``tasks.send_notification``) calls ``build_message()`` when it runs, so a comment
moderated or deleted in the meantime is not announced, and a reader who unsubscribed in
the meantime is not written to.
"""

import contextlib
import re
from email.utils import formataddr
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse

from rejoinder.core.links import public_url
from rejoinder.core.people import public_name
from rejoinder.discussion import comments
from rejoinder.discussion.models import Comment
from rejoinder.discussion.plaintext import html_to_plain_text
from rejoinder.discussion.thread import locations
from rejoinder.discussion.thread.locations import comment_location

from .mailboxes import same_address
from .models import Subscriber, Subscription
from .recipients import AUTHOR_KINDS, Kind
from .tokens import MODERATION_LABELS, MODERATION_LINK_MAX_AGE, moderation_token, unsubscribe_token


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
        if locations.elsewhere(comment.post)
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
                reverse("notifications:moderate", args=[moderation_token(comment, action)])
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
        reverse(
            "notifications:unsubscribe", args=[unsubscribe_token(subscriber.pk, subscription.pk)]
        )
    )
    return _message(
        kind, subject, subscriber.email, why, _comment_context(comment), unsubscribe_url
    )


def _confirmation(subscriber_id, comment_id):
    """The request to confirm an address, naming every subscription the link starts."""
    subscriber = Subscriber.objects.filter(pk=subscriber_id).first()
    if subscriber is None or not subscriber.confirm_token:
        return None
    waiting = list(subscriber.unconfirmed_subscriptions())
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
        "confirm_url": site_address(
            reverse("notifications:confirm", args=[subscriber.confirm_token])
        ),
    }
    unsubscribe_url = site_address(
        reverse("notifications:unsubscribe", args=[unsubscribe_token(subscriber.pk)])
    )
    return _message(Kind.CONFIRM, subject, subscriber.email, why, context, unsubscribe_url)


def _comment_context(comment):
    """What every message about a comment shows: who wrote what, where, with links."""
    post = comment.post
    comment_url = reply_url = ""
    if comment.status == Comment.Status.APPROVED:
        try:
            comment_url = site_address(comment_location(comment))
        except NoReverseMatch:  # a page's comments have no paged addresses
            comment_url = site_address(comment.get_absolute_url())
        if comments.comments_open(post):
            # Another site's page: the comment there, whose embed has the Reply button.
            with contextlib.suppress(NoReverseMatch):  # a page's comments have no reply page
                reply_url = site_address(locations.reply_url(post, comment.pk))
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
    """Both parts from ``notifications/mail/<kind>.txt`` and ``.html``, and the headers.

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
    text = render_to_string(f"notifications/mail/{kind}.txt", context)
    text = re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"
    html = render_to_string(f"notifications/mail/{kind}.html", context)
    headers = {"Auto-Submitted": "auto-generated"}
    if unsubscribe_url:
        headers["List-Unsubscribe"] = f"<{unsubscribe_url}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message = EmailMultiAlternatives(subject, text, to=[to], headers=headers)
    message.attach_alternative(html, "text/html")
    return message


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
