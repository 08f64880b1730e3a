"""The comment form's stamp: when the form was served, signed, and good for one comment.

A stamp is ``[issued, nonce]`` signed with the site's secret: the time a form (or the
API) handed it out, which the timing rule measures from (``moderation.refuse_if_barred``),
and a random nonce that an accepted comment spends, so the same stamp never brings in a
second comment (``spend``: one atomic ``add`` in the "limits" cache, the one the flood
limits use, so every server process agrees; in the database without Redis, where it
commits or rolls back with the comment).

Cached pages never keep a stamp: the post page prints the live part's marker in its place
(``core.pagecache.live``), which the page cache fills with a fresh stamp on every
response, and which nginx fills for its files with an SSI include of ``stamp/``.
"""

import secrets
import time
from dataclasses import dataclass

from django.core import signing
from django.core.cache import caches

# The signed time a form was served; a form older than this is refused (sent again, it
# carries a new one).
MAX_AGE = 24 * 60 * 60
_SALT = "rejoinder.discussion.form-issued"
USED = (
    "This form has already sent a comment, and a form sends one; nothing was saved. Your "
    "text is kept below in a fresh form: send it again."
)
# The name the page cache knows the stamp by (core.pagecache.register(live=...)).
LIVE_NAME = "comment-stamp"


@dataclass(frozen=True)
class Stamp:
    issued: int
    nonce: str

    def age(self, now=None):
        return (now if now is not None else time.time()) - self.issued


def issue(now=None):
    """A new signed stamp (a string for the form's hidden ``issued`` field)."""
    issued = int(now if now is not None else time.time())
    return signing.dumps([issued, secrets.token_urlsafe(12)], salt=_SALT)


def read(value, now=None):
    """The ``Stamp`` in ``value``, or None if it is missing, forged, or older than a day."""
    try:
        issued, nonce = signing.loads(value or "", salt=_SALT)
    except (signing.BadSignature, TypeError, ValueError):
        return None
    if not isinstance(issued, int) or not isinstance(nonce, str):
        return None
    stamp = Stamp(issued, nonce)
    return stamp if stamp.age(now) <= MAX_AGE else None


def _key(stamp):
    return f"stamp:{stamp.nonce}"


def _spent():
    # The flood limits' cache (Redis with REDIS_URL, else the database): every process
    # sees the same spent stamps.
    return caches["limits"]


def is_spent(stamp):
    """Whether a comment has already been accepted with ``stamp``."""
    return _spent().get(_key(stamp)) is not None


def spend(stamp, now=None):
    """Record that a comment was accepted with ``stamp``; False if one already was.

    One atomic ``add``, kept until the stamp would have expired anyway: of two comments
    sent with the same stamp at once, exactly one spends it.
    """
    now = now if now is not None else time.time()
    keep = max(1, int(stamp.issued + MAX_AGE - now) + 1)
    return _spent().add(_key(stamp), 1, timeout=keep)
