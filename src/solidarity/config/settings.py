"""Django settings for Solidarity, read from the environment only.

Every setting a deployer may change is documented in docs/configure.md (a test checks that the two
agree). The embedded default needs none of them: SQLite in ``SOLIDARITY_HOME``, a generated secret
key, e-mail printed to the console.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from solidarity.config.env import (
    env_bool,
    env_float,
    env_int,
    env_list,
    secret_key,
    solidarity_home,
    testimony_keys,
)

PACKAGE_DIR = Path(__file__).resolve().parent.parent
HOME = solidarity_home()

# Production mode turns on every transport-security setting and refuses a missing secret key.
PRODUCTION = env_bool("SOLIDARITY_PRODUCTION", default=False)
DEBUG = env_bool("DEBUG", default=False)
SECRET_KEY = secret_key(home=HOME, production=PRODUCTION)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", default=[] if PRODUCTION else ["127.0.0.1", "localhost"])
if PRODUCTION and not ALLOWED_HOSTS:
    # Without it Django answers every request with 400; say why at start-up instead.
    raise ImproperlyConfigured(
        "ALLOWED_HOSTS must be set in production (SOLIDARITY_PRODUCTION=true), "
        "e.g. ALLOWED_HOSTS=solidarity.example.org"
    )
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "csp",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "solidarity.audit",
    "solidarity.reference",
    "solidarity.accounts",
    "solidarity.states",
    "solidarity.indicators",
    "solidarity.commitments",
    "solidarity.rights",
    "solidarity.testimonies",
    "solidarity.fund",
    "solidarity.fairshare",
    "solidarity.reviews",
    "solidarity.dossiers",
    "solidarity.protection",
    "solidarity.api",
    "solidarity.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "solidarity.accounts.middleware.TwoFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Axes must come last: it turns locked-out logins into a clear "too many attempts" page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "solidarity.config.urls"
WSGI_APPLICATION = "solidarity.config.wsgi.application"
ASGI_APPLICATION = "solidarity.config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{HOME / 'solidarity.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", default=0),
    )
}
# Streamed responses (SDMX data, downloads) read the database in chunks while the response is
# being sent; PostgreSQL server-side cursors would outlive their transaction there (and cannot pass
# through a transaction-pooling PgBouncer when scaling out), so chunks use ordinary cursors.
DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # Axes first, so a locked-out client is refused before its password is even checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:home"

# Login throttling (django-axes): lock a username+address pair after repeated failures.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env_float("AXES_COOLOFF_HOURS", default=1.0)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"

OTP_TOTP_ISSUER = "Solidarity"

# Disclosure-control runs (docs/protection.md): their private working folder (uploaded
# microdata, protected tables, each dataset's record keys and budget ledger), the one folder
# whose files may be named as server-side microdata, and the background task backend.
PROTECTION_ROOT = HOME / "protection"
MICRODATA_DIR = (
    Path(os.environ["SOLIDARITY_MICRODATA_DIR"])
    if os.environ.get("SOLIDARITY_MICRODATA_DIR")
    else None
)
TASKS = {
    "default": {
        "BACKEND": os.environ.get("SOLIDARITY_TASKS_BACKEND", "django_tasks_db.DatabaseBackend")
    }
}

# Testimonies (docs/testimonies.md): encryption keys, how long a testimony is kept, and the
# per-address budget of the public form. The time trap is not a deployer's setting.
TESTIMONY_KEYS = testimony_keys(home=HOME, production=PRODUCTION)
TESTIMONY_RETENTION_DAYS = env_int("SOLIDARITY_TESTIMONY_RETENTION_DAYS", default=5 * 365)
TESTIMONY_SUBMISSIONS_PER_HOUR = env_int("SOLIDARITY_TESTIMONY_SUBMISSIONS_PER_HOUR", default=60)
TESTIMONY_FORM_MIN_SECONDS = 3.0

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Solidarity <noreply@localhost>")

LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("fr", _("French")),
    ("es", _("Spanish")),
]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "UTC"
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", HOME / "static"))
if not PRODUCTION:
    # WhiteNoise looks in STATIC_ROOT too and warns when it is missing; outside production nothing
    # is collected there (files come straight from the apps), so an empty folder is all it needs.
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", HOME / "media"))
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Outside production, WhiteNoise serves static files straight from the apps (no collectstatic step).
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = DEBUG

# Serving published data (docs/configure.md, "Caching"): how long a worker may go on using what it
# last read of what is public (the catalogue revision, the public versions) without asking the
# database. Publications and catalogue changes made through the platform are seen at once; this
# bounds only changes made behind its back. 0 asks the database on every request.
PUBLIC_STATE_SECONDS = env_float("SOLIDARITY_PUBLIC_STATE_SECONDS", default=2.0)
# Pages that show only published data are kept whole for anonymous visitors (each worker's cache).
PUBLIC_PAGE_SECONDS = env_int("SOLIDARITY_PUBLIC_PAGE_SECONDS", default=3600)

# Strict Content Security Policy: nothing inline, nothing from elsewhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    # Behind a reverse proxy that terminates TLS (docs/deploy.md).
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# IATI (docs/commitments.md): the folder of the official IATI 2.03 activity schemas, which are not
# shipped; without it an import applies Solidarity's own rules and says the schema was skipped.
IATI_SCHEMA_DIR = os.environ.get("SOLIDARITY_IATI_SCHEMA_DIR", "")
# Largest IATI file uploaded through the site, in megabytes; uploads wait for confirmation here.
IATI_UPLOAD_MAX_MB = int(os.environ.get("SOLIDARITY_IATI_UPLOAD_MAX_MB", "100"))
IATI_UPLOAD_DIR = HOME / "iati-uploads"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}
