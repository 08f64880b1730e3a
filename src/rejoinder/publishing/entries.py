"""A post's or page's own page, shared by publishing's views and discussion's comment
pages (``comment-page-N``): the article kept once per version, the rest per reader."""

from django.conf import settings
from django.shortcuts import render

from rejoinder.core import pagecache


def article_version():
    """The version of a post's article (byline, body, update notes, sources, tags) as every
    reader sees it; taken before the post is read (``pagecache.snapshot``)."""
    return {"version": pagecache.snapshot(pagecache.POSTS), "seconds": settings.PAGE_CACHE_SECONDS}


def render_entry(request, post, article, **context):
    """A post's or page's own page; ``article`` from ``article_version()``. The article is
    rendered once per version and kept (its categories, tags and update notes are then not
    even read); the title's count, the thread and the form are rendered for each reader."""
    if post.is_public:
        pagecache.depends_on(request, pagecache.POSTS, pagecache.post_tag(post.pk))
    context.update(post=post, article=article)
    response = render(request, "publishing/post_detail.html", context)
    if not post.is_public:
        response["X-Robots-Tag"] = "noindex"
    return response
