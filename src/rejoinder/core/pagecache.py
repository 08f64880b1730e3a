"""The anonymous page cache: whole responses for readers without a session, kept until a
change they show makes them stale.

Which pages: a view opts in with ``depends_on(request, *tags)``, naming what the page
shows ("posts" for anything about posts, ``post_tag(id)`` for one post's comments and
count). Which readers: GET or HEAD, no query string, and none of the cookies that change
what a page shows (a session, the reader's own comments, the remembered commenter). Any
response that sets a cookie is never stored.

Invalidation is by versions, so it is exact across processes that share the "pages"
cache (files on one machine by default, Redis with REDIS_URL): every tag has a version
token, every entry records the tokens it was rendered under, and ``invalidate(*tags)``
gives the tags new tokens once the change is committed. Against a change committed while
a page renders, a global token moves first: a page whose render saw it move is not kept.

With ``PAGE_CACHE_DIR`` set, kept pages are written as files too, for nginx to serve
before the application (``pagefiles``); invalidation deletes them.

A part of a page that must differ on every response (the comment form's signed stamp) is
a live part: the view prints ``live(request, name)``, a marker that is kept in its place;
every response, cached or not, gets a fresh value there, and nginx fills the marker in
its files itself, as the marker is an SSI include of an address answering the same value.
"""

import functools
import hashlib
import time

from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.http import HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import http_date

from . import pagefiles, versions

GLOBAL = "*"
EPOCH = "epoch"  # every page depends on it: clear() moves it
POSTS = "posts"  # anything that shows posts: listings, feeds, sitemaps, post pages
COMMENTS = "comments"  # the site-wide comment feeds
_DUE_KEY = "due"  # when the next scheduled post goes live (epoch seconds, 0: none)
_DUE_RECHECK = 2.0  # seconds between reads of that time, per process
_STORED_HEADERS_SKIP = {"set-cookie", "content-length"}

# Cookies that change what a page shows its reader, when the next scheduled post goes
# live, and the live parts of pages: told by the apps that own them (their
# AppConfig.ready()), as core depends on none.
IDENTITY_COOKIES = {"messages"}
_hooks = {"next_due": lambda: None}
# name -> (fill: the part's text for one response, path: a function giving the address,
# never cached, that answers the same text, for nginx to include in its files)
LIVE = {}


def register(*, cookies=(), next_due=None, live=None):
    IDENTITY_COOKIES.update(cookies)
    if next_due is not None:
        _hooks["next_due"] = next_due
    LIVE.update(live or {})


def live(request, name):
    """The marker to print where the live part ``name`` goes: pages are kept with the
    marker, and every response gets the part's fresh value in its place."""
    request.page_live = getattr(request, "page_live", frozenset()) | {name}
    return live_marker(name)


@functools.cache
def live_marker(name):
    """An SSI include of the part's address (single quotes: it may sit in an attribute)."""
    return f"<!--# include virtual='{LIVE[name][1]()}' -->"


@functools.cache
def _live_paths():
    return {path(): name for name, (_fill, path) in LIVE.items()}


def _live_answer(request):
    """A live part's own address (what nginx's SSI includes for each reader of a file):
    answered here, before every other layer, as cheaply as a cached page; never kept."""
    name = _live_paths().get(request.path)
    if name is None or request.method not in ("GET", "HEAD"):
        return None
    response = HttpResponse(LIVE[name][0](), content_type="text/plain; charset=utf-8")
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _filled(body, names):
    """``body`` with every live part's marker replaced by a fresh value."""
    return _spliced(body, _slots(body, names))


def _slots(body, names):
    """Where each live part's marker is in ``body``: sorted (offset, name) pairs. The form
    comes last on a page, so the search runs from the end."""
    slots = []
    for name in names:
        marker = live_marker(name).encode()
        end = len(body)
        while (found := body.rfind(marker, 0, end)) >= 0:
            slots.append((found, name))
            end = found
    return sorted(slots)


def _spliced(body, slots):
    """``body`` with a fresh value of each part at its slots: one copy of the body, not a
    search and a copy per part (a 16 MB thread page: 9 ms with bytes.replace, 2 ms so)."""
    if not slots:
        return body
    values = {name: LIVE[name][0]().encode() for name in {name for _at, name in slots}}
    view, parts, start = memoryview(body), [], 0
    for at, name in slots:
        parts += [view[start:at], values[name]]
        start = at + len(live_marker(name))
    parts.append(view[start:])
    return b"".join(parts)


def _fill(request, response):
    """A response not from the cache: its live parts filled (its length set again)."""
    names = getattr(request, "page_live", None)
    if names and not response.streaming:
        response.content = _filled(response.content, names)
        if response.has_header("Content-Length"):
            response["Content-Length"] = str(len(response.content))
    return response


def post_tag(post_id):
    return f"post-{post_id}"


def depends_on(request, *tags):
    """Let this response be cached for readers without a session, until ``tags`` change."""
    existing = getattr(request, "page_cache_tags", None)
    request.page_cache_tags = (existing or set()) | set(tags)


def snapshot(*tags):
    """The version of ``tags`` (and the epoch) now, for a part of a page that every reader
    sees alike, kept with ``{% cache … using="pages" %}`` under this version (the post's
    article for a signed-in reader, whose page is never kept whole).

    Take it before reading the rows the part shows: a part rendered from rows older than
    a change is then kept under tokens the change has already moved, never read again.
    """
    tokens = versions.current([*tags, EPOCH])
    return ":".join(tokens[name] for name in sorted(tokens))


def invalidate(*tags):
    """Make every cached page that depends on ``tags`` stale: now, and again once the
    change commits (a page rendered in between, from the rows before it, is not kept)."""
    invalidate_now(*tags)
    transaction.on_commit(lambda: invalidate_now(*tags))


def invalidate_now(*tags):
    store = versions.store()
    # The global token first: a render that started before the change and reads the
    # tags' new tokens after it still sees the global one moved, and is not kept.
    store.set_many({GLOBAL: versions.token()})
    store.set_many({tag: versions.token() for tag in tags})
    if settings.PAGE_CACHE_DIR:
        pagefiles.delete_tagged(settings.PAGE_CACHE_DIR, tags)


def invalidate_schedule():
    """The next scheduled moment may have moved: look it up again (now, and once this
    commits)."""
    schedule_changed(_hooks["next_due"]())
    transaction.on_commit(lambda: schedule_changed(_hooks["next_due"]()))


def schedule_changed(next_due):
    """Record when the next scheduled post goes live (a datetime, or None); return it as
    epoch seconds (0: none)."""
    due = next_due.timestamp() if next_due else 0
    versions.store().set_many({_DUE_KEY: f"{due:.3f}"})
    return due


def _recorded_due():
    try:
        return float(versions.store().get_many([_DUE_KEY])[_DUE_KEY])
    except (KeyError, ValueError):
        return None


def clear():
    """Forget every cached page: in every process, on every machine, and the files.

    Every page depends on the epoch token, so a new one makes them all stale (emptying the
    cache itself would also empty what shares its Redis database: flood limits, tasks).
    ``rejoinder serve`` calls this as it starts: new code or settings, new pages.
    """
    invalidate_now(EPOCH)
    if settings.PAGE_CACHE_DIR:
        pagefiles.clear(settings.PAGE_CACHE_DIR)


class PageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.due, self.due_read_at = None, 0.0

    def __call__(self, request):
        live = _live_answer(request)
        if live is not None:
            return live
        if not settings.PAGE_CACHE:
            return _fill(request, self.get_response(request))
        if not _readable(request):
            response = _fill(request, self.get_response(request))
            if _carries_identity(request, response) and not response.has_header("Cache-Control"):
                patch_cache_control(response, private=True, no_cache=True)
            return response
        self._publish_due()
        cache = _cache()
        key = _entry_key(request)
        entry = cache.get(key)
        if entry is not None and _current(entry["versions"]):
            return _from_entry(request, entry, "hit")
        started = _global_token()
        response = self.get_response(request)
        tags = getattr(request, "page_cache_tags", None)
        if not tags or not _storable(request, response):
            return _fill(request, response)
        tokens = versions.current([*tags, GLOBAL, EPOCH])
        if tokens[GLOBAL] != started:
            return _fill(request, response)  # something changed while this page was rendered
        entry = _to_entry(response, tokens, getattr(request, "page_live", ()))
        cache.set(key, entry, settings.PAGE_CACHE_SECONDS)
        if settings.PAGE_CACHE_DIR:
            kept = pagefiles.write(settings.PAGE_CACHE_DIR, request.path, entry, tags)
            if kept is not None and _global_token() != started:
                pagefiles.unlink(kept)  # an invalidation may have missed the new file
        return _from_entry(request, entry, "miss")

    def _publish_due(self):
        """A scheduled post goes live without a save (and comments close by age): when
        that moment comes, every page that shows posts is made stale. Each process reads
        the moment from the shared cache every few seconds and compares on each request."""
        now = time.time()
        if now - self.due_read_at >= _DUE_RECHECK:
            self.due, self.due_read_at = _recorded_due(), now
            if self.due is None:
                self.due = schedule_changed(_hooks["next_due"]())
        if self.due and self.due <= now:
            invalidate_now(POSTS)
            self.due = schedule_changed(_hooks["next_due"]())


def _readable(request):
    if request.method not in ("GET", "HEAD") or request.META.get("QUERY_STRING"):
        return False
    cookies = request.COOKIES
    return not any(name in cookies for name in _identity_cookies())


def _identity_cookies():
    return (settings.SESSION_COOKIE_NAME, *IDENTITY_COOKIES)


def _carries_identity(request, response):
    return bool(response.cookies) or any(name in request.COOKIES for name in _identity_cookies())


def _storable(request, response):
    user = getattr(request, "user", None)
    return (
        request.method == "GET"
        and response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not (user is not None and user.is_authenticated)
        and "private" not in response.get("Cache-Control", "")
        and "no-store" not in response.get("Cache-Control", "")
    )


def _to_entry(response, versions, live_names):
    body = response.content
    headers = [
        (name, value)
        for name, value in response.headers.items()
        if name.lower() not in _STORED_HEADERS_SKIP
    ]
    slots = _slots(body, live_names)
    etag = f'"{hashlib.sha256(body).hexdigest()[:32]}"'
    return {
        "versions": versions,
        "status": response.status_code,
        "headers": headers,
        "body": body,
        # Weak with live parts: each response differs by them, and is the same page.
        "etag": f"W/{etag}" if slots else etag,
        "modified": int(time.time()),
        "slots": slots,
    }


def _from_entry(request, entry, state):
    # Entries kept before live parts existed have none (a shared cache across a deploy).
    body = _spliced(entry["body"], entry.get("slots", ()))
    response = HttpResponse(body, status=entry["status"])
    for name, value in entry["headers"]:
        response[name] = value
    response["ETag"] = entry["etag"]
    response["Last-Modified"] = http_date(entry["modified"])
    response["Cache-Control"] = cache_control()
    patch_vary_headers(response, ["Cookie"])
    response["X-Page-Cache"] = state
    # Set here: no later layer (CommonMiddleware) runs for a page from the cache.
    response["Content-Length"] = str(len(body))
    if request.method == "HEAD":
        response.content = b""  # the length stays the page's, as HEAD wants
    return get_conditional_response(
        request, etag=entry["etag"], last_modified=entry["modified"], response=response
    )


def cache_control():
    """Browsers revalidate every time (a cheap 304); shared caches may keep the page a
    short while and serve it stale while they fetch a new one."""
    return (
        f"public, max-age=0, s-maxage={settings.CDN_MAX_AGE}, "
        f"stale-while-revalidate={settings.CDN_STALE_SECONDS}"
    )


def _current(tokens):
    # The global token is recorded to detect renders that overlap a change, not checked
    # on reading: any change anywhere would otherwise drop every page.
    names = [name for name in tokens if name != GLOBAL]
    found = versions.store().get_many(names)
    return all(found.get(name) == tokens[name] for name in names)


def _global_token():
    return versions.current([GLOBAL])[GLOBAL]


def _entry_key(request):
    scheme = "https" if request.is_secure() else "http"
    place = f"{scheme}://{request.get_host()}{request.path}"
    return "page:" + hashlib.sha256(place.encode()).hexdigest()


def _cache():
    return caches["pages"]
