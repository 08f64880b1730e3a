"""The API's own URL map, apart from the site's so that ninja loads only when needed.

It holds the site's map too, after the API's operations: while the API answers, this is
the request's map (``mount.py``), so ninja's own ``reverse("api:…")`` and the API's links
to the site's pages both resolve.
"""

from django.urls import path

from rejoinder.urls import urlpatterns as site_urlpatterns

from .service import api

urlpatterns = [path("api/v1/", api.urls), *site_urlpatterns]
