"""Erasure on request (UU 27/2022) with the figures kept."""

import datetime
import re
from dataclasses import dataclass
from urllib.parse import quote_plus

from django.apps import apps
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from participants import imports  # a module, not its names: participants.imports itself imports the services
from participants.eligibility import age_on
from participants.models import (
    Attendance,
    Certificate,
    Enrollment,
    Outcome,
    Participant,
    ParticipantImport,
    PersonalDataExport,
)
from participants.nik import normalize_nik
from pekalongan_training.messaging import message_erase_about
from pekalongan_training.roles import is_dinas_staff
from pekalongan_training.signals import records_changed
from pekalongan_training.spreadsheets import Sheet, csv_text, xlsx_bytes

# Between two digits of a NIK or phone number as people write them: "3375 0210", "3375.0210", "0812-3456".
_GAP = "[^0-9]{0,3}"


@dataclass(frozen=True)
class _Identity:
    """What names the person in free text: every name, NIK and phone number their record ever held."""

    names: frozenset[str]
    niks: frozenset[str]
    phones: frozenset[str]

    @property
    def number_patterns(self) -> list[str]:
        """Regular expressions (the same in Python, SQLite and PostgreSQL) for the NIKs and phones, spaced or not."""
        numbers = set(self.niks)
        for phone in self.phones:
            numbers.add(phone)
            if phone.startswith("0"):
                numbers.add("62" + phone[1:])  # +62 812 ...
        return [_GAP.join(number) for number in sorted(numbers) if len(number) >= 8]

    @property
    def name_terms(self) -> list[str]:
        """The names as written, and as they appear in a page address (a search: q=Siti+Aminah)."""
        terms = set()
        for name in self.names:
            terms |= {name, quote_plus(name)}
        return sorted(term for term in terms if len(term) >= 3)

    def q(self, field: str) -> Q:
        """Rows whose `field` may name the person (checked again in Python by scrub, with word boundaries)."""
        q = Q(pk__in=[])
        for term in self.name_terms:
            q |= Q(**{f"{field}__icontains": term})
        for pattern in self.number_patterns:
            q |= Q(**{f"{field}__regex": pattern})
        return q

    def scrub(self, text: str | None, label: str) -> str | None:
        """The text with every name, NIK and phone of the person replaced by the label."""
        if not text:
            return text
        for term in self.name_terms:
            text = re.sub(rf"(?<!\w){re.escape(term)}(?!\w)", label, text, flags=re.IGNORECASE)
        for pattern in self.number_patterns:
            text = re.sub(rf"(?<![0-9]){pattern}(?![0-9])", label, text)
        return text

    def holds_nik(self, row) -> bool:
        """A row of an uploaded list (a list of cells, or a mapping) with one of the person's NIKs in a cell."""
        cells = row.values() if isinstance(row, dict) else row if isinstance(row, list | tuple) else [row]
        patterns = [re.compile(rf"(?<![0-9]){_GAP.join(nik)}(?![0-9])") for nik in self.niks]
        for cell in cells:
            if cell is None or isinstance(cell, bool):
                continue
            if isinstance(cell, float) and cell.is_integer():
                cell = int(cell)
            text = str(cell)
            if normalize_nik(text).lstrip("'") in self.niks or any(p.search(text) for p in patterns):
                return True
        return False


def _identity(participant: Participant) -> _Identity:
    """The person's names, NIKs and phones, now and in the history about to be deleted."""
    past = Participant.history.filter(id=participant.pk).values_list("full_name", "nik", "phone")
    values = [(participant.full_name, participant.nik, participant.phone), *past]
    return _Identity(
        names=frozenset(name.strip() for name, _nik, _phone in values if name and name.strip()),
        niks=frozenset(normalize_nik(nik) for _name, nik, _phone in values if nik),
        phones=frozenset(re.sub(r"\D", "", phone) for _name, _nik, phone in values if phone),
    )


@transaction.atomic
def participant_anonymise(*, participant: Participant, actor) -> Participant:
    """Erase a person on their request (UU 27/2022) while the aggregate figures stay right.

    Name, NIK, phone, address, place of birth, AK1 number and date, No. KK and employer go, and the
    recipient and text of every message sent about them; the birth date keeps only its
    year (1 July), and each enrollment keeps the age at enrollment first, so every age band stays
    as it was. Sex, education, kelurahan and beneficiary group stay:
    the figures are broken down by them, and without a name or NIK they no longer point at a person.
    Enrollments, marks and outcomes stay (they are the figures), and the history of the person's
    record is deleted, since it holds the old values. Their training certificates are revoked (the
    check page would otherwise vouch for a label, not a holder), with a fixed reason in place of
    any written one. Beyond the records: the person's rows leave
    every upload still waiting for confirmation, and the admin's action log, the histories' change
    reasons and the log of exports no longer name them (DATA-PROTECTION.md, "Erasure on request").
    """
    if not is_dinas_staff(actor):
        raise ValidationError(_("Only dinas staff may anonymise a participant."))
    participant = Participant.objects.select_for_update().get(pk=participant.pk)
    identity = _identity(participant)
    label = _("Anonymised %(number)s") % {"number": participant.pk}
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
        full_name=label,
        phone="",
        address="",
        birth_place="",
        ak1_number="",
        ak1_issued_on=None,
        kk_number="",
        employer_name="",
        birth_date=participant.birth_date.replace(month=7, day=1),
        updated_at=timezone.now(),
    )
    records_changed.send(sender=Participant)
    Participant.history.filter(id=participant.pk).delete()
    enrollments = list(Enrollment.objects.filter(participant=participant).values_list("pk", flat=True))
    _blank_free_text(enrollments)
    _withdraw_certificates(enrollments, actor)
    message_erase_about(kind=Enrollment._meta.label_lower, ids=enrollments)  # numbers and texts sent to them
    _erase_from_uploads(identity)
    _erase_from_admin_log(participant, enrollments, identity, label)
    _erase_from_other_text(identity, label)
    return Participant.objects.get(pk=participant.pk)


# Text on an enrollment that is not about the person: the version of the consent text they agreed to.
ENROLLMENT_TEXT_KEPT = {"consent_version"}


def _blank_enrollment() -> dict:
    """Every free-text, number or JSON field of an enrollment, blanked (None where it may be empty).

    Read from the model, so that a field added later (what an applicant typed online, a message
    sent to them) is blanked without being listed here; fields with choices (statuses, results)
    are categories the figures count, and stay.
    """
    blank = {}
    for field in Enrollment._meta.concrete_fields:
        if field.choices or field.name in ENROLLMENT_TEXT_KEPT or field.is_relation:
            continue
        if isinstance(field, models.JSONField):
            blank[field.name] = None if field.null else field.get_default()
        elif isinstance(field, models.CharField | models.TextField):
            blank[field.name] = None if field.null else ""
    return blank


# Free text and numbers on the person's records that could name them; the same in their history.
BLANK_ATTENDANCE = {"remark": ""}
BLANK_OUTCOME = {"business_name": "", "employer_name": "", "notes": ""}


def _blank_free_text(enrollments: list[int]) -> None:
    """Blank the free text of the person's enrollments, marks and follow-ups, and the reasons in their history.

    A history row's change reason is free text too (a status change needs one, lifecycle.py):
    "Bu Siti moved to Jakarta" names the person, so the reasons of their rows go as well.
    """
    history_blank = {"history_change_reason": None}
    blank_enrollment = _blank_enrollment()
    Enrollment.objects.filter(pk__in=enrollments).update(**blank_enrollment)
    in_history = {field.name for field in Enrollment.history.model._meta.concrete_fields}
    history_enrollment = {name: value for name, value in blank_enrollment.items() if name in in_history}
    Enrollment.history.filter(id__in=enrollments).update(**history_enrollment, **history_blank)
    Attendance.objects.filter(enrollment__in=enrollments).update(**BLANK_ATTENDANCE)
    Attendance.history.filter(enrollment_id__in=enrollments).update(**BLANK_ATTENDANCE, **history_blank)
    Outcome.objects.filter(enrollment__in=enrollments).update(**BLANK_OUTCOME)
    Outcome.history.filter(enrollment_id__in=enrollments).update(**BLANK_OUTCOME, **history_blank)


def _withdraw_certificates(enrollments: list[int], actor) -> None:
    """Revoke the person's certificates; a reason written at an earlier revocation is free text, and goes."""
    with translation.override(settings.LANGUAGE_CODE):
        reason = _("Withdrawn: the holder's data were erased on their request.")
    certificates = Certificate.objects.filter(enrollment__in=enrollments)
    certificates.filter(revoked_at__isnull=True).update(revoked_at=timezone.now(), revoked_by=actor)
    certificates.update(revoke_reason=reason)
    Certificate.history.filter(enrollment_id__in=enrollments).update(revoke_reason=reason, history_change_reason=None)


def _erase_from_uploads(identity: _Identity) -> None:
    """Drop the person's rows from every uploaded list still waiting for confirmation; the others' rows stay.

    The file is read as the import reads it (participants.imports.read_table: an XLSX is
    compressed, so its bytes never show a NIK) and written back in its own format without the
    person's rows (a NIK spaced or dotted is theirs too); the rows kept as read at upload likewise.
    A list left with nobody in it, or one that cannot be read (and so can be neither imported nor
    searched), is deleted. Imported lists were emptied when they were imported.
    """
    for batch in ParticipantImport.objects.select_for_update().filter(imported_at__isnull=True):
        content = bytes(batch.content)
        try:
            table = imports.read_table(content, batch.filename)
        except ValidationError:
            batch.delete()
            continue
        kept = [row for row in table if not identity.holds_nik(row)]
        rows = batch.rows
        kept_rows = [row for row in rows if not identity.holds_nik(row)] if isinstance(rows, list) else rows
        if len(kept) == len(table) and kept_rows == rows:
            continue
        people = [row for row in kept if any(cell not in (None, "") for cell in row)][1:]  # after the header
        if not people:
            batch.delete()
            continue
        batch.content = _written(kept, batch.filename, content)
        batch.rows = kept_rows
        batch.row_count = max(0, batch.row_count - (len(table) - len(kept)))
        batch.save(update_fields=["content", "rows", "row_count"])


def _written(table: list[list], filename: str, content: bytes) -> bytes:
    """The rows in the upload's own format: an XLSX stays a workbook (its dates and numbers stay typed)."""
    if content[:2] == b"PK" or filename.lower().endswith(".xlsx"):
        return xlsx_bytes(Sheet("Peserta", [[_xlsx_cell(cell) for cell in row] for row in table]))
    return csv_text(table).encode("utf-8")


def _xlsx_cell(cell):
    """A cell as openpyxl read it, in a form the project's spreadsheet writer takes."""
    if isinstance(cell, bool):
        return "TRUE" if cell else "FALSE"
    if isinstance(cell, datetime.datetime):
        return cell.date() if cell.time() == datetime.time(0) else cell.isoformat(sep=" ")
    return cell


def _erase_from_admin_log(participant: Participant, enrollments: list[int], identity: _Identity, label: str) -> None:
    """The admin's action log: the entries about the person's records, and any other entry that names them.

    The entries about the person's own records (their record, enrollments, marks, follow-ups) take
    the record's new description; in every entry, a name, NIK or phone of the person in the
    description or the change message (which names the inline records changed) becomes the label.
    """
    marks = Attendance.objects.filter(enrollment__in=enrollments)
    outcomes = Outcome.objects.filter(enrollment__in=enrollments)
    own = {
        Participant: Participant.objects.filter(pk=participant.pk),
        Enrollment: Enrollment.objects.filter(pk__in=enrollments).select_related("participant", "package"),
        Attendance: marks.select_related("enrollment__participant", "enrollment__package", "session"),
        Outcome: outcomes.select_related("enrollment__participant", "enrollment__package"),
    }
    for model, records in own.items():
        described = {str(record.pk): str(record)[:200] for record in records}
        entries = LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(model), object_id__in=described
        )
        for entry in entries:
            entry.object_repr = described[entry.object_id]
            entry.change_message = identity.scrub(entry.change_message, label)
        LogEntry.objects.bulk_update(entries, ["object_repr", "change_message"])
    for entry in LogEntry.objects.filter(identity.q("object_repr") | identity.q("change_message")):
        object_repr = identity.scrub(entry.object_repr, label)[:200]
        change_message = identity.scrub(entry.change_message, label)
        if (object_repr, change_message) != (entry.object_repr, entry.change_message):
            LogEntry.objects.filter(pk=entry.pk).update(object_repr=object_repr, change_message=change_message)


def _erase_from_other_text(identity: _Identity, label: str) -> None:
    """Change reasons in every history table (a package's, say) and the log of exports that name the person.

    The log of exports keeps who exported how many rows and which filters; a name or NIK
    searched for in those filters becomes the label.
    """
    historical = [model for model in apps.get_models() if hasattr(model, "instance_type")]
    for model in historical:
        for row in model.objects.filter(identity.q("history_change_reason")).only("pk", "history_change_reason"):
            reason = identity.scrub(row.history_change_reason, label)[:100]
            model.objects.filter(pk=row.pk).update(history_change_reason=reason)
    for export in PersonalDataExport.objects.filter(identity.q("description")):
        PersonalDataExport.objects.filter(pk=export.pk).update(description=identity.scrub(export.description, label))
