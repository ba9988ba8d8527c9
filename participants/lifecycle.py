"""The enrollment lifecycle: the one table of status changes, and the one place that writes a status.

An enrollment's status decides seats, waitlists, completion rates and every outcome figure, so it
changes only through this table. Each transition says who may make it (a role), when (the
package's timing), whether it needs a written reason, and what follows (`apply`). The services call
`check` under their locks and `apply` before they save; anything not in the table is refused with a
message saying what is possible instead. The admin's status field offers only what the table allows.

Timing of a package on a day:
- before: the first day has not come;
- running: from the first day until the day before the last;
- ended: from the last day on (completion is confirmed from the last day), until the dinas closes it;
- closed: the package is completed or cancelled. Changes after the close change published figures:
  they need a reason.
"""

import datetime
import enum
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from participants.models import Enrollment
from pekalongan_training.roles import is_dinas_staff
from programs.models import TrainingPackage

Status = Enrollment.Status


class Timing(enum.StrEnum):
    BEFORE = "before"
    RUNNING = "running"
    ENDED = "ended"
    CLOSED = "closed"


class Role(enum.StrEnum):
    STAFF = "staff"  # dinas staff: the admin, intake, import
    OPERATOR = "operator"  # an operator of the package's provider
    TRUSTED_OPERATOR = "trusted_operator"  # ... where the package lets operators confirm completion
    RESIDENT = "resident"  # anyone registering online
    SYSTEM = "system"  # the system itself: waitlist promotion


TIMING_LABELS = {
    Timing.BEFORE: gettext_lazy("before the package starts"),
    Timing.RUNNING: gettext_lazy("while the package runs"),
    Timing.ENDED: gettext_lazy("from the package's last day on"),
    Timing.CLOSED: gettext_lazy("after the package is closed"),
}

OPEN = frozenset({Timing.BEFORE, Timing.RUNNING, Timing.ENDED})
ANY = frozenset(Timing)


@dataclass(frozen=True)
class Transition:
    source: str | None  # None: a new enrollment
    target: str
    roles: frozenset
    timings: frozenset
    reason_always: bool = False  # a written reason is needed whenever
    reason_when_closed: bool = True  # ... and after the close (the figures change after the fact)
    note: str = ""  # what follows, in words (README, the admin's help)


def _t(source, target, roles, timings, **kwargs) -> Transition:
    return Transition(source, target, frozenset(roles), frozenset(timings), **kwargs)


STAFF = {Role.STAFF}

TRANSITIONS = [
    # A new enrollment.
    _t(None, Status.APPLIED, STAFF, OPEN),
    _t(None, Status.APPLIED, {Role.RESIDENT}, {Timing.BEFORE}, note="online registration, in its window"),
    _t(None, Status.ENROLLED, STAFF, OPEN, note="takes a seat; the quota and the entry rules apply"),
    _t(None, Status.WAITLISTED, STAFF, {Timing.BEFORE, Timing.RUNNING}),
    _t(None, Status.REJECTED, STAFF, OPEN, reason_always=True),
    # An applicant.
    _t(Status.APPLIED, Status.ENROLLED, STAFF, OPEN, note="takes a seat; the quota and the entry rules apply"),
    _t(Status.APPLIED, Status.WAITLISTED, STAFF, {Timing.BEFORE, Timing.RUNNING}),
    _t(Status.APPLIED, Status.REJECTED, STAFF, ANY, reason_always=True, note="the person is told the reason"),
    _t(Status.APPLIED, Status.WITHDRAWN, STAFF, ANY, reason_when_closed=False),
    # On the waitlist.
    _t(Status.WAITLISTED, Status.ENROLLED, STAFF, OPEN, note="takes a seat; the quota and the entry rules apply"),
    _t(Status.WAITLISTED, Status.ENROLLED, {Role.SYSTEM}, {Timing.BEFORE}, note="moved up to a freed seat"),
    _t(Status.WAITLISTED, Status.REJECTED, STAFF, ANY, reason_always=True, note="the person is told the reason"),
    _t(Status.WAITLISTED, Status.WITHDRAWN, STAFF, ANY, reason_when_closed=False),
    # In the class.
    _t(Status.ENROLLED, Status.WITHDRAWN, STAFF, {Timing.BEFORE}, note="the seat is freed; the waitlist moves up"),
    _t(Status.ENROLLED, Status.DROPPED_OUT, STAFF, {Timing.RUNNING, Timing.ENDED, Timing.CLOSED}),
    _t(
        Status.ENROLLED,
        Status.COMPLETED,
        {Role.STAFF, Role.TRUSTED_OPERATOR},
        {Timing.ENDED},
        note="by the completion rule: attendance reaches the package's minimum, or a written override",
    ),
    _t(Status.ENROLLED, Status.COMPLETED, STAFF, {Timing.CLOSED}, note="by the completion rule"),
    # After the fact: only dinas staff, always with a reason.
    _t(
        Status.COMPLETED,
        Status.DROPPED_OUT,
        STAFF,
        {Timing.ENDED, Timing.CLOSED},
        reason_always=True,
        note="the person's follow-ups stop counting",
    ),
    _t(
        Status.COMPLETED,
        Status.ENROLLED,
        STAFF,
        {Timing.ENDED, Timing.CLOSED},
        reason_always=True,
        note="the completion is undone; the person's follow-ups stop counting",
    ),
    _t(Status.DROPPED_OUT, Status.ENROLLED, STAFF, {Timing.RUNNING, Timing.ENDED, Timing.CLOSED}, reason_always=True),
]

_TABLE: dict[tuple[str | None, str], list[Transition]] = {}
for _transition in TRANSITIONS:
    _TABLE.setdefault((_transition.source, _transition.target), []).append(_transition)


def timing(package: TrainingPackage, today: datetime.date | None = None) -> Timing:
    today = today or timezone.localdate()
    if package.is_closed:
        return Timing.CLOSED
    if today < package.starts_on:
        return Timing.BEFORE
    if today < package.ends_on:
        return Timing.RUNNING
    return Timing.ENDED


def role_of(user, package: TrainingPackage) -> Role | None:
    """The role a user acts in on this package; None for a user with none (an official, say)."""
    if user is None or not user.is_authenticated:
        return Role.RESIDENT
    if is_dinas_staff(user):
        return Role.STAFF
    if package.provider.operators.filter(pk=user.pk).exists():
        return Role.TRUSTED_OPERATOR if package.operators_confirm_completion else Role.OPERATOR
    return None


def _label(status: str | None) -> str:
    return _("new") if status is None else str(Status(status).label)


def targets(source: str | None, role: Role | None, when: Timing) -> list[str]:
    """The statuses this role may move an enrollment to now, in the order of the choices."""
    return [status for status in Status.values if may_now(source, status, role, when)]


def may(source: str | None, target: str, role: Role | None) -> bool:
    """Whether this role may ever make this change (at some timing)."""
    return any(role in t.roles for t in _TABLE.get((source, target), []))


def may_now(source: str | None, target: str, role: Role | None, when: Timing) -> bool:
    return any(role in t.roles and when in t.timings for t in _TABLE.get((source, target), []))


def reason_needed(source: str | None, target: str, when: Timing) -> bool:
    transitions = _TABLE.get((source, target), [])
    return any(t.reason_always or (when == Timing.CLOSED and t.reason_when_closed) for t in transitions)


def errors(*, source: str | None, target: str, role: Role | None, when: Timing, reason: str = "") -> dict:
    """Why the table refuses this change, by form field ("status", "reason"); empty when it allows it."""
    if source == target:
        return {}
    transitions = _TABLE.get((source, target), [])
    if not transitions:
        possible = targets(source, role, when)
        message = _("An enrollment cannot go from “%(source)s” to “%(target)s”.") % {
            "source": _label(source),
            "target": _label(target),
        }
        if possible:
            message += " " + _("From “%(source)s” it can go to: %(targets)s.") % {
                "source": _label(source),
                "targets": ", ".join(_label(status) for status in possible),
            }
        return {"status": [message]}
    allowed_roles = set().union(*(t.roles for t in transitions))
    if role not in allowed_roles:
        if role == Role.OPERATOR and Role.TRUSTED_OPERATOR in allowed_roles:
            message = _("Only dinas staff confirm completions in this package.")
        else:
            message = _("Only dinas staff may change “%(source)s” to “%(target)s”.") % {
                "source": _label(source),
                "target": _label(target),
            }
        return {"status": [message]}
    if not may_now(source, target, role, when):
        allowed = [t for t in transitions if role in t.roles]
        message = _("“%(source)s” to “%(target)s” is possible only %(when)s; the package is now %(now)s.") % {
            "source": _label(source),
            "target": _label(target),
            "when": ", ".join(
                str(TIMING_LABELS[timing_]) for timing_ in Timing if any(timing_ in t.timings for t in allowed)
            ),
            "now": _timing_now(when),
        }
        return {"status": [message]}
    if reason_needed(source, target, when) and not reason.strip():
        return {"reason": [_("Write the reason for this change; it is kept with the enrollment's history.")]}
    return {}


def _timing_now(when: Timing) -> str:
    return {
        Timing.BEFORE: _("not started"),
        Timing.RUNNING: _("running"),
        Timing.ENDED: _("past its last day"),
        Timing.CLOSED: _("closed"),
    }[when]


def check(*, source: str | None, target: str, role: Role | None, when: Timing, reason: str = "") -> None:
    found = errors(source=source, target=target, role=role, when=when, reason=reason)
    if found:
        raise ValidationError(found)


def apply(enrollment: Enrollment, target: str, *, actor, reason: str = "", today: datetime.date) -> None:
    """Set the status and what goes with it on the (unsaved) row; the caller saves it.

    Fields that follow the status: the day a seat was first taken, the waitlist time, the completion
    day and who confirmed it, the completion proposal, and the reason (kept in the history too).
    """
    source = enrollment.status if enrollment.pk else None
    enrollment.status = target
    if target in Enrollment.SEAT_STATUSES and enrollment.enrolled_on is None:
        enrollment.enrolled_on = today
    if target == Status.WAITLISTED:
        enrollment.waitlisted_at = enrollment.waitlisted_at or timezone.now()
    else:
        enrollment.waitlisted_at = None
    if target == Status.COMPLETED:
        package = enrollment.package
        enrollment.completed_on = min(today, package.ends_on)
        enrollment.completion_confirmed_by = actor if getattr(actor, "is_authenticated", False) else None
    else:
        enrollment.completed_on = None
        enrollment.completion_confirmed_by = None
    if target not in (Status.ENROLLED, Status.COMPLETED) or source == Status.COMPLETED:
        enrollment.completion_proposed_at = None  # a proposal no longer stands (it is kept on completion)
    if reason.strip():
        enrollment.decision_reason = reason.strip()
        enrollment._change_reason = reason.strip()[:100]  # simple_history keeps it with this change
