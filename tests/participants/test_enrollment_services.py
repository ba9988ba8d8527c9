import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from participants.models import Attendance, Enrollment
from participants.selectors import with_seat_counts
from participants.services import (
    completion_confirm,
    completion_propose,
    enrollment_change_status,
    enrollment_create,
)
from programs.models import TrainingPackage
from tests.factories import (
    AttendanceFactory,
    CohortFactory,
    EnrollmentFactory,
    OperatorFactory,
    ParticipantFactory,
    ProgramFactory,
    SessionFactory,
    StaffFactory,
    TrainingPackageFactory,
)

pytestmark = pytest.mark.django_db


def test_enroll_takes_a_seat():
    package = TrainingPackageFactory(quota=2)
    enrollment = enrollment_create(participant=ParticipantFactory(), package=package)
    assert enrollment.status == Enrollment.Status.ENROLLED
    assert enrollment.enrolled_on is not None
    assert with_seat_counts(TrainingPackage.objects).get(pk=package.pk).seats_left == 1


def test_quota_is_a_hard_limit_and_the_refusal_writes_nothing():
    package = TrainingPackageFactory(quota=2)
    EnrollmentFactory.create_batch(2, package=package)
    with pytest.raises(ValidationError) as error:
        enrollment_create(participant=ParticipantFactory(), package=package)
    assert "status" in error.value.message_dict
    assert "penuh" in error.value.message_dict["status"][0]
    assert Enrollment.objects.filter(package=package).count() == 2


def test_drop_outs_keep_their_seat_but_applicants_and_rejected_do_not():
    package = TrainingPackageFactory(quota=2)
    EnrollmentFactory(package=package, status=Enrollment.Status.DROPPED_OUT)
    EnrollmentFactory(package=package, status=Enrollment.Status.APPLIED)
    EnrollmentFactory(package=package, status=Enrollment.Status.REJECTED)
    assert with_seat_counts(TrainingPackage.objects).get(pk=package.pk).seats_used == 1
    enrollment_create(participant=ParticipantFactory(), package=package)
    with pytest.raises(ValidationError):
        enrollment_create(participant=ParticipantFactory(), package=package)


def test_an_application_does_not_need_a_seat_but_accepting_it_does():
    package = TrainingPackageFactory(quota=1)
    EnrollmentFactory(package=package)
    applied = enrollment_create(participant=ParticipantFactory(), package=package, status=Enrollment.Status.APPLIED)
    with pytest.raises(ValidationError):
        enrollment_change_status(enrollment=applied, status=Enrollment.Status.ENROLLED)
    applied.refresh_from_db()
    assert applied.status == Enrollment.Status.APPLIED


def test_same_person_twice_in_a_package_is_refused():
    enrollment = EnrollmentFactory()
    with pytest.raises(ValidationError) as error:
        enrollment_create(participant=enrollment.participant, package=enrollment.package)
    assert "participant" in error.value.message_dict


def test_cancelled_package_takes_nobody():
    package = TrainingPackageFactory(status=TrainingPackage.Status.CANCELLED)
    with pytest.raises(ValidationError) as error:
        enrollment_create(participant=ParticipantFactory(), package=package)
    assert "package" in error.value.message_dict
    assert not Enrollment.objects.exists()


def _two_packages_in_one_year():
    program = ProgramFactory(fiscal_year=2026)
    first = TrainingPackageFactory(cohort=CohortFactory(program=program))
    second = TrainingPackageFactory(cohort=CohortFactory(program=program))
    return first, second


def test_second_training_in_one_program_year_is_refused_without_a_reason():
    first, second = _two_packages_in_one_year()
    enrollment = EnrollmentFactory(package=first)
    with pytest.raises(ValidationError) as error:
        enrollment_create(participant=enrollment.participant, package=second, actor=StaffFactory())
    assert first.code in error.value.message_dict["override_reason"][0]
    assert Enrollment.objects.filter(participant=enrollment.participant).count() == 1


def test_staff_override_with_a_reason_is_stored():
    first, second = _two_packages_in_one_year()
    enrollment = EnrollmentFactory(package=first)
    staff = StaffFactory()
    second_enrollment = enrollment_create(
        participant=enrollment.participant,
        package=second,
        override_reason="  Pindah kejuruan atas permintaan LPK  ",
        actor=staff,
    )
    assert second_enrollment.override_reason == "Pindah kejuruan atas permintaan LPK"
    assert second_enrollment.created_by == staff


def test_only_staff_may_override():
    first, second = _two_packages_in_one_year()
    enrollment = EnrollmentFactory(package=first)
    with pytest.raises(ValidationError) as error:
        enrollment_create(
            participant=enrollment.participant, package=second, override_reason="alasan", actor=OperatorFactory()
        )
    assert "override_reason" in error.value.message_dict
    assert Enrollment.objects.filter(participant=enrollment.participant).count() == 1


def test_a_rejected_application_or_another_year_does_not_count():
    first, second = _two_packages_in_one_year()
    rejected = EnrollmentFactory(package=first, status=Enrollment.Status.REJECTED)
    enrollment_create(participant=rejected.participant, package=second)
    next_year = TrainingPackageFactory(cohort=CohortFactory(program=ProgramFactory(fiscal_year=2027)))
    enrollment_create(participant=rejected.participant, package=next_year)
    assert Enrollment.objects.filter(participant=rejected.participant).count() == 3


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has no row locks; the race needs PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_threads_racing_for_the_last_seats_never_exceed_the_quota():
    package = TrainingPackageFactory(quota=3)
    EnrollmentFactory(package=package)
    people = ParticipantFactory.create_batch(8)
    barrier = threading.Barrier(len(people))
    outcomes = []

    def enroll(person):
        try:
            barrier.wait()
            enrollment_create(participant=person, package=package)
            outcomes.append("enrolled")
        except ValidationError:
            outcomes.append("full")
        finally:
            connection.close()

    threads = [threading.Thread(target=enroll, args=(person,)) for person in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["enrolled"] * 2 + ["full"] * 6
    assert Enrollment.objects.filter(package=package).holding_seats().count() == 3


def test_one_enrollment_per_person_and_package_in_the_database():
    enrollment = EnrollmentFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Enrollment.objects.create(participant=enrollment.participant, package=enrollment.package)


def test_one_mark_per_session_and_enrollment_in_the_database():
    mark = AttendanceFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Attendance.objects.create(
            enrollment=mark.enrollment, session=mark.session, status=Attendance.Status.ABSENT, marked_at=mark.marked_at
        )


def test_completed_needs_a_date_in_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        EnrollmentFactory(status=Enrollment.Status.COMPLETED, completed_on=None)


def _package_with_sessions(count=10, min_percent=80, ends_on=datetime.date(2026, 9, 30)):
    package = TrainingPackageFactory(min_attendance_percent=min_percent, ends_on=ends_on)
    sessions = [
        SessionFactory(package=package, date=datetime.date(2026, 9, 7) + datetime.timedelta(days=i))
        for i in range(count)
    ]
    return package, sessions


def _attend(enrollment, sessions, present):
    for index, session in enumerate(sessions):
        status = Attendance.Status.PRESENT if index < present else Attendance.Status.SICK
        AttendanceFactory(enrollment=enrollment, session=session, status=status)


def test_completion_is_proposed_at_the_minimum_of_planned_sessions():
    package, sessions = _package_with_sessions(count=10, min_percent=80)
    reaches = EnrollmentFactory(package=package)
    short = EnrollmentFactory(package=package)
    _attend(reaches, sessions, present=8)
    _attend(short, sessions[:9], present=7)  # 7 of 10 planned, even though 9 were marked
    assert completion_propose(package=package) == 1
    assert list(Enrollment.objects.completion_proposed()) == [reaches]


def test_minimum_rounds_up():
    package, sessions = _package_with_sessions(count=7, min_percent=80)  # 5.6 meetings -> 6
    five = EnrollmentFactory(package=package)
    six = EnrollmentFactory(package=package)
    _attend(five, sessions, present=5)
    _attend(six, sessions, present=6)
    completion_propose(package=package)
    assert list(Enrollment.objects.completion_proposed()) == [six]


def test_a_proposal_is_withdrawn_when_attendance_falls_and_drop_outs_are_not_proposed():
    package, sessions = _package_with_sessions(count=5, min_percent=80)
    enrollment = EnrollmentFactory(package=package)
    dropped = EnrollmentFactory(package=package, status=Enrollment.Status.DROPPED_OUT)
    _attend(enrollment, sessions, present=5)
    _attend(dropped, sessions, present=5)
    completion_propose(package=package)
    assert list(Enrollment.objects.completion_proposed()) == [enrollment]
    Attendance.objects.filter(enrollment=enrollment, session__in=sessions[:2]).update(status=Attendance.Status.ABSENT)
    assert completion_propose(package=package) == 0
    assert not Enrollment.objects.completion_proposed().exists()


def test_staff_confirm_proposed_completions_of_an_ended_package():
    package, sessions = _package_with_sessions(count=5, ends_on=datetime.date(2026, 9, 30))
    proposed = EnrollmentFactory(package=package)
    not_proposed = EnrollmentFactory(package=package)
    _attend(proposed, sessions, present=5)
    _attend(not_proposed, sessions, present=2)
    completion_propose(package=package)
    staff = StaffFactory()
    assert completion_confirm(enrollments=[proposed, not_proposed], actor=staff) == (1, 1)
    proposed.refresh_from_db()
    not_proposed.refresh_from_db()
    assert proposed.status == Enrollment.Status.COMPLETED
    assert proposed.completed_on == datetime.date(2026, 9, 30)
    assert proposed.completion_confirmed_by == staff
    assert not_proposed.status == Enrollment.Status.ENROLLED


def test_confirmation_waits_for_the_package_to_end_and_needs_staff():
    package, sessions = _package_with_sessions(count=5, ends_on=datetime.date(2099, 1, 1))
    enrollment = EnrollmentFactory(package=package)
    _attend(enrollment, sessions, present=5)
    completion_propose(package=package)
    with pytest.raises(ValidationError):
        completion_confirm(enrollments=[enrollment], actor=OperatorFactory())
    assert completion_confirm(enrollments=[enrollment], actor=StaffFactory()) == (0, 1)
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.ENROLLED


def test_completing_below_the_minimum_needs_a_written_reason():
    package, sessions = _package_with_sessions(count=5)
    enrollment = EnrollmentFactory(package=package)
    _attend(enrollment, sessions, present=3)
    staff = StaffFactory()
    with pytest.raises(ValidationError) as error:
        enrollment_change_status(enrollment=enrollment, status=Enrollment.Status.COMPLETED, actor=staff)
    assert "override_reason" in error.value.message_dict
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.ENROLLED
    enrollment_change_status(
        enrollment=enrollment, status=Enrollment.Status.COMPLETED, override_reason="Sakit, surat dokter", actor=staff
    )
    enrollment.refresh_from_db()
    assert (enrollment.status, enrollment.override_reason) == (Enrollment.Status.COMPLETED, "Sakit, surat dokter")


def test_a_new_enrollment_cannot_start_completed_or_dropped_out():
    package = TrainingPackageFactory()
    for status in (Enrollment.Status.COMPLETED, Enrollment.Status.DROPPED_OUT):
        with pytest.raises(ValidationError) as error:
            enrollment_create(participant=ParticipantFactory(), package=package, status=status)
        assert "status" in error.value.message_dict
    assert not Enrollment.objects.exists()


def test_a_closed_package_takes_no_seat_back():
    package = TrainingPackageFactory(status=TrainingPackage.Status.CANCELLED)
    rejected = EnrollmentFactory(package=package, status=Enrollment.Status.REJECTED)
    with pytest.raises(ValidationError):
        enrollment_change_status(enrollment=rejected, status=Enrollment.Status.ENROLLED, actor=StaffFactory())
    rejected.refresh_from_db()
    assert rejected.status == Enrollment.Status.REJECTED


def test_applying_twice_in_a_year_is_fine_but_a_second_seat_needs_a_reason():
    first, second = _two_packages_in_one_year()
    person = ParticipantFactory()
    enrollment_create(participant=person, package=first, status=Enrollment.Status.APPLIED)
    applied = enrollment_create(participant=person, package=second, status=Enrollment.Status.APPLIED)
    enrollment_change_status(enrollment=Enrollment.objects.get(participant=person, package=first), status="enrolled")
    with pytest.raises(ValidationError) as error:
        enrollment_change_status(enrollment=applied, status=Enrollment.Status.ENROLLED)
    assert "override_reason" in error.value.message_dict


def test_confirmation_recounts_attendance_changed_after_the_proposal():
    package, sessions = _package_with_sessions(count=2, min_percent=100)
    enrollment = EnrollmentFactory(package=package)
    _attend(enrollment, sessions, present=2)
    completion_propose(package=package)
    Attendance.objects.filter(enrollment=enrollment).update(status=Attendance.Status.ABSENT)
    assert completion_confirm(enrollments=[enrollment], actor=StaffFactory()) == (0, 1)
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.ENROLLED


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has no row locks; the race needs PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_the_same_person_racing_into_two_packages_of_one_year_gets_one_seat():
    first, second = _two_packages_in_one_year()
    person = ParticipantFactory()
    barrier = threading.Barrier(2)
    outcomes = []

    def enroll(package):
        try:
            barrier.wait()
            enrollment_create(participant=person, package=package)
            outcomes.append("enrolled")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=enroll, args=(package,)) for package in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["enrolled", "refused"]
    assert Enrollment.objects.filter(participant=person).count() == 1
