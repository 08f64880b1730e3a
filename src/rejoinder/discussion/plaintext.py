"""A comment's sanitized HTML as plain text, for the text part of notification email.

Paragraphs stay paragraphs, ``<br>`` a line break, quotations get ``> ``, lists ``- `` and
``1. ``, links become ``text <address>`` and preformatted text keeps its spacing.
"""

from html.parser import HTMLParser

from rejoinder.core.numbers import whole_number


class _PlainText(HTMLParser):
    """A comment's sanitized HTML as plain text: paragraphs, "- " and "1. " lists,
    "> " quotations, links as "text <address>"."""

    BLOCKS = {"p", "pre", "blockquote", "ul", "ol", "li"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.blocks = []
        self.quote = 0
        self.lists = []  # per open list: None (bullets) or the next number
        self.list_ids = []
        self.pre = False
        self.links = []
        self._lists_seen = 0
        self._start_block()

    def _start_block(self, marker=""):
        self.current = {
            "list": self.list_ids[-1] if self.list_ids else None,
            "quote": self.quote,
            "indent": max(0, len(self.lists) - 1),
            "marker": marker,
            "pre": self.pre,
            "chunks": [],
        }
        self.blocks.append(self.current)

    def handle_starttag(self, tag, attrs):
        if tag == "blockquote":
            self.quote += 1
        elif tag == "pre":
            self.pre = True
        elif tag in ("ul", "ol"):
            start = dict(attrs).get("start") or "1"
            self.lists.append(None if tag == "ul" else _start(start))
            self._lists_seen += 1
            self.list_ids.append(self._lists_seen)
        if tag == "li":
            number = self.lists[-1] if self.lists else None
            if isinstance(number, int):
                self.lists[-1] += 1
                self._start_block(f"{number}. ")
            else:
                self._start_block("- ")
        elif tag in self.BLOCKS:
            self._start_block()
        elif tag == "br":
            self.current["chunks"].append("\n" if self.pre else "\x00")
        elif tag == "a":
            self.links.append(dict(attrs).get("href") or "")

    def handle_endtag(self, tag):
        if tag == "a" and self.links:
            href = self.links.pop()
            if href:
                self.current["chunks"].append(f" <{href}>")
        elif tag == "blockquote":
            self.quote = max(0, self.quote - 1)
        elif tag == "pre":
            self.pre = False
        elif tag in ("ul", "ol") and self.lists:
            self.lists.pop()
            self.list_ids.pop()
        if tag in self.BLOCKS:
            self._start_block()

    def handle_data(self, data):
        self.current["chunks"].append(data)

    def text(self):
        out = []
        for block in self.blocks:
            body = "".join(block["chunks"])
            if block["pre"]:
                lines = body.strip("\n").split("\n")
            else:
                lines = [" ".join(line.split()) for line in body.split("\x00")]
            if not any(line.strip() for line in lines):
                continue
            quote = "> " * block["quote"]
            indent = "  " * block["indent"]
            first = indent + block["marker"]
            rest = indent + " " * len(block["marker"])
            rendered = "\n".join(
                (quote + (first if i == 0 else rest) + line).rstrip()
                for i, line in enumerate(lines)
            )
            # Items of one list follow each other line by line; all else is a paragraph.
            item_of = block["list"] if block["marker"] else None
            tight = item_of is not None and bool(out) and out[-1][0] == item_of
            out.append((item_of, rendered, tight))
        return "".join(
            ("" if i == 0 else "\n" if tight else "\n\n") + text
            for i, (_list, text, tight) in enumerate(out)
        )


def html_to_plain_text(html):
    """The plain text of sanitized comment HTML, for the text part of an email."""
    parser = _PlainText()
    parser.feed(html or "")
    parser.close()
    return parser.text()


def _start(value):
    """An ``<ol start>`` as a number (1 when it is not one)."""
    number = whole_number(value, digits=9)
    return 1 if number is None else number
