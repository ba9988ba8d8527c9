import os

import pytest

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
