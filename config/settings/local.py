"""The embedded default that `make run` and `manage.py` use: SQLite under var/, the in-memory
channel layer, Celery tasks in-process and mail to the console, unless DATABASE_URL or
REDIS_URL say otherwise."""

from __future__ import annotations

from .base import *  # noqa: F403
from .base import VAR_DIR, env

VAR_DIR.mkdir(exist_ok=True)

DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = env("DJANGO_SECRET_KEY", default="local-development-only-not-a-secret")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# A new account can sign in right after signing up; the verification mail goes to the console.
ACCOUNT_EMAIL_VERIFICATION = env("DJANGO_ACCOUNT_EMAIL_VERIFICATION", default="optional")

# Demo sign-ins are printed only here, never in production.
BRUGGEN_SHOW_DEMO_SIGNIN = True
