from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from rejoinder.core.links import absolute_url
from rejoinder.discussion import comments, threads
from rejoinder.discussion.addresses import comment_page_url, post_comment_url
from rejoinder.discussion.forms import CommentForm
from rejoinder.discussion.render import ThreadRenderer, Viewer
from rejoinder.publishing.models import Post

from ..api.addresses import post_for_url
from ..api.origins import origin_allowed


class EmbedRenderer(ThreadRenderer):
    """The post page's thread markup with absolute addresses: the fragment is shown on
    another site, where a path would name that site's pages. Everyone is an anonymous
    reader there (no cookie crosses), so no Edit links."""

    def __init__(self, request, post, comments_open):
        super().__init__(post, Viewer(), comments_open)
        self.post_url = absolute_url(request, self.post_url)
        for name in ("reply_url", "edit_url", "page_url"):
            relative = getattr(self, name)
            setattr(self, name, lambda pk, relative=relative: absolute_url(request, relative(pk)))


def _refusal(status, message):
    return HttpResponse(f'<p class="rejoinder-error">{message}</p>', status=status)


@never_cache  # the form carries a fresh stamp
@require_safe
def thread(request):
    """``?url=<address of a post>`` (or ``?post=<id>``) and ``&page=N``: the HTML fragment."""
    if not origin_allowed(request):
        return _refusal(403, "This site does not allow its comments to be shown here.")
    post_id, page = request.GET.get("post", ""), request.GET.get("page", "1")
    if post_id:
        valid = post_id.isdigit() and len(post_id) <= 15  # beyond: no such row, and an overflow
        post = Post.objects.published().filter(pk=post_id).first() if valid else None
    else:
        post = post_for_url(request, request.GET.get("url", "")[:2000])
    if post is None:
        return _refusal(404, "No discussion was found for this page.")
    valid = page.isdigit() and 0 < len(page) <= 7 and int(page) > 0
    thread_page = threads.post_thread(post, int(page)) if valid else None
    if thread_page is None:
        return _refusal(404, "No such page of comments.")
    is_open = comments.comments_open(post)
    number = thread_page.number

    def page_link(n):
        return absolute_url(request, comment_page_url(post, n).removesuffix("#comments"))

    context = {
        "post": post,
        "post_url": absolute_url(request, post.get_absolute_url()),
        "thread_html": EmbedRenderer(request, post, is_open).render(thread_page.roots),
        "thread_page": thread_page,
        "previous_page": number - 1 if thread_page.has_previous else None,
        "previous_page_url": page_link(number - 1) if thread_page.has_previous else None,
        "next_page": number + 1 if thread_page.has_next else None,
        "next_page_url": page_link(number + 1) if thread_page.has_next else None,
        "comments_open": is_open,
        "form": CommentForm(),
        "post_comment_url": absolute_url(request, post_comment_url(post)),
        "api_url": absolute_url(request, reverse("api:create", kwargs={"post_id": post.pk})),
        "stamp_url": absolute_url(
            request, reverse("api:comment_stamp", kwargs={"post_id": post.pk})
        ),
        "respond_level": 3,
    }
    return render(request, "embed/thread.html", context)
