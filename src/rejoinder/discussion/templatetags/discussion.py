from django import template
from django.http import Http404
from django.urls import reverse

from rejoinder.core import fragments

from .. import commenter, comments, ownership, sections
from ..addresses import comment_page_url, post_comment_url
from ..forms import CommentForm
from ..render import ThreadRenderer, Viewer

register = template.Library()


@register.inclusion_tag("discussion/_section.html", takes_context=True)
def discussion(context, post, page=1, form=None):
    """The comment section of a post page: count, thread (or one page of it), the form."""
    request = context["request"]
    is_open = comments.comments_open(post)
    viewer = Viewer.from_request(request, ownership.owned_ids(request))
    section = sections.thread_section(post, page or 1, viewer, is_open)
    if section is None:
        raise Http404("No such comment page.")
    number = section.number
    return {
        "request": request,
        "post": post,
        "thread_page": section,
        "thread_html": fragments.defer(request, section.html),
        "previous_page_url": comment_page_url(post, number - 1) if section.has_previous else None,
        "next_page_url": comment_page_url(post, number + 1) if section.has_next else None,
        "post_comment_url": post_comment_url(post),
        "comments_open": is_open,
        "awaiting": ownership.awaiting_comment(request, post),
        "subscription": request.GET.get("subscription")
        if request.GET.get("subscription") in ("confirm", "subscribed")
        else None,
        "form": form or _fresh_form(request),
        "csrf_token": context.get("csrf_token"),
    }


def _fresh_form(request):
    """An empty form, filled with what this browser was asked to remember."""
    remembered = commenter.remembered(request)
    if remembered:
        return CommentForm(user=request.user, initial={**remembered, "remember": True})
    return CommentForm(user=request.user)


@register.simple_tag(takes_context=True)
def render_thread(context, post, thread_page):
    """The HTML of a thread page's trees (on a comment's own page)."""
    request = context["request"]
    viewer = Viewer.from_request(request, ownership.owned_ids(request))
    html = ThreadRenderer(post, viewer, comments.comments_open(post)).render(thread_page.roots)
    return fragments.defer(request, html)


@register.simple_tag
def comments_feed_url(post):
    return reverse("discussion:post_feed", kwargs=post.url_kwargs())
