"""Comment feeds: the whole site's and each post's, RSS and Atom, approved comments only."""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import Http404
from django.urls import reverse

from rejoinder.core import pagecache
from rejoinder.core.links import public_url
from rejoinder.core.syndication import Atom, Rss
from rejoinder.publishing.models import Post

from .models import Comment

FEED_SIZE = 30


class CommentFeed(Feed):
    feed_type = Rss

    def get_feed(self, obj, request):
        feed = super().get_feed(obj, request)
        # The site's feed changes with any comment, a post's with that post's.
        shows = pagecache.COMMENTS if obj is None else pagecache.post_tag(obj.pk)
        pagecache.depends_on(request, pagecache.POSTS, shows)
        return feed

    def title(self, obj=None):
        if obj is None:
            return f"Comments on {settings.SITE_TITLE}"
        return f"Comments on: {obj.title}"

    def link(self, obj=None):
        return public_url(reverse("publishing:home") if obj is None else obj.get_absolute_url())

    def description(self, obj=None):
        return self.title(obj)

    def items(self, obj=None):
        comments = Comment.objects.counted().filter(post__in=Post.objects.published())
        if obj is not None:
            comments = comments.filter(post=obj)
        return comments.select_related("post").order_by("-created_at", "-id")[:FEED_SIZE]

    def item_title(self, item):
        return f"{item.author_name} on {item.post.title}"

    def item_description(self, item):
        return item.body_html

    def item_link(self, item):
        return public_url(item.get_absolute_url())

    def item_author_name(self, item):
        return item.author_name

    def item_pubdate(self, item):
        return item.created_at

    def item_updateddate(self, item):
        return item.edited_at or item.created_at


class AtomCommentFeed(CommentFeed):
    feed_type = Atom
    subtitle = CommentFeed.description


class PostCommentFeed(CommentFeed):
    def get_object(self, request, year, month, day, slug):
        post = Post.objects.at_address(request.user, year, month, day, slug)
        if post is None or not post.is_public:
            raise Http404("No such post.")
        return post


class AtomPostCommentFeed(PostCommentFeed):
    feed_type = Atom
    subtitle = CommentFeed.description
