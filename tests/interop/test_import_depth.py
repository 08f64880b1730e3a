"""Imports of reply chains deeper than REJOINDER_MAX_REPLY_DEPTH: every comment kept, the
deeper ones attached at the limit, and the report says how many."""

import pytest

from rejoinder.discussion.models import Comment
from rejoinder.interop.disqus import import_disqus
from rejoinder.interop.wordpress import import_wxr
from tests.factories import make_post
from tests.interop.test_disqus_import import disqus, post, thread
from tests.interop.test_disqus_import import write as write_disqus
from tests.interop.wxr_files import comment, item, wxr

pytestmark = pytest.mark.django_db

LIMIT = 3
LENGTH = 7  # depths 0..6: the last three go past the limit


@pytest.fixture(autouse=True)
def limit(settings):
    settings.MAX_REPLY_DEPTH = LIMIT


def assert_attached_at_the_limit(bodies):
    """Every comment of the chain is there; those past the limit hang under the comment
    one level above it, each at the limit."""
    comments = {c.body: c for c in Comment.objects.all()}
    assert set(comments) == set(bodies)
    chain = [comments[body] for body in bodies]
    assert [c.depth for c in chain] == [0, 1, 2, 3, 3, 3, 3]
    above_limit = chain[LIMIT - 1]
    for deep in chain[LIMIT:]:
        assert deep.parent_id == above_limit.pk
        assert deep.path == above_limit.path + deep.path[-7:]
        assert deep.thread_id == chain[0].pk


def assert_imported_at_the_limit(report, bodies, old_ids):
    """The whole chain imported, attached at the limit, and the report names the three."""
    assert report.total("comment", "created") == LENGTH
    assert_attached_at_the_limit(bodies)
    [warning] = [w for w in report.warnings if "REJOINDER_MAX_REPLY_DEPTH" in w]
    assert warning.startswith("3 replies were deeper than REJOINDER_MAX_REPLY_DEPTH (3 levels)")
    assert f"(comments {old_ids})" in warning


def test_a_wordpress_chain_past_the_limit_is_kept_at_the_limit(tmp_path):
    """WXR: all seven comments imported, three attached at the limit, with a warning."""
    bodies = [f"Level {n}" for n in range(LENGTH)]
    comments = [comment(n + 1, bodies[n], parent=n) for n in range(LENGTH)]
    path = tmp_path / "export.xml"
    path.write_text(wxr(item(1, "Deep", comments=comments)), encoding="utf-8")
    assert_imported_at_the_limit(import_wxr(path), bodies, "5, 6, 7")


def test_a_disqus_chain_past_the_limit_is_kept_at_the_limit(tmp_path):
    """Disqus: the same, one thread of seven replies each to the one before."""
    target = make_post(title="Target", slug="target")
    bodies = [f"Level {n}" for n in range(LENGTH)]
    posts = [
        post(str(100 + n), "10", bodies[n], parent=str(99 + n) if n else None,
             created=f"2015-03-02T10:0{n}:00Z")
        for n in range(LENGTH)
    ]  # fmt: skip
    text = disqus(thread("10", f"https://old.example{target.get_absolute_url()}"), *posts)
    assert_imported_at_the_limit(
        import_disqus(write_disqus(tmp_path, text)), bodies, "104, 105, 106"
    )


def test_a_reply_to_a_comment_imported_earlier_is_attached_at_the_limit(tmp_path):
    """A second import whose reply answers a comment already at the limit goes beside it."""
    bodies = [f"Level {n}" for n in range(LIMIT + 1)]
    comments = [comment(n + 1, bodies[n], parent=n) for n in range(LIMIT + 1)]
    path = tmp_path / "export.xml"
    path.write_text(wxr(item(1, "Deep", comments=comments)), encoding="utf-8")
    assert not [w for w in import_wxr(path).warnings if "DEPTH" in w]
    comments.append(comment(LIMIT + 2, "Later", parent=LIMIT + 1))
    path.write_text(wxr(item(1, "Deep", comments=comments)), encoding="utf-8")
    report = import_wxr(path)
    later = Comment.objects.get(body="Later")
    assert later.depth == LIMIT
    assert later.parent == Comment.objects.get(body=f"Level {LIMIT - 1}")
    assert any(w.startswith("1 reply was deeper") for w in report.warnings)
