import os
import subprocess
import sys

import pytest

from rejoinder.settings import database_from_url
from tests.commands import rejoinder


def load_settings(**env):
    """Import the settings in a fresh interpreter with exactly these variables."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("REJOINDER_")}
    clean.pop("DATABASE_URL", None)
    clean.update(env)
    return subprocess.run(
        [sys.executable, "-c", "import rejoinder.settings"],
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_without_secret_fails_naming_it(tmp_path):
    """Production mode refuses to start without REJOINDER_SECRET_KEY."""
    result = load_settings(
        REJOINDER_ENV="production",
        REJOINDER_ALLOWED_HOSTS="x.example",
        REJOINDER_DATA_DIR=str(tmp_path),
    )
    assert result.returncode != 0
    assert "REJOINDER_SECRET_KEY is not set" in result.stderr


def test_production_without_hosts_fails_naming_them(tmp_path):
    """Production mode refuses to start without REJOINDER_ALLOWED_HOSTS."""
    result = load_settings(
        REJOINDER_ENV="production", REJOINDER_SECRET_KEY="s" * 50, REJOINDER_DATA_DIR=str(tmp_path)
    )
    assert result.returncode != 0
    assert "REJOINDER_ALLOWED_HOSTS is not set" in result.stderr


def test_local_mode_generates_a_private_secret_once(tmp_path):
    """Local mode writes a random secret readable by its owner only, and reuses it."""
    assert load_settings(REJOINDER_DATA_DIR=str(tmp_path)).returncode == 0
    secret = tmp_path / "secret_key"
    first = secret.read_text()
    assert len(first) >= 50 and oct(secret.stat().st_mode & 0o777) == "0o600"
    assert load_settings(REJOINDER_DATA_DIR=str(tmp_path)).returncode == 0
    assert secret.read_text() == first


def test_bad_values_name_the_variable(tmp_path):
    """A malformed number or flag names its variable and limit."""
    result = load_settings(REJOINDER_DATA_DIR=str(tmp_path), REJOINDER_POSTS_PER_PAGE="0")
    assert "REJOINDER_POSTS_PER_PAGE must be between 1 and 100, not 0." in result.stderr
    result = load_settings(REJOINDER_DATA_DIR=str(tmp_path), REJOINDER_DEBUG="maybe")
    assert "REJOINDER_DEBUG must be true or false" in result.stderr


def test_database_url_parsing():
    """DATABASE_URL becomes PostgreSQL settings; other schemes are refused by name."""
    db = database_from_url("postgres://me:p%40ss@db.example:6543/blog")
    assert (db["ENGINE"], db["USER"], db["PASSWORD"]) == (
        "django.db.backends.postgresql",
        "me",
        "p@ss",
    )
    assert (db["HOST"], db["PORT"], db["NAME"]) == ("db.example", "6543", "blog")
    with pytest.raises(Exception, match="DATABASE_URL must start with postgres://"):
        database_from_url("mysql://x/y")


def test_sqlite_is_tuned_for_a_web_server(tmp_path):
    """The embedded database runs with WAL, foreign keys, a busy timeout, IMMEDIATE writes."""
    probe = (
        "from django.db import connection\n"
        "with connection.cursor() as c:\n"
        "    for pragma in ('journal_mode', 'foreign_keys', 'busy_timeout', 'synchronous'):\n"
        "        c.execute('PRAGMA ' + pragma)\n"
        "        print(pragma, c.fetchone()[0])\n"
        "print('transaction_mode', connection.settings_dict['OPTIONS']['transaction_mode'])\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("REJOINDER_")}
    env.pop("DATABASE_URL", None)
    env.update(REJOINDER_DATA_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="rejoinder.settings")
    result = rejoinder(env, "shell", "-c", probe)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    for expected in (
        "journal_mode wal",
        "foreign_keys 1",
        "busy_timeout 20000",
        "synchronous 1",
        "transaction_mode IMMEDIATE",
    ):
        assert expected in lines
