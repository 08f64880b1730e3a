from urllib.parse import urlsplit

from django.conf import settings


def absolute_url(request, path):
    """The full address of ``path``: on ``REJOINDER_SITE_URL`` when set, else the request's
    host. An address that is already absolute (another site's page) is left alone."""
    if urlsplit(path).scheme:
        return path
    if settings.SITE_URL:
        return settings.SITE_URL + path
    return request.build_absolute_uri(path)


def public_url(path):
    """``path`` on ``REJOINDER_SITE_URL`` when set; unchanged (for the caller to complete) if not.

    Django's feeds and sitemaps add the request's host to relative links and leave
    absolute ones alone, so this is all they need to honour the configured address.
    """
    return settings.SITE_URL + path if settings.SITE_URL else path


def site_parts():
    """(scheme, host) of ``REJOINDER_SITE_URL``, or (None, None) when it is not set."""
    if not settings.SITE_URL:
        return None, None
    parts = urlsplit(settings.SITE_URL)
    return parts.scheme, parts.netloc
