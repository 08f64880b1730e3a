import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string

# SQLite's result codes for a database file that cannot be opened or read (extended codes,
# such as SQLITE_IOERR_READ, start with these names). Anything else (a locked database, a
# query too complex, a missing table) is a failure of this request, not of the database.
SQLITE_UNREACHABLE = ("SQLITE_CANTOPEN", "SQLITE_IOERR", "SQLITE_NOTADB")
# PostgreSQL's SQLSTATEs for a server that is not there: class 08 (connection exception),
# 57P01-57P03 (shutting down, crashed, starting up) and 53300 (no connection slot left).
# A connection the client itself could not make or lost has no SQLSTATE at all.
POSTGRES_UNREACHABLE = ("08", "57P01", "57P02", "57P03", "53300")


def database_unreachable(error):
    """Whether ``error`` says the database cannot be reached, rather than that a query failed.

    Django raises ``OperationalError`` for both; the driver's error, its cause, tells them
    apart: SQLite by its result code, PostgreSQL (psycopg) by its SQLSTATE.
    """
    if isinstance(error, InterfaceError):
        return True  # the connection is closed or unusable
    if not isinstance(error, OperationalError):
        return False
    cause = error.__cause__
    sqlite_code = getattr(cause, "sqlite_errorname", None)
    if sqlite_code is not None:
        return sqlite_code.startswith(SQLITE_UNREACHABLE)
    if hasattr(cause, "sqlstate"):
        return cause.sqlstate is None or cause.sqlstate.startswith(POSTGRES_UNREACHABLE)
    return False


def server_error(request):
    """500, or 503 while the database cannot be reached: a page that says which, no trace.

    Django calls this while handling the exception, from a view or any middleware, so the
    exception is at hand. The pages are plain templates that need no database. Django's
    connection health checks reconnect by themselves once the database answers again.
    """
    if database_unreachable(sys.exc_info()[1]):
        response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = "30"
    else:
        response = HttpResponse(render_to_string("500.html"), status=500)
    response["Cache-Control"] = "no-store"
    return response
