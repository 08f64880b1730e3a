"""CSRF for forms that readers without an account send from cached pages.

A cached page cannot carry a per-reader CSRF token (every reader gets the same bytes), so
a reader form posted by someone not signed in is checked the way browsers let us: its
``Origin`` (sent with every POST by current browsers) must be this site, and
``Sec-Fetch-Site``, when sent, must not say another site. Signed in, Django's full token
check applies, and the form carries the token (their pages are never cached).
"""

from functools import wraps

from django.conf import settings
from django.http import HttpResponseForbidden
from django.middleware.csrf import CsrfViewMiddleware
from django.views.decorators.csrf import csrf_exempt

REFUSED = (
    "This form was sent from another site, so nothing was saved. Open the page on this "
    "site and send the form from there."
)


def reader_form(view):
    """Protect a view taking a form readers post with or without a session."""

    @wraps(view)
    def checked(request, *args, **kwargs):
        if request.user.is_authenticated:
            refused = CsrfViewMiddleware(view).process_view(request, None, (), {})
            if refused is not None:
                return refused
        elif not same_origin(request):
            return HttpResponseForbidden(REFUSED, content_type="text/plain; charset=utf-8")
        return view(request, *args, **kwargs)

    return csrf_exempt(checked)


def same_origin(request):
    """Whether the browser says the request comes from this site (or says nothing)."""
    if request.headers.get("Sec-Fetch-Site", "same-origin") not in ("same-origin", "none"):
        return False
    origin = request.headers.get("Origin")
    if origin is None:
        return True  # not a browser's cross-site form: browsers send Origin with POSTs
    return origin == f"{request.scheme}://{request.get_host()}" or origin in (
        settings.CSRF_TRUSTED_ORIGINS
    )
