from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from rejoinder.core.links import absolute_url
from rejoinder.core.numbers import whole_number
from rejoinder.discussion import comments
from rejoinder.discussion.forms import CommentForm
from rejoinder.discussion.thread import locations, pages
from rejoinder.discussion.thread.render import ThreadRenderer, Viewer
from rejoinder.publishing import external
from rejoinder.publishing.models import Post

from ..api.mount import api_url
from ..api.origins import request_from_allowed_origin
from ..api.pages import new_page_address, post_for_url


class EmbedRenderer(ThreadRenderer):
    """The post page's thread markup with absolute addresses: the fragment is shown on
    another site, where a path would name that site's pages. Everyone is an anonymous
    reader there (no cookie crosses), so no Edit links."""

    def __init__(self, request, post, comments_open):
        self.request = request
        super().__init__(post, Viewer(), comments_open)

    def absolute(self, url):
        return absolute_url(self.request, url)


def _refusal(status, message):
    return HttpResponse(f'<p class="rejoinder-error">{message}</p>', status=status)


@never_cache  # the form carries a fresh stamp
@require_safe
def thread(request):
    """``?url=<address of a post>`` (or ``?post=<id>``) and ``&page=N``: the HTML fragment.

    The address of a page on an allowed site (``REJOINDER_CORS_ORIGINS``) shows that
    page's thread, or an empty one with the form until its first comment."""
    if not request_from_allowed_origin(request):
        return _refusal(403, "This site does not allow its comments to be shown here.")
    post_id, page = request.GET.get("post", ""), request.GET.get("page", "1")
    url = request.GET.get("url", "")[:2000]
    if post_id:
        pk = whole_number(post_id)
        post = Post.objects.discussable().filter(pk=pk).first() if pk is not None else None
    else:
        post = post_for_url(request, url)
    if post is None:
        address = None if post_id else new_page_address(request, url)
        if address is None:
            return _refusal(404, "No discussion was found for this page.")
        return _empty_thread(request, external.new_thread(address))
    number = whole_number(page, digits=7)
    thread_page = pages.post_thread(post, number, escaped=True) if number else None
    if thread_page is None:
        return _refusal(404, "No such page of comments.")
    is_open = comments.comments_open(post)
    number = thread_page.number

    def page_link(n):
        return absolute_url(request, locations.comment_page_url(post, n).removesuffix("#comments"))

    context = {
        **_context(request, post, is_open),
        "thread_html": EmbedRenderer(request, post, is_open).render(thread_page.roots),
        "thread_page": thread_page,
        "previous_page": number - 1 if thread_page.has_previous else None,
        "previous_page_url": page_link(number - 1) if thread_page.has_previous else None,
        "next_page": number + 1 if thread_page.has_next else None,
        "next_page_url": page_link(number + 1) if thread_page.has_next else None,
        "api_url": absolute_url(request, api_url("create", post_id=post.pk)),
        "stamp_url": absolute_url(request, api_url("comment_stamp", post_id=post.pk)),
    }
    return render(request, "embed/thread.html", context)


def _empty_thread(request, thread):
    """A page of another site without comments yet: the form, posting to the API by the
    page's address, whose first comment makes the thread. Nothing is written now."""
    context = {
        **_context(request, thread, comments_open=True),
        "thread_html": "",
        "page_address": thread.external_url,
        "api_url": absolute_url(request, api_url("create_by_url")),
        "stamp_url": absolute_url(request, api_url("stamp")),
    }
    return render(request, "embed/thread.html", context)


def _context(request, post, comments_open):
    # Another site's page has no form view here: embed.js posts JSON, by the page's address.
    form_url = locations.post_comment_url(post) or api_url("create_by_url")
    return {
        "post": post,
        "post_url": absolute_url(request, locations.heading_url(post)),
        "comments_open": comments_open,
        "form": CommentForm(),
        "post_comment_url": absolute_url(request, form_url),
        "respond_level": 3,
    }
