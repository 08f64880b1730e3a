"""Export to WXR: WordPress's format, and a round trip that changes nothing."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from lxml import etree

from rejoinder.discussion.comments import delete_comment
from rejoinder.discussion.models import Comment
from rejoinder.interop import wxr
from rejoinder.interop.models import ImportRecord
from rejoinder.interop.wordpress import import_wxr
from rejoinder.interop.wxr_export import export_wxr
from rejoinder.publishing.models import Category, Post, Tag, UpdateNote
from tests.factories import make_category, make_comment, make_post, make_tag, make_user

pytestmark = pytest.mark.django_db


def build_site():
    author = make_user("writer", first_name="Wren", last_name="Writer")
    politics = make_category("Politics")
    local = make_category("Local", parent=politics)
    quoting = make_post(
        title="A quoting post",
        author=author,
        body='> Quoted.\n> — Outlet, "Title", https://example.com/a\n\nAnswer with ]]> inside.',
        categories=[local],
        tags=[make_tag("Budget")],
        sticky=True,
    )
    UpdateNote.objects.create(post=quoting, label="Post Script", body="Later: *more*.")
    make_post(title="A draft", author=author, status=Post.Status.DRAFT)
    make_post(title="About", author=author, type=Post.Type.PAGE, slug="about")
    top = make_comment(quoting, name="Ann", body="First, with <b>tags</b> and ünïcode 🧵")
    middle = make_comment(quoting, top, name="Bob")
    make_comment(quoting, middle, user=author)
    make_comment(quoting, top, name="Held", status=Comment.Status.PENDING)
    make_comment(quoting, name="Ping", type=Comment.Type.PINGBACK, enforce_rules=False)
    doomed = make_comment(quoting, name="Regrets")
    make_comment(quoting, doomed, name="Answer to a deleted one")
    delete_comment(doomed)


def export():
    buffer = io.BytesIO()
    export_wxr(buffer)
    return buffer.getvalue()


def normalised(data, tmp_path):
    """The export's content with ids replaced by positions, so two sites compare."""
    path = tmp_path / "normalise.xml"
    path.write_bytes(data)
    items = []
    for kind, record in wxr.read(path):
        if kind != "item":
            continue
        position = {c.id: n for n, c in enumerate(record.comments)}
        comments = [
            (
                c.author, c.author_email, c.author_url, c.date_gmt, c.content, c.approved,
                c.type, position.get(c.parent), c.user_id != "0", c.meta,
            )
            for c in record.comments
        ]  # fmt: skip
        items.append(
            (
                record.title, record.link, record.content, record.excerpt, record.post_date_gmt,
                record.comment_status, record.post_name, record.status, record.post_type,
                record.is_sticky, sorted((t.taxonomy, t.slug, t.name) for t in record.terms),
                record.meta, comments,
            )
        )  # fmt: skip
    return items


def test_export_is_wxr_that_parses_and_names_everything(tmp_path):
    """The file is well-formed WXR 1.2 with the wp: prefix WordPress's importer expects."""
    build_site()
    data = export()
    root = etree.fromstring(data)
    assert root.nsmap["wp"] == "http://wordpress.org/export/1.2/"
    assert b"<wp:wxr_version>1.2</wp:wxr_version>" in data
    assert data.count(b"<item>") == 3 and data.count(b"<wp:comment>") == 7
    assert b"<wp:category_parent><![CDATA[politics]]></wp:category_parent>" in data
    assert b"]]&gt; inside" in data  # ]]> written as text, not breaking CDATA


def test_round_trip_changes_nothing(tmp_path, settings):
    """export -> import into an empty site -> export gives the same content."""
    settings.SITE_URL = "https://blog.example.org"
    build_site()
    first = export()
    for model in (Comment, UpdateNote, Post, Tag, ImportRecord):
        model.objects.all().delete()
    Category.objects.exclude(parent=None).delete()
    Category.objects.all().delete()
    get_user_model().objects.all().delete()
    path = tmp_path / "first.xml"
    path.write_bytes(first)
    report = import_wxr(path)
    assert report.total("comment", "created") == 7 and not report.skipped
    second = export()
    assert normalised(first, tmp_path) == normalised(second, tmp_path)
    tombstone = Comment.objects.get(status=Comment.Status.REMOVED)
    assert tombstone.replies.get().author_name == "Answer to a deleted one"
    note = UpdateNote.objects.get()
    assert (note.label, note.body) == ("Post Script", "Later: *more*.")


def test_export_command_writes_a_file(tmp_path):
    """`rejoinder export wordpress -o FILE` writes the export."""
    build_site()
    target = tmp_path / "site.xml"
    call_command("export", "wordpress", "-o", str(target), stderr=io.StringIO())
    assert target.read_bytes().count(b"<item>") == 3


def test_values_xml_cannot_carry_are_left_out_with_a_warning_naming_them(tmp_path):
    """Whatever is stored, the export is valid XML; each value changed to make it so is
    named (post or comment, and field) by the command, never changed silently."""
    post = make_post(title="Clean title")
    comment = make_comment(post, name="Ann")
    Post.objects.filter(pk=post.pk).update(title="Bell\x07 title")
    Comment.objects.filter(pk=comment.pk).update(
        author_name="Ann\x1f", body_html="<p>Tab\x0bbed\x0c</p>"
    )
    target = tmp_path / "site.xml"
    errors = io.StringIO()
    call_command("export", "wordpress", "-o", str(target), stderr=errors)
    root = etree.parse(str(target)).getroot()  # valid XML
    titles = [item.findtext("title") for item in root.iter("item")]
    assert titles == ["Bell title"]
    warnings = [line for line in errors.getvalue().splitlines() if line.startswith("warning:")]
    assert warnings == [
        f"warning: post {post.pk}: title: 1 character XML 1.0 cannot carry removed",
        f"warning: comment {comment.pk}: comment_author: 1 character XML 1.0 cannot carry removed",
        f"warning: comment {comment.pk}: comment_content: 2 characters XML 1.0 cannot carry "
        "removed",
    ]


def test_a_clean_site_exports_without_warnings(tmp_path):
    """Nothing to change, nothing to say."""
    build_site()
    errors = io.StringIO()
    call_command("export", "wordpress", "-o", str(tmp_path / "site.xml"), stderr=errors)
    assert "warning" not in errors.getvalue()
