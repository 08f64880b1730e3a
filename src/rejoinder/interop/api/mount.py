"""The site's one view for ``/api/v1/…``: the API's URL map, loaded at its first use."""

from django.urls import Resolver404, resolve, reverse, set_urlconf
from django.views.decorators.csrf import csrf_exempt

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
    request.resolver_match = match
    set_urlconf(URLCONF)  # for the operation's reverse("api:…"); the next request resets it
    try:
        return match.func(request, *match.args, **match.kwargs)
    finally:
        set_urlconf(None)


def api_url(name, **kwargs):
    """The path of the API operation ``name``: ``reverse("api:<name>")`` in the API's map."""
    return reverse(f"api:{name}", urlconf=URLCONF, kwargs=kwargs or None)


def openapi_document():
    """The OpenAPI document as ``/api/v1/openapi.json`` serves it, built outside a request."""
    from .service import api  # loads the API

    set_urlconf(URLCONF)
    try:
        return api.get_openapi_schema()
    finally:
        set_urlconf(None)
