"""Threads for pages of other sites, one per address, as Isso keeps them (docs/api.md).

A static site or another blog embeds ``embed.js`` under its own pages; each page's thread
is a ``Post`` of type external, keyed by the page's normalised address. It is made by the
page's first comment (reading an empty thread writes nothing), and only for addresses on
an origin of ``REJOINDER_CORS_ORIGINS``. ``Post.objects.published()`` never includes one:
they have no page here, so no listing, feed, sitemap, search or export shows them.
"""

import ipaddress
import re
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.encoding import iri_to_uri

from .models import Post

MAX_URL_LENGTH = Post._meta.get_field("external_url").max_length
MAX_TITLE_LENGTH = Post._meta.get_field("title").max_length
DEFAULT_PORTS = {"http": 80, "https": 443}
# A host name once in ASCII (IDNA): letters, digits, hyphens and dots (RFC 1123), and the
# underscores browsers accept too.
HOST_NAME = re.compile(
    r"[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?)*\.?"
)
# What iri_to_uri() leaves that RFC 3986 does not allow in a path or query: brackets
# (allowed only around an IPv6 host) and a "%" that does not start a percent-encoding.
NOT_IN_PATH_OR_QUERY = re.compile(r"[\[\]]|%(?![0-9A-Fa-f]{2})")


def normalize_url(url):
    """``url`` as the key of its page's thread, or None when it cannot be one.

    Scheme and host lowercased (an international host name in its ASCII form), a default
    port and the fragment dropped, an empty path made ``/``; the query is kept, as Isso
    keeps it (``?p=12`` may be a page of its own). What RFC 3986 does not allow in a path
    or query (``"``, ``<``, ``>``, brackets, a stray ``%``, letters beyond ASCII …) is
    percent-encoded, as browsers send most of them, so the address is safe wherever it is
    printed. Only http(s)
    addresses with a valid host and no credentials, printable and at most
    ``MAX_URL_LENGTH`` bytes long.
    """
    url = (url or "").strip()
    if not url or any(char <= " " or char == "\x7f" for char in url):
        return None
    try:
        url.encode()  # a lone surrogate (JSON allows "\ud800") cannot be stored
        parts = urlsplit(url)
        port = parts.port
    except (UnicodeEncodeError, ValueError):
        return None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.hostname or "@" in parts.netloc:
        return None
    host = _host(parts.hostname)  # lowercased by urlsplit, IPv6 without its brackets
    if host is None:
        return None
    if port is not None and port != DEFAULT_PORTS[scheme]:
        host = f"{host}:{port}"
    path, query = _encoded(parts.path or "/"), _encoded(parts.query)
    normal = urlunsplit((scheme, host, path, query, ""))
    # Bytes, not characters: PostgreSQL's unique index holds ~2,700 bytes an entry.
    return normal if len(normal.encode()) <= MAX_URL_LENGTH else None


def _encoded(part):
    """A path or query with everything RFC 3986 does not allow there percent-encoded."""
    return NOT_IN_PATH_OR_QUERY.sub(lambda match: f"%{ord(match[0]):02X}", iri_to_uri(part))


def _host(name):
    """The host of an address as it is written in one (ASCII, IPv6 in brackets), or None
    if ``name`` is not a host name or an IP address."""
    if ":" in name:
        try:
            return f"[{ipaddress.IPv6Address(name)}]"
        except ValueError:
            return None
    try:
        name = name.encode("idna").decode("ascii")
    except UnicodeError:
        return None
    return name if HOST_NAME.fullmatch(name) else None


def page_on_allowed_origin(url):
    """Whether the normalised ``url`` is on an origin of ``REJOINDER_CORS_ORIGINS``."""
    parts = urlsplit(url)
    origin = urlunsplit((parts.scheme, parts.netloc, "/", "", ""))
    return origin in {normalize_url(allowed) for allowed in settings.CORS_ALLOWED_ORIGINS}


def clean_title(title, url):
    """The page's title as sent (its ``document.title``), on one line and cut to the title
    field's length; the address when there is none."""
    title = " ".join((title or "").split())
    title = "".join(char for char in title if char.isprintable())  # also lone surrogates
    return (title or url)[:MAX_TITLE_LENGTH]


def thread_author():
    """Who holds the threads of other sites' pages (and is emailed about their comments):
    the first superuser, else the oldest active account; None on a site without one."""
    users = get_user_model().objects.filter(is_active=True).order_by("pk")
    return users.filter(is_superuser=True).first() or users.first()


def find_thread(url):
    """The thread of the page at the normalised ``url``, or None if it has none yet."""
    return Post.objects.external().discussable().filter(external_url=url).first()


def new_thread(url, title="", author=None):
    """An unsaved thread for the page at the normalised ``url`` (an empty thread to show)."""
    return Post(
        type=Post.Type.EXTERNAL,
        external_url=url,
        title=clean_title(title, url),
        author=author,
        status=Post.Status.PUBLISHED,
        published_at=timezone.now(),
        body="",
    )


def get_or_create_thread(url, title=""):
    """The thread of the page at the normalised ``url``, made now if it has none; None
    when the site has no account to hold it.

    Call it inside the transaction that saves the page's first comment, so a refused
    comment leaves no thread behind. When two first comments race, the unique address
    lets one insert win; ``get_or_create`` catches the other's IntegrityError (inside a
    savepoint) and reads the winner's row.
    """
    thread = find_thread(url)
    if thread is not None:
        return thread
    author = thread_author()
    if author is None:
        return None
    fields = new_thread(url, title, author)
    thread, _created = Post.objects.get_or_create(
        external_url=url,
        defaults={
            name: getattr(fields, name)
            for name in ("type", "title", "author", "status", "published_at", "body")
        },
    )
    return thread
