"""What providers record in class: attendance marks and end-of-training results (the assessment,
the training certificate number, the LSP competency test and the LSP's certificate)."""

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


# A tap reaches the server seconds after it is made (the page gives up after 15 seconds). A phone's
# word on when a tap was made is believed within ten minutes: enough to put late arrivals in order,
# too little to pass a late register off as marked on time.
TAP_TIME_TRUST = datetime.timedelta(minutes=10)


def _tap_time(session, tapped_at: datetime.datetime | None) -> datetime.datetime:
    """When a tap was made, as the page says, kept between the meeting's day, ten minutes ago and now."""
    now = timezone.now()
    if tapped_at is None:
        return now
    day_start = timezone.make_aware(datetime.datetime.combine(session.date, datetime.time.min))
    return min(now, max(tapped_at, now - TAP_TIME_TRUST, day_start))


@transaction.atomic
def attendance_record(
    *,
    session,
    enrollment: Enrollment,
    status: str,
    remark: str = "",
    actor,
    tapped_at: datetime.datetime | None = None,
) -> Attendance:
    """Mark one person at one meeting (H/I/S/A), or change their mark in place.

    `tapped_at` is when the tap was made (the server's clock, as the page reckons it). The last tap
    wins: a tap older than the stored mark (sent before a later one but arriving after it, or a
    second phone's) changes nothing and the stored mark is returned; the caller compares. Refused,
    writing nothing: a status that is not H/I/S/A, a person of another package or without a seat, a
    meeting in the future, a closed package. Every change is kept in the mark's history.
    """
    if status not in Attendance.Status.values:
        raise ValidationError({"status": [_("Choose H, I, S or A.")]})
    enrollment = _lock_markable(session, enrollment)
    remark = remark.strip()[: Attendance._meta.get_field("remark").max_length]
    when = _tap_time(session, tapped_at)
    attendance = Attendance.objects.filter(enrollment=enrollment, session=session).first()
    if attendance is not None and (
        attendance.marked_at > when or (attendance.status, attendance.remark) == (status, remark)
    ):
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
