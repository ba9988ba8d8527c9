"""The dashboard's figures as tables: one source for the page's exports, the print view and open data."""

import datetime
from dataclasses import dataclass

from django.utils.translation import gettext as _

from reports import indicators
from reports.indicators import Filters, Rate

SMALL_CELL = 5  # open data: a count of fewer people than this is not published


@dataclass(frozen=True)
class Table:
    key: str
    title: str
    columns: list[str]
    rows: list[list]  # cells: str, int, float, Rate or None


def dashboard_data(f: Filters, today: datetime.date) -> dict:
    """Every figure of the dashboard, in a fixed number of queries."""
    counts = indicators.headcounts(f)
    rounds = indicators.outcomes(f, today)
    return {
        "counts": counts,
        "completion": indicators.completion_rate(f),
        "certification": indicators.certification_rate(f),
        "attendance": indicators.attendance(f, today),
        "reporting": indicators.reporting(f, today),
        "realization": indicators.realization(f),
        "costs": indicators.costs(f, counts),
        "rounds": rounds,
        "domicile": indicators.by_domicile(f),
        "person": indicators.by_person(f),
        "league": indicators.provider_league(f, today),
        "charts": indicators.charts(f, today, rounds),
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
    person = data["person"]
    return [
        headline,
        realization,
        outcomes,
        _group_table("kecamatan", _("By kecamatan of domicile"), _("Kecamatan"), data["domicile"]["kecamatan"]),
        _group_table("kelurahan", _("By kelurahan of domicile"), _("Kelurahan"), data["domicile"]["kelurahan"]),
        league,
        _group_table("sex", _("By sex"), _("Sex"), person["sex"]),
        _group_table("age_band", _("By age at the start of training"), _("Age"), person["age_band"]),
        _group_table("education", _("By education"), _("Education"), person["education"]),
        _group_table("beneficiary_group", _("By beneficiary group"), _("Group"), person["beneficiary_group"]),
        _group_table("disability", _("By disability"), _("Disability"), person["disability"]),
    ]


def plain(cell, *, suppress: bool = False):
    """A cell as a plain value for CSV, XLSX and JSON. Rates become percentages with one decimal.

    With suppress (open data), a count of 1-4 people, or a rate over fewer than 5, becomes None.
    """
    if isinstance(cell, Rate):
        if cell.percent is None or (suppress and cell.denominator < SMALL_CELL):
            return None
        return round(cell.percent, 1)
    if isinstance(cell, float):
        return round(cell, 1)
    if suppress and isinstance(cell, int) and not isinstance(cell, bool) and 0 < cell < SMALL_CELL:
        return None
    return cell
