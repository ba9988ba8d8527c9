"""Settings for the test suite: the real settings with a test key, fast hashing, plain static storage."""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key")

from pekalongan_training.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# The tests and the browser tests talk plain HTTP to the test server.
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
STATIC_ROOT = None  # no collectstatic in tests: WhiteNoise serves from the finders
WHITENOISE_USE_FINDERS = True
PROXY_COUNT = 0
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}, "pages": PAGES_CACHE}  # noqa: F405
# Most tests sign in with force_login; tests/pekalongan_training/test_two_factor.py turns it on.
OTP_REQUIRED = False
# Tasks run at once, in the test (after the transaction commits); messages are kept in memory
# (pekalongan_training.messaging.backends.outbox).
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
MESSAGE_BACKEND = "pekalongan_training.messaging.backends.LocmemBackend"
MESSAGE_SITE_URL = "http://testserver"
# A change shows on the next view (tests/reports/test_caching.py sets the pause between refreshes).
DASHBOARD_REFRESH_SECONDS = 0
