"""Steps that several browser tests take."""

from playwright.sync_api import Page, expect

from tests.factories import PASSWORD


def log_in(page: Page, username):
    """Sign in through the admin's login form and wait for the admin's index."""
    page.goto("/admin/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Write and manage")).to_be_visible()
