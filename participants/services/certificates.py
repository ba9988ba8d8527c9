"""Training certificates ("sertifikat pelatihan"): issued in bulk per package, revoked with a reason.

DESIGN.md, "Certificates anyone can verify". A certificate is verified by its `code` at
/sertifikat/<code>/; its `number` is what people quote and write down. Revoking keeps the row
(the public page then says "revoked", with the date and the reason), so a printed copy of a
revoked certificate is exposed, not merely unknown.
"""

import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from participants.models import Certificate, Enrollment
from pekalongan_training.roles import is_dinas_staff
from programs.models import TrainingPackage

# Capitals and digits without 0/O, 1/I/L: read off paper and typed again without mistakes.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
# 31**6, nearly 900 million numbers per package: a neighbour's number says nothing about another's,
# and guessing one is hopeless even before the verification page's rate limit.
NUMBER_LENGTH = 6
# 31**20, about 99 bits: the code alone opens the public page, so it must not be found by trying.
CODE_LENGTH = 20
REASON_MAX_LENGTH = 1000


def _random(length: int) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def normalize_code(text: str) -> str | None:
    """A code as printed or typed ("ab2c-...", spaces, lower case) in its stored form; None if it cannot be one."""
    code = "".join(str(text).split()).replace("-", "").upper()
    if len(code) != CODE_LENGTH or any(char not in ALPHABET for char in code):
        return None
    return code


def _fresh(field: str, make) -> str:
    """A value not yet used in `field`. The space is so large that a second try is near impossible,
    but a clash would otherwise surface as a database error; the unique constraints stay the last word."""
    while True:
        value = make()
        if not Certificate.objects.filter(**{field: value}).exists():
            return value


def _check_staff(by) -> None:
    """Dinas staff issue and revoke; no user is a management command (seed_demo), acting as staff."""
    if by is not None and not is_dinas_staff(by):
        raise ValidationError(_("Only dinas staff issue and revoke training certificates."))


def eligible_enrollments(package: TrainingPackage):
    """Who can get a certificate now: completed, passed the assessment, no valid certificate yet."""
    return (
        Enrollment.objects.filter(
            package=package, status=Enrollment.Status.COMPLETED, assessment=Enrollment.Assessment.PASSED
        )
        .exclude(Exists(Certificate.objects.filter(enrollment=OuterRef("pk"), revoked_at__isnull=True)))
        .select_related("participant")
        .order_by("participant__full_name", "pk")
    )


@transaction.atomic
def certificates_issue(*, package: TrainingPackage, by) -> list[Certificate]:
    """Issue a certificate to everyone in the package who can get one (eligible_enrollments); return the new ones.

    Running it again issues only to those who have none (a late result, a revoked one to replace),
    so staff may press the button after each change. The package row is locked, so two presses at
    the same moment issue once (the one-valid-certificate constraint would otherwise fail the second
    with a database error).

    The number is "<package code>/<6 random characters>": the package code tells a reader at a glance
    which class it is from, the random part makes it unguessable from another certificate's number
    (a sequence would let anyone holding one certificate name their classmates'). The verification
    code is separate and longer, since it alone opens the public page.

    Enrollment.certificate_number (the provider's field on the roster and in the exports) is filled
    with the new number when empty, so the roster shows the number on the printed certificate; a
    number someone already wrote there is theirs (the provider's own register) and is kept.
    """
    _check_staff(by)
    package = TrainingPackage.objects.select_for_update(of=("self",)).get(pk=package.pk)
    if package.status == TrainingPackage.Status.CANCELLED:
        raise ValidationError(_("Package %(code)s is cancelled: it has no certificates.") % {"code": package.code})
    issued_on = timezone.localdate()
    issued = []
    # The rows themselves locked and read again: a result changed a moment ago counts.
    for enrollment in eligible_enrollments(package).select_for_update(of=("self",)):
        certificate = Certificate.objects.create(
            enrollment=enrollment,
            number=_fresh("number", lambda: f"{package.code}/{_random(NUMBER_LENGTH)}"),
            code=_fresh("code", lambda: _random(CODE_LENGTH)),
            issued_on=issued_on,
            issued_by=by,
        )
        if not enrollment.certificate_number:
            enrollment.certificate_number = certificate.number
            enrollment.save(update_fields=["certificate_number"])
        issued.append(certificate)
    return issued


@transaction.atomic
def certificate_revoke(*, certificate: Certificate, reason: str, by) -> Certificate:
    """Revoke a certificate with a written reason; the row stays, and the public page shows it revoked.

    The reason is shown on the public page: it should say what an employer needs ("issued in error:
    the person did not pass"), not personal details. The number on the enrollment is emptied when it
    is this certificate's, so the roster no longer shows a revoked number; a new certificate can
    then be issued.
    """
    _check_staff(by)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Write why the certificate is revoked: the verification page shows it.")})
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError(
            {"reason": _("Write the reason in at most %(limit)d characters.") % {"limit": REASON_MAX_LENGTH}}
        )
    # The enrollment first, then the certificate: the order of every service that changes a result.
    Enrollment.objects.select_for_update(of=("self",)).filter(pk=certificate.enrollment_id).first()
    certificate = (
        Certificate.objects.select_for_update(of=("self",)).select_related("enrollment").get(pk=certificate.pk)
    )
    if certificate.revoked_at is not None:
        raise ValidationError(_("Certificate %(number)s is already revoked.") % {"number": certificate.number})
    certificate.revoked_at = timezone.now()
    certificate.revoke_reason = reason
    certificate.revoked_by = by
    certificate.save(update_fields=["revoked_at", "revoke_reason", "revoked_by"])
    enrollment = certificate.enrollment
    if enrollment.certificate_number == certificate.number:
        enrollment.certificate_number = ""
        enrollment.save(update_fields=["certificate_number"])
    return certificate
