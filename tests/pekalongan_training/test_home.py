"""`/` sends each role to its home by the same role checks as the admin and the pages themselves."""

import pytest
from django.urls import reverse

from tests.factories import OfficialFactory, OperatorFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db


def _home(client, user):
    client.force_login(user)
    response = client.get(reverse("home"))
    return response["Location"] if response.status_code == 302 else response.status_code


def test_an_operator_with_staff_status_ticked_goes_to_the_portal_and_can_open_it(client):
    operator = OperatorFactory(is_staff=True)
    assert _home(client, operator) == reverse("provider:package-list")
    assert client.get(reverse("provider:package-list")).status_code == 200
    assert client.get(reverse("admin:index")).status_code == 302  # the admin is for dinas staff only


def test_an_official_with_staff_status_ticked_goes_to_the_dashboard(client):
    assert _home(client, OfficialFactory(is_staff=True)) == reverse("dashboard:index")


@pytest.mark.parametrize(
    ("factory", "kwargs", "url"),
    [
        (StaffFactory, {}, "admin:index"),
        (UserFactory, {"is_staff": True, "is_superuser": True}, "admin:index"),
        (OperatorFactory, {}, "provider:package-list"),
        (OfficialFactory, {}, "dashboard:index"),
    ],
)
def test_each_role_goes_to_its_home(client, factory, kwargs, url):
    assert _home(client, factory(**kwargs)) == reverse(url)


def test_staff_status_without_a_role_opens_no_admin_but_the_page_that_says_so(client):
    assert _home(client, UserFactory(is_staff=True)) == 200
