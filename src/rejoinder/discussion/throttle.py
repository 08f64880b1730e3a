"""Flood control, counted in the cache so every server process shares the counts.

WordPress's rule: one comment per ``flood_seconds`` from one IP address and from one email
address. On top, at most ``hourly_limit`` comments an hour from one IP address. Each
check is one atomic cache operation (``add`` for the interval, ``incr`` for the hour), so
two processes behind a load balancer cannot both let the same commenter through; with
``REDIS_URL`` set the cache is Redis, shared by all of them.

Keys hold a keyed digest of the address, never the address itself.
"""

import hashlib
import math
import time

from django.conf import settings
from django.core.cache import caches

from rejoinder.core.networks import address_bucket

from .errors import TooSoon

# The cache the counts live in (settings.CACHES["limits"]): Redis with REDIS_URL, else the
# database, so that every server process sees the same counts.
cache = caches["limits"]


def limit_key(prefix, kind, value):
    """A cache key for counting ``value`` (an address): keyed with the secret, since an
    unkeyed digest of an IPv4 address is reversed by trying all four billion."""
    secret = hashlib.sha256(b"rejoinder.limits" + settings.SECRET_KEY.encode()).digest()
    digest = hashlib.blake2b(value.lower().encode(), key=secret, digest_size=12).hexdigest()
    return f"{prefix}:{kind}:{digest}"


def _key(kind, value):
    return limit_key("flood", kind, value)


def count_this_hour(prefix, value, now=None):
    """Count one more event for ``value`` in the current clock hour; return the count and
    the seconds until the hour ends. One atomic ``incr``, shared by every process."""
    now = now if now is not None else time.time()
    hour = int(now // 3600)
    key = limit_key(prefix, f"hour{hour}", value)
    cache.add(key, 0, timeout=3600)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=3600)
        count = 1
    return count, max(1, math.ceil((hour + 1) * 3600 - now))


def check(candidate, rules, now=None):
    """Count this comment against the limits; raise ``TooSoon`` past one of them."""
    now = now if now is not None else time.time()
    interval = rules.flood_seconds
    if interval:
        address = address_bucket(candidate.ip_address) if candidate.ip_address else None
        for kind, value in (("ip", address), ("email", candidate.author_email)):
            if not value:
                continue
            key = _key(kind, value)
            # add() only succeeds if no comment came within the interval; the value is when
            # the interval ends, so the refusal can say how long to wait.
            if not cache.add(key, now + interval, timeout=interval):
                until = cache.get(key) or now + interval
                wait = max(1, math.ceil(until - now))
                raise TooSoon(
                    f"You are commenting too quickly: wait {wait} second"
                    f"{'s' if wait != 1 else ''} and send it again. Your text is kept below.",
                    wait,
                )
    limit = rules.hourly_limit
    if limit and candidate.ip_address:
        count, wait = count_this_hour("flood", address_bucket(candidate.ip_address), now)
        if count > limit:
            minutes = math.ceil(wait / 60)
            raise TooSoon(
                f"Too many comments from your address this hour (the limit is {limit}): "
                f"try again in {minutes} minute{'s' if minutes != 1 else ''}. "
                "Your text is kept below.",
                wait,
            )
