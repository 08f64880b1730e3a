from django.conf import settings


def absolute_url(request, path):
    """The full address of ``path``: on ``REJOINDER_SITE_URL`` when set, else the request's host."""
    if settings.SITE_URL:
        return settings.SITE_URL + path
    return request.build_absolute_uri(path)
