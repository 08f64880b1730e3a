"""Two server processes: a flood limit counted on one holds on the other.

Each process has its own memory; only a shared store makes "one comment per 15 seconds"
true for several server processes (granian runs several; a site may run several
machines). This starts two real `rejoinder run` servers on the data of this test run's
engine (SQLite, or a fresh PostgreSQL database): once with ``REDIS_URL`` pointing at one
Redis database that the test empties before and after, once without Redis, where the
counts live in the database.
"""

import http.cookiejar
import random
import urllib.error
import urllib.parse
import urllib.request

import pytest
import redis

from tests.commands import rejoinder
from tests.core.test_cli import free_port
from tests.core.test_concurrent_writers import DEMO_POST, site, start, stop
from tests.loadclient import ISSUED, TOKEN

FLOOD_ON = (
    "from rejoinder.discussion.models import DiscussionSettings as S; r = S.load(); "
    "r.flood_seconds = 15; r.save()"
)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def post_comment(base_url, body):
    """Fetch the post page, then send a comment from it as a browser would; the status."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect)
    with opener.open(base_url + DEMO_POST, timeout=30) as page:
        html = page.read().decode()
    data = urllib.parse.urlencode(
        {
            "csrfmiddlewaretoken": TOKEN.search(html).group(1),
            "issued": ISSUED.search(html).group(1),
            "name": "Same reader",
            "body": body,
        }
    ).encode()
    request = urllib.request.Request(
        base_url + DEMO_POST + "comments/", data=data, headers={"Referer": base_url + DEMO_POST}
    )
    try:
        with opener.open(request, timeout=30) as response:
            return response.status, ""
    except urllib.error.HTTPError as answer:
        return answer.code, answer.read().decode(errors="replace")


@pytest.fixture(params=["redis", "database"])
def redis_url(request):
    """A Redis database of its own, emptied before and after; or None (no Redis)."""
    if request.param == "database":
        yield None
        return
    number = random.randint(1, 15)
    url = f"redis://127.0.0.1:6379/{number}"
    client = redis.Redis.from_url(url)
    client.flushdb()
    yield url
    client.flushdb()


def test_two_servers_share_the_flood_limit(tmp_path, redis_url):
    with site(tmp_path) as env:
        env.pop("REDIS_URL", None)
        if redis_url:
            env["REDIS_URL"] = redis_url
        first_port, second_port = free_port(), free_port()
        first = start(env, first_port)
        second = start(env, second_port)
        try:
            assert rejoinder(env, "shell", "-c", FLOOD_ON).returncode == 0
            one = f"http://127.0.0.1:{first_port}"
            two = f"http://127.0.0.1:{second_port}"
            assert post_comment(one, "Posted on the first server")[0] == 303
            if redis_url:
                # The count lives in Redis, under a digest of the address, never the address.
                keys = redis.Redis.from_url(redis_url).keys("*flood:ip:*")
                assert keys and not any(b"127.0.0.1" in key for key in keys)
            status, page = post_comment(two, "Posted on the second, too soon")
            assert status == 429, page[:300]
            assert "You are commenting too quickly" in page
            # What one server took shows at once on a page the other serves.
            with urllib.request.urlopen(two + DEMO_POST, timeout=30) as response:
                assert "Posted on the first server" in response.read().decode()
        finally:
            stop(first)
            stop(second)
