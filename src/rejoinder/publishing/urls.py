from django.urls import path, re_path

from . import feeds, views

app_name = "publishing"

YEAR, MONTH, DAY = r"(?P<year>[0-9]{4})", r"(?P<month>[0-9]{2})", r"(?P<day>[0-9]{2})"
CATEGORY = r"category/(?P<path>[-\w]+(?:/[-\w]+)*)"

urlpatterns = [
    path("", views.home, name="home"),
    path("page/<int:page>/", views.home, name="home_page"),
    path("feed/", feeds.PostFeed(), name="feed"),
    path("feed/atom/", feeds.AtomPostFeed(), name="feed_atom"),
    re_path(rf"^{CATEGORY}/feed/$", feeds.CategoryFeed(), name="category_feed"),
    re_path(rf"^{CATEGORY}/feed/atom/$", feeds.AtomCategoryFeed(), name="category_feed_atom"),
    re_path(rf"^{CATEGORY}/page/(?P<page>[0-9]+)/$", views.category, name="category_page"),
    re_path(rf"^{CATEGORY}/$", views.category, name="category"),
    path("sources/", views.sources, name="sources"),
    path("sources/archive/<int:pk>/", views.source_archive, name="source_archive"),
    path("sources/<str:slug>/", views.source, name="source"),
    path("sources/<str:slug>/feed/", feeds.PublisherFeed(), name="source_feed"),
    path("sources/<str:slug>/feed/atom/", feeds.AtomPublisherFeed(), name="source_feed_atom"),
    path("tag/<slug:slug>/feed/", feeds.TagFeed(), name="tag_feed"),
    path("tag/<slug:slug>/feed/atom/", feeds.AtomTagFeed(), name="tag_feed_atom"),
    path("tag/<slug:slug>/page/<int:page>/", views.tag, name="tag_page"),
    path("tag/<slug:slug>/", views.tag, name="tag"),
    re_path(rf"^{YEAR}/{MONTH}/{DAY}/(?P<slug>[-\w]+)/$", views.post_detail, name="post"),
    re_path(rf"^{YEAR}/{MONTH}/{DAY}/$", views.archive, name="archive_day"),
    re_path(
        rf"^{YEAR}/{MONTH}/{DAY}/page/(?P<page>[0-9]+)/$", views.archive, name="archive_day_page"
    ),
    re_path(rf"^{YEAR}/{MONTH}/$", views.archive, name="archive_month"),
    re_path(rf"^{YEAR}/{MONTH}/page/(?P<page>[0-9]+)/$", views.archive, name="archive_month_page"),
    re_path(rf"^{YEAR}/$", views.archive, name="archive_year"),
    re_path(rf"^{YEAR}/page/(?P<page>[0-9]+)/$", views.archive, name="archive_year_page"),
    re_path(r"^(?P<slug>[-\w]+)/$", views.page_detail, name="page"),
]
