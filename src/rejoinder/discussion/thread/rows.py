"""The one thread row: the fields a displayed comment needs, and how they are read.

``Node`` is the definition. Its database fields are read from ``Comment`` by these names,
in this order, by ``fetch()`` (the whole thread in one query, through the driver) and by
``from_comment()`` (a comment just saved); the tree, the renderer and the API read them by
name. Adding a displayed field is a line here (and the model's field, and whoever shows it).

Values are converted by the model field's type, once per column, never by column name:
every ``DateTimeField`` is made aware (SQLite's driver gives naive UTC), and, for nodes
that will be printed as HTML (``escaped=True``), every text field is HTML-escaped, except
the one marked ``HTML`` (``body_html``, sanitized when the comment was saved). The
renderer takes only such nodes (``EscapedNode``), so its f-strings never see a raw value.
"""

import datetime
from dataclasses import dataclass, field, fields
from html import escape

from django.db import connection, models

from ..models import Comment
from .tree import in_display_order

HTML = {"html": True}  # field metadata: this value is HTML already (sanitized on save)


@dataclass(slots=True, eq=False)
class Node:
    """One displayed comment: its row, then where ``tree.build()`` placed it."""

    id: int
    parent_id: int | None
    depth: int
    status: str
    user_id: int | None
    author_name: str
    author_url: str
    created_at: datetime.datetime
    edited_at: datetime.datetime | None
    body_html: str = field(metadata=HTML)
    locked: bool
    removal_reason: str
    quoted_anchor: str
    edited_by_moderator: bool
    # Not read from the database: set by tree.build().
    children: list = field(init=False, default_factory=list)
    more: int = field(init=False, default=0)  # replies left out by a budget ("N more replies")
    in_reply_to: "Node | None" = field(init=False, default=None)  # parent, when capped beside it
    hidden_replies: int = field(init=False, default=0)  # all descendants: what collapsing hides
    level: int = field(init=False, default=0)  # display depth, 0 for top level

    escaped = False  # a class attribute, not a field: see EscapedNode


class EscapedNode(Node):
    """A node whose text fields are HTML-escaped: the only kind the renderer prints."""

    __slots__ = ()
    escaped = True


# The columns of a row, in the order queries return them.
FIELDS = tuple(f.name for f in fields(Node) if f.init)
SHAPE_FIELDS = ("id", "parent_id", "depth")


def _columns(kind):
    """Indexes of the row's columns whose model field is a ``kind``."""
    return tuple(
        index
        for index, name in enumerate(FIELDS)
        if isinstance(Comment._meta.get_field(name), kind)
    )


DATETIMES = _columns(models.DateTimeField)
TEXTS = tuple(
    index
    for index in _columns((models.CharField, models.TextField))
    if not fields(Node)[index].metadata.get("html")
)


def fetch(queryset, escaped=False):
    """The nodes of ``queryset``'s comments, in display order, read through the driver.

    Django's per-value converters cost as much as the query on a 10,000-comment thread,
    so the columns are converted here, a column at a time. The order comes from the parent
    links (``tree.in_display_order``), not from sorting paths in the database.
    """
    query = queryset.order_by().values_list(*FIELDS).query
    sql, params = query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = in_display_order(cursor.fetchall())
    return nodes(rows, escaped)


def nodes(rows, escaped=False):
    """``rows`` (tuples of ``FIELDS`` as a driver returns them) as nodes."""
    if not rows:
        return []
    columns = list(zip(*rows, strict=True))
    for index in DATETIMES:
        columns[index] = [_aware(value) for value in columns[index]]
    if escaped:
        for index in TEXTS:
            columns[index] = [escape(value) if value else value for value in columns[index]]
    make = EscapedNode if escaped else Node
    return [make(*row) for row in zip(*columns, strict=True)]


def _aware(value):
    # Stored in UTC: a driver that gives naive datetimes (SQLite's) gives them in UTC.
    return value.replace(tzinfo=datetime.UTC) if value and value.tzinfo is None else value


def from_comment(comment):
    """A saved comment as a (raw) node: its fields as a thread row would hold them."""
    return Node(*(getattr(comment, name) for name in FIELDS))
