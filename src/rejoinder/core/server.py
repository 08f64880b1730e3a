"""Start the production WSGI server (granian) in place of this process.

granian was measured against gunicorn on a post page (bench/README.md) and chosen; Django's
development server is never used. ``rejoinder run`` also starts the task worker (the
notification email queue) beside it; ``rejoinder serve`` leaves that to its own service.
"""

import logging
import os
import signal
import subprocess
import sys
import threading
import time

from django.conf import settings
from django.core.management import call_command

from . import pagecache


def default_workers():
    return max(1, os.cpu_count() or 1)


def prepare_static():
    """Collect static files so WhiteNoise serves hashed, compressed copies."""
    settings.STATIC_ROOT.mkdir(parents=True, exist_ok=True)
    call_command("collectstatic", interactive=False, verbosity=0)


def granian_command(host, port, workers):
    return [
        sys.executable, "-m", "granian",
        "--interface", "wsgi",
        "--host", host,
        "--port", str(port),
        "--workers", str(workers),
        # One blocking thread per worker was the fastest for Django (bench/README.md).
        "--blocking-threads", "1",
        "--no-ws",
        "--log-level", "warning",
        "rejoinder.wsgi:application",
    ]  # fmt: skip


def display_url(host, port):
    shown = "127.0.0.1" if host in {"0.0.0.0", "::", ""} else host
    if ":" in shown:
        shown = f"[{shown}]"
    return f"http://{shown}:{port}/"


def exec_server(host, port, workers, stdout, with_worker=False):
    """Collect static files, forget cached pages (the code or settings may be new), then
    become granian; with ``with_worker``, start the worker."""
    prepare_static()
    pagecache.clear()
    if with_worker:
        start_worker(display_url(host, port))
    stdout.write(f"Rejoinder is serving at {display_url(host, port)}  (Ctrl+C stops it)\n")
    stdout.flush()
    command = granian_command(host, port, workers)
    os.execv(command[0], command)


def start_worker(site_url):
    """Start the task worker as a child process that ends with the server.

    The server then takes this process's place (exec), so the worker is its child. It
    stays in the same process group, so Ctrl+C in the terminal and a signal to the group
    (systemd, a test) stop both; and it watches its parent, so it also stops when only the
    server is killed. Links in email need the site's address, which a worker has no
    request to take from: unless ``REJOINDER_SITE_URL`` says otherwise it is the address
    served at.
    """
    env = dict(os.environ)
    if not env.get("REJOINDER_SITE_URL"):
        env["REJOINDER_SITE_URL"] = site_url
    code = f"from rejoinder.core.server import run_worker; run_worker({os.getpid()})"
    return subprocess.Popen([sys.executable, "-c", code], env=env, stdin=subprocess.DEVNULL)


# How often the worker looks for queued tasks, in seconds (db_worker's default).
WORKER_INTERVAL = 1.0


def run_worker(parent_pid):
    """The worker started by ``start_worker``: django-tasks-db's ``db_worker`` loop.

    Its own loop rather than the command, for two things the command lacks: stopping
    when the server (``parent_pid``) is gone, and starting again after a crash (say, the
    database briefly unreachable) instead of leaving the queue unserved. Logging follows
    the site's settings: failures are shown, each finished task is not.
    """
    import django

    django.setup()
    from django.utils.crypto import get_random_string
    from django_tasks_db.management.commands.db_worker import Worker

    # Its notes on shutting down would only echo the Ctrl+C that caused them.
    logging.getLogger("django_tasks_db").setLevel(logging.ERROR)
    watcher = threading.Thread(target=_stop_with_parent, args=(parent_pid,), daemon=True)
    watcher.start()
    while True:
        worker = Worker(
            queue_names=["default"],
            interval=WORKER_INTERVAL,
            batch=False,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id=get_random_string(32),
            excluded_queue_names=[],
        )
        worker.configure_signals()
        try:
            worker.run()
            return
        except Exception:
            logging.getLogger(__name__).exception("The task worker failed; restarting in 5 s.")
            time.sleep(5)


def _stop_with_parent(parent_pid):
    """Ask this process to stop (as Ctrl+C would) once its parent is gone."""
    while os.getppid() == parent_pid:
        time.sleep(1)
    os.kill(os.getpid(), signal.SIGTERM)
