"""Where comments and threads live: our posts' pages, and other sites' pages."""

import pytest
from django.urls import reverse

from rejoinder.discussion.thread import locations
from rejoinder.publishing import external
from tests.factories import make_post

pytestmark = pytest.mark.django_db
PAGE = "https://friend.example/notes/x/"


def test_our_posts_comments_have_pages_here():
    post = make_post()
    kwargs = {**post.url_kwargs(), "comment": 7}
    assert locations.comment_url(post, 7) == reverse("discussion:comment", kwargs=kwargs)
    assert locations.reply_url(post, 7) == reverse("discussion:reply", kwargs=kwargs)
    assert locations.edit_url(post, 7) == reverse("discussion:edit", kwargs=kwargs)
    assert locations.post_comment_url(post).startswith(post.get_absolute_url())
    assert locations.heading_url(post) == post.get_absolute_url()
    assert locations.comment_page_url(post, 1) == f"{post.get_absolute_url()}#comments"
    assert locations.comment_page_url(post, 2).endswith("/comment-page-2/#comments")


def test_another_sites_page_is_where_its_comments_live():
    """No pages, form or reply page here: every address is the comment on that page."""
    thread = external.new_thread(PAGE)
    assert locations.elsewhere(thread)
    for address in (locations.comment_url, locations.reply_url, locations.edit_url):
        assert address(thread, 7) == f"{PAGE}#comment-7"
    assert locations.post_comment_url(thread) is None
    assert locations.heading_url(thread) == reverse("publishing:home")
    assert locations.comment_page_url(thread, 3) == f"{PAGE}#comments"


def test_thread_addresses_hold_the_sentinel_where_the_id_goes():
    post = make_post()
    addresses = locations.thread_addresses(post)
    for template in (addresses.reply, addresses.edit, addresses.comment):
        assert str(locations.SENTINEL) in template
    sentinel = locations.SENTINEL
    assert addresses.comment == locations.comment_url(post, sentinel)
