"""Where every comment and thread lives: our posts' discussion pages, and other sites'
pages, whose threads are shown (and answered) on those pages through the embed.

The one module that asks whether a thread's page is elsewhere (``elsewhere()``): the
renderer, the API, the embed, the form view and the emails ask it for addresses instead.
Addresses are returned as they are (paths of this site, or another site's address, already
normalised by ``publishing.external``): whoever prints one escapes it.
"""

from dataclasses import dataclass

from django.urls import reverse

from ..models import Comment
from . import pages

# A number no real comment has: reversed into a comment's address, then replaced per comment.
SENTINEL = 987654321987


def elsewhere(post):
    """Whether ``post`` is the thread of another site's page (``publishing.external``):
    no pages here; its comments are shown and answered on that page."""
    return post.is_external


def post_comment_url(post):
    """Where the comment form of ``post`` posts; None for another site's page, whose
    comments are sent by the page's address (the API's ``/comments/by-url``)."""
    if elsewhere(post):
        return None
    return reverse("discussion:post_comment", kwargs=post.url_kwargs())


def heading_url(post):
    """The address a thread's heading links: the post; for another site's page (the
    heading is shown there), this site's front page, naming the blog the comments are on."""
    return reverse("publishing:home") if elsewhere(post) else post.get_absolute_url()


def comment_page_url(post, page):
    """Page ``page`` of a big thread; page 1 is the post itself.

    A thread of another site's page has no pages here: every page is shown on that page
    (the embed loads them in place)."""
    if page == 1 or elsewhere(post):
        return f"{post.get_absolute_url()}#comments"
    return (
        reverse("discussion:comment_page", kwargs={**post.url_kwargs(), "page": page}) + "#comments"
    )


def comment_url(post, comment_id):
    """The comment's own page (it and its replies, its ancestors for context); for
    another site's page, the comment on that page."""
    if elsewhere(post):
        return f"{post.get_absolute_url()}#comment-{comment_id}"
    return reverse("discussion:comment", kwargs={**post.url_kwargs(), "comment": comment_id})


def reply_url(post, comment_id):
    """Where a reader replies to the comment (the reply page without JavaScript); for
    another site's page, the comment on that page, whose embed has the Reply button."""
    if elsewhere(post):
        return comment_url(post, comment_id)
    return reverse("discussion:reply", kwargs={**post.url_kwargs(), "comment": comment_id})


def edit_url(post, comment_id):
    """Where the comment is edited; for another site's page, the comment on that page."""
    if elsewhere(post):
        return comment_url(post, comment_id)
    return reverse("discussion:edit", kwargs={**post.url_kwargs(), "comment": comment_id})


@dataclass(frozen=True)
class ThreadAddresses:
    """A thread's addresses for a renderer: the post's, and each comment's as a template
    holding ``SENTINEL`` where the comment's id goes (reversed once, not per comment)."""

    post: str
    reply: str
    edit: str
    comment: str


def thread_addresses(post):
    return ThreadAddresses(
        post=post.get_absolute_url(),
        reply=reply_url(post, SENTINEL),
        edit=edit_url(post, SENTINEL),
        comment=comment_url(post, SENTINEL),
    )


def comment_location(comment):
    """Where a comment is shown: the post page, or the page of a big thread holding it."""
    post = comment.post
    anchor = f"#comment-{comment.pk}"
    if elsewhere(post):
        # Another site's page, where the embed shows every comment page in place.
        approved = comment.status == Comment.Status.APPROVED
        return post.get_absolute_url() + (anchor if approved else "#comments")
    if comment.status != Comment.Status.APPROVED:
        # Held (or quietly spammed): shown only to its writer, above the thread.
        return f"{post.get_absolute_url()}?unapproved={comment.pk}#awaiting"
    if not pages.is_paged(post):
        return post.get_absolute_url() + anchor
    if comment.parent_id:
        # A reply deep in a big thread may sit behind "more replies": its parent's own
        # page always shows it.
        return comment_url(post, comment.parent_id) + anchor
    kwargs = {**post.url_kwargs(), "page": pages.page_of(comment)}
    return reverse("discussion:comment_page", kwargs=kwargs) + anchor
