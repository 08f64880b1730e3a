"""The thread builder, on plain nodes: display order, depth cap, budgets, counts."""

import datetime

from rejoinder.discussion.thread import tree
from rejoinder.discussion.thread.rows import FIELDS, Node

NOW = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)


def row(comment_id, parent_id, depth, name=None):
    """A node with what the tree reads; the row's other fields are left empty."""
    values = dict.fromkeys(FIELDS)
    values.update(id=comment_id, parent_id=parent_id, depth=depth, status="approved")
    values.update(author_name=name or f"c{comment_id}", created_at=NOW)
    return Node(**values)


def chain(length):
    """A reply chain: 1 <- 2 <- 3 ..."""
    return [row(n, n - 1 if n > 1 else None, n - 1) for n in range(1, length + 1)]


def ids(nodes):
    return [node.id for node in nodes]


def test_nesting_follows_parents():
    """Replies nest under their parents in path order."""
    rows = [row(1, None, 0), row(2, 1, 1), row(4, 2, 2), row(3, 1, 1), row(5, None, 0)]
    roots = tree.build(rows, cap=10)
    assert ids(roots) == [1, 5]
    assert ids(roots[0].children) == [2, 3]
    assert ids(roots[0].children[0].children) == [4]
    assert roots[0].hidden_replies == 3


def test_replies_past_the_cap_show_beside_their_parent():
    """Past the display cap, replies sit at the cap's level and name whom they answer."""
    roots = tree.build(chain(6), cap=3)
    level1 = roots[0].children[0]
    assert ids(level1.children) == [3, 4, 5, 6]
    assert [node.level for node in level1.children] == [2, 2, 2, 2]
    assert [node.in_reply_to and node.in_reply_to.id for node in level1.children] == [
        None, 3, 4, 5,
    ]  # fmt: skip


def test_cap_of_one_is_a_flat_list():
    """With one level, every reply is a top-level item in reading order."""
    roots = tree.build(chain(4), cap=1)
    assert ids(roots) == [1, 2, 3, 4]
    assert roots[1].in_reply_to.id == 1


def test_replies_to_hidden_comments_are_hidden():
    """A reply whose parent is not in the rows (held, spam) is not shown, nor its replies."""
    rows = [row(1, None, 0), row(3, 2, 2), row(4, 3, 3), row(5, 1, 1)]
    roots = tree.build(rows, cap=10)
    assert ids(roots[0].children) == [5]


def test_plan_leaves_the_rest_behind_more_links():
    """A size budget keeps the first comments of a thread and counts the rest on an ancestor."""
    shape = [(r.id, r.parent_id, r.depth) for r in chain(10)]
    kept, more = tree.plan(shape, tree.Budget(size=4))
    assert kept == {1, 2, 3, 4}
    assert more == {4: 6}


def test_plan_depth_budget():
    """Past the depth budget, the deepest shown comment links to the rest."""
    shape = [(r.id, r.parent_id, r.depth) for r in chain(500)]
    kept, more = tree.plan(shape, tree.Budget(depth=9))
    assert kept == set(range(1, 11))
    assert more == {10: 490}


def test_a_500_deep_chain_builds_without_recursion_limits():
    """A hostile 500-deep chain builds flat past the cap and counts all its replies."""
    roots = tree.build(chain(500), cap=10)
    assert roots[0].hidden_replies == 499
