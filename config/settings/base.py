"""Settings shared by every environment.

Values come from the environment (django-environ); see docs/operations.md for the full list.
`local.py` (the embedded default), `test.py` and `production.py` build on this module.
"""

from __future__ import annotations

from pathlib import Path

import environ
from celery.schedules import crontab

from config.cache import redis_caches

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

SECRET_KEY = env("DJANGO_SECRET_KEY", default="")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS: list[str] = env.list("DJANGO_ALLOWED_HOSTS", default=[])
CSRF_TRUSTED_ORIGINS: list[str] = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "django.contrib.postgres",
    "channels",
    "django_htmx",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "accounts",
    "network",
    "matching",
    "messaging",
    "sources",
    "outreach",
    "stories",
    "home",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Scripts from this origin only, no framing, no plugins (docs/security.md).
    "config.content_security.ContentSecurityPolicyMiddleware",
    "config.api.ApiJsonErrorsMiddleware",
    # PostgreSQL unreachable: 503 with a short page (JSON under /api/), not a 500.
    "config.outage.DatabaseOutageMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "config.urls"
# Project templates style every form with NL Design System classes (templates/django/forms/).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "messaging.context_processors.unread",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Threads (each with its own database connection) that run messaging services for the
# WebSocket consumer in one ASGI process, and the most database connections its event
# loop keeps for the message store (docs/messaging.md, From the event loop).
MESSAGING_DB_THREADS = env.int("MESSAGING_DB_THREADS", default=16)
# The message store statement is prepared once per connection on PostgreSQL; turn off
# behind a connection pooler that cannot keep prepared statements (PgBouncer < 1.21 in
# transaction mode).
MESSAGING_PREPARED_STATEMENTS = env.bool("MESSAGING_PREPARED_STATEMENTS", default=True)
# What one socket and one person may ask of /ws/ (docs/messaging.md, Limits): (frames,
# seconds). Per socket in the consumer's memory, "*" counting every frame, bad ones too;
# per person across sockets and processes in the cache (message.send: MESSAGING_RATE_LIMIT).
MESSAGING_SOCKET_FRAME_LIMITS = {
    "*": (60, 10),
    "message.send": (30, 10),
    "message.edit": (10, 10),
    "message.delete": (10, 10),
    "sync": (10, 10),
    "read": (30, 10),
    "typing": (10, 10),
}
MESSAGING_PERSON_FRAME_LIMITS = {
    "message.edit": (20, 10),
    "message.delete": (20, 10),
    "sync": (30, 10),
    "read": (60, 10),
    "typing": (20, 10),
}
# New conversations a person may start (count, seconds), on the page and the API together.
MESSAGING_CONVERSATION_START_LIMIT = (20, 600)
# A socket refused this often (refusals, seconds) is closed with 4429.
MESSAGING_SOCKET_REFUSALS = (30, 10)
# Open sockets (browser tabs) per person; the next one is closed with 4429.
MESSAGING_MAX_SOCKETS_PER_PERSON = 10
# A socket renews its place in that count every third of this; a dead process's places
# expire after it (seconds).
MESSAGING_SOCKET_TTL = 15 * 60

REDIS_URL = env("REDIS_URL", default="")

if REDIS_URL:
    # The pub/sub layer delivers with a far lower p99 than the list-based layer
    # (docs/development.md, Measured: 11 ms against 182 ms at 1,000 sockets); delivery guarantees come
    # from the database and `sync`, not from the layer.
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "messaging.layers.PubSubChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL]},
        }
    }
    # Fails open: with Redis down the cache acts as a miss and rate limits are off, so
    # signing in keeps working (config/cache.py; docs/operations.md).
    CACHES = redis_caches(REDIS_URL)
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Celery: Redis when configured, otherwise tasks run in-process.
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
# Modules of tasks outside the apps (autodiscovery reads the apps' tasks.py only).
CELERY_IMPORTS = ("config.mail",)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
# A task is acknowledged when it has finished, and put back on the queue when the worker
# running it dies (OOM kill, lost container): tasks are idempotent, so a rerun is safe.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Producers (web requests calling .delay after commit) give up quickly when the broker is
# down instead of holding the request: one quick retry, then the error is logged by
# config.after_commit and the request answers as usual.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 1, "socket_timeout": 5}
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
CELERY_TIMEZONE = "Europe/Amsterdam"
CELERY_BEAT_SCHEDULE = {
    "proposals-housekeeping": {
        "task": "matching.tasks.proposals_housekeeping_task",
        "schedule": 300.0,
    },
    "stories-housekeeping": {
        "task": "stories.tasks.stories_housekeeping_task",
        "schedule": crontab(hour=6, minute=30),
    },
    "messaging-unread-emails": {"task": "messaging.tasks.unread_emails_task", "schedule": 60.0},
    # The matching index learns new words, themes and exposure counts (docs/matching-engine.md).
    "matching-index-nightly": {
        "task": "matching.tasks.index_nightly_task",
        "schedule": crontab(hour=4, minute=0),
    },
    "messaging-daily-digests": {
        "task": "messaging.tasks.daily_digests_task",
        "schedule": crontab(hour=7, minute=0),
    },
    "outreach-responder-details-forget": {
        "task": "outreach.tasks.responder_details_forget_task",
        "schedule": crontab(hour=3, minute=30),
    },
}

# Key figures' reach (docs/outreach.md): responders' names and contacts are erased this
# many days after the activity; the count stays.
OUTREACH_KEEP_DETAILS_DAYS = env.int("BRUGGEN_OUTREACH_KEEP_DETAILS_DAYS", default=30)

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
# Mijn Bruggen after sign-in; the guided start after sign-up (docs/home.md).
LOGIN_REDIRECT_URL = "home"
ACCOUNT_SIGNUP_REDIRECT_URL = "home:start"

# allauth: email is the login; its rate limits stay on (ACCOUNT_RATE_LIMITS defaults).
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = env("DJANGO_ACCOUNT_EMAIL_VERIFICATION", default="optional")
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
ACCOUNT_SIGNUP_FORM_CLASS = "accounts.forms.SignupForm"
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Bruggen] "
ACCOUNT_PRESERVE_USERNAME_CASING = False
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Bruggen"

LANGUAGE_CODE = "nl"
# Each language named in its own script: the switch shows these names, never translated
# (docs/languages.md). Arabic is written right to left (Django's LANG_INFO says so).
LANGUAGES = [("nl", "Nederlands"), ("en", "English"), ("ar", "العربية"), ("tr", "Türkçe")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = env.path("DJANGO_STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [
    BASE_DIR / "static",
    # NL Design System, installed from npm by the setup (package.json), served by WhiteNoise.
    ("vendor/utrecht/components", BASE_DIR / "node_modules/@utrecht/component-library-css/dist"),
    ("vendor/utrecht/tokens", BASE_DIR / "node_modules/@utrecht/design-tokens/dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default=str(VAR_DIR / "media"))

EMAIL_CONFIG = env.email_url("DJANGO_EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
# Seconds before an SMTP connection or command gives up: mail sent after a commit in a
# request must not hold it for ever, and a mail task must fail (and retry) rather than hang.
EMAIL_TIMEOUT = env.int("DJANGO_EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env("DJANGO_DEFAULT_FROM_EMAIL", default="Bruggen <noreply@bruggen.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Where links in mail point (invitations, profile claims, unsubscribe).
BRUGGEN_BASE_URL = env("DJANGO_BASE_URL", default="http://127.0.0.1:8000")

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

NINJA_PAGINATION_MAX_LIMIT = 100
NINJA_PAGINATION_PER_PAGE = 20

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
