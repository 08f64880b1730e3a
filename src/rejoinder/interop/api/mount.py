"""The site's one view for ``/api/v1/…``: the API's URL map, loaded at its first use."""

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.urls import Resolver404, resolve, reverse, set_urlconf
from django.views.decorators.csrf import csrf_exempt

from rejoinder.core.views import refusal

from .problems import Problem, problem_response

URLCONF = "rejoinder.interop.api.urls"


@csrf_exempt  # the API never reads the session (docs/api.md); ninja's views are exempt too
def api_view(request, rest):
    """Answer from the operation the API's own map finds for this path, or a 404 problem."""
    try:
        match = resolve(request.path_info, urlconf=URLCONF)
    except Resolver404:
        match = None
    if match is None or match.func is api_view:
        return problem_response(Problem(404, "The API has no such address."))
    if match.url_name == OPENAPI and request.method not in SAFE:
        return _not_allowed(request, SAFE)  # ninja's document view answers any method
    request.resolver_match = match
    # HEAD is GET without the body (RFC 9110, 9.3.2): ninja's operations name GET only.
    head = request.method == "HEAD"
    if head:
        request.method = "GET"
    set_urlconf(URLCONF)  # for the operation's reverse("api:…"); the next request resets it
    try:
        response = match.func(request, *match.args, **match.kwargs)
    except (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent) as error:
        # Django's limits, met when ninja reads the body: the API's own problem document.
        status, detail = refusal(error)
        return problem_response(Problem(status, detail))
    finally:
        set_urlconf(None)
        if head:
            request.method = "HEAD"
    if response.status_code == 405 and "Allow" in response:  # ninja's, as plain text
        allowed = response["Allow"].split(", ")
        return _not_allowed(request, [*allowed, "HEAD"] if "GET" in allowed else allowed)
    if head and not response.streaming:
        response["Content-Length"] = str(len(response.content))
        response.content = b""
    return response


OPENAPI = "openapi-json"  # ninja's name for the document's address
SAFE = ("GET", "HEAD")


def _not_allowed(request, allowed):
    detail = f"{request.method} is not allowed here; use {' or '.join(allowed)}."
    response = problem_response(Problem(405, detail))
    response["Allow"] = ", ".join(allowed)
    return response


def api_url(name, **kwargs):
    """The path of the API operation ``name``: ``reverse("api:<name>")`` in the API's map."""
    return reverse(f"api:{name}", urlconf=URLCONF, kwargs=kwargs or None)
