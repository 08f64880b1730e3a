"""WordPress's automatic paragraphs (``wpautop``), for content imported from WordPress.

A port of the rules of ``wpautop()`` in ``wp-includes/formatting.php``: a blank line ends a
paragraph, each chunk that is not a block element is wrapped in ``<p>``, block-level tags
are never wrapped, ``<pre>`` is left alone, and the remaining single newlines become
``<br />`` (``br=True``), except next to block tags. Content written with the block editor
(``<!-- wp:`` comments) is returned unchanged, as WordPress itself skips wpautop for it.
"""

import re

BLOCKS = (
    "table|thead|tfoot|caption|col|colgroup|tbody|tr|td|th|div|dl|dd|dt|ul|ol|li|pre|form|map|"
    "area|blockquote|address|math|style|p|h[1-6]|hr|fieldset|legend|section|article|aside|"
    "hgroup|header|footer|nav|figure|figcaption|details|menu|summary"
)
OPEN_BLOCK = re.compile(rf"(<(?:{BLOCKS})[\s/>])", re.IGNORECASE)
CLOSE_BLOCK = re.compile(rf"(</(?:{BLOCKS})>)", re.IGNORECASE)
PRE = re.compile(r"<pre[\s>].*?</pre>", re.IGNORECASE | re.DOTALL)
BR_PAIR = re.compile(r"<br\s*/?>\s*<br\s*/?>", re.IGNORECASE)
EMPTY_P = re.compile(r"<p>\s*</p>")
P_AROUND_BLOCK_OPEN = re.compile(rf"<p>\s*(</?(?:{BLOCKS})[^>]*>)", re.IGNORECASE)
P_AROUND_BLOCK_CLOSE = re.compile(rf"(</?(?:{BLOCKS})[^>]*>)\s*</p>", re.IGNORECASE)
P_AROUND_LONE_BLOCK = re.compile(rf"<p>\s*(</?(?:{BLOCKS})[^>]*>)\s*</p>", re.IGNORECASE)
P_AROUND_LI = re.compile(r"<p>(<li.+?)</p>", re.IGNORECASE)
P_BEFORE_BLOCKQUOTE = re.compile(r"<p><blockquote([^>]*)>", re.IGNORECASE)
BR_AFTER_BLOCK = re.compile(rf"(</?(?:{BLOCKS})[^>]*>)\s*<br />", re.IGNORECASE)
BR_BEFORE_BLOCK = re.compile(
    r"<br />(\s*</?(?:p|li|div|dl|dd|dt|th|pre|td|ul|ol)[^>]*>)", re.IGNORECASE
)
TAG = re.compile(r"<[^>]*>")


def wpautop(text, br=True):
    if "<!-- wp:" in text:
        return text
    if not text.strip():
        return ""
    if "\n" not in text and "\r" not in text and not OPEN_BLOCK.search(text):
        # One line without block elements (most comments): one paragraph.
        return f"<p>{text.strip()}</p>\n"
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    # Keep <pre> blocks out of reach, as WordPress does.
    kept = {}

    def keep(match):
        key = f"<pre wp-pre-tag-{len(kept)}></pre>"
        kept[key] = match.group(0)
        return key

    text = PRE.sub(keep, text) + "\n"
    text = BR_PAIR.sub("\n\n", text)
    text = OPEN_BLOCK.sub(r"\n\n\1", text)
    text = CLOSE_BLOCK.sub(r"\1\n\n", text)
    text = re.sub(r"\n\n+", "\n\n", text)
    chunks = [chunk for chunk in re.split(r"\n\s*\n", text) if chunk.strip()]
    text = "".join(f"<p>{chunk.strip()}</p>\n" for chunk in chunks)
    text = EMPTY_P.sub("", text)
    text = P_AROUND_LONE_BLOCK.sub(r"\1", text)
    text = P_AROUND_LI.sub(r"\1", text)
    text = P_BEFORE_BLOCKQUOTE.sub(r"<blockquote\1><p>", text)
    text = re.sub(r"</blockquote></p>", "</p></blockquote>", text, flags=re.IGNORECASE)
    text = P_AROUND_BLOCK_OPEN.sub(r"\1", text)
    text = P_AROUND_BLOCK_CLOSE.sub(r"\1", text)
    if br:
        text = _newlines_to_br(text)
    text = BR_AFTER_BLOCK.sub(r"\1", text)
    text = BR_BEFORE_BLOCK.sub(r"\1", text)
    text = re.sub(r"\n</p>$", "</p>", text)
    for key, block in kept.items():
        text = text.replace(key, block)
    return text


def _newlines_to_br(text):
    """Single newlines inside paragraphs become <br />; not inside tags, nor after a <br>."""
    out = []
    position = 0
    for match in TAG.finditer(text):
        out.append(_br(text[position : match.start()]))
        out.append(match.group(0).replace("\n", " ") if "\n" in match.group(0) else match.group(0))
        position = match.end()
    out.append(_br(text[position:]))
    return "".join(out)


def _br(segment):
    return re.sub(r"(?<!<br />)\s*\n(?!$)", "<br />\n", segment)
