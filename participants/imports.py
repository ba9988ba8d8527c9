"""Participant lists as kelurahan offices and factories really send them, read, checked and imported.

All rows or none: `preview` reads the file and says for every row what would happen, with every
error by row and column; `import_rows` writes everything in one transaction, and only when the
preview has no error. CSV (";" or ",", UTF-8 with or without BOM, or Windows-1252) and XLSX.
"""

import csv
import datetime
import io
import re
from dataclasses import dataclass, field
from itertools import islice

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import load_workbook
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from participants import lifecycle
from participants.eligibility import eligibility_failures_for
from participants.lifecycle import Role
from participants.models import Enrollment, Participant
from participants.nik import nik_warnings, normalize_nik, parse_nik
from participants.services import seats_left
from pekalongan_training.phones import normalize_phone
from pekalongan_training.signals import records_changed
from pekalongan_training.spreadsheets import Sheet, Text
from programs.models import Kelurahan, TrainingPackage

MAX_ROWS = 20_000

# Header in the template -> model field. Matching ignores case, spaces and punctuation.
COLUMNS = [
    ("NIK", "nik"),
    ("Nama Lengkap", "full_name"),
    ("Jenis Kelamin (L/P)", "sex"),
    ("Tempat Lahir", "birth_place"),
    ("Tanggal Lahir", "birth_date"),
    ("No. HP", "phone"),
    ("Alamat", "address"),
    ("Kelurahan", "kelurahan"),
    ("Pendidikan", "education"),
    ("Lulusan SMK (Ya/Tidak)", "vocational_school"),
    ("Status Pekerjaan", "employment_status_at_intake"),
    ("Kelompok Sasaran", "beneficiary_group"),
    ("No. Kartu AK1", "ak1_number"),
    ("Disabilitas (Ya/Tidak)", "has_disability"),
]
# What a new person gets when the file leaves the cell empty; the preview warns about each.
NEW_PERSON_DEFAULTS = {
    "employment_status_at_intake": (
        Participant.EmploymentStatus.OTHER,
        gettext_lazy("Status Pekerjaan is empty: it will be recorded as “Other, not in the labour force”."),
    ),
    "beneficiary_group": (
        Participant.BeneficiaryGroup.JOB_SEEKER,
        gettext_lazy("Kelompok Sasaran is empty: it will be recorded as “Job seeker”."),
    ),
}
REQUIRED = {"nik", "full_name", "sex", "birth_date", "education"}
EXAMPLE_ROW = [
    "3375014506980001",
    "Siti Aminah",
    "P",
    "Pekalongan",
    "05/06/1998",
    "081234567890",
    "Jl. Sultan Agung No. 5 RT 02/RW 03",
    "Medono",
    "SLTA",
    "Ya",
    "Pengangguran",
    "Pencari kerja",
    "",
    "Tidak",
]


def _key(text) -> str:
    return re.sub(r"[^a-z0-9]", "", str(text or "").lower())


HEADER_KEYS = {_key(header): name for header, name in COLUMNS}
HEADER_KEYS.update({_key(header.split(" (")[0]): name for header, name in COLUMNS})
HEADER_KEYS.update({"nohp": "phone", "hp": "phone", "telepon": "phone", "nama": "full_name", "jk": "sex"})

YES = {"ya", "y", "yes", "1", "true", "v"}
NO = {"tidak", "t", "no", "n", "0", "false", ""}


def _choice_lookup(choices, extra=None) -> dict[str, object]:
    lookup = {_key(value): value for value, _label in choices}
    lookup.update({_key(label): value for value, label in choices})
    lookup.update(extra or {})
    return lookup


SEX = {"l": "M", "lakilaki": "M", "m": "M", "p": "F", "perempuan": "F", "f": "F", "wanita": "F", "pria": "M"}
EDUCATION = _choice_lookup(
    Participant.Education.choices,
    {
        "tidakbelumsekolah": 1,
        "belumtamatsd": 2,
        "sd": 3,
        "tamatsd": 3,
        "sltp": 4,
        "smp": 4,
        "slta": 5,
        "sma": 5,
        "smk": 5,
        "d1": 6,
        "d2": 6,
        "d3": 7,
        "d4": 8,
        "s1": 8,
        "s2": 9,
        "s3": 10,
    },
)
EMPLOYMENT = _choice_lookup(
    Participant.EmploymentStatus.choices,
    {
        "pengangguran": "unemployed",
        "menganggur": "unemployed",
        "belumbekerja": "unemployed",
        "bekerja": "employed",
        "karyawan": "employed",
        "buruh": "employed",
        "wirausaha": "self_employed",
        "usahasendiri": "self_employed",
        "sekolah": "in_school",
        "pelajar": "in_school",
        "irt": "homemaker",
        "iburumahtangga": "homemaker",
        "mengurusrumahtangga": "homemaker",
        "lainnya": "other",
    },
)
BENEFICIARY = _choice_lookup(
    Participant.BeneficiaryGroup.choices,
    {
        "pencarikerja": "job_seeker",
        "buruhpabrikrokok": "factory_worker",
        "pekerjapabrikrokok": "factory_worker",
        "keluargapekerjapabrikrokok": "factory_worker_family",
        "keluargaburuhpabrikrokok": "factory_worker_family",
        "buruhtanitembakau": "tobacco_farm_worker",
    },
)


@dataclass
class RowResult:
    line: int  # the row number the person sees in their spreadsheet
    data: dict = field(default_factory=dict)
    errors: list[tuple[str, str]] = field(default_factory=list)  # (column header, message)
    warnings: list[str] = field(default_factory=list)
    action: str = ""  # "new" or "update"
    existing_pk: int | None = None


@dataclass
class Preview:
    rows: list[RowResult]
    file_errors: list[str]
    package: TrainingPackage | None

    @property
    def errors(self) -> list[tuple[int, str, str]]:
        return [(row.line, column, message) for row in self.rows for column, message in row.errors]

    @property
    def ok(self) -> bool:
        return not self.file_errors and not self.errors and bool(self.rows)

    @property
    def new_count(self) -> int:
        return sum(1 for row in self.rows if row.action == "new")

    @property
    def update_count(self) -> int:
        return sum(1 for row in self.rows if row.action == "update")


# --- reading -------------------------------------------------------------------------------------


def _decode(content: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    return content.decode("latin-1")


MAX_COLUMNS = 40


def read_table(content: bytes, filename: str) -> list[list]:
    """The file's cells, row by row (XLSX cells keep their types; CSV cells are strings).

    Reads at most MAX_ROWS + 500 rows and MAX_COLUMNS columns, so a file that claims a huge
    sheet cannot exhaust the server. Raises ValidationError for a file that cannot be read.
    """
    limit = MAX_ROWS + 500
    if content[:2] == b"PK" or filename.lower().endswith(".xlsx"):
        try:
            workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
            sheet = workbook.worksheets[0]
            return [list(row) for row in islice(sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True), limit)]
        except Exception as error:  # openpyxl and the XML and zip readers under it raise many kinds
            raise ValidationError(_("The file cannot be read as an Excel workbook (.xlsx).")) from error
    text = _decode(content).replace("\x00", "")
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
    try:
        return [row[:MAX_COLUMNS] for row in islice(csv.reader(io.StringIO(text), delimiter=delimiter), limit)]
    except csv.Error as error:
        raise ValidationError(_("The file cannot be read as a CSV file. Save it again from Excel as CSV.")) from error


def _blank(cells) -> bool:
    return all(cell is None or str(cell).strip() == "" for cell in cells)


# --- cleaning one cell ---------------------------------------------------------------------------


EXCEL_EPOCH = datetime.date(1899, 12, 30)


def clean_date(value) -> datetime.date:
    """A birth date written any of the ways people write it, between 1900 and today."""
    date = _read_date(value)
    if not datetime.date(1900, 1, 1) <= date <= datetime.date.today():
        raise ValidationError(_("A birth date must be between 1900 and today."))
    return date


def _read_date(value) -> datetime.date:
    if isinstance(value, bool):
        raise ValidationError(_("Write the date as 27/11/1990, 27-11-1990 or 1990-11-27."))
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, int | float) and 1 <= value < 100_000:
        return EXCEL_EPOCH + datetime.timedelta(days=int(value))
    text = str(value or "").strip()
    if re.fullmatch(r"\d{4,5}(\.0)?", text) and 1 <= float(text) < 100_000:
        return EXCEL_EPOCH + datetime.timedelta(days=int(float(text)))
    for pattern in ("%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d", "%d.%m.%Y"):
        try:
            return datetime.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValidationError(_("Write the date as 27/11/1990, 27-11-1990 or 1990-11-27."))


def clean_nik(value) -> str:
    if isinstance(value, float) or (isinstance(value, int) and not isinstance(value, bool)):
        raise ValidationError(
            _(
                "Excel stored the NIK as a number, which loses digits. Format the NIK column as Text "
                "and type the NIKs again."
            )
        )
    text = str(value or "").strip()
    if re.fullmatch(r"\d(\.\d+)?[eE]\+?\d+", text.replace(",", ".")):
        raise ValidationError(
            _(
                "Excel stored the NIK as a number (%(value)s), which loses digits. Format the NIK column as "
                "Text and type the NIKs again."
            )
            % {"value": text}
        )
    nik = normalize_nik(text)
    parse_nik(nik)
    return nik


def _clean_choice(lookup, value, message):
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    found = lookup.get(_key(value))
    if found is None:
        raise ValidationError(message)
    return found


def _clean_bool(value) -> bool:
    key = _key(value)
    if key in YES:
        return True
    if key in NO:
        return False
    raise ValidationError(_("Write Ya or Tidak."))


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).replace("\x00", "").split())


# --- the preview ---------------------------------------------------------------------------------


def preview(content: bytes, filename: str, package: TrainingPackage | None = None) -> Preview:
    """Read and check every row; nothing is written."""
    try:
        table = read_table(content, filename)
    except ValidationError as error:
        return Preview(rows=[], file_errors=error.messages, package=package)
    header_index = next((i for i, row in enumerate(table) if not _blank(row)), None)
    if header_index is None:
        return Preview(rows=[], file_errors=[_("The file is empty.")], package=package)
    headers = table[header_index]
    columns = {}
    for position, header in enumerate(headers):
        name = HEADER_KEYS.get(_key(header))
        if name and name not in columns:
            columns[name] = position
    missing = [header for header, name in COLUMNS if name in REQUIRED and name not in columns]
    if missing:
        return Preview(
            rows=[],
            file_errors=[_("Columns missing: %(columns)s. Use the template.") % {"columns": ", ".join(missing)}],
            package=package,
        )
    body = table[header_index + 1 :]
    while body and _blank(body[-1]):
        body.pop()
    if not body:
        return Preview(rows=[], file_errors=[_("The file has a header but no participants.")], package=package)
    if len(body) > MAX_ROWS:
        return Preview(rows=[], file_errors=[_("At most %(max)s rows per file.") % {"max": MAX_ROWS}], package=package)
    label = {name: header for header, name in COLUMNS}
    kelurahan = {_key(k.name): k for k in Kelurahan.objects.all()}
    kelurahan.update({_key(k.code): k for k in kelurahan.copy().values()})
    rows = []
    for offset, cells in enumerate(body):
        row = RowResult(line=header_index + offset + 2)
        if _blank(cells):
            row.errors.append(("", _("Empty row in the middle of the list: delete it.")))
            rows.append(row)
            continue
        cell = {name: (cells[position] if position < len(cells) else None) for name, position in columns.items()}
        _clean_row(row, cell, label, kelurahan)
        rows.append(row)
    _check_across_rows(rows, label, package)
    return Preview(rows=rows, file_errors=[], package=package)


def _clean_row(row: RowResult, cell: dict, label: dict, kelurahan: dict) -> None:
    def attempt(name, cleaner):
        try:
            row.data[name] = cleaner(cell.get(name))
        except ValidationError as error:
            row.errors.append((label[name], " ".join(error.messages)))

    def required_text(value):
        text = _text(value)
        if not text:
            raise ValidationError(_("This column cannot be empty."))
        return text

    def fits(name, text):
        limit = Participant._meta.get_field(name).max_length
        if limit and len(text) > limit:
            row.errors.append((label[name], _("At most %(limit)s characters.") % {"limit": limit}))
            return False
        return True

    attempt("nik", clean_nik)
    attempt("full_name", required_text)
    if "full_name" in row.data and not fits("full_name", row.data["full_name"]):
        del row.data["full_name"]
    attempt("sex", lambda v: _clean_choice(SEX, v, _("Write L or P.")))
    attempt("birth_date", clean_date)
    attempt(
        "education",
        lambda v: _clean_choice(EDUCATION, v, _("Write SD, SMP, SLTA, D3, S1 ... or the Dukcapil code 1-10.")),
    )
    if _text(cell.get("phone")):
        attempt("phone", lambda v: normalize_phone(_text(v)))
    for name in ("birth_place", "address", "ak1_number"):
        text = _text(cell.get(name))
        if text and fits(name, text):
            row.data[name] = text  # an empty cell leaves what is on record
    if "kelurahan" in cell and _text(cell["kelurahan"]):
        found = kelurahan.get(_key(cell["kelurahan"]))
        if found is None:
            row.errors.append(
                (label["kelurahan"], _("Not a kelurahan of Kota Pekalongan; leave it empty for people from outside."))
            )
        else:
            row.data["kelurahan"] = found
    for name in ("vocational_school", "has_disability"):
        if _text(cell.get(name)):
            attempt(name, _clean_bool)
    if "employment_status_at_intake" in cell and _text(cell["employment_status_at_intake"]):
        attempt(
            "employment_status_at_intake",
            lambda v: _clean_choice(
                EMPLOYMENT, v, _("Write Pengangguran, Bekerja, Wirausaha, Sekolah, IRT or Lainnya.")
            ),
        )
    if "beneficiary_group" in cell and _text(cell["beneficiary_group"]):
        attempt(
            "beneficiary_group",
            lambda v: _clean_choice(
                BENEFICIARY,
                v,
                _("Write Pencari kerja, Pekerja pabrik rokok, Keluarga pekerja pabrik rokok or Buruh tani tembakau."),
            ),
        )
    if "nik" in row.data:
        row.warnings = nik_warnings(row.data["nik"], sex=row.data.get("sex"), birth_date=row.data.get("birth_date"))


def _check_across_rows(rows: list[RowResult], label: dict, package: TrainingPackage | None) -> None:
    """Duplicates inside the file, existing people, and the package's seats and entry rules."""
    first_line = {}
    for row in rows:
        nik = row.data.get("nik")
        if not nik:
            continue
        if nik in first_line:
            row.errors.append((label["nik"], _("The same NIK as row %(line)s.") % {"line": first_line[nik]}))
        else:
            first_line[nik] = row.line
    existing = {}
    niks = list(first_line)
    for start in range(0, len(niks), 1000):
        existing.update(Participant.objects.filter(nik__in=niks[start : start + 1000]).in_bulk(field_name="nik"))
    for row in rows:
        person = existing.get(row.data.get("nik"))
        row.action = "update" if person else "new"
        if not person:  # the preview says what the file leaves empty, so nobody is answered for unseen
            row.warnings += [
                str(message) for name, (_value, message) in NEW_PERSON_DEFAULTS.items() if name not in row.data
            ]
        row.existing_pk = person.pk if person else None
    if package is None:
        return
    if not lifecycle.may_now(None, Enrollment.Status.ENROLLED, Role.STAFF, lifecycle.timing(package)):
        for row in rows:
            row.errors.append(("", _("Package %(code)s is completed or cancelled.") % {"code": package.code}))
        return
    already = set(
        Enrollment.objects.filter(package=package, participant__nik__in=niks).values_list("participant__nik", flat=True)
    )
    candidates = []
    for row in rows:
        if row.errors:
            continue
        nik = row.data["nik"]
        if nik in already:
            row.errors.append((label["nik"], _("Already in package %(code)s.") % {"code": package.code}))
            continue
        person = existing.get(nik) or Participant()
        for name, value in row.data.items():
            setattr(person, name, value)
        person.employment_status_at_intake = person.employment_status_at_intake or Participant.EmploymentStatus.OTHER
        candidates.append((row, person))
    # The entry rules for all rows at once: one query, not one per row.
    checked = eligibility_failures_for([person for _row, person in candidates], package)
    free = seats_left(package)
    wanted = 0
    for (row, _person), failures in zip(candidates, checked, strict=True):
        for failure in failures:
            row.errors.append(("", failure.reason))
        if failures:
            continue
        wanted += 1
        if wanted > free:
            row.errors.append(
                (
                    "",
                    _("No seat left in package %(code)s (%(left)s seats were free).")
                    % {"code": package.code, "left": max(free, 0)},
                )
            )


# --- the import ----------------------------------------------------------------------------------


@transaction.atomic
def import_rows(*, content: bytes, filename: str, package: TrainingPackage | None, actor) -> Preview:
    """Check the file again (inside the transaction, with the package locked) and write every row.

    Raises ValidationError, writing nothing, if any row has an error now.
    """
    if package is not None:
        package = TrainingPackage.objects.select_for_update().select_related("cohort__program").get(pk=package.pk)
    result = preview(content, filename, package)
    if not result.ok:
        raise ValidationError(_("The file has errors; nothing was imported. Correct them and upload it again."))
    defaults = {name: value for name, (value, _message) in NEW_PERSON_DEFAULTS.items()}
    records_changed.send(sender=Participant)
    new = [Participant(**{**defaults, **row.data}) for row in result.rows if row.action == "new"]
    bulk_create_with_history(new, Participant, batch_size=1000, default_user=actor)
    updates = [row for row in result.rows if row.action == "update"]
    people = Participant.objects.in_bulk([row.existing_pk for row in updates])
    changed_fields = set()
    for row in updates:
        person = people[row.existing_pk]
        for name, value in row.data.items():
            setattr(person, name, value)
            changed_fields.add(name)
    if updates:
        changed_fields.add("updated_at")
        now = timezone.now()
        for person in people.values():
            person.updated_at = now
        bulk_update_with_history(
            list(people.values()), Participant, sorted(changed_fields), batch_size=1000, default_user=actor
        )
    if package is not None:
        by_nik = Participant.objects.in_bulk([row.data["nik"] for row in result.rows], field_name="nik")
        today = timezone.localdate()
        enrollments = []
        for row in result.rows:
            enrollment = Enrollment(
                participant=by_nik[row.data["nik"]], package=package, source=Enrollment.Source.IMPORT, created_by=actor
            )
            lifecycle.apply(enrollment, Enrollment.Status.ENROLLED, actor=actor, today=today)
            enrollments.append(enrollment)
        bulk_create_with_history(enrollments, Enrollment, batch_size=1000, default_user=actor)
    return result


def template_sheet() -> Sheet:
    """The template: Indonesian headers and one example row, its NIK written as text."""
    example = [Text(EXAMPLE_ROW[0]), *EXAMPLE_ROW[1:]]
    return Sheet(
        "Peserta",
        [[header for header, _name in COLUMNS], example],
        bold_rows=[0],
        widths=dict.fromkeys("ABCDEFGHIJKLMN", 22),
    )
