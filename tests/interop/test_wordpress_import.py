"""The WordPress importer on files the tests write: every shape, every hostile case."""

import pytest
from django.contrib.auth import get_user_model

from rejoinder.discussion.models import Comment
from rejoinder.interop.models import ImportRecord
from rejoinder.interop.wordpress import import_wxr
from rejoinder.interop.wxr import WxrError
from rejoinder.publishing.models import Category, Post, PostAlias, Tag
from tests.html import soup
from tests.interop.wxr_files import comment, item, wxr

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def utc(settings):
    settings.TIME_ZONE = "UTC"


def write(tmp_path, text, name="export.xml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def row_count():
    return sum(
        model.objects.count()
        for model in (Post, Comment, Category, Tag, ImportRecord, get_user_model())
    )


def test_every_status_is_mapped_and_trash_is_reported(tmp_path):
    """publish, future, draft, pending, private come in; trash is skipped with its reason."""
    items = [
        item(1, "Published", status="publish"),
        item(2, "Future", status="future", date="2099-01-01 10:00:00"),
        item(3, "Draft", status="draft"),
        item(4, "Pending", status="pending"),
        item(5, "Private", status="private"),
        item(6, "Binned", status="trash", comments=[comment(60, "lost with its post")]),
        item(7, "About", post_type="page", slug="about"),
        item(8, "Menu", post_type="nav_menu_item"),
    ]
    report = import_wxr(write(tmp_path, wxr(*items)))
    statuses = dict(Post.objects.values_list("title", "status"))
    assert statuses == {
        "Published": "published",
        "Future": "scheduled",
        "Draft": "draft",
        "Pending": "draft",
        "Private": "private",
        "About": "published",
    }
    assert Post.objects.get(title="About").type == Post.Type.PAGE
    assert any("6 “Binned”: status 'trash' is not imported" in line for line in report.skipped)
    assert any("comment 60: its post was skipped" in line for line in report.skipped)
    assert any(
        "item 8: post type 'nav_menu_item' is not imported" in line for line in report.skipped
    )


def test_categories_nest_even_when_the_parent_comes_later(tmp_path):
    """Local's parent News is declared after it; the hierarchy is rebuilt."""
    import_wxr(write(tmp_path, wxr(item(1, "Filed", terms=[("category", "local", "Local")]))))
    local = Category.objects.get(slug="local")
    assert local.path == "news/local"
    assert list(Post.objects.get().categories.all()) == [local]


def test_a_ten_deep_chain_keeps_every_parent(tmp_path, client):
    """Replies ten deep keep their parents exactly."""
    chain = [comment(100 + n, f"Level {n}", parent=(99 + n) if n else 0) for n in range(10)]
    import_wxr(write(tmp_path, wxr(item(1, "Deep", comments=chain))))
    by_text = {c.body: c for c in Comment.objects.all()}
    for n in range(1, 10):
        assert by_text[f"Level {n}"].parent == by_text[f"Level {n - 1}"]
    assert by_text["Level 9"].depth == 9


def test_pings_and_held_comments_are_kept_but_not_shown(tmp_path, client):
    """Pingbacks, pending and spam keep their type and state; readers see neither."""
    comments = [
        comment(1, "A reader's comment"),
        comment(2, "Linked from elsewhere", kind="pingback"),
        comment(3, "Waiting", approved="0"),
        comment(4, "Buy now", approved="spam"),
        comment(5, "Binned", approved="trash"),
    ]
    import_wxr(write(tmp_path, wxr(item(1, "Mixed", comments=comments))))
    states = dict(Comment.objects.values_list("body", "status"))
    assert states["Waiting"] == "pending" and states["Buy now"] == "spam"
    assert states["Binned"] == "trash"
    assert Comment.objects.get(body="Linked from elsewhere").type == "pingback"
    post = Post.objects.get()
    assert post.comment_count == 1
    text = soup(client.get(post.get_absolute_url())).select_one("#comments").get_text()
    assert "A reader's comment" in text
    for hidden in ("Linked from elsewhere", "Waiting", "Buy now", "Binned"):
        assert hidden not in text


def test_text_survives_cdata_splits_and_any_script(tmp_path, client):
    """]]> split over CDATA sections, non-ASCII, right-to-left text and emoji come through."""
    content = "<p>Code: a[b[0]]> c — «guillemets» — שלום עולם — 🧵🔥</p>"
    comments = [comment(1, "مرحبا ]]> 👋", author="Zoë ✨")]
    import_wxr(write(tmp_path, wxr(item(1, "Ünïcödé ✓ עברית", content, comments=comments))))
    post = Post.objects.get()
    assert post.title == "Ünïcödé ✓ עברית"
    assert (
        "a[b[0]]&gt; c" in post.body_html
        and "שלום עולם" in post.body_html
        and "🧵🔥" in post.body_html
    )
    reply = Comment.objects.get()
    assert reply.body == "مرحبا ]]> 👋" and reply.author_name == "Zoë ✨"


def test_serialized_meta_and_old_slugs(tmp_path, client):
    """PHP-serialized meta is left alone; _wp_old_slug addresses redirect to the post."""
    meta = [
        ("_wp_attachment_metadata", 'a:1:{s:5:"width";i:640;}'),
        ("_wp_old_slug", "first-name"),
    ]
    import_wxr(write(tmp_path, wxr(item(1, "Renamed", slug="new-name", meta=meta))))
    response = client.get("/2020/01/01/first-name/")
    assert response.status_code == 301
    assert response["Location"] == "/2020/01/01/new-name/"


@pytest.mark.parametrize(
    "header",
    [
        # Billion laughs.
        '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;">'
        '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>\n',
        # External entity (XXE).
        '<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n',
    ],
)
def test_entity_attacks_are_refused_writing_nothing(tmp_path, header):
    """A DTD-bearing file is refused before parsing; not one row is written."""
    before = row_count()
    body = wxr(item(1, "&lol3; &xxe;"), header=header).replace(
        "<![CDATA[&lol3; &xxe;]]>", "&lol3; &xxe;"
    )
    with pytest.raises(WxrError, match="declares a DTD"):
        import_wxr(write(tmp_path, body))
    assert row_count() == before


def test_truncated_file_is_refused_with_its_line(tmp_path):
    """A file cut off mid-way is refused naming line and column; nothing is half-written."""
    text = wxr(item(1, "First", comments=[comment(1, "kept?")]), item(2, "Second"))
    cut = text[: text.index("<title><![CDATA[Second")]
    before = row_count()
    with pytest.raises(WxrError, match=r"not well-formed XML at line \d+, column \d+") as error:
        import_wxr(write(tmp_path, cut))
    assert "Nothing was imported" in str(error.value)
    assert row_count() == before


def test_newer_export_adds_only_what_is_new(tmp_path):
    """Re-importing adds nothing; a newer export's new reply hangs under its old parent."""
    first = wxr(item(1, "Post", comments=[comment(1, "Old")]))
    import_wxr(write(tmp_path, first))
    rows = row_count()
    assert import_wxr(write(tmp_path, first)).total("comment", "created") == 0
    assert row_count() == rows
    newer = wxr(item(1, "Post", comments=[comment(1, "Old"), comment(2, "New reply", parent=1)]))
    report = import_wxr(write(tmp_path, newer, "newer.xml"))
    assert report.total("comment", "created") == 1 and report.total("post", "unchanged") == 1
    reply = Comment.objects.get(body="New reply")
    assert reply.parent == Comment.objects.get(body="Old") and reply.depth == 1
    assert reply.path.startswith(reply.parent.path)


def test_undeclared_prefix_is_recovered_with_a_warning(tmp_path):
    """WordPress.com's undeclared atom: prefix is read anyway, and the report says so."""
    text = wxr(
        item(1, "Hosted"),
        channel_extra='<atom:link rel="search" href="https://x.example/osd.xml"/>',
    )
    report = import_wxr(write(tmp_path, text))
    assert Post.objects.get().title == "Hosted"
    assert any("'atom' without declaring it" in warning for warning in report.warnings)


def test_old_addresses_keep_working(tmp_path, client, settings):
    """/?p=ID redirects; a link that does not fit the new pattern redirects to the post."""
    items = [
        item(41, "Dated", slug="dated"),
        item(42, "Numeric", slug="numeric", link="https://old.example/archives/42"),
    ]
    import_wxr(write(tmp_path, wxr(*items)))
    dated = Post.objects.get(slug="dated")
    assert client.get("/2020/01/01/dated/").status_code == 200
    assert client.get("/", {"p": "41"})["Location"] == dated.get_absolute_url()
    numeric = Post.objects.get(slug="numeric")
    response = client.get("/archives/42")
    assert response.status_code == 301 and response["Location"] == numeric.get_absolute_url()
    assert PostAlias.objects.filter(post=numeric).exists()


def test_missing_parents_and_attachments_are_reported(tmp_path):
    """A reply whose parent is absent becomes top-level with a warning; files are recorded."""
    items = [
        item(1, "Post", comments=[comment(5, "Orphan", parent=4)]),
        item(2, "photo.jpg", post_type="attachment", status="inherit",
             extra="<wp:attachment_url>https://old.example/photo.jpg</wp:attachment_url>"),
    ]  # fmt: skip
    report = import_wxr(write(tmp_path, wxr(*items)))
    assert Comment.objects.get().parent is None
    assert any("comment 5: its parent 4" in warning for warning in report.warnings)
    record = ImportRecord.objects.get(kind="attachment")
    assert record.url == "https://old.example/photo.jpg"
    assert "their files were not fetched" in "\n".join(report.lines())


def test_authors_cannot_log_in(tmp_path):
    """Imported authors exist with unusable passwords."""
    import_wxr(write(tmp_path, wxr(item(1, "By the writer"))))
    writer = get_user_model().objects.get(username="writer")
    assert not writer.has_usable_password()
    assert Post.objects.get().author == writer


def test_reply_loops_are_broken(tmp_path):
    """Comments that answer each other in a circle are all kept, one made top-level."""
    loop = [comment(1, "A", parent=3), comment(2, "B", parent=1), comment(3, "C", parent=2)]
    report = import_wxr(write(tmp_path, wxr(item(1, "Loop", comments=loop))))
    assert Comment.objects.count() == 3
    assert Comment.objects.filter(parent=None).count() == 1
    assert any("form a loop" in warning for warning in report.warnings)


def test_shortcodes_stay_literal_text(tmp_path):
    """The documented rule: a shortcode is kept as the text WordPress stored, escaped."""
    content = (
        '[caption id="a1"]<img src="https://old.example/a.jpg"> A photo[/caption]\n\n'
        '[gallery ids="1,2"]'
    )
    import_wxr(write(tmp_path, wxr(item(1, "Shortcodes", content))))
    html = Post.objects.get().body_html
    assert '[caption id="a1"]' in html and '[gallery ids="1,2"]' in html
    assert '<img src="https://old.example/a.jpg">' in html


def test_wxr_1_0_files_are_read(tmp_path):
    """WXR 1.0: its namespace, dc:creator as a display name, bare duplicate terms, domain="tag"."""
    old = wxr(
        item(
            1,
            "Old format",
            terms=[("category", "news", "News"), ("tag", "budget", "Budget")],
            extra="<category><![CDATA[News]]></category>",
        )
    )
    old = old.replace("export/1.2/", "export/1.0/").replace(
        "<dc:creator><![CDATA[writer]]></dc:creator>",
        "<dc:creator><![CDATA[The Writer]]></dc:creator>",
    )
    report = import_wxr(write(tmp_path, old))
    post = Post.objects.get()
    assert post.author.username == "writer"
    assert [c.slug for c in post.categories.all()] == ["news"]
    assert [t.slug for t in post.tags.all()] == ["budget"]
    assert report.total("post", "created") == 1


def test_slugs_are_made_to_fit_addresses(tmp_path, client):
    """A post_name with characters no address allows is cleaned, and non-ASCII kept."""
    items = [
        item(1, "Odd", slug="post<item>-1", link="https://old.example/?p=1"),
        item(2, "Hebrew", slug="%d7%a9%d7%9c%d7%95%d7%9d"),
    ]
    import_wxr(write(tmp_path, wxr(*items)))
    assert set(Post.objects.values_list("slug", flat=True)) == {"postitem-1", "שלום"}
    for post in Post.objects.all():
        assert client.get(post.get_absolute_url()).status_code == 200


def test_character_references_to_control_characters_are_shown_as_replacements(tmp_path, client):
    """``&#1;`` in imported HTML (XML carries it, as text of a CDATA section) would become
    a control character that breaks every feed: it is kept as U+FFFD, the report says so
    for each item, and the feeds stay valid."""
    import feedparser

    content = "<p>bell&#1; and &#x1b;escape</p>"
    report = import_wxr(
        write(tmp_path, wxr(item(1, "Refs", content=content, comments=[comment(5, content)])))
    )
    post = Post.objects.get()
    assert "\x01" not in post.body_html and "bell\ufffd" in post.body_html
    assert "\x1b" not in Comment.objects.get().body_html
    warned = [w for w in report.warnings if "XML cannot carry" in w]
    assert len(warned) == 2 and "post 1: content has 2" in warned[0]
    for url in ("/feed/", "/comments/feed/"):
        assert feedparser.parse(client.get(url).content).bozo == 0
