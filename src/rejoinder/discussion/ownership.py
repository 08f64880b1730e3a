"""Which comments a reader without an account wrote: a signed cookie of ids (as Isso does).

The cookie lives as long as the edit window, so it proves authorship exactly as long as
authorship grants anything.
"""

from django.conf import settings

from rejoinder.core.numbers import whole_number

from .models import Comment

COOKIE = "rejoinder_comments"
SALT = "rejoinder.discussion.ownership"
KEEP = 30  # the most recent comment ids remembered


def owned_ids(request):
    raw = request.get_signed_cookie(COOKIE, default="", salt=SALT, max_age=_max_age())
    return {number for part in raw.split(",") if (number := whole_number(part)) is not None}


def remember(request, response, comment_id):
    ids = [comment_id, *sorted(owned_ids(request), reverse=True)][:KEEP]
    response.set_signed_cookie(
        COOKIE,
        ",".join(map(str, ids)),
        salt=SALT,
        max_age=_max_age(),
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )


def _max_age():
    return max(60, settings.COMMENT_EDIT_MINUTES * 60)


def awaiting_comment(request, post):
    """The reader's own comment on ``post`` that waits for a moderator, if the address
    names one (``?unapproved=<id>``, as WordPress does) and the reader wrote it."""
    wanted = whole_number(request.GET.get("unapproved", ""))
    if wanted is None:
        return None
    comment = Comment.objects.filter(pk=wanted, post=post).first()
    if comment is None or comment.status not in (Comment.Status.PENDING, Comment.Status.SPAM):
        return None
    user = request.user
    mine = (
        comment.user_id == user.pk
        if user.is_authenticated and comment.user_id
        else comment.pk in owned_ids(request)
    )
    return comment if mine else None
