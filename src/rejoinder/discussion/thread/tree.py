"""Build the displayed thread from comments in path order, in one pass (O(n)).

Comments arrive as nodes (``rows.Node``) in path order (depth first, oldest first). Each
is placed in its display parent's ``children``:

* Display depth cap (WordPress's "thread comments N levels deep"): a reply deeper than the
  cap shows at the cap's level, after its parent, with ``in_reply_to`` naming whom it
  answers, so nobody loses who answered whom.
* Budgets (big threads only, ``plan``): past a size or depth budget a comment is left
  out; its nearest shown ancestor counts it in ``more``, shown as an "N more replies"
  link to that ancestor's own page.
* A comment whose parent is not shown (pending, spam, trash) is not shown either, with
  its replies, as WordPress does.
"""

from dataclasses import dataclass


@dataclass
class Budget:
    """How much of a thread one page shows; ``None`` shows everything."""

    size: int | None = None  # comments per top-level thread
    depth: int | None = None  # deepest display level; deeper replies are counted in `more`


def build(nodes, cap, root_depth=0, more=None):
    """Arrange ``nodes`` (fresh from ``rows.fetch``, in path order) into display trees.

    ``cap`` is the number of display levels; ``root_depth`` the depth of the comments that
    start the trees (0 on a post page, the comment's own depth on its page); ``more`` maps
    an id to the number of its replies a budget left out (see ``plan``).
    Returns the top-level nodes.
    """
    more = more or {}
    shown = {}  # id -> node
    container = {}  # id -> the list this node's replies go into
    roots = []
    for node in nodes:
        node.more = more.get(node.id, 0)
        if node.depth == root_depth:
            shown[node.id] = node
            container[node.id] = node.children if cap > 1 else roots
            roots.append(node)
            continue
        parent = shown.get(node.parent_id)
        if parent is None:
            continue  # its parent is not shown (pending, spam, trash): neither is it
        if parent.level + 1 < cap:
            node.level = parent.level + 1
        else:
            node.level = parent.level
            node.in_reply_to = parent
        # On the last level, replies go beside their parent instead of inside it.
        container[node.id] = node.children if node.level + 1 < cap else container[parent.id]
        shown[node.id] = node
        container[parent.id].append(node)
    for root in roots:
        _count_hidden_replies(root)
    return roots


def _count_hidden_replies(root):
    """Set ``hidden_replies`` on every node: all its descendants, shown or left out."""
    stack = [(root, False)]
    while stack:
        node, done = stack.pop()
        if done:
            node.hidden_replies = node.more + sum(
                1 + child.hidden_replies for child in node.children
            )
        else:
            stack.append((node, True))
            stack.extend((child, False) for child in node.children)


def in_display_order(rows, roots=None):
    """``rows`` (tuples starting with id, parent_id) in path order, found from the parent
    links alone: depth first, each comment's replies oldest (lowest id) first.

    A path is its ancestors' ids, so this is the order ``ORDER BY path`` gives, without a
    database sorting strings as long as the thread is deep. ``roots`` (ids) are where the
    walk starts, in that order, and only what hangs under them is returned; by default the
    rows whose parent is not among them, lowest id first.
    """
    replies = {}
    present = {row[0] for row in rows}
    starts = []
    for row in rows:
        if row[1] in present:
            replies.setdefault(row[1], []).append(row)
        elif roots is None:
            starts.append(row)
    if roots is not None:
        by_id = {row[0]: row for row in rows}
        starts = [by_id[pk] for pk in roots if pk in by_id]
    else:
        starts.sort(key=_first)
    ordered = []
    stack = starts[::-1]
    while stack:
        row = stack.pop()
        ordered.append(row)
        below = replies.get(row[0])
        if below:
            stack.extend(sorted(below, key=_first, reverse=True))
    return ordered


def _first(row):
    return row[0]


def plan(shape_rows, budget, root_depth=0):
    """Choose what a page of a big thread shows: the cheap first pass.

    ``shape_rows`` are (id, parent_id, depth) in path order. Returns the ids to show and,
    for each shown comment with replies left out, how many (its "N more replies").
    """
    kept = set()
    anchor = {}  # id left out -> its nearest shown ancestor's id (None: dropped by status)
    more = {}
    per_thread = 0
    for comment_id, parent_id, depth in shape_rows:
        level = depth - root_depth
        if level == 0:
            per_thread = 1
            kept.add(comment_id)
            continue
        if parent_id in kept:
            ancestor = parent_id
        elif parent_id in anchor:
            ancestor = anchor[parent_id]
        else:
            continue  # parent not shown for its status: the whole branch stays out
        too_deep = budget.depth is not None and level > budget.depth
        too_many = budget.size is not None and per_thread >= budget.size
        if ancestor == parent_id and not too_deep and not too_many:
            per_thread += 1
            kept.add(comment_id)
        else:
            anchor[comment_id] = ancestor
            more[ancestor] = more.get(ancestor, 0) + 1
    return kept, more
