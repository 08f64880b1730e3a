"""Import files with a DTD anywhere, in any encoding, or with entity and character
references XML cannot carry: each refused naming the reason, nothing written."""

import pytest

from rejoinder.discussion.models import Comment
from rejoinder.interop.disqus import import_disqus
from rejoinder.interop.wordpress import import_wxr
from rejoinder.interop.wxr import WxrError
from rejoinder.publishing.models import Post
from tests.factories import make_post
from tests.interop.test_disqus_import import disqus, post, thread
from tests.interop.wxr_files import comment, item, wxr

pytestmark = pytest.mark.django_db

DTD = '<!DOCTYPE root [<!ENTITY name "expanded">]>\n'
# Past the first 64 KiB the old pre-check read: a comment, legal before the root.
PADDING = "<!--" + "pad " * 20_000 + "-->\n"


def wordpress_file(body="A reply &amp; more"):
    return wxr(item(1, "Imported", comments=[comment(1, "x")])).replace("<![CDATA[x]]>", body, 1)


def disqus_file(message="A reply &amp; more"):
    target = make_post(title="Target", slug="target")
    text = disqus(
        thread("10", f"https://old.example{target.get_absolute_url()}"), post("100", "10", "x")
    )
    return text.replace("<![CDATA[x]]>", message, 1)


def with_dtd(text, padding=""):
    """The file with a DTD after the XML declaration (and ``padding`` before it)."""
    declaration, rest = text.split("\n", 1)
    return f"{declaration}\n{padding}{DTD}{rest}"


def utf16(text, byteorder):
    """The file in UTF-16 with its byte order mark, as its declaration says."""
    text = text.replace('encoding="UTF-8"', 'encoding="UTF-16"').replace(
        'encoding="utf-8"', 'encoding="UTF-16"'
    )
    bom = "\ufeff".encode(f"utf-16-{byteorder}")
    return bom + text.encode(f"utf-16-{byteorder}")


IMPORTERS = {
    "wordpress": (wordpress_file, import_wxr),
    "disqus": (disqus_file, import_disqus),
}


def run(tmp_path, importer, content):
    path = tmp_path / "import.xml"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    imported_posts = Post.objects.count()
    with pytest.raises(WxrError) as refusal:
        importer(path)
    assert not Comment.objects.exists()
    assert Post.objects.count() == imported_posts
    return str(refusal.value)


@pytest.mark.parametrize("source", IMPORTERS)
def test_a_dtd_after_64_kib_of_padding_is_refused(tmp_path, source):
    """A DOCTYPE further in than the pre-check looks is refused by the parser itself."""
    make, importer = IMPORTERS[source]
    text = with_dtd(make("&name;"), padding=PADDING)
    assert text.index("<!DOCTYPE") > 64 * 1024
    assert "declares a DTD" in run(tmp_path, importer, text)


@pytest.mark.parametrize("byteorder", ["le", "be"])
@pytest.mark.parametrize("source", IMPORTERS)
def test_a_dtd_in_a_utf16_file_is_refused(tmp_path, source, byteorder):
    """UTF-16 (either byte order, with its BOM) hides a DOCTYPE from a byte search, not
    from the parser."""
    make, importer = IMPORTERS[source]
    assert "declares a DTD" in run(tmp_path, importer, utf16(with_dtd(make("&name;")), byteorder))


@pytest.mark.parametrize("source", IMPORTERS)
def test_an_undefined_entity_reference_is_refused_naming_it(tmp_path, source):
    """An entity XML does not define is an error naming it and where, not a cut field."""
    make, importer = IMPORTERS[source]
    message = run(tmp_path, importer, make("Before &nbsp; after"))
    assert "the entity reference &nbsp; is not defined" in message
    assert "line 0" not in message
    assert "Nothing was imported." in message


@pytest.mark.parametrize("source", IMPORTERS)
def test_a_control_character_reference_is_refused_naming_line_and_column(tmp_path, source):
    """``&#1;`` cannot be carried by XML 1.0: refused with where and why."""
    make, importer = IMPORTERS[source]
    text = make("Before &#1; after")
    line = text[: text.index("&#1;")].count("\n") + 1
    message = run(tmp_path, importer, text)
    assert f"at line {line}, column " in message
    assert "the character reference &#1; names a control character" in message
