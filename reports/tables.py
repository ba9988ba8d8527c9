"""The dashboard's figures as tables: one source for the page's exports, the print view and open data."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from pekalongan_training.formatting import spreadsheet_safe
from reports import indicators
from reports.caching import cached
from reports.indicators import Filters, Rate

SMALL_CELL = 5  # open data: a count of fewer people than this is not published


@dataclass(frozen=True)
class Table:
    key: str
    title: str
    columns: list[str]
    rows: list[list]  # cells: str, int, float, Rate or None


def dashboard_data(f: Filters, today: datetime.date) -> dict:
    """Every figure of the dashboard, from the cache when the records have not changed (reports/caching.py).

    Computing them takes a fixed number of queries however many people there are.
    """
    selection = (f.key(), today.isoformat(), get_language())
    data = cached("figures", selection, lambda: _figures(f, today), seconds=FIGURES_SECONDS)
    marks = cached(
        "attendance",
        selection,
        lambda: _attendance_figures(f, today),
        seconds=settings.DASHBOARD_ATTENDANCE_SECONDS,
    )
    league = indicators.with_provider_attendance(data.pop("league_outcomes"), marks.pop("by_provider"))
    minutes = max(1, settings.DASHBOARD_ATTENDANCE_SECONDS // 60)
    return {**data, **marks, "league": league, "attendance_minutes": minutes}


FIGURES_SECONDS = 24 * 3600  # the selection's key holds the day; this only clears out old entries


def _figures(f: Filters, today: datetime.date) -> dict:
    """The figures that change with enrollments, outcomes and packages (not with marks)."""
    counts = indicators.headcounts(f)
    rounds = indicators.outcomes(f, today)
    return {
        "counts": counts,
        "completion": indicators.completion_rate(f),
        "certification": indicators.certification_rate(f),
        "realization": indicators.realization(f),
        "costs": indicators.costs(f, counts),
        "rounds": rounds,
        "domicile": indicators.by_domicile(f),
        "person": indicators.by_person(f),
        "program": indicators.by_program(f),
        "league_outcomes": indicators.provider_outcomes(f, today),
        "charts": indicators.charts(f, today, rounds),
    }


def _attendance_figures(f: Filters, today: datetime.date) -> dict:
    """The figures made from attendance marks, and when they were computed."""
    return {
        "attendance": indicators.attendance(f, today),
        "reporting": indicators.reporting(f, today),
        "by_provider": indicators.provider_attendance(f, today),
        "attendance_computed_at": timezone.now(),
    }


def _group_table(key, title, first_column, rows):
    columns = [first_column, _("Enrolled (people)"), _("Completers (people)"), _("Completion rate")]
    return Table(
        key, title, columns, [[row["label"], row["enrolled"], row["completers"], row["completion"]] for row in rows]
    )


def tables(data: dict) -> list[Table]:
    counts, costs = data["counts"], data["costs"]
    headline = Table(
        "headline",
        _("Headline figures"),
        [_("Indicator"), _("Value")],
        [
            [_("Enrolled (people)"), counts["enrolled"]],
            [_("Completers (people)"), counts["completers"]],
            [_("Completion rate"), data["completion"]],
            [_("Attendance rate (held meetings)"), data["attendance"]["held"]],
            [_("Attendance rate (all planned meetings)"), data["attendance"]["planned"]],
            [_("Certification rate (LSP)"), data["certification"]],
            [_("Reporting completeness"), data["reporting"]["recorded"]],
            [_("Reported on time"), data["reporting"]["on_time"]],
            [_("Cost per participant (Rp)"), costs["per_participant"]],
            [_("Cost per completer (Rp)"), costs["per_completer"]],
        ],
    )
    realization = Table(
        "realization",
        _("Package realization per category"),
        [_("Category"), _("Packages planned"), _("Realization"), _("Package completion")],
        [[str(row["label"]), row["planned"], row["realization"], row["completion"]] for row in data["realization"]],
    )
    outcome_rows = []
    for r in data["rounds"]:
        outcome_rows.append(
            [
                _("%(months)s months") % {"months": r.round},
                r.due,
                r.reached,
                r.unreachable,
                r.pending,
                r.self_employment,
                r.self_employment_reached,
                r.employment,
                r.employment_reached,
                r.response,
                r.change_from_intake,
                r.training_related,
                r.median_income,
            ]
        )
    outcomes = Table(
        "outcomes",
        _("Outcomes by follow-up round"),
        [
            _("Round"),
            _("Due"),
            _("Reached"),
            _("Not reachable"),
            _("Pending"),
            _("Self-employment rate (of due)"),
            _("Self-employment rate (of reached)"),
            _("Employment rate (of due)"),
            _("Employment rate (of reached)"),
            _("Response rate"),
            _("Change from intake (points)"),
            _("Training-related work"),
            _("Median monthly income (Rp)"),
        ],
        outcome_rows,
    )
    league = Table(
        "providers",
        _("Providers"),
        [
            _("Provider"),
            _("Enrolled (people)"),
            _("Completers (people)"),
            _("Completion rate"),
            _("Attendance rate"),
            _("Self-employment rate, 6 months"),
            _("Employment rate, 6 months"),
            _("Response rate, 6 months"),
            _("Cost per completer (Rp)"),
            _("Reporting completeness"),
        ],
        [
            [
                row["label"],
                row["enrolled"],
                row["completers"],
                row["completion"],
                row["attendance"],
                row["self_employment"],
                row["employment"],
                row["response"],
                row["per_completer"],
                row["reporting"],
            ]
            for row in data["league"]
        ],
    )
    person, program = data["person"], data["program"]
    return [
        headline,
        realization,
        outcomes,
        _group_table("kecamatan", _("By kecamatan of domicile"), _("Kecamatan"), data["domicile"]["kecamatan"]),
        _group_table("kelurahan", _("By kelurahan of domicile"), _("Kelurahan"), data["domicile"]["kelurahan"]),
        league,
        _group_table("category", _("By category"), _("Category"), program["category"]),
        _group_table("vocation", _("By vocation"), _("Vocation"), program["vocation"]),
        _group_table("wave", _("By wave"), _("Wave"), program["wave"]),
        _group_table("funding", _("By funding source"), _("Funding source"), program["funding"]),
        _group_table("sex", _("By sex"), _("Sex"), person["sex"]),
        _group_table("age_band", _("By age at the start of training"), _("Age"), person["age_band"]),
        _group_table("education", _("By education"), _("Education"), person["education"]),
        _group_table("beneficiary_group", _("By beneficiary group"), _("Group"), person["beneficiary_group"]),
        _group_table("disability", _("By disability"), _("Disability"), person["disability"]),
    ]


def plain(cell):
    """A cell as a plain value for CSV and XLSX: rates become percentages with one decimal."""
    if isinstance(cell, Rate):
        return None if cell.percent is None else round(cell.percent, 1)
    if isinstance(cell, float):
        return round(cell, 1)
    return spreadsheet_safe(cell)


def _small(value: int) -> bool:
    return 0 < value < SMALL_CELL


def _risky(cell) -> bool:
    """A count of 1-4 people, or a rate whose yes or no part is 1-4 people or whose base is under 5."""
    if isinstance(cell, Rate):
        return cell.denominator < SMALL_CELL or _small(cell.numerator) or _small(cell.denominator - cell.numerator)
    return isinstance(cell, int) and not isinstance(cell, bool) and _small(cell)


def open_data_rows(table: Table) -> tuple[list[str], list[list]]:
    """The table for publication: columns that could single out a person left out, small cells suppressed.

    A row with any count of 1-4 people is suppressed whole (its other figures could give it away),
    and when only one row of a table is suppressed, the next smallest is too, so that it cannot be
    worked out from a total elsewhere. Counts of packages (the realization table) are not people.
    """
    keep = [i for i, column in enumerate(table.columns) if not any(word in column.lower() for word in _left_out())]
    columns = [table.columns[i] for i in keep]
    rows = [[row[i] for i in keep] for row in table.rows]
    if table.key == "realization":
        return columns, [[plain(cell) for cell in row] for row in rows]
    if table.key == "headline":
        rows = [row for row in rows if not any(word in str(row[0]).lower() for word in _left_out())]
        return columns, [[row[0], None if _risky(row[1]) else plain(row[1])] for row in rows]
    suppressed = [any(_risky(cell) for cell in row[1:]) for row in rows]
    if sum(suppressed) == 1 and len(rows) > 1:
        others = [i for i, hidden in enumerate(suppressed) if not hidden]
        smallest = min(others, key=lambda i: rows[i][1] if isinstance(rows[i][1], int) else 0)
        suppressed[smallest] = True
    return columns, [
        [row[0], *([None] * (len(row) - 1) if hidden else [plain(cell) for cell in row[1:]])]
        for row, hidden in zip(rows, suppressed, strict=True)
    ]


def _left_out() -> list[str]:
    """Open data leaves out money per head and the median (one income can be the median) and the
    change from intake (a difference of small counts): these headers, in the language being written."""
    return [
        _("Cost per participant (Rp)").lower(),
        _("Cost per completer (Rp)").lower(),
        _("Median monthly income (Rp)").lower(),
        _("Change from intake (points)").lower(),
    ]
