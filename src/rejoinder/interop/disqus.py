"""Import a Disqus export (XML): ``import_disqus()``.

Threads are matched to posts by URL: the post's current address, any former one
(``PostAlias``), or a WordPress ``?p=ID`` identifier recorded by the WordPress import.
Unmatched threads are listed in the report, or become draft posts with
``create_missing``. Comments are keyed on Disqus's internal ``dsq:id`` attribute (the
``<id>`` element is often empty, which is how other importers lost comments), so a second
import adds nothing. Same safety as the WXR reader: no DTDs, no entities, one transaction.
"""

import datetime
import re
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.text import slugify
from lxml import etree

from rejoinder.discussion.comments import bulk_create_comments
from rejoinder.discussion.models import Comment
from rejoinder.publishing.models import Post, PostAlias

from .models import ImportRecord
from .replies import order_replies, warn_reattached
from .wordpress import DryRun, Report, _ip
from .wxr import check_prologue, not_well_formed, parse_events, refuse_dtd

DISQUS = "http://disqus.com"
INTERNALS = "http://disqus.com/disqus-internals"
DSQ_ID = f"{{{INTERNALS}}}id"


@dataclass
class Thread:
    dsq_id: str
    identifier: str = ""
    link: str = ""
    title: str = ""
    created_at: str = ""
    is_deleted: str = "false"
    forum: str = ""
    posts: list = field(default_factory=list)


@dataclass
class DisqusPost:
    id: str
    thread: str = ""
    parent: str = ""
    message: str = ""
    created_at: str = ""
    is_deleted: str = "false"
    is_spam: str = "false"
    author_name: str = ""
    author_email: str = ""
    ip: str = ""


def _text(element, name):
    child = element.find(f"{{{DISQUS}}}{name}")
    return (child.text or "").strip() if child is not None else ""


def _ref(element, name):
    child = element.find(f"{{{DISQUS}}}{name}")
    return (child.get(DSQ_ID) or "").strip() if child is not None else ""


def read(path):
    """Threads (with their posts) and the forum's name, read as a stream."""
    check_prologue(path)
    threads, posts, forum = {}, [], ""
    try:
        for event, element in parse_events(
            str(path),
            events=("start", "end"),
            resolve_entities=False,
            load_dtd=False,
            no_network=True,
            huge_tree=True,
        ):
            if event == "start":
                if element.getparent() is None:
                    refuse_dtd(element)  # the root: any DOCTYPE has been read by now
                continue
            if (
                element.tag == f"{{{DISQUS}}}thread"
                and element.getparent() is not None
                and (element.getparent().tag == f"{{{DISQUS}}}disqus")
            ):
                thread = Thread(
                    dsq_id=(element.get(DSQ_ID) or "").strip(),
                    identifier=_text(element, "id"),
                    link=_text(element, "link"),
                    title=_text(element, "title"),
                    created_at=_text(element, "createdAt"),
                    is_deleted=_text(element, "isDeleted").lower(),
                    forum=_text(element, "forum"),
                )
                forum = forum or thread.forum
                threads[thread.dsq_id] = thread
                element.clear()
            elif element.tag == f"{{{DISQUS}}}post":
                author = element.find(f"{{{DISQUS}}}author")
                posts.append(
                    DisqusPost(
                        id=(element.get(DSQ_ID) or "").strip(),
                        thread=_ref(element, "thread"),
                        parent=_ref(element, "parent"),
                        message=_text(element, "message"),
                        created_at=_text(element, "createdAt"),
                        is_deleted=_text(element, "isDeleted").lower(),
                        is_spam=_text(element, "isSpam").lower(),
                        author_name=_text(author, "name") if author is not None else "",
                        author_email=_text(author, "email") if author is not None else "",
                        ip=_text(element, "ipAddress"),
                    )
                )
                element.clear()
    except etree.XMLSyntaxError as error:
        raise not_well_formed(error) from error
    return forum, threads, posts


def import_disqus(path, create_missing=False, dry_run=False):
    """Import the Disqus export at ``path``; return a ``Report``."""
    report = Report(dry_run=dry_run)
    try:
        with transaction.atomic():
            forum, threads, posts = read(path)
            report.source = f"disqus:{forum or 'unknown'}"
            for post in posts:
                if not post.id:
                    report.skip("comment", "(no dsq:id)", "it has no Disqus id")
                elif post.thread not in threads:
                    report.skip(
                        "comment", post.id, f"its thread {post.thread!r} is not in the file"
                    )
                else:
                    threads[post.thread].posts.append(post)
            for thread in threads.values():
                _import_thread(thread, report, create_missing)
            if dry_run:
                raise DryRun
    except DryRun:
        pass
    return report


def _import_thread(thread, report, create_missing):
    label = f"{thread.dsq_id} ({thread.link or 'no link'})"
    if thread.is_deleted == "true":
        report.skip("thread", label, "deleted in Disqus")
        for post in thread.posts:
            report.skip("comment", post.id, "its thread was deleted in Disqus")
        return
    post = find_post(thread)
    if post is None and create_missing:
        post = _create_post(thread)
        report.count("post", "created")
    if post is None:
        report.skip("thread", label, "no post has this address (use --create-missing)")
        for comment in thread.posts:
            report.skip("comment", comment.id, "its thread matches no post")
        return
    report.count("thread", "matched")
    _import_comments(thread, post, report)


def find_post(thread):
    """The post a thread belongs to: by its link (current or former address), or its id."""
    link = urlsplit(thread.link)
    query = parse_qs(link.query)
    wordpress_id = (query.get("p") or query.get("page_id") or [""])[0]
    match = re.search(r"\?p=(\d+)", thread.identifier) or re.match(r"(\d+) ", thread.identifier)
    candidates = [wordpress_id, match.group(1) if match else ""]
    for candidate in filter(None, candidates):
        record = ImportRecord.objects.filter(kind=ImportRecord.Kind.POST, source_id=candidate)
        record = record.first()
        if record is not None and isinstance(record.target, Post):
            return record.target
    path = link.path or "/"
    try:
        match = resolve(path)
    except Resolver404:
        match = None
    if match is not None and match.url_name == "post":
        kwargs = match.kwargs
        found = Post.objects.at_address(_Staff(), **kwargs)
        if found is not None:
            return found
    if match is not None and match.url_name == "page":
        found = Post.objects.pages().filter(slug=match.kwargs["slug"]).first()
        if found is not None:
            return found
    alias = PostAlias.objects.filter(old_path=path).select_related("post").first()
    return alias.post if alias is not None else None


class _Staff:
    """Looks at posts as an administrator would: every status counts when matching."""

    is_authenticated = is_active = is_staff = True

    def has_perm(self, permission):
        return True


def _create_post(thread):
    User = get_user_model()
    author = User.objects.filter(is_superuser=True).order_by("pk").first()
    if author is None:
        author, _ = User.objects.get_or_create(username="disqus-import")
    title = thread.title or thread.link or f"Disqus thread {thread.dsq_id}"
    post = Post(
        title=title[:300],
        slug=slugify(title)[:200] or f"disqus-{thread.dsq_id}",
        author=author,
        body="",
        status=Post.Status.DRAFT,
        published_at=_moment(thread.created_at) or timezone.now(),
    )
    post.save()
    path = urlsplit(thread.link).path
    if path and path != "/":
        PostAlias.objects.get_or_create(old_path=path[:1000], defaults={"post": post})
    return post


def _moment(value):
    try:
        moment = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=datetime.UTC)


def _flag(value, what, post_id, report):
    if value in ("true", "1"):
        return True
    if value not in ("false", "0", ""):
        report.warn(f"comment {post_id}: {what} is {value!r}; read as false")
    return False


def _import_comments(thread, post, report):
    source = report.source
    known = ImportRecord.imported_comments(source, [p.id for p in thread.posts])
    fresh = [p for p in thread.posts if p.id not in known]
    report.count("comment", "unchanged", len(thread.posts) - len(fresh))
    if not fresh:
        return
    ordered, parents = order_replies(
        fresh, known, report.warn, key=lambda p: (_moment(p.created_at) or timezone.now(), p.id)
    )
    has_replies = {parent for parent in parents.values() if isinstance(parent, str)}
    existing = Comment.objects.in_bulk([pk for pk in parents.values() if isinstance(pk, int)])
    index = {p.id: position for position, p in enumerate(ordered)}
    specs = []
    for item in ordered:
        deleted = _flag(item.is_deleted, "isDeleted", item.id, report)
        spam = _flag(item.is_spam, "isSpam", item.id, report)
        if spam:
            status = Comment.Status.SPAM
        elif deleted:
            # Disqus shows a deleted comment with replies as deleted, keeping the replies.
            status = Comment.Status.REMOVED if item.id in has_replies else Comment.Status.TRASH
        else:
            status = Comment.Status.APPROVED
        parent = parents.get(item.id)
        message = "" if status == Comment.Status.REMOVED else item.message
        report.check_html(f"comment {item.id}", "message", message)
        specs.append(
            {
                "body": message,
                "body_html": message,
                "author_name": (item.author_name or "Anonymous")[:255],
                "author_email": item.author_email[:254],
                "ip_address": _ip(item.ip),
                "created_at": _moment(item.created_at) or post.published_at,
                "status": status,
                "parent_index": index.get(parent) if isinstance(parent, str) else None,
                **({"parent": existing.get(parent)} if isinstance(parent, int) else {}),
            }
        )
    created = bulk_create_comments(post, specs)
    pairs = list(zip([p.id for p in ordered], created, strict=True))
    ImportRecord.record_comments(source, pairs)
    warn_reattached(pairs, report.warn)
    report.count("comment", "created", len(created))
