"""Addresses of a post's discussion, reversed from the post's own URL parts."""

from django.urls import reverse


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
