"""Posting a comment through the API: the comment form's rules, word for word.

The JSON is validated by the same ``CommentForm`` the post page uses (limits, messages,
the robot trap, the signed ``issued`` stamp and its age), the same reference check as the
form view, then ``create_comment()``: moderation, bans and flood limits are the form's.

The API never uses the session: a comment is always a reader's without an account, so a
session cookie sent along grants nothing and needs no CSRF token. A JSON content type is
required, so a browser on another site must ask first (CORS preflight), which only the
``REJOINDER_CORS_ORIGINS`` allow-list passes; an ``Origin`` outside it is refused here too.

A comment for a page of another site (``/comments/by-url``) goes the same way; the page's
first comment makes its thread (``publishing.external``) in the comment's transaction,
so a refused comment leaves none behind.
"""

from django.db import transaction
from ninja import Status

from rejoinder.core.links import absolute_url
from rejoinder.discussion import comments, submissions
from rejoinder.discussion.forms import STAMP_REFUSED, CommentForm
from rejoinder.discussion.models import Comment
from rejoinder.discussion.thread import rows
from rejoinder.discussion.thread.locations import comment_location
from rejoinder.publishing import external

from .origins import check_origin
from .pages import new_page_address, post_for_url
from .posts import PROBLEMS, PostId, comment_data, get_post, router
from .problems import Problem, field_error
from .schemas import CommentCreated, CommentIn, PageCommentIn, ProblemOut

# Registered on the posts router: its path is also the thread's (GET), and Django
# resolves one view per path.

MESSAGES = {
    "approved": "Your comment is published.",
    # Spam is answered as held, as the form does: a spammer learns nothing.
    "pending": "Your comment is awaiting moderation; it will appear once a moderator approves it.",
}


def form_problem(form):
    """A 422 problem from the form's errors, each naming its field and the field's limit."""
    entries = []
    for name, errors in form.errors.as_data().items():
        for error in errors:
            field = name
            if name == "__all__":
                # The form's own checks: the stamp (missing, forged, expired, used) or the trap.
                field = "issued" if error.code == STAMP_REFUSED else "url"
            limits = {}
            form_field = form.fields.get(field)
            for limit in ("max_length", "min_length"):
                if getattr(form_field, limit, None) is not None:
                    limits[limit] = getattr(form_field, limit)
            entries.extend(field_error(field, str(message), **limits) for message in error)
    fields = ", ".join(dict.fromkeys(entry["field"] for entry in entries))
    return Problem(422, f"The comment was not saved: check {fields}.", entries)


POSTING = {
    201: CommentCreated,
    **PROBLEMS,
    400: ProblemOut,
    403: ProblemOut,
    415: ProblemOut,
    429: ProblemOut,
}


def check_request(request):
    check_origin(request)
    if request.content_type != "application/json":
        raise Problem(415, "Send the comment as JSON (Content-Type: application/json).")


@router.post(
    "/posts/{post_id}/comments",
    response=POSTING,
    summary="Post a comment (JSON; same rules as the comment form)",
)
def create(request, post_id: PostId, payload: CommentIn):
    check_request(request)
    return submit(request, get_post(post_id), payload)


@router.post(
    "/comments/by-url",
    response=POSTING,
    summary="Post a comment on the page at an address (the first one on a page of an "
    "allowed site starts its thread)",
)
def create_by_url(request, payload: PageCommentIn):
    check_request(request)
    post = post_for_url(request, payload.page_url)
    if post is not None:
        return submit(request, post, payload)
    address = new_page_address(request, payload.page_url)
    if address is None:
        raise Problem(
            404,
            "No published post of this site is at that address, and it is not a page of a "
            "site this one takes comments for (REJOINDER_CORS_ORIGINS).",
            [field_error("page_url", "Not a post here, nor a page of an allowed site.")],
        )
    with transaction.atomic():  # a refused comment rolls its new thread back
        thread = external.get_or_create_thread(address, payload.page_title)
        if thread is None:
            raise Problem(404, "This site has no account yet to hold other pages' comments.")
        return submit(request, thread, payload)


def submit(request, post, payload):
    """The comment in ``payload`` for ``post``, through the form's rules: 201 or a problem."""
    data = {
        "name": payload.name,
        "email": payload.email,
        "website": payload.website,
        "body": payload.body,
        "parent": "" if payload.parent is None else str(payload.parent),
        "quoted": payload.quoted,
        "issued": payload.issued,
        "url": payload.url,
    }
    for box in ("notify_replies", "notify_all"):
        if getattr(payload, box):
            data[box] = "on"
    form = CommentForm(data)
    parent = submissions.reply_target(data["parent"])
    if not submissions.check(form, post, parent):
        raise form_problem(form)
    try:
        submitted = submissions.submit(request, post, form, parent, session=False)
    except comments.CommentRefused as refusal:
        errors = (
            [field_error(refusal.field, refusal.message, **refusal.limits)] if refusal.field else []
        )
        raise Problem(
            refusal.status_code, refusal.message, errors, getattr(refusal, "retry_after", None)
        ) from None
    notice = submitted.notices.get("subscription")
    return Status(201, created_data(request, post, submitted.comment, notice))


def created_data(request, post, comment, subscription):
    approved = comment.status == Comment.Status.APPROVED
    status = "approved" if approved else "pending"
    data = comment_data(request, post, rows.from_comment(comment), "")
    data["status"] = status
    data["url"] = absolute_url(request, comment_location(comment)) if approved else None
    return {
        "status": status,
        "message": MESSAGES[status],
        "subscription": subscription,
        "comment": data,
    }
