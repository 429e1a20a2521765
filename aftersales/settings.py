"""Settings for aftersales. Everything that differs between machines comes from the environment.

DATABASE_URL        default sqlite:///<var>/aftersales.sqlite3 (PostgreSQL in production)
SECRET_KEY          required, except in a source checkout (where a development key is used unless
                    AFTERSALES_ALLOW_DEV_KEY=0) or with DEBUG
DEBUG               "1" to turn on (the `make run` demo sets it)
ALLOWED_HOSTS       comma-separated
REDIS_URL           when set, huey uses Redis; otherwise SQLite storage under var/
AFTERSALES_SECRETS_KEY  Fernet key encrypting connected stores' app secrets and tokens (required
                    outside a source checkout once a store is connected)
AFTERSALES_VAR_DIR  where files live (SQLite, uploads, import reports): default var/ of the checkout,
                    or var/ of the working directory for an installed package
"""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent
# Run from a source checkout (`make run`, `make test`) rather than from an installed package: the
# development defaults below apply only there, never to a server that was `pip install`ed.
CHECKOUT = (BASE_DIR.parent / "pyproject.toml").is_file()
VAR_DIR = Path(os.environ.get("AFTERSALES_VAR_DIR") or (BASE_DIR.parent / "var" if CHECKOUT else Path.cwd() / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = os.environ.get("DEBUG", "0") == "1"
_DEV_KEY_ALLOWED = os.environ.get("AFTERSALES_ALLOW_DEV_KEY", "1" if CHECKOUT else "0") == "1"
SECRET_KEY = os.environ.get("SECRET_KEY") or ("dev-insecure-key-change-me" if DEBUG or _DEV_KEY_ALLOWED else None)
if not SECRET_KEY:
    raise RuntimeError("SECRET_KEY must be set in the environment (see README, Configuration)")
# Encrypts the platform app secrets and tokens of connected stores (a Fernet key:
# `python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"`).
# A source checkout falls back to a development key derived from the development SECRET_KEY.
AFTERSALES_SECRETS_KEY = os.environ.get("AFTERSALES_SECRETS_KEY") or ""
AFTERSALES_SECRETS_DEV_FALLBACK = DEBUG or _DEV_KEY_ALLOWED
ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

# Behind HTTPS in production (HTTPS=1): secure cookies, HSTS, and trust the proxy's scheme header.
if os.environ.get("HTTPS", "0") == "1":
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 31536000
SESSION_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp): scripts only from this server's own files, never inline or
# eval'd, so markup that slips into a page or a chart from data cannot run. Inline style attributes
# stay allowed (they cannot run code); images may be data: or blob: URLs (ECharts, photo previews).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
SECURE_CONTENT_TYPE_NOSNIFF = True

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "ninja",  # serves the API docs page (Swagger UI) from its own static files, not a CDN
    "huey.contrib.djhuey",
    "aftersales.accounts",
    "aftersales.catalog",
    "aftersales.orders",
    "aftersales.cases",
    "aftersales.refunds",
    "aftersales.warehouse",
    "aftersales.exports",
    "aftersales.care",
    "aftersales.notifications",
    "aftersales.platforms",
    "aftersales.analytics",
    "aftersales.intelligence",
    "aftersales.portal",
    "aftersales.console",
    "aftersales.intelligence.advice",
    "aftersales.intelligence.signals",
    "aftersales.training",
    "aftersales.autoapprove",
    "aftersales.demo",  # the `demo` command
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "aftersales.console.locale.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Before any view or CSRF check reads a body: refuse one too large for its route (413).
    "aftersales.serving.body_limits.BodySizeLimitMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "aftersales.urls"
WSGI_APPLICATION = "aftersales.wsgi.application"

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
                "aftersales.console.context.staff",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'aftersales.sqlite3'}"),
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # WAL lets the web process read while a worker writes; a busy timeout instead of "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
# Static files (htmx, ECharts, CSS) are served by the app itself: merchants run it without a CDN or
# a separate web server. Found in place, so `collectstatic` is optional.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))

# Shared by every web process (rate limits): Redis when there is one, else a database table.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": os.environ["REDIS_URL"]}
    if os.environ.get("REDIS_URL")
    else {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "aftersales_cache"}
}
# Failed staff sign-ins allowed per client address ("10/m", "50/h"); buyer portal look-ups per address.
# A client over its limit is refused; a username or order number over it is only slowed down, so that
# nobody's failures lock out somebody else (aftersales/serving/throttle.py).
LOGIN_RATE = os.environ.get("AFTERSALES_LOGIN_RATE", "10/m")
PORTAL_LOOKUP_FAILURES = int(os.environ.get("AFTERSALES_PORTAL_FAILURES", "5"))
PORTAL_LOOKUP_WINDOW = 15 * 60
THROTTLE_FIRST_DELAY = 0.5
THROTTLE_MAX_DELAY = 4.0
# How many reverse proxies of ours stand in front of the app (the README's nginx: 1). The client's
# address is then taken from X-Forwarded-For, that many hops from the right (serving/client_address.py).
TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0"))
# Shop webhooks to loopback and private addresses (a receiver on this machine or the intranet, tests):
# off, so that a webhook URL cannot reach into the server's own network. See notifications/addresses.py.
AFTERSALES_WEBHOOK_ALLOW_PRIVATE = os.environ.get("AFTERSALES_WEBHOOK_ALLOW_PRIVATE", "0") == "1"

LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/console/"

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "aftersales@localhost")

# Uploads and request bodies (limits per route: aftersales/serving/body_limits.py; the reverse proxy's own
# limit is in the README). Evidence: images only, at most this many bytes each, this many at once.
EVIDENCE_MAX_BYTES = int(os.environ.get("EVIDENCE_MAX_BYTES", str(10 * 1024 * 1024)))
UPLOAD_MAX_FILES = 10
DATA_UPLOAD_MAX_NUMBER_FILES = UPLOAD_MAX_FILES
# A platform export on /imports/ (signed-in staff only).
AFTERSALES_IMPORT_MAX_BYTES = int(os.environ.get("AFTERSALES_IMPORT_MAX_BYTES", str(1024 * 1024 * 1024)))
# The largest body that is not a file: an API call (500 texts to classify is the largest).
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024
# Any other page's form.
FORM_BODY_MAX_BYTES = 2 * 1024 * 1024
# Files above this are spooled to disk while a request is read, not held in memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = int(2.5 * 1024 * 1024)

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    HUEY = {"huey_class": "huey.RedisHuey", "name": "aftersales", "url": REDIS_URL, "immediate": False}
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "aftersales",
        "filename": str(VAR_DIR / "huey.sqlite3"),
        "immediate": False,
    }

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
