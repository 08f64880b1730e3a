"""Two server processes: a flood limit counted on one holds on the other, and a page one
caches is made stale by a comment the other takes.

Each process has its own memory; only a shared store makes "one comment per 15 seconds"
and "never a stale page" true for several server processes (granian runs several; a site
may run several machines). This starts two real `rejoinder run` servers on the data of
this test run's engine (SQLite, or a fresh PostgreSQL database): once with ``REDIS_URL``
pointing at one Redis database that the test empties before and after, once without Redis
(flood counts in the database, pages in files of the shared data directory). Then the
scale-out of docs/operations.md: two `rejoinder serve` processes, each with its own data
directory as on two machines, sharing only PostgreSQL and Redis.
"""

import os
import random
import secrets
import urllib.error
import urllib.parse
import urllib.request

import pytest
import redis

from tests.commands import rejoinder
from tests.core.test_backups import postgres_databases
from tests.core.test_cli import command_env, free_port
from tests.core.test_concurrent_writers import DEMO_POST, site, spawn, start, stop
from tests.loadclient import DEMO_SITE, post_one

FLOOD_ON = (
    "from rejoinder.discussion.models import DiscussionSettings as S; r = S.load(); "
    "r.flood_seconds = 15; r.save()"
)


def post_comment(base_url, body):
    return post_one(base_url, DEMO_POST, body)


@pytest.fixture(params=["redis", "database"])
def redis_url(request):
    """A Redis database of its own, emptied before and after; or None (no Redis)."""
    if request.param == "database":
        yield None
        return
    number = random.randint(8, 15)
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
            assert cached_on(two)
            assert post_comment(one, "Posted on the first server")[0] == 303
            if redis_url:
                # The count lives in Redis, under a digest of the address, never the address.
                keys = redis.Redis.from_url(redis_url).keys("*flood:ip:*")
                assert keys and not any(b"127.0.0.1" in key for key in keys)
            status, page = post_comment(two, "Posted on the second, too soon")
            assert status == 429, page[:300]
            assert "You are commenting too quickly" in page
            # What one server took shows at once on a page the other had cached.
            assert "Posted on the first server" in page_text(two)
        finally:
            stop(first)
            stop(second)


def test_two_serve_processes_on_postgresql_and_redis(tmp_path):
    """The documented scale-out: two `rejoinder serve` processes with data directories of
    their own share PostgreSQL and Redis; a comment posted on one shows at once on a page
    the other had cached, and the flood limit counts across both."""
    number = random.randint(8, 15)
    redis_url = f"redis://127.0.0.1:6379/{number}"
    store = redis.Redis.from_url(redis_url)
    store.flushdb()
    base = os.environ.get("DATABASE_URL") or os.environ.get(
        "TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/test"
    )
    with postgres_databases(1, base) as (database_url,):
        shared = {
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "REJOINDER_SECRET_KEY": secrets.token_urlsafe(50),
            "REJOINDER_ALLOWED_HOSTS": "127.0.0.1",
        }
        machines = [command_env(tmp_path / name, **shared) for name in ("one", "two")]
        setup = rejoinder(machines[0], "shell", "-c", DEMO_SITE)
        assert setup.returncode == 0, setup.stderr
        assert rejoinder(machines[0], "shell", "-c", FLOOD_ON).returncode == 0
        ports = [free_port(), free_port()]
        servers = [spawn(env, port, "serve") for env, port in zip(machines, ports, strict=True)]
        try:
            one, two = (f"http://127.0.0.1:{port}" for port in ports)
            assert cached_on(two)
            assert post_comment(one, "Taken by the first machine")[0] == 303
            assert "Taken by the first machine" in page_text(two)
            status, page = post_comment(two, "Too soon on the second machine")
            assert status == 429, page[:300]
            # Both kept their pages in Redis, not in their own data directories.
            assert store.keys("pages:*")
        finally:
            for server in servers:
                stop(server)
            store.flushdb()


def page_text(base_url):
    with urllib.request.urlopen(base_url + DEMO_POST, timeout=30) as response:
        return response.read().decode()


def cached_on(base_url):
    """Whether readers' visits to the post come to be answered from the page cache
    (without Redis each granian worker keeps its own copy: a few visits reach both)."""
    states = []
    for _visit in range(8):
        with urllib.request.urlopen(base_url + DEMO_POST, timeout=30) as response:
            states.append(response.headers["X-Page-Cache"])
    return "hit" in states
