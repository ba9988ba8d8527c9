"""Selection forms: the weights, a move in the ranking, a change of status after the decision, the
decision's confirmation, and scores imported from a file."""

import re
from dataclasses import dataclass, field
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from participants import imports, lifecycle
from participants.lifecycle import Role
from participants.models import Enrollment
from participants.nik import normalize_nik
from participants.services.selection import DOC_FIELDS, SCORE_FIELDS, parse_score
from pekalongan_training.forms import CHOOSE
from pekalongan_training.params import whole_number
from programs.models import TrainingPackage

NUMBER_INPUT = {"inputmode": "numeric", "autocomplete": "off", "class": "form-control text-end"}


def _weight_field(label) -> forms.IntegerField:
    """A weight in percent, typed as a whole number; one message for every way of getting it wrong."""
    message = _("Write the weight, a whole number from 0 to 100.")
    return forms.IntegerField(
        label=label,
        min_value=0,
        max_value=100,
        widget=forms.TextInput(attrs=NUMBER_INPUT),
        error_messages=dict.fromkeys(("required", "invalid", "min_value", "max_value"), message),
    )


class WeightsForm(forms.Form):
    """The package's two weights in percent; they add up to 100 (the model's check, said next to the field)."""

    test_weight = _weight_field(_("Written test weight (%)"))
    interview_weight = _weight_field(_("Interview or practical weight (%)"))

    def clean(self):
        cleaned = super().clean()
        test, interview = cleaned.get("test_weight"), cleaned.get("interview_weight")
        if test is not None and interview is not None and test + interview != 100:
            self.add_error(
                "interview_weight",
                _("The two weights must add up to 100; now they add up to %(sum)s.") % {"sum": test + interview},
            )
        return cleaned


def score_rows(data, *, documents: list[str]) -> tuple[list[dict], list[str]]:
    """The rows of the score sheet as posted: one per `row` id, its scores, and its document boxes.

    A box left unticked is not posted, so every document of `documents` is False unless posted.
    Returns the rows and what could not be read (an id that is no id).
    """
    rows, problems = [], []
    for value in data.getlist("row"):
        pk = whole_number(value)
        if pk is None:
            problems.append(str(_("A row of the list is not an applicant of this package.")))
            continue
        row = {"enrollment": pk}
        for name in SCORE_FIELDS:
            key = f"{name}-{pk}"
            if key in data:
                row[name] = data.get(key, "")
        for name in DOC_FIELDS:
            if name in documents:
                row[name] = f"{name}-{pk}" in data
        rows.append(row)
    return rows, problems


class MoveForm(forms.Form):
    """A move in the ranking: the rank (empty: back to the rank by score) and why."""

    position = forms.CharField(
        label=_("Move to rank"),
        required=False,
        max_length=10,
        widget=forms.TextInput(attrs={**NUMBER_INPUT, "class": "form-control form-control-sm text-end"}),
        help_text=_("Empty: back to the rank by score."),
    )
    reason = forms.CharField(
        label=_("Reason (kept)"),
        max_length=1000,
        widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
        error_messages={"required": _("Write why this person is moved; the reason is kept.")},
    )

    def clean_position(self):
        text = self.cleaned_data["position"].strip()
        if not text:
            return None
        position = whole_number(text, digits=4)
        if position is None or position < 1:
            raise ValidationError(_("Write the rank as a whole number, 1 for the first place."))
        return position


class StatusChangeForm(forms.Form):
    """After the decision: a person's new status (as the lifecycle allows staff now) and why."""

    status = forms.ChoiceField(
        label=_("New status"),
        choices=[],
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
        error_messages={
            "required": _("Choose the new status."),
            "invalid_choice": _("Choose one of the statuses offered."),
        },
    )
    reason = forms.CharField(
        label=_("Reason (kept)"),
        max_length=1000,
        widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
        error_messages={"required": _("Write the reason for this change; it is kept with the history.")},
    )

    def __init__(self, *args, targets: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", CHOOSE)] + [
            (status, Enrollment.Status(status).label) for status in targets
        ]


def status_targets(enrollment: Enrollment, when) -> list[str]:
    """The statuses staff may move this person to now (the lifecycle), other than the one they have."""
    return [status for status in lifecycle.targets(enrollment.status, Role.STAFF, when) if status != enrollment.status]


class DecideForm(forms.Form):
    """How many go on the waitlist, and the confirmation that the decision is meant."""

    waitlist = forms.IntegerField(
        label=_("How many go on the waitlist"),
        min_value=0,
        max_value=1000,
        widget=forms.TextInput(attrs={**NUMBER_INPUT, "class": "form-control text-end w-auto"}),
        help_text=_("They take a freed seat in rank order. The others are told they did not pass."),
        error_messages={
            "required": _("Write how many go on the waitlist, 0 or more."),
            "invalid": _("Write how many go on the waitlist, 0 or more."),
            "min_value": _("Write how many go on the waitlist, 0 or more."),
            "max_value": _("At most 1000 on the waitlist."),
        },
    )
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)


# --- scores from a file ----------------------------------------------------------------------------

# The columns a score file may have (header matched without case, spaces or punctuation).
RECEIPT_HEADERS = {
    "notandaterima",
    "nomortandaterima",
    "tandaterima",
    "nopendaftaran",
    "nomorpendaftaran",
    "receipt",
    "receiptnumber",
}
NIK_HEADERS = {"nik"}
TEST_HEADERS = {"nilaitestertulis", "testertulis", "nilaites", "tes", "test", "writtentest", "writtentestscore"}
INTERVIEW_HEADERS = {
    "nilaiwawancara",
    "nilaiwawancarapraktik",
    "nilaiwawancaraataupraktik",
    "nilaipraktik",
    "wawancara",
    "wawancarapraktik",
    "praktik",
    "interview",
    "interviewscore",
}
COLUMN_LABELS = {
    "receipt": "No. Tanda Terima",
    "nik": "NIK",
    "test_score": "Nilai Tes Tertulis",
    "interview_score": "Nilai Wawancara",
}


def _key(text) -> str:
    return re.sub(r"[^a-z0-9]", "", str(text or "").lower())


def _blank(cells) -> bool:
    return all(imports.cell_text(cell) == "" for cell in cells)


@dataclass
class ScoreRow:
    line: int
    enrollment: Enrollment | None = None
    scores: dict[str, Decimal | None] = field(default_factory=dict)  # only the columns filled in
    errors: list[tuple[str, str]] = field(default_factory=list)  # (column, message)


@dataclass
class ScoreFile:
    rows: list[ScoreRow]

    @property
    def errors(self) -> list[tuple[int, str, str]]:
        return [(row.line, column, message) for row in self.rows for column, message in row.errors]

    @property
    def ok(self) -> bool:
        return bool(self.rows) and not self.errors


def _cell(cells: list, position: int | None):
    if position is None or position >= len(cells):
        return None
    return cells[position]


def read_score_table(table: list[list], package: TrainingPackage) -> tuple[ScoreFile | None, list[str]]:
    """The rows of a score file matched to the package's applicants, each with what is wrong with it.

    A row names the applicant by receipt number or NIK (both: they must agree); an empty score
    cell leaves the stored score as it is. Returns the rows, or None and what is wrong with the file
    as a whole (no header, columns missing, no rows).
    """
    header_index = next((i for i, row in enumerate(table) if not _blank(row)), None)
    if header_index is None:
        return None, [str(_("The file is empty."))]
    columns: dict[str, int] = {}
    for position, header in enumerate(table[header_index]):
        key = _key(header)
        for name, keys in (
            ("receipt", RECEIPT_HEADERS),
            ("nik", NIK_HEADERS),
            ("test_score", TEST_HEADERS),
            ("interview_score", INTERVIEW_HEADERS),
        ):
            if key in keys and name not in columns:
                columns[name] = position
    problems = []
    if "receipt" not in columns and "nik" not in columns:
        problems.append(str(_("The file needs a column “No. Tanda Terima” or “NIK” to find each applicant.")))
    if "test_score" not in columns and "interview_score" not in columns:
        problems.append(str(_("The file needs a column “Nilai Tes Tertulis” or “Nilai Wawancara”.")))
    body = table[header_index + 1 :]
    while body and _blank(body[-1]):
        body.pop()
    if not problems and not body:
        problems.append(str(_("The file has a header but no rows.")))
    if problems:
        return None, problems
    applicants = list(
        Enrollment.objects.filter(package=package, status=Enrollment.Status.APPLIED).select_related("participant")
    )
    by_receipt = {}
    for enrollment in applicants:
        numbers = [enrollment.receipt_number, *(entry.get("receipt_number") for entry in enrollment.submitted or [])]
        for number in numbers:
            if number:
                by_receipt[_key(number)] = enrollment
    by_nik = {enrollment.participant.nik: enrollment for enrollment in applicants}
    rows, first_line = [], {}
    for offset, cells in enumerate(body):
        row = ScoreRow(line=header_index + offset + 2)
        rows.append(row)
        if _blank(cells):
            row.errors.append(("", str(_("Empty row in the middle of the list: delete it."))))
            continue
        found = []
        receipt = imports.cell_text(_cell(cells, columns.get("receipt")))
        if receipt:
            enrollment = by_receipt.get(_key(receipt))
            if enrollment is None:
                row.errors.append(
                    (
                        COLUMN_LABELS["receipt"],
                        str(_("No applicant of package %(code)s has this receipt number.") % {"code": package.code}),
                    )
                )
            else:
                found.append(enrollment)
        nik_cell = _cell(cells, columns.get("nik"))
        if imports.cell_text(nik_cell):
            try:
                nik = imports.clean_nik(nik_cell)
            except ValidationError as error:
                row.errors.append((COLUMN_LABELS["nik"], " ".join(error.messages)))
            else:
                enrollment = by_nik.get(normalize_nik(nik))
                if enrollment is None:
                    row.errors.append(
                        (
                            COLUMN_LABELS["nik"],
                            str(_("No applicant of package %(code)s has this NIK.") % {"code": package.code}),
                        )
                    )
                else:
                    found.append(enrollment)
        if not found and not row.errors:
            row.errors.append(("", str(_("Write the receipt number or the NIK of the applicant."))))
        elif len({enrollment.pk for enrollment in found}) > 1:
            row.errors.append(("", str(_("The receipt number and the NIK are of two different applicants."))))
        elif found:
            row.enrollment = found[0]
            if row.enrollment.pk in first_line:
                row.errors.append(
                    ("", str(_("The same applicant as row %(line)s.") % {"line": first_line[row.enrollment.pk]}))
                )
            else:
                first_line[row.enrollment.pk] = row.line
        for name in SCORE_FIELDS:
            value = _cell(cells, columns.get(name))
            if value is None or (isinstance(value, str) and not value.strip()):
                continue
            try:
                row.scores[name] = parse_score(value)
            except ValidationError as error:
                row.errors.append((COLUMN_LABELS[name], " ".join(error.messages)))
    return ScoreFile(rows), []


class ScoreImportForm(forms.Form):
    """A score file, read once here within the upload limits of participant lists (participants/imports.py)."""

    file = forms.FileField(
        label=_("Score list (.xlsx or .csv)"),
        help_text=_(
            "Columns: No. Tanda Terima or NIK, Nilai Tes Tertulis, Nilai Wawancara. At most 5 MB and 10,000 rows."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
        error_messages={"required": _("Choose the file to upload.")},
    )

    def __init__(self, *args, package: TrainingPackage, **kwargs):
        super().__init__(*args, **kwargs)
        self.package = package
        self.result: ScoreFile | None = None

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if len(self.files.getlist(self.add_prefix("file"))) > 1:
            raise ValidationError(_("Upload one file at a time."))
        if upload.size > imports.MAX_FILE_BYTES:
            raise ValidationError(_("The file is larger than 5 MB. Split the list into smaller files."))
        if not upload.name.lower().endswith((".xlsx", ".csv")):
            raise ValidationError(_("Upload an Excel file (.xlsx) or a CSV file (.csv)."))
        table = imports.read_table(upload.read(), upload.name)  # bounded; raises ValidationError with what to do
        result, problems = read_score_table(table, self.package)
        if problems:
            raise ValidationError(problems)
        self.result = result
        return upload
