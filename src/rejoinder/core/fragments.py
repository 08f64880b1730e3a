"""Large fragments that skip the template engine's string joins.

Django's templates join their output at every level of nesting (base, block, include,
inclusion tag). For a 16 MB comment thread each level is another copy, about as costly as
rendering the thread. A template tag can instead ``defer()`` such a fragment: the template
carries a short marker, and ``FragmentMiddleware`` puts the fragment in its place once, in
the encoded response.
"""

import secrets

from django.utils.safestring import mark_safe

ATTRIBUTE = "_rejoinder_fragments"


def defer(request, html):
    """Keep ``html`` (already safe) aside and return the marker to print in its place."""
    fragments = getattr(request, ATTRIBUTE, None)
    if fragments is None:
        fragments = {}
        setattr(request, ATTRIBUTE, fragments)
    marker = f"<!--fragment:{secrets.token_hex(8)}-->"
    fragments[marker] = html
    return mark_safe(marker)  # a fixed-form comment of our own


class FragmentMiddleware:
    """Replace each deferred fragment's marker with the fragment."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        fragments = getattr(request, ATTRIBUTE, None)
        if not fragments or response.streaming:
            return response
        content = response.content
        charset = response.charset
        for marker, html in fragments.items():
            content = content.replace(marker.encode(charset), html.encode(charset), 1)
        response.content = content
        return response
