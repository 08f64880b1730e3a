"""The nginx front of docs/operations.md, with a real nginx and a real `rejoinder serve`.

The configuration is the one `rejoinder nginx_config` prints (the docs show the same
command): cached anonymous pages are files nginx serves without the application; a
comment deletes the files it makes stale; readers with a session, their own comments or
a query string always reach the application.
"""

import http.client
import os
import re
import secrets
import signal
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from tests.commands import rejoinder
from tests.core.test_cli import command_env, free_port, wait_until_up
from tests.core.test_concurrent_writers import DEMO_POST, spawn, stop
from tests.html import form_stamps, without_stamps
from tests.loadclient import DEMO_SITE, post_one

NGINX = Path("/usr/sbin/nginx")


def get(url, headers=None, source=None):
    """GET ``url``: (status, headers, text); from the local address ``source`` if given
    (another reader: any 127.x.y.z is this machine)."""
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(
        parts.hostname, parts.port, timeout=30, source_address=(source, 0) if source else None
    )
    try:
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.headers, response.read().decode()
    finally:
        connection.close()


@pytest.fixture
def front(tmp_path):
    """`rejoinder serve` on the demo site, and nginx in front of it; yields (url, env)."""
    assert NGINX.exists(), "no nginx: scripts/test installs it (apt-get install nginx-light)"
    cache_dir = tmp_path / "page-cache"
    env = command_env(
        tmp_path / "data",
        REJOINDER_SECRET_KEY=secrets.token_urlsafe(50),
        REJOINDER_ALLOWED_HOSTS="127.0.0.1",
        REJOINDER_PAGE_CACHE_DIR=str(cache_dir),
        REJOINDER_TRUSTED_PROXIES="127.0.0.1",
    )
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    setup = rejoinder(env, "shell", "-c", DEMO_SITE)
    assert setup.returncode == 0, setup.stderr
    app_port, front_port = free_port(), free_port()
    run_dir = tmp_path / "nginx"
    run_dir.mkdir()
    printed = rejoinder(
        env,
        "nginx_config",
        "--listen", f"127.0.0.1:{front_port}",
        "--upstream", f"127.0.0.1:{app_port}",
        "--run-dir", str(run_dir),
    )  # fmt: skip
    assert printed.returncode == 0, printed.stderr
    conf = run_dir / "nginx.conf"
    conf.write_text(printed.stdout)
    app = spawn(env, app_port, "serve", workers=1)
    server = None
    try:
        checked = subprocess.run(
            [NGINX, "-t", "-c", conf, "-e", run_dir / "error.log"], capture_output=True, text=True
        )
        assert checked.returncode == 0, checked.stderr
        server = subprocess.Popen(
            [NGINX, "-c", conf, "-e", run_dir / "error.log", "-g", "daemon off;"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        wait_until_up(f"http://127.0.0.1:{front_port}/", time.monotonic() + 30)
        yield f"http://127.0.0.1:{front_port}", cache_dir
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
        stop(app)


def post_comment(url, body):
    return post_one(url, DEMO_POST, body, name="Front reader")[0]


def test_nginx_serves_cached_pages_as_files_until_a_comment_deletes_them(front):
    """The second anonymous visit is nginx's own file; a comment deletes it, and the next
    visit shows the comment (through the application, which writes the file again)."""
    url, cache_dir = front
    status, headers, first = get(url + DEMO_POST)
    assert status == 200 and headers["X-Page-Cache"] == "miss"
    assert (cache_dir / DEMO_POST.strip("/") / "index.html").exists()
    status, headers, second = get(url + DEMO_POST)
    assert (status, headers["X-Page-Cache"]) == (200, "file")
    assert without_stamps(second) == without_stamps(first)  # each has a stamp of its own
    # The application's headers come with the file too.
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert headers["X-Frame-Options"] == "DENY"
    assert "s-maxage=" in headers["Cache-Control"]
    # Conditional requests: nginx answers 304 for the file's validators.
    status, _, _ = get(url + DEMO_POST, {"If-None-Match": headers["ETag"]})
    assert status == 304

    assert post_comment(url, "Through the front door") == 303
    status, headers, page = get(url + DEMO_POST)
    assert headers["X-Page-Cache"] == "miss"  # the file was deleted: the app answered
    assert "Through the front door" in page
    assert get(url + DEMO_POST)[1]["X-Page-Cache"] == "file"


def send_with_stamp(url, stamp, body):
    """A comment sent from a page whose form carried ``stamp``: (status, page)."""
    data = urllib.parse.urlencode({"issued": stamp, "name": "Front reader", "body": body})
    request = urllib.request.Request(
        url + DEMO_POST + "comments/", data=data.encode(), headers={"Origin": url}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_every_reader_of_a_file_gets_a_fresh_stamp_good_for_one_comment(front):
    """nginx fills the comment form's stamp of its file for each reader (an SSI include of
    the application's stamp address, kept per reader's address for a few seconds): two
    readers, two stamps, neither the one the page was cached with; the same reader again
    at once, the same stamp (nginx answered it); a stamp sends one comment, and sent again
    it is refused with the text kept."""
    url, cache_dir = front
    status, headers, first = get(url + DEMO_POST)
    assert headers["X-Page-Cache"] == "miss"
    given = []
    for reader in ("127.0.0.1", "127.0.0.2"):
        status, headers, page = get(url + DEMO_POST, source=reader)
        assert (status, headers["X-Page-Cache"]) == (200, "file")
        given.extend(form_stamps(page))
    (at_caching,) = form_stamps(first)
    assert len({at_caching, *given}) == 3
    assert all(re.fullmatch(r"[-\w]+(:[-\w]+)+", stamp) for stamp in given), given
    assert form_stamps(get(url + DEMO_POST, source="127.0.0.2")[2]) == given[1:]
    kept = (cache_dir / DEMO_POST.strip("/") / "index.html").read_text()
    assert form_stamps(kept) == ["<!--# include virtual='/comments/stamp/' -->"]
    # Redirected to the comment: a success (urllib follows the 303 to the post page).
    assert send_with_stamp(url, given[0], "From a file's form")[0] == 200
    status, page = send_with_stamp(url, given[0], "Again from the same form")
    assert status == 400
    assert "This form has already sent a comment" in page
    assert "Again from the same form" in page
    assert send_with_stamp(url, given[1], "From the other reader's form")[0] == 200


def test_listings_and_feeds_are_files_and_go_stale_with_a_comment(front):
    """The front page (which shows comment counts) and the feed are files too; a comment
    on a post they show deletes them."""
    url, _ = front
    for address in ("/", "/feed/", "/sitemap.xml"):
        get(url + address)
        status, headers, _ = get(url + address)
        assert (status, headers["X-Page-Cache"]) == (200, "file"), address
    assert get(url + "/feed/")[1]["Content-Type"].startswith("application/xml")
    count_before = re.search(r'harbour-bridge-money/#comments"[^>]*>(\d+)<', get(url + "/")[2])
    assert post_comment(url, "Counted on the front page") == 303
    status, headers, page = get(url + "/")
    assert headers["X-Page-Cache"] == "miss"
    count_after = re.search(r'harbour-bridge-money/#comments"[^>]*>(\d+)<', page)
    assert int(count_after.group(1)) == int(count_before.group(1)) + 1
    assert get(url + "/feed/")[1]["X-Page-Cache"] == "miss"


def test_readers_with_their_own_state_reach_the_application(front):
    """A session, a reader's own comments, a remembered name or a query string: never a
    file. The tag lists beside the files are never served."""
    url, _ = front
    get(url + DEMO_POST)
    assert get(url + DEMO_POST)[1]["X-Page-Cache"] == "file"
    for cookie in ("sessionid=x", "rejoinder_comments=x", "rejoinder_commenter=x"):
        headers = get(url + DEMO_POST, {"Cookie": f"other=1; {cookie}"})[1]
        assert headers["X-Page-Cache"] is None, cookie  # the application, no cache at all
    assert get(url + DEMO_POST + "?unapproved=1")[1]["X-Page-Cache"] is None
    assert get(url + "/.tags/posts")[0] == 404
    assert get(url + "/.skip/")[0] == 404
