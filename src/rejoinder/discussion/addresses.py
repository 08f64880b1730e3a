"""Addresses of a post's discussion, reversed from the post's own URL parts, and where a
comment is shown (the form view, the API and the emails send readers there)."""

from django.urls import reverse

from . import threads
from .models import Comment


def post_comment_url(post):
    return reverse("discussion:post_comment", kwargs=post.url_kwargs())


def comment_page_url(post, page):
    """Page ``page`` of a big thread; page 1 is the post itself.

    A thread of another site's page has no pages here: every page is shown on that page
    (the embed loads them in place)."""
    if page == 1 or post.is_external:
        return f"{post.get_absolute_url()}#comments"
    return (
        reverse("discussion:comment_page", kwargs={**post.url_kwargs(), "page": page}) + "#comments"
    )


def comment_location(comment):
    """Where a comment is shown: the post page, or the page of a big thread holding it."""
    post = comment.post
    anchor = f"#comment-{comment.pk}"
    if post.is_external:
        # Another site's page, where the embed shows every comment page in place.
        approved = comment.status == Comment.Status.APPROVED
        return post.get_absolute_url() + (anchor if approved else "#comments")
    if comment.status != Comment.Status.APPROVED:
        # Held (or quietly spammed): shown only to its writer, above the thread.
        return f"{post.get_absolute_url()}?unapproved={comment.pk}#awaiting"
    if not threads.is_paged(post):
        return post.get_absolute_url() + anchor
    if comment.parent_id:
        # A reply deep in a big thread may sit behind "more replies": its parent's own
        # page always shows it.
        return comment.parent.page_url() + anchor
    kwargs = {**post.url_kwargs(), "page": threads.page_of(comment)}
    return reverse("discussion:comment_page", kwargs=kwargs) + anchor
