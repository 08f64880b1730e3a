"""The pages behind the links in notification email: confirm, unsubscribe, moderate.

None needs a login or a cookie: the link itself is the authority (a random token, or a
signature made with the site's secret). For the same reason their forms carry no CSRF
token and the views are exempt from the check: a forger would need the very link they
are trying to forge, and RFC 8058's one-click POST comes from a mail provider that has
no cookie to send.
"""

from django.core import signing
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe

from . import comments, notifications
from .models import Comment, Subscription


def _page(request, template, context, status=200):
    response = render(request, f"discussion/{template}", context, status=status)
    # Pages reached through someone's private link: not for search engines.
    response["X-Robots-Tag"] = "noindex"
    return response


@never_cache
@require_safe
def confirm(request, token):
    """Confirm a reader's address from the link in the confirmation email; once.

    A second visit finds the token gone and says the link was used or is not valid.
    """
    subscriber = notifications.confirm(token)
    if subscriber is None:
        return _page(request, "mail_confirm.html", {"confirmed": False}, status=404)
    subscriptions = subscriber.subscriptions.select_related("post", "comment")
    return _page(request, "mail_confirm.html", {"confirmed": True, "subscriptions": subscriptions})


@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    """Unsubscribe in one step: a click on the link (GET) or RFC 8058's one-click POST.

    The POST a mail provider sends for ``List-Unsubscribe-Post`` (a body of
    ``List-Unsubscribe=One-Click``) gets a plain 200, no redirect, as RFC 8058 asks. The
    page after a click offers to end the reader's other subscriptions too.
    """
    parsed = notifications.read_unsubscribe_token(token)
    if parsed is None:
        return _page(request, "mail_unsubscribe.html", {"valid": False}, status=404)
    subscriber_id, subscription_id = parsed
    ended = None
    if subscription_id is not None:
        ended = (
            Subscription.objects.select_related("post", "comment")
            .filter(pk=subscription_id, subscriber_id=subscriber_id)
            .first()
        )
    removed = notifications.unsubscribe(subscriber_id, subscription_id)
    if request.method == "POST" and request.POST.get("List-Unsubscribe") == "One-Click":
        return HttpResponse("Unsubscribed.\n", content_type="text/plain; charset=utf-8")
    remaining = Subscription.objects.filter(subscriber_id=subscriber_id).count()
    context = {
        "valid": True,
        "removed": removed,
        "ended": ended,
        "everything": subscription_id is None,
        "remaining": remaining,
        "all_token": notifications.unsubscribe_token(subscriber_id),
    }
    return _page(request, "mail_unsubscribe.html", context)


@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def moderate(request, token):
    """An author's approve / spam / trash link from a notification email.

    GET only shows the comment and one button; the button's POST does it. Mail scanners,
    link checkers and previews fetch every link in a message, and must not approve or
    delete comments by doing so. No login is asked for: the signature is the authority.
    It names the comment, the action, the status the email announced and the author it
    went to, and lasts ``MODERATION_LINK_MAX_AGE``; it works only while the comment still
    has that status, so an old link cannot undo a later decision, and only while that
    person is still the post's active author.
    """
    try:
        link = notifications.read_moderation_token(token)
    except signing.SignatureExpired:
        context = {"problem": "expired", "days": notifications.MODERATION_LINK_MAX_AGE.days}
        return _page(request, "mail_moderate.html", context, status=410)
    except signing.BadSignature:
        return _page(request, "mail_moderate.html", {"problem": "invalid"}, status=404)
    comment = (
        Comment.objects.select_related("post", "post__author").filter(pk=link.comment_id).first()
    )
    if comment is None:
        return _page(request, "mail_moderate.html", {"problem": "gone"}, status=404)
    author = comment.post.author
    if author.pk != link.author_id or not author.is_active:
        return _page(request, "mail_moderate.html", {"problem": "invalid"}, status=404)
    context = {
        "comment": comment,
        "post": comment.post,
        "action": link.action,
        "label": notifications.MODERATION_LABELS[link.action],
    }
    if comment.status != link.status:
        context["problem"] = "decided"
        return _page(request, "mail_moderate.html", context, status=409)
    if request.method == "POST":
        comments.set_status(comment, notifications.MODERATION_ACTIONS[link.action])
        context["done"] = True
    return _page(request, "mail_moderate.html", context)
