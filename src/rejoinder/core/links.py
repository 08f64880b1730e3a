from urllib.parse import urlsplit

from django.conf import settings


def absolute_url(request, path):
    """The full address of ``path``: on ``REJOINDER_SITE_URL`` when set, else the request's
    host. An address that is already absolute (another site's page) is left alone."""
    url = public_url(path)
    return url if urlsplit(url).scheme else request.build_absolute_uri(url)


def public_url(path):
    """``path`` on ``REJOINDER_SITE_URL`` when set; unchanged (for the caller to complete) if not,
    or if it is already absolute (another site's page).

    Django's feeds and sitemaps add the request's host to relative links and leave
    absolute ones alone, so this is all they need to honour the configured address.
    """
    if settings.SITE_URL and not urlsplit(path).scheme:
        return settings.SITE_URL + path
    return path


def site_parts():
    """(scheme, host) of ``REJOINDER_SITE_URL``, or (None, None) when it is not set."""
    if not settings.SITE_URL:
        return None, None
    parts = urlsplit(settings.SITE_URL)
    return parts.scheme, parts.netloc


def own_origins(request):
    """The origins (``scheme://host[:port]``, lowercased) this site answers as: the
    request's and ``REJOINDER_SITE_URL``'s."""
    origins = {f"{request.scheme}://{request.get_host()}".lower()}
    scheme, host = site_parts()
    if host:
        origins.add(f"{scheme}://{host}".lower())
    return origins
