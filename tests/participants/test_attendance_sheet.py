"""The attendance sheet to print: the class against its meetings, for staff and the package's operators only."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from participants.models import Enrollment
from participants.views.attendance_sheet import MEETINGS_PER_PAGE
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator():
    return factories.OperatorFactory()


@pytest.fixture
def package(operator):
    return factories.TrainingPackageFactory(
        provider=factories.ProviderFactory(operators=[operator]),
        starts_on=datetime.date(2026, 9, 7),
        ends_on=datetime.date(2026, 10, 30),
    )


def sheet_url(package):
    return reverse("provider:package-attendance-sheet", args=[package.pk])


def test_anonymous_goes_to_the_login(client, package):
    response = client.get(sheet_url(package))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_officials_may_not_and_other_providers_find_nothing(client, package):
    client.force_login(factories.OfficialFactory())
    assert client.get(sheet_url(package)).status_code == 403
    other = factories.OperatorFactory()
    factories.ProviderFactory(operators=[other])
    client.force_login(other)
    assert client.get(sheet_url(package)).status_code == 404


def test_a_post_is_refused(client, operator, package):
    client.force_login(operator)
    assert client.post(sheet_url(package)).status_code == 405


def test_the_class_against_its_meetings_with_masked_niks(client, operator, package):
    day = datetime.date(2026, 9, 7)
    sessions = [factories.SessionFactory(package=package, date=day + datetime.timedelta(days=n)) for n in range(11)]
    ani = factories.EnrollmentFactory(package=package, participant__full_name="Ani")
    budi = factories.EnrollmentFactory(
        package=package, participant__full_name="Budi", status=Enrollment.Status.COMPLETED
    )
    gone = factories.EnrollmentFactory(
        package=package, participant__full_name="Citra", status=Enrollment.Status.DROPPED_OUT
    )
    waiting = factories.EnrollmentFactory(
        package=package, participant__full_name="Dewi", status=Enrollment.Status.APPLIED
    )
    client.force_login(operator)
    response = client.get(sheet_url(package))
    assert response.status_code == 200
    pages = response.context["pages"]
    assert [(page.first, page.last) for page in pages] == [(1, MEETINGS_PER_PAGE), (MEETINGS_PER_PAGE + 1, 11)]
    assert [session for page in pages for session in page.sessions] == sessions
    assert [enrollment.participant.full_name for enrollment in response.context["people"]] == ["Ani", "Budi"]
    content = response.content.decode()
    for enrollment in (ani, budi):
        assert enrollment.participant.masked_nik in content
        assert enrollment.participant.nik not in content
    for enrollment in (gone, waiting):
        assert enrollment.participant.full_name not in content
    # One blank cell per person and meeting, and one for the instructor per meeting.
    assert content.count('<td class="sign"></td>') == (2 + 1) * 11


def test_staff_open_every_sheet_in_a_fixed_number_of_queries(staff_client, package):
    factories.SessionFactory.create_batch(2, package=package)
    factories.EnrollmentFactory.create_batch(2, package=package)
    staff_client.get(sheet_url(package))
    with CaptureQueriesContext(connection) as few:
        assert staff_client.get(sheet_url(package)).status_code == 200
    factories.SessionFactory.create_batch(15, package=package)
    factories.EnrollmentFactory.create_batch(15, package=package)
    with CaptureQueriesContext(connection) as many:
        assert staff_client.get(sheet_url(package)).status_code == 200
    assert len(many) == len(few)


def test_a_package_without_meetings_says_so(client, operator, package):
    client.force_login(operator)
    response = client.get(sheet_url(package))
    assert response.context["pages"] == []
    assert "<table>" not in response.content.decode()
