"""Notification email, end to end: comments posted, the queue worked, mail received.

The mail goes through a real SMTP server the tests start (aiosmtpd), by the worker's own
loop. Transactional tests, so the commit hooks that queue the mail really run.
"""

import datetime
import itertools
import logging
import smtplib
import time
from urllib.parse import urlsplit

import pytest
from django.core import signing
from django.core.cache import caches
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from rejoinder.discussion.comments import create_comment, set_status
from rejoinder.discussion.models import Comment
from rejoinder.discussion.plaintext import html_to_plain_text
from rejoinder.discussion.thread.locations import post_comment_url
from rejoinder.discussion.views import with_query
from rejoinder.notifications import messages, recipients, subscriptions, tokens
from rejoinder.notifications.models import Subscriber, Subscription
from rejoinder.notifications.tasks import describe_failure, is_temporary, notify_subscribers
from tests.factories import comment_form, make_comment, make_post, make_user
from tests.html import soup
from tests.mailserver import MailServer, run_worker, send_through

SITE = "https://blog.example.org"
READER = "reader@example.org"


@pytest.fixture
def mail(settings, transactional_db, lenient_rules):
    """A running SMTP server, and the site sending through it.

    With a transactional database: the commit hooks that queue the mail must really run.
    """
    server = MailServer()
    server.start()
    send_through(settings, server)
    settings.SITE_URL = SITE
    yield server
    server.stop()


@pytest.fixture
def post(author):
    author.email = "author@example.org"
    author.first_name, author.last_name = "Ada", "Author"
    author.save()
    return make_post(title="On bridges", author=author)


def path_of(url):
    """The path of one of the site's absolute links, for the test client."""
    assert url.startswith(SITE + "/"), url
    return urlsplit(url).path


def assert_plain_page(response):
    """A page of the site's theme: no inline script or style (the CSP forbids them)."""
    page = response.content.decode()
    assert "<script" not in page and "style=" not in page and "<style" not in page
    assert response["X-Robots-Tag"] == "noindex"


def link(text, path_part):
    """The one link in a text part whose address contains ``path_part``."""
    found = [word.strip("<>") for word in text.split() if path_part in word]
    assert len(found) == 1, text
    return found[0]


def labelled(text, label):
    """The address on the text part's line "<label>: <address>"."""
    [line] = [line for line in text.splitlines() if line.startswith(f"{label}: ")]
    return line.removeprefix(f"{label}: ")


_bodies = itertools.count(1)


def post_as_reader(client, post, **fields):
    """Post through the form as a reader's browser does (each text new: no duplicates)."""
    fields.setdefault("body", f"Thought number {next(_bodies)}.")
    response = client.post(post_comment_url(post), comment_form(**fields))
    assert response.status_code == 303, response.content.decode()[:2000]
    return Comment.objects.latest("pk")


def confirmed_subscriber(email, post, comment=None):
    now = timezone.now()
    subscriber, _created = Subscriber.objects.get_or_create(
        email=email, defaults={"confirmed_at": now}
    )
    Subscription.objects.create(subscriber=subscriber, post=post, comment=comment, confirmed_at=now)
    return subscriber


def confirmations(mail, address=READER):
    return [m for m in mail.to(address) if m["Subject"].startswith("Confirm")]


def past_the_window(settings, email=READER):
    """As if the last confirmation to ``email`` went before the window opened."""
    hours = settings.NOTIFY_CONFIRM_HOURS + 1
    Subscriber.objects.filter(email=email).update(
        confirmation_sent_at=timezone.now() - datetime.timedelta(hours=hours)
    )
    caches["limits"].clear()  # where the address's window is also counted


def test_the_author_is_emailed_each_new_comment(mail, post):
    """The author gets the comment, a link to it, why, and spam / trash links."""
    comment = make_comment(
        post, name="Bea <i>B</i>", body="Bridges *sway*, [see](https://example.org/)."
    )
    run_worker()
    [received] = mail.received
    assert received.recipients == ["author@example.org"]
    assert received["To"] == "Ada Author <author@example.org>"
    assert received["Subject"] == "New comment on “On bridges”"
    assert received["Auto-Submitted"] == "auto-generated"
    assert received["List-Unsubscribe"] is None
    assert "Bridges sway, see <https://example.org/>." in received.text
    assert "<em>sway</em>" in received.html
    assert "<strong>Bea &lt;i&gt;B&lt;/i&gt;</strong> wrote" in received.html
    assert "Bea <i>B</i> wrote" in received.text
    for part in (received.text, received.html):
        assert f"{SITE}{post.get_absolute_url()}#comment-{comment.pk}" in part
        assert "because you wrote “On bridges”" in part
    spam_link = labelled(received.text, "Mark as spam")
    assert spam_link.startswith(f"{SITE}/comments/moderate/")
    assert "Approve:" not in received.text
    assert Client().get(path_of(spam_link)).context["danger"] is True
    response = Client().post(path_of(spam_link))
    assert response.status_code == 200
    assert response.context["published"] is False
    assert "See it on the post" not in response.content.decode()
    comment.refresh_from_db()
    assert comment.status == Comment.Status.SPAM


def test_the_author_approves_a_held_comment_through_the_link(mail, post):
    """A held comment's email links to a page that shows it; only its button approves."""
    comment = make_comment(post, name="Cy", body="Held for a look.", status="pending")
    run_worker()
    [received] = mail.received
    assert received["Subject"] == "Comment awaiting moderation on “On bridges”"
    assert "Held for a look." in received.text and "Held for a look." in received.html
    path = path_of(labelled(received.text, "Approve"))
    client = Client(enforce_csrf_checks=True)
    page = client.get(path)
    assert page.status_code == 200
    assert "Held for a look." in page.content.decode()
    assert_plain_page(page)
    # The template is handed decisions, not status strings to compare.
    assert page.context["danger"] is False
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING, "a mail scanner's GET changes nothing"
    done = client.post(path)
    assert done.status_code == 200
    assert done.context["done"] is True and done.context["published"] is True
    assert "See it on the post" in done.content.decode()
    comment.refresh_from_db()
    assert comment.status == Comment.Status.APPROVED
    # The link did its work: used again, it says the comment was decided already.
    again = client.post(path)
    assert again.status_code == 409
    assert again.context["decided"] is True
    assert "moderated already" in again.content.decode()
    assert '<form method="post">' not in again.content.decode()


def test_moderation_links_must_be_ours_and_recent(mail, post):
    """A forged link is refused, an expired one says so, and neither changes anything."""
    comment = make_comment(post, status="pending")
    token = tokens.moderation_token(comment, "approve")
    value, signature = token.rsplit(":", 1)
    forged = f"{value}:{signature[::-1]}"
    assert Client().post(f"/comments/moderate/{forged}/").status_code == 404

    class EightDaysAgo(signing.TimestampSigner):
        def timestamp(self):
            return signing.b62_encode(int(time.time()) - 8 * 24 * 3600)

    old = EightDaysAgo(salt="rejoinder.discussion.moderate").sign(value.rsplit(":", 1)[0])
    response = Client().post(f"/comments/moderate/{old}/")
    assert response.status_code == 410
    assert response.context["expired"] is True
    assert "expired" in response.content.decode()
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING


def moderation_links(message):
    return {
        action: path_of(labelled(message.text, label))
        for action, label in tokens.MODERATION_LABELS.items()
        if f"{label}: " in message.text
    }


@pytest.mark.parametrize("first", ["approve", "trash"])
def test_a_moderation_link_works_once_even_when_the_status_comes_back(mail, post, rules, first):
    """One link of the email acts; then none of its links does, even once the comment is
    pending again as the email told (edited by its writer into the queue, or put back by
    a moderator): the page says the link was used or is out of date and points at the
    moderation queue. The email for the new pending state has links that work."""
    rules.moderation = rules.Moderation.ALL
    rules.hold_list = "casino"
    rules.save()
    reader = Client()
    comment = post_as_reader(reader, post, body="A first thought.")
    run_worker()
    [held] = mail.received
    links = moderation_links(held)
    assert set(links) == {"approve", "spam", "trash"}
    assert Client().post(links[first]).context["done"] is True
    if first == "approve":
        edit = reverse("discussion:edit", kwargs={**post.url_kwargs(), "comment": comment.pk})
        assert reader.post(edit, {"body": "Now with casino links."}).status_code == 303
    else:
        set_status(comment, Comment.Status.PENDING)  # a moderator's second thought
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING  # as the email told it, once again
    for action, path in links.items():
        response = Client().post(path)
        assert response.status_code == 409, action
        assert response.context["decided"] is True
        page = soup(response)
        assert "used or is out of date" in page.select_one("h1").get_text()
        assert page.select_one("main a[href='/admin/discussion/comment/queue/']") is not None
        assert page.select_one("form[method=post]") is None
        comment.refresh_from_db()
        assert comment.status == Comment.Status.PENDING, action
    fresh = messages.build_message("author_moderation", comment_id=comment.pk)
    approve = path_of(labelled(fresh.body, tokens.MODERATION_LABELS["approve"]))
    assert Client().post(approve).context["done"] is True
    comment.refresh_from_db()
    assert comment.status == Comment.Status.APPROVED
    assert Client().post(approve).status_code == 409


def test_the_author_is_not_told_of_their_own_comment_or_spam(mail, post):
    """No email to the author about their own comment, nor about one sent to spam."""
    make_comment(post, user=post.author, body="Thanks, all.")
    make_comment(post, body="Buy now", status="spam")
    run_worker()
    assert mail.received == []


def test_a_signed_in_reader_is_emailed_replies(mail, post):
    """An account's address needs no confirmation; the reply mail carries RFC 8058 headers."""
    editor = make_user("dora", role="editor", email="dora@example.org", first_name="Dora")
    client = Client()
    client.force_login(editor)
    own = post_as_reader(client, post, body="My first thought.", notify_replies="on")
    subscriber = Subscriber.objects.get(email="dora@example.org")
    assert subscriber.confirmed_at is not None
    run_worker()
    mail.received.clear()  # the author's copy of Dora's comment
    reply = make_comment(post, parent=own, name="Eve", body="I disagree, Dora.")
    run_worker()
    [received] = mail.to("dora@example.org")
    assert received["Subject"] == "New reply to your comment on “On bridges”"
    assert received["To"] == "dora@example.org"
    unsubscribe = link(received.text, "/comments/unsubscribe/")
    assert received["List-Unsubscribe"] == f"<{unsubscribe}>"
    # On the wire too: an HTTPS address in angle brackets, not an RFC 2047 encoded word.
    assert received.raw_header("List-Unsubscribe").split() == [f"<{unsubscribe}>"]
    assert unsubscribe.startswith(f"{SITE}/comments/unsubscribe/")
    assert received["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert received.message.get_content_type() == "multipart/alternative"
    for part in (received.text, received.html):
        assert "I disagree, Dora." in part
        assert f"#comment-{reply.pk}" in part
        assert "you asked to be emailed replies to your comment on “On bridges”" in part


def test_each_address_is_told_once_and_never_of_its_own_comment(mail, post):
    """Subscribed to the post and to replies: one email (the reply one); the commenter none."""
    parent = make_comment(post, name="Fay", author_email="fay@example.org")
    confirmed_subscriber("fay@example.org", post, comment=parent)
    Subscription.objects.create(subscriber=Subscriber.objects.get(), post=post)
    confirmed_subscriber("gus@example.org", post)
    run_worker()
    mail.received.clear()
    make_comment(post, parent=parent, name="Gus", author_email="Gus@example.org")
    run_worker()
    to_readers = [m for m in mail.received if m.recipients != ["author@example.org"]]
    assert [(m.recipients, m["Subject"]) for m in to_readers] == [
        (["fay@example.org"], "New reply to your comment on “On bridges”")
    ]


def test_a_reader_without_an_account_confirms_first(mail, post, settings):
    """Double opt-in: one confirmation email, nothing else until its page's button is
    pressed. A GET (a mail scanner, a link preview) confirms nothing; the button's POST
    confirms once, and remembers the browser in a signed cookie."""
    settings.SESSION_COOKIE_SECURE = True
    client = Client()
    post_as_reader(client, post, name="Hal", email=READER, notify_all="on")
    run_worker()
    [confirmation] = mail.to(READER)
    assert confirmation["Subject"] == "Confirm your email address for comments on “On bridges”"
    assert confirmation["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    confirm_url = link(confirmation.text, "/comments/confirm/")
    assert confirm_url in confirmation.html
    assert "- every new comment on “On bridges”" in confirmation.text
    make_comment(post, name="Ivy", body="Before confirming.")
    run_worker()
    assert len(mail.to(READER)) == 1, "nothing but the confirmation before confirming"

    # A link scanner fetches the link: a page with one button, and nothing changes.
    path = path_of(confirm_url)
    scanner = Client()
    for _ in range(2):
        page = scanner.get(path)
        assert page.status_code == 200
        assert "<h1>Confirm your address</h1>" in page.content.decode()
        assert "every new comment on" in page.content.decode()
        assert '<form method="post">' in page.content.decode()
        assert_plain_page(page)
        assert not page.cookies
    subscription = Subscription.objects.get(subscriber__email=READER)
    assert subscription.confirmed_at is None
    assert Subscriber.objects.get(email=READER).confirmed_at is None
    make_comment(post, name="Ivy", body="Still not confirmed.")
    run_worker()
    assert len(mail.to(READER)) == 1

    # The button: no CSRF token needed (the token in the address is the authority).
    browser = Client(enforce_csrf_checks=True)
    done = browser.post(path)
    assert done.status_code == 200
    assert "Your address is confirmed" in done.content.decode()
    assert_plain_page(done)
    subscription.refresh_from_db()
    assert subscription.confirmed_at is not None
    assert Subscriber.objects.get(email=READER).confirmed_at is not None
    # Its one cookie: signed, HTTP-only, SameSite=Lax, secure as the session's, a year,
    # and no address in it.
    assert list(done.cookies) == [subscriptions.BROWSER_COOKIE]
    cookie = done.cookies[subscriptions.BROWSER_COOKIE]
    assert cookie["httponly"] and cookie["secure"] and cookie["samesite"] == "Lax"
    assert cookie["max-age"] == 365 * 24 * 3600
    assert "reader" not in cookie.value.lower() and "example" not in cookie.value.lower()

    # The link worked once: the button again, or the link again, says it was used.
    for again in (browser.post(path), Client().get(path)):
        assert again.status_code == 404
        assert "already used or is not valid" in again.content.decode()
        assert not again.cookies

    make_comment(post, name="Ivy", body="After confirming.")
    run_worker()
    latest = mail.to(READER)[-1]
    assert latest["Subject"] == "New comment on “On bridges”"
    assert "After confirming." in latest.text


def test_a_confirmed_address_cannot_be_subscribed_by_someone_else(mail, post, settings):
    """Each subscription is confirmed: a stranger who types a confirmed address gets it
    nothing but, past the window, a confirmation naming the post. The browser that
    confirmed the address is believed at once; a forged cookie is not."""
    tunnels = make_post(title="On tunnels", author=post.author)
    roads = make_post(title="On roads", author=post.author)
    reader = Client()
    post_as_reader(reader, post, email=READER, notify_all="on")
    run_worker()
    [confirmation] = mail.to(READER)
    assert reader.post(path_of(link(confirmation.text, "/comments/confirm/"))).status_code == 200

    # A stranger asks, with the reader's address, for every comment on another post.
    stranger = Client()
    response = stranger.post(
        post_comment_url(tunnels), comment_form(email=READER, notify_all="on", body="Sign up.")
    )
    assert "subscription=" not in response["Location"], "no link went: nothing to promise"
    assert Subscription.objects.get(post=tunnels).confirmed_at is None
    make_comment(tunnels, name="Ivy", body="Deep under the hill.")
    run_worker()
    assert [m["Subject"] for m in mail.to(READER)] == [confirmation["Subject"]]

    # A forged cookie (the digest, unsigned) proves nothing.
    stranger.cookies[subscriptions.BROWSER_COOKIE] = subscriptions._address_digest(READER)
    post_as_reader(stranger, roads, email=READER, notify_all="on")
    assert Subscription.objects.get(post=roads).confirmed_at is None

    # Past the window the address is asked, and told what the link would start.
    past_the_window(settings)
    response = stranger.post(
        post_comment_url(tunnels), comment_form(email=READER, notify_all="on", body="Again.")
    )
    assert "subscription=confirm" in response["Location"]
    run_worker()
    [request] = confirmations(mail)[1:]
    assert request["Subject"] == (
        "Confirm your email address for comments on “On tunnels” and 1 other post"
    )
    for part in (request.text, request.html):
        assert "On tunnels" in part and "On roads" in part
        assert "On bridges" not in part, "the confirmed subscription is not asked again"
    make_comment(tunnels, name="Ivy", body="Still under the hill.")
    run_worker()
    assert not [m for m in mail.to(READER) if "under the hill" in m.text]

    # The reader's own browser, which confirmed the address, is believed at once.
    response = reader.post(
        post_comment_url(roads),
        comment_form(email=READER, notify_replies="on", body="Roads too."),
    )
    assert "subscription=subscribed" in response["Location"]
    mine = Subscription.objects.get(post=roads, comment__isnull=False)
    assert mine.confirmed_at is not None
    assert Subscription.objects.get(post=roads, comment__isnull=True).confirmed_at is None
    assert len(confirmations(mail)) == 2

    # The link starts everything waiting, and the page lists it.
    page = Client().get(path_of(link(request.text, "/comments/confirm/")))
    assert "On tunnels" in page.content.decode() and "On roads" in page.content.decode()
    Client().post(path_of(link(request.text, "/comments/confirm/")))
    assert not Subscription.objects.filter(confirmed_at__isnull=True).exists()


def test_a_browser_remembers_several_confirmed_addresses(mail, post):
    """The cookie holds one keyed digest per address this browser confirmed."""
    browser = Client()
    for address in (READER, "second@example.org"):
        post_as_reader(browser, post, email=address, notify_all="on")
        run_worker()
        [confirmation] = mail.to(address)
        browser.post(path_of(link(confirmation.text, "/comments/confirm/")))
    for address in (READER, "second@example.org"):
        response = browser.post(
            post_comment_url(post),
            comment_form(email=address, notify_replies="on", body=f"Again, {address}."),
        )
        assert "subscription=subscribed" in response["Location"]
    response = browser.post(
        post_comment_url(post),
        comment_form(email="third@example.org", notify_replies="on", body="A third."),
    )
    assert "subscription=confirm" in response["Location"]


def test_rfc8058_one_click_post_unsubscribes(mail, post):
    """The POST a mail provider sends: 200 with no redirect, and no more mail."""
    confirmed_subscriber(READER, post)
    make_comment(post, name="Jo")
    run_worker()
    [received] = mail.to(READER)
    url = received["List-Unsubscribe"].strip("<>")
    # No cookie, no CSRF token: the provider has neither.
    response = Client(enforce_csrf_checks=True).post(
        path_of(url),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert not Subscription.objects.filter(subscriber__email=READER).exists()
    make_comment(post, name="Jo")
    run_worker()
    assert len(mail.to(READER)) == 1


def test_the_unsubscribe_link_works_in_one_click(mail, post):
    """GET on the link in the text unsubscribes and says so; the link stays harmless."""
    confirmed_subscriber(READER, post)
    make_comment(post, name="Kit")
    run_worker()
    [received] = mail.to(READER)
    path = path_of(link(received.text, "/comments/unsubscribe/"))
    page = Client().get(path)
    assert page.status_code == 200
    assert "You will no longer get email about new comments on" in page.content.decode()
    assert_plain_page(page)
    assert not page.cookies
    assert not Subscription.objects.filter(subscriber__email=READER).exists()
    assert Client().get(path).status_code == 200
    assert Client().get(path[:-3] + "xx/").status_code == 404


def test_a_second_confirmation_waits_for_the_window(mail, post, settings):
    """Asking again (in any letter case) within the window sends nothing more."""
    other = make_post(title="On tunnels", author=post.author)
    client = Client()
    post_as_reader(client, post, email=READER, notify_replies="on")
    post_as_reader(client, other, email=READER, notify_all="on")
    post_as_reader(client, other, email="Reader@Example.org", notify_all="on")
    run_worker()
    [confirmation] = [m for m in mail.received if "Confirm" in m["Subject"]]
    assert confirmation["Subject"] == (
        "Confirm your email address for comments on “On bridges” and 1 other post"
    )
    assert "- replies to your comment on “On bridges”" in confirmation.text
    assert "- every new comment on “On tunnels”" in confirmation.text
    subscriber = Subscriber.objects.get(email=READER)
    assert subscriber.subscriptions.count() == 2, "the subscriptions wait for confirmation"
    # After the window a reminder may go.
    past_the_window(settings)
    post_as_reader(client, post, email=READER, notify_all="on")
    run_worker()
    confirmations = [m for m in mail.to(READER) if "Confirm" in m["Subject"]]
    assert len(confirmations) == 2
    # The same token: both links work (once).
    assert link(confirmations[0].text, "/confirm/") == link(confirmations[1].text, "/confirm/")


def test_one_ip_address_cannot_ask_for_mail_without_limit(mail, post, settings):
    """Past the hourly cap the boxes are ignored: no subscriber, no mail."""
    settings.NOTIFY_IP_HOURLY = 2
    client = Client(REMOTE_ADDR="198.51.100.7")
    for n in range(3):
        post_as_reader(client, post, email=f"victim{n}@example.org", notify_all="on")
    run_worker()
    confirmed = sorted(m.recipients[0] for m in mail.received if "Confirm" in m["Subject"])
    assert confirmed == ["victim0@example.org", "victim1@example.org"]
    assert not Subscriber.objects.filter(email="victim2@example.org").exists()
    # Another address is counted on its own.
    post_as_reader(Client(REMOTE_ADDR="198.51.100.8"), post, email=READER, notify_all="on")
    assert Subscriber.objects.filter(email=READER).exists()


@pytest.mark.parametrize(
    ("first", "second", "third"),
    [
        ("2001:db8:5:6::1", "2001:db8:5:6:ffff::2", "2001:db8:5:6:1:2:3:4"),
        ("198.51.100.9", "::ffff:198.51.100.9", "198.51.100.9"),
    ],
)
def test_the_ip_limit_counts_an_ipv6_block_and_a_mapped_ipv4_address_as_one(
    mail, post, settings, first, second, third
):
    """The addresses of one /64 count as one client, and so do an IPv4 address and the
    same address mapped into IPv6."""
    settings.NOTIFY_IP_HOURLY = 2
    for n, address in enumerate((first, second, third)):
        post_as_reader(
            Client(REMOTE_ADDR=address), post, email=f"victim{n}@example.org", notify_all="on"
        )
    asked = set(Subscriber.objects.values_list("email", flat=True))
    assert asked == {"victim0@example.org", "victim1@example.org"}
    # Another /64, or another IPv4 address, is counted on its own.
    elsewhere = "2001:db8:5:7::1" if ":" in first else "198.51.100.10"
    post_as_reader(Client(REMOTE_ADDR=elsewhere), post, email=READER, notify_all="on")
    assert Subscriber.objects.filter(email=READER).exists()


def test_mail_waits_in_the_queue_while_the_server_is_down(mail, post):
    """A failed send is queued again for later, and goes out once the server is back."""
    confirmed_subscriber(READER, post)
    mail.stop()
    comment = make_comment(post, name="Lou", body="Sent while the server was down.")
    run_worker()
    assert mail.received == []
    retries = DBTaskResult.objects.filter(status=TaskResultStatus.READY)
    assert retries.count() == 2  # the author's and the reader's
    for retry in retries:
        assert retry.run_after > timezone.now() + datetime.timedelta(seconds=30)
        assert retry.args_kwargs["kwargs"]["attempt"] == 2
    failed = DBTaskResult.objects.filter(status=TaskResultStatus.FAILED)
    assert failed.count() == 2
    assert all("DeliveryDeferred" in result.exception_class_path for result in failed)

    run_worker()  # not due yet: nothing happens
    assert retries.count() == 2

    mail.start()
    retries.update(run_after=timezone.now() - datetime.timedelta(seconds=1))
    run_worker()
    assert sorted(m.recipients[0] for m in mail.received) == ["author@example.org", READER]
    assert "Sent while the server was down." in mail.to(READER)[0].text
    assert f"#comment-{comment.pk}" in mail.to(READER)[0].text
    assert not DBTaskResult.objects.filter(status=TaskResultStatus.READY).exists()


def test_a_moderated_comment_is_announced_once(mail, post):
    """Approving a held comment tells subscribers; approving it again tells no one twice,
    whatever became of the queue's records (they may be pruned)."""
    confirmed_subscriber(READER, post)
    comment = make_comment(post, name="Max", status="pending")
    run_worker()
    assert mail.to(READER) == []
    set_status(comment, Comment.Status.APPROVED)
    run_worker()
    assert len(mail.to(READER)) == 1
    comment.refresh_from_db()
    assert comment.announced_at is not None
    DBTaskResult.objects.all().delete()
    set_status(comment, Comment.Status.SPAM)
    set_status(comment, Comment.Status.APPROVED)
    run_worker()
    assert len(mail.to(READER)) == 1
    # Queued twice by hand, as two racing approvals could: still nothing more.
    notify_subscribers.enqueue(comment_id=comment.pk)
    notify_subscribers.enqueue(comment_id=comment.pk)
    run_worker()
    assert len(mail.to(READER)) == 1


def test_announcing_is_claimed_once_and_only_when_published(mail, post):
    """The claim is one conditional update: of two, one wins; a comment unpublished before
    its task ran is not claimed, and is announced when published again."""
    confirmed_subscriber(READER, post)
    comment = make_comment(post, name="Ned", status="pending")
    set_status(comment, Comment.Status.APPROVED)
    set_status(comment, Comment.Status.SPAM)  # before the worker ran
    run_worker()
    assert mail.to(READER) == []
    comment.refresh_from_db()
    assert comment.announced_at is None
    set_status(comment, Comment.Status.APPROVED)
    run_worker()
    assert len(mail.to(READER)) == 1
    other = make_comment(post, name="Ola", status="pending")
    Comment.objects.filter(pk=other.pk).update(status=Comment.Status.APPROVED)
    assert recipients.claim_announcement(other.pk) is True
    assert recipients.claim_announcement(other.pk) is False
    assert notify_subscribers.call(comment_id=other.pk) == 0


def test_a_comment_published_with_no_one_to_tell_counts_as_announced(mail, post):
    """No subscriber yet: the comment is marked announced, so a later subscriber does not
    hear of it when it is published again."""
    comment = make_comment(post, name="Pia")
    comment.refresh_from_db()
    assert comment.announced_at is not None
    confirmed_subscriber(READER, post)
    set_status(comment, Comment.Status.SPAM)
    set_status(comment, Comment.Status.APPROVED)
    run_worker()
    assert mail.to(READER) == []


def test_a_refused_address_is_in_no_log_and_no_task_result(mail, post, caplog):
    """The SMTP server refuses the reader's address (450, then 550): what is logged and
    what the queue stores say the kind, the ids and the SMTP code, never the address."""
    caplog.set_level(logging.DEBUG)
    subscriber = confirmed_subscriber(READER, post)
    mail.refuse(READER, f"450 4.2.2 <{READER}>: mailbox full")
    make_comment(post, name="Quinn", body="Refused for now.")
    run_worker()
    assert mail.to(READER) == [] and len(mail.received) == 1  # the author's
    [deferred] = DBTaskResult.objects.filter(status=TaskResultStatus.FAILED)
    assert deferred.exception_class_path.endswith("DeliveryDeferred")
    assert "SMTPRecipientsRefused, SMTP 450" in deferred.traceback
    subscription = subscriber.subscriptions.get()
    assert f"subscription_id {subscription.pk}" in deferred.traceback

    mail.refuse(READER, f"550 5.1.1 <{READER}>: no such user")
    DBTaskResult.objects.filter(status=TaskResultStatus.READY).update(
        run_after=timezone.now() - datetime.timedelta(seconds=1)
    )
    run_worker()
    [failed] = DBTaskResult.objects.filter(exception_class_path__endswith="DeliveryFailed")
    assert "SMTPRecipientsRefused, SMTP 550" in failed.traceback
    assert not DBTaskResult.objects.filter(status=TaskResultStatus.READY).exists()

    site_records = [r for r in caplog.records if not r.name.startswith("mail.log")]
    messages = [r.getMessage() for r in site_records]
    assert any("SMTP 450" in m for m in messages) and any("SMTP 550" in m for m in messages)
    logged = "\n".join(messages) + "\n".join(
        caplog.handler.formatter.formatException(r.exc_info) for r in site_records if r.exc_info
    )
    assert "Traceback" in logged, "the worker logs the failed tasks' tracebacks"
    stored = [
        str(value)
        for row in DBTaskResult.objects.values()
        for value in row.values()
        if value is not None
    ]
    for text in [logged, *stored]:
        assert READER not in text.lower() and "reader@" not in text.lower()


def test_failures_are_described_without_addresses():
    refused = smtplib.SMTPRecipientsRefused({READER: (450, f"<{READER}> busy".encode())})
    assert describe_failure(refused) == "SMTPRecipientsRefused, SMTP 450"
    assert describe_failure(smtplib.SMTPDataError(554, READER.encode())) == (
        "SMTPDataError, SMTP 554"
    )
    assert describe_failure(ConnectionRefusedError(111, "refused")) == (
        "ConnectionRefusedError, errno 111"
    )


@pytest.mark.parametrize(
    ("error", "temporary"),
    [
        (ConnectionRefusedError(), True),
        (smtplib.SMTPServerDisconnected("gone"), True),
        (smtplib.SMTPResponseException(451, b"try later"), True),
        (smtplib.SMTPAuthenticationError(535, b"bad password"), True),
        (smtplib.SMTPRecipientsRefused({"a@example.org": (550, b"no such user")}), False),
        (smtplib.SMTPDataError(554, b"rejected"), False),
        (ValueError("a bug"), False),
    ],
)
def test_only_failures_that_may_pass_are_retried(error, temporary):
    """An unreachable or busy server is tried again; a permanent refusal or a bug is not."""
    assert is_temporary(error) is temporary


def test_comment_text_keeps_its_shape_in_plain_text():
    """The text part keeps paragraphs, line breaks, quotes, lists, links and code."""
    html = (
        "<p>First line<br>second &amp; last</p>"
        "<blockquote><p>Quoted words</p></blockquote>"
        '<ul><li>one</li><li>two <a href="https://example.org/x">link</a></li></ul>'
        '<ol start="3"><li>three</li></ol><pre><code>a  b\n  c</code></pre>'
    )
    assert html_to_plain_text(html) == (
        "First line\nsecond & last\n\n> Quoted words\n\n- one\n"
        "- two link <https://example.org/x>\n\n3. three\n\na  b\n  c"
    )
    assert messages.html_to_plain_text is html_to_plain_text


def test_the_reader_is_told_what_happens_next(mail, post):
    """After ticking a box: "we have sent a link" for a new address, "you will be emailed"
    for an account's."""
    client = Client()
    response = client.post(
        post_comment_url(post),
        comment_form(name="Hal", email=READER, notify_replies="on", body="Tell me."),
    )
    assert "subscription=confirm" in response["Location"]
    page = client.get(response["Location"]).content.decode()
    assert (
        "We have sent a link to confirm your address (check your inbox, and spam folder)."
    ) in page
    # Asked again within the window: the link sent earlier still starts this one too.
    response = client.post(
        post_comment_url(post),
        comment_form(name="Hal", email=READER, notify_all="on", body="And everything."),
    )
    assert "subscription=confirm" in response["Location"]
    run_worker()
    assert len(confirmations(mail)) == 1
    client.force_login(make_user("mailless"))
    response = client.post(post_comment_url(post), comment_form(notify_all="on", body="Tell me."))
    assert response.status_code == 400
    assert "Email me every new comment on this post: your account has no email address" in (
        response.content.decode()
    )
    client.force_login(make_user("mailed", email="mailed@example.org"))
    response = client.post(
        post_comment_url(post), comment_form(notify_all="on", body="Tell me too.")
    )
    assert "subscription=subscribed" in response["Location"]
    assert "You will be emailed as you asked." in client.get(response["Location"]).content.decode()
    quiet = client.post(post_comment_url(post), comment_form(body="No mail, thanks."))
    assert "subscription=" not in quiet["Location"]


def test_no_link_is_promised_when_none_went(mail, post):
    """ "This was not me" voids the link; asking again within the window sends nothing,
    and the page says nothing of a link either."""
    client = Client()
    post_as_reader(client, post, name="Hal", email=READER, notify_replies="on")
    run_worker()
    [confirmation] = mail.to(READER)
    Client().get(path_of(link(confirmation.text, "/comments/unsubscribe/")))
    assert not Subscriber.objects.get(email=READER).confirm_token
    response = client.post(
        post_comment_url(post),
        comment_form(name="Hal", email=READER, notify_replies="on", body="Once more."),
    )
    assert response.status_code == 303
    assert "subscription=" not in response["Location"]
    assert "link to confirm" not in client.get(response["Location"]).content.decode()
    run_worker()
    assert len(mail.to(READER)) == 1


def test_with_query_encodes_and_keeps_the_rest():
    """The parameter is encoded, after the ones already there and before the fragment."""
    assert with_query("/p/?unapproved=5#awaiting", "subscription", "a b&c") == (
        "/p/?unapproved=5&subscription=a+b%26c#awaiting"
    )
    assert with_query("/p/#comment-3", "subscription", "confirm") == (
        "/p/?subscription=confirm#comment-3"
    )


def test_a_comments_email_is_queued_in_its_transaction_or_not_at_all(mail, post):
    """The queue is a table of the same database: the task commits with the comment, and a
    comment whose transaction fails leaves no task behind to email about it."""
    post_as_reader(Client(), post)
    assert DBTaskResult.objects.count() == 1
    with pytest.raises(RuntimeError), transaction.atomic():
        create_comment(post=post, body="Never saved.", author_name="Bo", enforce_rules=False)
        assert DBTaskResult.objects.count() == 2  # queued before the commit, with it
        raise RuntimeError("the view fails after the comment")
    assert not Comment.objects.filter(body="Never saved.").exists()
    assert DBTaskResult.objects.count() == 1


def test_a_queue_that_cannot_be_written_does_not_fail_the_comment(mail, post, caplog):
    """Its email is lost and logged; the reader's comment is saved all the same."""
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE {DBTaskResult._meta.db_table} RENAME TO broken_queue")
    try:
        with caplog.at_level(logging.ERROR, logger="rejoinder.notifications.receivers"):
            comment = post_as_reader(Client(), post, body="Saved regardless.")
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"ALTER TABLE broken_queue RENAME TO {DBTaskResult._meta.db_table}")
    assert comment.status == Comment.Status.APPROVED and comment.body == "Saved regardless."
    assert f"Notifications for comment {comment.pk} failed" in caplog.text
    assert DBTaskResult.objects.count() == 0
