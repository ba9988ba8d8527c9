"""Erasure on request (UU 27/2022) with the figures kept."""

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from participants.eligibility import age_on
from participants.models import Attendance, Enrollment, Outcome, Participant, ParticipantImport
from pekalongan_training.roles import is_dinas_staff
from pekalongan_training.signals import records_changed


@transaction.atomic
def participant_anonymise(*, participant: Participant, actor) -> Participant:
    """Erase a person on their request (UU 27/2022) while the aggregate figures stay right.

    Name, NIK, phone, address, place of birth and AK1 number go; the birth date keeps only its
    year (1 July), and each enrollment keeps the age at enrollment first, so every age band stays
    as it was. Sex, education, kelurahan and beneficiary group stay:
    the figures are broken down by them, and without a name or NIK they no longer point at a person.
    Enrollments, marks and outcomes stay (they are the figures), and the history of the person's
    record is deleted, since it holds the old values.
    """
    if not is_dinas_staff(actor):
        raise ValidationError(_("Only dinas staff may anonymise a participant."))
    participant = Participant.objects.select_for_update().get(pk=participant.pk)
    # The age bands count the age at enrollment: keep it before the birth date goes.
    kept_ages = [
        Enrollment(pk=enrollment.pk, age_at_enrollment=age_on(participant.birth_date, day))
        for enrollment in Enrollment.objects.filter(participant=participant, age_at_enrollment__isnull=True)
        .select_related("package")
        .only("pk", "enrolled_on", "package__starts_on")
        if (day := enrollment.enrolled_on or enrollment.package.starts_on)
    ]
    Enrollment.objects.bulk_update(kept_ages, ["age_at_enrollment"])
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
    records_changed.send(sender=Participant)
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
