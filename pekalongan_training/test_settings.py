"""Settings for the test suite: the real settings with a test key, fast hashing, plain static storage."""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key")

from pekalongan_training.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
