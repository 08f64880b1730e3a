"""The pages behind the links in notification email: confirm, unsubscribe, moderate.

None needs a login or a cookie: the link itself is the authority (a random token, or a
signature made with the site's secret). For the same reason their forms carry no CSRF
token and the views are exempt from the check: a forger would need the very link they
are trying to forge, and RFC 8058's one-click POST comes from a mail provider that has
no cookie to send.

Mail scanners, link checkers and previews fetch every link in a message, so a GET never
confirms or moderates: it shows a page with one button, and the button's POST acts. (An
unsubscribe GET does act: one click must be enough, and a scanner unsubscribing an
address is harmless.) The only cookie any of them sets is the confirm button's, which
remembers that this browser confirmed the address.
"""

from django.core import signing
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from rejoinder.discussion import comments
from rejoinder.discussion.models import Comment

from . import subscriptions, tokens
from .models import Subscription


def _page(request, template, context, status=200):
    response = render(request, f"notifications/{template}", context, status=status)
    # Pages reached through someone's private link: not for search engines.
    response["X-Robots-Tag"] = "noindex"
    return response


@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def confirm(request, token):
    """The link in a confirmation email: GET shows what it starts and one button.

    The button's POST confirms the address and starts its waiting subscriptions, once:
    it uses the token up, so pressing it again, or a later visit, says the link was used
    or is not valid. Its response also remembers, in a signed cookie, that this browser
    confirmed the address (``subscriptions.remember_confirmed_browser``).
    """
    invalid = {"valid": False, "done": False}
    if request.method == "POST":
        confirmed = subscriptions.confirm(token)
        if confirmed is None:
            return _page(request, "confirm.html", invalid, status=404)
        subscriber, started = confirmed
        context = {"valid": True, "done": True, "subscriptions": started}
        response = _page(request, "confirm.html", context)
        subscriptions.remember_confirmed_browser(request, response, subscriber.email)
        return response
    pending = subscriptions.pending_confirmation(token)
    if pending is None:
        return _page(request, "confirm.html", invalid, status=404)
    _subscriber, waiting = pending
    context = {"valid": True, "done": False, "subscriptions": waiting}
    return _page(request, "confirm.html", context)


@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    """Unsubscribe in one step: a click on the link (GET) or RFC 8058's one-click POST.

    The POST a mail provider sends for ``List-Unsubscribe-Post`` (a body of
    ``List-Unsubscribe=One-Click``) gets a plain 200, no redirect, as RFC 8058 asks. The
    page after a click offers to end the reader's other subscriptions too.
    """
    parsed = tokens.read_unsubscribe_token(token)
    if parsed is None:
        return _page(request, "unsubscribe.html", {"valid": False}, status=404)
    subscriber_id, subscription_id = parsed
    ended = None
    if subscription_id is not None:
        ended = (
            Subscription.objects.select_related("post", "comment")
            .filter(pk=subscription_id, subscriber_id=subscriber_id)
            .first()
        )
    removed = subscriptions.unsubscribe(subscriber_id, subscription_id)
    if request.method == "POST" and request.POST.get("List-Unsubscribe") == "One-Click":
        return HttpResponse("Unsubscribed.\n", content_type="text/plain; charset=utf-8")
    remaining = Subscription.objects.filter(subscriber_id=subscriber_id).count()
    context = {
        "valid": True,
        "removed": removed,
        "ended": ended,
        "everything": subscription_id is None,
        "remaining": remaining,
        "all_token": tokens.unsubscribe_token(subscriber_id),
    }
    return _page(request, "unsubscribe.html", context)


@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def moderate(request, token):
    """An author's approve / spam / trash link from a notification email.

    GET only shows the comment and one button; the button's POST does it. Mail scanners,
    link checkers and previews fetch every link in a message, and must not approve or
    delete comments by doing so. No login is asked for: the signature is the authority.
    It names the comment, the action, the status the email announced and the comment's
    moderation version then, and the author it went to, and lasts
    ``MODERATION_LINK_MAX_AGE``; it works once, while the comment is as the email told it
    (``tokens.link_applies``): after any of the email's links acted, or a moderator
    or the comment's writer changed its status or text since, even back to the same
    status, the link says it was used or is out of date and points at the moderation
    queue. It works only while that person is still the post's active author.
    """
    try:
        link = tokens.read_moderation_token(token)
    except signing.SignatureExpired:
        context = {"expired": True, "days": tokens.MODERATION_LINK_MAX_AGE.days}
        return _page(request, "moderate.html", context, status=410)
    except signing.BadSignature:
        return _page(request, "moderate.html", {"invalid": True}, status=404)
    comment = (
        Comment.objects.select_related("post", "post__author").filter(pk=link.comment_id).first()
    )
    if comment is None:
        return _page(request, "moderate.html", {"gone": True}, status=404)
    author = comment.post.author
    if author.pk != link.author_id or not author.is_active:
        return _page(request, "moderate.html", {"invalid": True}, status=404)
    context = {
        "comment": comment,
        "post": comment.post,
        "label": tokens.MODERATION_LABELS[link.action],
        # Approving is the safe choice; the others get the warning style.
        "danger": link.action != "approve",
        "queue_url": reverse("admin:discussion_comment_queue"),
    }
    if request.method == "POST":
        acted = _act(link)
        if acted is not None:
            published = acted.status == Comment.Status.APPROVED
            context.update(comment=acted, done=True, published=published)
            return _page(request, "moderate.html", context)
        comment = Comment.objects.filter(pk=comment.pk).first()  # as it stands now
        if comment is None:
            return _page(request, "moderate.html", {"gone": True}, status=404)
        context["comment"] = comment
    if not tokens.link_applies(link, comment):
        context["decided"] = True
        return _page(request, "moderate.html", context, status=409)
    return _page(request, "moderate.html", context)


@transaction.atomic
def _act(link):
    """Take a moderation link's action if it still applies; the comment, or None.

    The row is locked (SQLite: the write lock is taken at BEGIN), so of two links of one
    email pressed at once, the second sees the first's change and does nothing.
    """
    comment = (
        Comment.objects.select_for_update().select_related("post").filter(pk=link.comment_id)
    ).first()
    if comment is None or not tokens.link_applies(link, comment):
        return None
    comments.set_status(comment, tokens.MODERATION_ACTIONS[link.action])
    return comment
