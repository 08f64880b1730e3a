"""The thread part of a post's comment section, cached for readers who see the common view.

Most readers see exactly the same thread: not signed in, no comment of theirs still
editable. Their HTML is cached under a key holding the post's ``comments_changed_at``
(moved by every comment change, in the database, so every server process sees it) and
everything else the HTML depends on. Anyone else gets a fresh render.
"""

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

from . import threads
from .render import ThreadRenderer

CACHE_SECONDS = 24 * 3600
MARKUP = 2  # moved when render.py's markup changes: threads cached before are not reused


@dataclass
class Section(threads.Paging):
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
    thread_page = threads.post_thread(post, page)
    if thread_page is None:
        return None
    html = ThreadRenderer(post, viewer, is_open).render(thread_page.roots)
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
