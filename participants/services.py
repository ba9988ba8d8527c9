"""Writes with rules for enrollments: seats, the one-training-a-year rule, completion.

Every function here is atomic and raises a translated ValidationError (with field names where a
form can show it next to a field) and writes nothing when a rule says no.
"""

import secrets

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from participants import attendance_summary
from participants.eligibility import eligibility_failures
from participants.models import Attendance, Enrollment, Outcome, Participant, ParticipantImport
from pekalongan_training.dates import add_months
from pekalongan_training.roles import is_dinas_staff
from programs.models import Session, TrainingPackage
from reports.caching import figures_changed

# The version of the consent text on the registration form (participants/forms.py); change it
# when the text changes, so every stored consent says which text the person agreed to.
CONSENT_VERSION = "2026-11"

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


def _present_counts(enrollments):
    return enrollments.annotate(present=Count("attendances", filter=Q(attendances__status=Attendance.Status.PRESENT)))


def _reached_minimum(enrollment: Enrollment, package: TrainingPackage) -> bool:
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
        _present_counts(enrolled).filter(present__gte=package.present_needed(planned)).values_list("pk", flat=True)
    )
    enrolled.exclude(pk__in=reaching_ids).update(completion_proposed_at=None)
    enrolled.filter(pk__in=reaching_ids, completion_proposed_at__isnull=True).update(
        completion_proposed_at=timezone.now()
    )
    return len(reaching_ids)


def can_confirm_completion(user, package: TrainingPackage) -> bool:
    """Dinas staff confirm completions; a provider's operators too where the package allows it."""
    if is_dinas_staff(user):
        return True
    return package.operators_confirm_completion and package.provider.operators.filter(pk=user.pk).exists()


@transaction.atomic
def completion_confirm(*, enrollments, actor) -> tuple[int, int]:
    """A person confirms proposed completions: those become completed on the package's last day.

    Confirmed: enrollments with a proposal, in a package that has ended and is not cancelled, whose
    attendance still reaches the minimum now (a mark may have changed since the proposal). The
    others are skipped. Returns (confirmed, skipped). Who may confirm: see can_confirm_completion.
    """
    today = timezone.localdate()
    ids = [enrollment.pk for enrollment in enrollments]
    for package in TrainingPackage.objects.filter(enrollments__in=ids).distinct().select_related("provider"):
        if actor is None or not can_confirm_completion(actor, package):
            raise ValidationError(
                _("Only dinas staff may confirm completions in package %(code)s.") % {"code": package.code}
            )
    locked = (
        Enrollment.objects.select_for_update()
        .filter(pk__in=ids)
        .completion_proposed()
        .filter(package__ends_on__lte=today)
        .exclude(package__status=TrainingPackage.Status.CANCELLED)
    )
    candidates = list(
        _present_counts(Enrollment.objects.filter(pk__in=list(locked.values_list("pk", flat=True)))).select_related(
            "package__provider"
        )
    )
    planned = dict(
        Session.objects.filter(package__in={enrollment.package_id for enrollment in candidates})
        .values("package")
        .annotate(n=Count("pk"))
        .values_list("package", "n")
    )
    confirmed = []
    for enrollment in candidates:
        package = enrollment.package
        meetings = planned.get(package.pk, 0)
        if meetings and enrollment.present >= package.present_needed(meetings):
            enrollment.status = Enrollment.Status.COMPLETED
            enrollment.completed_on = package.ends_on
            enrollment.completion_confirmed_by = actor
            confirmed.append(enrollment)
    bulk_update_with_history(
        confirmed, Enrollment, ["status", "completed_on", "completion_confirmed_by"], default_user=actor
    )
    figures_changed()
    return len(confirmed), len(ids) - len(confirmed)


def enrollment_results_errors(
    *, enrollment: Enrollment, package: TrainingPackage, assessment: str, certificate_number: str
) -> dict[str, list[str]]:
    """What is wrong with these end-of-training results, by form field."""
    errors: dict[str, list[str]] = {}
    if enrollment.status not in (Enrollment.Status.ENROLLED, Enrollment.Status.COMPLETED):
        errors.setdefault("assessment", []).append(
            _("Results are recorded for people who are in the class or completed it.")
        )
    if package.status == TrainingPackage.Status.CANCELLED:
        errors.setdefault("assessment", []).append(_("The package is cancelled."))
    if certificate_number.strip() and assessment != Enrollment.Assessment.PASSED:
        errors.setdefault("certificate_number", []).append(
            _("A training certificate is only for people who passed the assessment.")
        )
    return errors


@transaction.atomic
def enrollment_record_results(
    *, enrollment: Enrollment, assessment: str, certificate_number: str, competency: str, actor
) -> Enrollment:
    """The end-of-training results of one person: assessment, training certificate, LSP competency test."""
    enrollment = Enrollment.objects.select_for_update().select_related("package").get(pk=enrollment.pk)
    errors = enrollment_results_errors(
        enrollment=enrollment,
        package=enrollment.package,
        assessment=assessment,
        certificate_number=certificate_number,
    )
    if errors:
        raise ValidationError(errors)
    enrollment.assessment = assessment
    enrollment.certificate_number = certificate_number.strip()
    enrollment.competency = competency
    enrollment.save(update_fields=["assessment", "certificate_number", "competency"])
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


@transaction.atomic
def attendance_record(*, session, enrollment: Enrollment, status: str, remark: str = "", actor) -> Attendance:
    """Mark one person at one meeting (H/I/S/A), or change their mark in place.

    Refused, writing nothing: a status that is not H/I/S/A, a person of another package or without a
    seat, a meeting in the future, a closed package. Every change is kept in the mark's history.
    """
    if status not in Attendance.Status.values:
        raise ValidationError({"status": [_("Choose H, I, S or A.")]})
    enrollment = _lock_markable(session, enrollment)
    remark = remark.strip()[: Attendance._meta.get_field("remark").max_length]
    attendance = Attendance.objects.filter(enrollment=enrollment, session=session).first()
    if attendance is not None and (attendance.status, attendance.remark) == (status, remark):
        return attendance
    if attendance is None:
        attendance = Attendance(enrollment=enrollment, session=session)
    attendance.status = status
    attendance.remark = remark
    attendance.marked_by = actor
    attendance.marked_at = timezone.now()
    attendance._history_user = actor
    attendance.save()
    attendance_summary.refresh(enrollments=[enrollment.pk], sessions=[session.pk])
    return attendance


@transaction.atomic
def attendance_mark_all_present(*, session, actor) -> int:
    """ "Semua hadir": mark present everyone in the class who has no mark yet at this meeting.

    Marks already given (someone marked sick before the tap) are kept. Returns how many were marked.
    """
    _lock_markable(session)
    unmarked = (
        Enrollment.objects.filter(package_id=session.package_id)
        .holding_seats()
        .exclude(status=Enrollment.Status.DROPPED_OUT)
        .exclude(attendances__session=session)
    )
    now = timezone.now()
    marks = [
        Attendance(
            enrollment=enrollment,
            session=session,
            status=Attendance.Status.PRESENT,
            marked_by=actor,
            marked_at=now,
        )
        for enrollment in unmarked.only("pk")
    ]
    bulk_create_with_history(marks, Attendance, default_user=actor)
    attendance_summary.refresh(enrollments=[mark.enrollment_id for mark in marks], sessions=[session.pk])
    return len(marks)


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


def registration_places_left(package: TrainingPackage) -> int:
    """Places still open to online registration: the quota less seats taken and applications waiting."""
    return package.quota - Enrollment.objects.filter(package=package, status__in=Enrollment.PLACE_STATUSES).count()


def _receipt_number(package: TrainingPackage) -> str:
    """A short receipt code people can read over the phone: 2026-K7F3Q9 (no 0/O or 1/I)."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return f"{package.cohort.program.fiscal_year}-{''.join(secrets.choice(alphabet) for _ in range(6))}"


@transaction.atomic
def registration_create(*, package: TrainingPackage, participant_data: dict) -> tuple[Enrollment, bool]:
    """A resident registers online: an `applied` enrollment, and the person if the NIK is new.

    Returns (enrollment, created). The same NIK again for the same package returns the earlier
    registration (created False) and writes nothing. A person already on record is never changed
    (anyone could type someone else's NIK): staff see the person as recorded and check the rest
    when they call. Refused with the reasons when registration is closed, the places are
    taken, or an entry rule is not met.
    """
    participant = Participant.objects.select_for_update().filter(nik=participant_data["nik"]).first()
    package = TrainingPackage.objects.select_for_update().select_related("cohort__program").get(pk=package.pk)
    today = timezone.localdate()
    cohort = package.cohort
    if package.status != TrainingPackage.Status.OPEN or not (
        (cohort.registration_opens or today) <= today <= (cohort.registration_closes or today)
    ):
        raise ValidationError(_("Registration for this package is closed."))
    if participant is not None:
        earlier = Enrollment.objects.filter(participant=participant, package=package).first()
        if earlier is not None:
            return earlier, False
    if registration_places_left(package) <= 0:
        raise ValidationError(_("All places in this package are taken. Look for another package or the next wave."))
    if participant is None:
        participant = Participant(**participant_data)
        failures = eligibility_failures(participant, package)
        if failures:  # the rules applied to what the person typed: nothing about anyone else
            raise ValidationError([failure.reason for failure in failures])
    elif eligibility_failures(participant, package):
        # The NIK is on record and its record fails a rule. Saying which would tell anyone who types
        # a NIK something about that person: one answer for every such case.
        raise ValidationError(
            _("A registration with this NIK cannot be made online. Please contact the dinas with your KTP.")
        )
    if participant.pk is None:
        participant.save()
    enrollment = Enrollment.objects.create(
        participant=participant,
        package=package,
        status=Enrollment.Status.APPLIED,
        source=Enrollment.Source.REGISTRATION,
        receipt_number=_receipt_number(package),
        consent_at=timezone.now(),
        consent_version=CONSENT_VERSION,
    )
    return enrollment, True


@transaction.atomic
def outcome_record(*, enrollment: Enrollment, round_: int, data: dict, actor) -> Outcome:
    """Record (or correct) the follow-up of one completer for one round; "not reachable" is an answer.

    Refused for someone who did not complete, or before the round is due (the package ended less
    than `round_` months ago).
    """
    enrollment = Enrollment.objects.select_for_update().select_related("package").get(pk=enrollment.pk)
    today = timezone.localdate()
    if enrollment.status != Enrollment.Status.COMPLETED:
        raise ValidationError(_("Follow-ups are recorded for people who completed the training."))
    if round_ not in Outcome.Round.values:
        raise ValidationError(_("A follow-up round is 3, 6 or 12 months."))
    due = add_months(enrollment.package.ends_on, round_)
    if due > today:
        raise ValidationError(
            _("The %(months)s-month follow-up is due from %(date)s: %(months)s months after the training.")
            % {"months": round_, "date": date_format(due)}
        )
    outcome = Outcome.objects.filter(enrollment=enrollment, round=round_).first() or Outcome(
        enrollment=enrollment, round=round_
    )
    for name, value in data.items():
        setattr(outcome, name, value)
    if outcome.status not in Outcome.WORKING_STATUSES:
        outcome.related_to_training = False
    outcome.recorded_on = today
    outcome.recorded_by = actor
    outcome.save()
    return outcome


@transaction.atomic
def participant_anonymise(*, participant: Participant, actor) -> Participant:
    """Erase a person on their request (UU 27/2022) while the aggregate figures stay right.

    Name, NIK, phone, address, place of birth and AK1 number go; the birth date keeps only its
    year (1 July), so age bands barely move. Sex, education, kelurahan and beneficiary group stay:
    the figures are broken down by them, and without a name or NIK they no longer point at a person.
    Enrollments, marks and outcomes stay (they are the figures), and the history of the person's
    record is deleted, since it holds the old values.
    """
    if not is_dinas_staff(actor):
        raise ValidationError(_("Only dinas staff may anonymise a participant."))
    participant = Participant.objects.select_for_update().get(pk=participant.pk)
    Participant.objects.filter(pk=participant.pk).update(
        nik=f"00{participant.pk:014d}"[-16:],  # 00 is no province: it can never clash with a real NIK
        full_name=_("Anonymised %(number)s") % {"number": participant.pk},
        phone="",
        address="",
        birth_place="",
        ak1_number="",
        birth_date=participant.birth_date.replace(month=7, day=1),
        updated_at=timezone.now(),
    )
    figures_changed()  # the birth date keeps only its year: age bands may move
    Participant.history.filter(id=participant.pk).delete()
    # Free text and numbers elsewhere that could name the person, in the records and their history.
    enrollments = list(Enrollment.objects.filter(participant=participant).values_list("pk", flat=True))
    blank_enrollment = {"receipt_number": None, "certificate_number": "", "decision_reason": "", "override_reason": ""}
    Enrollment.objects.filter(pk__in=enrollments).update(**blank_enrollment)
    Enrollment.history.filter(id__in=enrollments).update(**blank_enrollment)
    Attendance.objects.filter(enrollment__in=enrollments).update(remark="")
    Attendance.history.filter(enrollment_id__in=enrollments).update(remark="")
    blank_outcome = {"business_name": "", "employer_name": "", "notes": ""}
    Outcome.objects.filter(enrollment__in=enrollments).update(**blank_outcome)
    Outcome.history.filter(enrollment_id__in=enrollments).update(**blank_outcome)
    # Uploaded lists still waiting for confirmation that contain the NIK (imported ones are emptied).
    for batch in ParticipantImport.objects.filter(imported_at__isnull=True).only("pk", "content"):
        if participant.nik.encode() in bytes(batch.content):
            batch.delete()
    # The admin's log of actions names people in its descriptions.
    label = _("Anonymised %(number)s") % {"number": participant.pk}
    LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Participant), object_id=str(participant.pk)
    ).update(object_repr=label)
    LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Enrollment), object_id__in=[str(pk) for pk in enrollments]
    ).update(object_repr=label)
    return Participant.objects.get(pk=participant.pk)
