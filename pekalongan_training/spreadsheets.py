"""Every spreadsheet the project hands out (CSV and XLSX), written by one helper.

Rows are lists of cells. A cell is plain text, a whole number, a date, None (an empty cell), or
one of the typed numbers below, which say how they are written:

    Count(1234)              XLSX 1234 shown as 1.234 (#,##0)        CSV 1234
    Money(1500000.5)         XLSX 1500001 shown as Rp1.500.001      CSV 1500001 (whole rupiah, half up)
    Percent(7, 9)            XLSX 0,777… shown as 77,8% (0.0%)      CSV 77,8%   (of 0: empty)
    Points(12.5)             XLSX 12,5 shown as +12,5 (+0.0)        CSV 12,5    (percentage points)
    Text("3375014506980001") XLSX text (@), never a number           CSV as it is

Percent and Points take decimals= (1 by default; the roster's percentages use 0). A plain int is a
number in General format, a plain float or Decimal too (written with the style's decimal mark in
CSV), a date is DD/MM/YYYY; True/False and datetimes are refused (write them as text or dates).
A sheet's `text_columns` are formatted as text for `text_rows` rows in XLSX, so that what people
type there later (a template's NIK) stays text.
Text is made formula-safe (pekalongan_training.formatting.spreadsheet_safe) in both formats, and
characters XLSX cannot hold are dropped.
XLSX number formats are Excel's locale-independent codes: Excel set to Indonesian shows them with
its own marks (1.234, 77,8%). The CSV is what Excel set to Indonesian opens straight into columns
(semicolons, a BOM, decimal commas: EXCEL_ID); open data is written for machines (OPEN_DATA:
commas, no BOM, decimal points), with plain numbers rather than typed ones.

    spreadsheet_response(fmt, name, sheet)   "csv" or "xlsx" (anything else: Http404)
    csv_response(name, rows, style=EXCEL_ID) / xlsx_response(name, *sheets)
    csv_text(rows, style=EXCEL_ID) -> str    / xlsx_bytes(*sheets) -> bytes

`name` is the file name without its extension; FORMATS are the formats spreadsheet_response knows.
"""

import copy
import csv
import datetime
import io
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.http import Http404, HttpResponse
from django.utils.functional import Promise
from django.utils.http import content_disposition_header
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import column_index_from_string

from pekalongan_training.formatting import half_up, spreadsheet_safe, whole_rupiah

FORMATS = ("csv", "xlsx")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass(frozen=True)
class CsvStyle:
    delimiter: str
    bom: bool
    decimal: str
    date_format: str


# Excel with Indonesian regional settings; and RFC 4180 for programs (open data).
EXCEL_ID = CsvStyle(delimiter=";", bom=True, decimal=",", date_format="%d/%m/%Y")
OPEN_DATA = CsvStyle(delimiter=",", bom=False, decimal=".", date_format="%Y-%m-%d")


@dataclass(frozen=True)
class Count:
    """A whole number of people, packages, meetings."""

    value: int | None

    def xlsx(self):
        return self.value, "#,##0"

    def csv(self, style: CsvStyle) -> str:
        return "" if self.value is None else str(self.value)


@dataclass(frozen=True)
class Money:
    """An amount in whole rupiah: fractions are rounded half up here, whatever comes in."""

    value: int | float | Decimal | None

    def __post_init__(self):
        object.__setattr__(self, "value", whole_rupiah(self.value))

    def xlsx(self):
        return self.value, '"Rp"#,##0'

    def csv(self, style: CsvStyle) -> str:
        return "" if self.value is None else str(self.value)


@dataclass(frozen=True)
class Percent:
    """numerator / denominator as a percentage; nothing to divide by is an empty cell.

    XLSX keeps the exact fraction (Excel computes with it) and shows it rounded; CSV writes the
    percentage rounded half up, with a % sign, which Excel reads back as a percentage.
    """

    numerator: int
    denominator: int
    decimals: int = 1

    @property
    def fraction(self) -> float | None:
        return self.numerator / self.denominator if self.denominator else None

    def xlsx(self):
        return self.fraction, _digits(self.decimals) + "%"

    def csv(self, style: CsvStyle) -> str:
        if not self.denominator:
            return ""
        return _decimal(half_up(100 * self.numerator / self.denominator, self.decimals), style) + "%"


@dataclass(frozen=True)
class Points:
    """Percentage points: the difference of two shares (50% then 62,5% is +12,5 points)."""

    value: float | None
    decimals: int = 1

    def xlsx(self):
        digits = _digits(self.decimals)
        return self.value, f"+{digits};-{digits};{digits}"

    def csv(self, style: CsvStyle) -> str:
        return "" if self.value is None else _decimal(half_up(self.value, self.decimals), style)


@dataclass(frozen=True)
class Text:
    """Text that must stay text, such as a NIK (a number to Excel, which would drop its digits)."""

    value: str

    def xlsx(self):
        return _text(self.value), "@"

    def csv(self, style: CsvStyle) -> str:
        return _text(self.value)


TYPED = (Count, Money, Percent, Points, Text)


@dataclass
class Sheet:
    """One worksheet: its rows, and how it looks in XLSX (CSV has only the rows)."""

    title: str
    rows: Iterable[Sequence]
    bold_rows: Collection[int] = ()  # indexes (from 0) of the rows set in bold: titles and headers
    widths: Mapping[str, float] = field(default_factory=dict)  # column letter -> width in characters
    freeze: str | None = None  # the first cell that scrolls, e.g. "D5"
    # Columns (letters) where what people type stays text, such as a template's NIK column: the
    # column's style and every empty cell of its first `text_rows` rows are formatted as text (@).
    text_columns: Collection[str] = ()
    text_rows: int = 0


def _digits(decimals: int) -> str:
    """An Excel number format's digits: 0, 0.0, 0.00 ..."""
    return "0." + "0" * decimals if decimals else "0"


def _text(value: str) -> str:
    return spreadsheet_safe(ILLEGAL_CHARACTERS_RE.sub("", value))


def _decimal(value, style: CsvStyle) -> str:
    return str(value).replace(".", style.decimal)


def _plain(cell):
    """A cell that is not typed: refused if it has no one way of being written."""
    if isinstance(cell, Promise):  # a lazily translated label
        cell = str(cell)
    if isinstance(cell, bool):
        raise TypeError("Write a yes or no as text, in the reader's language.")
    if isinstance(cell, datetime.datetime):
        raise TypeError("Write a moment as text or as a date: spreadsheets have no time zones.")
    return _text(cell) if isinstance(cell, str) else cell


def _csv_cell(cell, style: CsvStyle):
    if cell is None:
        return ""
    if isinstance(cell, TYPED):
        return cell.csv(style)
    cell = _plain(cell)
    if isinstance(cell, float | Decimal):
        return _decimal(cell, style)
    if isinstance(cell, datetime.date):
        return cell.strftime(style.date_format)
    return cell


def csv_text(rows: Iterable[Sequence], style: CsvStyle = EXCEL_ID) -> str:
    """The rows as CSV text (with its BOM in EXCEL_ID style)."""
    buffer = io.StringIO()
    if style.bom:
        buffer.write("\ufeff")
    writer = csv.writer(buffer, delimiter=style.delimiter)
    for row in rows:
        writer.writerow([_csv_cell(cell, style) for cell in row])
    return buffer.getvalue()


def _sheet_title(title: str) -> str:
    """Excel's limits: at most 31 characters, none of []:*?/\\, no apostrophe at either end, not
    "History" (Excel's own)."""
    title = re.sub(r"[\[\]:*?/\\]", "-", ILLEGAL_CHARACTERS_RE.sub("", str(title)))[:31].strip("'")
    return "Sheet" if not title or title.lower() == "history" else title


def _file_name(name: str) -> str:
    """A file name every system saves as it is: no path separators, no characters Windows refuses."""
    return re.sub(r'[\x00-\x1f\x7f/\\:*?"<>|]', "-", str(name)).strip(" .") or "export"


def _write(sheet, source: Sheet) -> None:
    for row_number, row in enumerate(source.rows, start=1):
        for column, cell in enumerate(row, start=1):
            if cell is None:
                continue
            number_format = None
            if isinstance(cell, TYPED):
                cell, number_format = cell.xlsx()
                if cell is None:
                    continue
            else:
                cell = _plain(cell)
                if isinstance(cell, datetime.date):
                    number_format = "DD/MM/YYYY"
            written = sheet.cell(row=row_number, column=column, value=cell)
            if number_format:
                written.number_format = number_format
            if row_number - 1 in source.bold_rows:
                written.font = Font(bold=True)
    for letter, width in source.widths.items():
        sheet.column_dimensions[letter].width = width
    _format_as_text(sheet, source.text_columns, source.text_rows)
    if source.freeze:
        sheet.freeze_panes = source.freeze


def _format_as_text(sheet, letters: Collection[str], rows: int) -> None:
    """Format the columns as text for what is typed in later: Excel keeps a NIK typed there as text.

    The column style alone is enough for Excel; the cells are formatted too, for LibreOffice and
    Google Sheets, which look at the cell. One style is built and its copy given to each empty cell
    (openpyxl's documented way of copying a style): setting the format cell by cell takes seconds.
    """
    for letter in letters:
        sheet.column_dimensions[letter].number_format = "@"
        column = column_index_from_string(letter)
        style = None
        for row in range(1, rows + 1):
            cell = sheet.cell(row=row, column=column)
            if cell.value is not None:
                continue
            if style is None:
                cell.number_format = "@"
                style = cell._style
            else:
                cell._style = copy.copy(style)


def xlsx_bytes(*sheets: Sheet) -> bytes:
    """The sheets as an XLSX workbook, in this order."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for source in sheets:
        _write(workbook.create_sheet(_sheet_title(source.title)), source)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _response(content, fmt: str, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = content_disposition_header(True, f"{_file_name(name)}.{fmt}")
    return response


def csv_response(name: str, rows: Iterable[Sequence], *, style: CsvStyle = EXCEL_ID) -> HttpResponse:
    """A CSV download named `name`.csv."""
    return _response(csv_text(rows, style), "csv", name)


def xlsx_response(name: str, *sheets: Sheet) -> HttpResponse:
    """An XLSX download named `name`.xlsx with these sheets."""
    return _response(xlsx_bytes(*sheets), "xlsx", name)


def spreadsheet_response(fmt: str, name: str, sheet: Sheet) -> HttpResponse:
    """The sheet as a download in `fmt`, "csv" (its rows, EXCEL_ID style) or "xlsx"; any other format is a 404."""
    if fmt == "csv":
        return csv_response(name, sheet.rows)
    if fmt == "xlsx":
        return xlsx_response(name, sheet)
    raise Http404
