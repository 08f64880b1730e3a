from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from rejoinder.core import csrf, pagecache
from rejoinder.publishing.entries import article_version, render_entry
from rejoinder.publishing.models import Post

from . import commenter, comments, ownership, stamps, submissions
from .forms import CommentForm
from .models import Comment
from .thread import pages
from .thread.locations import comment_location, comment_page_url, comment_url, post_comment_url


def _post(request, year, month, day, slug, page=True):
    post = Post.objects.at_address(request.user, year, month, day, slug, page=page)
    if post is None:
        raise Http404("No such post.")
    return post


def _comment(post, comment_id):
    return get_object_or_404(Comment.objects.select_related("post"), pk=comment_id, post=post)


@require_safe
def comment_page(request, year, month, day, slug, page):
    """``<post url>comment-page-N/``: the post with the Nth page of a big thread."""
    article = article_version()
    post = _post(request, year, month, day, slug)
    if int(page) == 1:
        return redirect(comment_page_url(post, 1), permanent=True)
    if request.GET.get("fragment") == "threads":
        if post.is_public:
            pagecache.depends_on(request, pagecache.POSTS, pagecache.post_tag(post.pk))
        context = {"post": post, "comment_page": int(page)}
        return render(request, "discussion/thread_fragment.html", context)
    return render_entry(request, post, article, comment_page=int(page))


@never_cache
@require_safe
def stamp(request):
    """A fresh comment-form stamp, as text: what nginx's SSI puts in the form of a page it
    serves from a file (the marker ``pagecache.live`` leaves there is that include).
    ``PageCacheMiddleware`` answers this address itself, before the other layers; this
    view names it and answers where that middleware is not installed."""
    return HttpResponse(stamps.issue(), content_type="text/plain; charset=utf-8")


@require_POST
@csrf.reader_form
def post_comment(request, year, month, day, slug):
    """Take a reader's comment; on a refusal, show the form again with the text kept."""
    post = _post(request, year, month, day, slug, page=False)
    form = CommentForm(request.POST, user=request.user)
    parent = submissions.reply_target(request.POST.get("parent", ""))
    status = 400
    if submissions.check(form, post, parent):
        try:
            submitted = submissions.submit(request, post, form, parent, session=True)
        except comments.CommentRefused as refusal:
            form.add_error(None, refusal.message)
            status = refusal.status_code
            retry_after = getattr(refusal, "retry_after", None)
        else:
            location = comment_location(submitted.comment)
            # Tell the reader what happens next: email, a confirmation link, or nothing.
            for name, value in submitted.notices.items():
                location = with_query(location, name, value)
            response = see_other(location)
            ownership.remember(request, response, submitted.comment.pk)
            data = form.cleaned_data
            if data.get("remember"):
                commenter.remember(response, data)
            elif "remember" in form.fields:
                commenter.forget(request, response)
            return response
    form.renew()
    context = {
        "post": post,
        "form": form,
        "parent": parent,
        "post_comment_url": post_comment_url(post),
    }
    response = render(request, "discussion/comment_form_page.html", context, status=status)
    if status == 429 and retry_after:
        response["Retry-After"] = str(retry_after)
    return response


def with_query(url, name, value):
    """``url`` with one more query parameter (encoded), its others and fragment kept."""
    parts = urlsplit(url)
    query = [*parse_qsl(parts.query, keep_blank_values=True), (name, value)]
    return urlunsplit(parts._replace(query=urlencode(query)))


def see_other(url):
    """303: after a POST, the browser fetches the result with GET."""
    response = HttpResponseRedirect(url)
    response.status_code = 303
    return response


@require_safe
def reply(request, year, month, day, slug, comment):
    """Reply without JavaScript: the comment quoted, the form under it."""
    post = _post(request, year, month, day, slug)
    parent = _comment(post, comment)
    if parent.status != Comment.Status.APPROVED or not comments.comments_open(post):
        raise Http404("That comment cannot be replied to.")
    if parent.depth >= settings.MAX_REPLY_DEPTH:
        raise Http404("That comment is as deep as replies go (REJOINDER_MAX_REPLY_DEPTH).")
    form = CommentForm(initial={"parent": parent.pk}, user=request.user)
    context = {
        "post": post,
        "form": form,
        "parent": parent,
        "post_comment_url": post_comment_url(post),
    }
    return render(request, "discussion/comment_form_page.html", context)


@require_safe
def comment_detail(request, year, month, day, slug, comment):
    """A comment's own page: its nearest ancestors for context, it, and its replies."""
    post = _post(request, year, month, day, slug)
    target = _comment(post, comment)
    if target.status not in Comment.SHOWN_STATUSES:
        raise Http404("No such comment.")
    thread_page = pages.comment_thread(target)
    context = {"post": post, "comment": target, "thread_page": thread_page}
    if thread_page.earlier and thread_page.ancestors:
        # The furthest ancestor shown: its own page shows the ones above it.
        context["earlier_url"] = comment_url(post, thread_page.ancestors[0].id)
    return render(request, "discussion/comment_page.html", context)


@require_http_methods(["GET", "POST"])
def edit(request, year, month, day, slug, comment):
    """Edit or delete your own comment within the edit window; whoever moderates the
    post's comments, any of them (``comments.can_modify``).

    A comment that does not exist and one that is not yours to change get the same
    answer, so the page tells nobody which ids exist.
    """
    post = _post(request, year, month, day, slug)
    target = Comment.objects.filter(pk=comment, post=post).select_related("post").first()
    if target is None or not comments.can_modify(
        target, request.user, ownership.owned_ids(request)
    ):
        minutes = settings.COMMENT_EDIT_MINUTES
        return render(
            request, "discussion/edit_closed.html", {"post": post, "minutes": minutes}, status=403
        )
    form = CommentForm(
        request.POST if request.method == "POST" else None,
        initial={"body": target.body},
        user=request.user,
    )
    # Only the text is edited; identity fields stay as they were.
    for name in (
        "name",
        "email",
        "website",
        "parent",
        "notify_replies",
        "notify_all",
        "issued",
        "url",
        "quoted",
    ):
        form.fields.pop(name, None)
    if request.method == "POST":
        if "delete" in request.POST:
            comments.delete_comment(target)
            return see_other(f"{post.get_absolute_url()}#comments")
        if form.is_valid():
            editor = request.user if request.user.is_authenticated else None
            comments.edit_comment(target, form.cleaned_data["body"], editor=editor)
            return see_other(comment_location(target))
    status = 400 if form.errors else 200
    as_moderator = request.user.is_authenticated and request.user.pk != target.user_id
    context = {"post": post, "comment": target, "form": form, "as_moderator": as_moderator}
    return render(request, "discussion/edit.html", context, status=status)
