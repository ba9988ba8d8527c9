"""Writes with rules for packages and their meetings."""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _

from programs.models import Session, TrainingPackage


@dataclass(frozen=True)
class SessionGeneration:
    created: int
    removed: int
    kept_with_attendance: int


def meeting_dates(*, starts_on: datetime.date, ends_on: datetime.date, weekdays: list[int]) -> list[datetime.date]:
    """Every date from starts_on to ends_on (inclusive) that falls on one of the weekdays (Monday = 0)."""
    days = (ends_on - starts_on).days + 1
    dates = (starts_on + datetime.timedelta(days=offset) for offset in range(max(days, 0)))
    return [date for date in dates if date.weekday() in weekdays]


@transaction.atomic
def session_generate(*, package: TrainingPackage) -> SessionGeneration:
    """Make the package's meetings match its dates and meeting days.

    Meetings that already have attendance are never touched, even off the new schedule: the marks
    are a record. Other meetings on a scheduled date are kept (with their topic); other meetings off
    the schedule are removed, and missing dates are added with the package's usual hours.
    """
    from participants.models import Attendance

    package = TrainingPackage.objects.select_for_update().get(pk=package.pk)
    if package.status == TrainingPackage.Status.CANCELLED:
        raise ValidationError(_("Package %(code)s is cancelled; it has no meetings.") % {"code": package.code})
    wanted = set(meeting_dates(starts_on=package.starts_on, ends_on=package.ends_on, weekdays=package.weekdays))
    existing = list(
        package.sessions.annotate(has_attendance=Exists(Attendance.objects.filter(session=OuterRef("pk")))).only(
            "pk", "date"
        )
    )
    kept_with_attendance = [session for session in existing if session.has_attendance]
    removable = [session.pk for session in existing if not session.has_attendance and session.date not in wanted]
    present_dates = {session.date for session in existing if session.pk not in removable}
    removed, _details = Session.objects.filter(pk__in=removable).delete()
    Session.objects.bulk_create(
        Session(
            package=package,
            date=date,
            starts_at=package.session_starts_at,
            ends_at=package.session_ends_at,
        )
        for date in sorted(wanted - present_dates)
    )
    return SessionGeneration(
        created=len(wanted - present_dates), removed=removed, kept_with_attendance=len(kept_with_attendance)
    )
