"""The data sets of ``bench/run``, built inside ``rejoinder shell`` (Django is set up).

Beside the demo content (its flagship post is the seed post, with a 6-comment thread):
two posts with big threads (``thread_data.build_post``) and filler posts up to ``posts``
posts in all. The filler posts are written with one ``bulk_create``: their Markdown is
rendered once and shared, they get no revision, search entry or quotations (``Post.save``
would write them), and they are dated before the demo so the front page and the feed keep
showing the demo and the two big threads. None of the benchmarked pages reads those side
tables for these posts.
"""

import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from thread_data import build_post

from rejoinder.publishing import markup
from rejoinder.publishing.models import Post

FILLER_BODY = """A filler post of the benchmark's archive.

It has a [link](https://example.org/report), *some emphasis* and a list:

- one point,
- another point.

> A short quotation, as posts here often carry.
"""


@transaction.atomic
def add_filler_posts(total):
    """Bulk-create published posts until the site has ``total`` posts; return how many."""
    missing = max(0, total - Post.objects.posts().count())
    if not missing:
        return 0
    author, _ = get_user_model().objects.get_or_create(
        username="bench-author", defaults={"first_name": "Bench"}
    )
    rendered = markup.render_post_markdown(FILLER_BODY)
    text = markup.html_to_text(rendered.html)
    oldest = Post.objects.order_by("published_at").values_list("published_at", flat=True).first()
    start = (oldest or timezone.now()) - datetime.timedelta(hours=missing + 1)
    Post.objects.bulk_create(
        [
            Post(
                title=f"Filler post {number}",
                slug=f"filler-post-{number}",
                body=FILLER_BODY,
                body_html=rendered.html,
                body_text=text,
                author=author,
                status=Post.Status.PUBLISHED,
                published_at=start + datetime.timedelta(hours=number),
            )
            for number in range(missing)
        ],
        batch_size=500,
    )
    return missing


def build(big=1_000, huge=10_000, posts=1_000):
    """Build the big threads and the filler; return the addresses the benchmark needs."""
    big_post = build_post(count=big, seed=2, slug="one-thousand-comments")
    huge_post = build_post(count=huge, seed=1, slug="ten-thousand-comments")
    added = add_filler_posts(posts)
    return {
        "big_post": big_post.get_absolute_url(),
        "big_comments": big,
        "huge_post": huge_post.get_absolute_url(),
        "huge_comments": huge,
        "filler_posts": added,
        "posts": Post.objects.posts().count(),
        "published_posts": Post.objects.posts().published().count(),
    }
