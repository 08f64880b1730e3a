"""Read a WordPress export (WXR 1.0, 1.1, 1.2) as a stream of plain records.

Parsing is safe on hostile files: lxml's ``iterparse`` with entity resolution, DTD
loading and network access off, and a file that declares a DTD at all (the road to
"billion laughs" and external entities) is refused: by a look at its first bytes, and
by the parser itself at the root element, wherever the DTD is and in any encoding. An
entity reference XML does not define is an error, never a silently shortened field.
Memory stays flat: each ``<item>`` is turned into an ``Item`` and its element freed.

Elements are matched by namespace URI, never by prefix, and any ``wordpress.org/export/1.x``
URI (http or https) counts. WordPress.com exports that use a prefix they never declare are
read again with the declaration added (``UndeclaredPrefix``), and the caller warns.
"""

import datetime
import functools
import re
from dataclasses import dataclass, field

from lxml import etree

WP = re.compile(r"^https?://wordpress\.org/export/1\.\d+/$")
EXCERPT = re.compile(r"^https?://wordpress\.org/export/1\.\d+/excerpt/$")
CONTENT = "http://purl.org/rss/1.0/modules/content/"
DC = "http://purl.org/dc/elements/1.1/"
# Prefixes WordPress and its plugins use without always declaring them.
KNOWN_PREFIXES = {
    "wp": "http://wordpress.org/export/1.2/",
    "excerpt": "http://wordpress.org/export/1.2/excerpt/",
    "content": CONTENT,
    "dc": DC,
    "wfw": "http://wellformedweb.org/CommentAPI/",
    "atom": "http://www.w3.org/2005/Atom",
    "georss": "http://www.georss.org/georss",
    "geo": "http://www.w3.org/2003/01/geo/wgs84_pos#",
    "media": "http://search.yahoo.com/mrss/",
    "slash": "http://purl.org/rss/1.0/modules/slash/",
}
PREFIX_ERROR = re.compile(
    r"Namespace prefix (?P<prefix>[\w.-]+)(?: for [\w.-]+)? on [\w.-]+ is not defined"
)
DOCTYPE = re.compile(rb"<!DOCTYPE|<!ENTITY", re.IGNORECASE)
CHANNEL_FIELDS = {
    ("", "title"),
    ("", "link"),
    ("wp", "base_site_url"),
    ("wp", "base_blog_url"),
    ("wp", "wxr_version"),
}


class WxrError(Exception):
    """The file cannot be imported; the message says where and why."""


DTD_REFUSED = (
    "The file declares a DTD (<!DOCTYPE …>). WordPress and Disqus exports never do, and DTDs "
    "carry entity attacks (billion laughs, external entities): refused, nothing imported."
)
# libxml2's words for what an import file most often gets wrong, said plainly.
REASONS = (
    (
        re.compile(r"Entity '([^']*)' not defined"),
        r"the entity reference &\1; is not defined (XML defines only &amp; &lt; &gt; "
        r"&quot; &apos;; write other characters as themselves or as &#number;)",
    ),
    (
        re.compile(r"xmlParseCharRef: invalid xmlChar value (\d+)"),
        r"the character reference &#\1; names a control character, which XML 1.0 cannot "
        r"carry",
    ),
)


def not_well_formed(error):
    """The ``WxrError`` for an lxml syntax error: where, why, and that nothing was written.

    lxml's streaming parser sometimes reports a later, vaguer error ("no element found" at
    line 0) than the one that stopped it; the error log (cleared when the parse began, see
    ``parse_events``) keeps the first, which says why.
    """
    line, column, message = *error.position, error.msg
    first = next((entry for entry in error.error_log if entry.level_name == "FATAL"), None)
    if first is not None:
        line, column, message = first.line, first.column, first.message
    message = re.sub(r",? line \d+, column \d+$", "", message.strip())
    for pattern, plain in REASONS:
        if pattern.search(message):
            message = pattern.sub(plain, message)
            break
    return WxrError(
        f"The file is not well-formed XML at line {line}, column {column}: {message}. "
        "Nothing was imported."
    )


def parse_events(source, **options):
    """lxml's ``iterparse`` of ``source``, its thread's error log emptied first, so that an
    error names this file's first fault (``not_well_formed``), not an earlier parse's."""
    etree.clear_error_log()
    return etree.iterparse(source, **options)


def refuse_dtd(element):
    """Refuse a document that has a DTD, seen at its root element's start.

    A DOCTYPE can only come before the root element, so the parser has read it by then,
    however far into the file it is and whatever the encoding; ``check_prologue`` is only
    the early, cheap look at the first bytes.
    """
    info = element.getroottree().docinfo
    if info.doctype or info.internalDTD is not None or info.externalDTD is not None:
        raise WxrError(DTD_REFUSED)


class UndeclaredPrefix(Exception):
    def __init__(self, prefix):
        super().__init__(prefix)
        self.prefix = prefix


@dataclass
class Channel:
    title: str = ""
    link: str = ""
    base_site_url: str = ""
    base_blog_url: str = ""
    wxr_version: str = ""

    @property
    def source(self):
        """The blog's own address, the key of everything imported from it."""
        return (self.base_blog_url or self.link or self.base_site_url).rstrip("/")


@dataclass
class Author:
    id: str
    login: str
    email: str = ""
    display_name: str = ""
    first_name: str = ""
    last_name: str = ""


@dataclass
class Term:
    taxonomy: str  # "category" or "post_tag"
    slug: str
    name: str
    id: str = ""
    parent_slug: str = ""
    description: str = ""


@dataclass
class Comment:
    id: str
    author: str = ""
    author_email: str = ""
    author_url: str = ""
    author_ip: str = ""
    date: str = ""
    date_gmt: str = ""
    content: str = ""
    approved: str = "1"
    type: str = ""
    parent: str = "0"
    user_id: str = "0"
    meta: dict = field(default_factory=dict)


@dataclass
class Item:
    title: str = ""
    link: str = ""
    creator: str = ""
    content: str = ""
    excerpt: str = ""
    post_id: str = ""
    post_date: str = ""
    post_date_gmt: str = ""
    comment_status: str = "open"
    post_name: str = ""
    status: str = ""
    post_parent: str = "0"
    post_type: str = "post"
    post_password: str = ""
    is_sticky: str = "0"
    attachment_url: str = ""
    guid: str = ""
    terms: list = field(default_factory=list)
    meta: dict = field(default_factory=dict)
    comments: list = field(default_factory=list)
    line: int = 0


@functools.lru_cache(maxsize=512)
def _kind(tag):
    """(namespace kind, local name) of an lxml tag (a few dozen distinct tags: cached)."""
    if not isinstance(tag, str):
        return None, None
    if tag.startswith("{"):
        uri, local = tag[1:].split("}", 1)
        if WP.match(uri):
            return "wp", local
        if EXCERPT.match(uri):
            return "excerpt", local
        if uri == CONTENT:
            return "content", local
        if uri == DC:
            return "dc", local
        return uri, local
    return "", tag


def _text(element):
    return element.text or ""


def check_prologue(path):
    """Refuse a file that declares a DTD or entities: WXR never does, attacks always do."""
    with open(path, "rb") as handle:
        head = handle.read(64 * 1024)
    root = re.search(rb"<(?![?!])", head)
    prologue = head[: root.start()] if root else head
    if DOCTYPE.search(prologue):
        raise WxrError(DTD_REFUSED)


class _Declaring:
    """A file whose root element gains declarations of the prefixes it forgot."""

    def __init__(self, path, prefixes):
        self.handle = open(path, "rb")  # noqa: SIM115 - closed by close()
        self.declarations = "".join(
            f' xmlns:{prefix}="{KNOWN_PREFIXES.get(prefix, f"urn:rejoinder:undeclared:{prefix}")}"'
            for prefix in prefixes
        ).encode()
        self.pending = b""
        self.done = False

    def read(self, size=-1):
        if self.done:
            return self.handle.read(size)
        data = self.pending + self.handle.read(64 * 1024)
        match = re.search(rb"<rss\b", data)
        if match is None and len(data) < 1024 * 1024:
            self.pending = data
            more = self.handle.read(64 * 1024)
            if more:
                self.pending += more
                return self.read(size)
        self.done = True
        self.pending = b""
        if match is not None:
            data = data[: match.end()] + self.declarations + data[match.end() :]
        return data

    def close(self):
        self.handle.close()


def read(path, declare=()):
    """Yield ("channel", Channel), ("author", Author), ("term", Term), ("item", Item).

    The channel comes before the first author, term or item. Raises ``WxrError`` for a file
    that is not well-formed (with line and column) and ``UndeclaredPrefix`` for a prefix
    used without a declaration (call again with it in ``declare``).
    """
    check_prologue(path)
    source = _Declaring(path, declare) if declare else path
    parser_args = {
        "events": ("start", "end"),
        "resolve_entities": False,
        "load_dtd": False,
        "no_network": True,
        "huge_tree": True,
        "remove_comments": True,
        "remove_pis": True,
    }
    channel = Channel()
    channel_sent = False
    depth = 0
    try:
        for event, element in parse_events(source, **parser_args):
            if event == "start":
                if depth == 0:
                    refuse_dtd(element)
                depth += 1
                continue
            depth -= 1
            # Only the channel's own children (rss > channel > *) are records; everything
            # deeper is read as part of its record.
            if depth != 2:
                continue
            parent = element.getparent()
            if _kind(parent.tag) != ("", "channel"):
                continue
            kind, local = _kind(element.tag)
            record = None
            if (kind, local) in CHANNEL_FIELDS:
                setattr(channel, local, _text(element).strip())
            elif kind == "wp" and local == "author":
                record = ("author", _author(element))
            elif kind == "wp" and local in {"category", "tag", "term"}:
                record = ("term", _term(local, element))
            elif kind == "" and local == "item":
                record = ("item", _item(element))
            if record is not None:
                if not channel_sent:
                    channel_sent = True
                    yield "channel", channel
                yield record
            element.clear(keep_tail=False)
            while element.getprevious() is not None:
                del parent[0]
    except etree.XMLSyntaxError as error:
        match = PREFIX_ERROR.search(str(error))
        if match:
            raise UndeclaredPrefix(match["prefix"]) from error
        raise not_well_formed(error) from error
    finally:
        if declare:
            source.close()
    if not channel_sent:
        yield "channel", channel


def _children(element):
    for child in element:
        kind, local = _kind(child.tag)
        if kind is not None:
            yield kind, local, child


def _author(element):
    values = {local: _text(child) for kind, local, child in _children(element) if kind == "wp"}
    return Author(
        id=values.get("author_id", "").strip(),
        login=values.get("author_login", "").strip(),
        email=values.get("author_email", "").strip(),
        display_name=values.get("author_display_name", "").strip(),
        first_name=values.get("author_first_name", "").strip(),
        last_name=values.get("author_last_name", "").strip(),
    )


def _term(local, element):
    values = {name: _text(child) for kind, name, child in _children(element) if kind == "wp"}
    if local == "category":
        return Term(
            taxonomy="category",
            id=values.get("term_id", ""),
            slug=values.get("category_nicename", "").strip(),
            name=values.get("cat_name", "").strip(),
            parent_slug=values.get("category_parent", "").strip(),
            description=values.get("category_description", ""),
        )
    if local == "tag":
        return Term(
            taxonomy="post_tag",
            id=values.get("term_id", ""),
            slug=values.get("tag_slug", "").strip(),
            name=values.get("tag_name", "").strip(),
            description=values.get("tag_description", ""),
        )
    return Term(
        taxonomy=values.get("term_taxonomy", "").strip(),
        id=values.get("term_id", ""),
        slug=values.get("term_slug", "").strip(),
        name=values.get("term_name", "").strip(),
        parent_slug=values.get("term_parent", "").strip(),
        description=values.get("term_description", ""),
    )


ITEM_FIELDS = {
    ("", "title"): "title",
    ("", "link"): "link",
    ("", "guid"): "guid",
    ("dc", "creator"): "creator",
    ("content", "encoded"): "content",
    ("excerpt", "encoded"): "excerpt",
    ("wp", "post_id"): "post_id",
    ("wp", "post_date"): "post_date",
    ("wp", "post_date_gmt"): "post_date_gmt",
    ("wp", "comment_status"): "comment_status",
    ("wp", "post_name"): "post_name",
    ("wp", "status"): "status",
    ("wp", "post_parent"): "post_parent",
    ("wp", "post_type"): "post_type",
    ("wp", "post_password"): "post_password",
    ("wp", "is_sticky"): "is_sticky",
    ("wp", "attachment_url"): "attachment_url",
}
COMMENT_FIELDS = {
    "comment_id": "id",
    "comment_author": "author",
    "comment_author_email": "author_email",
    "comment_author_url": "author_url",
    "comment_author_IP": "author_ip",
    "comment_date": "date",
    "comment_date_gmt": "date_gmt",
    "comment_content": "content",
    "comment_approved": "approved",
    "comment_type": "type",
    "comment_parent": "parent",
    "comment_user_id": "user_id",
}


def _item(element):
    item = Item(line=element.sourceline or 0)
    for kind, local, child in _children(element):
        name = ITEM_FIELDS.get((kind, local))
        if name is not None:
            setattr(item, name, _text(child))
        elif kind == "" and local == "category":
            nicename = child.get("nicename")
            if nicename is not None:  # WXR 1.0 also writes a bare copy without it
                domain = child.get("domain", "category")
                domain = "post_tag" if domain == "tag" else domain
                item.terms.append(Term(domain, nicename.strip(), _text(child).strip()))
        elif kind == "wp" and local == "postmeta":
            values = {n: _text(c) for k, n, c in _children(child) if k == "wp"}
            item.meta.setdefault(values.get("meta_key", ""), []).append(
                values.get("meta_value", "")
            )
        elif kind == "wp" and local == "comment":
            item.comments.append(_comment(child))
    item.title = item.title.strip()
    for name in ("post_id", "post_name", "status", "post_type", "post_parent", "is_sticky"):
        setattr(item, name, getattr(item, name).strip())
    return item


def _comment(element):
    # The hot loop of a big import: one pass over the children, tags looked up in a cache.
    values, meta = {}, {}
    for child in element:
        kind, local = _kind(child.tag)
        if kind != "wp":
            continue
        name = COMMENT_FIELDS.get(local)
        if name is not None:
            values[name] = child.text or ""
        elif local == "commentmeta":
            pair = {n: _text(c) for k, n, c in _children(child) if k == "wp"}
            meta[pair.get("meta_key", "")] = pair.get("meta_value", "")
    return Comment(**values, meta=meta)


def parse_date(value):
    """A WXR date (``YYYY-MM-DD HH:MM:SS``) as a naive datetime, or None for the zero date."""
    value = (value or "").strip()
    if len(value) != 19 or value.startswith("0000-00-00"):
        return None
    try:
        return datetime.datetime.fromisoformat(value)
    except ValueError:
        return None
