"""513 XSS payloads through every reader input and an author's post, rendered in Chromium.

Each page is made by the site itself (the Django test client) and shown to Chromium at a
site address of its own, with the site's own Content-Security-Policy header, as a reader
gets it. Hooks record any dialog, any call of alert/confirm/prompt/print, and any request
to another host. Zero of each is allowed. The feeds get the same payloads and are checked
for script-capable markup. (The corpus is engine-independent: it runs in the SQLite pass.)
"""

from urllib.parse import urlsplit

import feedparser
import pytest
from bs4 import BeautifulSoup
from django.test import Client

from rejoinder.discussion.thread.locations import post_comment_url
from tests.factories import comment_form, make_post, make_user
from tests.xss_corpus import PAYLOADS

pytestmark = pytest.mark.django_db

ORIGIN = "http://rejoinder.test"
HOOKS = """
window.__xss = [];
for (const name of ["alert", "confirm", "prompt", "print"]) {
  window[name] = (...args) => { window.__xss.push(name + "(" + args.join(",") + ")"); };
}
"""
SAFE_TAGS = {
    "p", "br", "em", "strong", "a", "code", "pre", "blockquote", "ul", "ol", "li", "h1", "h2",
    "h3", "h4", "h5", "h6", "hr", "img", "footer", "cite", "del", "s", "b", "i", "q", "abbr",
    "table", "thead", "tbody", "tr", "td", "th", "sup", "sub", "mark", "span", "figure",
    "figcaption", "dl", "dt", "dd", "ins", "kbd", "samp", "small", "time", "details", "summary",
    "u",
}  # fmt: skip


class Viewer:
    """Chromium showing pages the site produced, recording anything that runs or calls out."""

    def __init__(self, page):
        self.page = page
        self.incidents = []
        self.html = ""
        self.headers = {}
        page.on("dialog", self.on_dialog)
        page.context.route("**/*", self.on_request)

    def on_dialog(self, dialog):
        self.incidents.append(f"dialog: {dialog.message}")
        dialog.dismiss()

    def on_request(self, route):
        url = route.request.url
        if url == f"{ORIGIN}/page":
            route.fulfill(
                status=200,
                headers={"Content-Type": "text/html; charset=utf-8", **self.headers},
                body=self.html,
            )
        elif url.startswith(ORIGIN):
            route.fulfill(status=404, body="")  # the site's own assets: not needed here
        else:
            self.incidents.append(f"request to {urlsplit(url).netloc or url[:60]}")
            route.abort()

    def show(self, response, what):
        self.html = response.content.decode()
        policy = getattr(response, "get", lambda *_: None)("Content-Security-Policy")
        self.headers = {"Content-Security-Policy": policy} if policy else {}
        self.page.goto(f"{ORIGIN}/page", wait_until="load")
        for call in self.page.evaluate("window.__xss"):
            self.incidents.append(f"{what}: {call}")


@pytest.fixture
def viewer(new_context):
    context = new_context(base_url=None)
    context.add_init_script(HOOKS)
    return Viewer(context.new_page())


def test_no_payload_runs_anywhere(settings, viewer, lenient_rules):
    """Comment bodies, names, websites, emails, search, login and an author's posts."""
    settings.COMMENTS_PAGE_THRESHOLD = 100_000  # every comment on one page
    settings.AXES_ENABLED = False  # the login form is exercised here, not throttled
    author = make_user("xss-author", role="author", first_name="Author")
    target = make_post(title="Open for comments", author=author)
    reader, site = Client(), Client()
    accepted = 0
    for payload in PAYLOADS:
        fields = comment_form(name=payload[:100].strip() or "x", body=payload)
        accepted += reader.post(post_comment_url(target), fields).status_code == 303
        for field in ("website", "email"):
            refused = reader.post(
                post_comment_url(target), comment_form(name="n", body="b", **{field: payload})
            )
            if refused.status_code == 400:
                viewer.show(refused, f"{field} refusal")
    assert accepted > 450  # accepted and neutralised, not merely refused
    viewer.show(site.get(target.get_absolute_url()), "thread")
    # The author role's post, one payload at a time (one document would let an unclosed
    # element swallow the payloads after it).
    post = make_post(title="Payloads", slug="payloads", author=author)
    for payload in PAYLOADS:
        post.body = payload
        post.save(editor=author)
        viewer.show(site.get(post.get_absolute_url()), "author's post")
        viewer.show(site.get("/", {"s": payload}), "search")
    # The login page only echoes the username: a sample of every fifth payload.
    for payload in PAYLOADS[::5]:
        answer = site.post("/admin/login/", {"username": payload[:150], "password": "wrong"})
        viewer.show(answer, "login")
    assert viewer.incidents == []
    check_feeds(site, target)


def check_feeds(client, target):
    """Post and comment feeds hold the payloads only as harmless, allow-listed HTML."""
    for url in ("/feed/", "/feed/atom/", "/comments/feed/", f"{target.get_absolute_url()}feed/"):
        feed = feedparser.parse(client.get(url).content)
        assert feed.bozo == 0
        for entry in feed.entries:
            html = entry.get("description", "") + "".join(c.value for c in entry.get("content", []))
            for tag in BeautifulSoup(html, "html.parser").find_all(True):
                assert tag.name in SAFE_TAGS, (url, tag.name)
                assert not [a for a in tag.attrs if a.lower().startswith("on")], (url, tag)
                href = "".join(str(tag.get("href", "")).split()).lower()
                assert not href.startswith(("javascript:", "vbscript:", "data:")), (url, tag)


def test_the_viewer_catches_a_payload_that_runs(viewer):
    """The hooks are not blind: an unsanitized payload is caught."""

    class Raw:
        content = (
            b"<p><img src=x onerror=alert(1)><img src='https://evil.invalid/t.png'>"
            b"<script>confirm(2)</script></p>"
        )

    viewer.show(Raw, "raw")
    kinds = sorted(incident.split(":")[0].split(" ")[0] for incident in viewer.incidents)
    assert "raw" in kinds and "request" in kinds
    assert any("alert(1)" in i for i in viewer.incidents)
    assert any("confirm(2)" in i for i in viewer.incidents)


HOST_PAGE = "<!doctype html><title>Friend</title><main><div id=comments></div></main>"


def test_no_payload_runs_through_another_sites_page_address(settings, viewer, lenient_rules):
    """Each payload in the address and the title of another site's page (the embed's
    ``page_url``, which makes its thread): the fragment embed.js puts into that page with
    ``innerHTML``, on a host page with no Content-Security-Policy of its own, runs
    nothing; every stored address is percent-encoded."""
    import json
    import time

    from rejoinder.discussion.forms import issue_stamp
    from rejoinder.interop.api.mount import api_url
    from rejoinder.publishing.models import Post

    friend = "https://friend.example"
    settings.CORS_ALLOWED_ORIGINS = [friend]
    make_user("site-admin", superuser=True)
    client = Client()
    shown = 0
    for number, payload in enumerate(PAYLOADS):
        # As sent (browsers never send spaces in location.href; these are refused), and
        # with its spaces gone, the form a real attacker would use.
        for variant in {payload, "/".join(payload.split())}:
            page_url = f"{friend}/notes/{number}?x={variant}"
            fields = {
                "name": "Ann", "body": f"Point {number}.", "page_url": page_url,
                "page_title": variant, "issued": issue_stamp(time.time() - 60),
            }  # fmt: skip
            answer = client.post(
                api_url("create_by_url"), json.dumps(fields),
                content_type="application/json", headers={"Origin": friend},
            )  # fmt: skip
            # Refused (400, or 404: not an address of a page that may have a thread here)
            # with a problem document, or taken.
            assert answer.status_code in (201, 400, 404), (answer.status_code, payload)
            if answer.status_code != 201:
                assert answer["Content-Type"] == "application/problem+json"
                continue
            fragment = client.get("/comments/embed/", {"url": page_url}, headers={"Origin": friend})
            assert fragment.status_code == 200
            viewer.html, viewer.headers = HOST_PAGE, {}
            viewer.page.goto(f"{ORIGIN}/page", wait_until="load")
            viewer.page.evaluate(
                "html => { document.querySelector('#comments').innerHTML = html; }",
                fragment.content.decode(),
            )
            viewer.page.wait_for_timeout(1)  # let an image's error handler fire
            for call in viewer.page.evaluate("window.__xss"):
                viewer.incidents.append(f"page_url {number}: {call}")
            shown += 1
    assert shown > 450
    assert viewer.incidents == []
    for address in Post.objects.external().values_list("external_url", flat=True):
        assert not any(char in address for char in '"<> \\`{}|^'), address
