"""The site's URLs plus ``/trivial/``: a view that does nothing, the floor of a request.

Used by ``bench/run`` through ``trivial_settings``: the same server, settings and
middleware as the site, so the difference to a real page is the page's own work.
"""

from django.http import HttpResponse
from django.urls import path

from rejoinder.urls import handler404, handler500
from rejoinder.urls import urlpatterns as site_urlpatterns


def trivial(request):
    return HttpResponse("ok")


urlpatterns = [path("trivial/", trivial, name="bench_trivial"), *site_urlpatterns]

__all__ = ["handler404", "handler500", "urlpatterns"]
