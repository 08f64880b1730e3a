"""RSS and Atom feeds of posts: the whole site, a category, a tag, a quoted publisher."""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.urls import reverse

from rejoinder.core import pagecache
from rejoinder.core.links import public_url
from rejoinder.core.syndication import Atom, Rss

from . import quotations
from .models import Category, Post, Tag

FEED_SIZE = 20
SLASH = "http://purl.org/rss/1.0/modules/slash/"


class SlashCommentsMixin:
    """Each entry carries its comment count as ``slash:comments``, as WordPress's feeds do."""

    def root_attributes(self):
        return {**super().root_attributes(), "xmlns:slash": SLASH}

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        handler.addQuickElement("slash:comments", str(item["comment_count"]))


class RssWithComments(SlashCommentsMixin, Rss):
    pass


class AtomWithComments(SlashCommentsMixin, Atom):
    pass


class CachedFeed(Feed):
    """A feed kept in the page cache until its posts or their comments change."""

    def get_feed(self, obj, request):
        feed = super().get_feed(obj, request)
        tags = {pagecache.post_tag(item["post_id"]) for item in feed.items}
        pagecache.depends_on(request, pagecache.POSTS, *tags)
        return feed


class PostFeed(CachedFeed):
    """The newest published posts, full text, with their update notes."""

    feed_type = RssWithComments

    def title(self, obj=None):
        return settings.SITE_TITLE if obj is None else f"{settings.SITE_TITLE}: {obj}"

    def link(self, obj=None):
        return public_url(reverse("publishing:home") if obj is None else obj.get_absolute_url())

    def item_link(self, item):
        return public_url(item.get_absolute_url())

    def description(self, obj=None):
        return settings.SITE_TAGLINE

    def posts(self, obj):
        return (
            Post.objects.published()
            .posts()
            .newest_first()
            .select_related("author")
            .prefetch_related("categories", "tags", "updates")
        )

    def items(self, obj=None):
        return self.posts(obj)[:FEED_SIZE]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return render_to_string("publishing/feed_entry.html", {"post": item})

    def item_author_name(self, item):
        return item.author_name

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_extra_kwargs(self, item):
        return {"comment_count": item.comment_count, "post_id": item.pk}

    def item_categories(self, item):
        return [c.name for c in item.categories.all()] + [t.name for t in item.tags.all()]


class AtomPostFeed(PostFeed):
    feed_type = AtomWithComments
    subtitle = PostFeed.description


class CategoryFeed(PostFeed):
    def get_object(self, request, path):
        return get_object_or_404(Category, path=path)

    def posts(self, obj):
        return super().posts(obj).in_category(obj)


class AtomCategoryFeed(CategoryFeed):
    feed_type = AtomWithComments
    subtitle = PostFeed.description


class TagFeed(PostFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Tag, slug=slug)

    def posts(self, obj):
        return super().posts(obj).filter(tags=obj)


class AtomTagFeed(TagFeed):
    feed_type = AtomWithComments
    subtitle = PostFeed.description


class PublisherFeed(PostFeed):
    """Posts quoting one publisher: the writer's running file on an outlet, as a feed."""

    def get_object(self, request, slug):
        found = quotations.publisher(slug)
        if found is None:
            raise Http404("No such publisher.")
        return found

    def posts(self, obj):
        return super().posts(obj).filter(pk__in=quotations.posts_quoting(obj.slug).values("pk"))


class AtomPublisherFeed(PublisherFeed):
    feed_type = AtomWithComments
    subtitle = PostFeed.description
