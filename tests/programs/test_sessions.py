import datetime

import pytest
from django.core.exceptions import ValidationError

from programs.models import Session, TrainingPackage
from programs.services import meeting_dates, session_generate
from tests.factories import AttendanceFactory, EnrollmentFactory, TrainingPackageFactory

pytestmark = pytest.mark.django_db


def test_meeting_dates_follow_the_weekdays():
    # 2 to 15 November 2026: Monday 2nd to Sunday 15th; Mondays, Wednesdays and Fridays.
    dates = meeting_dates(starts_on=datetime.date(2026, 11, 2), ends_on=datetime.date(2026, 11, 15), weekdays=[0, 2, 4])
    assert [date.day for date in dates] == [2, 4, 6, 9, 11, 13]


def test_generate_creates_a_session_per_meeting_day_with_the_package_hours():
    package = TrainingPackageFactory(
        starts_on=datetime.date(2026, 11, 2),
        ends_on=datetime.date(2026, 11, 13),
        meeting_weekdays="01234",
        session_starts_at=datetime.time(13, 0),
        session_ends_at=datetime.time(16, 0),
    )
    result = session_generate(package=package)
    assert (result.created, result.removed) == (10, 0)
    sessions = list(package.sessions.order_by("date"))
    assert [session.date.day for session in sessions] == [2, 3, 4, 5, 6, 9, 10, 11, 12, 13]
    assert {(session.starts_at, session.ends_at) for session in sessions} == {(datetime.time(13), datetime.time(16))}


def test_regenerating_keeps_sessions_with_attendance_and_drops_the_others():
    package = TrainingPackageFactory(
        starts_on=datetime.date(2026, 11, 2), ends_on=datetime.date(2026, 11, 6), meeting_weekdays="01234"
    )
    session_generate(package=package)
    tuesday = package.sessions.get(date=datetime.date(2026, 11, 3))
    AttendanceFactory(enrollment=EnrollmentFactory(package=package), session=tuesday)
    monday = package.sessions.get(date=datetime.date(2026, 11, 2))
    monday.topic = "Pengenalan alat"
    monday.save()

    package.meeting_weekdays = "024"  # now Monday, Wednesday, Friday only
    package.save()
    result = session_generate(package=package)

    assert (result.created, result.removed, result.kept_with_attendance) == (0, 1, 1)
    assert [session.date.day for session in package.sessions.order_by("date")] == [2, 3, 4, 6]
    assert package.sessions.get(pk=monday.pk).topic == "Pengenalan alat"
    assert package.sessions.filter(pk=tuesday.pk).exists()


def test_regenerating_twice_changes_nothing():
    package = TrainingPackageFactory(starts_on=datetime.date(2026, 11, 2), ends_on=datetime.date(2026, 11, 20))
    session_generate(package=package)
    ids = set(package.sessions.values_list("pk", flat=True))
    result = session_generate(package=package)
    assert (result.created, result.removed) == (0, 0)
    assert set(package.sessions.values_list("pk", flat=True)) == ids


def test_cancelled_package_gets_no_sessions():
    package = TrainingPackageFactory(status=TrainingPackage.Status.CANCELLED)
    with pytest.raises(ValidationError):
        session_generate(package=package)
    assert not Session.objects.filter(package=package).exists()
