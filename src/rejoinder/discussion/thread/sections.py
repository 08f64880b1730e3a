"""The thread part of a post's comment section, cached for readers who see the common view.

Most readers see exactly the same thread: not signed in, no comment of theirs still
editable. Their HTML is cached under a key holding the post's ``comments_changed_at``
(moved by every comment change, in the database, so every server process sees it) and
everything else the HTML depends on, the code that writes it included: a digest of the
source of the row definition, the tree, the page selection, the addresses and the
renderer, so a deploy that changes the markup never serves thread HTML cached before
it. Anyone else gets a fresh render.
"""

import hashlib
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.cache import cache

from . import locations, pages, render, rows, tree

CACHE_SECONDS = 24 * 3600


def source_digest(modules):
    """A digest of the modules' source files: the same in every process running this code."""
    digest = hashlib.sha256()
    for module in modules:
        digest.update(Path(module.__file__).read_bytes())
    return digest.hexdigest()[:12]


# What the thread's HTML is made by; read once per process.
MARKUP = source_digest((rows, tree, pages, locations, render))


@dataclass
class Section(pages.Paging):
    html: str
    number: int
    num_pages: int


def thread_section(post, page, viewer, is_open):
    """The rendered thread page ``page`` of ``post`` for ``viewer``, or None past the end."""
    key = _cache_key(post, page, is_open) if viewer.is_plain else None
    if key is not None:
        cached = cache.get(key)
        if cached is not None:
            return cached
    thread_page = pages.post_thread(post, page, escaped=True)
    if thread_page is None:
        return None
    html = render.ThreadRenderer(post, viewer, is_open).render(thread_page.roots)
    section = Section(html=html, number=thread_page.number, num_pages=thread_page.num_pages)
    if key is not None:
        cache.set(key, section, CACHE_SECONDS)
    return section


def _cache_key(post, page, is_open):
    changed = post.comments_changed_at.timestamp() if post.comments_changed_at else 0
    # Everything else the HTML depends on, spelled out: the key must be the same in every
    # process sharing the cache (Python's hash() of a string is not).
    shape = ":".join(
        map(
            str,
            (
                settings.THREAD_DEPTH,
                settings.COMMENTS_PAGE_THRESHOLD,
                settings.COMMENT_THREADS_PER_PAGE,
                int(is_open),
                page,
                post.author_id,  # the "Author" badges
            ),
        )
    )
    digest = hashlib.sha1(post.get_absolute_url().encode(), usedforsecurity=False).hexdigest()
    return f"rejoinder:thread:{MARKUP}:{post.pk}:{changed}:{shape}:{digest[:12]}"
