"""Writes with rules for enrollments: seats, the one-training-a-year rule, completion.

Every function here is atomic and raises a translated ValidationError (with field names where a
form can show it next to a field) and writes nothing when a rule says no.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from participants.models import Attendance, Enrollment, Participant
from programs.models import TrainingPackage

CLOSED_PACKAGE_STATUSES = (TrainingPackage.Status.CANCELLED, TrainingPackage.Status.COMPLETED)


def enrollment_rule_errors(
    *,
    participant: Participant,
    package: TrainingPackage,
    status: str,
    override_reason: str = "",
    enrollment: Enrollment | None = None,
) -> dict[str, list[str]]:
    """What stops this person from holding this status in this package, by form field.

    Used by forms for messages next to the fields and, under a lock, by the services below.
    `enrollment` is the existing row when a status is being changed.
    """
    errors: dict[str, list[str]] = {}
    if enrollment is None and package.status in CLOSED_PACKAGE_STATUSES:
        errors.setdefault("package", []).append(
            _("Package %(code)s is %(status)s; nobody can be added to it.")
            % {"code": package.code, "status": package.get_status_display().lower()}
        )
    same_package = Enrollment.objects.filter(participant=participant, package=package)
    if enrollment is not None:
        same_package = same_package.exclude(pk=enrollment.pk)
    if same_package.exists():
        errors.setdefault("participant", []).append(
            _("%(name)s is already in package %(code)s.") % {"name": participant.full_name, "code": package.code}
        )
    takes_seat = status in Enrollment.SEAT_STATUSES
    held_seat = enrollment is not None and enrollment.status in Enrollment.SEAT_STATUSES
    if takes_seat and not held_seat:
        used = Enrollment.objects.filter(package=package).holding_seats().count()
        if used >= package.quota:
            errors.setdefault("status", []).append(
                _("Package %(code)s is full: all %(quota)s seats are taken.")
                % {"code": package.code, "quota": package.quota}
            )
    if status not in (Enrollment.Status.REJECTED,):
        same_year = (
            Enrollment.objects.filter(
                participant=participant,
                package__cohort__program__fiscal_year=package.cohort.program.fiscal_year,
            )
            .exclude(package=package)
            .exclude(status=Enrollment.Status.REJECTED)
            .select_related("package")
            .first()
        )
        if same_year is not None and not override_reason.strip():
            errors.setdefault("override_reason", []).append(
                _(
                    "%(name)s is already in package %(code)s in %(year)s. One training a year is the rule; "
                    "write the reason to enroll them anyway."
                )
                % {
                    "name": participant.full_name,
                    "code": same_year.package.code,
                    "year": package.cohort.program.fiscal_year,
                }
            )
    return errors


def _check_override_allowed(*, override_reason: str, actor) -> None:
    if override_reason.strip() and not (actor is not None and actor.is_staff):
        raise ValidationError({"override_reason": [_("Only dinas staff may override an enrollment rule.")]})


@transaction.atomic
def enrollment_create(
    *,
    participant: Participant,
    package: TrainingPackage,
    status: str = Enrollment.Status.ENROLLED,
    override_reason: str = "",
    actor=None,
) -> Enrollment:
    """Put a person in a package. The quota is a hard limit, also for requests racing each other.

    The package row is locked (SELECT ... FOR UPDATE on PostgreSQL) before the seats are counted,
    so two requests for the last seat are served one after the other.
    """
    _check_override_allowed(override_reason=override_reason, actor=actor)
    package = TrainingPackage.objects.select_for_update().select_related("cohort__program").get(pk=package.pk)
    errors = enrollment_rule_errors(
        participant=participant, package=package, status=status, override_reason=override_reason
    )
    if errors:
        raise ValidationError(errors)
    today = timezone.localdate()
    return Enrollment.objects.create(
        participant=participant,
        package=package,
        status=status,
        enrolled_on=today if status in Enrollment.SEAT_STATUSES else None,
        completed_on=today if status == Enrollment.Status.COMPLETED else None,
        override_reason=override_reason.strip(),
        created_by=actor,
    )


@transaction.atomic
def enrollment_change_status(
    *, enrollment: Enrollment, status: str, override_reason: str = "", actor=None
) -> Enrollment:
    """Move an enrollment to another status, with the same seat and yearly rules as enrolling.

    Completing goes through the attendance rule: a person is completed only once attendance
    reached the package's minimum (see completion_propose), or with a written override.
    """
    _check_override_allowed(override_reason=override_reason, actor=actor)
    package = (
        TrainingPackage.objects.select_for_update().select_related("cohort__program").get(pk=enrollment.package_id)
    )
    enrollment = Enrollment.objects.select_for_update().select_related("participant").get(pk=enrollment.pk)
    if status == enrollment.status:
        return enrollment
    reason = override_reason.strip() or enrollment.override_reason
    errors = enrollment_rule_errors(
        participant=enrollment.participant,
        package=package,
        status=status,
        override_reason=reason,
        enrollment=enrollment,
    )
    if (
        status == Enrollment.Status.COMPLETED
        and not _reached_minimum(enrollment, package)
        and not override_reason.strip()
    ):
        errors.setdefault("override_reason", []).append(
            _(
                "Attendance is below the package's minimum of %(percent)s%% of the meetings. "
                "Write the reason to complete this person anyway."
            )
            % {"percent": package.min_attendance_percent}
        )
    if errors:
        raise ValidationError(errors)
    today = timezone.localdate()
    enrollment.status = status
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


def _present_threshold(package: TrainingPackage, planned: int) -> int:
    """The smallest number of present marks that reaches min_attendance_percent of `planned` meetings."""
    return -(-package.min_attendance_percent * planned // 100)


def _reached_minimum(enrollment: Enrollment, package: TrainingPackage) -> bool:
    planned = package.sessions.count()
    if planned == 0:
        return False
    present = enrollment.attendances.filter(status=Attendance.Status.PRESENT).count()
    return present >= _present_threshold(package, planned)


@transaction.atomic
def completion_propose(*, package: TrainingPackage) -> int:
    """Propose completion for every enrolled person whose attendance reached the package's minimum.

    The minimum is `min_attendance_percent` of the planned meetings (all the package's meetings,
    held or not). Proposals that no longer hold (a mark was changed) are withdrawn. Returns how
    many enrollments are proposed now.
    """
    package = TrainingPackage.objects.select_for_update().get(pk=package.pk)
    planned = package.sessions.count()
    enrolled = Enrollment.objects.filter(package=package, status=Enrollment.Status.ENROLLED)
    if planned == 0:
        enrolled.update(completion_proposed_at=None)
        return 0
    reaching = enrolled.annotate(
        present=Count("attendances", filter=Q(attendances__status=Attendance.Status.PRESENT))
    ).filter(present__gte=_present_threshold(package, planned))
    reaching_ids = list(reaching.values_list("pk", flat=True))
    enrolled.exclude(pk__in=reaching_ids).update(completion_proposed_at=None)
    enrolled.filter(pk__in=reaching_ids, completion_proposed_at__isnull=True).update(
        completion_proposed_at=timezone.now()
    )
    return len(reaching_ids)


@transaction.atomic
def completion_confirm(*, enrollments, actor) -> tuple[int, int]:
    """A person confirms proposed completions: those become completed on the package's last day.

    Only enrollments with a standing proposal in a package that has ended are confirmed; the
    others are skipped. Returns (confirmed, skipped).
    """
    if actor is None or not actor.is_staff:
        raise ValidationError(_("Only dinas staff may confirm completions."))
    today = timezone.localdate()
    ids = [enrollment.pk for enrollment in enrollments]
    candidates = list(
        Enrollment.objects.select_for_update()
        .filter(pk__in=ids)
        .completion_proposed()
        .filter(package__ends_on__lte=today)
        .select_related("package")
    )
    for enrollment in candidates:
        enrollment.status = Enrollment.Status.COMPLETED
        enrollment.completed_on = enrollment.package.ends_on
        enrollment.completion_confirmed_by = actor
    Enrollment.objects.bulk_update(candidates, ["status", "completed_on", "completion_confirmed_by"])
    return len(candidates), len(ids) - len(candidates)
