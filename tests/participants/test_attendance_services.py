import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from participants.models import Attendance, Enrollment
from participants.services import attendance_mark_all_present, attendance_record, attendance_unmarked
from programs.models import TrainingPackage
from tests.factories import EnrollmentFactory, OperatorFactory, SessionFactory, TrainingPackageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def today_class():
    today = timezone.localdate()
    package = TrainingPackageFactory(
        starts_on=today - datetime.timedelta(days=5), ends_on=today + datetime.timedelta(days=5)
    )
    return {
        "package": package,
        "session": SessionFactory(package=package, date=today),
        "enrollment": EnrollmentFactory(package=package),
        "operator": OperatorFactory(),
    }


def test_a_mark_is_stored_then_updated_in_place(today_class):
    session, enrollment, operator = today_class["session"], today_class["enrollment"], today_class["operator"]
    first = attendance_record(session=session, enrollment=enrollment, status="present", actor=operator)
    second = attendance_record(session=session, enrollment=enrollment, status="sick", remark=" demam ", actor=operator)
    assert first.pk == second.pk
    assert list(Attendance.objects.values_list("status", "remark")) == [("sick", "demam")]
    assert first.history.count() == 2


def test_the_same_mark_again_writes_no_history(today_class):
    args = {
        "session": today_class["session"],
        "enrollment": today_class["enrollment"],
        "actor": today_class["operator"],
    }
    attendance_record(status="present", **args)
    mark = attendance_record(status="present", **args)
    assert mark.history.count() == 1


@pytest.mark.parametrize(
    "case",
    ["other_package", "future_session", "applicant", "closed_package", "bad_status"],
)
def test_refused_marks_write_nothing(today_class, case):
    session, enrollment, status = today_class["session"], today_class["enrollment"], "present"
    if case == "other_package":
        enrollment = EnrollmentFactory()
    elif case == "future_session":
        session = SessionFactory(package=today_class["package"], date=timezone.localdate() + datetime.timedelta(days=1))
    elif case == "applicant":
        enrollment = EnrollmentFactory(package=today_class["package"], status=Enrollment.Status.APPLIED)
    elif case == "closed_package":
        TrainingPackage.objects.filter(pk=today_class["package"].pk).update(status=TrainingPackage.Status.COMPLETED)
        session.refresh_from_db()
    elif case == "bad_status":
        status = "late"
    with pytest.raises(ValidationError):
        attendance_record(session=session, enrollment=enrollment, status=status, actor=today_class["operator"])
    assert not Attendance.objects.exists()
    assert not Attendance.history.exists()


def test_all_present_skips_drop_outs_applicants_and_existing_marks(today_class):
    package, session, operator = today_class["package"], today_class["session"], today_class["operator"]
    sick = EnrollmentFactory(package=package)
    attendance_record(session=session, enrollment=sick, status="sick", actor=operator)
    EnrollmentFactory(package=package, status=Enrollment.Status.DROPPED_OUT)
    EnrollmentFactory(package=package, status=Enrollment.Status.APPLIED)
    assert attendance_mark_all_present(session=session, actor=operator) == 1
    assert dict(Attendance.objects.values_list("enrollment", "status")) == {
        sick.pk: "sick",
        today_class["enrollment"].pk: "present",
    }
    assert Attendance.history.filter(history_user=operator).count() == 2
    assert attendance_mark_all_present(session=session, actor=operator) == 0


def test_the_services_keep_the_attendance_summaries_current(today_class):
    session, enrollment, operator = today_class["session"], today_class["enrollment"], today_class["operator"]
    other = EnrollmentFactory(package=today_class["package"])
    attendance_record(session=session, enrollment=enrollment, status="present", actor=operator)
    session.refresh_from_db()
    first = session.first_marked_at
    assert first is not None
    attendance_record(session=session, enrollment=enrollment, status="sick", actor=operator)
    attendance_mark_all_present(session=session, actor=operator)
    enrollment.refresh_from_db()
    other.refresh_from_db()
    session.refresh_from_db()
    assert (enrollment.marks_total, enrollment.marks_present, enrollment.marks_sick) == (1, 0, 1)
    assert (other.marks_total, other.marks_present) == (1, 1)
    assert session.first_marked_at == first  # the first mark's time stays when it is changed


def test_an_older_tap_arriving_late_does_not_overwrite_a_newer_one(today_class):
    """Tap A, then I; A reaches the server last (a slow connection): I stays, and no history is written."""
    session, enrollment, operator = today_class["session"], today_class["enrollment"], today_class["operator"]
    now = timezone.now()
    tap_a, tap_i = now - datetime.timedelta(seconds=20), now - datetime.timedelta(seconds=18)
    attendance_record(session=session, enrollment=enrollment, status="excused", actor=operator, tapped_at=tap_i)
    kept = attendance_record(session=session, enrollment=enrollment, status="absent", actor=operator, tapped_at=tap_a)
    assert (kept.status, kept.marked_at) == ("excused", tap_i)
    mark = Attendance.objects.get()
    assert (mark.status, mark.marked_at) == ("excused", tap_i)
    assert mark.history.count() == 1
    # A tap made after it wins, and is stored with the time it was made.
    later = now - datetime.timedelta(seconds=5)
    attendance_record(session=session, enrollment=enrollment, status="sick", actor=operator, tapped_at=later)
    assert Attendance.objects.values_list("status", "marked_at").get() == ("sick", later)


def test_a_tap_time_ahead_of_the_clock_counts_as_now_within_the_skew_and_is_refused_beyond(today_class):
    session, enrollment, operator = today_class["session"], today_class["enrollment"], today_class["operator"]
    before = timezone.now()
    ahead = attendance_record(
        session=session,
        enrollment=enrollment,
        status="present",
        actor=operator,
        tapped_at=before + datetime.timedelta(minutes=2),
    )
    assert before <= ahead.marked_at <= timezone.now()  # a phone a little ahead: counted as now
    other = EnrollmentFactory(package=today_class["package"])
    with pytest.raises(ValidationError):
        attendance_record(
            session=session,
            enrollment=other,
            status="present",
            actor=operator,
            tapped_at=before + datetime.timedelta(hours=3),
        )
    assert not Attendance.objects.filter(enrollment=other).exists()


def test_a_tap_dated_before_the_meetings_day_is_refused(today_class):
    session, enrollment, operator = today_class["session"], today_class["enrollment"], today_class["operator"]
    with pytest.raises(ValidationError):
        attendance_record(
            session=session,
            enrollment=enrollment,
            status="present",
            actor=operator,
            tapped_at=timezone.now() - datetime.timedelta(days=2),
        )
    assert not Attendance.objects.exists()
    assert not Attendance.history.exists()


def test_all_present_marks_only_the_people_confirmed_who_are_still_unmarked(today_class):
    package, session, operator = today_class["package"], today_class["session"], today_class["operator"]
    shown, marked_meanwhile, not_shown = today_class["enrollment"], *EnrollmentFactory.create_batch(2, package=package)
    attendance_record(session=session, enrollment=marked_meanwhile, status="sick", actor=operator)
    count = attendance_mark_all_present(session=session, actor=operator, only=[shown.pk, marked_meanwhile.pk])
    assert count == 1
    assert dict(Attendance.objects.values_list("enrollment", "status")) == {
        shown.pk: "present",
        marked_meanwhile.pk: "sick",
    }
    assert not_shown.pk not in set(Attendance.objects.values_list("enrollment", flat=True))


def test_the_confirmation_counts_who_all_present_will_mark(today_class):
    package, session, operator = today_class["package"], today_class["session"], today_class["operator"]
    EnrollmentFactory.create_batch(3, package=package)
    EnrollmentFactory(package=package, status=Enrollment.Status.DROPPED_OUT)
    EnrollmentFactory(package=package, status=Enrollment.Status.APPLIED)
    attendance_record(session=session, enrollment=today_class["enrollment"], status="absent", actor=operator)
    unmarked = set(attendance_unmarked(session=session).values_list("pk", flat=True))
    assert len(unmarked) == 3
    assert attendance_mark_all_present(session=session, actor=operator) == 3
    assert set(Attendance.objects.filter(status="present").values_list("enrollment", flat=True)) == unmarked
    assert attendance_unmarked(session=session).count() == 0


def test_all_present_is_stamped_when_confirmed_so_later_taps_win_and_earlier_ones_lose(today_class):
    package, session, operator = today_class["package"], today_class["session"], today_class["operator"]
    first, second = today_class["enrollment"], EnrollmentFactory(package=package)
    now = timezone.now()
    confirmed = now - datetime.timedelta(seconds=30)
    attendance_mark_all_present(session=session, actor=operator, tapped_at=confirmed)
    assert set(Attendance.objects.values_list("marked_at", flat=True)) == {confirmed}
    # Tapped before "Semua hadir" was confirmed, arriving after: Semua hadir stays.
    attendance_record(
        session=session,
        enrollment=first,
        status="absent",
        actor=operator,
        tapped_at=confirmed - datetime.timedelta(seconds=1),
    )
    # Tapped after: the tap wins.
    attendance_record(
        session=session,
        enrollment=second,
        status="sick",
        actor=operator,
        tapped_at=confirmed + datetime.timedelta(seconds=1),
    )
    assert dict(Attendance.objects.values_list("enrollment", "status")) == {first.pk: "present", second.pk: "sick"}
