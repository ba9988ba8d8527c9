"""Writes with rules for packages and their meetings."""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from pekalongan_training.roles import is_dinas_staff
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
    package = TrainingPackage.objects.select_for_update().get(pk=package.pk)
    if package.status == TrainingPackage.Status.CANCELLED:
        raise ValidationError(_("Package %(code)s is cancelled; it has no meetings.") % {"code": package.code})
    wanted = set(meeting_dates(starts_on=package.starts_on, ends_on=package.ends_on, weekdays=package.weekdays))
    existing = list(
        package.sessions.annotate(
            has_attendance=Exists(Session.objects.filter(pk=OuterRef("pk"), attendances__isnull=False))
        ).only("pk", "date")
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


def _schedule_errors(*, package: TrainingPackage, date: datetime.date, actor, session: Session | None = None):
    """Why a meeting cannot be on `date`, by form field."""
    errors: dict[str, list[str]] = {}
    if package.is_closed:
        errors.setdefault("date", []).append(
            _("Package %(code)s is closed; its meetings can no longer change.") % {"code": package.code}
        )
    if not (package.starts_on <= date <= package.ends_on):
        errors.setdefault("date", []).append(
            _(
                "The date must be between %(start)s and %(end)s. "
                "If the package is extended, ask the dinas to change its dates first."
            )
            % {"start": date_format(package.starts_on), "end": date_format(package.ends_on)}
        )
    if not is_dinas_staff(actor) and date < timezone.localdate():
        errors.setdefault("date", []).append(_("A meeting cannot be planned in the past."))
    taken = package.sessions.filter(date=date)
    if session is not None:
        taken = taken.exclude(pk=session.pk)
    if taken.exists():
        errors.setdefault("date", []).append(_("There is already a meeting on %(date)s.") % {"date": date_format(date)})
    return errors


def _check_times(starts_at, ends_at):
    if starts_at and ends_at and ends_at <= starts_at:
        raise ValidationError({"ends_at": [_("A meeting must end after it starts.")]})


@transaction.atomic
def session_add(
    *,
    package: TrainingPackage,
    date: datetime.date,
    starts_at: datetime.time | None,
    ends_at: datetime.time | None,
    topic: str = "",
    actor,
) -> Session:
    """Add a meeting to a package (an extra class), within the package's dates; operators not in the past."""
    package = TrainingPackage.objects.select_for_update().get(pk=package.pk)
    starts_at, ends_at = starts_at or package.session_starts_at, ends_at or package.session_ends_at
    _check_times(starts_at, ends_at)
    errors = _schedule_errors(package=package, date=date, actor=actor)
    if errors:
        raise ValidationError(errors)
    return Session.objects.create(package=package, date=date, starts_at=starts_at, ends_at=ends_at, topic=topic.strip())


@transaction.atomic
def session_move(
    *,
    session: Session,
    date: datetime.date,
    starts_at: datetime.time | None,
    ends_at: datetime.time | None,
    topic: str | None = None,
    actor,
) -> Session:
    """Move a meeting that has not taken place (a class moved for a holiday) to another day or time.

    A meeting that already has marks, or whose day has come, stays where it is for operators: the
    marks must keep pointing at the day the class met. Staff may move any meeting without marks.
    """
    package = TrainingPackage.objects.select_for_update().get(pk=session.package_id)
    session = Session.objects.select_for_update().get(pk=session.pk)
    if session.attendances.exists():
        raise ValidationError({"date": [_("This meeting already has attendance marks; it cannot be moved.")]})
    if not is_dinas_staff(actor) and session.date <= timezone.localdate():
        raise ValidationError({"date": [_("Only a meeting that has not taken place yet can be moved.")]})
    starts_at, ends_at = starts_at or session.starts_at, ends_at or session.ends_at
    _check_times(starts_at, ends_at)
    errors = _schedule_errors(package=package, date=date, actor=actor, session=session)
    if errors:
        raise ValidationError(errors)
    session.date = date
    session.starts_at = starts_at
    session.ends_at = ends_at
    if topic is not None:
        session.topic = topic.strip()
    session.save()
    return session
