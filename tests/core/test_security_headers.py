"""Security headers on every kind of page, and Django's deployment check."""

import os
import secrets

import pytest

from rejoinder.discussion.thread.locations import post_comment_url
from tests.commands import last_line, rejoinder
from tests.factories import make_category, make_comment, make_post

pytestmark = pytest.mark.django_db

REQUIRED_CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "frame-ancestors": "'none'",
}


@pytest.fixture
def pages():
    category = make_category("News")
    post = make_post(title="Headers", categories=[category])
    comment = make_comment(post)
    about = make_post(title="About", slug="about", type="page")
    return {
        "front page": "/",
        "post": post.get_absolute_url(),
        "page": about.get_absolute_url(),
        "category": category.get_absolute_url(),
        "search": "/?s=headers",
        "feed": "/feed/",
        "comment feed": "/comments/feed/",
        "sitemap": "/sitemap.xml",
        "not found": "/no-such-page/",
        "reply page": f"{post.get_absolute_url()}comment-{comment.pk}/reply/",
        "comment form refusal": ("POST", post_comment_url(post)),
        "admin login": "/admin/login/",
    }


def fetch(client, target):
    if isinstance(target, tuple):
        return client.post(target[1], {"name": "", "body": ""})
    return client.get(target)


def policy(response):
    header = response["Content-Security-Policy"]
    return dict(part.strip().split(" ", 1) for part in header.split(";") if part.strip())


@pytest.mark.parametrize(
    "kind",
    [
        "front page", "post", "page", "category", "search", "feed", "comment feed", "sitemap",
        "not found", "reply page", "comment form refusal", "admin login",
    ],
)  # fmt: skip
def test_every_page_type_carries_the_security_headers(client, pages, kind):
    """A strict CSP without 'unsafe-inline', nosniff, a referrer policy, no framing."""
    response = fetch(client, pages[kind])
    assert response.status_code in {200, 400, 404}
    directives = policy(response)
    for name, value in REQUIRED_CSP.items():
        assert directives[name] == value, name
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "unsafe-eval" not in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    if response["Content-Type"].startswith("text/html"):
        assert response["X-Frame-Options"] == "DENY"


def production_env(tmp_path, **extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith("REJOINDER_")}
    env.pop("DATABASE_URL", None)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set for the browser tests only
    env.update(
        REJOINDER_ENV="production",
        REJOINDER_SECRET_KEY=secrets.token_urlsafe(50),
        REJOINDER_ALLOWED_HOSTS="blog.example.org",
        REJOINDER_SITE_URL="https://blog.example.org",
        REJOINDER_HTTPS="true",
        REJOINDER_DATA_DIR=str(tmp_path),
        **extra,
    )
    return env


def test_deploy_check_is_clean_in_production(tmp_path):
    """`rejoinder check --deploy` finds nothing in the documented production setup."""
    result = rejoinder(production_env(tmp_path), "check", "--deploy")
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_https_turns_on_hsts_and_secure_cookies(tmp_path):
    """Over HTTPS: HSTS for a year (subdomains included), secure session and CSRF cookies."""
    probe = (
        "from django.conf import settings as s; "
        "print(s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, "
        "s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT)"
    )
    result = rejoinder(production_env(tmp_path), "shell", "-c", probe)
    assert last_line(result).split() == ["31536000", "True", "True", "True", "True"], result.stderr


def test_static_files_and_early_refusals_cannot_be_framed(settings):
    """Answers made before the view (WhiteNoise's static files, the strict UTF-8 refusal)
    carry X-Frame-Options too: the clickjacking layer runs outside them."""
    from django.test import Client

    settings.WHITENOISE_USE_FINDERS = settings.WHITENOISE_AUTOREFRESH = True
    client = Client()  # a new handler: WhiteNoise reads the settings above
    static = client.get("/static/rejoinder/site.css")
    assert static.status_code == 200
    refusal = client.get("/?s=%ED%A0%80")
    assert refusal.status_code == 400
    for response in (static, refusal):
        assert response["X-Frame-Options"] == "DENY"
