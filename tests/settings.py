"""Test settings: Rejoinder's own, with a throw-away data directory and a non-UTC zone.

A zone far from UTC flushes out naive datetimes and dates taken in the wrong zone.
``DATABASE_URL`` picks PostgreSQL, as in production; unset, the suite runs on SQLite.
"""

import os
import tempfile

os.environ.setdefault("REJOINDER_DATA_DIR", tempfile.mkdtemp(prefix="rejoinder-test-"))
os.environ["REJOINDER_ENV"] = "local"

from rejoinder.settings import *  # noqa: F403

TIME_ZONE = "America/Chicago"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405

# Limits counted in this process's memory: a test (and its live server thread) sees its
# own counts, cleared between tests. The shared stores (the database, Redis) are tested
# with real server processes in tests/discussion/test_shared_limits.py.
CACHES = {
    **CACHES,  # noqa: F405
    "limits": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "limits"},
    # The page cache in this process's memory too; the shared stores (files, Redis) are
    # tested in tests/core/test_page_cache.py and with real server processes.
    "pages": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "pages"},
}
PAGE_CACHE_VERSIONS_DIR = ""  # the tokens beside the pages, in memory
