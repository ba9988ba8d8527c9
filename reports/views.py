"""The officials' dashboard, its definitions, and its exports. Aggregates only: no personal data.

The figures are not rounded (officials are entitled to them): every export and the print view say
on their first line that they are internal, and where the open data for publication is (/data/).

The DBHCHT realisation report (reports/realisation.py), for the same people:

    GET /dashboard/realisasi/?year=2026&period=q3&as_of=2026-09-30   the page, with its definitions
    GET /dashboard/realisasi.xlsx?...                                 the same as XLSX
    GET /dashboard/realisasi/print/?...                               the same on A4 (landscape), to sign

year is a program year that exists (default: this year's, else the latest), period q1..q4, s1, s2
or year (default: the quarter of the "as of" day in its year, else the year; `quarter=1..4` is read
too), as_of a date (default today, WIB). A value that cannot be used is never an error page: the
default is shown, with a message beside the field.
"""

import dataclasses
import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpResponsePermanentRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_safe

from participants.public_pages import dinas_contact
from pekalongan_training.params import whole_number
from pekalongan_training.roles import is_dinas_staff, is_official, role_required
from pekalongan_training.spreadsheets import Count, Money, Percent, Sheet, spreadsheet_response, xlsx_response
from programs.models import Program
from reports.disclosure import MIN_RATE_BASE
from reports.forms import DashboardFilterForm
from reports.realisation import PERIODS, UNIT, period_of, realisation_panel, realisation_report
from reports.tables import (
    dashboard_data,
    dashboard_tables,
    figure_cards,
    protected_charts,
    small_selection,
    spreadsheet_rows,
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


def _internal_note(request) -> str:
    """The first line of the exports and the print view: the figures are not rounded, not for publication.

    Officials are entitled to the true figures; what may be published is the open data, whose
    counts are rounded (reports/disclosure.py). A file forwarded beyond the office says so itself.
    """
    return _("Internal: for Dinperinaker staff and officials, not for publication. Open data: %(url)s") % {
        "url": request.build_absolute_uri(reverse("data:index"))
    }


def _stale_note(data) -> str:
    """Said when the figures were computed before the latest changes (reports/caching.py `latest`)."""
    return _("These figures were computed at %(time)s WIB and may not yet show the latest records.") % {
        "time": date_format(timezone.localtime(data["figures_computed_at"]), "j F Y, H.i")
    }


def _header_lines(request, form, today, data) -> list[list[str]]:
    described = form.described() or [(_("Filters"), _("none (all records)"))]
    computed = timezone.localtime(data["attendance_computed_at"]).strftime("%H:%M")
    return [
        [_internal_note(request)],
        [_("Job training, Dinperinaker Kota Pekalongan")],
        [_("Figures as of %(date)s; cancelled packages left out.") % {"date": today.isoformat()}],
        [_("Attendance and reporting figures computed at %(time)s WIB.") % {"time": computed}],
        *([[_stale_note(data)]] if data["figures_stale"] else []),
        *([label, value] for label, value in described),
        *([[_small_note()]] if small_selection(data) else []),
        [_("Definitions: /dashboard/indicators/")],
        [],
    ]


@dashboard_view
def dashboard(request):
    form, today, data = _data(request)
    panel = realisation_panel(year=form.filters().year, today=today)
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
            "stale_note": _stale_note(data) if data["figures_stale"] or (panel and panel.stale) else "",
            # templates/reports/_realisation_panel.html: the year filtered on, else the latest program year.
            "realisation_panel": panel,
        },
    )


@dashboard_view
def indicator_definitions(request):
    return render(request, "reports/indicators.html", {"min_rate_base": MIN_RATE_BASE})


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
            "internal_note": _internal_note(request),
            "stale_note": _stale_note(data) if data["figures_stale"] else "",
        },
    )


@dashboard_view
def export(request, fmt):
    """The tables as one sheet under the filters, for Excel (reports/urls.py lets only csv and xlsx through)."""
    form, today, data = _data(request)
    rows, bold = _header_lines(request, form, today, data), {0}  # A1: internal, not for publication
    for table in dashboard_tables(data):
        bold |= {len(rows), len(rows) + 1}  # the table's title and its header
        rows += [[table.title], *spreadsheet_rows(table), []]
    sheet = Sheet("Dasbor", rows, bold_rows=bold, widths={"A": 40})
    return spreadsheet_response(fmt, f"dasbor-pelatihan-{today.isoformat()}", sheet)


@require_safe
def open_data_moved(request, fmt):
    """The old /dashboard/open-data.csv and .json: moved for good to /data/ (reports/data_views.py).

    Public, unlike the dashboard: the redirect gives away nothing, and portals and scripts that
    harvested the old addresses (without a login) are sent to where the open data now is. The
    filters of the old query string mean nothing there and are dropped.
    """
    return HttpResponsePermanentRedirect(reverse("data:index"))


# --- the DBHCHT realisation report --------------------------------------------------------------


@dataclasses.dataclass
class RealisationChoice:
    """What the report shows, read from the address; `problems` says which values could not be used."""

    years: list[int]
    year: int | None
    period: str
    as_of: datetime.date
    problems: dict[str, str] = dataclasses.field(default_factory=dict)

    @property
    def query(self) -> str:
        """The choice as it is shown, for the links to the XLSX and the print."""
        params = {"period": self.period, "as_of": self.as_of.isoformat()}
        return urlencode({"year": self.year, **params} if self.year else params)

    @property
    def period_label(self) -> str:
        return str(PERIODS[self.period][1])


def _as_of(value: str) -> datetime.date | None:
    try:
        return forms.DateField().clean(value)
    except ValidationError:
        return None


def _realisation_choice(request) -> RealisationChoice:
    today = timezone.localdate()
    years = list(Program.objects.order_by("-fiscal_year").values_list("fiscal_year", flat=True).distinct())
    default_year = today.year if today.year in years else (years[0] if years else None)
    problems = {}

    given = request.GET.get("as_of", "").strip()
    as_of = _as_of(given) if given else today
    if as_of is None:
        as_of = today
        problems["as_of"] = _("Enter a real date, for example 30/09/%(year)s. Shown: as of %(date)s.") % {
            "year": today.year,
            "date": date_format(today),
        }

    given = request.GET.get("year", "").strip()
    year = whole_number(given, digits=4) if given else default_year
    if year not in years:
        year = default_year
        if year is not None:
            problems["year"] = _("Choose a program year from the list. Shown: %(year)s.") % {"year": year}

    given = request.GET.get("period", "").strip()
    quarter = request.GET.get("quarter", "").strip()
    if not given and quarter:  # the address DESIGN.md names: ?year=2026&quarter=3
        given = f"q{quarter}" if quarter in ("1", "2", "3", "4") else quarter
    default_period = period_of(as_of) if year and as_of.year == year else "year"
    period = given or default_period
    if period not in PERIODS:
        period = default_period
        problems["period"] = _("Choose a quarter, a semester or the whole year from the list. Shown: %(period)s.") % {
            "period": PERIODS[period][1]
        }
    return RealisationChoice(years=years, year=year, period=period, as_of=as_of, problems=problems)


def _realisation(request):
    choice = _realisation_choice(request)
    report = None
    if choice.year:
        report = realisation_report(year=choice.year, period=choice.period, as_of=choice.as_of)
    return choice, report


def _groups(report) -> list[dict]:
    """The report's totals by provider, category and funding source, for the page and the XLSX."""
    if report is None:
        return []
    return [
        {"key": "provider", "title": _("By provider"), "column": _("Provider"), "rows": report.by_provider},
        {"key": "category", "title": _("By category"), "column": _("Category"), "rows": report.by_category},
        {"key": "funding", "title": _("By funding source"), "column": _("Funding source"), "rows": report.by_funding},
    ]


def _realisation_context(choice, report) -> dict:
    return {
        "choice": choice,
        "report": report,
        "groups": _groups(report),
        "periods": [(key, label) for key, (_month, label) in PERIODS.items()],
        "unit": UNIT,
    }


@dashboard_view
def realisation(request):
    choice, report = _realisation(request)
    return render(request, "reports/realisation.html", _realisation_context(choice, report))


@dashboard_view
def realisation_print(request):
    choice, report = _realisation(request)
    context = {**_realisation_context(choice, report), "contact": dinas_contact(), "today": timezone.localdate()}
    return render(request, "reports/realisation_print.html", context)


def _span(choice, report) -> str:
    """ "Quarter III (cumulative 1 January to 30 September 2026)" """
    return _("%(period)s (cumulative from %(first)s to %(cutoff)s)") % {
        "period": choice.period_label,
        "first": date_format(report.period.first_day),
        "cutoff": date_format(report.cutoff),
    }


def _figure_cells(figures) -> list:
    return [
        Count(figures.volume),
        str(UNIT),
        Money(figures.pagu),
        Money(figures.spent),
        Percent(figures.spent, figures.pagu),
        Money(figures.sisa),
        Percent(figures.completed, figures.volume),
        Percent(figures.meetings_held, figures.meetings_planned),
    ]


FIGURE_COLUMNS = (
    gettext_lazy("Volume"),
    gettext_lazy("Unit"),
    gettext_lazy("Pagu (Rp)"),
    gettext_lazy("Financial realisation (Rp)"),
    gettext_lazy("Financial realisation (%)"),
    gettext_lazy("Remaining (Rp)"),
    gettext_lazy("Physical realisation, people (%)"),
    gettext_lazy("Physical realisation, meetings (%)"),
)


def _figure_titles() -> list[str]:
    return [str(title) for title in FIGURE_COLUMNS]


@dashboard_view
def realisation_export(request):
    """The report as XLSX: a title block, the table in the coordinator's shape, and a sheet of totals by group."""
    choice, report = _realisation(request)
    rows = [
        [dinas_contact().name],
        [_("DBHCHT realisation report")],
        [_("Program year"), choice.year],
        [_("Period"), _span(choice, report) if report else choice.period_label],
        [_("As of"), choice.as_of],
        [_("Cancelled packages are left out. Definitions: /dashboard/realisasi/#definitions")],
        [],
    ]
    header = len(rows)
    bold = {0, 1, header}
    rows.append([_("No."), _("Field / Program / Activity / Item"), _("Provider"), _("Code"), *_figure_titles()])
    for line in report.lines if report else []:
        if line.level in ("bidang", "program", "kegiatan", "total"):
            bold.add(len(rows))
        figures = _figure_cells(line.figures) if line.figures else []
        rows.append([line.number or None, line.label, line.provider or None, line.code or None, *figures])
    main = Sheet(
        _("Realisation"),
        rows,
        bold_rows=bold,
        widths={"A": 9, "B": 60, "C": 30, "D": 22, **dict.fromkeys("EFGHIJKL", 17)},
        freeze=f"C{header + 2}",
    )
    groups, bold = [], set()
    for group in _groups(report):
        bold |= {len(groups), len(groups) + 1}
        groups += [[group["title"]], [group["column"], _("Packages"), *_figure_titles()]]
        groups += [[row.label, Count(row.packages), *_figure_cells(row)] for row in group["rows"]]
        groups.append([])
    recap = Sheet(_("By group"), groups, bold_rows=bold, widths={"A": 40, **dict.fromkeys("BCDEFGHIJ", 17)})
    name = f"realisasi-dbhcht-{choice.year or 'kosong'}-{choice.period}-{choice.as_of.isoformat()}"
    return xlsx_response(name, main, recap)
