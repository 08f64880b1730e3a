"""The Disqus importer, on files shaped like real Disqus exports (odd ones included)."""

import pytest

from rejoinder.discussion.models import Comment
from rejoinder.interop.disqus import import_disqus
from rejoinder.interop.wordpress import import_wxr
from rejoinder.interop.wxr import WxrError
from rejoinder.publishing.models import Post
from tests.factories import make_post
from tests.interop.wxr_files import item, wxr

pytestmark = pytest.mark.django_db


def thread(dsq_id, link, title="A thread", identifier="", deleted="false"):
    return f"""<thread dsq:id="{dsq_id}">
  <id>{identifier}</id><forum>oldblog</forum><category dsq:id="1"/>
  <link>{link}</link><title>{title}</title><message/>
  <createdAt>2015-03-01T10:00:00Z</createdAt>
  <author><name>Owner</name><isAnonymous>false</isAnonymous></author>
  <isClosed>false</isClosed><isDeleted>{deleted}</isDeleted>
</thread>"""


def post(dsq_id, thread_id, message, parent=None, spam="false", deleted="false",
         name="Reader", created="2015-03-02T10:00:00Z", empty_id=True):  # fmt: skip
    parent_xml = f'<parent dsq:id="{parent}"/>' if parent else ""
    own_id = "<id/>" if empty_id else f"<id>{dsq_id}</id>"
    return f"""<post dsq:id="{dsq_id}">
  {own_id}<message><![CDATA[{message}]]></message>
  <createdAt>{created}</createdAt><isDeleted>{deleted}</isDeleted><isSpam>{spam}</isSpam>
  <author><email>r@example.org</email><name>{name}</name><isAnonymous>false</isAnonymous></author>
  <ipAddress>198.51.100.4</ipAddress><thread dsq:id="{thread_id}"/>{parent_xml}
</post>"""


def disqus(*parts):
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n'
        '<category dsq:id="1"><forum>oldblog</forum><title>General</title>'
        "<isDefault>true</isDefault></category>\n" + "\n".join(parts) + "\n</disqus>\n"
    )


def write(tmp_path, text):
    path = tmp_path / "disqus.xml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def target():
    return make_post(title="Target", slug="target")


def test_threads_match_posts_by_address_and_keep_replies(tmp_path, target):
    """Comments with empty <id>s land on the post at the thread's link, parents kept."""
    text = disqus(
        thread("10", f"https://old.example{target.get_absolute_url()}"),
        post("100", "10", "<p>First</p>"),
        post("101", "10", "<p>Reply</p>", parent="100"),
        post("102", "10", "<p>Reply to reply</p>", parent="101"),
    )
    report = import_disqus(write(tmp_path, text))
    first = Comment.objects.get(body="<p>First</p>")
    reply = Comment.objects.get(body="<p>Reply</p>")
    assert reply.parent == first and reply.post == target
    assert Comment.objects.get(body="<p>Reply to reply</p>").depth == 2
    assert report.total("comment", "created") == 3
    target.refresh_from_db()
    assert target.comment_count == 3


def test_reimport_adds_nothing(tmp_path, target):
    """Keyed on dsq:id: the same file twice makes each comment once."""
    text = disqus(
        thread("10", f"https://old.example{target.get_absolute_url()}"),
        post("100", "10", "Once"),
    )
    import_disqus(write(tmp_path, text))
    again = import_disqus(write(tmp_path, text))
    assert Comment.objects.count() == 1
    assert again.total("comment", "unchanged") == 1


def test_odd_values_spam_and_deleted(tmp_path, target):
    """isSpam other than true/false is read as false with a warning; deleted with replies
    becomes a tombstone, a deleted leaf goes to the trash."""
    text = disqus(
        thread("10", f"https://old.example{target.get_absolute_url()}"),
        post("100", "10", "Gone but answered", deleted="true"),
        post("101", "10", "Answer", parent="100"),
        post("102", "10", "Gone alone", deleted="true"),
        post("103", "10", "Spam", spam="true"),
        post("104", "10", "Odd", spam="maybe"),
    )
    report = import_disqus(write(tmp_path, text))
    assert Comment.objects.get(body="").status == Comment.Status.REMOVED
    assert Comment.objects.get(body="Gone alone").status == Comment.Status.TRASH
    assert Comment.objects.get(body="Spam").status == Comment.Status.SPAM
    assert Comment.objects.get(body="Odd").status == Comment.Status.APPROVED
    assert any("isSpam is 'maybe'" in warning for warning in report.warnings)


def test_unmatched_and_deleted_threads_are_listed(tmp_path, target):
    """Nothing is dropped silently: unmatched threads and their comments are listed."""
    text = disqus(
        thread("10", "https://old.example/nowhere/"),
        thread("11", f"https://old.example{target.get_absolute_url()}", deleted="true"),
        post("100", "10", "Lost?"),
        post("101", "11", "In a deleted thread"),
        post("102", "99", "No thread"),
    )
    report = import_disqus(write(tmp_path, text))
    assert not Comment.objects.exists()
    listing = "\n".join(report.skipped)
    assert "thread 10 (https://old.example/nowhere/): no post has this address" in listing
    assert "comment 100: its thread matches no post" in listing
    assert "comment 101: its thread was deleted in Disqus" in listing
    assert "comment 102: its thread '99' is not in the file" in listing


def test_create_missing_makes_draft_posts(tmp_path):
    """With --create-missing an unmatched thread becomes a draft titled from the thread."""
    text = disqus(thread("10", "https://old.example/lost-post/", title="Lost post"),
                  post("100", "10", "Kept"))  # fmt: skip
    import_disqus(write(tmp_path, text), create_missing=True)
    created = Post.objects.get(title="Lost post")
    assert created.status == Post.Status.DRAFT
    assert Comment.objects.get().post == created


def test_threads_match_former_addresses_and_wordpress_ids(tmp_path, settings):
    """A thread's link may be a WordPress ?p=ID or an old permalink of an imported post."""
    settings.TIME_ZONE = "UTC"
    wxr_path = tmp_path / "wp.xml"
    wxr_path.write_text(wxr(item(55, "From WordPress", slug="from-wp")), encoding="utf-8")
    import_wxr(wxr_path)
    text = disqus(
        thread("10", "https://old.example/?p=55"),
        thread("11", "https://old.example/2020/01/01/from-wp/"),
        post("100", "10", "By id"),
        post("101", "11", "By address"),
    )
    import_disqus(write(tmp_path, text))
    imported = Post.objects.get(slug="from-wp")
    assert set(imported.comments.values_list("body", flat=True)) == {"By id", "By address"}


def test_hostile_disqus_files_are_refused(tmp_path):
    """A DTD is refused before parsing, writing nothing."""
    text = disqus().replace(
        "<disqus ", '<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n<disqus ', 1
    )
    with pytest.raises(WxrError, match="declares a DTD"):
        import_disqus(write(tmp_path, text))


def test_truncated_disqus_file_is_refused_writing_nothing(tmp_path, target):
    """A cut-off Disqus file names line and column; no comment is written."""
    text = disqus(
        thread("10", f"https://old.example{target.get_absolute_url()}"),
        post("100", "10", "Whole"),
        post("101", "10", "Cut"),
    )
    with pytest.raises(WxrError, match=r"not well-formed XML at line \d+, column \d+"):
        import_disqus(write(tmp_path, text[: text.index("Cut")]))
    assert not Comment.objects.exists()


def test_comments_deleted_here_come_back_on_reimport(tmp_path, target):
    """A comment deleted since the last import is imported again, not blocked by its record."""
    text = disqus(
        thread("10", f"https://old.example{target.get_absolute_url()}"),
        post("100", "10", "Again"),
    )
    import_disqus(write(tmp_path, text))
    Comment.objects.all().delete()
    report = import_disqus(write(tmp_path, text))
    assert report.total("comment", "created") == 1
    assert Comment.objects.get().body == "Again"
