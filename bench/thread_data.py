"""Build a post with a big, realistic comment thread for the benchmarks.

Random parents with a bias towards recent comments (arguments run in chains), depth up to
12, bodies of 200-1,500 characters of plain prose with some Markdown. Rows are written in
bulk, with the same path, thread and depth that ``create_comment`` would give them.
"""

import datetime
import random

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from rejoinder.discussion.models import Comment, path_segment
from rejoinder.publishing.markup import render_comment_markdown
from rejoinder.publishing.models import Post

WORDS = [
    "the", "council", "said", "bridge", "money", "traffic", "forecast", "review", "report",
    "independent", "cost", "people", "would", "could", "never", "always", "because", "however",
    "evidence", "claim", "numbers", "really", "think", "point", "argue", "source", "quote",
    "paper", "read", "article", "minister", "budget", "vote", "city", "year", "question",
    "answer",
]  # fmt: skip
MAX_DEPTH = 12


def sentence(rng):
    words = rng.choices(WORDS, k=rng.randint(6, 18))
    if rng.random() < 0.2:
        words[rng.randrange(len(words))] = f"*{words[0]}*"
    return " ".join(words).capitalize() + "."


def body(rng):
    target = rng.randint(200, 1500)
    parts, length = [], 0
    while length < target:
        parts.append(sentence(rng))
        length += len(parts[-1]) + 1
    text = " ".join(parts)[:target]
    return text if rng.random() > 0.1 else f"> {sentence(rng)}\n\n{text}"


@transaction.atomic
def build_post(count=10_000, seed=1, slug="ten-thousand-comments"):
    """Create (or recreate) a published post with ``count`` approved comments."""
    rng = random.Random(seed)
    User = get_user_model()
    author, _ = User.objects.get_or_create(
        username="bench-author", defaults={"first_name": "Bench"}
    )
    Post.objects.filter(slug=slug).delete()
    start = timezone.now() - datetime.timedelta(days=30)
    post = Post(
        title="A post with a very long argument",
        slug=slug,
        body="The post.",
        author=author,
        status=Post.Status.PUBLISHED,
        published_at=start,
    )
    post.save()
    parents, depths = [], []
    for index in range(count):
        parent = None
        if index and rng.random() < 0.8:
            # Mostly answer something recent; sometimes an older comment.
            candidate = index - 1 - int(rng.expovariate(1 / 20)) % index
            if depths[candidate] < MAX_DEPTH - 1:
                parent = candidate
        parents.append(parent)
        depths.append(0 if parent is None else depths[parent] + 1)
    rows = []
    for index in range(count):
        text = body(rng)
        rows.append(
            Comment(
                post=post,
                author_name=f"Reader {rng.randint(1, 2000)}",
                body=text,
                body_html=render_comment_markdown(text),
                status=Comment.Status.APPROVED,
                created_at=start + datetime.timedelta(seconds=60 * index),
                depth=depths[index],
            )
        )
    created = Comment.objects.bulk_create(rows, batch_size=1000)
    for index, comment in enumerate(created):
        parent_index = parents[index]
        if parent_index is None:
            comment.path = path_segment(comment.pk)
            comment.thread_id = comment.pk
        else:
            parent = created[parent_index]
            comment.parent_id = parent.pk
            comment.path = parent.path + path_segment(comment.pk)
            comment.thread_id = parent.thread_id
    Comment.objects.bulk_update(created, ["parent", "path", "thread"], batch_size=1000)
    Post.objects.filter(pk=post.pk).update(comment_count=count)
    post.refresh_from_db()
    return post
