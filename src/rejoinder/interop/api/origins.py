"""Which other sites may use the API and the embed from a browser (``REJOINDER_CORS_ORIGINS``).

django-cors-headers answers browsers' CORS questions for ``/api/`` and ``/comments/embed/``; this
refuses, on the server, a request whose ``Origin`` is neither this site nor on the list,
so a page elsewhere cannot post or embed even by a request the browser sends unasked.
"""

from django.conf import settings

from rejoinder.core.links import own_origins

from .problems import Problem


def request_from_allowed_origin(request):
    """True without an ``Origin`` (not a cross-site browser request), for this site's own
    origin and for those on the allow-list."""
    origin = request.headers.get("Origin")
    if not origin:
        return True
    origin = origin.lower()
    allowed = {o.lower() for o in settings.CORS_ALLOWED_ORIGINS}
    return origin in allowed or origin in own_origins(request)


def check_origin(request):
    if not request_from_allowed_origin(request):
        raise Problem(
            403,
            "This site does not take requests from pages on that origin; its owner can add "
            "it to REJOINDER_CORS_ORIGINS.",
        )
