"""Load and crash benchmark: 50 writers post comments into one thread for 60 s.

Run from the project root with the project's virtualenv:

    .venv/bin/python bench/load_comments.py [--writers 50] [--seconds 60] [--engines ...]

For each engine it starts `rejoinder run --workers 2` (granian) on a fresh site (SQLite in
a temporary data directory; PostgreSQL in a fresh database on DATABASE_URL's server,
default 127.0.0.1:5432, dropped afterwards), lets the writers post for the whole period
(`tests/loadclient.py`: each fetches the post page for its CSRF token, then posts
comments one after another), then checks that every comment answered with a redirect is
stored exactly once, and counts 5xx answers and "database is locked" errors.
"""

import argparse
import json
import os
import sys
import tempfile
from contextlib import nullcontext
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


from tests import loadclient  # noqa: E402
from tests.core.test_backups import postgres_databases  # noqa: E402
from tests.core.test_cli import command_env, free_port  # noqa: E402
from tests.core.test_concurrent_writers import DEMO_POST, start, stop, stored_bodies  # noqa: E402


def measure(engine, writers, seconds, base_url):
    databases = postgres_databases(1, base_url) if engine == "postgresql" else nullcontext([None])
    with tempfile.TemporaryDirectory(prefix="rejoinder-load-") as tmp, databases as (url,):
        env = command_env(Path(tmp), **({"DATABASE_URL": url} if url else {}))
        port = free_port()
        server = start(env, port)
        try:
            outcome = loadclient.run(f"http://127.0.0.1:{port}", DEMO_POST, writers, seconds)
        finally:
            stop(server)
        stored = stored_bodies(env)
    summary = outcome.summary(seconds)
    summary["stored"] = len(stored)
    summary["stored_twice"] = len(stored) - len(set(stored))
    summary["lost"] = len(set(outcome.acknowledged) - set(stored))
    summary["errors_5xx"] = sum(
        n for status, n in outcome.statuses.items() if isinstance(status, int) and status >= 500
    )
    summary["locked"] = sum("locked" in error.lower() for error in outcome.errors)
    return summary


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--writers", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--engines", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument(
        "--postgres",
        default=os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/test"),
    )
    args = parser.parse_args(argv)
    columns = [
        "engine", "writers", "seconds", "acknowledged", "comments/s", "p50 (ms)", "p99 (ms)",
        "lost", "stored twice", "5xx", "locked",
    ]  # fmt: skip
    print("| " + " | ".join(columns) + " |")
    print("|---" + "|---:" * (len(columns) - 1) + "|")
    for engine in args.engines:
        s = measure(engine, args.writers, args.seconds, args.postgres)
        print(json.dumps(s), file=sys.stderr)
        cells = [
            engine, args.writers, args.seconds, f"{s['acknowledged']:,}", s["per_second"],
            s["p50_ms"], s["p99_ms"], s["lost"], s["stored_twice"], s["errors_5xx"], s["locked"],
        ]  # fmt: skip
        print("| " + " | ".join(map(str, cells)) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
