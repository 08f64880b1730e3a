"""The moderation queue: who may see it, what it shows, and the decisions taken from it."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from rejoinder.discussion.models import Comment, SpamToken
from tests.factories import comment_form, make_comment, make_post, make_user
from tests.html import soup, text_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("lenient_rules")]

QUEUE = "admin:discussion_comment_queue"
DECIDE = "admin:discussion_comment_decide"
# A page of the queue: session, account, its permissions (two), the tabs' counts, the
# page's count, its rows, the commenters' histories; whatever the page holds.
QUERIES_PER_PAGE = 8


@pytest.fixture
def moderator(client):
    user = make_user("mod", role="moderator")
    client.force_login(user)
    return user


def waiting(post, *, reasons="", score=None, minutes_ago=0, **fields):
    """A pending comment (or ``status``) as the rules would have left it."""
    fields.setdefault("status", Comment.Status.PENDING)
    created = timezone.now() - datetime.timedelta(minutes=minutes_ago)
    flagged = fields.pop("flagged", False)
    comment = make_comment(post, created_at=created, **fields)
    Comment.objects.filter(pk=comment.pk).update(
        hold_reasons=reasons, spam_score=score, flagged=flagged
    )
    comment.refresh_from_db()
    return comment


def item(page, comment):
    found = page.select_one(f"#queue-{comment.pk}")
    assert found is not None, f"comment {comment.pk} is not in the queue"
    return found


def listed(response):
    return [int(article["data-comment"]) for article in soup(response).select(".queue-item")]


def submit(client, form, button=None, **typed):
    """Send a form of the page as a browser would: its fields, plus the button pressed.

    Checkboxes tied to the form by ``form="<id>"`` are sent when ``checked``.
    """
    data = {}
    for field in form.select("input[type=hidden], input[type=text], select"):
        name = field.get("name")
        if field.name == "select":
            data[name] = field.select_one("option")["value"]
        elif name:
            data[name] = field.get("value", "")
    data.update(typed)
    if button is not None:
        data[button["name"]] = button["value"]
    if form.get("id"):
        page = form.find_parent("html")
        boxes = page.select(f'input[type=checkbox][form="{form["id"]}"][checked]')
        data["comment"] = [box["value"] for box in boxes]
    return client.post(form["action"], data)


def decide(client, action, *chosen, reason=None):
    data = {"action": action, "comment": [c.pk for c in chosen], "tab": "pending", "page": "1"}
    if reason is not None:
        data["reason"] = reason
    return client.post(reverse(DECIDE), data)


def messages_after(client, response):
    assert response.status_code == 303
    assert response["Location"].startswith(reverse(QUEUE))
    page = soup(client.get(response["Location"]))
    return [li.get_text(" ", strip=True) for li in page.select(".messagelist li")]


def status_of(comment):
    return Comment.objects.get(pk=comment.pk).status


# Who may see it


def test_moderators_and_editors_see_the_queue_authors_and_readers_do_not(client):
    """The change-comment permission opens it; others get 403, and readers the login."""
    url = reverse(QUEUE)
    assert client.get(url).status_code == 302
    assert client.get(url)["Location"].startswith(reverse("admin:login"))
    for role, expected in [("moderator", 200), ("editor", 200), ("author", 403)]:
        client.force_login(make_user(f"a-{role}", role=role))
        assert client.get(url).status_code == expected, role
        assert decide(client, "approve").status_code == (303 if expected == 200 else 403)


def test_decisions_are_taken_by_post_only(client, moderator):
    """A GET on the decision address changes nothing."""
    comment = waiting(make_post())
    response = client.get(reverse(DECIDE), {"action": "approve", "comment": comment.pk})
    assert response.status_code == 405
    assert status_of(comment) == Comment.Status.PENDING


# What it shows


def test_pending_comments_newest_first_with_what_a_decision_needs(client, moderator):
    """Each comment with its post and count, its parent's text, the commenter's details and
    history, the spam score and why it was held; newest first."""
    post = make_post(title="Budget <night>")
    parent = make_comment(post, body="Fish & chips are **great**", name="Parent")
    make_comment(post, author_email="old@example.org")
    waiting(post, author_email="old@example.org", status=Comment.Status.SPAM)
    older = waiting(post, minutes_ago=30, author_email="new@example.org")
    newest = waiting(
        post,
        parent=parent,
        body="I <b>agree</b> with [this](https://example.org/)",
        name="Old Hand",
        author_email="old@example.org",
        ip_address="203.0.113.7",
        reasons="first comment; 2 links",
        score=0.834,
    )
    response = client.get(reverse(QUEUE))
    assert response.status_code == 200
    assert listed(response) == [newest.pk, older.pk]
    page = soup(response)
    row = item(page, newest)
    title = row.select_one("h2")
    assert title.get_text(" ", strip=True) == "Old Hand on Budget <night>"
    assert title.select_one("a")["href"] == post.get_absolute_url()
    assert row.select_one(".queue-post-count").get_text() == "(2 approved comments)"
    parent_text = row.select_one(".queue-parent").get_text(" ", strip=True)
    assert parent_text == "In reply to Parent : Fish & chips are great"
    # The comment's own sanitized HTML: the link kept, the tag typed as text escaped.
    body = row.select_one(".queue-body")
    assert body.select_one("a")["href"] == "https://example.org/"
    assert body.select_one("b") is None
    facts = {
        dt.get_text(strip=True): dt.find_next_sibling("dd").get_text(" ", strip=True)
        for dt in row.select(".queue-facts dt")
    }
    assert facts["Email"] == "old@example.org"
    assert facts["IP address"] == "203.0.113.7"
    assert facts["History"] == "1 approved, 1 spam"
    assert facts["Spam score"] == "0.83"
    assert [li.get_text() for li in row.select(".queue-reasons li")] == ["first comment", "2 links"]
    assert item(page, older).select_one(".queue-history").get_text() == "0 approved, 0 spam"


def test_an_account_s_history_is_counted_by_account(client, moderator):
    """A signed-in commenter's record follows the account, whatever address it used."""
    reader = make_user("reader", email="reader@example.org")
    post = make_post()
    for _ in range(3):
        make_comment(post, user=reader)
    make_comment(post, user=reader, author_email="older@example.org")
    pending = waiting(post, user=reader)
    row = item(soup(client.get(reverse(QUEUE))), pending)
    assert row.select_one(".queue-history").get_text() == "4 approved, 0 spam"


def test_tabs_hold_pending_held_and_spam(client, moderator):
    """Held is pending with a rule's reason; spam is its own tab; each tab shows its count."""
    post = make_post()
    held = waiting(post, reasons="hold list: casino", flagged=True)
    plain = waiting(post)
    junk = waiting(post, status=Comment.Status.SPAM, reasons="block list: viagra", score=0.99)
    make_comment(post)  # approved: in no tab
    url = reverse(QUEUE)
    assert set(listed(client.get(url))) == {held.pk, plain.pk}
    assert listed(client.get(url, {"tab": "held"})) == [held.pk]
    assert listed(client.get(url, {"tab": "spam"})) == [junk.pk]
    assert set(listed(client.get(url, {"tab": "nonsense"}))) == {held.pk, plain.pk}
    tabs = [a.get_text() for a in soup(client.get(url)).select(".queue-tabs a")]
    assert tabs == ["Pending (2)", "Held by the rules (1)", "Spam (1)"]


def test_the_queue_pages_by_fifty(client, moderator):
    """50 a page, the 51st on page 2; a page number out of range shows the last page."""
    post = make_post()
    made = [waiting(post, minutes_ago=n) for n in range(51)]
    first = client.get(reverse(QUEUE))
    assert listed(first) == [c.pk for c in made[:50]]
    assert soup(first).select_one(".queue-pages a[rel=next]") is not None
    assert listed(client.get(reverse(QUEUE), {"page": "2"})) == [made[50].pk]
    assert listed(client.get(reverse(QUEUE), {"page": "99"})) == [made[50].pk]


def test_a_page_costs_the_same_queries_whatever_it_holds(
    client, moderator, django_assert_max_num_queries
):
    """Posts, parents, accounts and histories come in fixed queries, not one per row."""
    with CaptureQueriesContext(connection) as empty:
        client.get(reverse(QUEUE))
    for n in range(50):
        post = make_post()
        parent = make_comment(post, author_email=f"p{n}@example.org")
        user = make_user(f"acct{n}") if n % 2 else None
        waiting(post, parent=parent, author_email=f"r{n}@example.org", user=user, score=0.5)
    with django_assert_max_num_queries(QUERIES_PER_PAGE):
        response = client.get(reverse(QUEUE))
    assert len(listed(response)) == 50
    assert len(empty.captured_queries) <= QUERIES_PER_PAGE


# Decisions one by one, through the page's own forms


def row_form(client, comment, action):
    row = item(soup(client.get(reverse(QUEUE))), comment)
    button = row.select_one(f'button[name=action][value="{action}"]')
    assert button is not None, f"no {action} button"
    return button.find_parent("form"), button


def test_approve_publishes_the_comment_and_moves_the_count(client, moderator):
    """Approve: the comment is shown, the count beside the post's title goes up, and the
    classifier learns it as ham."""
    post = make_post()
    comment = waiting(post, body="Worth reading")
    reader = type(client)()
    assert text_of(reader.get(post.get_absolute_url()), ".entry-title .comment-count") == "0"
    form, button = row_form(client, comment, "approve")
    response = submit(client, form, button)
    assert messages_after(client, response) == ["1 comment approved."]
    comment.refresh_from_db()
    assert (comment.status, comment.trained_as) == (Comment.Status.APPROVED, "ham")
    assert text_of(reader.get(post.get_absolute_url()), ".entry-title .comment-count") == "1"
    assert listed(client.get(reverse(QUEUE))) == []


def documents_learnt():
    """The classifier's (spam, ham) document counts, kept by its empty token."""
    counts = SpamToken.objects.filter(token="").values_list("spam", "ham").first()
    return counts or (0, 0)


def test_spam_moves_it_to_spam_and_trains_the_classifier(client, moderator):
    """Spam: the comment leaves the pending tab for the spam tab; the classifier learns it."""
    comment = waiting(make_post(), body="Cheap pills at example dot com")
    spam_before, ham_before = documents_learnt()
    form, button = row_form(client, comment, "spam")
    assert messages_after(client, submit(client, form, button)) == ["1 comment marked as spam."]
    comment.refresh_from_db()
    assert comment.status == Comment.Status.SPAM
    assert comment.trained_as == "spam"
    assert documents_learnt() == (spam_before + 1, ham_before)
    assert listed(client.get(reverse(QUEUE), {"tab": "spam"})) == [comment.pk]


def test_trash_moves_it_out_of_every_tab(client, moderator):
    comment = waiting(make_post(), status=Comment.Status.SPAM)
    row = item(soup(client.get(reverse(QUEUE), {"tab": "spam"})), comment)
    # A comment already in spam offers no Spam button, but may be approved after all.
    assert row.select_one("button[value=spam]") is None
    assert row.select_one("button[value=approve]") is not None
    button = row.select_one("button[value=trash]")
    response = submit(client, button.find_parent("form"), button)
    assert response["Location"] == f"{reverse(QUEUE)}?tab=spam&page=1"
    assert status_of(comment) == Comment.Status.TRASH
    assert listed(client.get(reverse(QUEUE), {"tab": "spam"})) == []


def test_remove_with_a_reason_leaves_the_reason_and_the_replies(client, moderator):
    """Removed: readers see "Removed by a moderator: <reason>" where it was, replies intact."""
    post = make_post()
    rude = make_comment(post, body="Something rude")
    reply = make_comment(post, parent=rude, body="Please keep it civil")
    # An approved comment is not in the queue; the same endpoint removes it.
    response = decide(client, "remove", rude, reason="Personal attack")
    assert messages_after(client, response) == ["1 comment removed."]
    rude.refresh_from_db()
    assert (rude.status, rude.removal_reason) == (Comment.Status.REMOVED, "Personal attack")
    page = soup(type(client)().get(post.get_absolute_url()))
    shown = page.select_one(f"#comment-{rude.pk}").get_text(" ", strip=True)
    assert "Removed by a moderator: Personal attack" in shown
    assert "Something rude" not in shown
    assert page.select_one(f"#comment-{reply.pk}") is not None
    assert "Please keep it civil" in page.get_text()


def test_remove_through_the_row_form(client, moderator):
    """A queued comment was never published: removing it trashes it, reason on record."""
    comment = waiting(make_post())
    row = item(soup(client.get(reverse(QUEUE))), comment)
    form = row.select_one("form.queue-remove")
    assert row.select_one(f"label[for={form.select_one('input[name=reason]')['id']}]")
    response = submit(client, form, reason="Off topic")
    assert messages_after(client, response) == ["1 comment removed."]
    comment.refresh_from_db()
    assert (comment.status, comment.removal_reason) == (Comment.Status.TRASH, "Off topic")


@pytest.mark.parametrize("reason", ["", "   ", "x" * 301])
def test_a_removal_without_a_fit_reason_is_refused_naming_the_reason(client, moderator, reason):
    """Nothing changes; the message names the field."""
    comments = [waiting(make_post()), waiting(make_post())]
    response = decide(client, "remove", *comments, reason=reason)
    [message] = messages_after(client, response)
    assert message.startswith("Reason:")
    assert [status_of(c) for c in comments] == [Comment.Status.PENDING] * 2


def test_nothing_selected_or_an_unknown_action_is_refused(client, moderator):
    comment = waiting(make_post())
    assert messages_after(client, decide(client, "approve")) == [
        "Comments: select at least one comment."
    ]
    [message] = messages_after(client, decide(client, "publish", comment))
    assert message.startswith("Action:")
    assert status_of(comment) == Comment.Status.PENDING


def test_lock_closes_replies_under_one_comment(client, moderator):
    """Locked: no Reply link under it (nor under its replies), and a reply is refused."""
    post = make_post()
    top = make_comment(post, name="Top")
    below = make_comment(post, parent=top, name="Below")
    other = make_comment(post, name="Other")
    assert messages_after(client, decide(client, "lock", top)) == ["1 comment closed to replies."]
    reader = type(client)()
    page = soup(reader.get(post.get_absolute_url()))
    assert page.select_one(f"#comment-{top.pk} a.reply-link") is None
    assert page.select_one(f"#comment-{below.pk} a.reply-link") is None
    assert page.select_one(f"#comment-{other.pk} a.reply-link") is not None
    assert "Replies closed by a moderator" in page.select_one(f"#comment-{top.pk}").get_text()
    url = reverse("discussion:post_comment", kwargs=post.url_kwargs())
    for parent in (top, below):
        refused = reader.post(url, comment_form(parent=parent.pk, body=f"Reply to {parent.pk}"))
        assert refused.status_code == 400
        assert "Replies to this comment have been closed by a moderator." in refused.text
    assert not Comment.objects.filter(body__startswith="Reply to").exists()
    decide(client, "unlock", top)
    page = soup(reader.get(post.get_absolute_url()))
    assert page.select_one(f"#comment-{top.pk} a.reply-link") is not None


# Decisions in bulk


@pytest.mark.parametrize(
    ("action", "status", "message"),
    [
        ("approve", Comment.Status.APPROVED, "2 comments approved."),
        ("spam", Comment.Status.SPAM, "2 comments marked as spam."),
        ("trash", Comment.Status.TRASH, "2 comments moved to the trash."),
    ],
)
def test_bulk_decisions_apply_to_the_ticked_comments_only(
    client, moderator, action, status, message
):
    post = make_post()
    first, second, untouched = waiting(post), waiting(post), waiting(post)
    page = soup(client.get(reverse(QUEUE)))
    for comment in (first, second):
        item(page, comment).select_one("input[type=checkbox][name=comment]")["checked"] = ""
    form = page.select_one("form#queue-bulk")
    response = submit(client, form, action=action)
    assert messages_after(client, response) == [message]
    assert [status_of(c) for c in (first, second, untouched)] == [status, status, "pending"]
    if action == "approve":
        post.refresh_from_db()
        assert post.comment_count == 2


def test_bulk_remove_and_lock(client, moderator):
    post = make_post()
    chosen = [make_comment(post), make_comment(post)]
    response = decide(client, "remove", *chosen, reason="Spoilers")
    assert messages_after(client, response) == ["2 comments removed."]
    assert {c.removal_reason for c in Comment.objects.filter(pk__in=[c.pk for c in chosen])} == {
        "Spoilers"
    }
    others = [make_comment(post), make_comment(post)]
    assert messages_after(client, decide(client, "lock", *others)) == [
        "2 comments closed to replies."
    ]
    assert all(Comment.objects.get(pk=c.pk).locked for c in others)


# Around the queue


def test_the_admin_header_shows_the_pending_count_to_moderators(client, moderator):
    """The header says “Moderation queue (N)” (pending only) to whoever may moderate."""
    post = make_post()
    waiting(post)
    waiting(post)
    waiting(post, status=Comment.Status.SPAM)
    link = soup(client.get(reverse("admin:index"))).select_one("#user-tools a[href$='/queue/']")
    assert link["href"] == reverse(QUEUE)
    assert link.get_text() == "Moderation queue (2)"
    decide(client, "approve", Comment.objects.pending().first())
    index = soup(client.get(reverse("admin:index")))
    assert index.select_one("#user-tools a[href$='/queue/']").get_text() == "Moderation queue (1)"


def test_no_badge_and_no_count_for_those_who_cannot_moderate(client):
    """Authors see no badge; the login page does not count at all."""
    waiting(make_post())
    with CaptureQueriesContext(connection) as login_page:
        response = client.get(reverse("admin:login"))
    assert "Moderation queue" not in response.text
    assert not [q for q in login_page.captured_queries if "discussion_comment" in q["sql"]]
    client.force_login(make_user("writer", role="author"))
    assert "Moderation queue" not in client.get(reverse("admin:index")).text


def test_the_comment_list_links_to_the_queue(client, moderator):
    page = soup(client.get(reverse("admin:discussion_comment_changelist")))
    assert page.select_one(f".object-tools a[href='{reverse(QUEUE)}']") is not None


def test_ban_link_fills_in_the_commenter_for_those_who_may_ban(client, moderator, admin_user):
    """With the permission to add bans (moderators have it), each row links to the ban form
    filled in."""
    post = make_post()
    by_email = waiting(post, author_email="troll@example.org")
    by_ip = waiting(post, ip_address="198.51.100.4")
    page = soup(client.get(reverse(QUEUE)))
    assert page.select_one(".queue-links a[href*='/ban/add/']") is not None, "moderators ban"
    client.force_login(admin_user)
    page = soup(client.get(reverse(QUEUE)))
    link = item(page, by_email).select_one(".queue-links a[href*='/ban/add/']")
    assert link.get_text() == "Ban this commenter…"
    ban_form = soup(client.get(link["href"]))
    assert ban_form.select_one("input[name=email]")["value"] == "troll@example.org"
    link = item(page, by_ip).select_one(".queue-links a[href*='/ban/add/']")
    assert soup(client.get(link["href"])).select_one("input[name=ip_range]")["value"] == (
        "198.51.100.4"
    )
