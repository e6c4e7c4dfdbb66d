"""Settings for thiduakhenthuong, driven by environment variables (see .env.example)."""

import datetime as dt
import os
import sys
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
# The test runner uses a throwaway key; a served site with DEBUG off must have a real one.
TESTING = "pytest" in sys.modules
EXAMPLE_KEYS = {"change-me", "changeme", "secret", "dev-only-insecure-key", "test-only"}


def weak_key(key: str) -> bool:
    """An example key, or one Django's deploy check would call weak (short, few characters)."""
    return key.strip().lower() in EXAMPLE_KEYS or len(key) < 50 or len(set(key)) < 5


if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off (see .env.example).")
    SECRET_KEY = "dev-only-insecure-key"
elif not DEBUG and not TESTING and weak_key(SECRET_KEY):
    raise ImproperlyConfigured(
        "SECRET_KEY is an example or weak key (at least 50 random characters are needed): "
        "generate one with  python -c 'import secrets; print(secrets.token_urlsafe(50))'"
    )

ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "bootstrap",
    "django_htmx",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_tasks",
    "django_tasks_db",
    "blocs",
    "plans",
    "scoring",
    "reports",
    "thiduakhenthuong",  # composition root: seed_demo builds data across all apps
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # A cached page costs one query, before the user and the view (blocs/pagecache.py)
    "blocs.pagecache.PageCacheMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Optional two-factor authentication: a user with an authenticator app enters its code
    # after the password before any page opens (blocs/twofactor.py).
    "django_otp.middleware.OTPMiddleware",
    "blocs.twofactor.RequireVerifiedMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: it answers a locked-out login with the page below.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "thiduakhenthuong.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "thiduakhenthuong.wsgi.application"

DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    # Persistent connections (a worker keeps its connection for CONN_MAX_AGE seconds instead of
    # connecting per request), checked before reuse so a restarted PostgreSQL costs no request.
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL,
            conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
            conn_health_checks=True,
        )
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("SQLITE_PATH", str(BASE_DIR / "db.sqlite3")),
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }

# The cache of draft PDFs by the hash of their HTML (reports/render.py), which every process of
# the server shares (gunicorn's workers and the task worker): files under CACHE_DIR (default
# var/cache), so a download reads and writes no database row for it. CACHE_DATABASE=1 keeps it in
# the database instead (the table "django_cache", made by the migrations), for several app
# servers that should share their renders; without it each server renders a draft once (the key
# is the content's hash, so no server ever serves a stale one) and a draft printed by the task
# worker is read from its job (reports/jobs.py) on any server.
CACHE_DIR = os.environ.get("CACHE_DIR") or str(BASE_DIR / "var" / "cache")
CACHE_DATABASE = env_bool("CACHE_DATABASE", False)
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache"
        if CACHE_DATABASE
        else "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": "django_cache" if CACHE_DATABASE else CACHE_DIR,
        "TIMEOUT": 3600,
        "OPTIONS": {"MAX_ENTRIES": int(os.environ.get("CACHE_MAX_ENTRIES", "500"))},
    },
    # The page cache (blocs/pagecache.py): each process its own, keyed on the data version
    # that every committed write moves on, so an entry is never stale and never shared.
    "pages": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "pages",
        "TIMEOUT": 300,
        "OPTIONS": {"MAX_ENTRIES": int(os.environ.get("PAGE_CACHE_ENTRIES", "1000"))},
    },
}
PAGE_CACHE = env_bool("PAGE_CACHE", True)

# The task queue (django-tasks, the API Django 6 has built in) with its database backend: the web
# enqueues, `python manage.py db_worker` (started by `make serve` beside gunicorn) runs the tasks.
# Large documents are printed there (reports/jobs.py); the tests run the same worker in-process.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# A document whose print is estimated longer than this (seconds of one idle core, from its HTML:
# reports/render.py estimate_seconds) is printed by the task worker and the page shows progress;
# shorter ones are printed in the request. A job running longer than RENDER_JOB_TIMEOUT_MINUTES
# counts as failed (the worker died) and can be tried again; jobs are kept RENDER_JOB_KEEP_DAYS.
RENDER_INLINE_MAX_SECONDS = float(os.environ.get("RENDER_INLINE_MAX_SECONDS", "1.0"))
RENDER_JOB_TIMEOUT_MINUTES = int(os.environ.get("RENDER_JOB_TIMEOUT_MINUTES", "10"))
RENDER_JOB_KEEP_DAYS = int(os.environ.get("RENDER_JOB_KEEP_DAYS", "2"))

AUTH_USER_MODEL = "blocs.User"
# Django's validators (their messages are Vietnamese under LANGUAGE_CODE "vi"): at least 10
# characters, not like the user's name, not a common password, not digits only.
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("username", "full_name", "email")},
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # ModelBackend loading the user with its unit and reviewed province in one query
    "blocs.backends.UserWithUnitBackend",
    # kept so that sessions opened before the line above stay valid
    "django.contrib.auth.backends.ModelBackend",
]
# Login throttling (django-axes): after AXES_FAILURE_LIMIT wrong passwords for one user name, or
# from one address, logins from there are refused for AXES_COOLOFF_TIME even with the right
# password. The site administrator unlocks in /admin/ (Axes → Access attempts) or with
# `python manage.py axes_reset_username <user>` / `axes_reset_ip <address>`.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "10"))
AXES_COOLOFF_TIME = dt.timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked.html"
AXES_IPWARE_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0")) or None
AXES_VERBOSE = False
OTP_TOTP_ISSUER = "Thi đua khen thưởng"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "blocs:home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "vi"
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
# Years and numbers print plainly (2026, not 2.026); money uses |intcomma explicitly.
USE_THOUSAND_SEPARATOR = False
FORMAT_MODULE_PATH = ["thiduakhenthuong.formats"]
# Our Vietnamese for Django's stock messages that read badly ("Đảm bảo giá trị này là nhỏ hơn
# hoặc bằng với 12 ."); the compiled .mo is committed (`make messages` rebuilds it).
LOCALE_PATHS = [BASE_DIR / "locale"]

# Party bodies number documents per term of their cấp ủy (DOMAIN §8 item 10): terms of
# PARTY_TERM_YEARS years starting PARTY_TERM_FIRST_YEAR (2020-2025, 2025-2030, …).
PARTY_TERM_FIRST_YEAR = int(os.environ.get("PARTY_TERM_FIRST_YEAR", "2020"))
PARTY_TERM_YEARS = int(os.environ.get("PARTY_TERM_YEARS", "5"))

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
MEDIA_URL = "media/"
# Reports and evidence that units upload: outside the web root, served only through the gate.
PRIVATE_FILES_ROOT = Path(os.environ.get("PRIVATE_FILES_ROOT", BASE_DIR / "var" / "private"))
# One uploaded report, attachment or evidence file at most this size (default 20 MB).
SUBMISSION_FILE_MAX_BYTES = int(os.environ.get("SUBMISSION_FILE_MAX_BYTES", 20 * 1024 * 1024))

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Uploads: a plan's text or .docx is small; anything past this is refused with a message.
PLAN_IMPORT_MAX_BYTES = int(os.environ.get("PLAN_IMPORT_MAX_BYTES", 5 * 1024 * 1024))
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# Behind HTTPS (production): secure cookies, HSTS and the redirect, all from the environment.
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
if env_bool("BEHIND_HTTPS_PROXY", False):
    # The proxy (nginx, a load balancer) terminates TLS and says so in this header.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", 8 * 3600))  # one working day
SECURE_REFERRER_POLICY = "same-origin"
# Content security policy (django-csp): scripts only from our own static files (no inline script,
# no eval: htmx's eval is switched off in base.html); inline style attributes stay allowed for
# the indentation of criteria trees.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# E-mail (deadline reminders): the console in development, SMTP settings from the environment.
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("EMAIL_USE_TLS", "") in {"1", "true", "True"}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "thidua@localhost")
