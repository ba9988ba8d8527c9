"""Expenditure from a file: a list of payment documents (.xlsx or .csv) read, checked row by row, recorded.

The file is read by participants.imports.read_table, within the upload limits of participant lists
(its size is checked before anything is parsed), and holds at most MAX_ROWS entries. Columns (the
template's headers, matched ignoring case, spaces and punctuation): Kode Paket, Tanggal, Jumlah,
Jenis, Nomor Dokumen, Uraian, Alasan Melebihi Pagu.

Every cell is cleaned (a date as 27/11/2026, 2026-11-27 or an Excel date; an amount by the money
rule, 3.000.000, Rp 3.000.000 or 3000000; the kind by its label or value); then the rows without a
cell error are checked by programs.services.spending_record itself, in the file's order and
without saving (programs.forms.spending_errors), so that each row meets the pagu with the rows
above it. The preview carries the cleaned rows, signed, to the confirmation (SpendingConfirmForm),
which checks them again; `spending_import` records them all or none, in one transaction.
"""

import datetime
import re
from dataclasses import dataclass, field

from django import forms
from django.core import signing
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models.functions import Upper
from django.utils import translation
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from participants import imports
from pekalongan_training.formatting import rupiah
from pekalongan_training.money import MAX_RUPIAH, ParseError, parse_rupiah
from pekalongan_training.spreadsheets import Sheet, Text
from programs.forms import SpendingEntry, spending_errors, spending_record_all
from programs.models import Expenditure, TrainingPackage

MAX_ROWS = 1_000  # entries per file: each is checked by spending_record, one after the other

# Header in the template -> spending_record's field ("package": the package's code).
COLUMNS = [
    ("Kode Paket", "package"),
    ("Tanggal", "spent_on"),
    ("Jumlah", "amount"),
    ("Jenis", "kind"),
    ("Nomor Dokumen", "document_number"),
    ("Uraian", "description"),
    ("Alasan Melebihi Pagu", "over_pagu_reason"),
]
LABEL = {name: header for header, name in COLUMNS}
REQUIRED = ("package", "spent_on", "amount", "kind", "document_number")
TEXT_COLUMNS = ("A", "B", "E")  # the code, the date and the document number stay as typed
EXAMPLE_ROW = ["PKT-2026-001", "10/09/2026", "Rp 3.000.000", "Honor instruktur", "SP2D/0123/2026", "Honor 24 JP", ""]


def _key(text) -> str:
    return re.sub(r"[^a-z0-9]", "", str(text or "").lower())


HEADER_KEYS = {_key(header): name for header, name in COLUMNS}
HEADER_KEYS.update(
    {
        "kode": "package",
        "paket": "package",
        "kodepaketpelatihan": "package",
        "tgl": "spent_on",
        "tanggaldokumen": "spent_on",
        "tanggalbayar": "spent_on",
        "jumlahrp": "amount",
        "nilai": "amount",
        "nilairp": "amount",
        "jenisbelanja": "kind",
        "nodokumen": "document_number",
        "nomordokumen": "document_number",
        "nosp2d": "document_number",
        "nomorsp2d": "document_number",
        "keterangan": "description",
        "alasan": "over_pagu_reason",
        "alasanmelebihipagu": "over_pagu_reason",
    }
)
# How the dinas writes the kinds, besides their labels (in both languages) and values.
KIND_WORDS = {
    "honor": Expenditure.Kind.INSTRUCTOR_FEES,
    "honorarium": Expenditure.Kind.INSTRUCTOR_FEES,
    "honorinstruktur": Expenditure.Kind.INSTRUCTOR_FEES,
    "honorariuminstruktur": Expenditure.Kind.INSTRUCTOR_FEES,
    "instruktur": Expenditure.Kind.INSTRUCTOR_FEES,
    "bahan": Expenditure.Kind.MATERIALS,
    "bahanpelatihan": Expenditure.Kind.MATERIALS,
    "bahanpraktik": Expenditure.Kind.MATERIALS,
    "bahanpraktek": Expenditure.Kind.MATERIALS,
    "atk": Expenditure.Kind.MATERIALS,
    "uangsaku": Expenditure.Kind.ALLOWANCES,
    "uangsakupeserta": Expenditure.Kind.ALLOWANCES,
    "transport": Expenditure.Kind.ALLOWANCES,
    "uangtransport": Expenditure.Kind.ALLOWANCES,
    "konsumsi": Expenditure.Kind.MEALS,
    "makanminum": Expenditure.Kind.MEALS,
    "makandanminum": Expenditure.Kind.MEALS,
    "mamin": Expenditure.Kind.MEALS,
    "tempat": Expenditure.Kind.VENUE,
    "sewa": Expenditure.Kind.VENUE,
    "sewatempat": Expenditure.Kind.VENUE,
    "sertifikasi": Expenditure.Kind.CERTIFICATION,
    "sertifikat": Expenditure.Kind.CERTIFICATION,
    "ujikompetensi": Expenditure.Kind.CERTIFICATION,
    "lainnya": Expenditure.Kind.OTHER,
    "lainlain": Expenditure.Kind.OTHER,
}
SIGNING_SALT = "participants.spending-import"
PREVIEW_MAX_AGE = 9 * 60 * 60  # a working day (the session's length): then the file is uploaded again


def _kinds() -> dict[str, str]:
    lookup = {_key(value): value for value in Expenditure.Kind.values}
    for language in ("id", "en"):
        with translation.override(language):
            lookup.update({_key(label): value for value, label in Expenditure.Kind.choices})
    lookup.update(KIND_WORDS)
    return lookup


@dataclass
class SpendingRow:
    """One row of the file: its line in the spreadsheet, the values read, what is wrong with it."""

    line: int
    values: dict = field(default_factory=dict)  # package (the code), spent_on, amount, kind, ...
    errors: list[tuple[str, str]] = field(default_factory=list)  # (column header, message)
    package: TrainingPackage | None = None

    @property
    def kind_label(self) -> str:
        kind = self.values.get("kind")
        return Expenditure.Kind(kind).label if kind in Expenditure.Kind.values else ""


@dataclass
class SpendingFile:
    rows: list[SpendingRow]

    @property
    def errors(self) -> list[tuple[int, str, str]]:
        """(line, column, message), by row and in the columns' order (a row's own errors first)."""
        order = {header: index for index, (header, _name) in enumerate(COLUMNS, start=1)}
        return [
            (row.line, column, message)
            for row in self.rows
            for column, message in sorted(row.errors, key=lambda error: order.get(error[0], 0))
        ]

    @property
    def ok(self) -> bool:
        return bool(self.rows) and not self.errors

    @property
    def error_count(self) -> int:
        return sum(1 for row in self.rows if row.errors)

    @property
    def total(self) -> int:
        return sum(row.values.get("amount") or 0 for row in self.rows)

    def payload(self) -> str:
        """The cleaned rows, signed: what the confirmation records is what the preview showed."""
        return signing.dumps(
            [[row.line, {**row.values, "spent_on": row.values["spent_on"].isoformat()}] for row in self.rows],
            salt=SIGNING_SALT,
            compress=True,
        )


# --- reading the cells ----------------------------------------------------------------------------


def clean_date(value) -> datetime.date:
    try:
        return imports._read_date(value)  # 27/11/2026, 27-11-2026, 2026-11-27 or an Excel date
    except (ValidationError, OverflowError, ValueError):
        raise ValidationError(_("Write the date as 27/11/2026 or 2026-11-27.")) from None


def clean_amount(value) -> int:
    """Whole rupiah by the money rule: 3000000, 3.000.000, Rp 3.000.000 (or a number cell)."""
    message = _("Write the amount in whole rupiah, like 3.000.000 or Rp 3.000.000.")
    if isinstance(value, bool):
        raise ValidationError(message)
    if isinstance(value, float):
        if not value.is_integer():
            raise ValidationError(message)
        value = int(value)
    if isinstance(value, int):
        amount = value
    else:
        try:
            amount = parse_rupiah(imports.cell_text(value))
        except ParseError:
            raise ValidationError(message) from None
    if amount <= 0:
        raise ValidationError(_("The amount must be more than Rp0; write it like 3.000.000."))
    if amount > MAX_RUPIAH:
        raise ValidationError(
            _("An amount above %(max)s cannot be right; check the digits.") % {"max": rupiah(MAX_RUPIAH)}
        )
    return amount


def _clean_row(row: SpendingRow, cell: dict, kinds: dict) -> None:
    def attempt(name, cleaner):
        try:
            row.values[name] = cleaner(cell.get(name))
        except ValidationError as error:
            row.errors.append((LABEL[name], " ".join(error.messages)))

    def text(name, *, required=False):
        def cleaner(value):
            written = imports.cell_text(value)
            if required and not written:
                raise ValidationError(_("This column cannot be empty."))
            model = TrainingPackage if name == "package" else Expenditure
            limit = model._meta.get_field("code" if name == "package" else name).max_length
            if limit and len(written) > limit:
                raise ValidationError(_("At most %(limit)s characters.") % {"limit": limit})
            return written

        return cleaner

    def kind(value):
        found = kinds.get(_key(imports.cell_text(value)))
        if found is None:
            raise ValidationError(
                _("Write one of: %(kinds)s.") % {"kinds": ", ".join(str(label) for label in Expenditure.Kind.labels)}
            )
        return found

    attempt("package", text("package", required=True))
    attempt("spent_on", clean_date)
    attempt("amount", clean_amount)
    attempt("kind", kind)
    attempt("document_number", text("document_number", required=True))
    attempt("description", text("description"))
    row.values["over_pagu_reason"] = imports.cell_text(cell.get("over_pagu_reason"))


def read_spending_table(table: list[list]) -> tuple[SpendingFile | None, list[str]]:
    """The rows of a table read from the file, checked; or what is wrong with the file as a whole."""
    header_index = next((i for i, cells in enumerate(table) if not imports._blank(cells)), None)
    if header_index is None:
        return None, [_("The file is empty.")]
    columns = {}
    for position, header in enumerate(table[header_index]):
        name = HEADER_KEYS.get(_key(header))
        if name and name not in columns:
            columns[name] = position
    missing = [LABEL[name] for name in REQUIRED if name not in columns]
    if missing:
        return None, [_("Columns missing: %(columns)s. Use the template.") % {"columns": ", ".join(missing)}]
    body = table[header_index + 1 :]
    while body and imports._blank(body[-1]):
        body.pop()
    if not body:
        return None, [_("The file has a header but no spending entries.")]
    if len(body) > MAX_ROWS:
        return None, [
            _("The file has more than %(max)s entries; split it into several files.")
            % {"max": number_format(MAX_ROWS, force_grouping=True)}
        ]
    kinds = _kinds()
    rows = []
    for offset, cells in enumerate(body):
        row = SpendingRow(line=header_index + offset + 2)
        if imports._blank(cells):
            row.errors.append(("", _("Empty row in the middle of the list: delete it.")))
        else:
            cell = {name: (cells[position] if position < len(cells) else None) for name, position in columns.items()}
            _clean_row(row, cell, kinds)
        rows.append(row)
    result = SpendingFile(rows)
    check_rows(result)
    return result, []


# --- checking the rows together -------------------------------------------------------------------

SAME_ENTRY = ("spent_on", "amount", "kind", "document_number")


def check_rows(result: SpendingFile) -> None:
    """The packages, entries already recorded or twice in the file, then spending_record's own rules.

    A fixed number of queries for the lookups; spending_record then runs once per row (in a
    savepoint that is rolled back), so the pagu counts the rows above.
    """
    codes = {row.values["package"].upper() for row in result.rows if row.values.get("package")}
    packages = {
        package.code.upper(): package
        for package in TrainingPackage.objects.annotate(code_key=Upper("code"))
        .filter(code_key__in=codes)
        .select_related("cohort__program")
    }
    recorded = {}
    for entry in Expenditure.objects.filter(package__in=packages.values()).only("package_id", *SAME_ENTRY):
        recorded.setdefault((entry.package_id, *(getattr(entry, name) for name in SAME_ENTRY)), entry)
    first_line = {}
    for row in result.rows:
        code = row.values.get("package")
        if not code:
            continue
        row.package = packages.get(code.upper())
        if row.package is None:
            row.errors.append((LABEL["package"], _("No package has the code %(code)s.") % {"code": code}))
            continue
        if row.errors:
            continue
        same = (row.package.pk, *(row.values[name] for name in SAME_ENTRY))
        if same in recorded:
            row.errors.append(
                ("", _("This entry is already recorded (same package, date, amount, kind and document)."))
            )
        elif same in first_line:
            row.errors.append(("", _("The same entry as row %(line)s.") % {"line": first_line[same]}))
        else:
            first_line[same] = row.line
    checked = [row for row in result.rows if not row.errors]
    for row, errors in zip(checked, spending_errors(entries(checked)), strict=True):
        for name, messages in errors.items():
            column = LABEL.get(name, "") if name != NON_FIELD_ERRORS else ""
            row.errors += [(column, message) for message in messages]


def entries(rows: list[SpendingRow]) -> list[SpendingEntry]:
    return [
        SpendingEntry(
            package=row.package,
            fields={name: value for name, value in row.values.items() if name != "package"},
        )
        for row in rows
    ]


@transaction.atomic
def spending_import(*, result: SpendingFile, by) -> list[Expenditure]:
    """Check the rows again and record every one through spending_record, or none (ValidationError)."""
    check_rows(result)
    if not result.ok:
        raise ValidationError(_("The file has errors; nothing was imported. Correct them and upload it again."))
    return spending_record_all(entries(result.rows), by=by)


# --- the forms ------------------------------------------------------------------------------------


class SpendingUploadForm(forms.Form):
    """The file, read once here within the upload limits; `result` holds its rows, checked."""

    file = forms.FileField(
        label=gettext_lazy("Expenditure list (.xlsx or .csv)"),
        help_text=gettext_lazy("Use the template. At most 5 MB and 1,000 entries."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
        error_messages={"required": gettext_lazy("Choose the file to upload.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.result: SpendingFile | None = None

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if len(self.files.getlist(self.add_prefix("file"))) > 1:  # only a crafted post sends two
            raise ValidationError(_("Upload one file at a time."))
        if upload.size > imports.MAX_FILE_BYTES:  # before a byte is parsed
            raise ValidationError(_("The file is larger than 5 MB. Split the list into smaller files."))
        if not upload.name.lower().endswith((".xlsx", ".csv")):
            raise ValidationError(_("Upload an Excel file (.xlsx) or a CSV file (.csv)."))
        table = imports.read_table(upload.read(), upload.name)  # bounded; raises ValidationError with what to do
        result, problems = read_spending_table(table)
        if problems:
            raise ValidationError(problems)
        self.result = result
        return upload


class SpendingConfirmForm(forms.Form):
    """The confirmation of a preview: its rows, signed, checked again."""

    payload = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.result: SpendingFile | None = None

    def clean_payload(self):
        expired = _("This preview has expired or was changed; upload the file again.")
        try:
            rows = signing.loads(self.cleaned_data["payload"], salt=SIGNING_SALT, max_age=PREVIEW_MAX_AGE)
            self.result = SpendingFile(
                [
                    SpendingRow(
                        line=line, values={**values, "spent_on": datetime.date.fromisoformat(values["spent_on"])}
                    )
                    for line, values in rows
                ]
            )
        except (signing.BadSignature, ValueError, TypeError, KeyError):
            raise ValidationError(expired) from None
        return self.cleaned_data["payload"]


# --- the template ---------------------------------------------------------------------------------


def template_sheets() -> list[Sheet]:
    """The sheet to fill in (the code, date and document number columns text), then an example."""
    letters = [chr(ord("A") + index) for index in range(len(COLUMNS))]
    fill_in = Sheet(
        "Belanja",
        [[header for header, _name in COLUMNS]],
        bold_rows=[0],
        widths=dict.fromkeys(letters, 22),
        freeze="A2",
        text_columns=TEXT_COLUMNS,
        text_rows=MAX_ROWS + 1,
    )
    instructions = [
        _("Example: this sheet is not imported. Fill in the first sheet, “Belanja”, one payment document per row."),
        _("Kode Paket: the package's code as in the admin. Tanggal: the document's date, like 10/09/2026."),
        _("Jumlah: whole rupiah, like 3.000.000 or Rp 3.000.000. Nomor Dokumen: the SP2D, receipt or voucher number."),
        _("Jenis: one of %(kinds)s.") % {"kinds": ", ".join(str(label) for label in Expenditure.Kind.labels)},
        _("Alasan Melebihi Pagu: only when the entry takes the package above its pagu."),
    ]
    example = Sheet(
        "Contoh",
        [
            *[[line] for line in instructions],
            [],
            [header for header, _name in COLUMNS],
            [Text(EXAMPLE_ROW[0]), Text(EXAMPLE_ROW[1]), *EXAMPLE_ROW[2:]],
        ],
        bold_rows=[0, len(instructions) + 1],
        widths=dict.fromkeys(letters, 22),
    )
    return [fill_in, example]
