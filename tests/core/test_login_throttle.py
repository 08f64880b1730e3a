"""Login throttling: per address, and per account at that address, never account-wide."""

import pytest

from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/"


def attempt(client, username, password, ip):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_guessing_from_one_address_is_stopped_there(client, settings):
    """After the limit, that address is refused (429), even with the right password."""
    settings.AXES_FAILURE_LIMIT = 3
    make_user("victim", role="editor")
    for _ in range(3):
        attempt(client, "victim", "wrong", "203.0.113.5")
    locked = attempt(client, "victim", PASSWORD, "203.0.113.5")
    assert locked.status_code == 429
    assert "Too many failed logins" in locked.content.decode()


def test_the_real_user_elsewhere_is_not_locked_out(client, settings):
    """An attacker's failures on an account do not stop its owner at another address."""
    settings.AXES_FAILURE_LIMIT = 3
    make_user("victim", role="editor")
    for _ in range(5):
        attempt(client, "victim", "wrong", "203.0.113.5")
    owner = attempt(client, "victim", PASSWORD, "198.51.100.20")
    assert owner.status_code == 302


def test_spraying_many_accounts_from_one_address_is_stopped(client, settings):
    """Trying one password on many accounts counts against the address."""
    settings.AXES_FAILURE_LIMIT = 3
    make_user("real", role="editor")
    for n in range(3):
        attempt(client, f"guess{n}", "wrong", "203.0.113.9")
    assert attempt(client, "real", PASSWORD, "203.0.113.9").status_code == 429


def test_forwarded_headers_do_not_pick_the_address(client, settings):
    """X-Forwarded-For from a client does not reset its count."""
    settings.AXES_FAILURE_LIMIT = 3
    make_user("victim", role="editor")
    for n in range(3):
        client.post(
            LOGIN,
            {"username": "victim", "password": "wrong"},
            REMOTE_ADDR="203.0.113.7",
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}",
        )
    assert attempt(client, "victim", PASSWORD, "203.0.113.7").status_code == 429
