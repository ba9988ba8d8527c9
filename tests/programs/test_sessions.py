import datetime

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from programs.calendar import holiday_on, is_holiday, public_holidays
from programs.models import Session, TrainingPackage
from programs.services import meeting_dates, meeting_schedule, session_add, session_generate, session_move
from tests.factories import (
    AttendanceFactory,
    EnrollmentFactory,
    OperatorFactory,
    ProviderFactory,
    SessionFactory,
    TrainingPackageFactory,
)

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


# --- public holidays and cuti bersama ------------------------------------------------------------

D = datetime.date


def test_the_calendar_knows_christmas_and_the_idul_fitri_cuti_bersama_of_2026():
    with translation.override("id"):
        days = {holiday.date: holiday.name for holiday in public_holidays(D(2026, 3, 16), D(2026, 3, 27))}
        christmas = holiday_on(D(2026, 12, 25))
    assert days == {
        D(2026, 3, 18): "Cuti Bersama Hari Suci Nyepi",
        D(2026, 3, 19): "Hari Suci Nyepi",
        D(2026, 3, 20): "Cuti Bersama Hari Raya Idul Fitri",
        D(2026, 3, 21): "Hari Raya Idul Fitri",
        D(2026, 3, 22): "Hari kedua dari Hari Raya Idul Fitri",
        D(2026, 3, 23): "Cuti Bersama Hari Raya Idul Fitri",
        D(2026, 3, 24): "Cuti Bersama Hari Raya Idul Fitri",
    }
    assert christmas.name == "Hari Raya Natal"
    with translation.override("id"):
        assert str(christmas) == "25 Desember 2026 (Hari Raya Natal)"
    with translation.override("en"):
        assert str(holiday_on(D(2026, 12, 25))) == "25 December 2026 (Christmas Day)"
    assert holiday_on(D(2026, 12, 28)) is None
    assert is_holiday(D(2026, 12, 24)) and not is_holiday(D(2026, 12, 23))


def test_meeting_days_skip_christmas_and_its_cuti_bersama():
    schedule = meeting_schedule(starts_on=D(2026, 12, 21), ends_on=D(2026, 12, 31), weekdays=[0, 1, 2, 3, 4])
    assert [date.day for date in schedule.dates] == [21, 22, 23, 28, 29, 30, 31]
    assert [holiday.date.day for holiday in schedule.skipped] == [24, 25]
    assert meeting_dates(starts_on=D(2026, 12, 21), ends_on=D(2026, 12, 31), weekdays=[0, 1, 2, 3, 4]) == (
        schedule.dates
    )


def test_generating_over_idul_fitri_2026_skips_the_holidays_and_names_them():
    # Monday 16 to Friday 27 March 2026, Monday to Saturday: Nyepi, Idul Fitri and their cuti bersama.
    package = TrainingPackageFactory(starts_on=D(2026, 3, 16), ends_on=D(2026, 3, 27), meeting_weekdays="012345")
    with translation.override("id"):
        result = session_generate(package=package)
    assert [session.date.day for session in package.sessions.order_by("date")] == [16, 17, 25, 26, 27]
    assert result.created == 5
    # Sunday 22 March (the second day of Idul Fitri) is no meeting day: not "skipped".
    assert [(holiday.date.day, holiday.name) for holiday in result.skipped] == [
        (18, "Cuti Bersama Hari Suci Nyepi"),
        (19, "Hari Suci Nyepi"),
        (20, "Cuti Bersama Hari Raya Idul Fitri"),
        (21, "Hari Raya Idul Fitri"),
        (23, "Cuti Bersama Hari Raya Idul Fitri"),
        (24, "Cuti Bersama Hari Raya Idul Fitri"),
    ]


def test_a_meeting_already_on_a_holiday_goes_unless_it_has_marks():
    package = TrainingPackageFactory(starts_on=D(2026, 12, 21), ends_on=D(2026, 12, 31), meeting_weekdays="01234")
    christmas_eve = SessionFactory(package=package, date=D(2026, 12, 24))  # generated before holidays were skipped
    christmas = SessionFactory(package=package, date=D(2026, 12, 25))
    AttendanceFactory(enrollment=EnrollmentFactory(package=package), session=christmas)

    result = session_generate(package=package)

    assert not Session.objects.filter(pk=christmas_eve.pk).exists()
    assert Session.objects.filter(pk=christmas.pk).exists()  # the marks are a record
    assert (result.created, result.removed, result.kept_with_attendance) == (7, 1, 1)
    assert [holiday.date for holiday in result.skipped] == [D(2026, 12, 24)]  # the 25th still has its meeting


def test_the_admin_action_says_which_days_it_skipped(staff_client):
    package = TrainingPackageFactory(
        code="PKT-NATAL", starts_on=D(2026, 12, 21), ends_on=D(2026, 12, 31), meeting_weekdays="01234"
    )
    staff_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = staff_client.post(
        reverse("admin:programs_trainingpackage_changelist"),
        {"action": "generate_sessions", "_selected_action": [package.pk]},
        follow=True,
    )
    assert [str(message) for message in response.context["messages"]] == [
        "PKT-NATAL: 7 meetings added, 0 removed, 0 kept because they have attendance. "
        "Skipped for public holidays and cuti bersama: "
        "24 December 2026 (Christmas Joint Holiday), 25 December 2026 (Christmas Day)."
    ]
    assert package.sessions.count() == 7


def test_a_meeting_added_on_a_holiday_is_refused_with_its_name_unless_confirmed(staff_user):
    package = TrainingPackageFactory(starts_on=D(2026, 12, 21), ends_on=D(2026, 12, 31), meeting_weekdays="01234")
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        session_add(package=package, date=D(2026, 12, 25), starts_at=None, ends_at=None, actor=staff_user)
    assert refused.value.message_dict["date"] == [
        "25 December 2026 is a public holiday or cuti bersama (Christmas Day). Choose another day, or tick "
        "“Hold the meeting on this holiday” if the class really meets that day."
    ]
    assert not package.sessions.exists()
    meeting = session_add(
        package=package, date=D(2026, 12, 25), starts_at=None, ends_at=None, actor=staff_user, on_holiday=True
    )
    assert meeting.date == D(2026, 12, 25)


def test_a_meeting_is_not_moved_onto_a_holiday_unless_confirmed(staff_user):
    package = TrainingPackageFactory(starts_on=D(2026, 12, 21), ends_on=D(2026, 12, 31), meeting_weekdays="01234")
    meeting = SessionFactory(package=package, date=D(2026, 12, 23))
    with pytest.raises(ValidationError) as refused:
        session_move(session=meeting, date=D(2026, 12, 24), starts_at=None, ends_at=None, actor=staff_user)
    assert "date" in refused.value.message_dict
    meeting.refresh_from_db()
    assert meeting.date == D(2026, 12, 23)
    session_move(session=meeting, date=D(2026, 12, 24), starts_at=None, ends_at=None, actor=staff_user, on_holiday=True)
    # Only the hours of a meeting already on the holiday: no second confirmation.
    moved = session_move(
        session=meeting, date=D(2026, 12, 24), starts_at=datetime.time(9), ends_at=None, actor=staff_user
    )
    assert (moved.date, moved.starts_at) == (D(2026, 12, 24), datetime.time(9))


def _next_weekday_holiday(after: datetime.date) -> datetime.date:
    return next(h.date for h in public_holidays(after, after + datetime.timedelta(days=400)) if h.date.weekday() < 5)


def test_an_operator_adding_a_meeting_on_a_holiday_is_told_and_may_confirm(client):
    holiday = _next_weekday_holiday(timezone.localdate() + datetime.timedelta(days=1))
    operator = OperatorFactory()
    package = TrainingPackageFactory(
        provider=ProviderFactory(operators=[operator]),
        starts_on=holiday - datetime.timedelta(days=7),
        ends_on=holiday + datetime.timedelta(days=7),
    )
    client.force_login(operator)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    url = reverse("provider:session-add", args=[package.pk])
    response = client.post(url, {"date": holiday.isoformat()})
    assert response.status_code == 200
    (message,) = response.context["form"].errors["date"]
    with translation.override("en"):
        assert message.startswith(
            f"{date_format(holiday)} is a public holiday or cuti bersama ({holiday_on(holiday).name})"
        )
    assert not package.sessions.exists()
    assert client.post(url, {"date": holiday.isoformat(), "on_holiday": "on"}).status_code == 302
    assert list(package.sessions.values_list("date", flat=True)) == [holiday]
