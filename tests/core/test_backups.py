"""`rejoinder backup` and `rejoinder restore`, run as an operator would, on both engines."""

import json
import os
import uuid
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit

import psycopg

from tests.commands import rejoinder

LOAD_DEMO = (
    "from django.contrib.auth import get_user_model; "
    "from rejoinder.operations.demo import load_demo; "
    "load_demo(get_user_model().objects.create_user('demo', first_name='Demo'))"
)


def site_env(data_dir, database_url=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("REJOINDER_", "DJANGO_"))}
    env.pop("DATABASE_URL", None)
    env["REJOINDER_DATA_DIR"] = str(data_dir)
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


@contextmanager
def postgres_databases(count, server_url=None):
    """Fresh databases on the test run's PostgreSQL server (or ``server_url``'s), dropped
    afterwards."""
    base = urlsplit(server_url or os.environ["DATABASE_URL"])
    names = [f"rejoinder_tmp_{uuid.uuid4().hex[:10]}" for _ in range(count)]
    admin = psycopg.connect(
        host=base.hostname, port=base.port or 5432, user=base.username, dbname="postgres",
        autocommit=True,
    )  # fmt: skip
    try:
        for name in names:
            admin.execute(f'CREATE DATABASE "{name}"')
        yield [urlunsplit(base._replace(path=f"/{name}")) for name in names]
    finally:
        for name in names:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def dump(env):
    result = rejoinder(env, "dumpdata", "--natural-foreign", "--exclude=sessions", "--indent=0")
    assert result.returncode == 0, result.stderr
    return sorted(json.loads(result.stdout), key=lambda row: (row["model"], str(row["pk"])))


def round_trip(tmp_path, first_url=None, second_url=None):
    source = site_env(tmp_path / "a", first_url)
    target = site_env(tmp_path / "b", second_url)
    backup_file = tmp_path / "site.backup"
    for env in (source, target):
        assert rejoinder(env, "migrate", "-v0").returncode == 0
    assert rejoinder(source, "shell", "-c", LOAD_DEMO).returncode == 0
    made = rejoinder(source, "backup", "-o", str(backup_file))
    assert made.returncode == 0, made.stderr
    restored = rejoinder(target, "restore", str(backup_file))
    assert restored.returncode == 0, restored.stderr
    assert dump(source) == dump(target)
    again = rejoinder(target, "restore", str(backup_file))
    assert again.returncode != 0
    assert "already has posts" in again.stderr
    return source, target


def test_backup_restores_into_an_empty_site(tmp_path):
    """Every row of a backed-up site comes back in an empty one (the engine of this run)."""
    if os.environ.get("DATABASE_URL"):
        with postgres_databases(2) as (first, second):
            round_trip(tmp_path, first, second)
    else:
        round_trip(tmp_path)


def test_restore_refuses_what_is_not_a_backup(tmp_path):
    """A file that is not a backup is refused with a reason, nothing changed."""
    env = site_env(tmp_path / "site")
    assert rejoinder(env, "migrate", "-v0").returncode == 0
    junk = tmp_path / "junk.backup"
    junk.write_text("not a database")
    result = rejoinder(env, "restore", str(junk))
    assert result.returncode != 0
    assert "is not a SQLite backup" in result.stderr
