"""Markdown to sanitized HTML, rendered once when content is saved.

Markdown is CommonMark (markdown-it-py); the HTML it yields passes through nh3 with an
allow-list, so what is stored is safe to serve as it is.

A blockquote whose last line is an attribution becomes a quotation::

    > The council approved the plan on Tuesday.
    > — The Daily Example, "Council approves plan", https://example.com/plan

renders as ``<blockquote cite="https://example.com/plan">…<footer>— <cite>…</cite></footer>``
and the parsed attribution is returned beside the HTML.
"""

import re
from dataclasses import asdict, dataclass
from html import escape, unescape

import nh3
from markdown_it import MarkdownIt
from markdown_it.rules_core.smartquotes import process_inlines
from markdown_it.token import Token

from rejoinder.core.text import CONTROL_CHARACTERS

# Dashes a writer may start an attribution line with: em dash, horizontal bar, two hyphens.
ATTRIBUTION_LINE = re.compile(r"^\s*(?:—|―|--)\s*(?P<text>\S.*)$")
URL_AT_END = re.compile(r"(?:^|[\s,])(?P<url>https?://\S+)\s*$")
QUOTED_TITLE = re.compile(r"[\"“](?P<title>[^\"”]+)[\"”]")

EDITOR_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "cite", "code", "dd", "del", "details", "dl", "dt",
    "em", "figcaption", "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i",
    "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "samp", "small", "span",
    "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "time",
    "tr", "u", "ul",
}  # fmt: skip
EDITOR_ATTRIBUTES = {
    "a": {"href", "title", "hreflang"},
    "abbr": {"title"},
    "blockquote": {"cite"},
    "q": {"cite"},
    "img": {"src", "alt", "title", "width", "height", "loading"},
    "ol": {"start", "reversed"},
    "td": {"colspan", "rowspan", "align"},
    "th": {"colspan", "rowspan", "align", "scope"},
    "time": {"datetime"},
    # Every allow-list names its attributes in full: without a "*" entry nh3 keeps
    # ``title`` and ``lang`` on every element (ammonia's generic attributes).
    "*": {"lang", "title"},
}
# No element keeps a class: the site's style sheet gives classes layout (``quote-button``
# is position: fixed), and the classes of the article's own markup (``quote-footer``,
# ``passage-link`` …) are added by ``quotations`` after sanitizing. Language and title
# are allowed on every element of an article (quoting another language), nothing else.
URL_SCHEMES = {"http", "https", "mailto"}


@dataclass(frozen=True)
class Attribution:
    """Who said a quoted passage: the parsed last line of a blockquote."""

    text: str
    publisher: str
    title: str
    url: str

    def as_dict(self):
        return asdict(self)


@dataclass(frozen=True)
class Rendered:
    html: str
    attributions: list


def parse_attribution(line):
    """Split ``— Publisher, "Title", https://url`` into its parts, or return None."""
    match = ATTRIBUTION_LINE.match(line)
    if not match:
        return None
    text = match["text"].strip()
    rest = text
    url = ""
    url_match = URL_AT_END.search(rest)
    if url_match:
        url = url_match["url"].rstrip(".,;)")
        rest = rest[: url_match.start("url")]
    title = ""
    title_match = QUOTED_TITLE.search(rest)
    if title_match:
        title = title_match["title"].strip()
        rest = rest[: title_match.start()] + rest[title_match.end() :]
    publisher = rest.strip().strip(",").strip()
    publisher = re.sub(r"\s*,\s*,\s*", ", ", publisher).strip(", ")
    return Attribution(text=text, publisher=publisher, title=title, url=url)


def attribution_html(attribution):
    label = escape(attribution.publisher)
    if attribution.title:
        title = escape(attribution.title)
        if attribution.url:
            title = f'<a href="{escape(attribution.url)}">{title}</a>'
        label = f"{label}, “{title}”" if label else f"“{title}”"
    elif attribution.url:
        label = f'<a href="{escape(attribution.url)}">{label or escape(attribution.url)}</a>'
    return f"<footer>— <cite>{label}</cite></footer>\n"


def _attribution_rule(state):
    """Turn the last line of each blockquote into its attribution (a core rule).

    Runs after block parsing and before inline parsing, so it edits the raw text of the
    quote's last paragraph and the rest of the pipeline never sees the attribution line.
    """
    tokens = state.tokens
    found = state.env.setdefault("attributions", [])
    openers = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token.type == "blockquote_open":
            openers.append(index)
        elif token.type == "blockquote_close" and openers:
            start = openers.pop()
            inserted = _attach_attribution(tokens, start, index, found)
            index += inserted
        index += 1


def _attach_attribution(tokens, start, end, found):
    # The last inline token directly inside this blockquote (one nesting level down).
    level = tokens[start].level + 2
    inline_index = None
    for position in range(end - 1, start, -1):
        token = tokens[position]
        if token.type == "inline" and token.level == level:
            inline_index = position
            break
        if token.type not in {"paragraph_close"}:
            return 0
    if inline_index is None:
        return 0
    inline = tokens[inline_index]
    lines = inline.content.split("\n")
    attribution = parse_attribution(lines[-1])
    if attribution is None:
        return 0
    inline.content = "\n".join(lines[:-1])
    removed = 0
    if not inline.content.strip():
        # The attribution was a paragraph of its own: drop the empty paragraph.
        del tokens[inline_index - 1 : inline_index + 2]
        removed = 3
        end -= 3
    if attribution.url:
        tokens[start].attrSet("cite", attribution.url)
    footer = Token("html_block", "", 0)
    footer.content = attribution_html(attribution)
    footer.block = True
    tokens.insert(end, footer)
    found.append(attribution)
    return 1 - removed


# markdown-it's smart quotes rebuild a block's text for every quote mark they turn, so a
# block of n quote marks costs n times its length: 20,000 characters of ' and " took a
# second. Past this many quote marks a block keeps its straight quotes (no real
# paragraph has 200), which bounds the work at this many passes over the text.
SMARTQUOTES_LIMIT = 200


def _bounded_smartquotes(state):
    """markdown-it's "smartquotes" core rule for blocks of at most ``SMARTQUOTES_LIMIT``
    quote marks; busier blocks keep their straight quotes."""
    for token in state.tokens:
        if token.type != "inline" or not token.children:
            continue
        marks = token.content.count("'") + token.content.count('"')
        if 0 < marks <= SMARTQUOTES_LIMIT:
            process_inlines(token.children, state)


def _typographer(md):
    """Curly quotes and dashes, as WordPress's wptexturize makes them, in linear time."""
    md.enable(["replacements", "smartquotes"])
    md.core.ruler.at("smartquotes", _bounded_smartquotes)


def _editor_markdown():
    # Typographer: straight quotes become curly ones, as WordPress's wptexturize does.
    md = MarkdownIt("commonmark", {"html": True, "linkify": False, "typographer": True})
    _typographer(md)
    md.enable("table")
    md.enable("strikethrough")
    md.core.ruler.after("block", "attribution", _attribution_rule)
    return md


_EDITOR = _editor_markdown()


# Cleaners are built once: nh3 compiles an allow-list, which per call costs more than
# cleaning a comment.
_EDITOR_CLEANER = nh3.Cleaner(
    tags=EDITOR_TAGS,
    attributes=EDITOR_ATTRIBUTES,
    url_schemes=URL_SCHEMES,
    link_rel="noopener",
)


def sanitize_editor_html(html):
    """Clean HTML written by an editor: the tags of an article, no script, no style."""
    return xml_safe(_EDITOR_CLEANER.clean(html))


def xml_safe(html):
    """``html`` with what XML 1.0 cannot carry shown as U+FFFD, as CommonMark shows it.

    A character reference in HTML (``&#1;``, ``&#xFFFF;``) is decoded by the sanitizer
    into the character itself, which would break every feed and export holding it.
    Markdown already makes these U+FFFD; imported and raw HTML now do too.
    """
    return CONTROL_CHARACTERS.sub("\ufffd", html)


def render_post_html(source):
    """Render HTML imported from WordPress: its automatic paragraphs, then the allow-list."""
    from .wpautop import wpautop

    return Rendered(html=sanitize_editor_html(wpautop(source or "")), attributions=[])


def render_post_markdown(source):
    """Render an editor's Markdown to sanitized HTML plus the attributions it found."""
    env = {}
    html = _EDITOR.render(source or "", env)
    return Rendered(html=sanitize_editor_html(html), attributions=env.get("attributions", []))


COMMENT_TAGS = {"p", "br", "em", "strong", "a", "code", "pre", "blockquote", "ul", "ol", "li"}


def _comment_markdown():
    # A reader's subset: emphasis, links, code, quotes, lists. No raw HTML, no images,
    # no headings, no tables: a comment cannot dress up as the post.
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": True})
    _typographer(md)
    md.disable(["image", "heading", "lheading", "hr", "html_block", "html_inline"])
    return md


_COMMENT = _comment_markdown()


# Imported comments may also carry the inline tags WordPress lets commenters use (kses).
# Comments keep no attribute on every element ("*": nh3 would keep title and lang).
_IMPORTED_COMMENT_CLEANER = nh3.Cleaner(
    tags=COMMENT_TAGS | {"b", "i", "s", "del", "cite", "q", "abbr"},
    attributes={"a": {"href"}, "ol": {"start"}, "q": {"cite"}, "abbr": {"title"}, "*": set()},
    url_schemes=URL_SCHEMES,
    link_rel="nofollow ugc noopener",
)
_COMMENT_CLEANER = nh3.Cleaner(
    tags=COMMENT_TAGS,
    attributes={"a": {"href"}, "ol": {"start"}, "*": set()},
    url_schemes=URL_SCHEMES,
    link_rel="nofollow ugc noopener",
)
_TEXT_CLEANER = nh3.Cleaner(tags=set(), attributes={"*": set()})


def sanitize_comment_html(html):
    """Clean a comment's HTML (imported ones): the reader's tags, links nofollow ugc."""
    return xml_safe(_IMPORTED_COMMENT_CLEANER.clean(html))


def render_comment_markdown(source):
    """Render a reader's Markdown to sanitized HTML; links get rel="nofollow ugc"."""
    return xml_safe(_COMMENT_CLEANER.clean(_COMMENT.render(source or "")))


def html_to_text(html):
    """Plain text of sanitized HTML, for search and excerpts."""
    text = _TEXT_CLEANER.clean(html)
    return xml_safe(re.sub(r"\s+", " ", unescape(text)).strip())


def hidden_control_characters(html):
    """How many characters XML 1.0 cannot carry ``html`` holds once its character
    references are read (``&#1;``): the sanitizer shows each as U+FFFD. For importers,
    which say so in their report."""
    return len(CONTROL_CHARACTERS.findall(_TEXT_CLEANER.clean(html or "")))
