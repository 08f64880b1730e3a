"""Check a quotation against the text of its source.

``extract_text()`` takes an archived page's main text; ``check()`` says whether a
quotation is the source's words: ``verified``, or ``differs`` with a word diff against
the closest passage. ("Source unavailable" and "not checked" are the caller's.)

What counts as the same words
    Both texts go through ``normalise()`` (typography: quotes, primes, dashes, ellipses,
    soft hyphens, zero-width characters, odd spaces) and are then compared word by word,
    case-insensitively (``casefold``), ignoring punctuation between words. So a
    quotation with straight quotes matches a source with curly ones, and a capital the
    writer changed does not count; a changed, added or dropped word does. A hyphen splits
    words, so "co-operate" and "cooperate" differ.

What the writer may do
    - Elide: ``…``, ``...``, ``. . .``, ``[…]`` split the quotation into parts; each part
      must appear in the source, in order, anywhere after the previous one.
    - Insert: a ``[bracketed]`` span standing alone is the writer's (``[sic]``,
      ``[read prevaricated]``, ``[he]`` for a name) and stands for zero to three source
      words. A bracket inside a word (``[T]he``, ``[air-]strikes``, ``walk[ed]``) stands
      for any letters there, so ``[air-]strikes`` matches "strikes".

Finding the closest passage
    Each quotation word that also occurs in the source votes for where the passage
    would start (its source position minus its place in the quotation), rare words
    weighing more. The few best-voted windows are compared with ``difflib`` over word
    lists and the most similar wins. No character-level search: a 5,000-word article is
    indexed once (``SourceText``) and each quotation costs a few dictionary look-ups and
    a handful of short ``SequenceMatcher`` runs.

Extraction: trafilatura, chosen over readability-lxml and jusText
    Compared on three pages built for the tests (``tests/publishing/article_pages.py``:
    a semantic HTML5 page, an old table-and-div CMS page, a page of components with each
    paragraph in its own block and related links, an advert and a newsletter box
    between them; each with a cookie banner, navigation, share buttons, "most read",
    a reader comment thread and a footer; 14 article paragraphs, one of them a single
    short sentence).

    - trafilatura 2.3: kept all 14 paragraphs on all three pages and dropped every piece
      of boilerplate, including the newsletter box inside the article and the comments;
      it keeps the headline; no-break spaces come out as spaces. Median 4-7 ms a page,
      13-30 ms for a 5,000-word article (a shared two-core machine; runs vary).
    - readability-lxml 0.9: all paragraphs on all three pages, but on the components page
      it also kept the byline, the share buttons and the tag line, and on the semantic
      page the photo caption; its output is HTML whose paragraphs must be split out by
      hand. About as fast on small pages (4-6 ms), slower on the long one (16-49 ms).
    - jusText 3.0: kept the reader comments and the newsletter box on every page, and on
      the components page dropped the one-sentence paragraph ("The motion passed at
      12.40 a.m."): a quotation of it would have been reported as differing. 5-11 ms a
      page, the slowest on the long one (36-185 ms).
"""

import re
import unicodedata
from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from functools import lru_cache

VERIFIED = "verified"
DIFFERS = "differs"

# Operations in ``Check.ops``: ``equal`` (the quotation's text, found in the source),
# ``delete`` (source words the quotation lacks), ``insert`` (quotation words the source
# lacks), ``elision`` (the writer's "…" between two parts).
EQUAL, DELETE, INSERT, ELISION = "equal", "delete", "insert", "elision"

# A standalone [bracket] stands for this many source words at most.
MAX_BRACKET_WORDS = 3
# A verified quotation's passage is shown whole (elided words too) up to this many
# words; past it, only the quoted parts, joined by " … ".
MAX_PASSAGE_WORDS = 300
# Windows compared by SequenceMatcher for one part of a quotation that was not found.
CANDIDATE_WINDOWS = 8
# Words more frequent than this in the source do not vote for a window unless nothing
# rarer is shared ("the", "of", "and" say little about where a passage is).
COMMON_WORD = 100

_TYPOGRAPHY = {
    **dict.fromkeys("‘’‚‛′‵‹›`´ʹʻʼʽˈ＇", "'"),
    **dict.fromkeys("“”„‟″‶«»〝〞〟＂", '"'),
    **dict.fromkeys("‐‑‒–—―−⁃﹘﹣－⸺⸻", "-"),
    "…": "...",
    "‥": "..",
    **dict.fromkeys("\u00ad\u200b\u200c\u200d\u2060\ufeff\u180e", ""),
}
_SPACE = " "

WORD = re.compile(r"[^\W_]+")
# Elisions, in normalised text: "...", "....", ". . .", "[...]", "(...)".
ELISION_MARK = re.compile(r"\[\s*(?:\.\s?){2,}\.\s*\]|\(\s*(?:\.\s?){2,}\.\s*\)|\.(?:\s?\.){2,}")
BRACKET = re.compile(r"\[[^\[\]]*\]")
QUOTE_TOKEN = re.compile(r"(?:[^\W_]|\[[^\[\]]*\])+")


@lru_cache(maxsize=4096)
def _fold(char):
    """One character's replacement: typography table first, then NFKC (ﬁ, ², full-width)."""
    if char in _TYPOGRAPHY:
        return _TYPOGRAPHY[char]
    if char.isspace():
        return _SPACE
    if unicodedata.category(char) == "Cf":  # other invisible format characters
        return ""
    folded = unicodedata.normalize("NFKC", char)
    return _SPACE if folded.isspace() else folded


def _normalise_mapped(text):
    """``normalise(text)`` and, for each of its characters, its index in ``text``."""
    out, where = [], []
    for index, char in enumerate(text):
        for piece in _fold(char):
            if piece == _SPACE and (not out or out[-1] == _SPACE):
                continue
            out.append(piece)
            where.append(index)
    if out and out[-1] == _SPACE:
        out.pop()
        where.pop()
    return "".join(out), where


def normalise(text):
    """Text with its typography made plain, case kept (matching casefolds separately).

    Curly and straight single quotes, apostrophes and primes become ``'``; double ones
    ``"``; every dash and minus ``-``; ``…`` ``...``; soft hyphens and zero-width
    characters go; every run of whitespace (no-break and thin spaces, newlines) becomes
    one space; compatibility characters are NFKC-folded (``ﬁ`` -> ``fi``).
    """
    return _normalise_mapped(unicodedata.normalize("NFC", text))[0]


def extract_text(html, url=None):
    """The main text of an article page, paragraphs separated by blank lines.

    ``html`` is bytes (the encoding is detected) or str. Navigation, headers, footers,
    comments, share buttons and cookie banners are left out (trafilatura). Returns ""
    when the page has no recognisable main text.
    """
    import trafilatura  # ~0.3 s to import: only in the worker that needs it

    document = trafilatura.bare_extraction(
        html,
        url=url,
        include_comments=False,
        include_tables=True,
        include_formatting=False,
        include_links=False,
        include_images=False,
        with_metadata=False,
    )
    if document is None or document.body is None:
        return ""
    blocks = []
    _blocks(document.body, blocks)
    return "\n\n".join(blocks)


_BLOCK_TAGS = {"p", "head", "list", "table", "quote", "div"}


def _blocks(element, blocks):
    """Append the text blocks of trafilatura's XML tree: one per paragraph or heading,
    one per list (a line per item), one per table (a line per row)."""
    for child in element:
        tag = child.tag
        if tag in ("quote", "div") and any(inner.tag in _BLOCK_TAGS for inner in child):
            _blocks(child, blocks)
            continue
        if tag == "list":
            lines = [_inline_text(item) for item in child.findall("item")]
        elif tag == "table":
            lines = [
                " | ".join(_inline_text(cell) for cell in row.findall("cell"))
                for row in child.findall("row")
            ]
        else:
            lines = [_inline_text(child)]
        text = "\n".join(line for line in lines if line)
        if text:
            blocks.append(text)


def _inline_text(element):
    """An element's text, its line breaks (``<lb/>``) kept, other whitespace collapsed."""
    parts = []
    for node in element.iter():
        parts.append("\n" if node.tag == "lb" else node.text or "")
        if node is not element:
            parts.append(node.tail or "")
    lines = (re.sub(r"[ \t\r\f\v]+", " ", line).strip() for line in "".join(parts).split("\n"))
    return "\n".join(line for line in lines if line)


class SourceText:
    """A source's text indexed for checking: build once, check every quotation of it."""

    def __init__(self, text):
        self.text = unicodedata.normalize("NFC", text)
        plain, where = _normalise_mapped(self.text)
        self.words = []
        self.spans = []  # each word's (start, end) in self.text
        self.positions = defaultdict(list)  # word -> its indexes in self.words
        for match in WORD.finditer(plain):
            self.positions[match.group().casefold()].append(len(self.words))
            self.words.append(match.group().casefold())
            self.spans.append((where[match.start()], where[match.end() - 1] + 1))

    def passage(self, start, end):
        """The source's own text of words ``start`` to ``end`` (exclusive)."""
        if start >= end:
            return ""
        return self.text[self.spans[start][0] : self.spans[end - 1][1]]


@dataclass(frozen=True)
class Check:
    """The result of checking one quotation.

    ``closest`` is the source passage the quotation was found in (or is nearest to);
    ``ops`` a word diff, quotation against that passage, as ``(op, text)`` pairs (see
    ``EQUAL`` …); ``diff`` the same in words: ``[-source words-]`` the quotation lacks,
    ``{+quotation words+}`` the source lacks; "" when nothing differs. ``similarity`` is
    difflib's ratio over words, 1.0 when verified. ``note`` explains what a diff cannot
    show (parts out of order).
    """

    status: str
    closest: str = ""
    diff: str = ""
    ops: list = field(default_factory=list)
    similarity: float = 1.0
    note: str = ""


@dataclass(frozen=True)
class _Item:
    """One word of a quotation: a literal, a pattern (bracket in a word) or a wildcard."""

    key: str  # casefolded word; the pattern's text; "" for a wildcard
    pattern: re.Pattern | None
    span: tuple  # in the quotation's text

    @property
    def wild(self):
        return self.key == ""

    def matches(self, word):
        if self.pattern is not None:
            return self.pattern.fullmatch(word) is not None
        return self.key == word


def _parse_quotation(text):
    """The quotation's parts (split at elisions), each a list of ``_Item``."""
    plain, where = _normalise_mapped(text)
    bounds, start = [], 0
    for mark in ELISION_MARK.finditer(plain):
        bounds.append((start, mark.start()))
        start = mark.end()
    bounds.append((start, len(plain)))
    parts = []
    for begin, end in bounds:
        items = []
        for match in QUOTE_TOKEN.finditer(plain, begin, end):
            token = match.group()
            span = (where[match.start()], where[match.end() - 1] + 1)
            pieces = BRACKET.split(token)
            if len(pieces) == 1:
                items.append(_Item(token.casefold(), None, span))
            elif not "".join(pieces):
                items.append(_Item("", None, span))
            else:
                regex = r"\w*".join(re.escape(piece.casefold()) for piece in pieces)
                items.append(_Item(token.casefold(), re.compile(regex), span))
        # A wildcard at either end of a part may match nothing: nothing to look for.
        while items and items[0].wild:
            items.pop(0)
        while items and items[-1].wild:
            items.pop()
        if items:
            parts.append(items)
    return parts


def _match_at(items, words, index, pos):
    """Where a match of ``items[index:]`` starting at word ``pos`` ends, or None."""
    while index < len(items):
        item = items[index]
        if item.wild:
            for skip in range(MAX_BRACKET_WORDS + 1):
                end = _match_at(items, words, index + 1, pos + skip)
                if end is not None:
                    return end
            return None
        if pos >= len(words) or not item.matches(words[pos]):
            return None
        index += 1
        pos += 1
    return pos


def _find(items, source, start_from=0):
    """The first (start, end) at or after word ``start_from`` where ``items`` match."""
    first = items[0]
    if first.pattern is None:
        positions = source.positions.get(first.key, [])
        candidates = positions[bisect_left(positions, start_from) :]
    else:
        candidates = range(start_from, len(source.words))
    for pos in candidates:
        end = _match_at(items, source.words, 0, pos)
        if end is not None:
            return pos, end
    return None


def check(quotation, source):
    """Check ``quotation`` against ``source`` (text, or a ``SourceText`` to reuse)."""
    if not isinstance(source, SourceText):
        source = SourceText(source)
    text = unicodedata.normalize("NFC", quotation)
    parts = _parse_quotation(text)
    if not parts:
        return Check(DIFFERS, note="The quotation has no words to check.", similarity=0.0)

    found, start_from = [], 0
    for items in parts:
        where = _find(items, source, start_from)
        found.append(where)
        if where is not None:
            start_from = where[1]
    if all(where is not None for where in found):
        ops = []
        for items in parts:
            if ops:
                ops.append((ELISION, "…"))
            ops.append((EQUAL, _quote_text(text, items)))
        return Check(VERIFIED, closest=_verified_passage(source, found), ops=ops)
    return _differs(text, parts, source)


def check_all(quotations, source_text):
    """``check()`` for each quotation of one source, indexing the source once."""
    source = SourceText(source_text)
    return [check(quotation, source) for quotation in quotations]


def _verified_passage(source, found):
    start, end = found[0][0], found[-1][1]
    if end - start <= MAX_PASSAGE_WORDS:
        return source.passage(start, end)
    return " … ".join(source.passage(a, b) for a, b in found)


def _differs(text, parts, source):
    """The diff of a quotation some part of which is not where it should be."""
    ops, passages, out_of_order = [], [], False
    same = size = 0  # difflib's ratio over all parts: 2 * same / size
    start_from = 0
    for items in parts:
        if ops:
            ops.append((ELISION, "…"))
        where = _find(items, source, start_from)
        if where is None:
            where = _find(items, source)
            out_of_order = out_of_order or where is not None
        if where is not None:
            start_from = max(start_from, where[1])
            ops.append((EQUAL, _quote_text(text, items)))
            passages.append(source.passage(*where))
            same += len(items)
            size += 2 * len(items)
            continue
        window = _closest(text, items, source)
        if window is None:
            ops.append((INSERT, _quote_text(text, items)))
            size += len(items)
            continue
        begin, end, part_ops, common = window
        ops.extend(part_ops)
        passages.append(source.passage(begin, end))
        same += common
        size += len(items) + end - begin
        if begin >= start_from:
            start_from = end
    ops = _merge(ops)
    note = ""
    if out_of_order:
        note = "Each quoted part is in the source, but not in this order."
    return Check(
        DIFFERS,
        closest=" … ".join(passages),
        diff=_render(ops),
        ops=ops,
        similarity=round(2 * same / size, 3),
        note=note,
    )


def _closest(text, items, source):
    """The source window most like ``items``: (start, end, ops, words in common), or None.

    Votes first (see the module's docstring), then difflib on the best windows.
    """
    votes = _votes(items, source, rare_only=True) or _votes(items, source, rare_only=False)
    if not votes:
        return None
    best = None
    slack = max(3, len(items) // 4)
    for start, _score in sorted(votes.items(), key=lambda kv: -kv[1])[:CANDIDATE_WINDOWS]:
        lo = max(0, start - slack)
        hi = min(len(source.words), start + len(items) + slack)
        keys = _item_keys(items, source.words[lo:hi])
        matcher = SequenceMatcher(None, source.words[lo:hi], keys, autojunk=False)
        same = sum(block.size for block in matcher.get_matching_blocks())
        if best is None or same > best[0]:
            best = (same, lo, hi, keys)
    same, lo, hi, keys = best
    if same == 0:
        return None
    # Trim the window to the matched words, keeping as many source words at each end as
    # the quotation has unmatched there (so a changed first word shows as a change).
    matcher = SequenceMatcher(None, source.words[lo:hi], keys, autojunk=False)
    blocks = [block for block in matcher.get_matching_blocks() if block.size]
    first, last = blocks[0], blocks[-1]
    begin = max(0, first.a - first.b)
    end = min(hi - lo, last.a + last.size + (len(keys) - last.b - last.size))
    words = source.words[lo + begin : lo + end]
    matcher = SequenceMatcher(None, words, keys, autojunk=False)
    ops = []
    for tag, a1, a2, b1, b2 in matcher.get_opcodes():
        quoted = items[b1:b2]
        if tag == "equal" or (
            quoted
            and all(item.wild for item in quoted)
            and a2 - a1 <= MAX_BRACKET_WORDS * len(quoted)
        ):
            ops.append((EQUAL, _quote_text(text, items, b1, b2)))
            continue
        if a2 > a1:
            ops.append((DELETE, source.passage(lo + begin + a1, lo + begin + a2)))
        if b2 > b1:
            ops.append((INSERT, _quote_text(text, items, b1, b2)))
    return lo + begin, lo + end, ops, same


def _votes(items, source, rare_only):
    votes = defaultdict(float)
    for offset, item in enumerate(items):
        if not item.wild and item.pattern is None:
            positions = source.positions.get(item.key, ())
            if positions and (not rare_only or len(positions) <= COMMON_WORD):
                weight = 1 / len(positions)
                for pos in positions:
                    votes[pos - offset] += weight
    return votes


def _item_keys(items, words):
    """What SequenceMatcher compares: literal words; a pattern as the first word of the
    window it matches; a wildcard as a key no word has."""
    keys = []
    for item in items:
        if item.wild:
            keys.append("\x00")
        elif item.pattern is not None:
            keys.append(next((w for w in words if item.matches(w)), item.key))
        else:
            keys.append(item.key)
    return keys


def _quote_text(text, items, start=0, end=None):
    """The quotation's own text of ``items[start:end]``, punctuation within included."""
    end = len(items) if end is None else end
    return text[items[start].span[0] : items[end - 1].span[1]]


def _merge(ops):
    """Join neighbouring operations of one kind."""
    merged = []
    for op, words in ops:
        if merged and merged[-1][0] == op and op != ELISION:
            merged[-1] = (op, f"{merged[-1][1]} {words}")
        else:
            merged.append((op, words))
    return merged


def _render(ops):
    """``ops`` as one line: ``[-source-]``, ``{+quotation+}``, `` … `` for elisions."""
    shown = {EQUAL: "{}", DELETE: "[-{}-]", INSERT: "{{+{}+}}", ELISION: "{}"}
    return " ".join(shown[op].format(words) for op, words in ops)
