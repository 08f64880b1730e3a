"""Many writers at once against `rejoinder serve`, and a crash in the middle: nothing lost.

The short form of ``bench/load_comments.py``: 10 writers for 8 s, on the engine of this
test run (a fresh PostgreSQL database when the run is on PostgreSQL).
"""

import json
import os
import signal
import subprocess
import sys
import threading
import time
from contextlib import contextmanager, nullcontext

from tests import loadclient
from tests.commands import last_line, rejoinder
from tests.core.test_backups import postgres_databases
from tests.core.test_cli import command_env, free_port, wait_until_up

DEMO_POST = "/2026/10/06/harbour-bridge-money/"
STORED = (
    "import json; from rejoinder.discussion.models import Comment; "
    "print(json.dumps(list(Comment.objects.filter(body__startswith='load-')"
    ".values_list('body', flat=True))))"
)
INTEGRITY = (
    "from django.db import connection\n"
    "with connection.cursor() as c:\n"
    "    c.execute('PRAGMA integrity_check'); print(c.fetchone()[0])"
)


@contextmanager
def site(tmp_path):
    """A data directory (and, on a PostgreSQL run, a fresh database) with the demo loaded."""
    databases = postgres_databases(1) if os.environ.get("DATABASE_URL") else nullcontext([None])
    with databases as (url,):
        env = command_env(tmp_path, **({"DATABASE_URL": url} if url else {}))
        env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        yield env


def spawn(env, port, command="run", workers=2):
    """`rejoinder run` (migrate, demo, granian) or `serve` in its own process group, once
    it answers (stopped again if it never does)."""
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "rejoinder",
            command,
            "--port",
            str(port),
            "--workers",
            str(workers),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        wait_until_up(f"http://127.0.0.1:{port}/", time.monotonic() + 90)
    except BaseException:
        stop(process, signal.SIGKILL)
        raise
    return process


def start(env, port):
    """`rejoinder run` with the lenient rules of the load tests."""
    process = spawn(env, port)
    lenient = rejoinder(env, "shell", "-c", loadclient.LENIENT_RULES)
    assert lenient.returncode == 0, lenient.stderr
    return process


def stop(process, how=signal.SIGTERM):
    os.killpg(process.pid, how)
    process.wait(timeout=30)


def stored_bodies(env):
    result = rejoinder(env, "shell", "-c", STORED)
    assert result.returncode == 0, result.stderr
    return json.loads(last_line(result))


def assert_nothing_lost(outcome, stored):
    assert len(stored) == len(set(stored)), "a comment was stored twice"
    assert set(outcome.acknowledged) <= set(stored), "an acknowledged comment is missing"
    assert not [status for status in outcome.statuses if isinstance(status, int) and status >= 500]
    assert not [error for error in outcome.errors if "locked" in error.lower()]


def test_ten_writers_lose_nothing(tmp_path):
    """Every comment answered with a redirect is stored exactly once; no 5xx, no lock."""
    with site(tmp_path) as env:
        port = free_port()
        server = start(env, port)
        try:
            outcome = loadclient.run(f"http://127.0.0.1:{port}", DEMO_POST, writers=10, seconds=8)
        finally:
            stop(server)
        assert len(outcome.acknowledged) > 50, outcome.summary(8)
        assert outcome.errors == [], outcome.errors
        stored = stored_bodies(env)
        assert sorted(stored) == sorted(outcome.acknowledged)
        assert_nothing_lost(outcome, stored)


def test_a_crash_mid_load_loses_nothing_acknowledged(tmp_path):
    """SIGKILL the server under load, start it again: every acknowledged comment is there."""
    with site(tmp_path) as env:
        port = free_port()
        server = start(env, port)
        result = {}
        load = threading.Thread(
            target=lambda: result.update(
                outcome=loadclient.run(
                    f"http://127.0.0.1:{port}", DEMO_POST, writers=10, seconds=10
                )
            )
        )
        load.start()
        time.sleep(3)
        stop(server, signal.SIGKILL)
        server = start(env, port)
        load.join(90)
        stop(server)
        outcome = result["outcome"]
        assert outcome.statuses.get("connection"), "the crash should have cut some requests"
        assert_nothing_lost(outcome, stored_bodies(env))
        if "DATABASE_URL" not in env:
            check = rejoinder(env, "shell", "-c", INTEGRITY)
            assert last_line(check) == "ok", check.stderr
