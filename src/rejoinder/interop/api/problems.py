"""Errors as RFC 9457 problem details (``application/problem+json``).

Every refusal of the API, whether ninja's input validation, a missing post or a comment
rule, is answered the same way: ``type``, ``title``, ``status``, ``detail`` and an
``errors`` list naming each field, its message and, where one applies, its limit.
"""

import json

from django.http import HttpResponse

# RFC 9457 §4.2.1: "about:blank" means the status code says all a client needs.
BLANK = "about:blank"
TITLES = {
    400: "Bad Request",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    413: "Content Too Large",
    415: "Unsupported Media Type",
    422: "Unprocessable Content",
    429: "Too Many Requests",
    500: "Internal Server Error",
}


class Problem(Exception):
    """Raised by an endpoint: answered as a problem document by the API's handler."""

    def __init__(self, status, detail, errors=(), retry_after=None, title=None):
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.errors = list(errors)
        self.retry_after = retry_after
        self.title = title or TITLES.get(status, "Error")


def field_error(field, detail, **limits):
    """One entry of ``errors``: the field (None: the request as a whole), the message, and
    the limit it broke (``max_length=20000``), if any."""
    entry = {"field": field, "detail": detail}
    if limits:
        entry["limit"] = limits
    return entry


def problem_response(problem):
    document = {
        "type": BLANK,
        "title": problem.title,
        "status": problem.status,
        "detail": problem.detail,
        "errors": problem.errors,
    }
    response = HttpResponse(
        json.dumps(document), status=problem.status, content_type="application/problem+json"
    )
    if problem.retry_after:
        response["Retry-After"] = str(int(problem.retry_after))
    return response


# Pydantic's error types that carry a limit in their context, and the limit's name.
_LIMITS = ("max_length", "min_length", "ge", "le", "gt", "lt")


def from_validation_errors(errors):
    """ninja's ``ValidationError.errors`` (pydantic's list) as a 422 problem."""
    entries = []
    for error in errors:
        location = [str(part) for part in error.get("loc", ())]
        # ninja's locations start with where the value was (body, query, path) and, for a
        # JSON body, the parameter's name ("payload"): the client knows neither.
        if location and location[0] in ("body", "query", "path", "header"):
            location = location[1:]
        if location and location[0] == "payload":
            location = location[1:]
        field = ".".join(location) or None
        context = error.get("ctx") or {}
        limits = {name: context[name] for name in _LIMITS if name in context}
        message = error.get("msg", "invalid value")
        if error.get("type") == "string_too_long":
            message = f"at most {context['max_length']:,} characters"  # the form's wording
        entries.append(field_error(field, f"{field or 'Request'}: {message}", **limits))
    fields = ", ".join(entry["field"] for entry in entries if entry["field"]) or "the request"
    return Problem(422, f"Some values are not valid ({fields}); nothing was saved.", entries)
