"""Import a WordPress export: ``import_wxr()``.

All or nothing: the whole file is read inside one transaction, so a file that turns out
to be malformed half-way writes nothing. Idempotent: every object is recorded with its
WordPress id (``ImportRecord``), and a second import of the same export, or a newer one,
only adds what is new. Every item and comment of the file ends up imported, recorded as
unchanged, or listed in the report as skipped with its reason — never dropped silently.
"""

import datetime
import functools
import ipaddress
import json
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from rejoinder.discussion.comments import bulk_create_threads
from rejoinder.discussion.models import Comment
from rejoinder.publishing.markup import hidden_control_characters
from rejoinder.publishing.models import Category, Post, PostAlias, Tag, UpdateNote
from rejoinder.publishing.wpautop import wpautop

from . import wxr
from .models import ImportRecord
from .replies import order_replies, warn_reattached

POST_STATUSES = {
    "publish": Post.Status.PUBLISHED,
    "future": Post.Status.SCHEDULED,
    "draft": Post.Status.DRAFT,
    "pending": Post.Status.DRAFT,
    "private": Post.Status.PRIVATE,
}
COMMENT_STATUSES = {
    "1": Comment.Status.APPROVED,
    "0": Comment.Status.PENDING,
    "spam": Comment.Status.SPAM,
    "trash": Comment.Status.TRASH,
    "post-trashed": Comment.Status.TRASH,
}
COMMENT_TYPES = {
    "": Comment.Type.COMMENT,
    "comment": Comment.Type.COMMENT,
    "pingback": Comment.Type.PINGBACK,
    "trackback": Comment.Type.TRACKBACK,
}
MAX_PREFIX_RETRIES = 10
# Comments written per batch, across posts: one id allocation, INSERT and record write.
COMMENT_BATCH = 5000
# Our own commentmeta: a tombstone, exported as an empty approved comment.
REMOVED_META = "rejoinder_status"
UPDATES_META = "_rejoinder_update_notes"
PLURALS = {
    "author": "authors",
    "category": "categories",
    "tag": "tags",
    "term": "other terms",
    "post": "posts",
    "page": "pages",
    "item": "other items",
    "attachment": "attachments",
    "thread": "threads",
    "comment": "comments",
}


class DryRun(Exception):
    """Raised to roll a dry run back."""


@dataclass
class Report:
    """What an import did: counts per kind and outcome, and every skip with its reason."""

    counts: dict = field(default_factory=lambda: defaultdict(Counter))
    skipped: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    dry_run: bool = False
    source: str = ""
    elapsed: float = 0.0

    def count(self, kind, outcome, number=1):
        self.counts[kind][outcome] += number

    def skip(self, kind, what, reason):
        self.count(kind, "skipped")
        self.skipped.append(f"{kind} {what}: {reason}")

    def warn(self, message):
        self.warnings.append(message)

    def check_html(self, what, field, html):
        """Warn if ``html`` hides characters XML cannot carry behind character references
        (``&#1;``): the site shows each as U+FFFD, which changes the text, so say so."""
        count = hidden_control_characters(html)
        if count:
            self.warn(
                f"{what}: {field} has {count} character reference{'s' if count != 1 else ''} "
                "to characters XML cannot carry (control characters); shown as �"
            )

    def total(self, kind, outcome):
        return self.counts[kind][outcome]

    def lines(self):
        out = [f"Source: {self.source or '(unknown)'}"]
        for kind, label in PLURALS.items():
            counts = self.counts.get(kind)
            if counts:
                outcomes = ["created", "updated", "unchanged", "skipped"]
                outcomes += sorted(set(counts) - set(outcomes))
                parts = ", ".join(f"{counts[o]} {o}" for o in outcomes)
                out.append(f"{label}: {parts}")
        if self.counts.get("attachment"):
            out.append("Attachments are recorded with their URLs; their files were not fetched.")
        out.extend(f"warning: {message}" for message in self.warnings)
        out.extend(f"skipped {line}" for line in self.skipped)
        created = self.counts.get("comment", {}).get("created", 0)
        if self.elapsed:
            out.append(
                f"Time: {self.elapsed:.2f} s ({created / self.elapsed:,.0f} comments/s created)"
            )
        if self.dry_run:
            out.append("Dry run: nothing was written.")
        return out


def import_wxr(path, dry_run=False, progress=None):
    """Import the WXR file at ``path``; return a ``Report``. Raises ``wxr.WxrError``."""
    declare = []
    started = time.monotonic()
    for _attempt in range(MAX_PREFIX_RETRIES):
        report = Report(dry_run=dry_run)
        try:
            with transaction.atomic():
                importer = Importer(report, progress)
                for kind, record in wxr.read(path, declare=tuple(declare)):
                    importer.handle(kind, record)
                importer.finish()
                if dry_run:
                    raise DryRun
        except wxr.UndeclaredPrefix as missing:
            if missing.prefix in declare:
                raise wxr.WxrError(f"The prefix {missing.prefix!r} is not declared.") from None
            declare.append(missing.prefix)
            continue
        except DryRun:
            pass
        report.elapsed = time.monotonic() - started
        for prefix in declare:
            report.warn(
                f"the file uses the namespace prefix {prefix!r} without declaring it "
                "(a known WordPress.com quirk); it was read as if declared"
            )
        return report
    raise wxr.WxrError("Too many undeclared namespace prefixes; is this a WordPress export?")


class Importer:
    def __init__(self, report, progress=None):
        self.report = report
        self.progress = progress
        self.source = ""
        self.authors = {}  # WordPress author id -> user
        self.logins = {}  # login (or 1.0 display name) -> user
        self.categories = {}  # slug -> Category
        self.tags = {}  # slug -> Tag
        self.parents = {}  # category slug -> parent slug, resolved in finish()
        self.started = time.monotonic()
        self.items_done = 0
        self.comments_done = 0
        self._seen_before = {}
        self.pending = []  # (post, specs, WordPress ids) waiting for flush_comments()
        self.pending_count = 0

    # --- records ----------------------------------------------------------------------

    def handle(self, kind, record):
        getattr(self, f"on_{kind}")(record)

    def on_channel(self, channel):
        self.source = channel.source
        self.report.source = self.source
        if not channel.wxr_version:
            self.report.warn("no wp:wxr_version in the file; read as WXR 1.x")

    def on_author(self, author):
        self.author(author.id, author.login, author)

    def on_term(self, term):
        if term.taxonomy == "category":
            self.category(term)
        elif term.taxonomy == "post_tag":
            self.tag(term)
        else:
            self.report.skip("term", term.slug, f"taxonomy {term.taxonomy!r} is not imported")

    def on_item(self, item):
        self.items_done += 1
        post_type = item.post_type or "post"
        if post_type == "attachment":
            self.attachment(item)
        elif post_type in {"post", "page"}:
            self.post(item, post_type)
        else:
            self.report.skip("item", item.post_id, f"post type {post_type!r} is not imported")
            self._skip_comments(item, f"its item (type {post_type!r}) was skipped")
        self.tick()

    def finish(self):
        self.flush_comments()
        for slug, parent_slug in self.parents.items():
            parent = self.categories.get(parent_slug)
            child = self.categories.get(slug)
            if parent is None or child is None:
                self.report.warn(f"category {slug!r}: parent {parent_slug!r} not in the file")
                continue
            if child.parent_id != parent.pk and not self._is_ancestor(child, parent):
                child.parent = parent
                child.save()
        self.tick(final=True)

    def tick(self, final=False):
        if self.progress is not None and (final or self.items_done % 50 == 0):
            elapsed = max(time.monotonic() - self.started, 1e-9)
            self.progress(self.items_done, self.comments_done, elapsed, final)

    def imported_before(self, kind):
        """Whether anything of ``kind`` came from this source before (asked once per kind):
        a first import then skips the look-up of every post and comment."""
        if kind not in self._seen_before:
            self._seen_before[kind] = ImportRecord.objects.filter(
                source=self.source, kind=kind
            ).exists()
        return self._seen_before[kind]

    # --- authors and terms -------------------------------------------------------------

    def _record(self, kind, source_id):
        return ImportRecord.objects.filter(source=self.source, kind=kind, source_id=source_id)

    def _remember(self, kind, source_id, obj=None, url="", new=False):
        if new:  # the caller looked and found no record
            ImportRecord.objects.create(
                source=self.source,
                kind=kind,
                source_id=str(source_id),
                content_type=ContentType.objects.get_for_model(obj) if obj is not None else None,
                object_id=obj.pk if obj is not None else None,
                url=url,
            )
            return
        # update_or_create: a record may outlive its object (deleted here since).
        ImportRecord.objects.update_or_create(
            source=self.source,
            kind=kind,
            source_id=str(source_id),
            defaults={
                "content_type": (
                    ContentType.objects.get_for_model(obj) if obj is not None else None
                ),
                "object_id": obj.pk if obj is not None else None,
                "url": url,
            },
        )

    def author(self, author_id, login, data=None):
        key = author_id or login
        User = get_user_model()
        record = self._record(ImportRecord.Kind.AUTHOR, key).first()
        if record is not None and record.target is None:
            record.delete()
            record = None
        if record is not None:
            user, outcome = record.target, "unchanged"
        else:
            username = (login or f"wp-author-{author_id}")[:150]
            user = User.objects.filter(username=username).first()
            outcome = "unchanged"
            if user is None:
                user = User(username=username, email=(data.email if data else "")[:254])
                if data is not None:
                    user.first_name = (data.first_name or data.display_name)[:150]
                    user.last_name = data.last_name[:150]
                user.set_unusable_password()
                user.save()
                outcome = "created"
            self._remember(ImportRecord.Kind.AUTHOR, key, user)
        self.report.count("author", outcome)
        if author_id:
            self.authors[author_id] = user
        self.logins[login] = user
        if data is not None and data.display_name:
            self.logins.setdefault(data.display_name, user)  # WXR 1.0's dc:creator
        return user

    def category(self, term):
        if term.slug in self.categories:
            return self.categories[term.slug]
        record = self._record(ImportRecord.Kind.CATEGORY, term.slug).first()
        category = record.target if record is not None else None
        if record is not None and category is None:
            record.delete()
            record = None
        outcome = "unchanged"
        if category is None:
            category = Category.objects.filter(slug=term.slug).first()
        if category is None:
            category = Category.objects.create(
                name=term.name or term.slug, slug=term.slug[:200], description=term.description
            )
            outcome = "created"
        if record is None:
            self._remember(ImportRecord.Kind.CATEGORY, term.slug, category)
        self.report.count("category", outcome)
        self.categories[term.slug] = category
        if term.parent_slug:
            self.parents[term.slug] = term.parent_slug
        return category

    @staticmethod
    def _is_ancestor(category, candidate):
        node = candidate
        while node is not None:
            if node.pk == category.pk:
                return True
            node = node.parent
        return False

    def tag(self, term):
        if term.slug in self.tags:
            return self.tags[term.slug]
        tag = Tag.objects.filter(slug=term.slug[:200]).first()
        outcome = "unchanged"
        if tag is None:
            tag = Tag.objects.create(name=term.name or term.slug, slug=term.slug[:200])
            outcome = "created"
        if not self._record(ImportRecord.Kind.TAG, term.slug).exists():
            self._remember(ImportRecord.Kind.TAG, term.slug, tag)
        self.report.count("tag", outcome)
        self.tags[term.slug] = tag
        return tag

    # --- items -------------------------------------------------------------------------

    def attachment(self, item):
        url = item.attachment_url or item.guid
        if self._record(ImportRecord.Kind.ATTACHMENT, item.post_id).exists():
            self.report.count("attachment", "unchanged")
            return
        self._remember(ImportRecord.Kind.ATTACHMENT, item.post_id, url=url[:2000])
        self.report.count("attachment", "created")

    def post(self, item, post_type):
        kind = "page" if post_type == "page" else "post"
        label = f"{item.post_id} “{item.title[:60]}”"
        record = None
        if self.imported_before(ImportRecord.Kind.POST):
            record = self._record(ImportRecord.Kind.POST, item.post_id).first()
        post = record.target if record is not None else None
        if record is not None and post is None:
            record.delete()  # the post was deleted here since: import it again
        if post is not None:
            self.report.count(kind, "unchanged")
        else:
            if (
                item.status in {"trash", "auto-draft", "inherit"}
                or item.status not in POST_STATUSES
            ):
                self.report.skip(kind, label, f"status {item.status!r} is not imported")
                self._skip_comments(item, f"its {kind} was skipped")
                return
            if len(item.title) > 300:
                self.report.skip(kind, label, "title longer than 300 characters")
                self._skip_comments(item, f"its {kind} was skipped")
                return
            post = self.create_post(item, post_type, kind)
        self.comments(item, post)

    def create_post(self, item, post_type, kind):
        author = self.logins.get(item.creator) or self.author("", item.creator or "wordpress")
        published = self._moment(item.post_date_gmt, item.post_date) or timezone.now()
        status = POST_STATUSES[item.status]
        if item.post_password:
            status = Post.Status.PRIVATE
            self.report.warn(f"{kind} {item.post_id} was password-protected; imported as private")
        slug = self._slug(item, post_type)
        self.report.check_html(f"{kind} {item.post_id}", "content", item.content)
        post = Post(
            type=Post.Type.PAGE if post_type == "page" else Post.Type.POST,
            title=item.title or "(untitled)",
            slug=slug,
            author=author,
            body=item.content,
            body_format=Post.Format.HTML,
            excerpt=item.excerpt.strip(),
            status=status,
            published_at=published,
            comment_status=(
                Post.CommentStatus.CLOSED
                if item.comment_status == "closed"
                else Post.CommentStatus.OPEN
            ),
            sticky=item.is_sticky == "1",
        )
        post.save()
        for term in item.terms:
            if term.taxonomy == "category":
                post.categories.add(self.category(term))
            elif term.taxonomy == "post_tag":
                post.tags.add(self.tag(term))
        self._remember(ImportRecord.Kind.POST, item.post_id, post, new=True)
        self._keep_addresses(item, post)
        self._update_notes(item, post)
        self.report.count(kind, "created")
        return post

    def _update_notes(self, item, post):
        """Update notes written by Rejoinder's own export (postmeta), read back."""
        for value in item.meta.get(UPDATES_META, []):
            try:
                notes = json.loads(value)
                for note in notes:
                    UpdateNote.objects.create(
                        post=post,
                        label=note["label"],
                        published_at=datetime.datetime.fromisoformat(note["time"]),
                        body=note["body"],
                    )
            except (ValueError, KeyError, TypeError):
                self.report.warn(f"post {item.post_id}: unreadable update notes, left out")

    def _slug(self, item, post_type):
        # WordPress stores non-ASCII slugs percent-encoded; hand-made files may hold anything,
        # and a slug must fit the address pattern.
        slug = slugify(unquote(item.post_name), allow_unicode=True)[:200]
        slug = slug or slugify(item.title, allow_unicode=True)[:200]
        slug = slug or f"post-{item.post_id}"
        model_type = Post.Type.PAGE if post_type == "page" else Post.Type.POST
        base, number = slug, 2
        while Post.objects.filter(type=model_type, slug=slug).exists():
            slug = f"{base[:190]}-{number}"
            number += 1
        if slug != base:
            self.report.warn(f"slug {base!r} was taken; item {item.post_id} is at {slug!r}")
        return slug

    def _keep_addresses(self, item, post):
        """The WordPress address answers: it is the permalink, or it redirects (301)."""
        current = post.get_absolute_url()
        old_paths = set()
        link = urlsplit(item.link)
        if link.path and not link.query:
            old_paths.add(unquote(link.path))
        for old_slug in item.meta.get("_wp_old_slug", []):
            if old_slug and not post.is_page:
                old_paths.add(current.replace(f"/{post.slug}/", f"/{unquote(old_slug)}/"))
        for path in old_paths - {current, unquote(current)}:
            PostAlias.objects.get_or_create(old_path=path[:1000], defaults={"post": post})

    def _moment(self, gmt, local):
        value = wxr.parse_date(gmt)
        if value is not None:
            return value.replace(tzinfo=datetime.UTC)
        value = wxr.parse_date(local)
        if value is not None:
            return timezone.make_aware(value)
        return None

    # --- comments ----------------------------------------------------------------------

    def _skip_comments(self, item, reason):
        for comment in item.comments:
            self.report.skip("comment", comment.id, reason)

    def comments(self, item, post):
        known = {}
        if self.imported_before(ImportRecord.Kind.COMMENT):
            known = ImportRecord.imported_comments(self.source, [c.id for c in item.comments])
        fresh = []
        for comment in item.comments:
            if comment.id in known:
                self.report.count("comment", "unchanged")
            elif comment.type.strip() not in COMMENT_TYPES:
                self.report.skip("comment", comment.id, f"type {comment.type!r} is not imported")
            elif comment.approved.strip() not in COMMENT_STATUSES:
                self.report.skip("comment", comment.id, f"state {comment.approved!r} unknown")
            else:
                fresh.append(comment)
        if not fresh:
            return
        ordered, parents = order_replies(
            fresh, known, self.report.warn, key=lambda c: (_number(c.id), c.id)
        )
        existing = Comment.objects.in_bulk([pk for pk in parents.values() if isinstance(pk, int)])
        index = {comment.id: position for position, comment in enumerate(ordered)}
        specs = []
        for comment in ordered:
            parent = parents.get(comment.id)
            spec = self._comment_fields(comment, post)
            spec["parent_index"] = index.get(parent) if isinstance(parent, str) else None
            if isinstance(parent, int):
                spec["parent"] = existing.get(parent)
            specs.append(spec)
        self.pending.append((post, specs, [c.id for c in ordered]))
        self.pending_count += len(specs)
        if self.pending_count >= COMMENT_BATCH:
            self.flush_comments()

    def flush_comments(self):
        """Write the queued comments of several posts in one go (ids, rows, records)."""
        if not self.pending:
            return
        created = bulk_create_threads([(post, specs) for post, specs, _ids in self.pending])
        pairs = [
            pair
            for (_post, _specs, wp_ids), rows in zip(self.pending, created, strict=True)
            for pair in zip(wp_ids, rows, strict=True)
        ]
        ImportRecord.record_comments(self.source, pairs)
        warn_reattached(pairs, self.report.warn)
        self.report.count("comment", "created", len(pairs))
        self.comments_done += len(pairs)
        self.pending, self.pending_count = [], 0

    def _comment_fields(self, comment, post):
        user_id = comment.user_id.strip()
        user = self.authors.get(user_id) if user_id not in ("", "0") else None
        url = comment.author_url.strip()
        if url and (not url.lower().startswith(("http://", "https://")) or len(url) > 500):
            self.report.warn(f"comment {comment.id}: website {url[:80]!r} dropped (not http(s))")
            url = ""
        self.report.check_html(f"comment {comment.id}", "content", comment.content)
        name = comment.author.strip()
        if len(name) > 255:
            self.report.warn(f"comment {comment.id}: name cut to 255 characters")
            name = name[:255]
        return {
            "body": comment.content,
            "body_html": wpautop(comment.content),
            "author_name": name or "Anonymous",
            "author_email": comment.author_email.strip()[:254],
            "author_url": url,
            "user": user,
            "ip_address": _ip(comment.author_ip),
            "created_at": self._moment(comment.date_gmt, comment.date) or post.published_at,
            "status": (
                Comment.Status.REMOVED
                if comment.meta.get(REMOVED_META) == "removed"
                else COMMENT_STATUSES[comment.approved.strip()]
            ),
            "type": COMMENT_TYPES[comment.type.strip()],
        }


@functools.lru_cache(maxsize=4096)
def _ip(value):
    """A valid IP address, normalised, or None (commenters repeat: cached)."""
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def _number(value):
    try:
        return int(value)
    except ValueError:
        return 0
