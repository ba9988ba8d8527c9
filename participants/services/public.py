"""Online registration by residents.

Anyone can type anyone's NIK, so the answer to a registration never depends on what is on record:
every accepted form gets the same receipt, showing only what was typed. Behind it:
- a new NIK: the person is created as typed, with an `applied` enrollment;
- a NIK on record: the record is never changed; the application is filed with what was typed kept
  on the enrollment (`submitted`), and when the typed name or birth date differs from the record it
  is marked `identity_to_verify` (staff verify or reject it; it cannot be accepted before);
- the same NIK again for the same package: no second row; the submission is added to the earlier
  enrollment's `submitted` under a fresh receipt number, so staff can tie it to the application;
- in every case with a NIK on record, the person on record is told (`owner_notice_send`).
The consent is recorded as given by whoever submitted; staff verify it (`registration_verify`).
Entry rules are checked online only on what was typed (age, domicile, school, work or the named
factory, the AK/1 card): the same typed data gives the same answer whether or not the NIK is on
record. Rules that need the record (one training a year, one package a wave, an earlier training
in the vocation, a factory worker of the same No. KK) are shown to staff, never to the public
(`eligibility_failures(..., typed_only=True)`).
Applications are taken up to the package's limit (`TrainingPackage.applications_allowed`, by
default 5 times the quota): the quota applies when staff accept people (selection), not here.
"""

import datetime
import enum
import logging
import secrets

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from participants import lifecycle, notifications
from participants.eligibility import eligibility_failures
from participants.lifecycle import Role
from participants.models import Enrollment, Participant
from pekalongan_training.roles import is_dinas_staff
from programs.models import TrainingPackage

# The version of the consent text on the registration form (participants/forms/public.py); change it
# when the text changes, so every stored consent says which text the person agreed to.
CONSENT_VERSION = "2026-11"

notify_logger = logging.getLogger("participants.notify")


# Every application counts towards the limit but a withdrawn one: a rejected applicant applied all the same.
APPLICATION_COUNTED = ~Q(status=Enrollment.Status.WITHDRAWN)


def registration_places_left(package: TrainingPackage) -> int:
    """Applications still taken online: the package's application limit less the applications in.

    Not the seats: the quota applies when applicants are accepted (selection).
    """
    return package.applications_allowed - Enrollment.objects.filter(APPLICATION_COUNTED, package=package).count()


def with_applications_left(packages):
    """Annotate `applications_left` as registration_places_left counts it, in the packages' query."""
    counted = Count("enrollments", filter=~Q(enrollments__status=Enrollment.Status.WITHDRAWN))
    return packages.annotate(applications_in=counted).annotate(
        applications_left=Coalesce(F("application_limit"), 5 * F("quota")) - F("applications_in")
    )


class Availability(enum.StrEnum):
    """Whether a resident can apply for a package today, as the list and the form page say before the form."""

    OPEN = "open"
    FULL = "full"  # the window is open but the application limit is reached
    NOT_YET = "not_yet"  # the wave's registration opens later
    CLOSED = "closed"  # the window has passed, the package started, its selection is decided, or it is not open


def registration_window(package: TrainingPackage, today: datetime.date) -> Availability:
    """OPEN, NOT_YET or CLOSED by the package's status, its wave's window and the lifecycle (not the places).

    A package whose selection is decided is closed, even inside its wave's window: an application
    after the decision would never be ranked, and would only wait for a result that has been given.

    The one test of the window: `registration_create` refuses on it, and the public pages say it
    before the form.
    """
    cohort = package.cohort
    if (
        package.status != TrainingPackage.Status.OPEN
        or package.selection_decided_at is not None
        or not lifecycle.may_now(None, Enrollment.Status.APPLIED, Role.RESIDENT, lifecycle.timing(package, today))
    ):
        return Availability.CLOSED
    if cohort.registration_opens and today < cohort.registration_opens:
        return Availability.NOT_YET
    if cohort.registration_closes and today > cohort.registration_closes:
        return Availability.CLOSED
    return Availability.OPEN


def registration_availability(package: TrainingPackage, places_left: int, today: datetime.date) -> Availability:
    window = registration_window(package, today)
    if window == Availability.OPEN and places_left <= 0:
        return Availability.FULL
    return window


def _receipt_number(package: TrainingPackage) -> str:
    """A short receipt code people can read over the phone: 2026-K7F3Q9 (no 0/O or 1/I)."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return f"{package.cohort.program.fiscal_year}-{''.join(secrets.choice(alphabet) for _ in range(6))}"


def _fresh_receipt_number(package: TrainingPackage) -> str:
    while True:
        number = _receipt_number(package)
        if not Enrollment.objects.filter(receipt_number=number).exists():
            return number


def normalized_name(name: str) -> str:
    """A name compared without case or extra spaces: "dewi  LESTARI" is "Dewi Lestari"."""
    return " ".join((name or "").split()).casefold()


def _same_person(participant: Participant, data: dict) -> bool:
    return (
        normalized_name(participant.full_name) == normalized_name(data["full_name"])
        and participant.birth_date == data["birth_date"]
    )


def _as_typed(data: dict, *, receipt_number: str, at) -> dict:
    """The submission as typed, in JSON: kept on the enrollment for staff, never shown to the public."""
    kelurahan = data.get("kelurahan")
    return {
        "receipt_number": receipt_number,
        "received_at": at.isoformat(),
        "consent_version": CONSENT_VERSION,
        "full_name": data["full_name"],
        "sex": data.get("sex", ""),
        "birth_date": data["birth_date"].isoformat(),
        "phone": data.get("phone", ""),
        "address": data.get("address", ""),
        "kelurahan": kelurahan.code if kelurahan else "",
        "kelurahan_name": kelurahan.name if kelurahan else "",
        "education": data.get("education"),
        "employment_status_at_intake": data.get("employment_status_at_intake", ""),
        "beneficiary_group": data.get("beneficiary_group", ""),
        "employer_name": data.get("employer_name", ""),
        "kk_number": data.get("kk_number", ""),
        "ak1_number": data.get("ak1_number", ""),
        "ak1_issued_on": data["ak1_issued_on"].isoformat() if data.get("ak1_issued_on") else "",
    }


def mask_phone(phone: str) -> str:
    """0812*****666: enough for staff and logs to tell numbers apart, not enough to call."""
    if not phone:
        return ""
    if len(phone) <= 7:
        return "*" * len(phone)
    return phone[:4] + "*" * (len(phone) - 7) + phone[-3:]


def owner_notice_send(*, enrollment: Enrollment, phone: str, package: TrainingPackage) -> dict:
    """Tell the person on record that an application was made with their NIK (the enrollment is saved).

    The notice is recorded on the enrollment (when, to which number masked, the text; kept in its
    history) and handed to the message service (participants.notifications), in the caller's
    transaction. Neither the record nor the log holds the full NIK or phone number.
    """
    today = timezone.localdate()
    with translation.override(settings.LANGUAGE_CODE):  # the message goes to the person, in Indonesian
        text = _(
            "Dinperinaker Kota Pekalongan: on %(date)s an application for the training %(vocation)s "
            "(%(code)s) was made with your NIK. If you did not apply, contact the dinas with your KTP."
        ) % {"date": date_format(today), "vocation": package.vocation.name, "code": package.code}
    notice = {"at": timezone.now().isoformat(), "to": mask_phone(phone), "text": text}
    enrollment.owner_notices = [*enrollment.owner_notices, notice]
    enrollment._change_reason = "person on record told of an application"
    enrollment.save(update_fields=["owner_notices"])
    notifications.owner_notice(enrollment=enrollment, phone=phone, text=text)

    def log():
        if phone:
            notify_logger.info(
                "Registration notice for enrollment %s (package %s) to %s: %s",
                enrollment.pk,
                package.code,
                notice["to"],
                text,
            )
        else:
            notify_logger.warning(
                "Registration notice for enrollment %s (package %s): no phone on record, not sent",
                enrollment.pk,
                package.code,
            )

    transaction.on_commit(log)
    return notice


@transaction.atomic
def registration_create(*, package: TrainingPackage, participant_data: dict) -> tuple[Enrollment, bool]:
    """A resident registers online: returns (enrollment, created), created False for the same NIK again.

    The caller answers with `receipt_of(enrollment)` and what was typed, never with the enrollment's
    other data: the answer must be the same whatever the NIK.

    Refused, with reasons that depend only on the package and on what was typed, when registration
    is closed, an entry rule fails on the typed data (the message on the field it is about), or
    the package's application limit is reached. The receipt goes to the phone typed; the person
    on record, if any, is told too.
    """
    # The person first, then the package (the order of participants.services.enrollments._lock).
    participant = Participant.objects.select_for_update().filter(nik=participant_data["nik"]).first()
    package = (
        TrainingPackage.objects.select_for_update(of=("self",))
        .select_related("cohort__program", "vocation")
        .get(pk=package.pk)
    )
    today = timezone.localdate()
    if registration_window(package, today) != Availability.OPEN:
        raise ValidationError(_("Registration for this package is closed."))
    # The rules on what was typed only: the answer is the same for a new NIK and a NIK on record.
    failures = eligibility_failures(Participant(**participant_data), package, typed_only=True)
    if failures:
        errors = {}
        for failure in failures:
            errors.setdefault(failure.field or NON_FIELD_ERRORS, []).append(failure.reason)
        raise ValidationError(errors)
    if registration_places_left(package) <= 0:
        raise ValidationError(
            _(
                "Applications for this package are closed: the limit of %(limit)s applications is reached. Look "
                "for another package or the next wave."
            )
            % {"limit": package.applications_allowed}
        )
    now = timezone.now()
    number = _fresh_receipt_number(package)
    typed = _as_typed(participant_data, receipt_number=number, at=now)
    on_record = participant is not None
    if participant is None:
        try:
            with transaction.atomic():
                participant = Participant.objects.create(**participant_data)
        except IntegrityError:  # the same new NIK sent at the same moment: it is on record now
            participant = Participant.objects.select_for_update().get(nik=participant_data["nik"])
            on_record = True
    earlier = (
        Enrollment.objects.select_for_update().filter(participant=participant, package=package).first()
        if on_record
        else None
    )
    if earlier is not None:
        enrollment = earlier
        enrollment.submitted = [*enrollment.submitted, typed]
        enrollment._change_reason = "registered online again"
    else:
        enrollment = Enrollment(
            participant=participant,
            package=package,
            source=Enrollment.Source.REGISTRATION,
            receipt_number=number,
            consent_at=now,
            consent_version=CONSENT_VERSION,
            submitted=[typed],
            identity_to_verify=on_record and not _same_person(participant, participant_data),
        )
        lifecycle.apply(enrollment, Enrollment.Status.APPLIED, actor=None, today=today)
    enrollment.save()
    if on_record:
        owner_notice_send(enrollment=enrollment, phone=participant.phone, package=package)
    notifications.registration_receipt(enrollment=enrollment, phone=participant_data.get("phone", ""))
    return enrollment, earlier is None


def receipt_of(enrollment: Enrollment) -> str:
    """The receipt number of the latest online submission (a fresh one for the same NIK again)."""
    return enrollment.submitted[-1]["receipt_number"]


@transaction.atomic
def registration_verify(*, enrollment: Enrollment, actor) -> Enrollment:
    """Dinas staff checked that the applicant is the person on record and that they consented.

    Clears "identity to verify" and records who verified the consent and when; the history keeps
    the state before.
    """
    if not (actor is not None and is_dinas_staff(actor)):
        raise ValidationError(_("Only dinas staff verify an online registration."))
    enrollment = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
    if enrollment.source != Enrollment.Source.REGISTRATION:
        raise ValidationError(_("Only an online registration needs verifying."))
    enrollment.identity_to_verify = False
    enrollment.consent_verified_at = timezone.now()
    enrollment.consent_verified_by = actor
    enrollment._history_user = actor
    enrollment._change_reason = "identity and consent verified"
    enrollment.save()
    return enrollment
