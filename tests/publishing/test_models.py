import pytest
from django.urls import reverse

from rejoinder.publishing import revisions
from rejoinder.publishing.models import Category, Post, PostAlias
from tests.factories import make_category, make_post
from tests.html import text_of

pytestmark = pytest.mark.django_db


def test_body_is_rendered_once_on_save():
    """Saving stores sanitized HTML (each paragraph anchored) and plain text beside the
    Markdown."""
    post = make_post(body="Hello *world* <script>x()</script>")
    assert post.body_html == '<p id="p-1">Hello <em>world</em> </p>\n'
    assert post.body_text == "Hello world"


def test_stored_html_is_served_not_rerendered(client):
    """The page shows the stored HTML, so Markdown never renders per request."""
    post = make_post(body="Original")
    Post.objects.filter(pk=post.pk).update(body_html="<p>Stored marker</p>")
    content = text_of(client.get(post.get_absolute_url()), ".e-content")
    assert content == "Stored marker"


def test_every_save_keeps_a_revision():
    """Each save adds a revision with the text as saved."""
    post = make_post(title="First", body="one")
    post.title, post.body = "Second", "two"
    post.save()
    assert [(r.title, r.body) for r in post.revisions.all()] == [
        ("Second", "two"),
        ("First", "one"),
    ]


def test_restoring_a_revision_brings_its_text_back(editor):
    """Restore puts the old text back and records the restore as a new revision."""
    post = make_post(body="old text")
    old = post.revisions.get()
    post.body = "new text"
    post.save()
    changes = revisions.diff(old, post)
    assert changes[0]["field"] == "body"
    assert "-old text" in changes[0]["lines"] and "+new text" in changes[0]["lines"]
    revisions.restore(old, editor=editor)
    post.refresh_from_db()
    assert post.body == "old text"
    assert post.revisions.count() == 3
    assert post.revisions.first().editor == editor


def test_changed_slug_redirects_permanently(client):
    """The old address answers 301 to the new one."""
    post = make_post(slug="first-slug")
    old_url = post.get_absolute_url()
    post.slug = "second-slug"
    post.save()
    response = client.get(old_url)
    assert response.status_code == 301
    assert response["Location"] == post.get_absolute_url()
    assert client.get(response["Location"]).status_code == 200


def test_slug_changed_back_drops_its_alias():
    """A post moved back to an old address does not redirect away from itself."""
    post = make_post(slug="a")
    post.slug = "b"
    post.save()
    post.slug = "a"
    post.save()
    assert list(PostAlias.objects.values_list("old_path", flat=True)) == [
        post.get_absolute_url().replace("/a/", "/b/")
    ]


def test_category_path_follows_its_parents():
    """A child category's address holds its parent's slug, and moves with it."""
    parent = make_category("Politics")
    child = make_category("Elections", parent=parent)
    assert child.get_absolute_url() == "/category/politics/elections/"
    parent.slug = "policy"
    parent.save()
    assert Category.objects.get(pk=child.pk).path == "policy/elections"


def test_post_url_uses_the_site_time_zone(settings):
    """The date in a post's address is the local date, as WordPress makes it."""
    import datetime

    from django.utils import timezone

    # 03:00 UTC is still the previous day in Chicago (the test settings' zone).
    moment = datetime.datetime(2026, 10, 6, 3, 0, tzinfo=datetime.UTC)
    post = make_post(slug="late", published_at=moment)
    assert post.get_absolute_url() == reverse(
        "publishing:post", kwargs={"year": "2026", "month": "10", "day": "05", "slug": "late"}
    )
    assert timezone.localtime(moment).day == 5
