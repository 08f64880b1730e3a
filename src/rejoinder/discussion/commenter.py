"""The commenter a browser remembers: name, email and website, if the reader asked
("Save my name, email and website in this browser", as WordPress offers since 4.9.6).

A signed cookie, readable only by this site's server (HttpOnly), kept for a year; a
reader who unticks the box is forgotten.
"""

import json

from django.conf import settings
from django.core import signing

COOKIE = "rejoinder_commenter"
SALT = "rejoinder.discussion.commenter"
AGE = 365 * 24 * 3600
FIELDS = ("name", "email", "website")


def remembered(request):
    """The remembered fields, or {} (an unsigned or stale cookie counts as none)."""
    try:
        raw = request.get_signed_cookie(COOKIE, salt=SALT, max_age=AGE)
        data = json.loads(raw)
    except (KeyError, signing.BadSignature, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {name: str(data[name])[:500] for name in FIELDS if data.get(name)}


def remember(response, data):
    values = {name: data[name] for name in FIELDS if data.get(name)}
    response.set_signed_cookie(
        COOKIE,
        json.dumps(values, separators=(",", ":")),
        salt=SALT,
        max_age=AGE,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )


def forget(request, response):
    if COOKIE in request.COOKIES:
        response.delete_cookie(COOKIE, samesite="Lax")
