"""Quotations as data: found in a post's HTML on save, tied to their sources, linked.

Every top-level ``<blockquote>`` of a post is a quotation, in order. Its source comes from
the attribution line the Markdown renderer parsed (``markup``: ``— Publisher, "Title",
URL``), else from the blockquote's ``cite`` address (imported HTML), else it is
unattributed until the writer assigns one in the admin; an assignment survives later
saves as long as the passage is still there. Blockquotes sharing an attribution share
one ``Source`` row (sources are site-wide: a publisher's page lists every post quoting it).

After extraction the stored HTML is given an anchor per quotation (``id="quotation-N"``)
and, where the source's address is known, a link to the passage itself: a text fragment
(``#:~:text=start,end``, the URL Fragment Text Directives spec) that scrolls the source
page to the quoted words. Every other top-level block gets an anchor too (``id="p-N"``),
so a reader's comment can say which paragraph it quotes.
"""

import re
from dataclasses import dataclass
from urllib.parse import quote

from django.db import transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from . import markup
from .models import Post, Quotation, Source

# Brackets are the writer's insertions; ellipses mark elisions: neither is in the source.
INSERTION = re.compile(r"\[[^\]]*\]")
ELISION = re.compile(r"\s*(?:…|\.\s?\.\s?\.)\s*")
FRAGMENT_WORDS = 4


@dataclass
class Found:
    """A quotation as the HTML has it: its text and what the markup says of its source."""

    position: int
    text: str
    attribution: dict | None
    cite: str


def find(html, attributions):
    """The post's top-level blockquotes as ``Found``, in order.

    ``attributions`` are the parsed attribution lines in document order (Markdown posts);
    a blockquote with a ``<footer>`` took the next one.
    """
    import lxml.html  # here: only writing needs it (~8 MB a reading process does without)

    if "<blockquote" not in html:
        return []
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    pending = list(attributions)
    found = []
    for quote_element in _top_level_quotes(root):
        footer = quote_element.find("footer")
        attribution = pending.pop(0) if footer is not None and pending else None
        skip = None
        if footer is None:
            # Imported HTML: an attribution line is the blockquote's last paragraph.
            blocks = list(quote_element)
            last = blocks[-1] if len(blocks) > 1 else None
            parsed = (
                markup.parse_attribution(last.text_content().strip()) if last is not None else None
            )
            if parsed is not None:
                attribution, skip = parsed.as_dict(), last
        found.append(
            Found(
                position=len(found) + 1,
                text=_text_of(quote_element, skip),
                attribution=attribution,
                cite=(quote_element.get("cite") or "").strip(),
            )
        )
    return found


def _top_level_quotes(root):
    for element in root.iter("blockquote"):
        if not any(parent.tag == "blockquote" for parent in element.iterancestors()):
            yield element


def _text_of(element, skip=None):
    """The quoted words, paragraph by paragraph, without the attribution (``skip``)."""
    paragraphs = []
    blocks = [child for child in element if child.tag != "footer" and child is not skip]
    blocks = blocks or [element]
    for block in blocks:
        text = " ".join(block.text_content().split())
        if text:
            paragraphs.append(text)
    return "\n\n".join(paragraphs)


def is_web_address(url):
    return url.lower().startswith(("https://", "http://")) and len(url) <= 2000


def source_for(attribution, cite):
    """The ``Source`` an attribution (or a bare ``cite`` address) names, made if new."""
    if attribution:
        url = attribution.get("url", "")
        publisher, title = attribution.get("publisher", ""), attribution.get("title", "")
    else:
        url, publisher, title = cite, "", ""
    if not is_web_address(url):
        # A cite="javascript:…" would become a link in the panel and the passage link.
        url = ""
    if not (url or publisher or title):
        return None
    if url:
        source = Source.objects.filter(url=url).first()
        if source is None:
            source = Source.objects.create(url=url, publisher=publisher, title=title)
        return source
    source = Source.objects.filter(url="", publisher=publisher, title=title).first()
    return source or Source.objects.create(publisher=publisher, title=title)


@transaction.atomic
def sync(post):
    """Make the post's quotations those of its HTML, keeping the writer's assignments.

    Rows are updated in place by position (the admin's inline forms hold their ids); a
    passage keeps a source the writer assigned if its words, or else its place, are the
    same, and keeps its check result while its words and source are unchanged.
    """
    found = find(post.body_html, post.attributions)
    earlier = {q.position: q for q in post.quotations.all()}
    assigned_by_text = {q.text: q.source for q in earlier.values() if q.source_assigned}
    texts_now = {item.text for item in found}
    for item in found:
        row = earlier.pop(item.position, None) or Quotation(post=post, position=item.position)
        source = source_for(item.attribution, item.cite)
        assigned = False
        if source is None:
            kept = assigned_by_text.get(item.text)
            if kept is None and row.source_assigned and row.pk and row.text not in texts_now:
                # The passage at this place was edited (its old words are gone), not
                # moved: it keeps its source. A moved passage is found by its words.
                kept = row.source
            source, assigned = kept, kept is not None
        if row.pk is None or row.text != item.text or row.source_id != (source and source.pk):
            row.status, row.diff, row.checked_at = Quotation.Check.NOT_CHECKED, "", None
            row.archive = None
        row.text, row.source, row.source_assigned = item.text, source, assigned
        row.save()
    Quotation.objects.filter(pk__in=[q.pk for q in earlier.values()]).delete()
    link_passages(post)


def awaiting_check(post):
    """Whether the post is public and quotes a source address it has not checked yet."""
    return (
        post.is_public
        and post.quotations.filter(source__url__gt="", status=Quotation.Check.NOT_CHECKED).exists()
    )


def link_passages(post):
    """Anchor the stored HTML's blocks and link each quotation to its passage in the source.

    Runs on every save (``sync``), with or without quotations, and again after each check.
    """
    import lxml.html  # here: only writing needs it (~8 MB a reading process does without)

    root = lxml.html.fragment_fromstring(post.body_html, create_parent="div")
    by_position = {q.position: q for q in post.quotations.select_related("source")}
    for position, element in enumerate(_top_level_quotes(root), start=1):
        quotation = by_position.get(position)
        if quotation is None:
            continue
        element.set("id", f"quotation-{position}")
        # What an earlier call added goes first: this is called again after every check.
        for old in [*element.find_class("quote-links"), *element.find_class("quote-footer")]:
            old.getparent().remove(old)
        url = quotation.source.url if quotation.source else ""
        if not is_web_address(url):
            continue
        footer = element.find("footer")
        if footer is None:
            footer = lxml.html.Element("footer", {"class": "quote-footer"})
            element.append(footer)
        links = lxml.html.Element("span", {"class": "quote-links"})
        links.text = " · " if len(footer) or (footer.text or "").strip() else ""
        link = lxml.html.Element("a", {"class": "passage-link", "href": passage_url(quotation)})
        link.text = "the passage in the source"
        links.append(link)
        if quotation.status == Quotation.Check.VERIFIED and quotation.archive_id:
            links.append(_check_mark(quotation))
        footer.append(links)
    anchor_blocks(root)
    html = "".join(lxml.html.tostring(child, encoding="unicode") for child in root.iterchildren())
    html = (root.text or "") + html
    if html != post.body_html:
        post.body_html = html
        type(post).objects.filter(pk=post.pk).update(body_html=html)


# The blocks of a post a reader may quote: what Markdown and wpautop put at the top level.
ANCHORED_BLOCKS = frozenset(
    {"p", "blockquote", "ul", "ol", "pre", "figure", "h2", "h3", "h4", "h5", "h6"}
)


def anchor_blocks(root):
    """Give each top-level block of ``root`` without an id ``id="p-N"``.

    N is the block's place among the top-level blocks (quotations included), counted from
    1, so anchoring HTML again changes nothing and an anchor names the same paragraph for
    as long as the text above it keeps its shape. An id the HTML already uses is not
    given twice.
    """
    taken = {element.get("id") for element in root.iter() if element.get("id")}
    blocks = (child for child in root if child.tag in ANCHORED_BLOCKS)
    for number, element in enumerate(blocks, start=1):
        anchor = f"p-{number}"
        if not element.get("id") and anchor not in taken:
            element.set("id", anchor)


def _check_mark(quotation):
    """ "checked against the source on <date>", linking the archived copy."""
    import lxml.html  # here: only writing needs it (~8 MB a reading process does without)

    day = timezone.localtime(quotation.checked_at)
    mark = lxml.html.Element("span", {"class": "quote-check"})
    mark.text = f" · checked against the source on {day:%B} {day.day}, {day.year} ("
    link = lxml.html.Element(
        "a", {"href": reverse("publishing:source_archive", kwargs={"pk": quotation.archive_id})}
    )
    link.text = "archived copy"
    link.tail = ")"
    mark.append(link)
    return mark


def passage_url(quotation):
    """The source's address with a text fragment for the quoted words."""
    return quotation.source.url.split("#", 1)[0] + "#:~:text=" + text_directive(quotation.text)


def text_directive(text):
    """``start,end`` (or just the text, if short) of a passage, as the spec encodes them.

    The writer's ``[insertions]`` are not in the source, so they are left out, and so is
    anything beyond an elision: the start comes from the first part, the end from the last.
    """
    parts = [p for p in (ELISION.split(INSERTION.sub(" ", text))) if p.strip()]
    if not parts:
        return ""
    first, last = parts[0].split(), parts[-1].split()
    if len(parts) == 1 and len(first) <= 2 * FRAGMENT_WORDS:
        return _encode(" ".join(first))
    start = " ".join(first[:FRAGMENT_WORDS])
    end = " ".join(last[-FRAGMENT_WORDS:])
    return f"{_encode(start)},{_encode(end)}"


def _encode(words):
    # Percent-encode everything but unreserved characters; the spec also reserves "-"
    # (prefix/suffix markers), which ``quote`` would leave alone.
    return quote(words.strip(".,;:"), safe="").replace("-", "%2D")


@dataclass
class SourceLine:
    source: Source
    passages: list
    words: int
    share: float | None = None

    @property
    def web_url(self):
        """The source's address, if it is one a link may point at."""
        return self.source.url if is_web_address(self.source.url) else ""


def panel(post):
    """The post's sources, in order of first quotation: passages, words, share quoted.

    The share is the quoted words over the words of the source's main text, when an
    archived copy of it is known.
    """
    lines = {}
    unattributed = 0
    for quotation in post.quotations.select_related("source", "archive"):
        if quotation.source is None:
            unattributed += 1
            continue
        line = lines.setdefault(quotation.source_id, SourceLine(quotation.source, [], 0))
        line.passages.append(quotation)
        line.words += quotation.words
    for line in lines.values():
        archived = next((q.archive for q in line.passages if q.archive_id), None)
        if archived is not None and archived.text:
            total = len(archived.text.split())
            line.share = line.words / total if total else None
    return list(lines.values()), unattributed


def over_share(post, percent):
    """The sources of which the post quotes more than ``percent``% (a fair-use prompt)."""
    lines, _unattributed = panel(post)
    return [line for line in lines if line.share is not None and line.share * 100 > percent]


def publishers():
    """Every publisher quoted in something readers can see, with how often: /sources/."""
    visible = Post.objects.published().values("pk")
    return (
        Source.objects.exclude(publisher_slug="")
        .filter(quotations__post__in=visible)
        .values("publisher", "publisher_slug")
        .annotate(passages=Count("quotations"), posts=Count("quotations__post", distinct=True))
        .order_by("publisher")
    )


@dataclass
class Publisher:
    """A publisher as the site knows it: a name and the address of its running file."""

    name: str
    slug: str

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("publishing:source", kwargs={"slug": self.slug})


def publisher(slug):
    """The publisher at ``/sources/<slug>/``, or None: only one quoted in a public post
    (a draft's sources are nobody's business yet)."""
    visible = Post.objects.published().values("pk")
    source = (
        Source.objects.filter(publisher_slug=slug, quotations__post__in=visible)
        .order_by("pk")
        .first()
    )
    return Publisher(source.publisher, slug) if source else None


def posts_quoting(slug):
    """Published posts quoting a publisher, newest first."""
    return (
        Post.objects.published()
        .filter(quotations__source__publisher_slug=slug)
        .distinct()
        .newest_first()
    )


def running_file(slug):
    """Each post quoting the publisher with the passages it quoted, newest post first."""
    posts = list(posts_quoting(slug).select_related("author"))
    passages = Quotation.objects.filter(
        post__in=[p.pk for p in posts], source__publisher_slug=slug
    ).select_related("source")
    by_post = {}
    for quotation in passages:
        by_post.setdefault(quotation.post_id, []).append(quotation)
    return [(post, by_post.get(post.pk, [])) for post in posts]
