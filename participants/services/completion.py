"""Completion from attendance: the system proposes it, a person confirms it."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from participants import lifecycle
from participants.models import Attendance, Enrollment
from pekalongan_training.signals import records_changed
from programs.models import Session, TrainingPackage


def present_counts(enrollments):
    return enrollments.annotate(present=Count("attendances", filter=Q(attendances__status=Attendance.Status.PRESENT)))


def reached_minimum(enrollment: Enrollment, package: TrainingPackage) -> bool:
    planned = package.sessions.count()
    if planned == 0:
        return False
    present = enrollment.attendances.filter(status=Attendance.Status.PRESENT).count()
    return present >= package.present_needed(planned)


@transaction.atomic
def completion_propose(*, package: TrainingPackage) -> int:
    """Propose completion for every enrolled person whose attendance reached the package's minimum.

    The minimum is `min_attendance_percent` of the planned meetings (all the package's meetings,
    held or not). Proposals that no longer hold (a mark was changed) are withdrawn. Returns how
    many enrollments are proposed now.
    """
    package = TrainingPackage.objects.select_for_update().get(pk=package.pk)
    if package.is_closed:
        raise ValidationError(
            _("Package %(code)s is closed; completion is no longer proposed.") % {"code": package.code}
        )
    planned = package.sessions.count()
    enrolled = Enrollment.objects.filter(package=package, status=Enrollment.Status.ENROLLED)
    if planned == 0:
        enrolled.update(completion_proposed_at=None)
        return 0
    reaching_ids = list(
        present_counts(enrolled).filter(present__gte=package.present_needed(planned)).values_list("pk", flat=True)
    )
    enrolled.exclude(pk__in=reaching_ids).update(completion_proposed_at=None)
    enrolled.filter(pk__in=reaching_ids, completion_proposed_at__isnull=True).update(
        completion_proposed_at=timezone.now()
    )
    return len(reaching_ids)


def can_confirm_completion(user, package: TrainingPackage) -> bool:
    """Dinas staff confirm completions; a provider's operators too where the package allows it (the lifecycle)."""
    return lifecycle.may(Enrollment.Status.ENROLLED, Enrollment.Status.COMPLETED, lifecycle.role_of(user, package))


@transaction.atomic
def completion_confirm(*, enrollments, actor) -> tuple[int, int]:
    """A person confirms proposed completions: those become completed on the package's last day.

    Confirmed: enrollments with a proposal, in a package whose last day has come and that is not
    closed (completing after the close needs a reason: one by one, in the admin), whose attendance
    still reaches the minimum now (a mark may have changed since the proposal). The others are
    skipped. Returns (confirmed, skipped). Who may confirm: see can_confirm_completion.
    """
    today = timezone.localdate()
    ids = [enrollment.pk for enrollment in enrollments]
    for package in TrainingPackage.objects.filter(enrollments__in=ids).distinct().select_related("provider"):
        if actor is None or not can_confirm_completion(actor, package):
            raise ValidationError(
                _("Only dinas staff may confirm completions in package %(code)s.") % {"code": package.code}
            )
    locked = Enrollment.objects.select_for_update().filter(pk__in=ids).completion_proposed()
    candidates = list(
        present_counts(Enrollment.objects.filter(pk__in=list(locked.values_list("pk", flat=True)))).select_related(
            "package__provider"
        )
    )
    planned = dict(
        Session.objects.filter(package__in={enrollment.package_id for enrollment in candidates})
        .values("package")
        .annotate(n=Count("pk"))
        .values_list("package", "n")
    )
    confirmed, roles = [], {}
    for enrollment in candidates:
        package = enrollment.package
        if package.pk not in roles:
            roles[package.pk] = lifecycle.role_of(actor, package)
        meetings = planned.get(package.pk, 0)
        allowed = not lifecycle.errors(
            source=enrollment.status,
            target=Enrollment.Status.COMPLETED,
            role=roles[package.pk],
            when=lifecycle.timing(package, today),
        )
        if allowed and meetings and enrollment.present >= package.present_needed(meetings):
            lifecycle.apply(enrollment, Enrollment.Status.COMPLETED, actor=actor, today=today)
            confirmed.append(enrollment)
    bulk_update_with_history(
        confirmed,
        Enrollment,
        ["status", "completed_on", "completion_confirmed_by", "waitlisted_at"],
        default_user=actor,
    )
    records_changed.send(sender=Enrollment)
    return len(confirmed), len(ids) - len(confirmed)
