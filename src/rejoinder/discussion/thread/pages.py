"""Which comments a page of a post shows, read with a constant number of queries.

A thread up to ``COMMENTS_PAGE_THRESHOLD`` comments comes back whole, in display order,
from one query. A bigger one is shown a page of top-level threads at a time; within each,
a size and depth budget leaves the rest behind "N more replies" links.
"""

import math
from dataclasses import dataclass, field

from django.conf import settings

from ..models import PATH_WIDTH, Comment
from . import rows, tree


class Paging:
    """``number`` of ``num_pages``: where a page of a big thread stands."""

    @property
    def has_next(self):
        return self.number < self.num_pages

    @property
    def has_previous(self):
        return self.number > 1


@dataclass
class ThreadPage(Paging):
    roots: list
    number: int = 1
    num_pages: int = 1
    ancestors: list = field(default_factory=list)
    earlier: int = 0  # ancestors above those in ``ancestors``, not shown


def page_budget():
    """Per top-level thread: an equal share of the page's comments, no deeper than the cap."""
    size = max(5, settings.COMMENTS_PAGE_THRESHOLD // settings.COMMENT_THREADS_PER_PAGE)
    return tree.Budget(size=size, depth=settings.THREAD_DEPTH - 1)


def _shape(queryset, roots=None):
    """The (id, parent_id, depth) of ``queryset``'s comments, in display order.

    Ordered here from the parent links (``tree.in_display_order``), not by the database:
    sorting by path costs as much as the paths are long, which is the thread's depth.
    """
    return tree.in_display_order(
        list(queryset.order_by().values_list(*rows.SHAPE_FIELDS)), roots=roots
    )


def is_paged(post):
    return post.comment_count > settings.COMMENTS_PAGE_THRESHOLD


def page_of(comment):
    """The comment page of a big thread that shows this top-level comment."""
    earlier = (
        Comment.objects.filter(post=comment.post_id, parent=None, path__lt=comment.path)
        .shown()
        .count()
    )
    return earlier // settings.COMMENT_THREADS_PER_PAGE + 1


def post_thread(post, page=1, escaped=False):
    """The comments of ``post`` to show on comment page ``page`` (1 unless the thread is big).

    ``escaped``: nodes for the renderer (``rows.EscapedNode``), else raw values (the API)."""
    shown = Comment.objects.filter(post=post).shown()
    cap = settings.THREAD_DEPTH
    if not is_paged(post) and page > 1:
        return None  # a thread this size has one page
    if not is_paged(post):
        nodes = rows.fetch(shown, escaped)
        roots = tree.build(nodes, cap)
        if len(nodes) <= settings.COMMENTS_PAGE_THRESHOLD:
            return ThreadPage(roots=roots)
    per_page = settings.COMMENT_THREADS_PER_PAGE
    top_level = shown.filter(parent=None).order_by("path")
    num_pages = max(1, math.ceil(top_level.count() / per_page))
    if page > num_pages:
        return None
    thread_ids = list(
        top_level.values_list("id", flat=True)[(page - 1) * per_page : page * per_page]
    )
    shape = _shape(shown.filter(thread__in=thread_ids), roots=thread_ids)
    kept, more = tree.plan(shape, page_budget())
    nodes = rows.fetch(Comment.objects.filter(pk__in=kept), escaped)
    roots = tree.build(nodes, cap, more=more)
    return ThreadPage(roots=roots, number=page, num_pages=num_pages)


# A comment's own page shows this many of its nearest ancestors, a line each, for the
# exchange that led to it; a link to the furthest one's page goes further up. Bounded, so
# the page costs the same at any depth.
ANCESTORS_SHOWN = 10


def comment_thread(comment):
    """A comment's own page: its nearest ancestors for context, then it and its replies.

    The replies' nodes are for the renderer (escaped); the ancestors' are raw, for a
    template, which escapes what it prints.

    Every query here costs the same at any depth: the replies are found by thread and
    depth (whole numbers, no path) and ordered from their parent links, the ancestors by
    the last ids of the path.
    """
    below = Comment.objects.filter(thread=comment.thread_id, depth__gte=comment.depth).shown()
    shape = _shape(below, roots=[comment.pk])
    budget = tree.Budget(size=settings.COMMENTS_PAGE_THRESHOLD, depth=settings.THREAD_DEPTH - 1)
    kept, more = tree.plan(shape, budget, root_depth=comment.depth)
    nodes = rows.fetch(Comment.objects.filter(pk__in=kept), escaped=True)
    roots = tree.build(nodes, settings.THREAD_DEPTH, root_depth=comment.depth, more=more)
    width = PATH_WIDTH
    above = comment.path[-width * (ANCESTORS_SHOWN + 1) : -width]
    ancestor_ids = [int(above[i : i + width], 36) for i in range(0, len(above), width)]
    ancestors = Comment.objects.filter(pk__in=ancestor_ids).order_by("depth")
    return ThreadPage(
        roots=roots,
        ancestors=rows.nodes(list(ancestors.values_list(*rows.FIELDS))),
        earlier=comment.depth - len(ancestor_ids),
    )
