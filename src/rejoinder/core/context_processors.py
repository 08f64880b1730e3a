from django.conf import settings

from .links import absolute_url


def site(request):
    """The site's name, tagline and this page's canonical address for every template."""
    return {
        "site_title": settings.SITE_TITLE,
        "site_tagline": settings.SITE_TAGLINE,
        "canonical_url": absolute_url(request, request.path),
    }
