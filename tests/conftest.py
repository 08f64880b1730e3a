import os

import pytest

# Playwright's sync API runs an event loop in the test thread; the ORM calls of a test that
# also drives a browser are still plain synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def editor(db):
    from tests.factories import make_user

    return make_user("editor", role="editor")


@pytest.fixture
def author(db):
    from tests.factories import make_user

    return make_user("author", role="author")


@pytest.fixture
def admin_user(db):
    from tests.factories import make_user

    return make_user("admin", superuser=True)


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with empty caches: ids repeat across rolled-back tests, and flood
    counts must not leak from one test into the next."""
    from django.core.cache import caches

    for alias in ("default", "limits", "pages"):
        caches[alias].clear()
    yield
    for alias in ("default", "limits", "pages"):
        caches[alias].clear()


@pytest.fixture
def rules(db):
    """The site's discussion settings row, for a test to change and save."""
    from rejoinder.discussion.models import DiscussionSettings

    return DiscussionSettings.load()


@pytest.fixture
def lenient_rules(rules):
    """No pre-moderation and no flood or speed limits: for tests about something else.

    Tests of the rules themselves use ``rules`` and set what they test.
    """
    rules.moderation = rules.Moderation.OFF
    rules.flood_seconds = rules.hourly_limit = rules.min_form_seconds = 0
    rules.save()
    return rules
