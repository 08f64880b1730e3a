"""Which failures readers are told are the database being unreachable (503), on both engines."""

import sys

import pytest
from django.db import DatabaseError, connection, connections, transaction
from django.test import RequestFactory

from rejoinder.core.views import server_error

pytestmark = pytest.mark.django_db


def answer_to(failing):
    """The error page Django would serve for the database error ``failing()`` raises."""
    try:
        failing()
    except DatabaseError:
        assert sys.exc_info()[1] is not None
        return server_error(RequestFactory().get("/"))
    raise AssertionError("no database error was raised")


def failing_query():
    """A real query the database refuses with an OperationalError that is not about the
    connection: SQLite's LIKE pattern limit (the deep-thread failure), PostgreSQL's
    statement timeout."""
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT 'a' LIKE %s", ["a" * 60_000])
        else:
            cursor.execute("SET LOCAL statement_timeout = 1")
            cursor.execute("SELECT pg_sleep(1)")


def unreachable_database():
    """A connection to a database that is not there: a file that cannot be opened, a port
    where no server listens."""
    settings = dict(connection.settings_dict)
    if connection.vendor == "sqlite":
        settings["NAME"] = "/nonexistent-directory/rejoinder.sqlite3"
    else:
        settings.update(HOST="127.0.0.1", PORT="1")
    broken = type(connections["default"])(settings, alias="unreachable")
    try:
        broken.ensure_connection()
    finally:
        broken.close()


def test_a_query_error_is_a_plain_500():
    """An OperationalError from a query is a 500, never the "cannot reach its database" page."""
    response = answer_to(failing_query)
    assert response.status_code == 500
    assert "cannot reach its database" not in response.content.decode()
    assert "Retry-After" not in response


def test_an_unreachable_database_is_a_503():
    """A database that cannot be reached is the 503 page, with Retry-After."""
    response = answer_to(unreachable_database)
    assert response.status_code == 503
    assert "cannot reach its database" in response.content.decode()
    assert response["Retry-After"] == "30"
