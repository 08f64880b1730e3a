from urllib.parse import parse_qsl

from django.conf import settings
from django.http import HttpResponseBadRequest

from .networks import client_address

FORM = "application/x-www-form-urlencoded"


class StrictUTF8Middleware:
    """Refuse (400) a query string or form whose text is not valid UTF-8.

    Django would quietly replace the bad bytes (and CESU-encoded lone surrogates) with
    U+FFFD, so the text a reader sees afterwards is not the text they sent. Refusing keeps
    the rule "nothing is changed on the way in". Multipart uploads are left to their views.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        query = request.META.get("QUERY_STRING", "")
        # WSGI hands the query string over as bytes decoded with Latin-1: undo that first.
        if query and not _valid(query.encode("latin-1", "replace")):
            return _refuse("The address")
        if request.method == "POST" and request.content_type == FORM and not _valid(request.body):
            return _refuse("The form")
        return self.get_response(request)


def _valid(raw):
    """Raw bytes and percent-escapes alike must decode as UTF-8."""
    try:
        parse_qsl(raw.decode("utf-8"), encoding="utf-8", errors="strict")
    except (UnicodeDecodeError, ValueError):
        return False
    return True


def _refuse(what):
    return HttpResponseBadRequest(
        f"{what} contains text that is not valid UTF-8 (for example a lone surrogate or a "
        "broken character); nothing was saved. Please retype it and send it again.",
        content_type="text/plain; charset=utf-8",
    )


class ClientAddressMiddleware:
    """Put the client's address in ``REMOTE_ADDR`` (see ``core.networks``).

    Behind trusted proxies the socket's peer is the proxy; every later layer (login
    throttling, flood limits, the IP stored with a comment) reads ``REMOTE_ADDR``.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.TRUSTED_PROXIES:
            meta = request.META
            meta["REMOTE_ADDR"] = client_address(
                meta.get("REMOTE_ADDR", ""),
                meta.get("HTTP_X_FORWARDED_FOR", ""),
                tuple(settings.TRUSTED_PROXIES),
            )
        return self.get_response(request)
