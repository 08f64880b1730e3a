"""Issue 5's acceptance, in Chromium: a first-time reader is held, approved, and told of
a reply.

Separate browser contexts stand for separate people. The site keeps its default
discussion settings (first-time commenters held, 15 s flood limit per address, forms
refused if sent within 3 s). Each person comes from an address of their own, as real
readers do: the live server is set up behind a trusted proxy (``TRUSTED_PROXIES``) and
each context sends its own ``X-Forwarded-For``; otherwise every browser would be
127.0.0.1 and the second reader's reply would meet the first reader's flood limit. Each
form waits out the 3 s a person needs to type, rather than the rule being switched off.

Email goes through a real SMTP server (aiosmtpd) by the task worker, run in this process
when the test says so, as in ``tests.notifications.test_notifications.py``.
"""

import re
import time

import pytest
from playwright.sync_api import Page, expect

from rejoinder.discussion.models import Comment
from rejoinder.notifications.models import Subscriber
from tests.browser.actions import log_in
from tests.browser.test_seed_thread import watch
from tests.factories import make_post, make_user
from tests.mailserver import MailServer, run_worker, send_through
from tests.notifications.test_notifications import link

TITLE = "Should the old bridge be rebuilt?"
ALMA = "a@example.org"
ALMA_SAYS = "The old bridge carried twice the traffic the council report admits."
BRUNO_SAYS = "The report counts lorries, not cars: see the table on page 12."
CONFIRM_SUBJECT = f"Confirm your email address for comments on “{TITLE}”"
REPLY_SUBJECT = f"New reply to your comment on “{TITLE}”"
AWAITING = "Your comment is awaiting moderation."


@pytest.fixture
def console_errors():
    """Every console error and uncaught exception of the pages opened with ``watch``."""
    return []


@pytest.fixture
def mail(settings, live_server):
    """A running SMTP server, the site sending through it with links to the live server,
    and the live server behind a trusted proxy (each person's ``X-Forwarded-For`` counts).
    """
    server = MailServer()
    server.start()
    send_through(settings, server)
    settings.SITE_URL = live_server.url
    settings.TRUSTED_PROXIES = ["127.0.0.1", "::1"]
    yield server
    server.stop()


def person(new_context, errors, address):
    """A watched page in a browser of its own, coming from ``address``."""
    return watch(new_context(extra_http_headers={"X-Forwarded-For": address}), errors)


def wait_as_a_person_types(opened_at, rules):
    """Wait until the form is ``rules.min_form_seconds`` old: faster is refused as a bot."""
    remaining = rules.min_form_seconds - (time.monotonic() - opened_at)
    if remaining > 0:
        time.sleep(remaining)


def fill_and_submit(page: Page, opened_at, rules, body, name, email, replies=False):
    """Fill the form ``#respond`` wherever it is and post it once it is old enough."""
    form = page.locator("form#respond")
    form.get_by_label("Name", exact=True).fill(name)
    form.get_by_label("Email", exact=True).fill(email)
    form.get_by_label("Comment", exact=True).fill(body)
    if replies:
        form.get_by_label("Email me replies to my comment", exact=True).check()
    wait_as_a_person_types(opened_at, rules)
    form.get_by_role("button", name="Post comment").click()


def held(page: Page, post_url, body, query=""):
    """The writer lands on the post with their held comment above the thread; its id."""
    landed = re.compile(rf"^{re.escape(post_url)}\?unapproved=(\d+){re.escape(query)}#awaiting$")
    expect(page).to_have_url(landed)
    box = page.locator("#awaiting")
    expect(box).to_contain_text(AWAITING)
    expect(box.locator(".awaiting-text")).to_have_text(body)
    comment_id = int(landed.match(page.url).group(1))
    # Not in the thread itself: only the box shows it, to its writer.
    expect(page.locator(f"#comment-{comment_id}")).to_have_count(0)
    return comment_id


def follow_confirmation(page: Page, url):
    """Open the link of the confirmation email; press the page's button if it has one."""
    page.goto(url)
    buttons = page.locator("main").get_by_role("button")
    if buttons.count() > 1:
        buttons = buttons.filter(has_text=re.compile("confirm", re.IGNORECASE))
    if buttons.count():
        buttons.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your address is confirmed")


def approve_in_queue(page: Page, comment_id, body, in_reply_to=None):
    """From the admin's index, open the queue through the header's badge and approve the
    comment, held as a first comment (with the text it answers, for a reply)."""
    page.goto("/admin/")
    page.get_by_role("link", name="Moderation queue (1)").click()
    expect(page.get_by_role("heading", name="Moderation queue")).to_be_visible()
    row = page.locator(f"#queue-{comment_id}")
    expect(row.locator(".queue-body")).to_have_text(body)
    expect(row.locator(".queue-reasons")).to_have_text("first comment")
    if in_reply_to is not None:
        name, text = in_reply_to
        expect(row.locator(".queue-parent")).to_contain_text(f"In reply to {name}: {text}")
    row.get_by_role("button", name="Approve", exact=True).click()
    expect(page.locator(".messagelist .success")).to_have_text("1 comment approved.")
    expect(page.locator(f"#queue-{comment_id}")).to_have_count(0)
    expect(page.get_by_role("link", name="Moderation queue (0)")).to_be_visible()


def subjects(mails):
    return [received["Subject"] for received in mails]


def test_a_first_time_readers_comment_is_held_approved_and_answered(
    live_server, new_context, console_errors, mail, rules
):
    """Alma, commenting for the first time and asking for replies, is told her comment
    awaits moderation; only she sees it. The worker sends her one email, a confirmation,
    which she follows. A moderator approves her comment in the queue and, on reloading,
    she finds it in the thread. Bruno replies to it through its Reply link; his reply is
    held too until the moderator approves it; then the worker sends Alma one reply email
    with Bruno's text and a link to it, which shows the reply under her comment. No page
    logs an error to its console.
    """
    # The defaults this test is about, and those its timing depends on.
    assert rules.moderation == rules.Moderation.FIRST_TIME
    assert (rules.trusted_after, rules.min_form_seconds, rules.flood_seconds) == (1, 3, 15)
    author = make_user("bridgewriter", role="author", email="writer@example.org")
    post = make_post(title=TITLE, author=author)
    post_url = live_server.url + post.get_absolute_url()
    moderator_user = make_user("mod", role="moderator")

    alma = person(new_context, console_errors, "198.51.100.11")
    stranger = person(new_context, console_errors, "198.51.100.12")
    moderator = person(new_context, console_errors, "198.51.100.13")
    bruno = person(new_context, console_errors, "198.51.100.14")

    # Alma comments for the first time, asking to be emailed replies.
    alma.goto(post_url)
    opened_at = time.monotonic()
    expect(alma.locator("form#respond .respond-title")).to_have_text("Leave a comment")
    fill_and_submit(alma, opened_at, rules, ALMA_SAYS, "Alma", ALMA, replies=True)
    alma_id = held(alma, post_url, ALMA_SAYS, query="&subscription=confirm")
    landing = alma.url
    expect(alma.locator("#comments")).to_contain_text("a link to confirm your address")
    expect(alma.locator("#comments-heading")).to_have_text("0 comments")
    comment = Comment.objects.get(pk=alma_id)
    assert (comment.status, comment.author_email) == (Comment.Status.PENDING, ALMA)
    assert comment.ip_address == "198.51.100.11"

    # Someone else opening the very same link sees nothing of it.
    stranger.goto(landing)
    expect(stranger.locator("#comments-heading")).to_have_text("0 comments")
    expect(stranger.locator("#awaiting")).to_have_count(0)
    expect(stranger.locator("body")).not_to_contain_text(ALMA_SAYS)
    expect(stranger.locator("body")).not_to_contain_text(AWAITING)

    # The worker sends Alma a confirmation, and nothing else.
    run_worker()
    assert subjects(mail.to(ALMA)) == [CONFIRM_SUBJECT]
    [confirmation] = mail.to(ALMA)
    confirm_url = link(confirmation.text, "/comments/confirm/")
    assert confirm_url.startswith(f"{live_server.url}/comments/confirm/")
    follow_confirmation(alma, confirm_url)
    assert Subscriber.objects.get(email=ALMA).confirmed_at is not None

    # The moderator approves her comment in the queue.
    log_in(moderator, moderator_user.username)
    approve_in_queue(moderator, alma_id, ALMA_SAYS)
    assert Comment.objects.get(pk=alma_id).status == Comment.Status.APPROVED

    # Alma, opening again the page she landed on, finds her comment in the thread.
    alma.goto(landing)
    expect(alma.locator(f"#comment-{alma_id} .e-content")).to_have_text(ALMA_SAYS)
    expect(alma.locator("#awaiting")).to_have_count(0)
    expect(alma.locator("#comments-heading")).to_have_text("1 comment")
    stranger.goto(post_url)
    expect(stranger.locator(f"#comment-{alma_id} .e-content")).to_have_text(ALMA_SAYS)

    # Bruno, a first-time commenter too, replies to her through its Reply link.
    bruno.goto(post_url)
    opened_at = time.monotonic()
    parent = bruno.locator(f"article#comment-{alma_id}")
    parent.locator(":scope > .comment-body").get_by_role(
        "link", name="Reply to Alma", exact=True
    ).click()
    expect(parent.locator(":scope > form#respond")).to_be_visible()
    expect(bruno).to_have_url(post_url)
    expect(bruno.locator("form#respond input[name=parent]")).to_have_value(str(alma_id))
    fill_and_submit(bruno, opened_at, rules, BRUNO_SAYS, "Bruno", "b@example.org")
    bruno_id = held(bruno, post_url, BRUNO_SAYS)
    assert Comment.objects.get(pk=bruno_id).parent_id == alma_id

    # Held, the reply tells Alma nothing yet.
    run_worker()
    assert subjects(mail.to(ALMA)) == [CONFIRM_SUBJECT]

    # The moderator approves the reply, shown with what it answers.
    approve_in_queue(moderator, bruno_id, BRUNO_SAYS, in_reply_to=("Alma", ALMA_SAYS))
    assert Comment.objects.get(pk=bruno_id).status == Comment.Status.APPROVED

    # The worker now sends Alma exactly one reply email.
    run_worker()
    assert subjects(mail.to(ALMA)) == [CONFIRM_SUBJECT, REPLY_SUBJECT]
    reply_mail = mail.to(ALMA)[-1]
    assert reply_mail.recipients == [ALMA]
    reply_url = f"{post_url}#comment-{bruno_id}"
    for part in (reply_mail.text, reply_mail.html):
        assert BRUNO_SAYS in part
        assert reply_url in part
    assert link(reply_mail.text, f"#comment-{bruno_id}") == reply_url

    # The link shows Bruno's reply under her comment.
    alma.goto(reply_url)
    answer = alma.locator(f"#comment-{alma_id} #comment-{bruno_id}")
    expect(answer.locator(".e-content")).to_have_text(BRUNO_SAYS)
    expect(answer).to_be_in_viewport()

    assert console_errors == []
