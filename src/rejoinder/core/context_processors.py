from django.conf import settings


def site(request):
    """The site's name and tagline for every template."""
    return {"site_title": settings.SITE_TITLE, "site_tagline": settings.SITE_TAGLINE}
