"""Rejoinder's one settings module: every knob comes from an environment variable.

Two modes, chosen by ``REJOINDER_ENV``:

* ``local`` (the default, used by ``rejoinder run``): safe defaults for one person on one
  machine. A secret key is generated once into the data directory.
* ``production`` (the default of ``rejoinder serve``): ``REJOINDER_SECRET_KEY`` and
  ``REJOINDER_ALLOWED_HOSTS`` must be set, or start-up fails naming the variable.

Every variable read here is documented in ``docs/settings.md``; a test keeps the two in step.
"""

import os
import secrets
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

PACKAGE_DIR = Path(__file__).resolve().parent


def env(name, default=None):
    """Return the environment variable ``name``; an empty value counts as unset."""
    value = os.environ.get(name, "")
    return value if value != "" else default


def env_bool(name, default=False):
    value = env(name)
    if value is None:
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}.")


def env_int(name, default, minimum=None, maximum=None):
    value = env(name)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from None
    if (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
        raise ImproperlyConfigured(f"{name} must be between {minimum} and {maximum}, not {number}.")
    return number


def env_list(name, default=()):
    value = env(name)
    if value is None:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


def database_from_url(url):
    """Translate ``DATABASE_URL`` (``postgres://user:pass@host:port/name``) to Django's form."""
    parts = urlsplit(url)
    if parts.scheme not in {"postgres", "postgresql"}:
        raise ImproperlyConfigured(
            f"DATABASE_URL must start with postgres:// or postgresql://, not {parts.scheme!r}://; "
            "leave it unset to use the embedded SQLite database."
        )
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": unquote(parts.path.lstrip("/")) or "rejoinder",
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": parts.hostname or "",
        "PORT": str(parts.port or ""),
    }


MODE = env("REJOINDER_ENV", "local")
if MODE not in {"local", "production"}:
    raise ImproperlyConfigured(f"REJOINDER_ENV must be 'local' or 'production', not {MODE!r}.")
PRODUCTION = MODE == "production"

DATA_DIR = Path(env("REJOINDER_DATA_DIR", "rejoinder-data")).resolve()
DEBUG = env_bool("REJOINDER_DEBUG", False)


def _local_secret_key():
    """Read the secret generated for this data directory, creating it on first use."""
    path = DATA_DIR / "secret_key"
    if not path.exists():
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(50))
    return path.read_text().strip()


SECRET_KEY = env("REJOINDER_SECRET_KEY")
ALLOWED_HOSTS = env_list("REJOINDER_ALLOWED_HOSTS")
if PRODUCTION:
    if not SECRET_KEY:
        raise ImproperlyConfigured(
            "REJOINDER_SECRET_KEY is not set. Production mode needs a long random secret, e.g. "
            "REJOINDER_SECRET_KEY=$(python3 -c 'import secrets; print(secrets.token_urlsafe(50))')"
        )
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured(
            "REJOINDER_ALLOWED_HOSTS is not set. Production mode needs the host names the site "
            "answers to, comma-separated, e.g. REJOINDER_ALLOWED_HOSTS=blog.example.org"
        )
else:
    SECRET_KEY = SECRET_KEY or _local_secret_key()
    ALLOWED_HOSTS = ALLOWED_HOSTS or ["localhost", "127.0.0.1", "[::1]"]

# The public address of the site, used for canonical links, feeds and the sitemap. Without it
# they are built from the request's host.
SITE_URL = (env("REJOINDER_SITE_URL") or "").rstrip("/")
SITE_TITLE = env("REJOINDER_SITE_TITLE", "Rejoinder")
SITE_TAGLINE = env("REJOINDER_SITE_TAGLINE", "Commentary, quoted and answered")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "rejoinder.core",
    "rejoinder.publishing",
    "rejoinder.discussion",
    "rejoinder.notifications",
    "rejoinder.interop",
    "rejoinder.operations",
    "csp",
    "axes",
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    # Outermost: a cached anonymous page is answered before any other layer runs, and a
    # fresh one is stored with the headers every other layer gave it.
    "rejoinder.core.pagecache.PageCacheMiddleware",
    # Then: every later layer (axes, flood limits, comments' IP) sees the client's address.
    "rejoinder.core.middleware.ClientAddressMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Outside WhiteNoise and the UTF-8 refusal, so their answers cannot be framed either.
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "rejoinder.core.middleware.StrictUTF8Middleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "rejoinder.publishing.middleware.PostAliasMiddleware",
    "rejoinder.interop.middleware.WordPressAddressMiddleware",
    "rejoinder.core.fragments.FragmentMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into a 429 page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "rejoinder.urls"
WSGI_APPLICATION = "rejoinder.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "rejoinder.core.context_processors.site",
            ],
        },
    },
]

DATABASE_URL = env("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": database_from_url(DATABASE_URL)}
else:
    # Any command may be the first (`rejoinder migrate` on a new machine): the database's
    # directory must exist before SQLite can create the file.
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    # SQLite tuned for a web server: WAL so readers never block the writer, IMMEDIATE
    # transactions so two writers queue on the busy timeout instead of failing with
    # "database is locked" half-way through a transaction.
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "rejoinder.sqlite3",
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL;"
                    "PRAGMA synchronous=NORMAL;"
                    "PRAGMA busy_timeout=20000;"
                    "PRAGMA foreign_keys=ON;"
                ),
            },
        }
    }

# Connections kept open between requests, checked before reuse: opening one (for SQLite,
# the file and the pragmas above) cost a tenth of a comment POST.
DATABASES["default"].update(CONN_MAX_AGE=60, CONN_HEALTH_CHECKS=True)

REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    _redis = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    CACHES = {
        "default": _redis,
        "limits": {**_redis, "KEY_PREFIX": "limits"},
        "pages": {**_redis, "KEY_PREFIX": "pages"},
    }
else:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        # Cached anonymous pages, in each process's memory; whether one is still current
        # is decided by version tokens every process shares (PAGE_CACHE_VERSIONS_DIR).
        "pages": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "pages",
            "OPTIONS": {"MAX_ENTRIES": 2000},
        },
        # Flood and email limits must be shared by every server process (granian runs
        # several): without Redis they are counted in the database (a table made by
        # core's migration 0002). Local memory would let N processes each take a comment.
        "limits": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "rejoinder_limits",
        },
    }

# The anonymous page cache (docs/operations.md, "Caching"): pages readers without a
# session see, kept until a change they show invalidates them. Off for measurements only.
PAGE_CACHE = env_bool("REJOINDER_PAGE_CACHE", True)
# How long a cached page may live at most, in seconds (changes invalidate it sooner).
PAGE_CACHE_SECONDS = env_int("REJOINDER_PAGE_CACHE_SECONDS", 3600, minimum=10, maximum=86_400)
# The page cache's version tokens without Redis: small files every process of this machine
# reads (core/versions.py). With Redis they live there, shared by every machine.
PAGE_CACHE_VERSIONS_DIR = "" if REDIS_URL else str(DATA_DIR / "cache" / "versions")
# Also write cached pages as files here, for nginx to serve before the application.
PAGE_CACHE_DIR = env("REJOINDER_PAGE_CACHE_DIR", "")
# How long a CDN or other shared cache may keep an anonymous page (s-maxage), and serve it
# stale while it fetches a fresh one (stale-while-revalidate). Browsers always revalidate.
CDN_MAX_AGE = env_int("REJOINDER_CDN_MAX_AGE", 60, minimum=0, maximum=86_400)
CDN_STALE_SECONDS = env_int("REJOINDER_CDN_STALE_SECONDS", 300, minimum=0, maximum=86_400)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Login throttling (django-axes). Failures count per IP address and per account at that
# address, never per account alone: an attacker elsewhere cannot lock the real user out.
AXES_FAILURE_LIMIT = env_int("REJOINDER_LOGIN_FAILURE_LIMIT", 10, minimum=3, maximum=1000)
AXES_LOCKOUT_PARAMETERS = ["ip_address", ["username", "ip_address"]]
AXES_COOLOFF_TIME = env_int("REJOINDER_LOGIN_LOCKOUT_MINUTES", 15, minimum=1, maximum=1440) / 60
AXES_RESET_ON_SUCCESS = True
# The socket's address only: forwarded headers from anyone would let a client pick its IP.
AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]
# No record of successful logins, and no log lines naming accounts or addresses.
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = env("REJOINDER_LANGUAGE", "en-us")
TIME_ZONE = env("REJOINDER_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = DATA_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "rejoinder.core.storage.StaticFilesStorage"},
}

# Behind a TLS-terminating proxy that sets X-Forwarded-Proto.
if env_bool("REJOINDER_HTTPS", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("REJOINDER_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("REJOINDER_HSTS_PRELOAD", False)
    CSRF_TRUSTED_ORIGINS = [SITE_URL] if SITE_URL else []
    if not SECURE_HSTS_PRELOAD:
        # Preloading is a commitment made by submitting the domain to browsers' list; the
        # operator opts in with REJOINDER_HSTS_PRELOAD, so its reminder is not a warning.
        SILENCED_SYSTEM_CHECKS = ["security.W021"]

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# A strict Content-Security-Policy (django-csp): no inline script or style anywhere (the
# theme has none), nothing framed, no plugins, no <base> games, no request to another
# host. Images from elsewhere (an imported blog's old media host, a CDN) only from the
# hosts named in REJOINDER_IMAGE_HOSTS.
from csp.constants import NONE, SELF  # noqa: E402

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", *env_list("REJOINDER_IMAGE_HOSTS")],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("REJOINDER_LOG_LEVEL", "WARNING")},
}

# Publishing.
POSTS_PER_PAGE = env_int("REJOINDER_POSTS_PER_PAGE", 10, minimum=1, maximum=100)
# The longest Markdown body (in characters) a post or page may have.
MAX_POST_LENGTH = env_int("REJOINDER_MAX_POST_LENGTH", 200_000, minimum=1000, maximum=5_000_000)

# Discussion.
# Display levels of replies, like WordPress's "thread comments N levels deep" (1-20).
THREAD_DEPTH = env_int("REJOINDER_THREAD_DEPTH", 10, minimum=1, maximum=20)
# How deep a reply may be stored (a top-level comment is depth 0): deeper replies are
# refused, imported ones attached at this depth. 100 is ten times the default display depth
# and far past any real conversation; it bounds a comment's path at 700 bytes, so no thread
# query's cost grows with the depth a reader can build.
MAX_REPLY_DEPTH = env_int("REJOINDER_MAX_REPLY_DEPTH", 100, minimum=1, maximum=1000)
COMMENT_EDIT_MINUTES = env_int("REJOINDER_COMMENT_EDIT_MINUTES", 15, minimum=0, maximum=1440)
# 0 keeps comments open; N closes them N days after the post was published.
CLOSE_COMMENTS_AFTER_DAYS = env_int(
    "REJOINDER_CLOSE_COMMENTS_AFTER_DAYS", 0, minimum=0, maximum=36500
)
COMMENT_IP_RETENTION_DAYS = env_int(
    "REJOINDER_COMMENT_IP_RETENTION_DAYS", 90, minimum=1, maximum=3650
)
# Above this many comments a post shows its thread a page of top-level threads at a time.
COMMENTS_PAGE_THRESHOLD = env_int(
    "REJOINDER_COMMENTS_PAGE_THRESHOLD", 200, minimum=10, maximum=1_000_000
)
COMMENT_THREADS_PER_PAGE = env_int("REJOINDER_COMMENT_THREADS_PER_PAGE", 20, minimum=1, maximum=500)

# Proxies whose X-Forwarded-For is believed (addresses or CIDR ranges, e.g. 127.0.0.1 for
# nginx on the same machine). From any other peer the header is ignored: the client is the
# socket's address.
TRUSTED_PROXIES = env_list("REJOINDER_TRUSTED_PROXIES")

# Background work (notification email): django-tasks with its database backend; the
# worker is `rejoinder db_worker`, which `rejoinder run` starts beside the server.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

# Email. With REJOINDER_EMAIL_HOST set, through that SMTP server; otherwise local mode
# writes messages as files into the data directory's outbox/ and production mode hands
# them to the local mail server on port 25.
DEFAULT_FROM_EMAIL = env("REJOINDER_EMAIL_FROM", "Rejoinder <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_HOST = env("REJOINDER_EMAIL_HOST")
EMAIL_TIMEOUT = 20
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("REJOINDER_EMAIL_PORT", 587, minimum=1, maximum=65535)
    EMAIL_HOST_USER = env("REJOINDER_EMAIL_USER", "")
    EMAIL_HOST_PASSWORD = env("REJOINDER_EMAIL_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("REJOINDER_EMAIL_STARTTLS", EMAIL_PORT == 587)
    EMAIL_USE_SSL = env_bool("REJOINDER_EMAIL_TLS", EMAIL_PORT == 465)
elif PRODUCTION:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST, EMAIL_PORT = "localhost", 25
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = DATA_DIR / "outbox"

# Notifications (docs/notifications.md). A reader without an account confirms their address
# before anything else is sent to it; these limits keep the form from being used to flood
# someone else's inbox with confirmation requests.
# At most one confirmation email to an address in this many hours.
NOTIFY_CONFIRM_HOURS = env_int("REJOINDER_NOTIFY_CONFIRM_HOURS", 24, minimum=1, maximum=720)
# At most this many requests for email an hour from one IP address (readers without an
# account); past it the boxes are ignored and nothing is sent.
NOTIFY_IP_HOURLY = env_int("REJOINDER_NOTIFY_IP_HOURLY", 10, minimum=1, maximum=1000)

# Quotations. The fetcher that archives sources refuses every address that is not public;
# this lets loopback (127.0.0.0/8, ::1) through for tests and a local run. Other private
# ranges stay refused.
QUOTE_FETCH_ALLOW_LOOPBACK = env_bool("REJOINDER_QUOTE_FETCH_ALLOW_LOOPBACK", False)
# The editor is warned (not stopped) when a post quotes more than this share of a source.
QUOTE_SHARE_WARNING = env_int("REJOINDER_QUOTE_SHARE_WARNING", 30, minimum=1, maximum=100)

# The JSON API (/api/v1/) and the embeddable thread (/comments/embed/), docs/api.md. Pages on the
# origins listed in REJOINDER_CORS_ORIGINS (e.g. https://other.example) may read and post
# through them from a browser; empty (the default) allows this site's own pages only. No
# cookies cross: the API never uses the session.
CORS_ALLOWED_ORIGINS = env_list("REJOINDER_CORS_ORIGINS")
for _origin in CORS_ALLOWED_ORIGINS:
    _parts = urlsplit(_origin)
    if _parts.scheme not in {"http", "https"} or not _parts.netloc or _parts.path not in {"", "/"}:
        raise ImproperlyConfigured(
            f"REJOINDER_CORS_ORIGINS: {_origin!r} is not an origin; write scheme and host "
            "only, like https://other.example (comma-separated for several)."
        )
CORS_ALLOWED_ORIGINS = [origin.rstrip("/") for origin in CORS_ALLOWED_ORIGINS]
CORS_URLS_REGEX = r"^/(api/|comments/embed/)"
CORS_ALLOW_CREDENTIALS = False
CORS_PREFLIGHT_MAX_AGE = 3600
INSTALLED_APPS.append("corsheaders")
# Before CommonMiddleware (django-cors-headers' rule), so redirects carry the headers too.
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.common.CommonMiddleware"),
    "corsheaders.middleware.CorsMiddleware",
)
