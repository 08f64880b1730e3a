"""The nginx front of docs/operations.md: cached pages served as files, the rest proxied.

A file's live parts (``pagecache.live``: the comment form's stamp) are SSI includes of
their own addresses, which nginx proxies to the application and keeps for one reader's
address for ``LIVE_SECONDS``: a reader gets a fresh stamp, and nginx still answers nearly
every page view itself (a stamp fetched for every view cut the front's throughput to a
twelfth, bench/README.md).

``server_block()`` is what an operator puts in their nginx configuration;
``standalone()`` wraps it in a whole nginx.conf with its own pid, logs and temporary
files (for tests, benchmarks, and a first try). Both come from the settings, so the file
paths, the cookies that bypass the cache and the security headers are the application's.
"""

import os

from django.conf import settings
from django.http import HttpResponse
from django.middleware.clickjacking import XFrameOptionsMiddleware
from django.middleware.security import SecurityMiddleware
from django.test import RequestFactory

from . import pagecache, pagefiles

SKIP = "/.skip"  # a directory never written (no cached path starts with a dot)
# How long nginx keeps a live part for one client address. A stamp is good for one
# comment, and its age is what the timing rule measures: a reader who loads a page again
# within this time gets the same stamp (a bot gains nothing: waiting is what the rule asks
# for), and the flood limit (15 s by default) is longer anyway.
LIVE_SECONDS = 10
# Where a front printed for an operator's nginx keeps them (nginx's own state directory).
LIVE_CACHE_DIR = "/var/lib/nginx/rejoinder-live"

# Served as files: the headers the application would have sent with the page.
_HEADER_NAMES = (
    "Content-Security-Policy",
    "X-Content-Type-Options",
    "Referrer-Policy",
    "Cross-Origin-Opener-Policy",
    "X-Frame-Options",
    "Strict-Transport-Security",
)


def page_headers():
    """The security headers every page gets, as the middleware would set them."""
    from csp.middleware import CSPMiddleware

    request = RequestFactory().get("/", secure=settings.SECURE_SSL_REDIRECT)
    response = HttpResponse("")
    for middleware in (SecurityMiddleware, XFrameOptionsMiddleware, CSPMiddleware):
        response = middleware(HttpResponse).process_response(request, response)
    headers = {name: response[name] for name in _HEADER_NAMES if response.has_header(name)}
    headers["Cache-Control"] = pagecache.cache_control()
    headers["Vary"] = "Cookie"
    headers["X-Page-Cache"] = "file"
    return headers


def server_block(listen, upstreams, server_name="_", live_cache_dir=LIVE_CACHE_DIR):
    cache_dir = settings.PAGE_CACHE_DIR
    if not cache_dir:
        raise ValueError(
            "REJOINDER_PAGE_CACHE_DIR is not set: the nginx front serves the page cache's "
            "files from that directory (e.g. /var/lib/rejoinder/page-cache)."
        )
    cookies = "|".join(sorted((settings.SESSION_COOKIE_NAME, *pagecache.IDENTITY_COOKIES)))
    headers = "\n".join(
        f"        add_header {name} {_quote(value)};" for name, value in page_headers().items()
    )
    servers = "\n".join(f"    server {upstream};" for upstream in upstreams)
    live = "".join(
        f"""
    location = {path()} {{  # a live part of cached pages, fresh for each reader
{_PROXY}
        proxy_cache rejoinder_live;
        proxy_cache_key $binary_remote_addr$uri;
        proxy_cache_valid 200 {LIVE_SECONDS}s;
        proxy_cache_lock on;
        proxy_ignore_headers Cache-Control Expires Set-Cookie Vary;
        add_header Cache-Control "no-store";
    }}
"""
        for _fill, path in pagecache.LIVE.values()
    )
    return f"""# Live parts of pages, kept per reader address for {LIVE_SECONDS} s (core/nginx.py).
proxy_cache_path {live_cache_dir} levels=1 keys_zone=rejoinder_live:4m
                 max_size=64m inactive=1m use_temp_path=off;

upstream rejoinder {{
{servers}
    keepalive 32;
}}

server {{
    listen {listen};
    server_name {server_name};
    client_max_body_size 64m;  # WordPress exports uploaded in the admin
    charset utf-8;
    charset_types application/xml;  # text/html is always one

    # A cached page only for what the application would answer from its page cache:
    # GET or HEAD, no query string, none of the cookies that change what a page shows.
    set $page_cache "";
    if ($request_method !~ ^(GET|HEAD)$) {{ set $page_cache {SKIP}; }}
    if ($args != "") {{ set $page_cache {SKIP}; }}
    if ($http_cookie ~ "(^|;\\s*)({cookies})=") {{ set $page_cache {SKIP}; }}

    location /static/ {{
        alias {settings.STATIC_ROOT}/;
        add_header Cache-Control "public, max-age=31536000, immutable";
        add_header X-Content-Type-Options nosniff;
    }}

    location / {{
        root {cache_dir};
        types {{ text/html html; application/xml xml; }}
        try_files $page_cache$uri/{pagefiles.HTML} $page_cache$uri/{pagefiles.XML} @app;
        # A page's live parts (the comment form's stamp) are SSI includes, filled per
        # reader; HTML only. Validators kept (weak): the page is the same, as the
        # application's own ETag says. A failed include leaves the part empty.
        ssi on;
        ssi_last_modified on;
        ssi_silent_errors on;
{headers}
    }}
{live}
    location = /sitemap.xml {{
        root {cache_dir};
        types {{ application/xml xml; }}
        try_files $page_cache/sitemap.xml @app;
{headers}
    }}

    location @app {{
{_PROXY}
    }}
}}
"""


_PROXY = """\
        proxy_pass http://rejoinder;
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_set_header Host $http_host;  # with its port: the Origin check compares both
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_set_header X-Forwarded-Proto $scheme;"""


def standalone(listen, upstreams, run_dir, server_name="_"):
    """A whole nginx.conf: pid, logs and temporary files under ``run_dir``."""
    temp = "\n".join(
        f"    {kind}_temp_path {run_dir}/{kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    block = server_block(listen, upstreams, server_name, f"{run_dir}/live").replace("\n", "\n    ")
    # Started by root (a test, a benchmark), workers would run as nobody and could not read
    # a private data directory: keep them as the user who starts nginx.
    user = "user root;\n" if os.geteuid() == 0 else ""
    return f"""{user}worker_processes auto;
pid {run_dir}/nginx.pid;
error_log {run_dir}/error.log;
events {{
    worker_connections 1024;
}}
http {{
    access_log off;
    sendfile on;
    tcp_nopush on;
{temp}
    {block.rstrip()}
}}
"""


def _quote(value):
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
