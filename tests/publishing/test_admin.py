import pytest
from django.urls import reverse

from rejoinder.publishing.models import Post
from tests.factories import make_post
from tests.html import soup

pytestmark = pytest.mark.django_db

ADD_URL = "/admin/publishing/post/add/"


def form_data(**overrides):
    data = {
        "title": "Admin post",
        "slug": "admin-post",
        "body": '> Quoted.\n> — Outlet, "Title", https://example.com/a\n\nAnswer.',
        "excerpt": "",
        "status": "published",
        "published_at_0": "2026-01-05",
        "published_at_1": "10:30:00",
        "comment_status": "open",
        "body_format": "markdown",
        "updates-TOTAL_FORMS": "0",
        "updates-INITIAL_FORMS": "0",
        "updates-MIN_NUM_FORMS": "0",
        "updates-MAX_NUM_FORMS": "1000",
        "quotations-TOTAL_FORMS": "0",
        "quotations-INITIAL_FORMS": "0",
        "quotations-MIN_NUM_FORMS": "0",
        "quotations-MAX_NUM_FORMS": "1000",
    }
    data.update(overrides)
    return data


def errors(response):
    return [li.get_text() for li in soup(response).select(".errorlist li")]


def test_editor_publishes_a_post(client, editor):
    """A post saved in the admin is rendered, attributed, revised and written by its editor."""
    client.force_login(editor)
    response = client.post(ADD_URL, form_data(author=editor.pk))
    assert response.status_code == 302, errors(response)
    post = Post.objects.get(slug="admin-post")
    assert post.author == editor
    assert '<blockquote cite="https://example.com/a"' in post.body_html
    assert post.attributions[0]["publisher"] == "Outlet"
    assert post.revisions.get().editor == editor
    assert client.get(post.get_absolute_url()).status_code == 200


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("slug", "s" * 300, "Slug: Ensure this value has at most 200 characters (it has 300)."),
        ("published_at_0", "2026-02-31", "Publish time: Enter a valid date."),
        ("title", "", "Title: This field is required."),
    ],
)
def test_bad_input_names_the_field_and_saves_nothing(client, editor, field, value, message):
    """Each refusal says which field and which limit; no post or revision is written."""
    client.force_login(editor)
    response = client.post(ADD_URL, form_data(author=editor.pk, **{field: value}))
    assert response.status_code == 200
    assert message in errors(response)
    assert not Post.objects.exists()


def test_body_over_the_limit_is_refused(client, editor, settings):
    """A body past REJOINDER_MAX_POST_LENGTH is refused with the limit and its length."""
    settings.MAX_POST_LENGTH = 1000
    client.force_login(editor)
    response = client.post(ADD_URL, form_data(author=editor.pk, body="x" * 1001))
    assert "Body (Markdown): at most 1,000 characters (this one has 1,001)." in errors(response)
    assert not Post.objects.exists()
    # The writer's text is still in the form.
    assert soup(response).select_one("textarea[name=body]").get_text().strip() == "x" * 1001


def test_failed_edit_leaves_the_post_as_it_was(client, editor):
    """An invalid edit of an existing post changes nothing and adds no revision."""
    post = make_post(title="Kept", slug="kept", author=editor)
    client.force_login(editor)
    url = reverse("admin:publishing_post_change", args=[post.pk])
    client.post(url, form_data(author=editor.pk, title="Changed", slug="x" * 300))
    post.refresh_from_db()
    assert (post.title, post.slug, post.revisions.count()) == ("Kept", "kept", 1)


def test_author_sees_and_edits_only_own_posts(client, author, editor):
    """The author role lists its own posts only and cannot open another's."""
    own = make_post(title="Mine", author=author)
    other = make_post(title="Theirs", author=editor)
    client.force_login(author)
    listing = client.get("/admin/publishing/post/").content.decode()
    assert "Mine" in listing and "Theirs" not in listing
    assert client.get(reverse("admin:publishing_post_change", args=[other.pk])).status_code == 302
    response = client.post(ADD_URL, form_data(author=editor.pk, slug="by-author"))
    assert response.status_code == 302, errors(response)
    assert Post.objects.get(slug="by-author").author == author
    assert own.author == author


def test_preview_renders_like_saving(client, editor):
    """The preview endpoint returns the sanitized HTML that saving would store."""
    client.force_login(editor)
    response = client.post(
        reverse("admin:publishing_post_preview"), {"body": "**Hi** <script>x()</script>"}
    )
    assert response.json() == {"html": "<p><strong>Hi</strong> </p>\n"}


def test_revision_screen_shows_diff_and_restores(client, editor):
    """The revision page shows what changed and its button restores the old text."""
    post = make_post(body="old line", author=editor)
    first = post.revisions.get()
    post.body = "new line"
    post.save()
    client.force_login(editor)
    url = reverse("admin:publishing_post_revision", args=[post.pk, first.pk])
    lines = [span.get_text() for span in soup(client.get(url)).select(".diff-line")]
    assert "-old line" in lines and "+new line" in lines
    assert client.post(url).status_code == 302
    post.refresh_from_db()
    assert post.body == "old line"


def test_pages_have_their_own_admin(client, editor):
    """Pages are written under Pages and saved as pages."""
    client.force_login(editor)
    data = form_data(author=editor.pk, title="About", slug="about")
    response = client.post("/admin/publishing/page/add/", data)
    assert response.status_code == 302, errors(response)
    assert Post.objects.get(slug="about").type == Post.Type.PAGE
    reserved = client.post("/admin/publishing/page/add/", form_data(author=editor.pk, slug="feed"))
    assert "Slug: “feed” is taken by the site's own addresses." in errors(reserved)
