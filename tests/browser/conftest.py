"""Playwright fixtures for the browser tests: Debian's Chromium, one per test process.

Nothing here downloads a browser: Chromium is the system's ``/usr/bin/chromium``. The tests
run as root with the network closed, hence ``--no-sandbox`` and the switches that keep
Chromium from phoning home.
"""

from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config, items):
    """Mark every test of this folder ``browser`` (``-m "not browser"`` skips them)."""
    for item in items:
        if HERE in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def playwright():
    # While this runs, asyncio sees a running loop in the test thread (hence
    # DJANGO_ALLOW_ASYNC_UNSAFE), and Django's connection handler then keeps its connections
    # per context: the test's ``connections["default"]`` is not the one the test database
    # was set up on, so e.g. ``serialized_rollback`` cannot stop the teardown flush from
    # sending ``post_migrate``.
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright):
    browser = playwright.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
    )
    yield browser
    browser.close()


@pytest.fixture
def browser_context_args(live_server):
    """Keyword arguments of every new context: relative addresses go to the live server."""
    return {"base_url": live_server.url}


@pytest.fixture
def new_context(browser, browser_context_args):
    """Make fresh browser contexts (separate cookies, like separate people); closed after."""
    contexts = []

    def make(**overrides):
        context = browser.new_context(**{**browser_context_args, **overrides})
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context):
    """A page in a context of its own, new for each test."""
    return new_context().new_page()
