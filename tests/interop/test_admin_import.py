import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from rejoinder.publishing.models import Post
from tests.html import soup
from tests.interop.wxr_files import comment, item, wxr

pytestmark = pytest.mark.django_db


def test_admin_imports_an_uploaded_export(client, admin_user, settings):
    """A superuser uploads a WXR file in the admin and reads the import's report."""
    settings.TIME_ZONE = "UTC"
    client.force_login(admin_user)
    upload = SimpleUploadedFile(
        "export.xml", wxr(item(1, "Uploaded", comments=[comment(1, "Hi")])).encode()
    )
    response = client.post(
        "/admin/interop/importrecord/import/", {"source": "wordpress", "file": upload}
    )
    report = soup(response).select_one(".import-report").get_text()
    assert "posts: 1 created" in report and "comments: 1 created" in report
    assert Post.objects.get().title == "Uploaded"


def test_admin_import_shows_refusals_and_needs_a_superuser(client, admin_user, editor):
    """A malformed file is refused with its line; editors cannot reach the page."""
    client.force_login(editor)
    assert client.get("/admin/interop/importrecord/import/").status_code == 403
    client.force_login(admin_user)
    broken = SimpleUploadedFile("broken.xml", b"<?xml version='1.0'?><rss><channel><item>")
    response = client.post(
        "/admin/interop/importrecord/import/", {"source": "wordpress", "file": broken}
    )
    assert "not well-formed XML at line 1" in soup(response).select_one(".errornote").get_text()
    assert not Post.objects.exists()
