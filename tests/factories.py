"""Test data, made the way the product makes it (models' own save, no fixtures files)."""

import datetime
import itertools

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from rejoinder.publishing.models import Category, Page, Post, Tag

PASSWORD = "correct horse battery staple"
_counter = itertools.count(1)


def make_user(username=None, role=None, superuser=False, **fields):
    username = username or f"user{next(_counter)}"
    User = get_user_model()
    if superuser:
        user = User.objects.create_superuser(username=username, password=PASSWORD, **fields)
    else:
        user = User.objects.create_user(
            username=username, password=PASSWORD, is_staff=role is not None, **fields
        )
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


def make_post(title=None, author=None, categories=(), tags=(), **fields):
    n = next(_counter)
    fields.setdefault("body", f"Body of post {n}.")
    fields.setdefault("status", Post.Status.PUBLISHED)
    fields.setdefault("published_at", timezone.now() - datetime.timedelta(hours=n))
    model = Page if fields.get("type") == Post.Type.PAGE else Post
    post = model(title=title or f"Post number {n}", author=author or make_user(), **fields)
    post.save()
    post.categories.add(*categories)
    post.tags.add(*tags)
    return post


def make_category(name, parent=None):
    return Category.objects.create(name=name, parent=parent)


def make_tag(name):
    return Tag.objects.create(name=name)


def make_comment(post, parent=None, name=None, body=None, **fields):
    from rejoinder.discussion.comments import create_comment

    n = next(_counter)
    if name is None and "user" not in fields:
        name = f"Reader {n}"
    fields.setdefault("status", "approved")
    return create_comment(
        post=post,
        parent=parent,
        author_name=name or "",
        body=body or f"Comment number {n}.",
        **fields,
    )


def comment_form(**fields):
    """The fields a reader's browser sends with a comment, the form served a minute ago."""
    import time

    from rejoinder.discussion.forms import issue_stamp

    return {
        "name": "Ann",
        "body": "A fair point.",
        "issued": issue_stamp(time.time() - 60),
        **fields,
    }


def make_legacy_chain(post, length):
    """A reply chain ``length`` comments long (top-level included), written as rows the way
    an import before ``REJOINDER_MAX_REPLY_DEPTH`` existed stored it: no depth limit.
    Returns the comments' ids, top-level first."""
    from types import SimpleNamespace

    from rejoinder.core.bulk import allocate_ids, insert_rows
    from rejoinder.discussion.comments import comment_values, record_change
    from rejoinder.discussion.models import Comment, path_segment

    values = comment_values(post=post, body="A reply.", author_name="Reader", status="approved")
    ids = allocate_ids(Comment, length)
    rows, path, parent_id = [], "", None
    for depth, pk in enumerate(ids):
        path += path_segment(pk)
        row = SimpleNamespace(
            **{**values, "depth": depth},
            id=pk, post_id=post.pk, user_id=None, edited_at=None,
            parent_id=parent_id, thread_id=ids[0], path=path,
        )  # fmt: skip
        rows.append(row)
        parent_id = pk
    insert_rows(rows, model=Comment)
    record_change(post)
    return ids
