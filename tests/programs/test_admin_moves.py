"""A meeting moved by dinas staff in the admin is told to its people, as one moved in the portal."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from pekalongan_training.models import Message
from programs.calendar import is_holiday
from tests.factories import EnrollmentFactory, SessionFactory, TrainingPackageFactory

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def _working_day(day):
    while is_holiday(day) or day.weekday() >= 5:
        day += DAY
    return day


def _meeting():
    today = timezone.localdate()
    package = TrainingPackageFactory(status="open", starts_on=today + 10 * DAY, ends_on=today + 40 * DAY)
    meeting = SessionFactory(package=package, date=_working_day(package.starts_on + DAY))
    enrolled = EnrollmentFactory(package=package, status="enrolled")
    return package, meeting, enrolled


def _post(client, meeting, **changes):
    data = {
        "package": meeting.package.pk,
        "date": meeting.date.isoformat(),
        "starts_at": "08:00",
        "ends_at": "15:00",
        "topic": meeting.topic,
        **changes,
    }
    return client.post(reverse("admin:programs_session_change", args=[meeting.pk]), data)


def test_a_meeting_moved_in_the_admin_tells_the_people_enrolled(staff_client, django_capture_on_commit_callbacks):
    package, meeting, enrolled = _meeting()
    meeting.starts_at, meeting.ends_at = datetime.time(8), datetime.time(15)
    meeting.save()
    new_date = _working_day(meeting.date + 2 * DAY)
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(staff_client, meeting, date=new_date.isoformat())
    assert response.status_code == 302, response.content.decode()[:2000]
    message = Message.objects.get()
    assert message.about_id == enrolled.pk and message.template == "schedule_changed"
    assert message.key.startswith(f"schedule-changed:{meeting.pk}:{meeting.date.isoformat()}:")


def test_a_new_topic_alone_tells_nobody(staff_client, django_capture_on_commit_callbacks):
    package, meeting, enrolled = _meeting()
    meeting.starts_at, meeting.ends_at = datetime.time(8), datetime.time(15)
    meeting.save()
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(staff_client, meeting, topic="Praktik menjahit kemeja")
    assert response.status_code == 302
    assert not Message.objects.exists()
