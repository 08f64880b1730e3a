"""Start the production WSGI server (granian) in place of this process.

granian was measured against gunicorn on a post page (bench/README.md) and chosen; Django's
development server is never used.
"""

import os
import sys

from django.conf import settings
from django.core.management import call_command


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


def exec_server(host, port, workers, stdout):
    prepare_static()
    stdout.write(f"Rejoinder is serving at {display_url(host, port)}  (Ctrl+C stops it)\n")
    stdout.flush()
    command = granian_command(host, port, workers)
    os.execv(command[0], command)
