from django.contrib.sitemaps import Sitemap

from .models import Category, Post, Tag


class PostSitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        return Post.objects.published().order_by("-published_at", "id")

    def lastmod(self, item):
        return item.updated_at


class CategorySitemap(Sitemap):
    changefreq = "daily"

    def items(self):
        return Category.objects.filter(posts__in=Post.objects.published()).distinct()


class TagSitemap(Sitemap):
    changefreq = "daily"

    def items(self):
        return Tag.objects.filter(posts__in=Post.objects.published()).distinct()


SITEMAPS = {"posts": PostSitemap, "categories": CategorySitemap, "tags": TagSitemap}
