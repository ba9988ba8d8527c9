"""Online registration by residents."""

import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from participants import lifecycle
from participants.eligibility import eligibility_failures
from participants.lifecycle import Role
from participants.models import Enrollment, Participant
from programs.models import TrainingPackage

# The version of the consent text on the registration form (participants/forms.py); change it
# when the text changes, so every stored consent says which text the person agreed to.
CONSENT_VERSION = "2026-11"


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
    if (
        package.status != TrainingPackage.Status.OPEN
        or not ((cohort.registration_opens or today) <= today <= (cohort.registration_closes or today))
        or not lifecycle.may_now(None, Enrollment.Status.APPLIED, Role.RESIDENT, lifecycle.timing(package, today))
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
    enrollment = Enrollment(
        participant=participant,
        package=package,
        source=Enrollment.Source.REGISTRATION,
        receipt_number=_receipt_number(package),
        consent_at=timezone.now(),
        consent_version=CONSENT_VERSION,
    )
    lifecycle.apply(enrollment, Enrollment.Status.APPLIED, actor=None, today=today)
    enrollment.save()
    return enrollment, True
