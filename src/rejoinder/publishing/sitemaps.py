from django.contrib.sitemaps import Sitemap

from rejoinder.core.links import site_parts

from .models import Category, Post, Tag


class SiteSitemap(Sitemap):
    """Addresses on ``REJOINDER_SITE_URL`` when it is set, else on the request's host."""

    def get_protocol(self, protocol=None):
        return site_parts()[0] or super().get_protocol(protocol)

    def get_domain(self, site=None):
        return site_parts()[1] or super().get_domain(site)


class PostSitemap(SiteSitemap):
    changefreq = "weekly"

    def items(self):
        return Post.objects.published().order_by("-published_at", "id")

    def lastmod(self, item):
        return item.updated_at


class CategorySitemap(SiteSitemap):
    changefreq = "daily"

    def items(self):
        return Category.objects.filter(posts__in=Post.objects.published()).distinct()


class TagSitemap(SiteSitemap):
    changefreq = "daily"

    def items(self):
        return Tag.objects.filter(posts__in=Post.objects.published()).distinct()


SITEMAPS = {"posts": PostSitemap, "categories": CategorySitemap, "tags": TagSitemap}
