"""The moderation queue by keyboard alone, in Chromium: choose, decide, next."""

import datetime

from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from rejoinder.discussion.models import Comment
from tests.browser.actions import log_in
from tests.factories import make_comment, make_post, make_user


def pending(post, minutes_ago):
    created = timezone.now() - datetime.timedelta(minutes=minutes_ago)
    return make_comment(post, status=Comment.Status.PENDING, created_at=created)


def status_of(comment):
    return Comment.objects.get(pk=comment.pk).status


def test_a_moderator_clears_the_queue_with_the_keyboard(page: Page, live_server):
    """j chooses the newest comment and a approves it; the next one is then chosen and s
    sends it to spam. Typing a reason (r) fires no shortcut, and Enter removes with it.
    ? opens the list of shortcuts. No script or style is refused by the page's CSP."""
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    post = make_post()
    first, second, third = pending(post, 1), pending(post, 2), pending(post, 3)
    moderator = make_user("keys-moderator", role="moderator")
    log_in(page, moderator.username)
    page.get_by_role("link", name="Moderation queue (3)").click()
    expect(page.get_by_role("heading", name="Moderation queue")).to_be_visible()

    # Shown once the script listens: without it the shortcuts it lists would not work.
    legend = page.locator("#queue-keys")
    expect(legend).to_be_visible()
    expect(legend).not_to_have_attribute("open", "")
    page.keyboard.press("?")
    expect(legend).to_have_attribute("open", "")

    page.keyboard.press("j")
    chosen = page.locator(f"#queue-{first.pk}")
    expect(chosen).to_have_attribute("aria-current", "true")
    expect(chosen).to_be_focused()
    page.keyboard.press("a")
    expect(page.locator(".messagelist .success")).to_have_text("1 comment approved.")
    expect(page.locator(f"#queue-{first.pk}")).to_have_count(0)
    assert status_of(first) == Comment.Status.APPROVED

    # The comment now in the first place is chosen, ready for the next key.
    expect(page.locator(f"#queue-{second.pk}")).to_have_attribute("aria-current", "true")
    page.keyboard.press("s")
    expect(page.locator(".messagelist .success")).to_have_text("1 comment marked as spam.")
    assert status_of(second) == Comment.Status.SPAM

    expect(page.locator(f"#queue-{third.pk}")).to_have_attribute("aria-current", "true")
    page.keyboard.press("r")
    reason = page.locator(f"#queue-{third.pk}-reason")
    expect(reason).to_be_focused()
    page.keyboard.type("a sad state")
    expect(reason).to_have_value("a sad state")
    assert status_of(third) == Comment.Status.PENDING
    page.keyboard.press("Enter")
    expect(page.locator(".messagelist .success")).to_have_text("1 comment removed.")
    third.refresh_from_db()
    # Never published, so trashed rather than left as a tombstone; the reason kept.
    assert (third.status, third.removal_reason) == (Comment.Status.TRASH, "a sad state")
    expect(page.get_by_role("link", name="Moderation queue (0)")).to_be_visible()
    assert page.url.endswith(reverse("admin:discussion_comment_queue") + "?tab=pending&page=1")
    assert errors == []
