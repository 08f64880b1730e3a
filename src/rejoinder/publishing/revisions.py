"""Compare a post with one of its revisions, and bring a revision back."""

import difflib

from django.db import transaction

FIELDS = ("title", "slug", "excerpt", "body")


def diff(revision, post):
    """Per field, the lines that differ between ``revision`` and the post as it is now."""
    changes = []
    for field in FIELDS:
        old = getattr(revision, field).splitlines()
        new = getattr(post, field).splitlines()
        if old == new:
            continue
        lines = list(difflib.unified_diff(old, new, "revision", "current", lineterm="", n=2))
        changes.append({"field": field, "lines": lines[2:]})
    return changes


def restore(revision, editor):
    """Put the revision's text back on its post; the restore is itself a new revision."""
    post = revision.post
    with transaction.atomic():
        for field in FIELDS:
            setattr(post, field, getattr(revision, field))
        post.save(editor=editor)
    return post
