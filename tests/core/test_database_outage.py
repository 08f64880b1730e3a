"""PostgreSQL going away and coming back, on a throw-away cluster this test starts itself."""

import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.core.test_cli import command_env, free_port, wait_until_up

PG_BINARIES = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))


def as_postgres(command):
    # PostgreSQL refuses to run as root; CI runs as root, developers may not.
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *command]
    return command


@contextmanager
def own_cluster():
    """A PostgreSQL cluster on a free port, never the shared one; removed afterwards."""
    bin_dir = PG_BINARIES[-1].parent
    home = Path(tempfile.mkdtemp(prefix="rejoinder-pg-"))
    home.chmod(0o755)
    data, socket_dir, log = home / "data", home / "socket", home / "log"
    data.mkdir()
    socket_dir.mkdir()
    if os.geteuid() == 0:
        shutil.chown(data, "postgres")
        shutil.chown(socket_dir, "postgres")
        log.touch()
        shutil.chown(log, "postgres")
    port = free_port()
    subprocess.run(
        as_postgres(
            [str(bin_dir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "--no-sync"]
        ),
        check=True,
        capture_output=True,
        timeout=120,
    )
    options = f"-p {port} -k {socket_dir} -c listen_addresses=127.0.0.1 -c fsync=off"

    def pg_ctl(*args):
        command = [str(bin_dir / "pg_ctl"), "-D", str(data), "-w", "-l", str(log), *args]
        subprocess.run(as_postgres(command), check=True, capture_output=True, timeout=120)

    try:
        pg_ctl("-o", options, "start")
        yield port, lambda: pg_ctl("-o", options, "start"), lambda: pg_ctl("-m", "fast", "stop")
    finally:
        subprocess.run(
            as_postgres([str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]),
            capture_output=True,
            timeout=60,
        )
        shutil.rmtree(home, ignore_errors=True)


def get(url):
    try:
        with urllib.request.urlopen(url, timeout=20) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


@pytest.mark.skipif(not PG_BINARIES, reason="needs PostgreSQL's server binaries (initdb)")
def test_readers_get_a_clear_503_and_the_site_recovers(tmp_path):
    """Database down: 503 with an explanation, no traceback, for a page the page cache
    does not hold. Back up: pages again."""
    with own_cluster() as (pg_port, start_db, stop_db):
        env = command_env(
            tmp_path, DATABASE_URL=f"postgres://postgres@127.0.0.1:{pg_port}/postgres"
        )
        env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        port = free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "rejoinder", "run", "--port", str(port), "--workers", "1"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        url = f"http://127.0.0.1:{port}/"
        try:
            wait_until_up(url, time.monotonic() + 120)
            assert get(url)[0] == 200
            stop_db()
            # A page the page cache cannot answer (a search): it needs the database.
            status, body = get(url + "?s=bridge")
            assert status == 503
            assert "cannot reach its database" in body and "Traceback" not in body
            start_db()
            deadline = time.monotonic() + 30
            while get(url + "?s=bridge")[0] != 200:
                assert time.monotonic() < deadline, "the site did not recover"
                time.sleep(0.5)
        finally:
            os.killpg(server.pid, 15)
            server.wait(timeout=30)
