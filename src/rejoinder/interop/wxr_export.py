"""Write the whole site as a WordPress export (WXR 1.2): ``export_wxr()``.

WordPress's importer reads it; so does ours, and the round trip is exact: export, import
into an empty site, export again, and the two files say the same thing (ids aside).
Written as a stream (lxml's incremental writer), a post at a time.

Content: an HTML post (imported from WordPress) exports its stored HTML as it came; a
Markdown post exports its rendered HTML, which is what WordPress stores. Comments export
their sanitized HTML. A tombstone ("Comment deleted.", which WordPress has no word for)
exports as an empty approved comment carrying ``rejoinder_status = removed`` in its
commentmeta, which our importer reads back, so its replies keep their place. The threads
of other sites' pages are not exported: WordPress has no such kind of post.
"""

import contextvars
import json
import re

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone
from lxml import etree

from rejoinder.core.text import strip_control_characters
from rejoinder.discussion.models import Comment
from rejoinder.publishing.models import Category, Post, Tag

WP = "http://wordpress.org/export/1.2/"
NSMAP = {
    "excerpt": "http://wordpress.org/export/1.2/excerpt/",
    "content": "http://purl.org/rss/1.0/modules/content/",
    "wfw": "http://wellformedweb.org/CommentAPI/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "wp": WP,
}
# Code points XML 1.0 does not allow; WordPress's exporter lets them through and breaks files.
# What the export had to change to stay valid XML, while ``export_wxr`` runs: one
# (element, field, characters removed) per changed value, told to whoever exports.
_changes = contextvars.ContextVar("wxr_export_changes", default=None)
STATUSES = {
    Post.Status.PUBLISHED: "publish",
    Post.Status.SCHEDULED: "future",
    Post.Status.DRAFT: "draft",
    Post.Status.PRIVATE: "private",
}
COMMENT_STATES = {
    Comment.Status.APPROVED: "1",
    Comment.Status.PENDING: "0",
    Comment.Status.SPAM: "spam",
    Comment.Status.TRASH: "trash",
    Comment.Status.REMOVED: "1",
}
REMOVED_META = "rejoinder_status"
UPDATES_META = "_rejoinder_update_notes"


def _clean(text, parent=None, tag=""):
    """``text`` without what XML 1.0 cannot carry, each removal recorded (``export_wxr``)."""
    text, removed = strip_control_characters(text or "")
    changes = _changes.get()
    if removed and changes is not None:
        changes.append((parent, etree.QName(tag).localname if tag else "", removed))
    return text


def _describe(parent, field, removed):
    """ "comment 12: comment_content: 2 characters XML cannot carry removed"."""
    if parent is not None and parent.tag == _q("wp", "comment"):
        what = f"comment {parent.findtext(_q('wp', 'comment_id'))}"
    elif parent is not None and parent.tag == "item":
        what = f"post {parent.findtext(_q('wp', 'post_id')) or parent.findtext('title')}"
    elif parent is not None and parent.tag == _q("wp", "postmeta"):
        what = "update notes of a post"
    else:
        what = etree.QName(parent).localname if parent is not None else "site"
    characters = "character" if removed == 1 else "characters"
    return f"{what}: {field}: {removed} {characters} XML 1.0 cannot carry removed"


def _q(namespace, name):
    return f"{{{NSMAP.get(namespace, namespace)}}}{name}"


def _add(parent, tag, text="", cdata=True):
    element = etree.SubElement(parent, tag)
    text = _clean(str(text), parent, tag)
    # CDATA as WordPress writes it, unless the text holds "]]>" (then plain, escaped text).
    element.text = etree.CDATA(text) if cdata and text and "]]>" not in text else text
    return element


def _site_url():
    return settings.SITE_URL or "http://localhost"


def _local(moment):
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S")


def export_wxr(output):
    """Write the site's WXR to ``output``, a binary file; return what had to change.

    No stored value can make the file invalid: characters XML 1.0 cannot carry (see
    ``core.text``) are left out, and each value changed so is returned as a line naming
    the post or comment and the field, for the caller to show.
    """
    changes = []
    token = _changes.set(changes)
    try:
        _export(output)
    finally:
        _changes.reset(token)
    return [_describe(*change) for change in changes]


def _export(output):
    site = _site_url()
    declarations = " ".join(f'xmlns:{prefix}="{uri}"' for prefix, uri in NSMAP.items())
    output.write(
        b'<?xml version="1.0" encoding="UTF-8" ?>\n'
        b"<!-- This is a WordPress eXtended RSS file, written by Rejoinder. -->\n"
        + f'<rss version="2.0" {declarations}>\n<channel>\n'.encode()
    )
    head = etree.Element("head", nsmap=NSMAP)
    _add(head, "title", settings.SITE_TITLE, cdata=False)
    _add(head, "link", site, cdata=False)
    _add(head, "description", settings.SITE_TAGLINE, cdata=False)
    _add(head, "pubDate", timezone.now().strftime("%a, %d %b %Y %H:%M:%S +0000"), False)
    _add(head, "language", settings.LANGUAGE_CODE, cdata=False)
    _add(head, _q("wp", "wxr_version"), "1.2", cdata=False)
    _add(head, _q("wp", "base_site_url"), site, cdata=False)
    _add(head, _q("wp", "base_blog_url"), site, cdata=False)
    for child in head:
        _write(output, child)
    # WordPress has no kind of post for another site's page: those threads (and their
    # comments) stay out of the file, and so does an account that holds only them.
    ours = [Post.Type.POST, Post.Type.PAGE]
    for author in get_user_model().objects.filter(posts__type__in=ours).distinct():
        _write(output, _author(author))
    for category in Category.objects.select_related("parent").order_by("path"):
        _write(output, _category(category))
    for tag in Tag.objects.order_by("slug"):
        _write(output, _tag(tag))
    posts = (
        Post.objects.filter(type__in=ours)
        .order_by("published_at", "id")
        .select_related("author")
        .prefetch_related("categories", "tags", "updates")
    )
    for post in posts.iterator(chunk_size=200):
        _write(output, _item(post, site))
    output.write(b"</channel>\n</rss>\n")


# The namespace declarations lxml repeats on each element written alone; the root element
# declares them once for the whole file.
REPEATED_DECLARATION = re.compile(r' xmlns:(?:excerpt|content|wfw|dc|wp)="[^"]*"')


def _write(output, element):
    text = etree.tostring(element, encoding="unicode")
    end_of_tag = text.index(">")
    text = REPEATED_DECLARATION.sub("", text[:end_of_tag]) + text[end_of_tag:]
    output.write(text.encode() + b"\n")


def _author(user):
    element = etree.Element(_q("wp", "author"), nsmap=NSMAP)
    _add(element, _q("wp", "author_id"), user.pk, cdata=False)
    _add(element, _q("wp", "author_login"), user.get_username())
    _add(element, _q("wp", "author_email"), user.email)
    _add(element, _q("wp", "author_display_name"), user.get_full_name() or user.get_username())
    _add(element, _q("wp", "author_first_name"), user.first_name)
    _add(element, _q("wp", "author_last_name"), user.last_name)
    return element


def _category(category):
    element = etree.Element(_q("wp", "category"), nsmap=NSMAP)
    _add(element, _q("wp", "term_id"), category.pk, cdata=False)
    _add(element, _q("wp", "category_nicename"), category.slug)
    _add(element, _q("wp", "category_parent"), category.parent.slug if category.parent else "")
    _add(element, _q("wp", "cat_name"), category.name)
    if category.description:
        _add(element, _q("wp", "category_description"), category.description)
    return element


def _tag(tag):
    element = etree.Element(_q("wp", "tag"), nsmap=NSMAP)
    _add(element, _q("wp", "term_id"), tag.pk, cdata=False)
    _add(element, _q("wp", "tag_slug"), tag.slug)
    _add(element, _q("wp", "tag_name"), tag.name)
    return element


def _item(post, site):
    item = etree.Element("item", nsmap=NSMAP)
    _add(item, "title", post.title)
    _add(item, "link", site + post.get_absolute_url(), cdata=False)
    _add(item, "pubDate", post.published_at.strftime("%a, %d %b %Y %H:%M:%S +0000"), False)
    _add(item, _q("dc", "creator"), post.author.get_username())
    guid = _add(item, "guid", f"{site}/?p={post.pk}", cdata=False)
    guid.set("isPermaLink", "false")
    _add(item, "description", "", cdata=False)
    body = post.body if post.body_format == Post.Format.HTML else post.body_html
    _add(item, _q("content", "encoded"), body)
    _add(item, _q("excerpt", "encoded"), post.excerpt)
    _add(item, _q("wp", "post_id"), post.pk, cdata=False)
    _add(item, _q("wp", "post_date"), _local(post.published_at))
    _add(item, _q("wp", "post_date_gmt"), _utc(post.published_at))
    _add(item, _q("wp", "comment_status"), post.comment_status)
    _add(item, _q("wp", "ping_status"), "closed")
    _add(item, _q("wp", "post_name"), post.slug)
    _add(item, _q("wp", "status"), STATUSES[post.status])
    _add(item, _q("wp", "post_parent"), 0, cdata=False)
    _add(item, _q("wp", "menu_order"), 0, cdata=False)
    _add(item, _q("wp", "post_type"), post.type)
    _add(item, _q("wp", "post_password"), "")
    _add(item, _q("wp", "is_sticky"), int(post.sticky), cdata=False)
    for category in post.categories.all():
        term = _add(item, "category", category.name)
        term.set("domain", "category")
        term.set("nicename", category.slug)
    for tag in post.tags.all():
        term = _add(item, "category", tag.name)
        term.set("domain", "post_tag")
        term.set("nicename", tag.slug)
    notes = [
        {"label": note.label, "time": note.published_at.isoformat(), "body": note.body}
        for note in post.updates.all()
    ]
    if notes:
        # WordPress has no update notes; our importer reads them back from this meta.
        meta = etree.SubElement(item, _q("wp", "postmeta"))
        _add(meta, _q("wp", "meta_key"), UPDATES_META)
        _add(meta, _q("wp", "meta_value"), json.dumps(notes, ensure_ascii=False))
    for comment in Comment.objects.filter(post=post).order_by("path"):
        item.append(_comment(comment))
    return item


def _comment(comment):
    element = etree.Element(_q("wp", "comment"), nsmap=NSMAP)
    _add(element, _q("wp", "comment_id"), comment.pk, cdata=False)
    _add(element, _q("wp", "comment_author"), comment.author_name)
    _add(element, _q("wp", "comment_author_email"), comment.author_email)
    _add(element, _q("wp", "comment_author_url"), comment.author_url, cdata=False)
    _add(element, _q("wp", "comment_author_IP"), comment.ip_address or "")
    _add(element, _q("wp", "comment_date"), _local(comment.created_at))
    _add(element, _q("wp", "comment_date_gmt"), _utc(comment.created_at))
    _add(element, _q("wp", "comment_content"), comment.body_html)
    _add(element, _q("wp", "comment_approved"), COMMENT_STATES[comment.status])
    _add(element, _q("wp", "comment_type"), comment.type)
    _add(element, _q("wp", "comment_parent"), comment.parent_id or 0, cdata=False)
    _add(element, _q("wp", "comment_user_id"), comment.user_id or 0, cdata=False)
    if comment.status == Comment.Status.REMOVED:
        meta = etree.SubElement(element, _q("wp", "commentmeta"))
        _add(meta, _q("wp", "meta_key"), REMOVED_META)
        _add(meta, _q("wp", "meta_value"), "removed")
    return element


def _utc(moment):
    return moment.astimezone(timezone.get_fixed_timezone(0)).strftime("%Y-%m-%d %H:%M:%S")
