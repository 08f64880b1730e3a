"""The source fetcher: the rules it keeps while fetching on a writer's behalf.

Every page comes from an HTTP server the tests start on 127.0.0.1. Refused addresses
(10.0.0.1, 169.254.169.254, ...) are refused before any connection is made; the
``only_loopback_connections`` guard fails a test that would dial anything else.
"""

import gzip
import hashlib
import http.server
import shutil
import socket
import ssl
import subprocess
import threading
import time
from datetime import UTC
from urllib.parse import unquote

import pytest

from rejoinder.publishing import fetcher
from rejoinder.publishing.fetcher import FetchFailed, FetchRefused, fetch
from tests.publishing.article_pages import semantic_page

ARTICLE = semantic_page().encode()
ROBOTS = b"""User-agent: Rejoinder
Disallow: /private/

User-agent: *
Disallow: /everyone-else/
"""
BIG = 6 * 1024 * 1024


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Filled in by the fixture: the server's own address, for absolute redirects.
    origin = ""
    requests = []

    def log_message(self, *args):
        pass

    def send(self, status, body=b"", content_type="text/html; charset=utf-8", **headers):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(body)

    def redirect(self, location, status=302):
        self.send(status, b"", Location=location)

    def do_GET(self):
        Handler.requests.append((self.path, dict(self.headers)))
        path = self.path
        if path == "/robots.txt":
            self.send(200, ROBOTS, "text/plain")
        elif path in ("/article", "/private/page", "/everyone-else/page"):
            self.send(200, ARTICLE)
        elif path == "/echo":
            lines = [f"{name}: {value}" for name, value in self.headers.items()]
            self.send(200, "\n".join(lines).encode(), "text/plain")
        elif path == "/missing":
            self.send(404, b"<h1>Not found</h1>")
        elif path == "/moved":
            self.redirect("article", 301)  # relative, resolved against /moved
        elif path.startswith("/hops/"):
            left = int(path.rsplit("/", 1)[1])
            self.redirect(f"/hops/{left - 1}" if left else "/article")
        elif path.startswith("/to/"):
            self.redirect(unquote(path.removeprefix("/to/")))
        elif path == "/huge":
            self.stream(BIG)
        elif path == "/huge-declared":
            self.send_response(200)
            self.send_header("Content-Length", str(BIG))
            self.end_headers()
            self.wfile.write(b"x" * 1024)
        elif path == "/gzip":
            self.send(200, gzip.compress(ARTICLE), Content_Encoding="gzip")
        elif path == "/gzip-bomb":
            self.send(200, gzip.compress(b"\0" * BIG), Content_Encoding="gzip")
        elif path == "/pause":
            time.sleep(0.5)
            self.send(200, b"done")
        elif path == "/slow":
            time.sleep(2)
            self.send(200, ARTICLE)
        elif path == "/drip-headers":
            # Header lines one at a time, each well within the socket timeout.
            self.send_response(200)
            for n in range(40):
                self.send_header(f"X-Line-{n}", "x")
                self.flush_headers()
                time.sleep(0.1)
            self.end_headers()
        elif path == "/drip":
            # Each byte well within the socket timeout; the whole far beyond it.
            self.send_response(200)
            self.send_header("Content-Length", "40")
            self.end_headers()
            for _ in range(40):
                self.wfile.write(b"x")
                self.wfile.flush()
                time.sleep(0.1)
        else:
            self.send(404, b"")

    def stream(self, size):
        """A body of ``size`` bytes in chunks, no Content-Length: only reading stops it."""
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        chunk = b"y" * 65536
        for _ in range(size // len(chunk)):
            self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        self.wfile.write(b"0\r\n\r\n")


class QuietServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # a client that gave up (timeouts, size cap) is expected here


def serve(server):
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return thread


@pytest.fixture(scope="module")
def server():
    httpd = QuietServer(("127.0.0.1", 0), Handler)
    Handler.origin = f"http://127.0.0.1:{httpd.server_port}"
    serve(httpd)
    yield Handler.origin
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(autouse=True)
def fresh_state():
    fetcher.clear_robots_cache()
    Handler.requests.clear()


@pytest.fixture(autouse=True)
def only_loopback_connections(monkeypatch):
    """Fail the test, without connecting, if the fetcher dials anything but loopback."""
    real = fetcher._dial

    def guarded(family, sockaddr, timeout):
        assert sockaddr[0] in ("127.0.0.1", "::1"), f"the fetcher dialled {sockaddr[0]}"
        return real(family, sockaddr, timeout)

    monkeypatch.setattr(fetcher, "_dial", guarded)


@pytest.fixture
def loopback(settings):
    settings.QUOTE_FETCH_ALLOW_LOOPBACK = True


def resolve_to(monkeypatch, names):
    """Make the fetcher's DNS answer ``names`` ({host: [addresses]}); count the look-ups."""
    looked_up = []

    def getaddrinfo(host, port, *args, **kwargs):
        looked_up.append(host)
        return [
            (socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port))
            for a in names[host]
        ]

    monkeypatch.setattr(fetcher.socket, "getaddrinfo", getaddrinfo)
    return looked_up


def test_fetches_a_page(server, loopback):
    """A page comes back with its status, type, body, SHA-256 and an aware UTC time."""
    page = fetch(f"{server}/article")
    assert page.status == 200
    assert page.body == ARTICLE
    assert page.sha256 == hashlib.sha256(ARTICLE).hexdigest()
    assert page.content_type == "text/html; charset=utf-8"
    assert page.charset == "utf-8"
    assert page.fetched_at.tzinfo is UTC
    assert page.final_url == f"{server}/article"
    assert page.redirects == []


def test_error_status_is_returned_not_raised(server, loopback):
    """A 404 is an answer: the caller marks the source unavailable."""
    page = fetch(f"{server}/missing")
    assert page.status == 404


def test_user_agent_names_the_checker(server, loopback, settings):
    """Requests say who is asking, with the site's address when it is set."""
    settings.SITE_URL = "https://blog.example.org"
    text = fetch(f"{server}/echo").body.decode()
    assert "User-Agent: Rejoinder/" in text
    assert "quotation checker; +https://blog.example.org)" in text


def test_redirects_are_followed_and_recorded(server, loopback):
    """A relative Location is resolved; the chain is kept in order."""
    page = fetch(f"{server}/moved")
    assert (page.status, page.final_url) == (200, f"{server}/article")
    assert page.redirects == [f"{server}/moved"]


def test_five_redirects_are_followed(server, loopback):
    """Five hops are allowed."""
    page = fetch(f"{server}/hops/4")
    assert page.status == 200
    assert len(page.redirects) == 5


def test_more_than_five_redirects_are_refused(server, loopback):
    """A sixth redirect is not followed."""
    with pytest.raises(FetchRefused) as refused:
        fetch(f"{server}/hops/5")
    assert refused.value.code == "redirects"


@pytest.mark.parametrize(
    "target",
    [
        "http://10.0.0.1/admin",
        "http://169.254.169.254/latest/meta-data/",
        "http://[fd00::1]/",
        "http://[::ffff:10.0.0.1]/",
        "http://0.0.0.0/",
    ],
)
def test_redirect_to_a_private_address_is_refused(server, loopback, target):
    """Each hop is checked: an allowed host cannot send the fetcher inward."""
    with pytest.raises(FetchRefused) as refused:
        fetch(f"{server}/to/{target}")
    assert refused.value.code == "address"


def test_redirect_to_a_name_resolving_inward_is_refused(server, loopback, monkeypatch):
    """A redirect's host is resolved and checked like the first one."""
    resolve_to(monkeypatch, {"127.0.0.1": ["127.0.0.1"], "intranet.test": ["10.1.2.3"]})
    with pytest.raises(FetchRefused, match=r"10\.1\.2\.3"):
        fetch(f"{server}/to/http://intranet.test/")


def test_redirect_to_loopback_is_followed_when_allowed(server, loopback):
    """With loopback allowed (tests), a redirect to another loopback URL is fine."""
    page = fetch(f"{server}/to/http://localhost:{server.rsplit(':', 1)[1]}/article")
    assert page.status == 200


def test_loopback_is_refused_by_default(server):
    """Production mode: the test server itself may not be fetched."""
    with pytest.raises(FetchRefused) as refused:
        fetch(f"{server}/article")
    assert refused.value.code == "address"
    assert Handler.requests == []


@pytest.mark.parametrize(
    "url",
    [
        "http://localhost/",
        "http://127.1.2.3/",
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",
    ],
)
def test_every_loopback_form_is_refused_by_default(url):
    """127.0.0.0/8, ::1 and an IPv4-mapped loopback are all loopback."""
    with pytest.raises(FetchRefused, match="not a public address"):
        fetch(url)


@pytest.mark.parametrize(
    "url",
    [
        "http://10.0.0.1/",
        "http://10.255.255.254:8080/x",
        "http://172.16.0.1/",
        "http://192.168.1.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://100.64.0.1/",
        "http://[fe80::1]/",
        "http://[fc00::1]/",
        "http://224.0.0.1/",
        "http://0.0.0.0/",
    ],
)
def test_private_addresses_are_refused_even_with_loopback_allowed(loopback, url):
    """Allowing loopback lets 127/8 and ::1 through, nothing else."""
    with pytest.raises(FetchRefused) as refused:
        fetch(url)
    assert refused.value.code == "address"


def test_name_resolving_to_a_private_address_is_refused(monkeypatch):
    """The resolved address is what counts, not how the name looks."""
    resolve_to(monkeypatch, {"news.example": ["10.0.0.7"]})
    with pytest.raises(FetchRefused, match=r"news\.example resolves to 10\.0\.0\.7"):
        fetch("https://news.example/story")


def test_every_resolved_address_must_be_public(monkeypatch):
    """One private address among public ones is enough to refuse."""
    resolve_to(monkeypatch, {"news.example": ["93.184.215.14", "10.0.0.7"]})
    with pytest.raises(FetchRefused, match=r"10\.0\.0\.7"):
        fetch("http://news.example/story")


def test_connects_to_the_address_it_checked(server, loopback, monkeypatch):
    """One look-up per hop; the connection goes to that address with the name as Host.

    A second look-up could answer differently (DNS rebinding), so there is none.
    """
    port = server.rsplit(":", 1)[1]
    looked_up = resolve_to(monkeypatch, {"source.test": ["127.0.0.1"]})
    page = fetch(f"http://source.test:{port}/echo")
    assert f"Host: source.test:{port}" in page.body.decode()
    assert looked_up == ["source.test"]


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com/file.txt",
        "file:///etc/passwd",
        "gopher://example.com/",
        "javascript:alert(1)",
        "data:text/html,<p>hi</p>",
        "example.com/no-scheme",
    ],
)
def test_only_http_and_https(url):
    """Other schemes are refused before anything is resolved."""
    with pytest.raises(FetchRefused) as refused:
        fetch(url)
    assert refused.value.code == "scheme"


@pytest.mark.parametrize(
    "url",
    [
        "http://",
        "http://user:secret@example.com/",
        "http://example.com:99999/",
        "http://example.com/a\r\nX-Injected: 1",
    ],
)
def test_bad_urls_are_refused(url):
    """No host, credentials, an impossible port or control characters: not a URL."""
    with pytest.raises(FetchRefused) as refused:
        fetch(url)
    assert refused.value.code == "url"


def test_streamed_body_over_the_cap_is_refused(server, loopback):
    """A body with no length stops being read past the cap."""
    with pytest.raises(FetchRefused) as refused:
        fetch(f"{server}/huge")
    assert refused.value.code == "too-big"


def test_declared_length_over_the_cap_is_refused(server, loopback):
    """A Content-Length over the cap is refused without reading the body."""
    with pytest.raises(FetchRefused) as refused:
        fetch(f"{server}/huge-declared")
    assert refused.value.code == "too-big"


def test_smaller_cap(server, loopback):
    """The cap is the caller's to lower."""
    with pytest.raises(FetchRefused):
        fetch(f"{server}/article", max_bytes=1000)


def test_gzip_is_decoded(server, loopback):
    """A gzip body comes back decoded; the hash is the page's."""
    page = fetch(f"{server}/gzip")
    assert page.body == ARTICLE
    assert page.sha256 == hashlib.sha256(ARTICLE).hexdigest()


def test_gzip_bomb_is_refused(server, loopback):
    """The cap applies to the decoded size, not the few KB on the wire."""
    with pytest.raises(FetchRefused) as refused:
        fetch(f"{server}/gzip-bomb")
    assert refused.value.code == "too-big"


def test_robots_txt_is_honoured(server, loopback):
    """A path robots.txt disallows for Rejoinder is not requested."""
    with pytest.raises(FetchRefused) as refused:
        fetch(f"{server}/private/page")
    assert refused.value.code == "robots"
    assert [path for path, _ in Handler.requests] == ["/robots.txt"]


def test_robots_txt_group_for_rejoinder_wins(server, loopback):
    """Rules for other robots (*) do not apply when there is a group for Rejoinder."""
    assert fetch(f"{server}/everyone-else/page").status == 200


def test_robots_txt_is_read_once(server, loopback):
    """robots.txt is cached per origin."""
    fetch(f"{server}/article")
    fetch(f"{server}/missing")
    paths = [path for path, _ in Handler.requests]
    assert paths == ["/robots.txt", "/article", "/missing"]


def test_slow_server_times_out(server, loopback):
    """No answer within the timeout is a failure, not a hang."""
    started = time.monotonic()
    with pytest.raises(FetchFailed) as failed:
        fetch(f"{server}/slow", timeout=0.5)
    assert failed.value.code == "timeout"
    assert time.monotonic() - started < 1.5


def test_trickling_headers_time_out(server, loopback):
    """The deadline covers the headers too: one line at a time cannot hold the worker."""
    started = time.monotonic()
    with pytest.raises(FetchFailed) as failed:
        fetch(f"{server}/drip-headers", timeout=0.5)
    assert failed.value.code == "timeout"
    assert time.monotonic() - started < 1.5


def test_only_web_ports_of_public_addresses(monkeypatch):
    """A public address's other ports may be services (a database on all interfaces)."""
    resolve_to(monkeypatch, {"news.example": ["93.184.216.34"]})
    with pytest.raises(FetchRefused) as refused:
        fetch("http://news.example:6379/")
    assert refused.value.code == "port"


def test_trickling_body_times_out(server, loopback):
    """The timeout bounds the whole response, not each read."""
    started = time.monotonic()
    with pytest.raises(FetchFailed) as failed:
        fetch(f"{server}/drip", timeout=0.5)
    assert failed.value.code == "timeout"
    assert time.monotonic() - started < 1.5


def test_connection_refused_is_a_failure(loopback):
    """Nothing listening: FetchFailed."""
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    with pytest.raises(FetchFailed) as failed:
        fetch(f"http://127.0.0.1:{port}/")
    assert failed.value.code == "network"


def test_one_request_at_a_time_per_host(server, loopback):
    """Two fetches from one host in two threads do not overlap."""
    fetch(f"{server}/robots.txt")  # robots.txt read and cached first
    times = []

    def timed():
        started = time.monotonic()
        fetch(f"{server}/pause")
        times.append((started, time.monotonic()))

    threads = [threading.Thread(target=timed) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    (_, first_end), (_, second_end) = sorted(times, key=lambda t: t[1])
    # Each /pause takes half a second; in parallel both would end together.
    assert second_end - first_end > 0.4


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory):
    """An HTTPS server on 127.0.0.1 with a certificate for source.test only."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a test certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-days", "1", "-subj", "/CN=source.test",
         "-addext", "subjectAltName=DNS:source.test",
         "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    httpd = QuietServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    serve(httpd)
    yield httpd.server_port, cert
    httpd.shutdown()
    httpd.server_close()


def trusting(cert):
    def context():
        ctx = ssl.create_default_context(cafile=str(cert))
        return ctx

    return context


def test_https_checks_the_certificate_for_the_name(tls_server, loopback, monkeypatch):
    """TLS to the pinned address uses the host name for SNI and the certificate check."""
    port, cert = tls_server
    monkeypatch.setattr(fetcher, "_tls_context", trusting(cert))
    resolve_to(monkeypatch, {"source.test": ["127.0.0.1"]})
    page = fetch(f"https://source.test:{port}/echo")
    assert page.status == 200
    assert f"Host: source.test:{port}" in page.body.decode()


def test_https_certificate_for_another_name_fails(tls_server, loopback, monkeypatch):
    """A certificate that does not name the host is not accepted."""
    port, cert = tls_server
    monkeypatch.setattr(fetcher, "_tls_context", trusting(cert))
    resolve_to(monkeypatch, {"other.test": ["127.0.0.1"]})
    with pytest.raises(FetchFailed) as failed:
        fetch(f"https://other.test:{port}/article")
    assert failed.value.code == "tls"


def test_https_untrusted_certificate_fails(tls_server, loopback, monkeypatch):
    """A self-signed certificate is not trusted by the default context."""
    port, _cert = tls_server
    resolve_to(monkeypatch, {"source.test": ["127.0.0.1"]})
    with pytest.raises(FetchFailed) as failed:
        fetch(f"https://source.test:{port}/article")
    assert failed.value.code == "tls"
