"""Demo content for a first run: our own writing, in ``demo_content/``.

Each file is a header of ``key: value`` lines, a ``---`` line, then Markdown. Lines of the
form ``=== Post Script | 2026-10-07T14:00:00+00:00`` start a public update note. A post's
demo discussion, if any, is ``<same name>.comments.json``: a list of comments with ``id``,
``parent``, ``name`` (or ``author: true`` for the post's author), ``time`` and ``body``.
"""

import datetime
import json
import re
from pathlib import Path

from django.db import transaction
from django.utils.text import slugify

from rejoinder.discussion.comments import create_comment
from rejoinder.publishing.models import Category, Page, Post, Tag, UpdateNote

CONTENT_DIR = Path(__file__).parent / "demo_content"
UPDATE_LINE = re.compile(r"^=== (?P<label>[^|]+?) \| (?P<time>\S+)\s*$", re.MULTILINE)


def parse(text):
    header, _, body = text.partition("\n---\n")
    fields = {}
    for line in header.splitlines():
        key, _, value = line.partition(":")
        fields[key.strip()] = value.strip()
    parts = UPDATE_LINE.split(body)
    fields["body"] = parts[0].strip() + "\n"
    fields["updates"] = [
        {"label": label, "time": datetime.datetime.fromisoformat(time), "body": note.strip()}
        for label, time, note in zip(parts[1::3], parts[2::3], parts[3::3], strict=True)
    ]
    return fields


def category_for(chain):
    parent = None
    for name in chain.split("/"):
        parent, _ = Category.objects.get_or_create(
            name=name.strip(), parent=parent, defaults={"slug": slugify(name)}
        )
    return parent


@transaction.atomic
def load_demo(author):
    """Create the demo posts and pages, written by ``author``. Returns how many."""
    created = 0
    for path in sorted(CONTENT_DIR.glob("*.md")):
        fields = parse(path.read_text(encoding="utf-8"))
        model = Page if fields.get("type") == "page" else Post
        post = model(
            title=fields["title"],
            slug=fields["slug"],
            body=fields["body"],
            excerpt=fields.get("excerpt", ""),
            author=author,
            status=Post.Status.PUBLISHED,
            published_at=datetime.datetime.fromisoformat(fields["published"]),
        )
        post.save(editor=author)
        for chain in filter(None, map(str.strip, fields.get("categories", "").split(","))):
            post.categories.add(category_for(chain))
        for name in filter(None, map(str.strip, fields.get("tags", "").split(","))):
            tag, _ = Tag.objects.get_or_create(slug=slugify(name), defaults={"name": name})
            post.tags.add(tag)
        for update in fields["updates"]:
            UpdateNote.objects.create(
                post=post, label=update["label"], published_at=update["time"], body=update["body"]
            )
        comments_file = path.with_suffix(".comments.json")
        if comments_file.exists():
            load_comments(post, json.loads(comments_file.read_text(encoding="utf-8")))
        created += 1
    return created


def load_comments(post, comments):
    """The demo discussion, through the same create_comment() readers' comments take."""
    by_id = {}
    for item in comments:
        by_id[item["id"]] = create_comment(
            post=post,
            parent=by_id.get(item["parent"]),
            body=item["body"],
            user=post.author if item.get("author") else None,
            author_name=item.get("name", ""),
            author_url=item.get("website", ""),
            created_at=datetime.datetime.fromisoformat(item["time"]),
            status="approved",
            enforce_rules=False,
        )
