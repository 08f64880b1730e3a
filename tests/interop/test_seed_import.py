"""The acceptance test of the WordPress import: the seed page, reproduced."""

from pathlib import Path

import pytest
from django.core.management import call_command

from rejoinder.discussion.models import Comment
from rejoinder.interop.models import ImportRecord
from rejoinder.interop.wordpress import import_wxr
from rejoinder.publishing.models import Post
from tests.discussion.test_thread_page import comment_tree
from tests.html import soup

pytestmark = pytest.mark.django_db

SEED = Path(__file__).resolve().parents[3] / "shared" / "seed" / "seed-post.wxr"
PERMALINK = "/2014/09/06/us-and-iran-indirect-confederates-or-allies-in-iraq/"


@pytest.fixture
def seed(settings):
    # Dated addresses use the site's zone; the seed blog's times are UTC.
    settings.TIME_ZONE = "UTC"
    return import_wxr(SEED)


def test_seed_import_reproduces_the_page(client, seed):
    """Title with 6, 12 quotations, Iran and Iraq, the six comments with the seed's parents."""
    response = client.get(PERMALINK)
    assert response.status_code == 200
    page = soup(response)
    assert page.select_one("h1 .p-name").get_text() == (
        "US and Iran: “indirect confederates” or allies in Iraq?"
    )
    assert page.select_one("h1 .comment-count").get_text() == "6"
    assert len(page.select(".e-content blockquote")) == 12
    assert [a.get_text() for a in page.select(".byline .p-category")] == ["Iran"]
    assert [a.get_text() for a in page.select(".tags a")] == ["Iraq"]
    records = {
        int(record.source_id): record.object_id
        for record in ImportRecord.objects.filter(kind=ImportRecord.Kind.COMMENT)
    }
    parents, _ = comment_tree(response.content.decode(), f"http://testserver{PERMALINK}")
    wp_parents = {1: None, 2: 1, 3: 2, 4: 3, 5: 3, 6: 5}
    assert parents == {
        records[child]: (records[parent] if parent else None)
        for child, parent in wp_parents.items()
    }
    badged = [
        a["id"]
        for a in page.select("article.comment")
        if a.select_one(":scope > .comment-body .badge")
    ]
    assert badged == [f"comment-{records[4]}"]
    editor_reply = page.select_one(f"#comment-{records[4]} .p-author .p-name").get_text()
    assert editor_reply == "Editor"


def test_seed_comments_keep_their_paragraphs(seed):
    """WordPress's automatic paragraphs apply to imported comments, sanitized."""
    long_one = Comment.objects.get(body__startswith="I cannot not reply")
    assert long_one.body_html.count("<p>") >= 8
    post = Post.objects.get()
    assert post.body_format == Post.Format.HTML and "<script" not in post.body_html


def test_reimport_creates_nothing(seed):
    """The same file again: every object unchanged, no new rows."""
    counts = (Post.objects.count(), Comment.objects.count())
    again = import_wxr(SEED)
    assert (Post.objects.count(), Comment.objects.count()) == counts
    assert again.total("comment", "created") == 0
    assert again.total("comment", "unchanged") == 6
    assert again.total("post", "unchanged") == 1


def test_import_command_reports(tmp_path, settings, capsys):
    """`rejoinder import wordpress FILE` prints counts per kind."""
    settings.TIME_ZONE = "UTC"
    call_command("import", "wordpress", str(SEED))
    out = capsys.readouterr().out
    assert "posts: 1 created, 0 updated, 0 unchanged, 0 skipped" in out
    assert "comments: 6 created, 0 updated, 0 unchanged, 0 skipped" in out
    call_command("import", "wordpress", str(SEED), "--dry-run")
    out = capsys.readouterr().out
    assert "Dry run: nothing was written." in out
