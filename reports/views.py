"""The officials' dashboard, its definitions, and its exports. Aggregates only: no personal data."""

import csv
import io
import json

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from openpyxl import Workbook
from openpyxl.styles import Font

from pekalongan_training.formatting import spreadsheet_safe
from pekalongan_training.roles import is_dinas_staff, is_official, role_required
from reports.forms import DashboardFilterForm
from reports.tables import dashboard_data, open_data_rows, plain, tables

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def dashboard_view(view):
    """Login required; officials and dinas staff only (operators and others get 403); GET only."""
    return role_required(is_official, is_dinas_staff)(require_GET(view))


def _data(request):
    form = DashboardFilterForm(request.GET)
    today = timezone.localdate()
    data = dashboard_data(form.filters(), today)
    return form, today, data


def _header_lines(form, today, data) -> list[list[str]]:
    described = form.described() or [(_("Filters"), _("none (all records)"))]
    computed = timezone.localtime(data["attendance_computed_at"]).strftime("%H:%M")
    return [
        [_("Job training, Dinperinaker Kota Pekalongan")],
        [_("Figures as of %(date)s; cancelled packages left out.") % {"date": today.isoformat()}],
        [_("Attendance and reporting figures computed at %(time)s WIB.") % {"time": computed}],
        *([label, spreadsheet_safe(value)] for label, value in described),
        [_("Definitions: /dashboard/indicators/")],
        [],
    ]


@dashboard_view
def dashboard(request):
    form, today, data = _data(request)
    data["charts"]["outcome_labels"] = {"pending": _("Pending")}
    return render(
        request,
        "reports/dashboard.html",
        {"form": form, "today": today, "filters_query": request.GET.urlencode(), **data},
    )


@dashboard_view
def indicator_definitions(request):
    return render(request, "reports/indicators.html")


@dashboard_view
def print_view(request):
    form, today, data = _data(request)
    return render(
        request,
        "reports/print.html",
        {"form": form, "today": today, "described": form.described(), "tables": tables(data), **data},
    )


@dashboard_view
def export(request, fmt):
    form, today, data = _data(request)
    sections = tables(data)
    if fmt == "xlsx":
        workbook = Workbook()
        sheet = workbook.active
        sheet.title = "Dasbor"
        for line in _header_lines(form, today, data):
            sheet.append(line)
        for table in sections:
            sheet.append([table.title])
            sheet.cell(row=sheet.max_row, column=1).font = Font(bold=True)
            sheet.append(table.columns)
            for row in table.rows:
                sheet.append([plain(cell) for cell in row])
            sheet.append([])
        sheet.column_dimensions["A"].width = 40
        buffer = io.BytesIO()
        workbook.save(buffer)
        response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    else:
        buffer = io.StringIO()
        buffer.write("\ufeff")
        writer = csv.writer(buffer, delimiter=";")
        writer.writerows(_header_lines(form, today, data))
        for table in sections:
            writer.writerow([table.title])
            writer.writerow(table.columns)
            writer.writerows([[plain(cell) for cell in row] for row in table.rows])
            writer.writerow([])
        response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
        fmt = "csv"
    response["Content-Disposition"] = f'attachment; filename="dasbor-pelatihan-{today.isoformat()}.{fmt}"'
    return response


@dashboard_view
def open_data(request, fmt):
    """Aggregates for publication: any cell counting fewer than 5 people is left empty (suppressed)."""
    form, today, data = _data(request)
    sections = tables(data)
    if fmt == "json":
        payload = {
            "title": "Pelatihan kerja Dinperinaker Kota Pekalongan",
            "as_of": today.isoformat(),
            "filters": dict(form.described()),
            "suppression": _("Counts of 1 to 4 people, and rates over fewer than 5, are left empty (null)."),
            "definitions": request.build_absolute_uri("/dashboard/indicators/"),
            "tables": [
                {"key": table.key, "title": table.title, "columns": columns, "rows": rows}
                for table in sections
                for columns, rows in [open_data_rows(table)]
            ],
        }
        response = HttpResponse(
            json.dumps(payload, ensure_ascii=False, indent=1), content_type="application/json; charset=utf-8"
        )
    else:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(["table", "group", "measure", "value"])
        for table in sections:
            columns, rows = open_data_rows(table)
            for row in rows:
                for column, cell in zip(columns[1:], row[1:], strict=True):
                    writer.writerow([table.key, spreadsheet_safe(row[0]), column, cell])
        response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
        fmt = "csv"
    response["Content-Disposition"] = f'attachment; filename="data-terbuka-pelatihan-{today.isoformat()}.{fmt}"'
    return response
