"""HTML of a comment thread, written directly in Python.

A thread can hold 10,000 comments; Django's template engine costs tens of microseconds per
included template, which at that size is most of a second. This module writes the same
markup with ``html.escape`` and f-strings, so a whole big thread renders in tens of
milliseconds.

One boundary escapes every value printed: the nodes come escaped (``rows.EscapedNode``:
each text field of the row escaped once when the node was built, ``body_html`` sanitized
when the comment was saved), and every address is escaped once, when the renderer is made
(``locations.thread_addresses``, then filled in per comment with the comment's id). An
address is not always ours (a thread of another site's page is at the address a reader
sent), so none is printed unescaped. The f-strings below print only those values, fixed
text and numbers.

The markup is microformats2: each comment is a ``p-comment h-cite`` nested inside its
parent's element, with ``p-author h-card``, ``e-content``, ``dt-published``, ``u-url``
and ``u-in-reply-to``. A comment's replies are an ``<ol>`` of ``<li>`` inside its
``<details>``, so assistive technology announces each branch as a list and its nesting
level.
"""

import datetime
from dataclasses import dataclass
from html import escape

from django.conf import settings
from django.utils import timezone
from django.utils.safestring import mark_safe

from rejoinder.core.numbers import whole_number

from ..models import Comment
from . import locations


def _filler(template):
    """The escaped address of a comment, as a function of its id, from ``template`` (an
    address holding ``locations.SENTINEL`` where the id goes)."""
    head, tail = (escape(part) for part in template.split(str(locations.SENTINEL)))
    return lambda comment_id: f"{head}{comment_id}{tail}"


@dataclass
class Viewer:
    """Who is looking: decides the Edit links (``comments.can_modify``'s rule)."""

    user_id: int | None = None
    # Edits every comment of the post shown (``comments.moderates``).
    moderates: bool = False
    owned: frozenset = frozenset()

    @property
    def is_plain(self):
        """Sees what every anonymous reader sees: no Edit link anywhere."""
        return self.user_id is None and not self.owned


class ThreadRenderer:
    def __init__(self, post, viewer, comments_open):
        self.post = post
        self.viewer = viewer
        self.comments_open = comments_open
        # Every address escaped once, here, for printing into attributes as it is.
        addresses = locations.thread_addresses(post)
        self.post_url = escape(self.absolute(addresses.post))
        self.reply_url = _filler(self.absolute(addresses.reply))
        self.edit_url = _filler(self.absolute(addresses.edit))
        self.page_url = _filler(self.absolute(addresses.comment))
        self.max_depth = settings.MAX_REPLY_DEPTH  # read once, not once per comment
        self.zone = timezone.get_current_timezone()
        self._days = {}
        self.edit_cutoff = timezone.now() - datetime.timedelta(
            minutes=settings.COMMENT_EDIT_MINUTES
        )

    def absolute(self, url):
        """The address to print for ``url`` (a path of this site, or another site's
        address): as it is on this site's own pages."""
        return url

    def render(self, roots):
        """The trees' HTML, safe to print: built from escaped values only.

        ``roots`` must be escaped nodes (``rows.fetch(..., escaped=True)``), else TypeError.
        """
        self.on_page = _names(roots)
        parts = []
        for root in roots:
            self._node(root, parts)
        return mark_safe("".join(parts))  # built from escaped parts only

    def _node(self, node, out, locked=False):
        # Iterative over children would complicate the nesting; depth is capped (<= 20).
        # ``locked``: a moderator closed replies on this branch (here or above).
        if not node.escaped:
            raise TypeError(
                "The renderer prints escaped nodes only: read them with "
                "rows.fetch(queryset, escaped=True) (pages.post_thread(..., escaped=True))."
            )
        comment_id = node.id
        locked = locked or node.locked
        if node.status == Comment.Status.REMOVED:
            notice = (
                f"Removed by a moderator: {node.removal_reason}"
                if node.removal_reason
                else "Comment deleted."
            )
            out.append(
                f'<article class="comment p-comment h-cite tombstone" id="comment-{comment_id}">'
                f'<div class="comment-body"><p class="deleted">{notice}</p></div>'
            )
        else:
            extra = " by-author" if self._by_author(node) else ""
            out.append(
                f'<article class="comment p-comment h-cite{extra}" id="comment-{comment_id}">'
                '<div class="comment-body">'
            )
            name = node.author_name
            self._header(node, out, name)
            if node.quoted_anchor:
                self._quoting(node.quoted_anchor, out)
            out.append(f'<div class="e-content">{node.body_html}</div>')
            self._actions(node, out, name, locked, node.locked)
            out.append("</div>")
        if node.children:
            count = node.hidden_replies
            label = "reply" if count == 1 else "replies"
            out.append(
                '<details class="replies" open><summary>'
                f'<span class="when-open">Hide</span><span class="when-closed">Show</span> '
                f"{count} {label}</summary><ol>"
            )
            for child in node.children:
                out.append("<li>")
                self._node(child, out, locked)
                out.append("</li>")
            out.append("</ol>")
            self._more(node, out)
            out.append("</details>")
        else:
            self._more(node, out)
        out.append("</article>")

    def _by_author(self, node):
        return node.user_id is not None and node.user_id == self.post.author_id

    def _header(self, node, out, name):
        # Forms and importers only store http(s) addresses; checked again where it is printed.
        if node.author_url and node.author_url.startswith(("https://", "http://")):
            author = (
                f'<a class="p-name u-url" href="{node.author_url}" rel="nofollow ugc">{name}</a>'
            )
        else:
            author = f'<span class="p-name">{name}</span>'
        badge = ' <span class="badge">Author</span>' if self._by_author(node) else ""
        local = node.created_at.astimezone(self.zone)
        edited = (
            ""
            if not node.edited_at
            else ' <span class="edited">(edited by a moderator)</span>'
            if node.edited_by_moderator
            else ' <span class="edited">(edited)</span>'
        )
        # Addresses inside the thread are fragments (#comment-N): microformats parsers
        # resolve them against the page, and a 10,000-comment page is 10% smaller.
        out.append(
            f'<header class="comment-meta"><span class="p-author h-card">{author}</span>{badge} '
            f'<a class="u-url comment-time" href="#comment-{node.id}">'
            f'<time class="dt-published" datetime="{local.isoformat(timespec="seconds")}">'
            f"{self._day(local)} at {local.hour:02d}:{local.minute:02d}</time></a>{edited}</header>"
        )
        parent = node.in_reply_to
        if parent is not None:
            out.append(
                f'<p class="in-reply-to">in reply to <a class="u-in-reply-to" '
                f'href="#comment-{parent.id}">{parent.author_name}</a></p>'
            )
        elif node.parent_id:
            # On a comment's own page the first comment's parent is not on the page.
            base = self.post_url if node.level == 0 else ""
            out.append(
                f'<data class="u-in-reply-to" value="{base}#comment-{node.parent_id}"></data>'
            )
        else:
            out.append(f'<data class="u-in-reply-to" value="{self.post_url}"></data>')

    def _quoting(self, anchor, out):
        """ "quoting <the post / a comment by Ann>", linking the paragraph or comment."""
        kind, _, number = anchor.partition("-")
        if whole_number(number) is None or kind not in ("p", "quotation", "comment"):
            return
        if kind != "comment":
            # The post's own page: a comment's page does not show the post.
            href, what = f"{self.post_url}#{kind}-{number}", "the post"
        elif int(number) in self.on_page:
            name = self.on_page[int(number)]
            href = f"#comment-{number}"
            what = f"a comment by {name}" if name else "an earlier comment"
        else:
            href, what = self.page_url(number), "an earlier comment"
        # ``href`` is made of escaped addresses, a fixed kind and ASCII digits.
        out.append(f'<p class="quoting">quoting <a href="{href}">{what}</a></p>')

    def _day(self, local):
        """ "October 6, 2026", formatted once per day seen rather than once per comment."""
        key = (local.year, local.month, local.day)
        text = self._days.get(key)
        if text is None:
            text = self._days[key] = f"{local:%B} {local.day}, {local.year}"
        return text

    def _actions(self, node, out, name, locked, closed_here):
        links = []
        if closed_here:
            links.append('<span class="replies-closed">Replies closed by a moderator</span>')
        elif locked:
            pass
        elif (
            self.comments_open
            and node.status == Comment.Status.APPROVED
            and node.depth < self.max_depth  # as deep as replies go
        ):
            links.append(
                f'<a class="reply-link" href="{self.reply_url(node.id)}" '
                f'aria-label="Reply to {name}" data-comment="{node.id}">'
                "Reply</a>"
            )
        if self._may_edit(node):
            links.append(f'<a class="edit-link" href="{self.edit_url(node.id)}">Edit</a>')
        if links:
            out.append(f'<footer class="comment-actions">{" ".join(links)}</footer>')

    def _may_edit(self, node):
        # comments.can_modify() for a thread's rows: the same rule, with the cut-off taken
        # once per page instead of once per comment.
        viewer = self.viewer
        if viewer.moderates:
            return True
        if node.created_at < self.edit_cutoff:
            return False
        if node.user_id is not None:
            return node.user_id == viewer.user_id
        return node.id in viewer.owned

    def _more(self, node, out):
        if node.more:
            label = "more reply" if node.more == 1 else "more replies"
            out.append(
                f'<p class="more-replies"><a href="{self.page_url(node.id)}">'
                f"{node.more} {label}</a></p>"
            )


def _names(roots):
    """Every comment of the trees by id: its author's name, or None for a tombstone."""
    names = {}
    stack = list(roots)
    while stack:
        node = stack.pop()
        names[node.id] = None if node.status == Comment.Status.REMOVED else node.author_name
        stack.extend(node.children)
    return names
