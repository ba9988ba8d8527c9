"""A package's page in the admin leads on: its next steps as buttons that post, and its status; a new
package opens on its page; a program's page leads to its waves and packages."""

import datetime
import re

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from participants.models import Attendance, Enrollment
from programs.models import Cohort, Session, TrainingPackage
from tests import factories

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def change_url(package):
    return reverse("admin:programs_trainingpackage_change", args=[package.pk])


def step_url(package, name):
    return reverse(f"admin:programs_trainingpackage_{name}", args=[package.pk])


def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def shown(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_the_change_page_shows_status_and_next_steps_that_post(staff_client):
    package = factories.TrainingPackageFactory(quota=20, status=TrainingPackage.Status.RUNNING)
    factories.EnrollmentFactory.create_batch(3, package=package)
    factories.EnrollmentFactory(package=package, status=Enrollment.Status.APPLIED)
    response = english(staff_client).get(change_url(package))
    content = response.content.decode()
    steps = response.context["next_steps"]
    assert (steps.meetings, steps.seats_used, steps.applicants) == (0, 3, 1)
    assert "3 of 20 seats taken" in content
    assert "1 applicant waiting for a decision" in content
    assert "No meetings yet" in content
    section = content[
        content.index('class="module next-steps"') : content.index(f'id="{package._meta.model_name}_form"')
    ]
    # Every step that changes something is a form that posts, with its CSRF token.
    for name in ("generate_meetings", "propose_completion"):
        form = re.search(
            rf'<form method="post" action="{re.escape(step_url(package, name))}">(.*?)</form>', section, re.S
        )
        if name == "propose_completion":
            assert form is None  # nothing to propose from before there are meetings
        else:
            assert form and "csrfmiddlewaretoken" in form.group(1)
    for link in (
        reverse("intake:package-enrollment", args=[package.pk]),
        reverse("provider:package-export", args=[package.pk, "xlsx"]),
        reverse("provider:package-attendance-sheet", args=[package.pk]),
    ):
        assert f'href="{link}"' in section


def test_the_steps_refuse_a_get(staff_client):
    package = factories.TrainingPackageFactory()
    for name in ("generate_meetings", "propose_completion", "confirm_completion"):
        assert staff_client.get(step_url(package, name)).status_code == 405
    assert not Session.objects.exists()


def test_the_steps_are_for_dinas_staff_only(client):
    package = factories.TrainingPackageFactory()
    client.force_login(factories.OperatorFactory())
    response = client.post(step_url(package, "generate_meetings"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert not Session.objects.exists()


def test_generating_meetings_from_the_page_says_what_the_list_action_says(staff_client):
    package = factories.TrainingPackageFactory(
        starts_on=datetime.date(2026, 11, 2), ends_on=datetime.date(2026, 11, 6), meeting_weekdays="01234"
    )
    response = staff_client.post(step_url(package, "generate_meetings"))
    assert response.status_code == 302 and response["Location"] == change_url(package)
    assert Session.objects.filter(package=package).count() == 5
    from_page = shown(response)
    staff_client.get(change_url(package))  # shows the messages

    Session.objects.all().delete()
    response = staff_client.post(
        reverse("admin:programs_trainingpackage_changelist"),
        {"action": "generate_sessions", "_selected_action": [package.pk]},
    )
    assert from_page == shown(response)
    assert any(package.code in message for message in from_page)
    assert staff_client.get(change_url(package)).context["next_steps"].meetings == 5


def test_a_cancelled_package_offers_no_meetings_and_refuses_them(staff_client):
    package = factories.TrainingPackageFactory(status=TrainingPackage.Status.CANCELLED)
    content = staff_client.get(change_url(package)).content.decode()
    assert step_url(package, "generate_meetings") not in content
    response = staff_client.post(step_url(package, "generate_meetings"))
    assert response.status_code == 302
    assert not Session.objects.exists()
    assert any(package.code in message for message in shown(response))


def test_propose_then_confirm_completion_from_the_page(staff_client, staff_user):
    today = timezone.localdate()
    package = factories.TrainingPackageFactory(starts_on=today - 10 * DAY, ends_on=today - DAY)
    sessions = [factories.SessionFactory(package=package, date=today - n * DAY) for n in (2, 3, 4)]
    present, absent = factories.EnrollmentFactory.create_batch(2, package=package)
    for session in sessions:
        factories.AttendanceFactory(enrollment=present, session=session)
        factories.AttendanceFactory(enrollment=absent, session=session, status=Attendance.Status.ABSENT)

    staff_client.post(step_url(package, "propose_completion"))
    page = english(staff_client).get(change_url(package))
    assert page.context["next_steps"].confirmable == 1
    assert "Confirm 1 completion" in page.content.decode()

    response = staff_client.post(step_url(package, "confirm_completion"))
    assert response["Location"] == change_url(package)
    present.refresh_from_db()
    absent.refresh_from_db()
    assert (present.status, present.completion_confirmed_by) == (Enrollment.Status.COMPLETED, staff_user)
    assert absent.status == Enrollment.Status.ENROLLED


def test_completion_waits_for_the_last_day(staff_client):
    today = timezone.localdate()
    package = factories.TrainingPackageFactory(starts_on=today - 10 * DAY, ends_on=today + 5 * DAY)
    factories.EnrollmentFactory(package=package, completion_proposed_at=timezone.now())
    factories.SessionFactory(package=package, date=today - DAY)
    page = english(staff_client).get(change_url(package))
    assert page.context["next_steps"].confirmable == 0
    assert step_url(package, "confirm_completion") not in page.content.decode()
    assert "they can be confirmed from" in page.content.decode()


def _new_package_data(cohort, provider, vocation, **extra):
    return {
        "code": "2026-BLK-77",
        "title": "Pelatihan Barista",
        "vocation": vocation.pk,
        "cohort": cohort.pk,
        "provider": provider.pk,
        "category": "blk",
        "status": "planned",
        "venue_kelurahan": "",
        "venue_address": "BLK Kota",
        "quota": 16,
        "hours": 120,
        "budget": "45.000.000",
        "starts_on": "2026-11-02",
        "ends_on": "2026-11-13",
        "meeting_weekdays": ["0", "1", "2", "3", "4"],
        "session_starts_at": "08:00",
        "session_ends_at": "15:00",
        "min_attendance_percent": 80,
        "test_weight": 50,
        "interview_weight": 50,
        "sessions-TOTAL_FORMS": "0",
        "sessions-INITIAL_FORMS": "0",
        **extra,
    }


def test_a_new_package_opens_on_its_page_with_its_next_steps(staff_client):
    cohort = factories.CohortFactory()
    data = _new_package_data(cohort, factories.ProviderFactory(), factories.VocationFactory())
    response = staff_client.post(reverse("admin:programs_trainingpackage_add"), {**data, "_save": "Simpan"})
    package = TrainingPackage.objects.get(code="2026-BLK-77")
    assert response.status_code == 302 and response["Location"] == change_url(package)
    # "Save and add another" still goes where it says.
    data = {**data, "code": "2026-BLK-78", "_addanother": "1"}
    response = staff_client.post(reverse("admin:programs_trainingpackage_add"), data)
    assert response["Location"] == reverse("admin:programs_trainingpackage_add")


def test_the_package_list_is_short_and_shows_seats(staff_client):
    package = factories.TrainingPackageFactory(quota=20)
    factories.EnrollmentFactory.create_batch(3, package=package)
    response = staff_client.get(reverse("admin:programs_trainingpackage_changelist"))
    assert response.context["cl"].list_display == [
        "action_checkbox",
        "code",
        "title",
        "provider",
        "cohort",
        "status",
        "starts_on",
        "seats",
    ]
    assert ">3 / 20<" in response.content.decode()


def test_the_program_page_leads_to_its_waves_and_their_packages(staff_client):
    program = factories.ProgramFactory()
    first, second = factories.CohortFactory.create_batch(2, program=program)
    factories.TrainingPackageFactory.create_batch(2, cohort=first)
    factories.TrainingPackageFactory(cohort=factories.CohortFactory())  # another program's
    content = english(staff_client).get(reverse("admin:programs_program_change", args=[program.pk])).content.decode()
    waves = reverse("admin:programs_cohort_changelist") + f"?program__id__exact={program.pk}"
    packages = reverse("admin:programs_trainingpackage_changelist")
    assert f'<a href="{waves}">2 waves</a>' in content
    assert f'<a href="{packages}?wave={first.pk}">2 packages</a>' in content
    assert f'<a href="{packages}?wave={second.pk}">0 packages</a>' in content

    listed = staff_client.get(waves).context["cl"].result_list
    assert set(listed) == {first, second}
    assert len(staff_client.get(f"{packages}?wave={first.pk}").context["cl"].result_list) == 2


def test_the_wave_list_counts_and_links_packages(staff_client):
    wave = factories.CohortFactory()
    factories.TrainingPackageFactory.create_batch(3, cohort=wave)
    response = staff_client.get(reverse("admin:programs_cohort_changelist"))
    row = response.context["cl"].result_list.get(pk=wave.pk)
    assert row.package_total == 3
    link = reverse("admin:programs_trainingpackage_changelist") + f"?wave={wave.pk}"
    assert f'<a href="{link}">3</a>' in response.content.decode()
    assert Cohort.objects.count() == 1


def test_a_step_without_the_csrf_token_is_refused(staff_user):
    package = factories.TrainingPackageFactory()
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff_user)
    assert client.post(step_url(package, "generate_meetings")).status_code == 403
    assert not Session.objects.exists()
