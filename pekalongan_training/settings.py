"""Settings for the Kota Pekalongan job-training manager.

Everything that differs between a laptop and a server comes from the environment:
DATABASE_URL, SECRET_KEY, DEBUG and ALLOWED_HOSTS.
"""

import datetime
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", default=False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("Set SECRET_KEY in the environment (or DEBUG=1 for development).")
    SECRET_KEY = "django-insecure-development-only-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "simple_history",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_tasks",
    "django_tasks_db",
    "pekalongan_training",
    "programs",
    "participants",
    "reports",
]

MIDDLEWARE = [
    "pekalongan_training.middleware.RequestSizeLimitMiddleware",  # first: before anything reads the body
    "django.middleware.security.SecurityMiddleware",
    "pekalongan_training.middleware.PrivateResponseMiddleware",  # no-store, Permissions-Policy; before WhiteNoise
    "pekalongan_training.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "pekalongan_training.middleware.TextCompressionMiddleware",  # after WhiteNoise: its files come compressed
    "django.contrib.sessions.middleware.SessionMiddleware",
    "pekalongan_training.middleware.IndonesianFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "pekalongan_training.middleware.RejectNullCharactersMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",  # request.user.is_verified(): has given a code this session
    "pekalongan_training.two_factor.SecondFactorMiddleware",  # staff give a code before any other page
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",  # the audit trail records who made a change
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # lock-out after repeated failures
    "django.contrib.auth.backends.ModelBackend",
]
# Five wrong passwords from one address lock it out for 30 minutes, whether for one username or
# spread over many (one address spraying every account). django-axes 8.3.1 has one limit for all
# parameter sets (it compares the largest count), so the address alone cannot get a higher one.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = datetime.timedelta(minutes=30)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], ["ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# How many trusted proxies stand in front of gunicorn: 0 unless set (nginx on the same host: set 1).
# Trusting X-Forwarded-For by default would let anyone reaching gunicorn directly choose their address.
PROXY_COUNT = int(os.environ.get("PROXY_COUNT", "0"))
AXES_CLIENT_IP_CALLABLE = "pekalongan_training.middleware.client_ip"

# The second factor (pekalongan_training/two_factor.py): dinas staff and superusers must give a code
# from an authenticator app after the password unless OTP_REQUIRED=0; on by default without DEBUG.
OTP_REQUIRED = env_bool("OTP_REQUIRED", default=not DEBUG)
OTP_TOTP_ISSUER = "Dinperinaker Kota Pekalongan"
OTP_ADMIN_HIDE_SENSITIVE_DATA = True  # the admin never shows a device's key or QR code again

ROOT_URLCONF = "pekalongan_training.urls"

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
            ],
        },
    },
]

WSGI_APPLICATION = "pekalongan_training.wsgi.application"

# The embedded default is a git-ignored SQLite file; production and CI use PostgreSQL.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# A working day of inactivity ends a session; every request moves the end forward.
SESSION_COOKIE_AGE = 9 * 60 * 60
SESSION_SAVE_EVERY_REQUEST = True

EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=True)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "pelatihan@localhost")

# Background work (django-tasks): the database backend keeps the queue in the database, so it needs
# no other server; `manage.py db_worker` runs the tasks, on one host or several (docs/DEPLOY.md).
# TASKS_BACKEND=django_tasks.backends.immediate.ImmediateBackend runs each task at once, in the request.
TASKS = {"default": {"BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend")}}

# Messages to people (pekalongan_training/messaging): the backend that delivers them. Development
# prints them (console); production sends e-mail by SMTP (the EMAIL_* settings) and WhatsApp and SMS
# through the HTTP gateway at MESSAGE_GATEWAY_URL with MESSAGE_GATEWAY_TOKEN. Others: .FileBackend
# (JSON lines in MESSAGE_FILE_PATH), .SmtpBackend, .HttpGatewayBackend.
MESSAGE_BACKEND = os.environ.get(
    "MESSAGE_BACKEND",
    "pekalongan_training.messaging.backends." + ("ConsoleBackend" if DEBUG else "RoutingBackend"),
)
MESSAGE_FILE_PATH = Path(os.environ.get("MESSAGE_FILE_PATH", BASE_DIR / "var" / "messages"))
MESSAGE_GATEWAY_URL = os.environ.get("MESSAGE_GATEWAY_URL", "")
MESSAGE_GATEWAY_TOKEN = os.environ.get("MESSAGE_GATEWAY_TOKEN", "")
MESSAGE_GATEWAY_TIMEOUT = float(os.environ.get("MESSAGE_GATEWAY_TIMEOUT", "10"))
# A failed message is tried again after MESSAGE_RETRY_SECONDS times the attempts made, up to this many.
MESSAGE_MAX_ATTEMPTS = int(os.environ.get("MESSAGE_MAX_ATTEMPTS", "3"))
MESSAGE_RETRY_SECONDS = int(os.environ.get("MESSAGE_RETRY_SECONDS", "300"))
# The address of the site in messages (links to the status page and the announcement).
MESSAGE_SITE_URL = os.environ.get(
    "MESSAGE_SITE_URL", "http://127.0.0.1:8000" if DEBUG or not ALLOWED_HOSTS else f"https://{ALLOWED_HOSTS[0]}"
).rstrip("/")

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Language and time: Indonesian first, English second; Western Indonesia Time.
LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Indonesian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Jakarta"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True
# Django's own "id" formats print "27 Nov. 2026"; ours print "27 November 2026".
FORMAT_MODULE_PATH = ["pekalongan_training.formats"]

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Compressed, content-hashed files served by WhiteNoise (run collectstatic when deploying).
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Only the dist folders we use, from node_modules (installed by npm from package-lock.json).
NODE_MODULES = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/bootstrap", NODE_MODULES / "bootstrap" / "dist"),
    ("vendor/bootstrap-icons", NODE_MODULES / "bootstrap-icons" / "font"),
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
    ("vendor/chart.js", NODE_MODULES / "chart.js" / "dist"),
]

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# One cache shared by every app server process: the registration rate limit counts in it, and the
# dashboard keeps its figures there (reports/caching.py). A table in the database (`migrate` makes
# it); under DEBUG, runserver's one process keeps it in memory.
# Parts of pages as written for figures already computed, kept under the figures' stamp (what they
# were written from), so each process may keep its own: the same stamp is the same page. ~70 KB each.
PAGES_CACHE = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "pages",
    "OPTIONS": {"MAX_ENTRIES": 200},
}
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "django_cache",
        "OPTIONS": {"MAX_ENTRIES": 5000},
    },
    "pages": PAGES_CACHE,
}
if DEBUG:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}, "pages": PAGES_CACHE}
# The dashboard's figures made from attendance marks are recomputed at most this often (seconds);
# every other change shows at once.
DASHBOARD_ATTENDANCE_SECONDS = int(os.environ.get("DASHBOARD_ATTENDANCE_SECONDS", "300"))
# After a change the dashboard shows the figures computed before it (saying so) while the task
# worker computes new ones; figures computed less than this many seconds ago are not computed
# again yet, so that writes every few seconds do not keep the worker computing (reports/caching.py).
DASHBOARD_REFRESH_SECONDS = int(os.environ.get("DASHBOARD_REFRESH_SECONDS", "60"))

# Online registration: at most this many posts per address per period (seconds).
REGISTRATION_RATE_LIMIT = (10, 3600)
# A request body over MAX_REQUEST_BYTES is refused (413) before it is read (RequestSizeLimitMiddleware).
MAX_REQUEST_BYTES = 6 * 1024 * 1024
# At most this many reset mails per e-mail address, and requests per client address, per period (seconds).
PASSWORD_RESET_RATE_LIMIT = {"email": 3, "client": 10, "seconds": 3600}
DATA_UPLOAD_MAX_MEMORY_SIZE = 6 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 6 * 1024 * 1024

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Behind a TLS-terminating proxy (nginx): HTTPS only, secure cookies, HSTS. All on by default when
# DEBUG is off; each can be turned off from the environment (e.g. SECURE_SSL_REDIRECT=0 for a
# proxy that already redirects).
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
if env_bool("BEHIND_TLS_PROXY", default=not DEBUG):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# Only our own origin; inline styles are allowed for Django's admin, never inline scripts. The portal's
# service worker (/provider/sw.js) is ours too: worker-src says so rather than falling back to script-src.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; worker-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; "
    "base-uri 'self'; object-src 'none'"
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler", "stream": "ext://sys.stdout"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
