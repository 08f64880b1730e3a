"""The section cache's key follows the code that writes the thread's HTML."""

import types

import pytest

from rejoinder.discussion.thread import locations, pages, render, rows, sections, tree
from tests.factories import make_post

pytestmark = pytest.mark.django_db


def module_at(path, source):
    path.write_text(source)
    return types.SimpleNamespace(__file__=str(path))


def test_changing_the_source_changes_the_digest(tmp_path):
    """Any change of a module's source gives another digest; the same source the same."""
    one = module_at(tmp_path / "one.py", "MARKUP = '<p>'\n")
    same = module_at(tmp_path / "same.py", "MARKUP = '<p>'\n")
    other = module_at(tmp_path / "other.py", "MARKUP = '<div>'\n")
    assert sections.source_digest([one]) == sections.source_digest([same])
    assert sections.source_digest([one]) != sections.source_digest([other])


def test_the_key_holds_the_digest_of_the_read_side(monkeypatch):
    """The key is made from the digest of the row definition, tree, pages, locations and
    renderer; a deploy that changes any of them gets new keys, with no constant to bump."""
    assert sections.source_digest((rows, tree, pages, locations, render)) == sections.MARKUP
    post = make_post()
    key = sections._cache_key(post, 1, True)
    assert sections.MARKUP in key
    monkeypatch.setattr(sections, "MARKUP", "0123456789ab")
    assert sections._cache_key(post, 1, True) != key
