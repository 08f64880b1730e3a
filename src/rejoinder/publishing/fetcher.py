"""Fetch a source page on a writer's behalf, safely.

The site fetches whatever address a writer typed, so every request is treated as
untrusted (server-side request forgery):

- Only ``http`` and ``https``; no credentials in the address.
- The host is resolved once; every address it resolves to must be public
  (``ipaddress``: not private, loopback, link-local, CGNAT, reserved, multicast or
  unspecified, also when wrapped as IPv4-mapped, 6to4, Teredo or NAT64 IPv6). The
  connection then goes to that checked address, never to the name again (a second look-up
  could answer differently: DNS rebinding), with the name in the Host header and as the
  TLS server name (SNI and certificate check).
- Redirects are followed here, at most ``MAX_REDIRECTS``, each hop checked as above.
- The body may not pass ``max_bytes`` (after gzip decoding), and a hop may not take more
  than ``timeout`` seconds from connecting to the last byte.
- robots.txt is honoured for the token ``Rejoinder`` (cached per origin for an hour).
- One request at a time per host in this process. Across processes the task queue's
  single worker (``rejoinder db_worker``, which ``rejoinder run`` starts) is what keeps
  it to one; more workers could fetch from the same host at once.
- No proxy from the environment is used: the address checked is the address connected to.

``QUOTE_FETCH_ALLOW_LOOPBACK`` (tests, a local run) lets 127.0.0.0/8 and ::1 through;
every other private range stays refused.
"""

import contextlib
import hashlib
import http.client
import ipaddress
import socket
import ssl
import threading
import time
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import Message
from functools import cache
from importlib import metadata
from urllib.parse import quote, urljoin, urlsplit
from urllib.robotparser import RobotFileParser

from django.conf import settings

from rejoinder.core.numbers import whole_number

MAX_BYTES = 5 * 1024 * 1024
TIMEOUT = 15
MAX_REDIRECTS = 5
WEB_PORTS = {80, 443}
REDIRECT_STATUSES = {301, 302, 303, 307, 308}
# RFC 9309 lets a crawler stop reading robots.txt after 500 KiB.
ROBOTS_MAX_BYTES = 500 * 1024
ROBOTS_CACHE_SECONDS = 3600
# A robots.txt that could not be fetched (network error, 5xx) counts as "allow all", but
# is asked for again sooner.
ROBOTS_ERROR_CACHE_SECONDS = 300
ROBOT_TOKEN = "Rejoinder"
CHUNK = 64 * 1024
# RFC 6052's well-known NAT64 prefix: the last 32 bits are an IPv4 address.
NAT64 = ipaddress.ip_network("64:ff9b::/96")


class FetchError(Exception):
    """A source could not be fetched; ``reason`` says why in words for the writer."""

    def __init__(self, reason, code=""):
        super().__init__(reason)
        self.reason = reason
        self.code = code


class FetchRefused(FetchError):
    """The request is not made (or not followed): a rule of this module forbids it.

    ``code`` is one of ``url``, ``scheme``, ``address``, ``robots``, ``redirects``,
    ``too-big``.
    """


class FetchFailed(FetchError):
    """The request was allowed but did not complete: DNS, connection, TLS, timeout."""


@dataclass(frozen=True)
class Fetched:
    """One fetched page. A 404 or 500 is a ``Fetched`` too: ``status`` says which.

    ``redirects`` lists the addresses that answered with a redirect, in order, starting
    with the one asked for; it is empty when the first answer was the last.
    ``body`` is the whole body, gzip already decoded; ``sha256`` is its hex digest.
    """

    final_url: str
    status: int
    content_type: str
    body: bytes
    fetched_at: datetime
    sha256: str
    redirects: list[str] = field(default_factory=list)

    @property
    def charset(self):
        """The charset the Content-Type header names, or None."""
        message = Message()
        message["content-type"] = self.content_type
        return message.get_content_charset()


@cache
def _version():
    try:
        return metadata.version("rejoinder")
    except metadata.PackageNotFoundError:
        return "dev"


def user_agent():
    """``Rejoinder/<version> (quotation checker; +<site>)``: who is asking, and where from."""
    version = _version()
    site = getattr(settings, "SITE_URL", "")
    contact = f"; +{site}" if site else ""
    return f"{ROBOT_TOKEN}/{version} (quotation checker{contact})"


def fetch(url, *, allow_loopback=None, max_bytes=MAX_BYTES, timeout=TIMEOUT):
    """Fetch ``url`` under the rules above and return a :class:`Fetched`.

    Raise :class:`FetchRefused` when a rule forbids the request and :class:`FetchFailed`
    when the network does; an HTTP error status is returned, not raised.
    ``allow_loopback`` defaults to ``settings.QUOTE_FETCH_ALLOW_LOOPBACK``.
    """
    if allow_loopback is None:
        allow_loopback = getattr(settings, "QUOTE_FETCH_ALLOW_LOOPBACK", False)
    redirects = []
    current = url
    while True:
        target = _Target.parse(current)
        addresses = _resolve(target.host, target.port, allow_loopback)
        if not _robots_allow(target, addresses, timeout, allow_loopback):
            raise FetchRefused(
                f"{target.origin}/robots.txt does not allow fetching this page.", "robots"
            )
        status, headers, body = _request(target, addresses, max_bytes, timeout, follow=True)
        location = headers.get("location")
        if status not in REDIRECT_STATUSES or not location:
            break
        if len(redirects) == MAX_REDIRECTS:
            raise FetchRefused(f"More than {MAX_REDIRECTS} redirects.", "redirects")
        redirects.append(current)
        current = urljoin(target.url, location.strip())
    return Fetched(
        final_url=target.url,
        status=status,
        content_type=headers.get("content-type", ""),
        body=body,
        fetched_at=datetime.now(UTC),
        sha256=hashlib.sha256(body).hexdigest(),
        redirects=redirects,
    )


@dataclass(frozen=True)
class _Target:
    scheme: str
    host: str  # lower case, IDNA-encoded, IPv6 without brackets
    port: int
    path: str  # path and query, percent-encoded, never empty
    url: str  # the address as fetched (no fragment)

    @property
    def origin(self):
        host = f"[{self.host}]" if ":" in self.host else self.host
        default = 443 if self.scheme == "https" else 80
        return f"{self.scheme}://{host}" + ("" if self.port == default else f":{self.port}")

    @classmethod
    def parse(cls, url):
        url = url.strip() if isinstance(url, str) else ""
        if not url or any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in url):
            raise FetchRefused("The address is not a valid URL.", "url")
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError as error:
            raise FetchRefused(f"The address is not a valid URL ({error}).", "url") from None
        scheme = parts.scheme.lower()
        if scheme not in ("http", "https"):
            raise FetchRefused(
                f"Only http and https addresses are fetched, not {scheme or 'this'}.", "scheme"
            )
        if parts.username is not None or parts.password is not None:
            raise FetchRefused("Addresses with a user name or password are not fetched.", "url")
        host = (parts.hostname or "").rstrip(".")
        if not host:
            raise FetchRefused("The address has no host.", "url")
        try:
            host = host.encode("idna").decode("ascii").lower()
        except UnicodeError:
            raise FetchRefused(f"The host name {host!r} is not valid.", "url") from None
        port = port or (443 if scheme == "https" else 80)
        # Keep what is already percent-encoded; encode what a browser would.
        path = quote(parts.path or "/", safe="/%:@!$&'()*+,;=-._~")
        if parts.query:
            path += "?" + quote(parts.query, safe="/%:@!$&'()*+,;=-._~?")
        target = cls(scheme, host, port, path, "")
        return cls(scheme, host, port, path, target.origin + path)


def address_allowed(address, allow_loopback=False):
    """Whether ``address`` (a string) is a public address the fetcher may connect to."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if ip.version == 6:
        # An IPv4 address in IPv6 clothing is judged as the IPv4 address it reaches.
        if ip.ipv4_mapped is not None:
            return address_allowed(str(ip.ipv4_mapped), allow_loopback)
        if ip in NAT64:
            return address_allowed(str(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)))
        embedded = ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if embedded is not None and not address_allowed(str(embedded)):
            return False
    if ip.is_loopback:
        return allow_loopback
    # is_global alone lets multicast through (Python 3.11), hence the other checks.
    return ip.is_global and not (
        ip.is_multicast or ip.is_reserved or ip.is_link_local or ip.is_unspecified or ip.is_private
    )


def _resolve(host, port, allow_loopback):
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as error:
        raise FetchFailed(f"The host {host} could not be resolved ({error}).", "dns") from None
    # (family, socket address) as resolved: connected to as they are, never looked up again.
    addresses = list({info[4][0]: (info[0], info[4]) for info in infos}.values())
    if not addresses:
        raise FetchFailed(f"The host {host} has no address.", "dns")
    for _family, (address, *_rest) in addresses:
        if not address_allowed(address, allow_loopback):
            raise FetchRefused(
                f"{host} resolves to {address}, which is not a public address.", "address"
            )
    # Web pages live on the web's ports; any other port of a public address may be a
    # service never meant for this (a database listening on all interfaces). Loopback
    # test servers, when allowed, listen where they like.
    loopback = all(ipaddress.ip_address(a[0].split("%", 1)[0]).is_loopback for _f, a in addresses)
    if port not in WEB_PORTS and not (allow_loopback and loopback):
        raise FetchRefused(f"Only ports 80 and 443 are fetched, not {port}.", "port")
    return addresses


def _dial(family, sockaddr, timeout):
    """A TCP connection to exactly ``sockaddr`` (no name look-up of any kind)."""
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.settimeout(timeout)
        sock.connect(sockaddr)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    except BaseException:
        sock.close()
        raise
    return sock


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """An HTTP connection to an address checked beforehand; ``host`` is only a name.

    ``address`` is ``(family, sockaddr)`` from ``_resolve()``.
    """

    def __init__(self, host, port, address, timeout):
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self):
        self.sock = _dial(*self.address, self.timeout)


class _PinnedHTTPSConnection(_PinnedHTTPConnection):
    default_port = 443

    def __init__(self, host, port, address, timeout, context):
        super().__init__(host, port, address, timeout)
        self.context = context

    def connect(self):
        super().connect()
        # Server name and certificate are the host's, whatever address was dialled.
        self.sock = self.context.wrap_socket(self.sock, server_hostname=self.host)


@cache
def _tls_context():
    """The TLS settings: the system's trusted roots, hostname checked. Tests replace it."""
    return ssl.create_default_context()


_host_locks = {}
_host_locks_guard = threading.Lock()


def _host_lock(host):
    with _host_locks_guard:
        return _host_locks.setdefault(host, threading.Lock())


def _request(target, addresses, max_bytes, timeout, follow):
    """One GET to ``target`` through one of ``addresses``: (status, headers, body).

    A redirect's body is not read when ``follow`` is set. Headers are a dict with
    lower-case names (the last of repeated headers wins).
    """
    with _host_lock(target.host):
        deadline = time.monotonic() + timeout
        connection = None
        # The whole exchange, headers included, ends at the deadline: a server trickling
        # header lines would otherwise get a fresh timeout for each.
        current = {}
        watchdog = threading.Timer(timeout, lambda: _cut(current.get("connection")))
        watchdog.daemon = True
        watchdog.start()
        try:
            connection, response = _connect_and_send(target, addresses, timeout, current)
            headers = {name.lower(): value for name, value in response.getheaders()}
            if follow and response.status in REDIRECT_STATUSES and "location" in headers:
                return response.status, headers, b""
            length = headers.get("content-length", "")
            if (whole_number(length, digits=19) or 0) > max_bytes:
                raise FetchRefused(_too_big(max_bytes), "too-big")
            body = _read_body(connection, response, headers, max_bytes, deadline)
            return response.status, headers, body
        except TimeoutError:
            raise FetchFailed(
                f"{target.host} did not answer within {timeout} s.", "timeout"
            ) from None
        except ssl.SSLError as error:
            raise FetchFailed(f"TLS with {target.host} failed ({error}).", "tls") from None
        except (OSError, http.client.HTTPException) as error:
            if time.monotonic() >= deadline:
                raise FetchFailed(
                    f"{target.host} did not answer within {timeout} s.", "timeout"
                ) from None
            raise FetchFailed(
                f"The request to {target.host} failed ({error}).", "network"
            ) from None
        finally:
            watchdog.cancel()
            if connection is not None:
                connection.close()


def _cut(connection):
    """Unblock a read past the deadline: shut the socket down under it."""
    sock = getattr(connection, "sock", None)
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)


def _connect_and_send(target, addresses, timeout, current):
    """Connect to the first of ``addresses`` that answers and send the GET.

    ``current["connection"]`` is the connection in use, for the deadline's watchdog.
    """
    error = None
    for address in addresses:
        if target.scheme == "https":
            connection = _PinnedHTTPSConnection(
                target.host, target.port, address, timeout, _tls_context()
            )
        else:
            connection = _PinnedHTTPConnection(target.host, target.port, address, timeout)
        current["connection"] = connection
        try:
            connection.connect()
        except ssl.SSLError:
            connection.close()
            raise
        except OSError as exc:
            connection.close()
            error = exc
            continue
        try:
            connection.putrequest("GET", target.path, skip_accept_encoding=True)
            connection.putheader("User-Agent", user_agent())
            connection.putheader("Accept", "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5")
            connection.putheader("Accept-Encoding", "gzip")
            connection.endheaders()
            return connection, connection.getresponse()
        except BaseException:
            connection.close()
            raise
    raise error


def _read_body(connection, response, headers, max_bytes, deadline):
    encoding = headers.get("content-encoding", "").strip().lower()
    if encoding in ("gzip", "x-gzip"):
        decoder = zlib.decompressobj(16 + zlib.MAX_WBITS)
    elif encoding in ("", "identity"):
        decoder = None
    else:
        raise FetchFailed(f"The server sent an encoding that was not asked for: {encoding}.")
    parts, size = [], 0

    def keep(data):
        nonlocal size
        size += len(data)
        if size > max_bytes:
            raise FetchRefused(_too_big(max_bytes), "too-big")
        parts.append(data)

    def decoded(step, *args):
        try:
            return step(*args)
        except zlib.error as error:
            raise FetchFailed(f"The gzip body could not be decoded ({error}).") from None

    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError
        if connection.sock is not None:
            connection.sock.settimeout(remaining)
        # read1: one receive at most, so a trickle cannot hold a read past the deadline.
        chunk = response.read1(CHUNK)
        if not chunk:
            if time.monotonic() >= deadline:
                raise TimeoutError  # the watchdog cut the connection: not the real end
            break
        if decoder is not None:
            # Decode at most one byte past the cap: a small gzip bomb stays small.
            chunk = decoded(decoder.decompress, chunk, max_bytes - size + 1)
        keep(chunk)
    if decoder is not None:
        keep(decoded(decoder.flush))
    return b"".join(parts)


def _too_big(max_bytes):
    return f"The page is larger than {max_bytes // 1024:,} KiB."


_robots = {}  # origin -> (expires, RobotFileParser or None for "allow all")
_robots_guard = threading.Lock()


def _robots_allow(target, addresses, timeout, allow_loopback):
    """Whether the origin's robots.txt lets ``Rejoinder`` fetch ``target``."""
    now = time.monotonic()
    with _robots_guard:
        expires, parser = _robots.get(target.origin, (0, None))
    if expires <= now:
        parser, seconds = _load_robots(target, addresses, timeout, allow_loopback)
        with _robots_guard:
            _robots[target.origin] = (now + seconds, parser)
    return parser is None or parser.can_fetch(ROBOT_TOKEN, target.url)


def _load_robots(target, addresses, timeout, allow_loopback):
    """The origin's robots.txt, parsed, and how long to keep it; None means allow all.

    As RFC 9309 says: a 4xx (no robots.txt) allows everything; redirects are followed (up
    to five). Unlike it, an unreachable robots.txt allows too: the page itself is asked
    for once, at a writer's request, not crawled.
    """
    url = target.origin + "/robots.txt"
    try:
        robots = _Target.parse(url)
        for _hop in range(MAX_REDIRECTS + 1):
            if robots.host != target.host or robots.port != target.port:
                addresses = _resolve(robots.host, robots.port, allow_loopback)
            status, headers, body = _request(robots, addresses, ROBOTS_MAX_BYTES, timeout, True)
            if status in REDIRECT_STATUSES and headers.get("location"):
                robots = _Target.parse(urljoin(robots.url, headers["location"].strip()))
                continue
            break
        else:
            return None, ROBOTS_ERROR_CACHE_SECONDS
    except FetchError:
        return None, ROBOTS_ERROR_CACHE_SECONDS
    if 400 <= status < 500:
        return None, ROBOTS_CACHE_SECONDS
    if not 200 <= status < 300:
        return None, ROBOTS_ERROR_CACHE_SECONDS
    parser = RobotFileParser(url)
    parser.parse(body.decode("utf-8", "replace").splitlines())
    return parser, ROBOTS_CACHE_SECONDS


def clear_robots_cache():
    """Forget every robots.txt read so far (tests; a long-lived process after a change)."""
    with _robots_guard:
        _robots.clear()
