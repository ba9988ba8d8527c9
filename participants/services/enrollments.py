"""Putting people in packages and taking them out: seats, the waitlist, the entry rules."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from participants.eligibility import eligibility_failures
from participants.models import Enrollment, Participant
from participants.services.completion import reached_minimum
from pekalongan_training.roles import is_dinas_staff
from programs.models import TrainingPackage

# Statuses a new enrollment may start in. Completed and dropped-out come later, through the
# attendance rule (completion_confirm, enrollment_change_status), never at creation.
CREATE_STATUSES = (
    Enrollment.Status.APPLIED,
    Enrollment.Status.ENROLLED,
    Enrollment.Status.WAITLISTED,
    Enrollment.Status.REJECTED,
)


def enrollment_rule_errors(
    *,
    participant: Participant,
    package: TrainingPackage,
    status: str,
    override_reason: str = "",
    enrollment: Enrollment | None = None,
) -> dict[str, list[str]]:
    """What stops this person from holding this status in this package, by form field.

    Used by forms for messages next to the fields and, under locks, by the services below.
    `enrollment` is the existing row when a status is being changed; `override_reason` is a reason
    given now. A reason stored earlier still covers the yearly rule when a seat is taken back, but
    completing below the attendance minimum needs a reason of its own.
    """
    errors: dict[str, list[str]] = {}
    takes_seat = status in Enrollment.SEAT_STATUSES
    held_seat = enrollment is not None and enrollment.status in Enrollment.SEAT_STATUSES
    if enrollment is None and status not in CREATE_STATUSES:
        errors.setdefault("status", []).append(
            _("A new enrollment starts as applied or enrolled; completion comes from attendance.")
        )
    if package.is_closed and (enrollment is None or (takes_seat and not held_seat)):
        errors.setdefault("package", []).append(
            _("Package %(code)s is completed or cancelled; nobody can be added to it.") % {"code": package.code}
        )
    same_package = Enrollment.objects.filter(participant=participant, package=package)
    if enrollment is not None:
        same_package = same_package.exclude(pk=enrollment.pk)
    if same_package.exists():
        errors.setdefault("participant", []).append(
            _("%(name)s is already in package %(code)s.") % {"name": participant.full_name, "code": package.code}
        )
    if takes_seat and not held_seat and seats_left(package) <= 0:
        errors.setdefault("status", []).append(
            _("Package %(code)s is full: all %(quota)s seats are taken.")
            % {"code": package.code, "quota": package.quota}
        )
    if (takes_seat and not held_seat) or status == Enrollment.Status.WAITLISTED:
        # The program's entry rules (age, domicile, one training a year, not in school).
        failures = eligibility_failures(participant, package)
        stored_reason = enrollment.override_reason if enrollment is not None else ""
        if failures and not (override_reason.strip() or stored_reason):
            errors.setdefault("override_reason", []).extend(
                [
                    *(f"{participant.full_name}: {failure.reason}" for failure in failures),
                    _("Write the reason to enroll them anyway."),
                ]
            )
    if status == Enrollment.Status.COMPLETED and enrollment is not None and not held_seat:
        errors.setdefault("status", []).append(_("Only someone who was in the class can complete it."))
    elif (
        status == Enrollment.Status.COMPLETED
        and enrollment is not None
        and enrollment.status != Enrollment.Status.COMPLETED
        and not reached_minimum(enrollment, package)
        and not override_reason.strip()
    ):
        errors.setdefault("override_reason", []).append(
            _(
                "Attendance is below the package's minimum of %(percent)s%% of the meetings. "
                "Write the reason to complete this person anyway."
            )
            % {"percent": package.min_attendance_percent}
        )
    return errors


def _check_override_allowed(*, override_reason: str, actor) -> None:
    if override_reason.strip() and not (actor is not None and is_dinas_staff(actor)):
        raise ValidationError({"override_reason": [_("Only dinas staff may override an enrollment rule.")]})


def _lock(participant_pk: int, package_pk: int) -> tuple[Participant, TrainingPackage]:
    """Lock the person, then the package (always in this order, so two requests never deadlock).

    The person's row serializes the one-training-a-year rule across packages; the package's row
    serializes the seat count. On SQLite (no row locks) the database-wide write lock does it.
    """
    participant = Participant.objects.select_for_update().get(pk=participant_pk)
    package = TrainingPackage.objects.select_for_update().select_related("cohort__program").get(pk=package_pk)
    return participant, package


@transaction.atomic
def enrollment_create(
    *,
    participant: Participant,
    package: TrainingPackage,
    status: str = Enrollment.Status.ENROLLED,
    override_reason: str = "",
    actor=None,
    waitlist_if_full: bool = False,
    source: str = Enrollment.Source.STAFF,
) -> Enrollment:
    """Put a person in a package (applied, enrolled, waitlisted or rejected).

    The quota is a hard limit, also for requests racing each other, and so are the program's entry
    rules. With waitlist_if_full, a person who would be enrolled into a full package goes on its
    waitlist instead.
    """
    _check_override_allowed(override_reason=override_reason, actor=actor)
    participant, package = _lock(participant.pk, package.pk)
    if waitlist_if_full and status == Enrollment.Status.ENROLLED and seats_left(package) <= 0:
        status = Enrollment.Status.WAITLISTED
    errors = enrollment_rule_errors(
        participant=participant, package=package, status=status, override_reason=override_reason
    )
    if errors:
        raise ValidationError(errors)
    return Enrollment.objects.create(
        participant=participant,
        package=package,
        status=status,
        enrolled_on=timezone.localdate() if status in Enrollment.SEAT_STATUSES else None,
        waitlisted_at=timezone.now() if status == Enrollment.Status.WAITLISTED else None,
        override_reason=override_reason.strip(),
        created_by=actor,
        source=source,
    )


def seats_left(package: TrainingPackage) -> int:
    """The quota less the seats held (enrolled, completed, dropped out)."""
    return package.quota - Enrollment.objects.filter(package=package).holding_seats().count()


@transaction.atomic
def enrollment_change_status(
    *, enrollment: Enrollment, status: str, override_reason: str = "", actor=None
) -> Enrollment:
    """Move an enrollment to another status, with the same seat and yearly rules as enrolling.

    Completing goes through the attendance rule: a person is completed only once attendance
    reached the package's minimum (see completion_propose), or with a written override.
    """
    _check_override_allowed(override_reason=override_reason, actor=actor)
    participant, package = _lock(enrollment.participant_id, enrollment.package_id)
    enrollment = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
    if status == enrollment.status:
        return enrollment
    errors = enrollment_rule_errors(
        participant=participant,
        package=package,
        status=status,
        override_reason=override_reason,
        enrollment=enrollment,
    )
    if errors:
        raise ValidationError(errors)
    today = timezone.localdate()
    enrollment.status = status
    enrollment.waitlisted_at = (
        (enrollment.waitlisted_at or timezone.now()) if status == Enrollment.Status.WAITLISTED else None
    )
    if status in Enrollment.SEAT_STATUSES and enrollment.enrolled_on is None:
        enrollment.enrolled_on = today
    if status == Enrollment.Status.COMPLETED:
        enrollment.completed_on = min(today, package.ends_on)
        enrollment.completion_confirmed_by = actor
    else:
        enrollment.completed_on = None
        enrollment.completion_confirmed_by = None
    if override_reason.strip():
        enrollment.override_reason = override_reason.strip()
    enrollment.save()
    return enrollment


@transaction.atomic
def applicant_accept(*, enrollment: Enrollment, actor, override_reason: str = "") -> Enrollment:
    """Staff accept an applicant: a seat if one is left, else the waitlist. Entry rules apply.

    The override reason is kept only for a person who fails a rule (a bulk accept gives one reason
    for everyone ticked).
    """
    participant, package = _lock(enrollment.participant_id, enrollment.package_id)
    enrollment = Enrollment.objects.get(pk=enrollment.pk)
    if enrollment.status != Enrollment.Status.APPLIED:
        raise ValidationError(_("Only an applicant can be accepted."))
    if not eligibility_failures(participant, package):
        override_reason = ""
    status = Enrollment.Status.ENROLLED if seats_left(package) > 0 else Enrollment.Status.WAITLISTED
    return enrollment_change_status(enrollment=enrollment, status=status, override_reason=override_reason, actor=actor)


@transaction.atomic
def applicant_reject(*, enrollment: Enrollment, reason: str, actor) -> Enrollment:
    """Staff turn an applicant (or someone on the waitlist) down, with the reason they are told."""
    enrollment = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
    if enrollment.status not in (Enrollment.Status.APPLIED, Enrollment.Status.WAITLISTED):
        raise ValidationError(_("Only an applicant or someone on the waitlist can be rejected."))
    if not reason.strip():
        raise ValidationError({"reason": [_("Write the reason; the person is told why.")]})
    enrollment.status = Enrollment.Status.REJECTED
    enrollment.waitlisted_at = None
    enrollment.decision_reason = reason.strip()
    enrollment.save(update_fields=["status", "waitlisted_at", "decision_reason"])
    return enrollment


@transaction.atomic
def enrollment_withdraw(*, enrollment: Enrollment, reason: str, actor) -> Enrollment | None:
    """Someone withdraws before the package starts; the first on the waitlist moves up to their seat.

    Returns the enrollment that moved up, if any. After the start, leaving is a drop-out
    (enrollment_change_status), and the seat stays taken.
    """
    package = TrainingPackage.objects.select_for_update().get(pk=enrollment.package_id)
    enrollment = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
    if enrollment.status not in (Enrollment.Status.ENROLLED, Enrollment.Status.WAITLISTED, Enrollment.Status.APPLIED):
        raise ValidationError(_("Only someone enrolled, waiting or applying can withdraw."))
    if enrollment.status == Enrollment.Status.ENROLLED and package.starts_on <= timezone.localdate():
        raise ValidationError(_("The training has started; someone who leaves now is recorded as dropped out."))
    held_seat = enrollment.status == Enrollment.Status.ENROLLED
    enrollment.status = Enrollment.Status.WITHDRAWN
    enrollment.waitlisted_at = None
    enrollment.decision_reason = reason.strip()
    enrollment.save(update_fields=["status", "waitlisted_at", "decision_reason"])
    if not held_seat:
        return None
    today = timezone.localdate()
    for waiting in (
        Enrollment.objects.select_for_update().filter(package=package).waitlist().select_related("participant")
    ):
        # Still eligible now? (They may have been enrolled elsewhere this year since they joined the waitlist.)
        if eligibility_failures(waiting.participant, package) and not waiting.override_reason:
            continue
        waiting.status = Enrollment.Status.ENROLLED
        waiting.enrolled_on = today
        waiting.waitlisted_at = None
        waiting.decision_reason = _("Moved up from the waitlist on %(date)s, to the seat of %(name)s.") % {
            "date": date_format(today),
            "name": enrollment.participant.full_name,
        }
        waiting.save(update_fields=["status", "enrolled_on", "waitlisted_at", "decision_reason"])
        return waiting
    return None
