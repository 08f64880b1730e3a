"""A reader submits a comment: the one workflow behind the comment form and the API.

Both make a ``CommentForm`` of what the reader sent and find the comment it answers
(``reply_target``); ``check()`` adds what the comment refers to to the form's own checks,
so every error shows at once; ``submit()`` creates the comment with the rules every
reader's comment keeps (``comments.create_comment``) and sends ``comment_submitted``, so
the apps above act on the reader's wishes (notifications: the "email me" boxes) and say
what the reader is to be told.
"""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError

from rejoinder.core.numbers import whole_number

from . import comments, signals
from .models import Comment


def reply_target(value):
    """The comment a form's ``parent`` names (looked up before validation, so a refused
    reply still shows what it answers), or None."""
    pk = whole_number(value)
    return Comment.objects.filter(pk=pk).first() if pk is not None else None


def check(form, post, parent):
    """Whether ``form`` is valid, what it refers to included (``reference_errors``)."""
    if form.is_valid():
        data = form.cleaned_data
        errors = comments.reference_errors(post, data.get("parent"), parent, data["quoted"])
        for name, message in errors.items():
            # The hidden parent field has no label to start its message with.
            form.add_error(name, message if name == "parent" else ValidationError(message))
    return form.is_valid()


@dataclass
class Submitted:
    comment: Comment
    # What the reader is told besides (``signals.comment_submitted``), by name.
    notices: dict = field(default_factory=dict)


def submit(request, post, form, parent, *, session):
    """The comment of a checked ``form``; raises ``comments.CommentRefused``.

    ``session``: whether the request's account and cookies are the reader's (the form
    view), or are ignored (the API, whose comments are always a reader's without an
    account, from wherever they come).
    """
    data = form.cleaned_data
    user = request.user if session and request.user.is_authenticated else None
    comment = comments.create_comment(
        post=post,
        parent=parent,
        body=data["body"],
        user=user,
        author_name=data.get("name", ""),
        author_email=data.get("email", ""),
        author_url=data.get("website", ""),
        ip_address=request.META.get("REMOTE_ADDR") or None,
        user_agent=request.headers.get("User-Agent", ""),
        stamp=data["stamp"],
        quoted_anchor=data["quoted"],
    )
    responses = signals.comment_submitted.send(
        sender=Comment, comment=comment, wishes=data, request=request if session else None
    )
    notices = {}
    for _receiver, notice in responses:
        notices.update(notice or {})
    return Submitted(comment, notices)
