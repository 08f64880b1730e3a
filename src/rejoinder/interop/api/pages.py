"""The page an address names, for the API and the embed: the post at the post's own URL,
any of its discussion pages or an old address (``PostAlias``), given as a path or as an
absolute URL on this site; or, for a page of another site, that page's thread
(``publishing.external``) once it has one, or whether it may get one."""

from urllib.parse import urlsplit

from django.contrib.auth.models import AnonymousUser
from django.urls import Resolver404, resolve

from rejoinder.core.links import own_origins
from rejoinder.publishing import external
from rejoinder.publishing.models import Post, PostAlias

_POST_PARTS = ("year", "month", "day", "slug")


def own_hosts(request):
    """The host names (with port) this site answers as: the configured one and the request's."""
    return {urlsplit(origin).netloc for origin in own_origins(request)}


def post_for_url(request, url):
    """The published post at ``url`` (a path or an address on this site), the thread of
    the page of another site at ``url``, or None."""
    if not url or "\x00" in url:
        return None  # PostgreSQL text cannot hold NUL
    try:
        url.encode()  # nor a lone surrogate, which JSON can carry ("\ud800")
        parts = urlsplit(url.strip())
    except (UnicodeEncodeError, ValueError):  # ValueError: "http://[" (a broken IPv6 host)
        return None
    elsewhere = parts.scheme not in ("http", "https") or parts.netloc.lower() not in own_hosts(
        request
    )
    if (parts.scheme or parts.netloc) and elsewhere:
        address = external.normalize_url(url)
        return external.find_thread(address) if address else None
    path = parts.path or "/"
    if not path.startswith("/"):
        return None
    try:
        match = resolve(path)
    except Resolver404:
        match = None
    post = _post_for_match(match) if match is not None else None
    if post is None:
        alias = PostAlias.objects.filter(old_path=path).select_related("post").first()
        post = alias.post if alias is not None and alias.post.is_public else None
    return post


def _post_for_match(match):
    kwargs = match.kwargs
    if match.namespace in ("publishing", "discussion") and all(k in kwargs for k in _POST_PARTS):
        if match.namespace == "publishing" and match.url_name != "post":
            return None  # e.g. a day's archive has a date but no post
        year, month, day, slug = (kwargs[k] for k in _POST_PARTS)
        return Post.objects.at_address(AnonymousUser(), year, month, day, slug, page=False)
    if match.view_name == "publishing:page":
        return Post.objects.published().pages().filter(slug=kwargs["slug"]).first()
    return None


def new_page_address(request, url):
    """``url`` normalised, if it is a page of another site that may get a thread here: on
    an origin of ``REJOINDER_CORS_ORIGINS`` (and not this site's own); else None."""
    address = external.normalize_url(url)
    if address is None or urlsplit(address).netloc in own_hosts(request):
        return None
    return address if external.page_on_allowed_origin(address) else None
