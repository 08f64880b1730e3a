"""The `rejoinder` command, run as a reader of the README would run it."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager, suppress
from email import message_from_bytes, policy
from pathlib import Path

import pytest

# The console script installed beside the interpreter running the tests.
REJOINDER = str(Path(sys.executable).parent / "rejoinder")
DEMO_POST = "/2026/10/06/harbour-bridge-money/"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def command_env(data_dir, **extra):
    # The default (SQLite in the data directory), whatever database this test run uses.
    env = {k: v for k, v in os.environ.items() if not k.startswith("REJOINDER_")}
    env.pop("DATABASE_URL", None)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.update(REJOINDER_DATA_DIR=str(data_dir), **extra)
    return env


@contextmanager
def running(args, env, timeout=90):
    """Start ``rejoinder ARGS``, wait for its URL line, yield (url, output so far, pid)."""
    process = subprocess.Popen(
        [REJOINDER, *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    output = []
    try:
        deadline = time.monotonic() + timeout
        url = None
        while url is None and time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line:
                break
            output.append(line)
            if "is serving at " in line:
                url = line.split("is serving at ")[1].split()[0]
        assert url, "".join(output)
        wait_until_up(url, deadline)
        yield url, "".join(output), process.pid
    finally:
        # The whole group: the server and whatever it started (the task worker).
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        process.stdout.close()


def wait_until_up(url, deadline):
    while True:
        try:
            urllib.request.urlopen(url, timeout=2).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def children(pid):
    """The ids of the processes whose parent is ``pid`` (Linux's /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with suppress(OSError):
                # After the command name (in parentheses, maybe with spaces): state, parent.
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                if int(fields[1]) == pid:
                    found.append(int(entry.name))
    return found


def is_running(pid):
    """Whether ``pid`` is a live process (an exited child not yet reaped is not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def task_worker(server_pid):
    """The pid of the task worker ``rejoinder run`` started beside the server."""
    for pid in children(server_pid):
        with suppress(OSError):
            if b"run_worker" in Path(f"/proc/{pid}/cmdline").read_bytes():
                return pid
    raise AssertionError("no task worker beside the server")


def wait_for(condition, timeout=20):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)
    return True


# Ask for email about replies to a demo comment: the worker sends the confirmation.
SUBSCRIBE = """
from rejoinder.discussion.models import Comment
from rejoinder.notifications import subscriptions
comment = Comment.objects.filter(status="approved").first()
comment.author_email = "reader@example.org"
subscriptions.subscribe(comment, replies=True, everything=False, ip_address=None)
"""


def outbox_texts(data_dir):
    """The text parts of the messages local mode wrote to the outbox."""
    texts = []
    for path in sorted((data_dir / "outbox").glob("*.log")):
        # The file backend writes each message followed by a line of 79 dashes.
        for raw in path.read_bytes().split(b"\n" + b"-" * 79):
            if raw.strip():
                message = message_from_bytes(raw.lstrip(), policy=policy.default)
                texts.append(message.get_body(preferencelist=("plain",)).get_content())
    return texts


def fetch(url):
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.headers, response.read().decode()


def test_run_serves_the_demo_and_keeps_data_on_rerun(tmp_path):
    """First run prints the admin login once and serves demo content; a rerun keeps it.

    Beside the server runs the task worker: queued email goes out (to the outbox, in local
    mode, with links to the address served at), and the worker ends with the server,
    whether the whole group is stopped or the server alone.
    """
    data = tmp_path / "data"
    port = free_port()
    env = command_env(data)
    with running(["run", "--port", str(port), "--workers", "1"], env) as (url, out, pid):
        assert url == f"http://127.0.0.1:{port}/"
        assert "username: admin" in out and "password: " in out
        status, headers, body = fetch(url + DEMO_POST.lstrip("/"))
        assert status == 200 and "Harbour Bridge" in body
        assert headers["Server"] is None or "WSGIServer" not in headers["Server"]
        _, css_headers, _ = fetch(url + "static/rejoinder/site.css")
        worker = task_worker(pid)
        shell = subprocess.run(
            [REJOINDER, "shell", "-c", SUBSCRIBE], env=env, capture_output=True, timeout=60
        )
        assert shell.returncode == 0, shell.stderr
        assert wait_for(lambda: outbox_texts(data)), "the worker sent nothing"
        [text] = outbox_texts(data)
        assert f"{url}comments/confirm/" in text
    assert wait_for(lambda: not is_running(worker), timeout=10), "the worker outlived the server"
    assert (data / "rejoinder.sqlite3").exists()
    assert "max-age" in css_headers["Cache-Control"]
    with running(["run", "--port", str(port), "--workers", "1"], env) as (url, out, pid):
        assert "password: " not in out
        _, _, front = fetch(url)
        assert front.count('class="h-entry summary"') == 5
        worker = task_worker(pid)
        os.kill(pid, signal.SIGTERM)  # the server alone
        assert wait_for(lambda: not is_running(worker), timeout=10), "the worker was left behind"


def test_serve_refuses_to_start_without_a_secret(tmp_path):
    """`rejoinder serve` is production: no secret, no start, and the message says which."""
    result = subprocess.run(
        [REJOINDER, "serve"],
        env=command_env(tmp_path, REJOINDER_ALLOWED_HOSTS="blog.example"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "REJOINDER_SECRET_KEY is not set" in result.stderr


def test_serve_runs_the_production_server(tmp_path):
    """With a secret and hosts, serve answers through granian with static files."""
    env = command_env(tmp_path, REJOINDER_SECRET_KEY="k" * 50, REJOINDER_ALLOWED_HOSTS="127.0.0.1")
    subprocess.run([REJOINDER, "migrate", "--verbosity", "0"], env=env, check=True, timeout=120)
    port = free_port()
    with running(["serve", "--port", str(port), "--workers", "1"], env) as (url, _, pid):
        status, _, body = fetch(url)
        assert status == 200 and "Nothing published yet." in body
        status, _, _ = fetch(url + "static/rejoinder/site.css")
        assert status == 200
        with pytest.raises(AssertionError, match="no task worker"):
            task_worker(pid)  # a pure server: the worker is its own service
    serve = ["serve", "--port", str(free_port()), "--workers", "1", "--with-worker"]
    with running(serve, env) as (url, _, pid):
        assert is_running(task_worker(pid))


@pytest.mark.parametrize(
    "args", [["migrate", "--check"], ["shell", "-c", "print('shell works')"], ["check"]]
)
def test_django_commands_work(tmp_path, args):
    """`rejoinder` wraps Django's own management commands."""
    env = command_env(tmp_path)
    subprocess.run([REJOINDER, "migrate", "--verbosity", "0"], env=env, check=True, timeout=120)
    result = subprocess.run([REJOINDER, *args], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    if args[0] == "shell":
        assert "shell works" in result.stdout
