"""Tests: fast, but on real PostgreSQL and Redis when DATABASE_URL and REDIS_URL are set.

`make test` sets them when the services answer at their usual local addresses. With
CI=true the suite refuses to fall back to SQLite or the in-memory channel layer.
"""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import DATABASES, REDIS_URL, VAR_DIR, env

VAR_DIR.mkdir(exist_ok=True)

if env.bool("CI", default=False):
    missing = [name for name in ("DATABASE_URL", "REDIS_URL") if not env(name, default="")]
    if missing:
        raise ImproperlyConfigured(
            f"CI=true: {', '.join(missing)} must be set; the suite never falls back in CI."
        )

DEBUG = False
SECRET_KEY = "test-only-not-a-secret"  # noqa: S105
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = True
CELERY_BROKER_URL = "memory://"
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
MEDIA_ROOT = str(VAR_DIR / "test-media")
LANGUAGE_CODE = "nl"

if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-db.sqlite3")}
DATABASES["default"]["CONN_MAX_AGE"] = 0

# The cache holds allauth's rate-limit counters; a per-process memory cache keeps tests
# independent even when Redis carries the channel layer.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

BRUGGEN_SHOW_DEMO_SIGNIN = False
BRUGGEN_TEST_REDIS_URL = REDIS_URL
# A rebuild of the matching index runs in a thread in the servers; a test's data lives in
# its own transaction, which a thread's connection cannot see, so tests rebuild in place
# (tests/matching/test_deltas.py turns the thread on where it commits its data).
MATCHING_INDEX_REBUILD_IN_BACKGROUND = False
