import importlib
import os

import pytest
from django.apps import apps

# Playwright's sync API runs an event loop in the test thread; Django's ORM calls from the
# live server's side are safe here (one test at a time).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def staff_user(db):
    from tests.factories import StaffFactory

    return StaffFactory(username="staf")


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


@pytest.fixture
def reference_data(transactional_db):
    """The rows the data migrations make (kelurahan, groups), again after a transactional test flushed them.

    Django's serialized rollback would restore them, but not inside Playwright's event loop, where
    the database connection is another object than the one the contents were saved on.
    """
    importlib.import_module("programs.migrations.0002_seed_wilayah").seed(apps, None)
    importlib.import_module("participants.migrations.0002_groups").create_groups(apps, None)
    importlib.import_module("pekalongan_training.migrations.0002_staff_message_permissions").grant(apps, None)
    importlib.import_module("participants.migrations.0005_staff_import_permissions").grant(apps, None)
    importlib.import_module("participants.migrations.0009_staff_export_log_permission").grant(apps, None)
    importlib.import_module("programs.migrations.0010_operator_accounts").grant(apps, None)
    importlib.import_module("programs.migrations.0012_category_rules_permissions").grant(apps, None)
    importlib.import_module("programs.migrations.0014_dbhcht_permissions").grant(apps, None)
    importlib.import_module("participants.migrations.0022_allowance_permissions").grant(apps, None)


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the site's language: a request with the English cookie leaves English
    active in the thread, which would leak into the next test."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with empty caches (the registration rate limit counts in the default one)."""
    from django.conf import settings
    from django.core.cache import caches

    for alias in settings.CACHES:
        caches[alias].clear()
    yield
    for alias in settings.CACHES:
        caches[alias].clear()
