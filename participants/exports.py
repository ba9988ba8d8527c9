"""The roster with its marks as CSV and XLSX. The NIK is masked: exports leave the building."""

import csv
import io

from django.http import HttpResponse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from participants.selectors import Roster
from pekalongan_training.formatting import spreadsheet_safe

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _percent(value) -> str:
    return "" if value is None else f"{value:.0f}"


def roster_table(roster: Roster) -> list[list]:
    """Header and one row per person: name, masked NIK, status, one column per meeting, totals."""
    header = [_("Name"), _("NIK"), _("Status")]
    header += [date_format(column.session.date, "SHORT_DATE_FORMAT") for column in roster.columns]
    header += [_("Present"), _("Percent of held meetings"), _("Percent of planned meetings")]
    rows = [header]
    for row in roster.rows:
        rows.append(
            [
                spreadsheet_safe(value)
                for value in (
                    row.participant.full_name,
                    row.participant.masked_nik,
                    row.enrollment.get_status_display(),
                    *row.marks,
                    row.present,
                    _percent(row.held_percent),
                    _percent(row.planned_percent),
                )
            ]
        )
    return rows


def _filename(roster: Roster, extension: str) -> str:
    return f"presensi-{roster.package.code}.{extension}"


def roster_csv(roster: Roster) -> HttpResponse:
    """Semicolon-separated with a BOM: what Excel set to Indonesian opens straight into columns."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, delimiter=";")
    writer.writerows(roster_table(roster))
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(roster, "csv")}"'
    return response


def roster_xlsx(roster: Roster) -> HttpResponse:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = roster.package.code[:31]
    sheet.append([f"{roster.package.code} · {roster.package.title}"])
    sheet.append([roster.package.provider.name])
    sheet.append([])
    for row in roster_table(roster):
        sheet.append(row)
    for cell in sheet[4]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "D5"
    sheet.column_dimensions["A"].width = 28
    sheet.column_dimensions["B"].width = 20
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{_filename(roster, "xlsx")}"'
    return response
