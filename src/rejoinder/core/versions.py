"""Version tokens every server process sees: the page cache's tags, the discussion rules.

A token is 16 random hex characters; a new one means "what you kept under the old one is
stale". Where they live:

- in Redis (the "pages" cache) when ``REDIS_URL`` is set: every process of every machine;
- otherwise in small files under ``PAGE_CACHE_VERSIONS_DIR`` (the data directory): every
  process of this machine, read in a few microseconds. A token is overwritten in place
  (no rename): a reader that catches a write half done reads a token that matches
  nothing kept, which only costs a fresh render;
- in the "pages" cache itself when neither (one process: the test suite).
"""

import os
import secrets
from pathlib import Path

from django.conf import settings
from django.core.cache import caches

TOKEN_LENGTH = 16


def token():
    return secrets.token_hex(TOKEN_LENGTH // 2)


def file_name(name):
    """``name`` as a file name: letters, digits, - and _ kept, anything else _."""
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in name)


_stores = {}


def store():
    directory = settings.PAGE_CACHE_VERSIONS_DIR
    if not directory:
        return CacheVersions(caches["pages"])
    if directory not in _stores:
        _stores[directory] = FileVersions(directory)
    return _stores[directory]


class CacheVersions:
    def __init__(self, cache):
        self.cache = cache

    def get_many(self, names):
        keys = {f"v:{name}": name for name in names}
        return {keys[key]: value for key, value in self.cache.get_many(list(keys)).items()}

    def set_many(self, values):
        self.cache.set_many({f"v:{name}": value for name, value in values.items()}, None)

    def add(self, name, value):
        self.cache.add(f"v:{name}", value, None)

    def delete(self, name):
        self.cache.delete(f"v:{name}")


class FileVersions:
    def __init__(self, directory):
        self.directory = Path(directory)
        self.ready = False

    def get_many(self, names):
        found = {}
        for name in names:
            try:
                with open(self._path(name), "rb") as file:
                    found[name] = file.read().decode("ascii", "replace")
            except FileNotFoundError:
                pass
        return found

    def set_many(self, values):
        self._prepare()
        for name, value in values.items():
            descriptor = os.open(self._path(name), os.O_WRONLY | os.O_CREAT, 0o600)
            try:
                data = value.encode("ascii")
                os.write(descriptor, data)
                os.ftruncate(descriptor, len(data))
            finally:
                os.close(descriptor)

    def add(self, name, value):
        self._prepare()
        try:
            descriptor = os.open(self._path(name), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return
        try:
            os.write(descriptor, value.encode("ascii"))
        finally:
            os.close(descriptor)

    def delete(self, name):
        self._path(name).unlink(missing_ok=True)

    def _prepare(self):
        if not self.ready:
            self.directory.mkdir(parents=True, exist_ok=True)
            self.ready = True

    def _path(self, name):
        return self.directory / file_name(name)


def current(names):
    """The tokens of ``names``; one never given yet (or forgotten) gets one now. add()
    keeps a token another process set meanwhile, and the answer is whichever won."""
    store_ = store()
    found = store_.get_many(names)
    missing = [name for name in names if name not in found]
    for name in missing:
        store_.add(name, token())
    if missing:
        found.update(store_.get_many(missing))
    return found


_kept = {}  # this process's copies: name -> (token, value)


def kept(name, load):
    """``load()``'s value, read again only when ``name``'s token has moved (``renew``).

    For small things read on every request and changed rarely (the discussion rules,
    the bans): one token read instead of a query. A copy read while a change commits is
    kept under the token from before it, so the next call reads again.
    """
    token_ = current([name])[name]
    found = _kept.get(name)
    if found is not None and found[0] == token_:
        return found[1]
    value = load()
    _kept[name] = (token_, value)
    return value


def renew(name):
    """``name``'s value changed: every process reads it again (now, and once this commits)."""
    from django.db import transaction

    def move():
        store().set_many({name: token()})

    move()
    transaction.on_commit(move)
