"""Participant lists as kelurahan offices and factories really send them, read, checked and imported.

All rows or none: `preview` reads the file (within the limits under "reading") and says for
every row what would happen, with every error by row and column; `import_rows` writes everything
in one transaction, and only when the preview has no error. CSV (";" or ",", UTF-8 with or
without BOM, or Windows-1252) and XLSX.
"""

import codecs
import csv
import datetime
import io
import posixpath
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from xml.parsers import expat

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from participants import lifecycle
from participants.eligibility import eligibility_failures_for
from participants.lifecycle import Role
from participants.models import Enrollment, Participant
from participants.nik import nik_warnings, normalize_nik, parse_kk, parse_nik
from participants.services import seats_left
from pekalongan_training.phones import normalize_phone
from pekalongan_training.signals import records_changed
from pekalongan_training.spreadsheets import Sheet, Text
from programs.models import Kelurahan, TrainingPackage

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
    ("Tempat Kerja", "employer_name"),
    ("Kelompok Sasaran", "beneficiary_group"),
    ("No. KK", "kk_number"),
    ("No. Kartu AK1", "ak1_number"),
    ("Tanggal Terbit AK1", "ak1_issued_on"),
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
# The template's example, on its "Contoh" sheet; a file that holds it as a row is refused (`_is_example`).
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
    "",
    "Pencari kerja",
    "3375010101200001",
    "",
    "",
    "Tidak",
]


def _key(text) -> str:
    return re.sub(r"[^a-z0-9]", "", str(text or "").lower())


HEADER_KEYS = {_key(header): name for header, name in COLUMNS}
HEADER_KEYS.update({_key(header.split(" (")[0]): name for header, name in COLUMNS})
HEADER_KEYS.update({"nohp": "phone", "hp": "phone", "telepon": "phone", "nama": "full_name", "jk": "sex"})
HEADER_KEYS.update({"nokartukeluarga": "kk_number", "kk": "kk_number", "perusahaan": "employer_name"})

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
        """Rows without an error that would add a person."""
        return sum(1 for row in self.rows if row.action == "new" and not row.errors)

    @property
    def update_count(self) -> int:
        """Rows without an error that would update a person already registered."""
        return sum(1 for row in self.rows if row.action == "update" and not row.errors)

    @property
    def error_count(self) -> int:
        """Rows with at least one error: neither new nor updated, and nothing imported while any is left."""
        return sum(1 for row in self.rows if row.errors)


# --- reading -------------------------------------------------------------------------------------
#
# Uploads are read within hard limits, checked before anything is built from them: a 34 KB
# workbook can claim a million cells in one row or a 50 MB string, and a zip part can unpack to
# gigabytes. An XLSX is read here from its XML with expat (a streaming parser: constant memory,
# no DTD, no entities), not by openpyxl, which builds every cell of a row before any cut.

MAX_FILE_BYTES = 5 * 1024 * 1024  # the upload as sent
MAX_ROWS = 10_000  # participants per file
MAX_TABLE_ROWS = MAX_ROWS + 10  # the header and a few title lines above it
MAX_COLUMNS = 40  # columns read; cells further right are ignored
MAX_ROW_CELLS = 1_000  # cells written in one row of a sheet (Excel writes only cells with content)
MAX_CELL_CHARS = 5_000  # one cell; no column of the template takes more than 255
MAX_LINE_CHARS = 20_000  # one line of a CSV file
MAX_PARTS = 100  # parts in an XLSX (Excel writes about a dozen)
MAX_CENTRAL_DIRECTORY = 64 * 1024
MAX_PART_BYTES = 64 * 1024 * 1024  # one part, unpacked: a 10,000-row sheet is about 10 MB
MAX_UNPACKED_BYTES = 100 * 1024 * 1024  # all parts, unpacked
MAX_SHARED_STRINGS_BYTES = 32 * 1024 * 1024
MAX_SHARED_STRINGS = MAX_TABLE_ROWS * MAX_COLUMNS
MAX_SMALL_PART_BYTES = 4 * 1024 * 1024  # workbook, relationships, styles
CHUNK = 64 * 1024


def _not_a_workbook() -> ValidationError:
    return ValidationError(
        _("The file is not a spreadsheet the template made; save it again as .xlsx from Excel or upload a CSV.")
    )


def _too_many_rows() -> ValidationError:
    return ValidationError(
        _("The file has more than %(max)s rows; split it into several files.")
        % {"max": number_format(MAX_ROWS, force_grouping=True)}
    )


def _too_many_columns() -> ValidationError:
    return ValidationError(
        _("A row of the file has more than %(max)s cells; delete the columns that are not in the template.")
        % {"max": number_format(MAX_ROW_CELLS, force_grouping=True)}
    )


def _too_long_cell() -> ValidationError:
    return ValidationError(
        _("A cell of the file has more than %(max)s characters; shorten it or delete it.")
        % {"max": number_format(MAX_CELL_CHARS, force_grouping=True)}
    )


def _too_large_unpacked() -> ValidationError:
    return ValidationError(
        _("The file unpacks to more than %(max)s MB; save it again as .xlsx from Excel, or split it.")
        % {"max": MAX_UNPACKED_BYTES // (1024 * 1024)}
    )


def _too_large_file() -> ValidationError:
    return ValidationError(_("The file is larger than 5 MB. Split the list into smaller files."))


def read_table(content: bytes, filename: str) -> list[list]:
    """The file's cells, row by row (XLSX cells keep their types; CSV cells are strings).

    Every limit above is checked while reading, so a hostile file costs a few megabytes and a
    moment; it raises ValidationError, with what to do, for a file that cannot or may not be read.
    Rows are MAX_COLUMNS wide for XLSX (as openpyxl gave them) and as written for CSV; blank rows
    at the end are left out.
    """
    if len(content) > MAX_FILE_BYTES:
        raise _too_large_file()
    workbook = content[:2] == b"PK" or filename.lower().endswith(".xlsx")
    table = _read_xlsx(content) if workbook else _read_csv(content)
    while table and _blank(table[-1]):
        table.pop()
    return table


def storable(table: list[list]) -> list[list]:
    """The table as JSON keeps it (`ParticipantImport.rows`): a date becomes "1990-11-27", the rest stays."""
    return [[_storable_cell(cell) for cell in row] for row in table]


def _storable_cell(cell):
    if isinstance(cell, datetime.datetime):
        return cell.date().isoformat() if cell.time() == datetime.time(0) else cell.isoformat(sep=" ")
    if isinstance(cell, datetime.date | datetime.time | datetime.timedelta):
        return str(cell)
    return cell


def _decode(content: bytes) -> str:
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):  # Excel's "Unicode" CSV
        try:
            return content.decode("utf-16")
        except UnicodeDecodeError:
            pass
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    return content.decode("latin-1")


def _read_csv(content: bytes) -> list[list]:
    text = _decode(content).replace("\x00", "")
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","

    def lines():
        for line in io.StringIO(text, newline=""):
            if len(line) > MAX_LINE_CHARS:
                raise _too_long_cell()
            yield line

    table = []
    try:
        # csv's own field limit (131,072 characters, process-wide: not changed here) bounds a field
        # spanning lines; MAX_CELL_CHARS is checked on each field below.
        for row in csv.reader(lines(), delimiter=delimiter):
            if any(len(cell) > MAX_CELL_CHARS for cell in row):
                raise _too_long_cell()
            if len(table) >= MAX_TABLE_ROWS:
                if not _blank(row):
                    raise _too_many_rows()
                continue
            table.append(row[:MAX_COLUMNS])
    except csv.Error as error:
        if "field larger than field limit" in str(error):
            raise _too_long_cell() from error
        raise ValidationError(_("The file cannot be read as a CSV file. Save it again from Excel as CSV.")) from error
    return table


class _Refused(Exception):
    """Raised inside the expat handlers to stop at once; carries the ValidationError."""

    def __init__(self, error: ValidationError):
        self.error = error


def _local(name: str) -> str:
    return name.rsplit("}", 1)[-1]


def _parse_part(archive: zipfile.ZipFile, name: str, cap: int, start=None, end=None, text=None) -> None:
    """Stream one part of the zip through expat, at most `cap` bytes whatever its header says."""
    parser = expat.ParserCreate(namespace_separator="}")

    def refuse_dtd(*_args):
        raise _Refused(_not_a_workbook())

    parser.StartDoctypeDeclHandler = refuse_dtd
    parser.EntityDeclHandler = refuse_dtd
    if start:
        parser.StartElementHandler = lambda tag, attrs: start(_local(tag), {_local(k): v for k, v in attrs.items()})
    if end:
        parser.EndElementHandler = lambda tag: end(_local(tag))
    if text:
        parser.CharacterDataHandler = text
    try:
        with archive.open(name) as stream:
            read = 0
            while chunk := stream.read(CHUNK):
                read += len(chunk)
                if read > cap:
                    raise _too_large_unpacked()
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
    except _Refused as refused:
        raise refused.error from None
    except (expat.ExpatError, zipfile.BadZipFile, KeyError, ValueError, OSError, EOFError, zlib.error) as error:
        raise _not_a_workbook() from error


def _check_zip(content: bytes) -> zipfile.ZipFile:
    """The zip's directory, checked before zipfile builds anything from it."""
    end = content.rfind(b"PK\x05\x06", max(0, len(content) - 65_557))
    if end < 0 or len(content) < end + 22:
        raise _not_a_workbook()
    entries, directory_size = struct.unpack("<HI", content[end + 10 : end + 16])
    if entries > MAX_PARTS or directory_size > MAX_CENTRAL_DIRECTORY:
        raise _not_a_workbook()
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as error:
        raise _not_a_workbook() from error
    parts = archive.infolist()
    if len(parts) > MAX_PARTS or any(part.flag_bits & 0x1 for part in parts):  # 0x1: encrypted
        raise _not_a_workbook()
    if any(part.file_size > MAX_PART_BYTES for part in parts) or sum(p.file_size for p in parts) > MAX_UNPACKED_BYTES:
        raise _too_large_unpacked()
    return archive


def _part_path(target: str) -> str:
    return target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))


def _read_xlsx(content: bytes) -> list[list]:
    archive = _check_zip(content)
    names = set(archive.namelist())
    if "xl/workbook.xml" not in names:
        raise _not_a_workbook()
    workbook = {"sheet": None, "epoch": CALENDAR_WINDOWS_1900}

    def workbook_start(tag, attrs):
        if tag == "sheet" and workbook["sheet"] is None:
            workbook["sheet"] = attrs.get("id")
        elif tag == "workbookPr" and attrs.get("date1904") in ("1", "true"):
            workbook["epoch"] = CALENDAR_MAC_1904

    _parse_part(archive, "xl/workbook.xml", MAX_SMALL_PART_BYTES, start=workbook_start)
    relations = {}

    def relation_start(tag, attrs):
        if tag == "Relationship" and len(relations) < MAX_PARTS:
            relations[attrs.get("Id")] = (attrs.get("Type", ""), _part_path(attrs.get("Target", "")))

    if "xl/_rels/workbook.xml.rels" in names:
        _parse_part(archive, "xl/_rels/workbook.xml.rels", MAX_SMALL_PART_BYTES, start=relation_start)
    sheet = relations.get(workbook["sheet"], ("", "xl/worksheets/sheet1.xml"))[1]
    by_type = {kind.rsplit("/", 1)[-1]: path for kind, path in relations.values()}
    strings = _shared_strings(archive, by_type.get("sharedStrings", "xl/sharedStrings.xml"), names)
    dates, durations = _date_styles(archive, by_type.get("styles", "xl/styles.xml"), names)
    if sheet not in names:
        raise _not_a_workbook()
    return _sheet_rows(archive, sheet, strings, dates, durations, workbook["epoch"])


def _shared_strings(archive, name, names) -> list[str]:
    strings: list[str] = []
    state = {"parts": None, "length": 0, "in_t": False, "phonetic": 0}

    def start(tag, _attrs):
        if tag == "si":
            if len(strings) >= MAX_SHARED_STRINGS:
                raise _Refused(_too_many_rows())
            state.update(parts=[], length=0)
        elif tag == "rPh":
            state["phonetic"] += 1
        elif tag == "t" and state["parts"] is not None and not state["phonetic"]:
            state["in_t"] = True

    def end(tag):
        if tag == "si":
            strings.append("".join(state["parts"] or []))
            state["parts"] = None
        elif tag == "rPh":
            state["phonetic"] -= 1
        elif tag == "t":
            state["in_t"] = False

    def text(data):
        if state["in_t"]:
            state["length"] += len(data)
            if state["length"] > MAX_CELL_CHARS:
                raise _Refused(_too_long_cell())
            state["parts"].append(data)

    if name in names:
        _parse_part(archive, name, MAX_SHARED_STRINGS_BYTES, start=start, end=end, text=text)
    return strings


def _date_styles(archive, name, names) -> tuple[set[int], set[int]]:
    """The cell styles whose number format is a date (or a duration): their numbers are Excel dates."""
    formats = dict(BUILTIN_FORMATS)
    styles: list[int] = []
    state = {"in_xfs": False}

    def start(tag, attrs):
        if tag == "numFmt" and len(formats) < 1000:
            formats[int(attrs.get("numFmtId", -1))] = attrs.get("formatCode", "")
        elif tag == "cellXfs":
            state["in_xfs"] = True
        elif tag == "xf" and state["in_xfs"] and len(styles) < 65_000:
            styles.append(int(attrs.get("numFmtId", 0)))

    def end(tag):
        if tag == "cellXfs":
            state["in_xfs"] = False

    if name in names:
        _parse_part(archive, name, MAX_SMALL_PART_BYTES, start=start, end=end)
    dates = {i for i, fmt in enumerate(styles) if fmt in formats and is_date_format(formats[fmt])}
    durations = {i for i in dates if is_timedelta_format(formats[styles[i]])}
    return dates, durations


def _column(reference: str) -> int:
    number = 0
    for letter in reference:
        if not "A" <= letter <= "Z":
            break
        number = number * 26 + ord(letter) - 64
    return number


def _cast_number(text: str):
    return float(text) if "." in text or "E" in text or "e" in text else int(text)


def _sheet_rows(archive, name, strings, dates, durations, epoch) -> list[list]:
    """The first sheet's values (as openpyxl's data_only gives them), row by row, within the limits."""
    table: list[list] = []
    row: dict[int, object] = {}
    cell = {"column": 0, "type": "n", "style": 0, "text": None, "length": 0, "in_value": False}
    state = {"row": 0, "cells": 0, "in_inline": False}

    def start(tag, attrs):
        if tag == "c":
            state["cells"] += 1
            if state["cells"] > MAX_ROW_CELLS:
                raise _Refused(_too_many_columns())
            reference = attrs.get("r")
            column = _column(reference) if reference else cell["column"] + 1
            if not 1 <= column <= 16_384:
                raise _Refused(_not_a_workbook())
            cell.update(column=column, type=attrs.get("t", "n"), style=int(attrs.get("s", 0)), text=None, length=0)
        elif tag == "v" or (tag == "t" and state["in_inline"]):
            cell["in_value"] = True
            if cell["text"] is None:
                cell["text"] = []
        elif tag == "is":
            state["in_inline"] = True
        elif tag == "row":
            number = int(attrs["r"]) if attrs.get("r") else state["row"] + 1
            if number <= state["row"]:
                raise _Refused(_not_a_workbook())
            state.update(row=number, cells=0)
            row.clear()
            cell["column"] = 0
        elif tag == "dimension":
            last = attrs.get("ref", "").split(":")[-1]
            digits = "".join(ch for ch in last if ch.isdigit())
            if digits and int(digits) > MAX_TABLE_ROWS + 10_000:  # far more than a list: do not start
                raise _Refused(_too_many_rows())
            if _column(last) > MAX_ROW_CELLS:
                raise _Refused(_too_many_columns())

    def end(tag):
        if tag in ("v", "t"):
            cell["in_value"] = False
        elif tag == "is":
            state["in_inline"] = False
        elif tag == "c":
            value = _cell_value(cell, strings, dates, durations, epoch)
            if value is not None and cell["column"] <= MAX_COLUMNS:
                row[cell["column"]] = value
        elif tag == "row" and row:
            if state["row"] > MAX_TABLE_ROWS:
                raise _Refused(_too_many_rows())
            while len(table) < state["row"] - 1:
                table.append([None] * MAX_COLUMNS)
            table.append([row.get(column) for column in range(1, MAX_COLUMNS + 1)])

    def text(data):
        if cell["in_value"]:
            cell["length"] += len(data)
            if cell["length"] > MAX_CELL_CHARS:
                raise _Refused(_too_long_cell())
            cell["text"].append(data)

    _parse_part(archive, name, MAX_PART_BYTES, start=start, end=end, text=text)
    return table


def _cell_value(cell, strings, dates, durations, epoch):
    if cell["text"] is None:
        return None
    text = "".join(cell["text"])
    kind = cell["type"]
    try:
        if kind == "s":
            return strings[int(text)]
        if kind in ("inlineStr", "str", "e"):
            return text
        if kind == "b":
            return bool(int(text))
        if kind == "d":
            return datetime.datetime.fromisoformat(text.rstrip("Z"))
        if not text:
            return None
        value = _cast_number(text)
        if cell["style"] in dates:
            return from_excel(value, epoch, timedelta=cell["style"] in durations)
        return value
    except (ValueError, IndexError, OverflowError, TypeError) as error:
        raise _Refused(_not_a_workbook()) from error


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


def clean_kk(value) -> str:
    """A No. KK, refused like a NIK when Excel stored it as a number (it loses digits)."""
    if isinstance(value, float) or (isinstance(value, int) and not isinstance(value, bool)):
        raise ValidationError(
            _("Excel stored the No. KK as a number, which loses digits. Format the column as Text and type it again.")
        )
    kk_number = normalize_nik(str(value or "").strip())
    parse_kk(kk_number)
    return kk_number


def clean_issue_date(value) -> datetime.date:
    """The day a card was issued, written any of the ways a date is: not after today."""
    date = _read_date(value)
    if not datetime.date(1970, 1, 1) <= date <= datetime.date.today():
        raise ValidationError(_("The day the card was issued must be between 1970 and today."))
    return date


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


def cell_text(value) -> str:
    """A cell as text: a whole number from a spreadsheet without its ".0", spaces squeezed."""
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
    return preview_table(table, package)


def _header_and_body(table: list[list]) -> tuple[int, dict[str, int], list[list], list[str]]:
    """The header's line, the template's columns found in it, the rows below, and what is wrong with
    the file as a whole (empty, columns missing, no participants, too many)."""
    header_index = next((i for i, row in enumerate(table) if not _blank(row)), None)
    if header_index is None:
        return 0, {}, [], [_("The file is empty.")]
    columns = {}
    for position, header in enumerate(table[header_index]):
        name = HEADER_KEYS.get(_key(header))
        if name and name not in columns:
            columns[name] = position
    missing = [header for header, name in COLUMNS if name in REQUIRED and name not in columns]
    if missing:
        return (
            header_index,
            columns,
            [],
            [_("Columns missing: %(columns)s. Use the template.") % {"columns": ", ".join(missing)}],
        )
    body = table[header_index + 1 :]
    while body and _blank(body[-1]):
        body.pop()
    if not body:
        return header_index, columns, [], [_("The file has a header but no participants.")]
    if len(body) > MAX_ROWS:
        return header_index, columns, [], _too_many_rows().messages
    return header_index, columns, body, []


def table_errors(table: list[list]) -> list[str]:
    """What is wrong with a table as a whole, before its rows are checked (the upload refuses it)."""
    return _header_and_body(list(table))[3]


def preview_table(table: list[list], package: TrainingPackage | None = None) -> Preview:
    """Check every row of a table already read (`read_table`, or the rows kept at upload); nothing is written."""
    header_index, columns, body, file_errors = _header_and_body(list(table))
    if file_errors:
        return Preview(rows=[], file_errors=file_errors, package=package)
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
        if _is_example(row):
            row.errors.append(
                (
                    label["nik"],
                    _("This is the template's example row (%(name)s), not a real person: delete it.")
                    % {"name": EXAMPLE_ROW[1]},
                )
            )
        rows.append(row)
    _check_across_rows(rows, label, package)
    return Preview(rows=rows, file_errors=[], package=package)


def _is_example(row: RowResult) -> bool:
    """The example row, as templates handed out before it moved to its own sheet had it on the first."""
    return row.data.get("nik") == EXAMPLE_ROW[0] and _key(row.data.get("full_name")) == _key(EXAMPLE_ROW[1])


def _clean_row(row: RowResult, cell: dict, label: dict, kelurahan: dict) -> None:
    def attempt(name, cleaner):
        try:
            row.data[name] = cleaner(cell.get(name))
        except ValidationError as error:
            row.errors.append((label[name], " ".join(error.messages)))

    def required_text(value):
        text = cell_text(value)
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
    if cell_text(cell.get("phone")):
        attempt("phone", lambda v: normalize_phone(cell_text(v)))
    for name in ("birth_place", "address", "ak1_number", "employer_name"):
        text = cell_text(cell.get(name))
        if text and fits(name, text):
            row.data[name] = text  # an empty cell leaves what is on record
    if cell_text(cell.get("kk_number")):
        attempt("kk_number", clean_kk)
    if cell_text(cell.get("ak1_issued_on")):
        attempt("ak1_issued_on", clean_issue_date)
    if "kelurahan" in cell and cell_text(cell["kelurahan"]):
        found = kelurahan.get(_key(cell["kelurahan"]))
        if found is None:
            row.errors.append(
                (label["kelurahan"], _("Not a kelurahan of Kota Pekalongan; leave it empty for people from outside."))
            )
        else:
            row.data["kelurahan"] = found
    for name in ("vocational_school", "has_disability"):
        if cell_text(cell.get(name)):
            attempt(name, _clean_bool)
    if "employment_status_at_intake" in cell and cell_text(cell["employment_status_at_intake"]):
        attempt(
            "employment_status_at_intake",
            lambda v: _clean_choice(
                EMPLOYMENT, v, _("Write Pengangguran, Bekerja, Wirausaha, Sekolah, IRT or Lainnya.")
            ),
        )
    if "beneficiary_group" in cell and cell_text(cell["beneficiary_group"]):
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
def import_rows(
    *,
    package: TrainingPackage | None,
    actor,
    table: list[list] | None = None,
    content: bytes = b"",
    filename: str = "",
) -> Preview:
    """Check the rows again (inside the transaction, with the package locked) and write every row.

    The rows are `table` (as kept at upload) or, without it, read from `content`. Raises
    ValidationError, writing nothing, if any row has an error now.
    """
    if package is not None:
        package = (
            TrainingPackage.objects.select_for_update(of=("self",)).select_related("cohort__program").get(pk=package.pk)
        )
    result = preview_table(table, package) if table is not None else preview(content, filename, package)
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


# The columns that hold digits people must not lose (a NIK is 16 digits: Excel keeps 15 of a number).
TEXT_COLUMNS = ("nik", "phone", "kk_number", "ak1_number")
TEMPLATE_ROWS = MAX_ROWS + 1  # the header and as many people as one file may hold
COLUMN_LETTERS = [get_column_letter(index) for index in range(1, len(COLUMNS) + 1)]


def _letter(name: str) -> str:
    return get_column_letter(next(i for i, (_header, column) in enumerate(COLUMNS, start=1) if column == name))


def template_sheet() -> Sheet:
    """The sheet to fill in: the headers only, the NIK, phone, KK and AK1 columns text for every row a file may have.

    The example is on its own sheet (`example_sheet`), which the import never reads: only the first
    sheet of a workbook is read. A CSV template is this sheet's header alone.
    """
    return Sheet(
        "Peserta",
        [[header for header, _name in COLUMNS]],
        bold_rows=[0],
        widths=dict.fromkeys(COLUMN_LETTERS, 22),
        freeze="A2",
        text_columns=[_letter(name) for name in TEXT_COLUMNS],
        text_rows=TEMPLATE_ROWS,
    )


def example_sheet() -> Sheet:
    """The second sheet of the XLSX template, "Contoh": how to fill the first one in, and a filled-in row."""
    instructions = [
        _("Example: this sheet is not imported. Fill in the first sheet, “Peserta”, one person per row."),
        _(
            "NIK and No. KK: 16 digits. The NIK, No. HP, No. KK and No. Kartu AK1 columns are already formatted as "
            "text; keep them so."
        ),
        _(
            "Tanggal Lahir and Tanggal Terbit AK1: like 27/11/1990. Jenis Kelamin: L or P. Ya/Tidak columns: Ya or "
            "Tidak."
        ),
        _("Tempat Kerja: the employer of people who work (factory-worker packages check it); else empty."),
        _("Pendidikan: SD, SMP, SLTA, D3, S1 ... Kelurahan: empty for people from outside Kota Pekalongan."),
        _("Upload the file as .xlsx (or save it as CSV). Do not copy the example row into “Peserta”."),
    ]
    return Sheet(
        "Contoh",
        [
            *[[line] for line in instructions],
            [],
            [header for header, _name in COLUMNS],
            [Text(EXAMPLE_ROW[0]), *EXAMPLE_ROW[1:]],
        ],
        bold_rows=[0, len(instructions) + 1],
        widths=dict.fromkeys(COLUMN_LETTERS, 22),
    )


def template_sheets() -> list[Sheet]:
    """The XLSX template: the sheet to fill in, then the example."""
    return [template_sheet(), example_sheet()]
