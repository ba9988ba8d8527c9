"""Putting people in packages and taking them out: seats, the waitlist, the entry rules.

Every status written here goes through the lifecycle (participants/lifecycle.py).

Overrides are per rule: a reason staff write for failed rules is kept with the codes of the rules
failing when it was written (`Enrollment.overridden_rules`, kept in the history with the reason).
Later, that reason covers those rules only; a rule failing that it does not name needs a new
reason. Rows from before the codes were kept (a reason, no codes) are covered for every rule.
Completing below the attendance minimum is a rule of its own ("attendance_minimum") and always
needs a reason written then.
"""

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from participants import lifecycle
from participants.eligibility import Failure, eligibility_failures
from participants.lifecycle import Role, Timing
from participants.models import Enrollment, Participant
from participants.services.completion import reached_minimum
from pekalongan_training.roles import is_dinas_staff
from programs.models import TrainingPackage

# Statuses a new enrollment may start in (the lifecycle's transitions from "new").
CREATE_STATUSES = tuple(
    status for status in Enrollment.Status.values if lifecycle.targets(None, Role.STAFF, Timing.BEFORE)
)


@dataclass
class StatusChange:
    """What a status change did: the enrollment as saved, who moved up to a freed seat, what staff should know."""

    enrollment: Enrollment
    promoted: Enrollment | None = None
    notices: list[str] = field(default_factory=list)


# The code kept in overridden_rules for a completion below the attendance minimum.
ATTENDANCE_MINIMUM = "attendance_minimum"


def covered_rules(enrollment: Enrollment | None) -> set[str] | None:
    """The rules the reason on record covers: its codes; None (every rule) for an older row with a reason
    but no codes; an empty set without a reason."""
    if enrollment is None or not enrollment.override_reason:
        return set()
    if not enrollment.overridden_rules:
        return None
    return {str(code) for code in enrollment.overridden_rules}


def uncovered_failures(failures: list[Failure], enrollment: Enrollment | None) -> list[Failure]:
    """The failed rules the reason on record does not cover: these need a reason written now."""
    covered = covered_rules(enrollment)
    if covered is None:
        return []
    return [failure for failure in failures if failure.rule not in covered]


def _override_codes(
    *, participant: Participant, package: TrainingPackage, status: str, enrollment: Enrollment | None
) -> list[str]:
    """The rules a reason written now for this change is for: the entry rules failing now (when the change
    checks them) and the attendance minimum (when completing below it)."""
    source = enrollment.status if enrollment is not None else None
    codes = []
    if _checks_entry_rules(source, status):
        codes += [failure.rule for failure in eligibility_failures(participant, package)]
    if (
        status == Enrollment.Status.COMPLETED
        and source == Enrollment.Status.ENROLLED
        and not reached_minimum(enrollment, package)
    ):
        codes.append(ATTENDANCE_MINIMUM)
    return list(dict.fromkeys(codes))


def _checks_entry_rules(source: str | None, status: str) -> bool:
    """Taking a seat not held before, or going on the waitlist: the entry rules apply."""
    takes_seat = status in Enrollment.SEAT_STATUSES
    return (takes_seat and source not in Enrollment.SEAT_STATUSES) or status == Enrollment.Status.WAITLISTED


def _role(actor, package: TrainingPackage) -> Role | None:
    """The actor's role on this package; no actor is a management command or a test, acting as dinas staff."""
    return Role.STAFF if actor is None else lifecycle.role_of(actor, package)


def enrollment_rule_errors(
    *,
    participant: Participant,
    package: TrainingPackage,
    status: str,
    override_reason: str = "",
    enrollment: Enrollment | None = None,
    role: Role | None = Role.STAFF,
    reason: str = "",
    today: datetime.date | None = None,
) -> dict[str, list[str]]:
    """What stops this person from holding this status in this package, by form field.

    First the lifecycle (may this role make this change now, with this reason?), then the seats,
    the entry rules and the completion rule. Used by forms for messages next to the fields and,
    under locks, by the services below. `enrollment` is the existing row when a status is being
    changed; `override_reason` is a reason given now for failed entry rules. A reason stored
    earlier still covers the rules it was written for (`covered_rules`) when a seat is taken
    back; any other failed rule, and completing below the attendance minimum, needs a reason
    written now.
    """
    errors: dict[str, list[str]] = {}
    source = enrollment.status if enrollment is not None else None
    when = lifecycle.timing(package, today)
    if source is None and when == Timing.CLOSED:
        errors.setdefault("package", []).append(
            _("Package %(code)s is completed or cancelled; nobody can be added to it.") % {"code": package.code}
        )
        return errors
    errors.update(lifecycle.errors(source=source, target=status, role=role, when=when, reason=reason))
    if errors.get("status"):
        return errors
    takes_seat = status in Enrollment.SEAT_STATUSES
    held_seat = source in Enrollment.SEAT_STATUSES
    if (
        (takes_seat or status == Enrollment.Status.WAITLISTED)
        and enrollment is not None
        and enrollment.identity_to_verify
    ):
        # Registered online with a NIK on record under another name or birth date: maybe not this person.
        errors.setdefault("status", []).append(
            _(
                "The name or birth date typed online differs from the record: verify that it is the same person "
                "(“Verified: same person”) or reject the application before accepting it."
            )
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
    if _checks_entry_rules(source, status):
        # The package's entry rules (participants/eligibility.py), each covered by a reason or not.
        failures = uncovered_failures(eligibility_failures(participant, package), enrollment)
        if failures and not override_reason.strip():
            messages = [f"{participant.full_name}: {failure.reason}" for failure in failures]
            if covered_rules(enrollment):
                messages.append(
                    _("The override reason on record was written for other rules; write a reason for these too.")
                )
            else:
                messages.append(_("Write the reason to enroll them anyway."))
            errors.setdefault("override_reason", []).extend(messages)
    if (
        status == Enrollment.Status.COMPLETED
        and source == Enrollment.Status.ENROLLED
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
    package = (
        TrainingPackage.objects.select_for_update(of=("self",)).select_related("cohort__program").get(pk=package_pk)
    )
    return participant, package


@transaction.atomic
def enrollment_create(
    *,
    participant: Participant,
    package: TrainingPackage,
    status: str = Enrollment.Status.ENROLLED,
    override_reason: str = "",
    reason: str = "",
    actor=None,
    waitlist_if_full: bool = False,
    source: str = Enrollment.Source.STAFF,
) -> Enrollment:
    """Put a person in a package (applied, enrolled, waitlisted or rejected), as the lifecycle allows.

    The quota is a hard limit, also for requests racing each other, and so are the program's entry
    rules. With waitlist_if_full, a person who would be enrolled into a full package goes on its
    waitlist instead.
    """
    _check_override_allowed(override_reason=override_reason, actor=actor)
    participant, package = _lock(participant.pk, package.pk)
    if waitlist_if_full and status == Enrollment.Status.ENROLLED and seats_left(package) <= 0:
        status = Enrollment.Status.WAITLISTED
    errors = enrollment_rule_errors(
        participant=participant,
        package=package,
        status=status,
        override_reason=override_reason,
        role=_role(actor, package),
        reason=reason,
    )
    if errors:
        raise ValidationError(errors)
    enrollment = Enrollment(participant=participant, package=package, created_by=actor, source=source)
    if override_reason.strip():
        _record_override(
            enrollment,
            override_reason,
            _override_codes(participant=participant, package=package, status=status, enrollment=None),
        )
    lifecycle.apply(enrollment, status, actor=actor, reason=reason, today=timezone.localdate())
    enrollment.save()
    return enrollment


def _record_override(enrollment: Enrollment, override_reason: str, codes: list[str]) -> None:
    """Keep a reason written now with the rules it is for; a reason for no failed rule is not kept
    (it would read as covering every rule, as the rows from before the codes do)."""
    if codes:
        enrollment.override_reason = override_reason.strip()
        enrollment.overridden_rules = codes


def override_reason_errors(*, enrollment: Enrollment, override_reason: str) -> dict[str, list[str]]:
    """What stops staff from writing this override reason on an enrollment whose status stays:
    a reason when no rule fails and none was written before (there is nothing to override)."""
    if (
        override_reason.strip()
        and not enrollment.override_reason
        and not eligibility_failures(enrollment.participant, enrollment.package)
    ):
        return {"override_reason": [_("No rule fails for this person: there is nothing to override.")]}
    return {}


@transaction.atomic
def enrollment_override_reason_set(*, enrollment: Enrollment, override_reason: str, actor) -> Enrollment:
    """Dinas staff write or correct the override reason of an enrollment without changing its status.

    The reason is kept with the entry rules this person fails now; when none fails now (a reason
    corrected), with the rules the earlier reason was for. An empty reason clears both. The
    history keeps what was there before.
    """
    if not (actor is not None and is_dinas_staff(actor)):
        raise ValidationError({"override_reason": [_("Only dinas staff may override an enrollment rule.")]})
    participant, package = _lock(enrollment.participant_id, enrollment.package_id)
    enrollment = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
    enrollment.package, enrollment.participant = package, participant
    if errors := override_reason_errors(enrollment=enrollment, override_reason=override_reason):
        raise ValidationError(errors)
    reason = override_reason.strip()
    if not reason:
        enrollment.override_reason, enrollment.overridden_rules = "", []
    else:
        codes = [failure.rule for failure in eligibility_failures(participant, package)]
        enrollment.override_reason = reason
        enrollment.overridden_rules = codes or list(enrollment.overridden_rules)
    enrollment._history_user = actor
    enrollment.save(update_fields=["override_reason", "overridden_rules"])
    return enrollment


def seats_left(package: TrainingPackage) -> int:
    """The quota less the seats held (enrolled, completed, dropped out)."""
    return package.quota - Enrollment.objects.filter(package=package).holding_seats().count()


@transaction.atomic
def enrollment_change_status(
    *, enrollment: Enrollment, status: str, override_reason: str = "", reason: str = "", actor=None, role=None
) -> StatusChange:
    """Move an enrollment to another status: the one way every status change is written.

    The lifecycle decides whether this role may make this change now and whether it needs a
    reason; then the seat, entry and completion rules of enrolling apply. What follows is done in
    the same transaction: the waitlist moves up to a seat freed before the start; staff are told
    when follow-ups stop counting.
    """
    _check_override_allowed(override_reason=override_reason, actor=actor)
    participant, package = _lock(enrollment.participant_id, enrollment.package_id)
    enrollment = Enrollment.objects.select_for_update(of=("self",)).select_related("participant").get(pk=enrollment.pk)
    enrollment.package = package
    source = enrollment.status
    if status == source:
        return StatusChange(enrollment)
    errors = enrollment_rule_errors(
        participant=participant,
        package=package,
        status=status,
        override_reason=override_reason,
        enrollment=enrollment,
        role=role or _role(actor, package),
        reason=reason,
    )
    if errors:
        raise ValidationError(errors)
    today = timezone.localdate()
    if override_reason.strip():
        codes = _override_codes(participant=participant, package=package, status=status, enrollment=enrollment)
        _record_override(enrollment, override_reason, codes)
    lifecycle.apply(enrollment, status, actor=actor, reason=reason, today=today)
    enrollment._history_user = actor
    enrollment.save()
    change = StatusChange(enrollment)
    if source == Enrollment.Status.ENROLLED and status == Enrollment.Status.WITHDRAWN:
        change.promoted = _promote_from_waitlist(package, freed_by=enrollment, today=today)
    if source == Enrollment.Status.COMPLETED:
        answers = enrollment.outcomes.count()
        if answers:
            change.notices.append(
                ngettext(
                    "%(count)s follow-up answer of %(name)s no longer counts in the figures.",
                    "%(count)s follow-up answers of %(name)s no longer count in the figures.",
                    answers,
                )
                % {"count": answers, "name": participant.full_name}
            )
    return change


def _promote_from_waitlist(package: TrainingPackage, *, freed_by: Enrollment, today) -> Enrollment | None:
    """The first on the waitlist who still meets the entry rules takes the freed seat (the package is locked)."""
    for waiting in (
        Enrollment.objects.select_for_update(of=("self",))
        .filter(package=package)
        .waitlist()
        .select_related("participant")
    ):
        # Still eligible now? (They may have been enrolled elsewhere this year since they joined the waitlist.)
        # A rule their reason does not cover keeps them waiting: staff decide with a new reason.
        if uncovered_failures(eligibility_failures(waiting.participant, package), waiting):
            continue
        lifecycle.check(
            source=waiting.status, target=Enrollment.Status.ENROLLED, role=Role.SYSTEM, when=lifecycle.timing(package)
        )
        waiting.package = package
        note = _("Moved up from the waitlist on %(date)s, to the seat of %(name)s.") % {
            "date": date_format(today),
            "name": freed_by.participant.full_name,
        }
        lifecycle.apply(waiting, Enrollment.Status.ENROLLED, actor=None, reason=note, today=today)
        waiting.save()
        return waiting
    return None


@transaction.atomic
def applicant_accept(*, enrollment: Enrollment, actor, override_reason: str = "") -> Enrollment:
    """Staff accept an applicant: a seat if one is left, else the waitlist. Entry rules apply.

    Refused while the applicant's identity is still to verify (enrollment_rule_errors).

    The override reason is kept only for a person who fails a rule not yet covered (a bulk accept
    gives one reason for everyone ticked).
    """
    participant, package = _lock(enrollment.participant_id, enrollment.package_id)
    if not uncovered_failures(eligibility_failures(participant, package), enrollment):
        override_reason = ""
    status = Enrollment.Status.ENROLLED if seats_left(package) > 0 else Enrollment.Status.WAITLISTED
    change = enrollment_change_status(
        enrollment=enrollment, status=status, override_reason=override_reason, actor=actor
    )
    return change.enrollment


def applicant_reject(*, enrollment: Enrollment, reason: str, actor) -> Enrollment:
    """Staff turn an applicant (or someone on the waitlist) down, with the reason they are told."""
    change = enrollment_change_status(
        enrollment=enrollment, status=Enrollment.Status.REJECTED, reason=reason, actor=actor
    )
    return change.enrollment


def enrollment_withdraw(*, enrollment: Enrollment, reason: str, actor) -> Enrollment | None:
    """Someone withdraws (a seat only before the package starts); returns who moved up to the freed seat.

    After the start, leaving is a drop-out, and the seat stays taken.
    """
    change = enrollment_change_status(
        enrollment=enrollment, status=Enrollment.Status.WITHDRAWN, reason=reason, actor=actor
    )
    return change.promoted
