"""The django-ninja application answering ``/api/v1/``.

The pydantic types in ``schemas.py`` both validate input and write the OpenAPI 3
document (``/api/v1/openapi.json``). Every error is a problem document (RFC 9457).
The interactive docs page is off: it loads scripts from a CDN, which our CSP forbids.
Imported only by ``urls.py``, i.e. at a process's first API request (``mount.py``).
"""

from django.http import Http404
from django.urls import set_urlconf
from ninja import NinjaAPI
from ninja.errors import HttpError, ValidationError

from . import comments, posts  # noqa: F401 (comments registers its endpoint on posts.router)
from .mount import URLCONF
from .problems import Problem, from_validation_errors, problem_response


class ProblemAPI(NinjaAPI):
    def get_openapi_schema(self, *args, **kwargs):
        """ninja's document, with errors declared as the problem documents they are."""
        schema = super().get_openapi_schema(*args, **kwargs)
        for operations in schema["paths"].values():
            for operation in operations.values():
                for code, response in operation.get("responses", {}).items():
                    if int(code) >= 400 and "content" in response:
                        [content] = response["content"].values()
                        response["content"] = {"application/problem+json": content}
        return schema


api = ProblemAPI(
    title="Rejoinder",
    version="1",
    description="Posts, comment threads and counts; posting comments under the form's rules.",
    urls_namespace="api",
    docs_url=None,
)
api.add_router("", posts.router)


@api.exception_handler(Problem)
def _problem(request, exc):
    return problem_response(exc)


@api.exception_handler(ValidationError)
def _invalid(request, exc):
    return problem_response(from_validation_errors(exc.errors))


@api.exception_handler(Http404)
def _not_found(request, exc):
    return problem_response(Problem(404, "Not found."))


@api.exception_handler(HttpError)
def _http_error(request, exc):
    return problem_response(Problem(exc.status_code, str(exc)))


def openapi_document():
    """The OpenAPI document as ``/api/v1/openapi.json`` serves it, built outside a request."""
    set_urlconf(URLCONF)
    try:
        return api.get_openapi_schema()
    finally:
        set_urlconf(None)
