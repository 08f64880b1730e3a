from django.contrib import admin
from django.urls import include, path

from rejoinder.interop.api.mount import api_view
from rejoinder.publishing import views as publishing_views
from rejoinder.publishing.sitemaps import SITEMAPS

admin.site.site_header = "Rejoinder"
admin.site.site_title = "Rejoinder"
admin.site.index_title = "Write and manage"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("sitemap.xml", publishing_views.sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("robots.txt", publishing_views.robots_txt, name="robots_txt"),
    path("favicon.ico", publishing_views.favicon, name="favicon"),
    path("api/v1/<path:rest>", api_view, name="api"),  # loads the API at its first use
    path("comments/embed/", include("rejoinder.interop.embed.urls")),
    path("", include("rejoinder.discussion.urls")),
    path("", include("rejoinder.notifications.urls")),
    path("", include("rejoinder.publishing.urls")),
]

handler400 = "rejoinder.core.views.bad_request"
handler404 = "rejoinder.publishing.views.not_found"
handler500 = "rejoinder.core.views.server_error"
