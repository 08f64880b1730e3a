"""Moments when what readers see changes without anyone saving anything."""

import datetime

from django.conf import settings
from django.db.models import Min
from django.utils import timezone

from .models import Post


def next_due(now=None):
    """The next time a scheduled post goes live or a post's comments close by age, or None.

    The page cache makes every page showing posts stale at that moment
    (``core.pagecache``), as no save announces it.
    """
    now = now or timezone.now()
    moments = [
        Post.objects.filter(
            status__in=[Post.Status.PUBLISHED, Post.Status.SCHEDULED], published_at__gt=now
        ).aggregate(first=Min("published_at"))["first"]
    ]
    days = settings.CLOSE_COMMENTS_AFTER_DAYS
    if days:
        age = datetime.timedelta(days=days)
        oldest_open = (
            Post.objects.published()
            .filter(comment_status=Post.CommentStatus.OPEN, published_at__gt=now - age)
            .aggregate(first=Min("published_at"))["first"]
        )
        moments.append(oldest_open + age if oldest_open else None)
    moments = [moment for moment in moments if moment is not None]
    return min(moments) if moments else None
