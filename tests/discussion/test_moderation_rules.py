"""The moderation rules, each on its own: what is held, what is spam, what is refused."""

import datetime
import time

import pytest
from django.utils import timezone

from rejoinder.discussion import comments
from rejoinder.discussion.comments import (
    CommentRefused,
    create_comment,
    set_status,
    spam_pending_of,
)
from rejoinder.discussion.forms import issue_stamp
from rejoinder.discussion.models import Ban, Comment, DiscussionSettings
from rejoinder.discussion.thread.locations import post_comment_url
from tests.factories import comment_form, make_comment, make_post, make_user
from tests.html import soup

pytestmark = pytest.mark.django_db


@pytest.fixture
def post():
    return make_post(title="Heated post")


def reader_comment(post, **fields):
    """A comment as the form makes it, with the status left to the rules."""
    values = {
        "author_name": "Ann",
        "author_email": "ann@example.org",
        "body": f"A point, made at {time.monotonic()}.",
        "ip_address": "198.51.100.7",
        "user_agent": "Mozilla/5.0 (X11; Linux x86_64)",
        **fields,
    }
    return create_comment(post=post, status=None, **values)


@pytest.fixture
def held_rules(rules):
    """The default pre-moderation (first-time commenters wait), flood limits off."""
    rules.flood_seconds = rules.hourly_limit = 0
    rules.save()
    return rules


@pytest.fixture
def open_rules(rules):
    """Rules with pre-moderation and flood limits off: each test turns on what it tests."""
    rules.moderation = rules.Moderation.OFF
    rules.flood_seconds = rules.hourly_limit = rules.min_form_seconds = 0
    rules.save()
    return rules


def test_defaults_are_wordpress_defaults():
    """docs/moderation.md lists these beside WordPress's: keep the two in step."""
    rules = DiscussionSettings.load()
    assert rules.moderation == DiscussionSettings.Moderation.FIRST_TIME
    assert rules.trusted_after == 1  # "Comment author must have a previously approved comment"
    assert rules.hold_links == 2  # "Hold a comment in the queue if it contains 2 or more links"
    assert rules.flood_seconds == 15  # wp_check_comment_flood
    assert rules.min_form_seconds == 3
    assert rules.notify_author_comment and rules.notify_author_moderation
    assert rules.hold_list == rules.block_list == ""


def test_first_time_commenters_wait_until_one_comment_is_approved(post, held_rules):
    first = reader_comment(post)
    assert first.status == Comment.Status.PENDING
    assert first.hold_reasons == "first comment"
    second = reader_comment(post)
    assert second.status == Comment.Status.PENDING, "still nothing approved"
    set_status(first, Comment.Status.APPROVED)
    third = reader_comment(post)
    assert third.status == Comment.Status.APPROVED
    other = reader_comment(post, author_email="bob@example.org", author_name="Bob")
    assert other.status == Comment.Status.PENDING, "trust is per address"


def test_trust_needs_the_same_name_and_address_as_wordpress_asks(post, held_rules):
    """Knowing a trusted reader's address is not enough to skip moderation: the name must
    match too (WordPress's check_comment), and an account's comments (the author's public
    address and name) never vouch for a comment sent without signing in."""
    make_comment(post, name="Ann", author_email="ann@example.org", status="approved")
    assert reader_comment(post, author_name="Mallory").status == Comment.Status.PENDING
    assert reader_comment(post, author_name="ann").status == Comment.Status.APPROVED
    writer = make_user("writer", role="author", first_name="Wendy", email="wendy@example.org")
    make_comment(post, user=writer, status="approved")
    impostor = reader_comment(post, author_name="Wendy", author_email="wendy@example.org")
    assert impostor.status == Comment.Status.PENDING


def test_trust_can_need_more_approved_comments(post, held_rules):
    held_rules.trusted_after = 2
    held_rules.save()
    make_comment(post, name="Ann", author_email="ann@example.org", status="approved")
    assert reader_comment(post).status == Comment.Status.PENDING
    make_comment(post, name="Ann", author_email="ann@example.org", status="approved")
    assert reader_comment(post).status == Comment.Status.APPROVED


def test_moderation_off_and_all(post, open_rules):
    assert reader_comment(post).status == Comment.Status.APPROVED
    open_rules.moderation = DiscussionSettings.Moderation.ALL
    open_rules.save()
    held = reader_comment(post)
    assert held.status == Comment.Status.PENDING
    assert held.hold_reasons == "every comment is held"


def test_a_post_can_hold_every_comment(post, open_rules):
    post.hold_comments = True
    post.save()
    held = reader_comment(post)
    assert held.status == Comment.Status.PENDING
    assert "this post holds every comment" in held.hold_reasons
    other = reader_comment(make_post(title="Calm post"))
    assert other.status == Comment.Status.APPROVED


def test_links_hold_at_the_threshold(post, open_rules):
    one = reader_comment(post, body="See [this](https://a.example/).")
    assert one.status == Comment.Status.APPROVED
    two = reader_comment(post, body="See [this](https://a.example/) and <https://b.example/>.")
    assert two.status == Comment.Status.PENDING
    assert two.hold_reasons == "2 links"
    bare = reader_comment(post, body="Bare: https://a.example/x and www.b.example too")
    assert bare.status == Comment.Status.PENDING, "addresses that are not links count too"
    open_rules.hold_links = 0
    open_rules.save()
    assert reader_comment(post, body="[a](https://a.example/) [b](https://b.example/)").status == (
        Comment.Status.APPROVED
    )


@pytest.mark.parametrize(
    ("entry", "fields", "held"),
    [
        ("viagra", {"body": "Buy VIAGRA now"}, True),
        ("cheap", {"body": "A cheapskate argument"}, False),  # whole words only
        ("cheap", {"author_name": "Cheap Deals"}, True),
        ("spam.example", {"author_url": "https://www.spam.example/x"}, True),
        ("bad@example.net", {"author_email": "BAD@example.net"}, True),
        ("buy now", {"body": "You should BUY  NOW"}, False),  # a phrase matches as typed
        ("buy now", {"body": "so buy now please"}, True),
        ("198.51.100.0/24", {}, True),
        ("203.0.113.9", {}, False),
        ("2001:db8::/32", {"ip_address": "2001:db8::1"}, True),
        ("curl", {"user_agent": "curl/8.4"}, True),
        ("# a comment line\n\n", {}, False),
    ],
)
def test_hold_list_matches_every_field(post, open_rules, entry, fields, held):
    open_rules.hold_list = entry
    open_rules.save()
    comment = reader_comment(post, **fields)
    assert (comment.status == Comment.Status.PENDING) is held
    if held:
        assert comment.hold_reasons.startswith("hold list: ")


def test_block_list_sends_to_spam_and_wins_over_holding(post, open_rules):
    open_rules.block_list = "casino\n203.0.113.0/24"
    open_rules.moderation = DiscussionSettings.Moderation.ALL
    open_rules.save()
    by_word = reader_comment(post, body="Best casino bonus")
    assert by_word.status == Comment.Status.SPAM
    assert by_word.hold_reasons == "block list: casino"
    by_address = reader_comment(post, ip_address="203.0.113.50")
    assert by_address.status == Comment.Status.SPAM
    assert reader_comment(post).status == Comment.Status.PENDING


def test_moderators_and_the_post_author_skip_every_rule(post, rules, editor):
    """Editors and moderators (the comment permission) and the post's author; not staff as
    such: an author commenting on someone else's post meets the rules like a reader."""
    rules.moderation = DiscussionSettings.Moderation.ALL
    rules.block_list = "casino"
    rules.save()
    by_staff = create_comment(post=post, body="casino talk", user=editor, status=None)
    assert by_staff.status == Comment.Status.APPROVED
    by_author = create_comment(post=post, body="casino again", user=post.author, status=None)
    assert by_author.status == Comment.Status.APPROVED
    reader = make_user("reader")
    assert create_comment(post=post, body="Hi", user=reader, status=None).status == "pending"
    moderator = make_user("mod", role="moderator")
    assert create_comment(post=post, body="casino", user=moderator, status=None).status == (
        "approved"
    )
    other_author = make_user("other-author", role="author")
    assert other_author.is_staff
    by_other_author = create_comment(post=post, body="Hi there", user=other_author, status=None)
    assert by_other_author.status == "pending"


def test_the_same_words_twice_are_refused(post, open_rules):
    reader_comment(post, body="You've got it backwards.")
    with pytest.raises(CommentRefused, match="You've already said that"):
        reader_comment(post, body="You've got it backwards.")
    # Someone else may say it, and the same person may say it elsewhere.
    reader_comment(post, body="You've got it backwards.", author_email="b@example.org")
    reader_comment(make_post(), body="You've got it backwards.")
    assert Comment.objects.count() == 3


def test_a_locked_branch_takes_no_replies_anywhere_below(post, open_rules, client):
    top = make_comment(post)
    child = make_comment(post, top)
    sibling = make_comment(post)
    comments.lock_branch(top)
    for parent in (top, child):
        with pytest.raises(CommentRefused, match="Replies to this comment have been closed"):
            reader_comment(post, parent=parent)
    assert reader_comment(post, parent=sibling).status == Comment.Status.APPROVED
    page = soup(client.get(post.get_absolute_url()))
    assert page.select_one(f"#comment-{top.pk} .replies-closed") is not None
    assert page.select_one(f"#comment-{top.pk} .reply-link") is None
    assert page.select_one(f"#comment-{child.pk} .reply-link") is None
    assert page.select_one(f"#comment-{sibling.pk} .reply-link") is not None
    comments.lock_branch(top, locked=False)
    assert reader_comment(post, parent=child).status == Comment.Status.APPROVED


def test_a_banned_commenter_is_refused_until_the_ban_ends(post, open_rules):
    ban = Ban.objects.create(email="ann@example.org", reason="abuse")
    with pytest.raises(CommentRefused, match=r"You cannot comment on this site\."):
        reader_comment(post, author_email="Ann@Example.org")
    ban.expires_at = timezone.now() + datetime.timedelta(days=2)
    ban.save()
    with pytest.raises(CommentRefused, match="You cannot comment on this site until"):
        reader_comment(post)
    ban.expires_at = timezone.now() - datetime.timedelta(seconds=1)
    ban.save()
    assert reader_comment(post).status == Comment.Status.APPROVED


def test_bans_by_account_and_by_address_range(post, open_rules):
    user = make_user("troll")
    Ban.objects.create(user=user)
    with pytest.raises(CommentRefused):
        create_comment(post=post, body="again", user=user, status=None)
    Ban.objects.create(ip_range="192.0.2.0/24")
    with pytest.raises(CommentRefused):
        reader_comment(post, ip_address="192.0.2.200", author_email="new@example.org")
    assert reader_comment(post, ip_address="192.0.3.1").status == Comment.Status.APPROVED


def test_bans_are_read_again_whenever_one_changes(post, open_rules):
    """Bans are kept in memory between comments (no query each); a ban made, lifted or
    removed with its account holds for the very next comment."""
    reader = {"author_email": "kept@example.org"}
    assert reader_comment(post, body="before", **reader).status == Comment.Status.APPROVED
    ban = Ban.objects.create(email="kept@example.org")
    with pytest.raises(CommentRefused):
        reader_comment(post, body="during", **reader)
    Ban.objects.filter(pk=ban.pk).delete()  # a bulk delete, as the admin's action does
    assert reader_comment(post, body="after", **reader).status == Comment.Status.APPROVED
    troll = make_user("passing-troll")
    Ban.objects.create(user=troll)
    with pytest.raises(CommentRefused):
        create_comment(post=post, body="again", user=troll, status=None)
    troll.delete()  # its ban goes with it
    assert not Ban.objects.exists()
    assert reader_comment(post, body="later", **reader).status == Comment.Status.APPROVED


def test_a_ban_sends_the_pending_comments_to_spam(post, held_rules):
    held = [reader_comment(post), reader_comment(post)]
    other = reader_comment(post, author_email="bob@example.org", author_name="Bob")
    moved = spam_pending_of(Ban.objects.create(email="ann@example.org"))
    assert moved == 2
    assert {c.status for c in Comment.objects.filter(pk__in=[c.pk for c in held])} == {"spam"}
    other.refresh_from_db()
    assert other.status == Comment.Status.PENDING


def test_a_moderator_removal_shows_its_reason_and_keeps_the_replies(post, open_rules, client):
    top = make_comment(post, body="Something vile")
    reply = make_comment(post, top, body="A reply worth keeping")
    comments.remove_comment(top, "personal attack")
    page = soup(client.get(post.get_absolute_url()))
    notice = page.select_one(f"#comment-{top.pk} .deleted").get_text()
    assert notice == "Removed by a moderator: personal attack"
    assert page.select_one(f"#comment-{top.pk} #comment-{reply.pk}") is not None
    assert "Something vile" not in page.get_text()
    top.refresh_from_db()
    assert top.body == "Something vile", "kept for moderators: a removal can be undone"
    with pytest.raises(CommentRefused, match="Reason: say why"):
        comments.remove_comment(reply, "  ")
    with pytest.raises(
        CommentRefused, match=r"Reason: at most 300 characters \(this one has 301\)"
    ):
        comments.remove_comment(reply, "x" * 301)
    reply.refresh_from_db()
    assert reply.status == Comment.Status.APPROVED


# Through the form: flood limits, the signed timestamp, the honeypot, the held notice.


def send(client, post, address="198.51.100.7", forwarded=None, **fields):
    data = comment_form(**{"email": "ann@example.org", "body": f"At {time.monotonic()}", **fields})
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
    return client.post(post_comment_url(post), data, REMOTE_ADDR=address, **extra)


def test_one_comment_per_fifteen_seconds_per_address(client, post, open_rules):
    open_rules.flood_seconds = 15
    open_rules.save()
    assert send(client, post, body="First").status_code == 303
    response = send(client, post, body="Second", email="other@example.org")
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 15
    page = soup(response)
    assert "You are commenting too quickly: wait" in page.select_one(".form-errors").get_text()
    assert page.select_one("textarea[name=body]").get_text().strip() == "Second"
    # Another address is not limited, but the same email from it is.
    assert send(client, post, "198.51.100.8", body="Third", email="c@example.org").status_code == (
        303
    )
    assert send(client, post, "198.51.100.9", body="Fourth").status_code == 429
    assert Comment.objects.count() == 2


def test_hourly_limit_per_address(client, post, open_rules):
    open_rules.hourly_limit = 3
    open_rules.save()
    for n in range(3):
        assert send(client, post, email=f"r{n}@example.org").status_code == 303
    response = send(client, post, email="r9@example.org")
    assert response.status_code == 429
    assert "Too many comments from your address this hour (the limit is 3)" in (
        response.content.decode()
    )
    assert send(client, post, "198.51.100.99", email="r8@example.org").status_code == 303


def test_staff_have_no_flood_limit(client, post, rules, editor):
    client.force_login(editor)
    for n in range(3):
        response = client.post(post_comment_url(post), comment_form(body=f"Note {n}"))
        assert response.status_code == 303
    assert Comment.objects.filter(status="approved").count() == 3


def test_a_form_sent_faster_than_a_person_types_is_refused(client, post, open_rules):
    open_rules.min_form_seconds = 3
    open_rules.save()
    response = send(client, post, body="Too fast", issued=issue_stamp())
    assert response.status_code == 400
    assert "less than 3 seconds after the page loaded" in response.content.decode()
    assert not Comment.objects.exists()
    assert send(client, post, body="At a human pace").status_code == 303


@pytest.mark.parametrize(
    "issued",
    ["", "forged:stamp", "GARBAGE"],
)
def test_a_form_without_a_valid_stamp_is_refused(client, post, open_rules, issued):
    response = send(client, post, issued=issued)
    assert response.status_code == 400
    assert "did not come from this site" in response.content.decode()
    assert not Comment.objects.exists()


def test_a_form_older_than_a_day_is_refused_and_served_again(client, post, open_rules):
    """The refused form comes back with the text and a new stamp: sent again, it goes in."""
    old = issue_stamp(time.time() - 25 * 3600)
    response = send(client, post, body="Kept", issued=old, url="autofilled")
    assert response.status_code == 400
    page = soup(response)
    assert page.select_one("textarea[name=body]").get_text().strip() == "Kept"
    fresh = page.select_one("input[name=issued]")["value"]
    assert fresh and fresh != old
    assert page.select_one("input[name=url]").get("value", "") == ""
    again = {field["name"]: field.get("value", "") for field in page.select("form#respond input")}
    again["body"] = "Kept"
    assert client.post(post_comment_url(post), again, REMOTE_ADDR="198.51.100.7").status_code == 303


def test_the_honeypot_catches_form_fillers(client, post, open_rules):
    response = send(client, post, url="https://seo.example/")
    assert response.status_code == 400
    assert "leave empty" in response.content.decode()
    assert not Comment.objects.exists()
    field = soup(client.get(post.get_absolute_url())).select_one("input[name=url]")
    assert field["tabindex"] == "-1" and field["autocomplete"] == "off"
    assert field.find_parent("p")["aria-hidden"] == "true"


def test_a_held_comment_is_shown_to_its_writer_only(client, post, rules):
    response = send(client, post, body="Hold me")
    assert response.status_code == 303
    comment = Comment.objects.get()
    assert comment.status == Comment.Status.PENDING
    assert response["Location"] == f"{post.get_absolute_url()}?unapproved={comment.pk}#awaiting"
    mine = soup(client.get(response["Location"]))
    assert "Your comment is awaiting moderation" in mine.select_one("#awaiting").get_text()
    assert "Hold me" in mine.select_one("#awaiting").get_text()
    assert mine.select_one(f"#comment-{comment.pk}") is None
    stranger = soup(type(client)().get(response["Location"]))
    assert stranger.select_one("#awaiting") is None
    assert "Hold me" not in stranger.get_text()


# The client's address behind proxies.


def test_forwarded_for_is_ignored_from_untrusted_peers(client, post, open_rules, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.1"]
    send(client, post, "198.51.100.7", forwarded="203.0.113.5")
    assert Comment.objects.get().ip_address == "198.51.100.7"


def test_forwarded_for_names_the_client_behind_trusted_proxies(client, post, open_rules, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    # The client forged a first hop; the nearest untrusted hop is what the proxy saw.
    send(client, post, "10.0.0.1", forwarded="1.2.3.4, 203.0.113.5, 10.0.0.2")
    assert Comment.objects.get().ip_address == "203.0.113.5"


def test_the_flood_limit_holds_behind_a_proxy(client, post, open_rules, settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    open_rules.flood_seconds = 15
    open_rules.save()
    first = send(client, post, "127.0.0.1", forwarded="203.0.113.5", email="")
    assert first.status_code == 303
    again = send(client, post, "127.0.0.1", forwarded="203.0.113.5", email="")
    assert again.status_code == 429
    other = send(client, post, "127.0.0.1", forwarded="203.0.113.6", email="")
    assert other.status_code == 303


def test_moderators_and_editors_may_ban(client):
    for role in ("moderator", "editor"):
        user = make_user(f"ban-{role}", role=role)
        assert user.has_perm("discussion.add_ban"), role
        client.force_login(user)
        assert client.get("/admin/discussion/ban/add/?email=x@example.org").status_code == 200
    assert not make_user("ban-author", role="author").has_perm("discussion.add_ban")


def test_an_edit_meets_the_content_rules_again(post, open_rules, editor):
    """A trusted reader cannot post something harmless and edit in what the rules hold."""
    open_rules.hold_list = "casino"
    open_rules.block_list = "viagra"
    open_rules.save()
    harmless = reader_comment(post, body="Nice post.")
    assert harmless.status == Comment.Status.APPROVED
    comments.edit_comment(harmless, "Nice post. Visit my casino.")
    harmless.refresh_from_db()
    assert harmless.status == Comment.Status.PENDING
    assert harmless.hold_reasons.startswith("hold list: casino") and harmless.flagged
    assert post.comment_count == 0 or Comment.objects.filter(status="approved").count() == 0
    other = reader_comment(post, body="Another harmless one.")
    comments.edit_comment(other, "Buy viagra")
    other.refresh_from_db()
    assert other.status == Comment.Status.SPAM
    # A moderator's edit is trusted, and an edit that trips nothing changes nothing.
    fine = reader_comment(post, body="Fine words.")
    comments.edit_comment(fine, "Finer words, about the casino.", editor=editor)
    comments.edit_comment(reader_comment(post, body="Plain."), "Plainer.")
    assert Comment.objects.get(pk=fine.pk).status == Comment.Status.APPROVED
    assert Comment.objects.filter(body="Plainer.", status="approved").exists()


def test_only_content_rules_mark_a_comment_for_the_held_tab(post, held_rules):
    held_rules.hold_links = 1
    held_rules.save()
    first_time = reader_comment(post)
    assert first_time.status == Comment.Status.PENDING and not first_time.flagged
    linked = reader_comment(post, body="See https://a.example/")
    assert linked.status == Comment.Status.PENDING and linked.flagged


def test_removing_a_comment_never_published_trashes_it(post, held_rules, client):
    held = reader_comment(post, body="Never shown")
    comments.remove_comment(held, "off topic")
    held.refresh_from_db()
    assert (held.status, held.removal_reason) == (Comment.Status.TRASH, "off topic")
    assert "Removed by a moderator" not in client.get(post.get_absolute_url()).content.decode()


def test_a_ban_on_an_account_and_a_range_spams_both(post, held_rules):
    user = make_user("two-faced")
    by_account = create_comment(post=post, body="As myself", user=user, status=None)
    by_address = reader_comment(post, ip_address="192.0.2.9", author_email="alt@example.org")
    ban = Ban.objects.create(user=user, ip_range="192.0.2.0/24")
    assert spam_pending_of(ban) == 2
    assert {c.status for c in Comment.objects.filter(pk__in=[by_account.pk, by_address.pk])} == {
        "spam"
    }


def test_ipv6_clients_count_per_64(client, post, open_rules):
    open_rules.flood_seconds = 15
    open_rules.save()
    assert send(client, post, "2001:db8:1:2::1", email="").status_code == 303
    assert send(client, post, "2001:db8:1:2::ffff", email="").status_code == 429
    assert send(client, post, "2001:db8:1:3::1", email="").status_code == 303
    assert send(client, post, "::ffff:198.51.100.20", email="").status_code == 303
    assert send(client, post, "198.51.100.20", email="").status_code == 429


@pytest.mark.parametrize("field", ["spam_score", "spam_hold_score"])
@pytest.mark.parametrize("value", [1.5, -0.1])
def test_spam_thresholds_are_probabilities(client, field, value):
    """A threshold outside 0-1 (which would silently turn the rule off) is refused in the
    admin, naming the field and the limit; the rules stay as they were."""
    from django.urls import reverse

    admin = make_user("site-admin", superuser=True)
    client.force_login(admin)
    rules = DiscussionSettings.load()
    url = reverse("admin:discussion_discussionsettings_change", args=[rules.pk])
    data = {
        "moderation": rules.moderation, "trusted_after": rules.trusted_after,
        "hold_links": rules.hold_links, "hold_list": "", "block_list": "",
        "flood_seconds": rules.flood_seconds, "hourly_limit": rules.hourly_limit,
        "min_form_seconds": rules.min_form_seconds, "spam_hold_score": 0.7,
        "spam_score": 0.98, field: value,
    }  # fmt: skip
    response = client.post(url, data)
    assert response.status_code == 200
    limit = "less than or equal to 1.0" if value > 1 else "greater than or equal to 0.0"
    assert limit in response.content.decode()
    assert getattr(DiscussionSettings.load(), field) != value
