"""The embed on another site, in Chromium: one script tag, the thread, a reply.

The blog is pytest-django's live server (``http://localhost:<port>``); the other site is a
small ``http.server`` on another port addressed as ``127.0.0.1``: a different origin, as
a static site elsewhere would be. Its page holds nothing but the one script tag.
"""

import http.server
import threading

import pytest
from playwright.sync_api import expect

from rejoinder.discussion.models import Comment
from rejoinder.publishing.models import Post
from tests.factories import make_comment, make_post, make_user

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Elsewhere</title></head>
<body><h1>A page on another site</h1>
<script src="{blog}/static/rejoinder/embed.js" data-rejoinder-url="{address}" async></script>
</body></html>
"""

# A page of a static site: no post address, so the thread is the page's own.
OWN_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Notes on ferries</title></head>
<body><h1>Notes on ferries</h1>
<script src="{blog}/static/rejoinder/embed.js" async></script>
</body></html>
"""


@pytest.fixture
def other_site():
    """Serve one page (``html["page"]``, set by the test) from a second origin."""
    html = {}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = html["page"].encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    origin = f"http://127.0.0.1:{server.server_address[1]}"
    yield origin, html
    server.shutdown()
    server.server_close()


@pytest.fixture
def discussed(lenient_rules):
    post = make_post(title="Worth discussing")
    make_comment(post, name="Ann", body="The bridge should stay open.")
    return post


def test_a_reader_elsewhere_reads_and_replies(page, live_server, other_site, discussed, settings):
    origin, html = other_site
    settings.CORS_ALLOWED_ORIGINS = [origin]
    address = live_server.url + discussed.get_absolute_url()
    html["page"] = PAGE.format(blog=live_server.url, address=address)
    page.goto(origin + "/page/")
    embed = page.locator(".rejoinder-embed")
    expect(embed.locator("article.comment .p-name")).to_have_text(["Ann"])
    expect(embed.get_by_role("heading", name="1 comment")).to_be_visible()

    # A refusal shows beside its field, from the API's problem document.
    embed.get_by_role("link", name="Reply to Ann").click()
    form = embed.locator("form#respond")
    expect(form.locator(".respond-title")).to_have_text("Reply to Ann")
    form.get_by_label("Comment", exact=True).fill("Ferries are older than bridges.")
    form.get_by_role("button", name="Post comment").click()
    expect(form.locator(".field-name .field-error")).to_contain_text("Name: required")

    form.get_by_label("Name", exact=True).fill("Bo")
    form.get_by_role("button", name="Post comment").click()
    expect(embed.locator(".embed-status")).to_have_text("Your comment is published.")
    reply = Comment.objects.get(author_name="Bo")
    assert reply.parent.author_name == "Ann"
    expect(embed.locator(f"#comment-{reply.pk} .e-content")).to_have_text(
        "Ferries are older than bridges."
    )
    expect(embed.get_by_role("heading", name="2 comments")).to_be_visible()


def test_a_held_comment_is_said_to_await_moderation(
    page, live_server, other_site, discussed, settings, lenient_rules
):
    lenient_rules.moderation = lenient_rules.Moderation.ALL
    lenient_rules.save()
    origin, html = other_site
    settings.CORS_ALLOWED_ORIGINS = [origin]
    html["page"] = PAGE.format(
        blog=live_server.url, address=live_server.url + discussed.get_absolute_url()
    )
    page.goto(origin + "/page/")
    form = page.locator(".rejoinder-embed form#respond")
    form.get_by_label("Name", exact=True).fill("Cy")
    form.get_by_label("Comment", exact=True).fill("A new point.")
    form.get_by_role("button", name="Post comment").click()
    expect(page.locator(".embed-status")).to_contain_text("awaiting moderation")
    expect(page.locator(".rejoinder-embed article.comment")).to_have_count(1)
    assert Comment.objects.get(author_name="Cy").status == Comment.Status.PENDING


def test_an_origin_off_the_list_gets_no_thread(page, live_server, other_site, discussed, settings):
    origin, html = other_site
    settings.CORS_ALLOWED_ORIGINS = ["https://friend.example"]
    html["page"] = PAGE.format(
        blog=live_server.url, address=live_server.url + discussed.get_absolute_url()
    )
    page.goto(origin + "/page/")
    expect(page.locator(".rejoinder")).to_have_text("The comments could not be loaded.")
    expect(page.locator("article.comment")).to_have_count(0)


def test_a_page_elsewhere_gets_its_own_thread(
    page, live_server, other_site, settings, lenient_rules
):
    """No post address: the page's own thread, empty until its first comment makes it."""
    make_user("site-admin", superuser=True)
    origin, html = other_site
    settings.CORS_ALLOWED_ORIGINS = [origin]
    html["page"] = OWN_PAGE.format(blog=live_server.url)
    page.goto(origin + "/notes/ferries/#top")
    embed = page.locator(".rejoinder-embed")
    expect(embed.get_by_role("heading", name="0 comments")).to_be_visible()
    expect(embed.locator("article.comment")).to_have_count(0)
    assert not Post.objects.exists()

    form = embed.locator("form#respond")
    form.get_by_label("Name", exact=True).fill("Di")
    form.get_by_label("Comment", exact=True).fill("The ferry leaves at nine.")
    form.get_by_role("button", name="Post comment").click()
    expect(embed.locator(".embed-status")).to_have_text("Your comment is published.")
    thread = Post.objects.external().get()
    assert (thread.external_url, thread.title) == (origin + "/notes/ferries/", "Notes on ferries")
    comment = Comment.objects.get(author_name="Di")
    assert comment.post == thread
    expect(embed.locator(f"#comment-{comment.pk} .e-content")).to_have_text(
        "The ferry leaves at nine."
    )
    expect(embed.get_by_role("heading", name="1 comment")).to_be_visible()
