"""Back up the database while the site runs, and restore it into an empty site.

SQLite: the online backup API copies a consistent snapshot page by page, WAL included,
while readers and writers carry on. PostgreSQL: ``pg_dump`` (custom format) and
``pg_restore``. Media files are not in the backup: copy ``$REJOINDER_DATA_DIR/media``
alongside (docs/operations.md).
"""

import os
import shutil
import sqlite3
import subprocess

from django.conf import settings
from django.db import connection

from rejoinder.publishing.models import Post

SQLITE_MAGIC = b"SQLite format 3\x00"


class BackupError(Exception):
    """A backup or restore cannot go on; the message says why and what to do."""


def backup(target):
    """Write a backup of the database to the file ``target``."""
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        destination = sqlite3.connect(target)
        try:
            connection.connection.backup(destination)
        finally:
            destination.close()
        return
    _pg("pg_dump", "--format=custom", "--no-owner", "--no-acl", f"--file={target}")


def restore(source, force=False):
    """Replace the (empty) database's content with the backup in ``source``."""
    if not os.path.exists(source):
        raise BackupError(f"No such backup file: {source}")
    if not force and _has_content():
        raise BackupError(
            "This site already has posts; restoring would replace them. Restore into an "
            "empty site, or pass --force to replace everything."
        )
    if connection.vendor == "sqlite":
        with open(source, "rb") as handle:
            if handle.read(16) != SQLITE_MAGIC:
                raise BackupError(f"{source} is not a SQLite backup made by `rejoinder backup`.")
        connection.ensure_connection()
        origin = sqlite3.connect(source)
        try:
            origin.backup(connection.connection)
        finally:
            origin.close()
        return
    _pg("pg_restore", "--clean", "--if-exists", "--no-owner", "--no-acl", source)


def _has_content():
    try:
        return Post.objects.exists()
    except Exception:
        return False


def _pg(program, *args):
    if shutil.which(program) is None:
        raise BackupError(
            f"{program} is not installed (Debian: apt-get install postgresql-client)."
        )
    db = settings.DATABASES["default"]
    env = {**os.environ, "PGPASSWORD": db.get("PASSWORD", "")}
    command = [
        program,
        f"--host={db.get('HOST') or 'localhost'}",
        f"--port={db.get('PORT') or 5432}",
        f"--username={db.get('USER') or os.environ.get('USER', 'postgres')}",
        f"--dbname={db['NAME']}",
        *args,
    ]
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BackupError(f"{program} failed: {result.stderr.strip()[:2000]}")
