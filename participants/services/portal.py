"""What providers record in class: attendance marks and end-of-training results (the assessment,
the training certificate number, the LSP competency test and the LSP's certificate).

Marks come from taps on the marking page, some of them late: made in a class without signal,
queued on the phone and sent when the connection returns, each with the time it was made. The
rules for those times (_tap_time) and "the newest tap wins" (attendance_record) live here only.
"""

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from participants import attendance_summary
from participants.models import Attendance, Enrollment
from programs.models import TrainingPackage

# What enrollment_record_results writes: the forms that enter results offer these.
RESULT_FIELDS = [
    "assessment",
    "certificate_number",
    "competency",
    "competency_scheme",
    "competency_certificate_number",
    "competency_expires_on",
]


def enrollment_results_errors(
    *,
    status: str,
    package: TrainingPackage,
    assessment: str,
    certificate_number: str,
    competency: str = Enrollment.Competency.NOT_TESTED,
    competency_scheme: str = "",
    competency_certificate_number: str = "",
    competency_expires_on: datetime.date | None = None,
) -> dict[str, list[str]]:
    """What is wrong with these end-of-training results of someone in `status`, by form field.

    The LSP's certificate (scheme, number, expiry) belongs to a competent result only; a number
    is of a scheme, an expiry date of a number, and a certificate won at the end of training is
    valid past the package's last day.
    """
    errors: dict[str, list[str]] = {}
    if status not in (Enrollment.Status.ENROLLED, Enrollment.Status.COMPLETED):
        errors.setdefault("assessment", []).append(
            _("Results are recorded for people who are in the class or completed it.")
        )
    if package.status == TrainingPackage.Status.CANCELLED:
        errors.setdefault("assessment", []).append(_("The package is cancelled."))
    if certificate_number.strip() and assessment != Enrollment.Assessment.PASSED:
        errors.setdefault("certificate_number", []).append(
            _("A training certificate is only for people who passed the assessment.")
        )
    scheme, number = competency_scheme.strip(), competency_certificate_number.strip()
    if (scheme or number or competency_expires_on) and competency != Enrollment.Competency.COMPETENT:
        errors.setdefault("competency", []).append(
            _(
                "A competency scheme, certificate number or expiry date is only for people the LSP found "
                "competent: choose Competent, or clear them."
            )
        )
    if number and not scheme:
        errors.setdefault("competency_scheme", []).append(
            _("Write the LSP scheme this competency certificate number belongs to.")
        )
    if competency_expires_on is not None:
        if not number:
            errors.setdefault("competency_certificate_number", []).append(
                _("Write the number of the competency certificate this expiry date belongs to.")
            )
        if competency_expires_on <= package.ends_on:
            errors.setdefault("competency_expires_on", []).append(
                _("The competency certificate must be valid after the package's last day, %(date)s.")
                % {"date": date_format(package.ends_on)}
            )
    return errors


@transaction.atomic
def enrollment_record_results(
    *,
    enrollment: Enrollment,
    assessment: str,
    certificate_number: str,
    competency: str,
    competency_scheme: str = "",
    competency_certificate_number: str = "",
    competency_expires_on: datetime.date | None = None,
    actor,
) -> Enrollment:
    """The end-of-training results of one person: assessment, training certificate, LSP competency test
    and the LSP's certificate (scheme, number, valid until).

    The whole set is written: LSP fields left out are cleared, so a caller that does not show them
    passes the values on record. Refused, writing nothing, by enrollment_results_errors. Kept in the
    enrollment's history under `actor`.
    """
    enrollment = Enrollment.objects.select_for_update(of=("self",)).select_related("package").get(pk=enrollment.pk)
    errors = enrollment_results_errors(
        status=enrollment.status,
        package=enrollment.package,
        assessment=assessment,
        certificate_number=certificate_number,
        competency=competency,
        competency_scheme=competency_scheme,
        competency_certificate_number=competency_certificate_number,
        competency_expires_on=competency_expires_on,
    )
    if errors:
        raise ValidationError(errors)
    enrollment.assessment = assessment
    enrollment.certificate_number = certificate_number.strip()
    enrollment.competency = competency
    enrollment.competency_scheme = competency_scheme.strip()
    enrollment.competency_certificate_number = competency_certificate_number.strip()
    enrollment.competency_expires_on = competency_expires_on
    enrollment._history_user = actor
    enrollment.save(update_fields=RESULT_FIELDS)
    return enrollment


def attendance_rule_errors(*, session, enrollment: Enrollment | None = None) -> list[str]:
    """Why this meeting (and this person at it) cannot be marked now; empty when it can."""
    errors = []
    if session.date > timezone.localdate():
        errors.append(
            _("This meeting is on %(date)s; it cannot be marked before it takes place.")
            % {"date": date_format(session.date)}
        )
    if session.package.is_closed:
        errors.append(
            _("Package %(code)s is closed; marks can no longer change. Ask the dinas to reopen it.")
            % {"code": session.package.code}
        )
    if enrollment is not None:
        if enrollment.package_id != session.package_id:
            errors.append(_("This person is not in the package of this meeting."))
        elif enrollment.status not in Enrollment.SEAT_STATUSES:
            errors.append(_("Only people enrolled in the class can be marked."))
    return errors


def _lock_markable(session, enrollment: Enrollment | None = None):
    """Lock the package (marks of one class are written one after another) and check the rules."""
    session.package = TrainingPackage.objects.select_for_update().get(pk=session.package_id)
    if enrollment is not None:
        enrollment = Enrollment.objects.get(pk=enrollment.pk)
    errors = attendance_rule_errors(session=session, enrollment=enrollment)
    if errors:
        raise ValidationError(errors)
    return enrollment


# When a tap was made. With signal a tap reaches the server seconds after it is made (the page
# gives up after 15 seconds); without, it waits on the phone (offline-queue.js) and arrives later.
# Tap times are on the server's clock as the page reckons it (attendance.js), so a phone with a
# wrong clock does not matter much; the margins cover the reckoning's error.
# - A tap no older than TAP_FRESH when it arrives came with signal: any meeting held so far, as ever.
# - An older one waited on the phone: it is taken only when made and sent on the meeting's day or
#   the next (Asia/Jakarta): enough for a class without signal to be sent from home that evening
#   or the next day, too little to pass a register made (or sent) days later off as marked on
#   time (Session.first_marked_at, the dashboard's reporting figures). Later, it is refused and
#   the operator marks again with signal. A tap sent again that the server already holds is
#   taken as it is, whatever its time.
# - A tap dated later than now + TAP_CLOCK_SKEW is refused (a phone's clock far ahead); within it,
#   it counts as made now.
TAP_FRESH = datetime.timedelta(minutes=10)
TAP_CLOCK_SKEW = datetime.timedelta(minutes=5)


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _shown(when: datetime.datetime) -> str:
    """A tap's time in words; a time no calendar here can show (year 1 or 9999) as sent."""
    try:
        return date_format(timezone.localtime(when), "j F Y, H.i")
    except (OverflowError, ValueError):
        return when.isoformat()


def _tap_time(session, tapped_at: datetime.datetime | None) -> datetime.datetime:
    """When a tap was made (see above); ValidationError for a time the rules do not believe."""
    now = timezone.now()
    if tapped_at is None:
        return now
    if tapped_at > now + TAP_CLOCK_SKEW:
        raise ValidationError(
            _("This tap is dated later than now (%(time)s): check the phone's clock, then mark again.")
            % {"time": _shown(tapped_at)},
            code="tap_in_future",
        )
    when = min(tapped_at, now)
    day_start = _day_start(session.date)
    if when >= now - TAP_FRESH:
        return max(when, day_start)
    window_ends = _day_start(session.date + datetime.timedelta(days=2))
    if when < day_start or when >= window_ends or now >= window_ends:
        raise ValidationError(
            _(
                "This mark was made on %(time)s and sent later. A mark sent later is accepted only when "
                "made on the meeting's day or the next day; mark again now."
            )
            % {"time": _shown(when)},
            code="tap_outside_window",
        )
    return when


@transaction.atomic
def attendance_record(
    *,
    session,
    enrollment: Enrollment,
    status: str,
    remark: str = "",
    actor,
    tapped_at: datetime.datetime | None = None,
    if_unmarked: bool = False,
) -> Attendance:
    """Mark one person at one meeting (H/I/S/A), or change their mark in place.

    `tapped_at` is when the tap was made (see _tap_time); None: now. The newest tap wins, whoever
    made it: a tap older than the stored mark (sent before a later one but arriving after it, a
    second phone's, or one that waited on a phone without signal) changes nothing and the stored
    mark is returned; the caller compares. The same tap sent again changes nothing either.
    `if_unmarked` ("Semua hadir" made on a phone without signal, sent person by person) marks only
    a person who has no mark yet. Refused, writing nothing: a status that is not H/I/S/A, a person
    of another package or without a seat, a meeting in the future, a closed package, a tap time
    the rules do not believe. Every change is kept in the mark's history; the database holds one
    mark per person and meeting (participants_attendance_unique).
    """
    if status not in Attendance.Status.values:
        raise ValidationError({"status": [_("Choose H, I, S or A.")]})
    enrollment = _lock_markable(session, enrollment)
    remark = remark.strip()[: Attendance._meta.get_field("remark").max_length]
    attendance = Attendance.objects.filter(enrollment=enrollment, session=session).first()
    if attendance is not None and (if_unmarked or (attendance.status, attendance.remark) == (status, remark)):
        return attendance  # already so (a tap sent again), or "Semua hadir" finds a mark
    when = _tap_time(session, tapped_at)
    if attendance is not None and attendance.marked_at > when:
        return attendance
    if attendance is None:
        attendance = Attendance(enrollment=enrollment, session=session)
    attendance.status = status
    attendance.remark = remark
    attendance.marked_by = actor
    attendance.marked_at = when
    attendance._history_user = actor
    attendance.save()
    attendance_summary.refresh(enrollments=[enrollment.pk], sessions=[session.pk])
    return attendance


def attendance_unmarked(*, session) -> QuerySet[Enrollment]:
    """Who "Semua hadir" would mark at this meeting: in the class (not dropped out), with no mark yet."""
    return (
        Enrollment.objects.filter(package_id=session.package_id)
        .holding_seats()
        .exclude(status=Enrollment.Status.DROPPED_OUT)
        .exclude(attendances__session=session)
    )


@transaction.atomic
def attendance_mark_all_present(
    *, session, actor, only: Iterable[int] | None = None, tapped_at: datetime.datetime | None = None
) -> int:
    """ "Semua hadir": mark present everyone in the class who has no mark yet at this meeting.

    `only` (enrollment ids) limits it to the people the operator was shown as unmarked when
    confirming; whoever was marked in the meantime keeps that mark. Marks already given (someone
    marked sick before the tap) are kept. Returns how many were marked.
    """
    _lock_markable(session)
    unmarked = attendance_unmarked(session=session)
    if only is not None:
        unmarked = unmarked.filter(pk__in=list(only))
    when = _tap_time(session, tapped_at)
    marks = [
        Attendance(
            enrollment_id=pk,
            session=session,
            status=Attendance.Status.PRESENT,
            marked_by=actor,
            marked_at=when,
        )
        for pk in unmarked.order_by("pk").values_list("pk", flat=True)
    ]
    bulk_create_with_history(marks, Attendance, default_user=actor)
    attendance_summary.refresh(enrollments=[mark.enrollment_id for mark in marks], sessions=[session.pk])
    return len(marks)
