import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from participants.models import Attendance, Enrollment
from participants.services import attendance_mark_all_present, attendance_record
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
