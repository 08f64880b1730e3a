import sys

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
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


def bad_request(request, exception):
    """400 (413 for a body over the size limit): a page naming the limit Django enforced,
    in place of Django's bare "Bad Request (400)". The JSON API answers these itself, as
    problem documents (``interop.api.mount``)."""
    status, message = refusal(exception)
    response = HttpResponse(render_to_string("400.html", {"message": message}), status=status)
    response["Cache-Control"] = "no-store"
    return response


def refusal(exception):
    """The status and the reader's message for a request Django refused before any view."""
    if isinstance(exception, RequestDataTooBig):
        limit = size(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
        return 413, (
            f"What you sent is larger than the {limit} this site takes in one form; nothing "
            "was saved. (A comment is at most 20,000 characters.) Go back, shorten it and "
            "send it again."
        )
    if isinstance(exception, TooManyFieldsSent):
        return 400, (
            f"The form sent more than {settings.DATA_UPLOAD_MAX_NUMBER_FIELDS} fields, more "
            "than this site takes; nothing was saved."
        )
    if isinstance(exception, TooManyFilesSent):
        return 400, (
            f"The form sent more than {settings.DATA_UPLOAD_MAX_NUMBER_FILES} files, more "
            "than this site takes; nothing was saved."
        )
    return 400, "The site could not understand what your browser sent; nothing was saved."


def size(count):
    """A byte count for people: 100 KB, 2.6 MB (powers of ten, as the limit is written)."""
    if count >= 1_000_000:
        return f"{count / 1_000_000:.1f} MB".replace(".0 ", " ")
    return f"{count // 1000} KB"
