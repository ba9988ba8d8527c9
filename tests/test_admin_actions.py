"""The back office's writes go through the services: rules hold and errors stand next to the fields."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from participants.models import Attendance, Enrollment, Participant
from programs.models import Session
from tests import factories

pytestmark = pytest.mark.django_db


def _enrollment_add(client, **data):
    return client.post(reverse("admin:participants_enrollment_add"), data)


def _form_data(participant, package, **extra):
    return {
        "participant": participant.pk,
        "package": package.pk,
        "status": Enrollment.Status.ENROLLED,
        "override_reason": "",
        "assessment": Enrollment.Assessment.NOT_ASSESSED,
        "certificate_number": "",
        "competency": Enrollment.Competency.NOT_TESTED,
        **extra,
    }


def test_enrolling_into_a_full_package_shows_the_reason_and_saves_nothing(staff_client):
    package = factories.TrainingPackageFactory(quota=1)
    factories.EnrollmentFactory(package=package)
    person = factories.ParticipantFactory()
    response = _enrollment_add(staff_client, **_form_data(person, package))
    assert response.status_code == 200
    assert "penuh" in " ".join(response.context["adminform"].form.errors["status"])
    assert not Enrollment.objects.filter(participant=person).exists()


def test_second_training_in_a_year_needs_a_reason_which_is_kept(staff_client, staff_user):
    program = factories.ProgramFactory()
    first = factories.TrainingPackageFactory(cohort=factories.CohortFactory(program=program))
    second = factories.TrainingPackageFactory(cohort=factories.CohortFactory(program=program))
    person = factories.EnrollmentFactory(package=first).participant

    response = _enrollment_add(staff_client, **_form_data(person, second))
    assert response.status_code == 200
    assert first.code in response.context["adminform"].form.errors["override_reason"][0]
    assert Enrollment.objects.filter(participant=person).count() == 1

    response = _enrollment_add(staff_client, **_form_data(person, second, override_reason="Rekomendasi kelurahan"))
    assert response.status_code == 302
    enrollment = Enrollment.objects.get(participant=person, package=second)
    assert (enrollment.override_reason, enrollment.created_by) == ("Rekomendasi kelurahan", staff_user)


def _inline_data(package, rows):
    """The package change form with its inlines: sessions, existing enrollments, new enrollments."""
    data = {
        "code": package.code,
        "title": package.title,
        "vocation": package.vocation_id,
        "cohort": package.cohort_id,
        "provider": package.provider_id,
        "category": package.category,
        "status": package.status,
        "venue_kelurahan": "",
        "venue_address": "",
        "quota": package.quota,
        "hours": package.hours,
        "budget": package.budget,
        "starts_on": package.starts_on.isoformat(),
        "ends_on": package.ends_on.isoformat(),
        "meeting_weekdays": ["0", "2", "4"],
        "session_starts_at": "08:00",
        "session_ends_at": "15:00",
        "min_attendance_percent": package.min_attendance_percent,
        "test_weight": package.test_weight,
        "interview_weight": package.interview_weight,
        "sessions-TOTAL_FORMS": "0",
        "sessions-INITIAL_FORMS": "0",
        "enrollments-TOTAL_FORMS": "0",
        "enrollments-INITIAL_FORMS": "0",
        "enrollments-2-TOTAL_FORMS": str(len(rows)),
        "enrollments-2-INITIAL_FORMS": "0",
    }
    for index, person in enumerate(rows):
        data[f"enrollments-2-{index}-participant"] = person.pk
        data[f"enrollments-2-{index}-status"] = Enrollment.Status.ENROLLED
        data[f"enrollments-2-{index}-override_reason"] = ""
    return data


def test_adding_people_in_the_package_page_respects_the_seats_left(staff_client):
    package = factories.TrainingPackageFactory(quota=3)
    factories.EnrollmentFactory(package=package)
    people = factories.ParticipantFactory.create_batch(3)
    url = reverse("admin:programs_trainingpackage_change", args=[package.pk])

    response = staff_client.post(url, _inline_data(package, people))
    assert response.status_code == 200, "three people for two seats must be refused"
    assert Enrollment.objects.filter(package=package).count() == 1

    response = staff_client.post(url, _inline_data(package, people[:2]))
    assert response.status_code == 302
    assert set(Enrollment.objects.filter(package=package).values_list("participant", flat=True)) >= {
        people[0].pk,
        people[1].pk,
    }
    package.refresh_from_db()
    assert package.meeting_weekdays == "024"


def test_generate_sessions_action(staff_client):
    package = factories.TrainingPackageFactory(
        starts_on=datetime.date(2026, 11, 2), ends_on=datetime.date(2026, 11, 6), meeting_weekdays="01234"
    )
    response = staff_client.post(
        reverse("admin:programs_trainingpackage_changelist"),
        {"action": "generate_sessions", "_selected_action": [package.pk]},
    )
    assert response.status_code == 302
    assert Session.objects.filter(package=package).count() == 5
    assert "5 pertemuan ditambahkan" in " ".join(str(m) for m in get_messages(response.wsgi_request))


def test_propose_and_confirm_completion_actions(staff_client, staff_user):
    package = factories.TrainingPackageFactory(ends_on=datetime.date(2026, 9, 30))
    sessions = factories.SessionFactory.create_batch(4, package=package)
    full, partial = factories.EnrollmentFactory.create_batch(2, package=package)
    for session in sessions:
        factories.AttendanceFactory(enrollment=full, session=session)
        factories.AttendanceFactory(
            enrollment=partial,
            session=session,
            status=Attendance.Status.PRESENT if session == sessions[0] else Attendance.Status.ABSENT,
        )
    changelist = reverse("admin:programs_trainingpackage_changelist")
    staff_client.post(changelist, {"action": "propose_completions", "_selected_action": [package.pk]})
    staff_client.post(changelist, {"action": "confirm_completions", "_selected_action": [package.pk]})
    full.refresh_from_db()
    partial.refresh_from_db()
    assert (full.status, full.completed_on, full.completion_confirmed_by) == (
        Enrollment.Status.COMPLETED,
        datetime.date(2026, 9, 30),
        staff_user,
    )
    assert partial.status == Enrollment.Status.ENROLLED


def test_proposing_completion_on_a_closed_package_says_so_instead_of_failing(staff_client):
    closed = factories.TrainingPackageFactory(code="PKT-TUTUP", status="completed")
    running = factories.TrainingPackageFactory(ends_on=datetime.date(2026, 9, 30))
    session = factories.SessionFactory(package=running)
    factories.AttendanceFactory(enrollment=factories.EnrollmentFactory(package=running), session=session)
    changelist = reverse("admin:programs_trainingpackage_changelist")
    response = staff_client.post(
        changelist, {"action": "propose_completions", "_selected_action": [closed.pk, running.pk]}, follow=True
    )
    assert response.status_code == 200
    shown = [str(message) for message in get_messages(response.wsgi_request)]
    assert any("PKT-TUTUP" in message for message in shown)
    assert running.enrollments.completion_proposed().count() == 1


def test_participant_with_a_nik_that_disagrees_is_saved_with_a_warning(staff_client):
    kelurahan = factories.KelurahanFactory()
    response = staff_client.post(
        reverse("admin:participants_participant_add"),
        {
            "nik": "3375 0457 0598 0002",
            "full_name": "SITI  AMINAH",
            "sex": "M",
            "birth_place": "",
            "birth_date": "1998-05-17",
            "phone": "",
            "address": "",
            "kelurahan": kelurahan.pk,
            "education": 5,
            "employment_status_at_intake": "unemployed",
            "beneficiary_group": "job_seeker",
            "ak1_number": "",
            "enrollments-TOTAL_FORMS": "0",
            "enrollments-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    person = Participant.objects.get(nik="3375045705980002")
    assert person.full_name == "SITI AMINAH"
    messages = [m for m in get_messages(response.wsgi_request) if m.level_tag == "warning"]
    assert len(messages) == 1


def test_a_mark_for_another_package_or_a_future_meeting_is_refused(staff_client):
    enrollment = factories.EnrollmentFactory()
    other_session = factories.SessionFactory(date=datetime.date(2026, 9, 8))
    future = factories.SessionFactory(package=enrollment.package, date=datetime.date(2099, 1, 1))
    url = reverse("admin:participants_attendance_add")
    for session in (other_session, future):
        response = staff_client.post(
            url, {"enrollment": enrollment.pk, "session": session.pk, "status": "present", "remark": ""}
        )
        assert response.status_code == 200
        assert response.context["adminform"].form.errors["session"]
    assert not Attendance.objects.exists()


def test_quota_cannot_drop_below_the_seats_taken(staff_client):
    package = factories.TrainingPackageFactory(quota=5)
    factories.EnrollmentFactory.create_batch(3, package=package)
    data = _inline_data(package, [])
    data["quota"] = 2
    response = staff_client.post(reverse("admin:programs_trainingpackage_change", args=[package.pk]), data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["quota"]
    package.refresh_from_db()
    assert package.quota == 5


def test_completing_below_the_minimum_in_the_admin_asks_for_a_reason_instead_of_failing(staff_client):
    enrollment = factories.EnrollmentFactory()
    factories.SessionFactory(package=enrollment.package)
    url = reverse("admin:participants_enrollment_change", args=[enrollment.pk])
    response = staff_client.post(url, _form_data(enrollment.participant, enrollment.package, status="completed"))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["override_reason"]
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.ENROLLED


def test_an_enrollment_added_in_the_admin_is_logged_against_its_row(staff_client):
    from django.contrib.admin.models import LogEntry

    package = factories.TrainingPackageFactory()
    person = factories.ParticipantFactory()
    response = _enrollment_add(staff_client, **_form_data(person, package))
    enrollment = Enrollment.objects.get(participant=person, package=package)
    assert response["Location"] == reverse("admin:participants_enrollment_changelist")
    assert LogEntry.objects.get().object_id == str(enrollment.pk)


def test_a_meeting_with_marks_keeps_its_day(staff_client):
    mark = factories.AttendanceFactory()
    session = mark.session
    response = staff_client.post(
        reverse("admin:programs_session_change", args=[session.pk]),
        {"package": session.package_id, "date": "2099-01-01", "starts_at": "08:00", "ends_at": "15:00", "topic": ""},
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["date"]
    session.refresh_from_db()
    assert session.date != datetime.date(2099, 1, 1)


def test_an_applicant_cannot_be_marked_in_the_admin(staff_client):
    applicant = factories.EnrollmentFactory(status=Enrollment.Status.APPLIED)
    session = factories.SessionFactory(package=applicant.package)
    response = staff_client.post(
        reverse("admin:participants_attendance_add"),
        {"enrollment": applicant.pk, "session": session.pk, "status": "present", "remark": ""},
    )
    assert response.status_code == 200
    assert not Attendance.objects.exists()


def test_a_follow_up_cannot_be_recorded_before_its_round_is_due(staff_client):
    enrollment = factories.EnrollmentFactory(
        status=Enrollment.Status.COMPLETED,
        package=factories.TrainingPackageFactory(
            starts_on=datetime.date(2026, 6, 1), ends_on=datetime.date(2026, 6, 30)
        ),
    )
    data = {"enrollment": enrollment.pk, "round": 12, "recorded_on": "2026-10-05", "status": "employed"}
    response = staff_client.post(reverse("admin:participants_outcome_add"), data)
    assert response.status_code == 200
    assert "30 Juni 2027" in response.context["adminform"].form.errors["recorded_on"][0]
    data["round"] = 3
    data["recorded_on"] = "2026-11-20"
    assert staff_client.post(reverse("admin:participants_outcome_add"), data).status_code == 302


def test_the_program_list_shows_a_year_not_a_number(staff_client):
    factories.ProgramFactory(fiscal_year=2023)
    content = staff_client.get(reverse("admin:programs_program_changelist")).content.decode()
    assert ">2023<" in content
    assert "2.023" not in content


def test_changing_a_mark_of_a_closed_package_is_refused_next_to_the_status(staff_client):
    mark = factories.AttendanceFactory(session__date=datetime.date(2026, 9, 8))
    package = mark.session.package
    package.status = "completed"
    package.save()
    response = staff_client.post(
        reverse("admin:participants_attendance_change", args=[mark.pk]), {"status": "absent", "remark": ""}
    )
    assert response.status_code == 200
    assert package.code in " ".join(response.context["adminform"].form.errors["status"])
    mark.refresh_from_db()
    assert mark.status == Attendance.Status.PRESENT


def test_an_overlong_username_at_the_admin_login_is_a_form_error(client):
    response = client.post(reverse("admin:login"), {"username": "x" * 300, "password": "secret"})
    assert response.status_code == 200
    assert response.context["form"].errors
