import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string


def server_error(request):
    """500, or 503 while the database cannot be reached: a page that says which, no trace.

    Django calls this while handling the exception, from a view or any middleware, so the
    exception is at hand. The pages are plain templates that need no database. Django's
    connection health checks reconnect by themselves once the database answers again.
    """
    error = sys.exc_info()[1]
    if isinstance(error, OperationalError | InterfaceError) and "locked" not in str(error):
        response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = "30"
    else:
        response = HttpResponse(render_to_string("500.html"), status=500)
    response["Cache-Control"] = "no-store"
    return response
