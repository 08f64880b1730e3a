import functools

from django import template
from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe

from rejoinder.core import fragments, pagecache

from .. import commenter, comments, ownership, stamps
from ..forms import CommentForm
from ..thread import sections
from ..thread.locations import comment_page_url, post_comment_url
from ..thread.render import ThreadRenderer, Viewer

register = template.Library()


@register.inclusion_tag("discussion/_section.html", takes_context=True)
def discussion(context, post, page=1, form=None):
    """The comment section of a post page: count, thread (or one page of it), the form."""
    request = context["request"]
    is_open = comments.comments_open(post)
    viewer = _viewer(request, post)
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
        "form_html": _form_html(request, post, form, context.get("csrf_token")) if is_open else "",
    }


def _form_html(request, post, form, csrf_token):
    """The comment form: refused and shown again, filled with what this browser was asked
    to remember, for a signed-in reader, or (most readers) empty and the same for all: its
    stamp a live part of the page, fresh in every response, cached or not."""
    url = post_comment_url(post)
    remembered = None if form else commenter.remembered(request)
    if form is None and not remembered and not request.user.is_authenticated:
        marker = pagecache.live(request, stamps.LIVE_NAME)
        return mark_safe(_empty_form(url).replace(_STAMP, marker))
    if form is None:
        initial = {**remembered, "remember": True} if remembered else None
        form = CommentForm(user=request.user, initial=initial)
    return render_to_string(
        "discussion/_form.html",
        {"form": form, "post_comment_url": url, "request": request, "csrf_token": csrf_token},
    )


_STAMP = "ISSUED-STAMP"  # where the empty form's stamp goes, fresh for each response


@functools.lru_cache(maxsize=512)
def _empty_form(post_comment_url):
    """The empty form of the post at ``post_comment_url`` for a reader not signed in, its
    stamp left to fill: rendered once per process (its widgets are a fifth of a page)."""
    form = CommentForm(user=AnonymousUser())
    form.fields["issued"].initial = _STAMP
    context = {"form": form, "post_comment_url": post_comment_url, "request": None}
    return render_to_string("discussion/_form.html", context)


@register.simple_tag(takes_context=True)
def render_thread(context, post, thread_page):
    """The HTML of a thread page's trees (on a comment's own page)."""
    request = context["request"]
    viewer = _viewer(request, post)
    html = ThreadRenderer(post, viewer, comments.comments_open(post)).render(thread_page.roots)
    return fragments.defer(request, html)


@register.simple_tag
def comments_feed_url(post):
    return reverse("discussion:post_feed", kwargs=post.url_kwargs())


def _viewer(request, post):
    """Who is looking at ``post``'s thread: whether they moderate its comments (the one rule,
    ``comments.moderates``) and which comments this browser wrote."""
    user = request.user
    return Viewer(
        user_id=user.pk if user.is_authenticated else None,
        moderates=comments.moderates(user, post),
        owned=frozenset(ownership.owned_ids(request)),
    )
