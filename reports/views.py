"""The officials' dashboard, its definitions, and its exports. Aggregates only: no personal data."""

import json

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from pekalongan_training.roles import is_dinas_staff, is_official, role_required
from pekalongan_training.spreadsheets import OPEN_DATA, Sheet, csv_response, spreadsheet_response
from reports.forms import DashboardFilterForm
from reports.tables import (
    dashboard_data,
    dashboard_tables,
    figure_cards,
    open_data_rows,
    protected_charts,
    small_selection,
    spreadsheet_rows,
    tables,
)


def dashboard_view(view):
    """Login required; officials and dinas staff only (operators and others get 403); GET only.

    Both see the same figures, small groups shown as counts only (reports.tables.dashboard_tables):
    the dashboard is an aggregate product that gets printed and forwarded; staff who need a person
    look them up in the admin, where every view is theirs to justify.
    """
    return role_required(is_official, is_dinas_staff)(require_GET(view))


def _data(request):
    form = DashboardFilterForm(request.GET)
    today = timezone.localdate()
    data = dashboard_data(form.filters(), today)
    return form, today, data


def _small_note() -> str:
    return _("Fewer than 5 people in this selection: only counts are shown.")


def _header_lines(form, today, data) -> list[list[str]]:
    described = form.described() or [(_("Filters"), _("none (all records)"))]
    computed = timezone.localtime(data["attendance_computed_at"]).strftime("%H:%M")
    return [
        [_("Job training, Dinperinaker Kota Pekalongan")],
        [_("Figures as of %(date)s; cancelled packages left out.") % {"date": today.isoformat()}],
        [_("Attendance and reporting figures computed at %(time)s WIB.") % {"time": computed}],
        *([label, value] for label, value in described),
        *([[_small_note()]] if small_selection(data) else []),
        [_("Definitions: /dashboard/indicators/")],
        [],
    ]


@dashboard_view
def dashboard(request):
    form, today, data = _data(request)
    shown = dashboard_tables(data)
    charts = {**protected_charts(data["charts"], data), "outcome_labels": {"pending": _("Pending")}}
    return render(
        request,
        "reports/dashboard.html",
        {
            "form": form,
            "today": today,
            "filters_query": request.GET.urlencode(),
            "tables": {table.key: table for table in shown},
            "cards": figure_cards(shown),
            **data,
            "charts": charts,
            "small_selection": small_selection(data),
            "small_note": _small_note(),
        },
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
        {
            "form": form,
            "today": today,
            "described": form.described(),
            "tables": dashboard_tables(data),
            **data,
            "small_selection": small_selection(data),
            "small_note": _small_note(),
        },
    )


@dashboard_view
def export(request, fmt):
    """The tables as one sheet under the filters, for Excel (reports/urls.py lets only csv and xlsx through)."""
    form, today, data = _data(request)
    rows, bold = _header_lines(form, today, data), set()
    for table in dashboard_tables(data):
        bold |= {len(rows), len(rows) + 1}  # the table's title and its header
        rows += [[table.title], *spreadsheet_rows(table), []]
    sheet = Sheet("Dasbor", rows, bold_rows=bold, widths={"A": 40})
    return spreadsheet_response(fmt, f"dasbor-pelatihan-{today.isoformat()}", sheet)


@dashboard_view
def open_data(request, fmt):
    """Aggregates for publication: any cell counting fewer than 5 people is left empty (suppressed)."""
    form, today, data = _data(request)
    sections = tables(data)
    name = f"data-terbuka-pelatihan-{today.isoformat()}"
    if fmt == "csv":
        rows = [["table", "group", "measure", "value"]]
        for table in sections:
            columns, published = open_data_rows(table)
            for row in published:
                rows += [[table.key, row[0], column, cell] for column, cell in zip(columns[1:], row[1:], strict=True)]
        return csv_response(name, rows, style=OPEN_DATA)
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
    response["Content-Disposition"] = content_disposition_header(True, f"{name}.json")
    return response
