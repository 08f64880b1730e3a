"""Full-text search over posts and pages: SQLite FTS5 or PostgreSQL full-text, ranked.

Each engine keeps its own index (an FTS5 table on SQLite, an expression GIN index on
PostgreSQL, both made by migration 0002). Which posts are public stays defined once, by
``Post.objects.published()``: the index finds and ranks, the queryset decides what shows.
"""

import re
from dataclasses import dataclass
from html import escape

from django.db import connection

from .models import Post

# Private-use characters mark the highlighted words, so the snippet can be escaped as
# plain text before the marks become <mark> elements.
MARK_START, MARK_END = "\ue000", "\ue001"
WORD = re.compile(r"\w+", re.UNICODE)
MAX_MATCHES = 1000
MAX_QUERY_LENGTH = 200
PG_DOCUMENT = "to_tsvector('english', title || ' ' || body_text)"


@dataclass
class Hit:
    post: Post
    snippet: str


def words_of(query):
    return WORD.findall(query[:MAX_QUERY_LENGTH])[:20]


def index_post(post):
    """Bring the post's entry in the search index up to date (SQLite; PostgreSQL needs none)."""
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM publishing_post_fts WHERE rowid = %s", [post.pk])
        cursor.execute(
            "INSERT INTO publishing_post_fts (rowid, title, body) VALUES (%s, %s, %s)",
            [post.pk, post.title, post.body_text],
        )


def unindex_post(post_id):
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM publishing_post_fts WHERE rowid = %s", [post_id])


def _ranked_ids(words):
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            # Each word quoted, so reader input is never FTS5 syntax; prefix-match the last.
            terms = " ".join('"{}"'.format(word.replace('"', '""')) for word in words)
            cursor.execute(
                "SELECT rowid FROM publishing_post_fts WHERE publishing_post_fts MATCH %s "
                "ORDER BY bm25(publishing_post_fts, 10.0, 1.0) LIMIT %s",
                [terms + "*", MAX_MATCHES],
            )
        else:
            cursor.execute(
                f"SELECT id FROM publishing_post WHERE {PG_DOCUMENT} @@ plainto_tsquery("
                f"'english', %s) ORDER BY ts_rank({PG_DOCUMENT}, plainto_tsquery('english', %s)) "
                "DESC LIMIT %s",
                [" ".join(words), " ".join(words), MAX_MATCHES],
            )
        return [row[0] for row in cursor.fetchall()]


def _snippets(ids, words):
    if not ids:
        return {}
    placeholders = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            terms = " ".join('"{}"'.format(word.replace('"', '""')) for word in words)
            cursor.execute(
                f"SELECT rowid, snippet(publishing_post_fts, 1, %s, %s, '…', 30) "
                f"FROM publishing_post_fts WHERE publishing_post_fts MATCH %s "
                f"AND rowid IN ({placeholders})",
                [MARK_START, MARK_END, terms + "*", *ids],
            )
        else:
            options = f"StartSel={MARK_START}, StopSel={MARK_END}, MaxFragments=2, MaxWords=30"
            cursor.execute(
                f"SELECT id, ts_headline('english', body_text, plainto_tsquery('english', %s), "
                f"%s) FROM publishing_post WHERE id IN ({placeholders})",
                [" ".join(words), options, *ids],
            )
        return {row[0]: row[1] for row in cursor.fetchall()}


def highlight(snippet):
    """Escape a snippet and turn its marks into ``<mark>`` elements."""
    return escape(snippet).replace(MARK_START, "<mark>").replace(MARK_END, "</mark>")


def search(query, queryset):
    """Return the ranked ids of the posts in ``queryset`` that match ``query``."""
    words = words_of(query)
    if not words:
        return []
    ranked = _ranked_ids(words)
    allowed = set(queryset.filter(pk__in=ranked).values_list("pk", flat=True))
    return [pk for pk in ranked if pk in allowed]


def hits_for(ids, query):
    """The posts for one page of results, in rank order, each with a highlighted snippet."""
    posts = Post.objects.in_bulk(ids)
    snippets = _snippets(ids, words_of(query))
    return [
        Hit(post=posts[pk], snippet=highlight(snippets.get(pk, posts[pk].summary())))
        for pk in ids
        if pk in posts
    ]
