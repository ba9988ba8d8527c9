"""Writes with rules for packages, their meetings and the money spent on them."""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from pekalongan_training.formatting import rupiah
from pekalongan_training.roles import is_dinas_staff
from programs.calendar import Holiday, holiday_on, public_holidays
from programs.models import Expenditure, Session, TrainingPackage
from programs.signals import session_rescheduled


@dataclass(frozen=True)
class SessionGeneration:
    created: int
    removed: int
    kept_with_attendance: int
    # Meeting days left without a meeting because they are public holidays or cuti bersama.
    skipped: tuple[Holiday, ...] = ()


@dataclass(frozen=True)
class MeetingSchedule:
    dates: list[datetime.date]  # the days a class meets
    skipped: list[Holiday]  # meeting days that are public holidays or cuti bersama


def meeting_schedule(*, starts_on: datetime.date, ends_on: datetime.date, weekdays: list[int]) -> MeetingSchedule:
    """The meeting days from starts_on to ends_on (inclusive): the weekdays (Monday = 0), holidays skipped."""
    days = (ends_on - starts_on).days + 1
    candidates = [
        date
        for date in (starts_on + datetime.timedelta(days=offset) for offset in range(max(days, 0)))
        if date.weekday() in weekdays
    ]
    holidays = {holiday.date: holiday for holiday in public_holidays(starts_on, ends_on)} if candidates else {}
    return MeetingSchedule(
        dates=[date for date in candidates if date not in holidays],
        skipped=[holidays[date] for date in candidates if date in holidays],
    )


def meeting_dates(*, starts_on: datetime.date, ends_on: datetime.date, weekdays: list[int]) -> list[datetime.date]:
    """The days a class meets: the weekdays (Monday = 0) from starts_on to ends_on, without holidays."""
    return meeting_schedule(starts_on=starts_on, ends_on=ends_on, weekdays=weekdays).dates


@transaction.atomic
def session_generate(*, package: TrainingPackage) -> SessionGeneration:
    """Make the package's meetings match its dates and meeting days, skipping public holidays.

    Public holidays and cuti bersama (programs.calendar) are not meeting days, and the result names
    the ones skipped. Meetings that already have attendance are never touched, even off the new
    schedule or on a holiday: the marks are a record. Other meetings on a scheduled date are kept
    (with their topic); other meetings off the schedule (a holiday included, even one added by hand)
    are removed, and missing dates are added with the package's usual hours.
    """
    package = TrainingPackage.objects.select_for_update().get(pk=package.pk)
    if package.status == TrainingPackage.Status.CANCELLED:
        raise ValidationError(_("Package %(code)s is cancelled; it has no meetings.") % {"code": package.code})
    schedule = meeting_schedule(starts_on=package.starts_on, ends_on=package.ends_on, weekdays=package.weekdays)
    wanted = set(schedule.dates)
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
        created=len(wanted - present_dates),
        removed=removed,
        kept_with_attendance=len(kept_with_attendance),
        skipped=tuple(holiday for holiday in schedule.skipped if holiday.date not in present_dates),
    )


def _schedule_errors(
    *, package: TrainingPackage, date: datetime.date, actor, session: Session | None = None, on_holiday: bool = False
):
    """Why a meeting cannot be on `date`, by form field.

    A public holiday or cuti bersama is refused, naming it, unless the person confirmed
    (`on_holiday`) that the class really meets that day: a private LPK may teach on a cuti bersama.
    """
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
    holiday = holiday_on(date)
    if holiday and not on_holiday:
        errors.setdefault("date", []).append(
            _(
                "%(date)s is a public holiday or cuti bersama (%(name)s). Choose another day, or tick "
                "“Hold the meeting on this holiday” if the class really meets that day."
            )
            % {"date": date_format(date), "name": holiday.name}
        )
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
    on_holiday: bool = False,
) -> Session:
    """Add a meeting to a package (an extra class), within the package's dates; operators not in the past.

    Not on a public holiday or cuti bersama unless `on_holiday` confirms it. Generating the
    meetings again removes such a meeting while it has no marks, like any meeting off the schedule.
    """
    package = TrainingPackage.objects.select_for_update().get(pk=package.pk)
    starts_at, ends_at = starts_at or package.session_starts_at, ends_at or package.session_ends_at
    _check_times(starts_at, ends_at)
    errors = _schedule_errors(package=package, date=date, actor=actor, on_holiday=on_holiday)
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
    on_holiday: bool = False,
) -> Session:
    """Move a meeting that has not taken place (a class moved for a holiday) to another day or time.

    A meeting that already has marks, or whose day has come, stays where it is for operators: the
    marks must keep pointing at the day the class met. Staff may move any meeting without marks.
    Not onto a public holiday or cuti bersama unless `on_holiday` confirms it.
    """
    package = TrainingPackage.objects.select_for_update().get(pk=session.package_id)
    session = Session.objects.select_for_update().get(pk=session.pk)
    if session.attendances.exists():
        raise ValidationError({"date": [_("This meeting already has attendance marks; it cannot be moved.")]})
    if not is_dinas_staff(actor) and session.date <= timezone.localdate():
        raise ValidationError({"date": [_("Only a meeting that has not taken place yet can be moved.")]})
    starts_at, ends_at = starts_at or session.starts_at, ends_at or session.ends_at
    _check_times(starts_at, ends_at)
    # Changing only the hours or topic of a meeting already on a holiday asks for no confirmation.
    on_holiday = on_holiday or date == session.date
    errors = _schedule_errors(package=package, date=date, actor=actor, session=session, on_holiday=on_holiday)
    if errors:
        raise ValidationError(errors)
    old_date, old_starts_at, old_ends_at = session.date, session.starts_at, session.ends_at
    session.date = date
    session.starts_at = starts_at
    session.ends_at = ends_at
    if topic is not None:
        session.topic = topic.strip()
    session.save()
    if (old_date, old_starts_at, old_ends_at) != (date, starts_at, ends_at):
        session_rescheduled.send(
            sender=Session, session=session, old_date=old_date, old_starts_at=old_starts_at, old_ends_at=old_ends_at
        )
    return session


# --- spending (the DBHCHT realisation) -------------------------------------------------------------

SPENDING_FIELDS = ("spent_on", "amount", "kind", "document_number", "description", "over_pagu_reason")


def spending_total(package: TrainingPackage, *, without: Expenditure | None = None) -> int:
    """What has been spent on the package, in whole rupiah (leaving one entry out, to check its change)."""
    entries = Expenditure.objects.filter(package=package)
    if without is not None and without.pk:
        entries = entries.exclude(pk=without.pk)
    return entries.aggregate(total=Coalesce(Sum("amount"), 0))["total"]


def spending_over_pagu_error(*, package: TrainingPackage, amount: int, without: Expenditure | None = None) -> str:
    """Why this amount needs a reason: it takes the package above its pagu; '' when it does not."""
    total = spending_total(package, without=without) + amount
    if total <= package.budget:
        return ""
    return _(
        "With this entry the package's spending is %(total)s, above its pagu of %(pagu)s. "
        "Write why in the reason for going over the pagu, or correct the amount."
    ) % {"total": rupiah(total), "pagu": rupiah(package.budget)}


@transaction.atomic
def spending_record(*, package: TrainingPackage, by, entry: Expenditure | None = None, **data) -> Expenditure:
    """Enter (or correct) a spending entry of a package; returns it.

    The package row is locked, so two entries at once are checked against each other. A total above
    the pagu is refused unless `over_pagu_reason` is written (it is kept with the entry and in its
    history). The date lies in the program's fiscal year (a payment of another year is paid from
    another year's budget) and not in the future.
    """
    unknown = set(data) - set(SPENDING_FIELDS)
    if unknown:
        raise ValueError(f"not a spending field: {sorted(unknown)}")
    package = TrainingPackage.objects.select_for_update().select_related("cohort__program").get(pk=package.pk)
    if entry is None:
        entry = Expenditure(package=package, entered_by=by)
    elif entry.package_id != package.pk:
        raise ValueError("the entry belongs to another package")
    for name, value in data.items():
        setattr(entry, name, value.strip() if isinstance(value, str) else value)
    errors = {}
    if entry.spent_on and entry.spent_on > timezone.localdate():
        errors["spent_on"] = [_("The date cannot be in the future.")]
    elif entry.spent_on and entry.spent_on.year != package.cohort.program.fiscal_year:
        errors["spent_on"] = [
            _("The program is of %(year)s: money spent on it is dated in that year.")
            % {"year": package.cohort.program.fiscal_year}
        ]
    if entry.amount:
        over = spending_over_pagu_error(package=package, amount=entry.amount, without=entry)
        if over and not (entry.over_pagu_reason or "").strip():
            errors["over_pagu_reason"] = [over]
    if errors:
        raise ValidationError(errors)
    entry.package = package
    entry.full_clean(exclude=["package"])
    entry.save()
    return entry
