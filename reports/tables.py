"""The dashboard's figures as typed tables: one source for the page, the print view, the exports and open data."""

import datetime
import enum
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _

from pekalongan_training.formatting import half_up
from pekalongan_training.spreadsheets import Count, Money, Percent, Points
from reports import indicators
from reports.caching import cached
from reports.indicators import Filters

SMALL_CELL = 5  # open data: a count of fewer people than this is not published


class Kind(enum.Enum):
    """What a column holds, which says how every renderer writes it."""

    LABEL = "label"  # the row's name: a kecamatan, a round, an indicator
    COUNT = "count"  # a whole number of people, packages or marks: 1.234
    RATE = "rate"  # a Rate, always written with its denominator: 42,9% dari 7
    MONEY = "money"  # whole rupiah: Rp1.500.000
    POINTS = "points"  # percentage points, the difference of two shares: +12,5 poin


@dataclass(frozen=True)
class Column:
    title: str
    kind: Kind | None  # None only for the headline's value column: each row's measure says (Table.cells)
    public: bool = True  # open data may publish it
    suppress_small: bool = True  # open data leaves small counts and rates on a small base empty


@dataclass(frozen=True)
class Cell:
    column: Column
    value: object  # by column.kind: str, int, Rate, int (rupiah), float (points), or None


@dataclass(frozen=True)
class Table:
    """A table of figures; each cell is typed by its column.

    In the headline, a table of measures, each row is [measure, value]: the measure is the Column
    that names and types the value (the value column's kind is None).
    """

    key: str
    title: str
    columns: list[Column]
    rows: list[list]

    def cells(self, row: list) -> list[Cell]:
        if isinstance(row[0], Column):
            measure, value = row
            return [Cell(self.columns[0], measure.title), Cell(measure, value)]
        return [Cell(column, value) for column, value in zip(self.columns, row, strict=True)]

    @property
    def typed_rows(self) -> list[list[Cell]]:
        return [self.cells(row) for row in self.rows]


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


def _label(title: str) -> Column:
    return Column(title, Kind.LABEL)


def _count(title: str, **flags) -> Column:
    return Column(title, Kind.COUNT, **flags)


def _rate(title: str, **flags) -> Column:
    return Column(title, Kind.RATE, **flags)


def _money(title: str) -> Column:
    """Money per head and the median (one income can be the median) are not published as open data."""
    return Column(title, Kind.MONEY, public=False)


def _group_table(key, title, first_column, rows):
    columns = [
        _label(first_column),
        _count(_("Enrolled (people)")),
        _count(_("Completers (people)")),
        _rate(_("Completion rate")),
    ]
    return Table(
        key, title, columns, [[row["label"], row["enrolled"], row["completers"], row["completion"]] for row in rows]
    )


def tables(data: dict) -> list[Table]:
    counts, costs = data["counts"], data["costs"]
    headline = Table(
        "headline",
        _("Headline figures"),
        [_label(_("Indicator")), Column(_("Value"), None)],
        [
            [_count(_("Enrolled (people)")), counts["enrolled"]],
            [_count(_("Completers (people)")), counts["completers"]],
            [_rate(_("Completion rate")), data["completion"]],
            [_rate(_("Attendance rate (held meetings)")), data["attendance"]["held"]],
            [_rate(_("Attendance rate (all planned meetings)")), data["attendance"]["planned"]],
            [_rate(_("Certification rate (LSP)")), data["certification"]],
            [_rate(_("Reporting completeness")), data["reporting"]["recorded"]],
            [_rate(_("Reported on time")), data["reporting"]["on_time"]],
            [_money(_("Cost per participant (Rp)")), costs["per_participant"]],
            [_money(_("Cost per completer (Rp)")), costs["per_completer"]],
        ],
    )
    # Counts of packages are not people: published as they are.
    realization = Table(
        "realization",
        _("Package realization per category"),
        [
            _label(_("Category")),
            _count(_("Packages planned"), suppress_small=False),
            _rate(_("Realization"), suppress_small=False),
            _rate(_("Package completion"), suppress_small=False),
        ],
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
            _label(_("Round")),
            _count(_("Due")),
            _count(_("Reached")),
            _count(_("Not reachable")),
            _count(_("Pending")),
            _rate(_("Self-employment rate (of due)")),
            _rate(_("Self-employment rate (of reached)")),
            _rate(_("Employment rate (of due)")),
            _rate(_("Employment rate (of reached)")),
            _rate(_("Response rate")),
            # A difference of small counts: not published as open data.
            Column(_("Change from intake (points)"), Kind.POINTS, public=False),
            _rate(_("Training-related work")),
            _money(_("Median monthly income (Rp)")),
        ],
        outcome_rows,
    )
    league = Table(
        "providers",
        _("Providers"),
        [
            _label(_("Provider")),
            _count(_("Enrolled (people)")),
            _count(_("Completers (people)")),
            _rate(_("Completion rate")),
            _rate(_("Attendance rate")),
            _rate(_("Self-employment rate, 6 months")),
            _rate(_("Employment rate, 6 months")),
            _rate(_("Response rate, 6 months")),
            _money(_("Cost per completer (Rp)")),
            _rate(_("Reporting completeness")),
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
        _group_table("age_band", _("By age at enrollment"), _("Age"), person["age_band"]),
        _group_table("education", _("By education"), _("Education"), person["education"]),
        _group_table("beneficiary_group", _("By beneficiary group"), _("Group"), person["beneficiary_group"]),
        _group_table("disability", _("By disability"), _("Disability"), person["disability"]),
    ]


# --- spreadsheets (CSV and XLSX) ----------------------------------------------------------------


def _of() -> str:
    return pgettext("the denominator of the rate in the column before", "of")


def spreadsheet_rows(table: Table) -> list[list]:
    """The table's header and rows for pekalongan_training.spreadsheets: each rate followed by its denominator."""
    measures = [row[0] for row in table.rows if isinstance(row[0], Column)]
    header = []
    for column in table.columns:
        header.append(column.title)
        if column.kind is Kind.RATE or (column.kind is None and any(m.kind is Kind.RATE for m in measures)):
            header.append(_of())
    rows = [header]
    for cells in table.typed_rows:
        row = []
        for cell in cells:
            row.extend(_spreadsheet_cells(cell))
        rows.append(row)
    return rows


def _spreadsheet_cells(cell: Cell) -> list:
    kind, value = cell.column.kind, cell.value
    if kind is Kind.RATE:
        return [Percent(value.numerator, value.denominator), Count(value.denominator)]
    if kind is Kind.COUNT:
        return [Count(value)]
    if kind is Kind.MONEY:
        return [Money(value)]
    if kind is Kind.POINTS:
        return [Points(value)]
    return [str(value)]


# --- open data ----------------------------------------------------------------------------------


def _small(value: int) -> bool:
    return 0 < value < SMALL_CELL


def _risky(cell: Cell) -> bool:
    """A count of 1-4 people, or a rate whose yes or no part is 1-4 people or whose base is under 5."""
    if not cell.column.suppress_small:
        return False
    value = cell.value
    if cell.column.kind is Kind.RATE:
        return value.denominator < SMALL_CELL or _small(value.numerator) or _small(value.denominator - value.numerator)
    return cell.column.kind is Kind.COUNT and value is not None and _small(value)


def _published(cell: Cell):
    """A cell as open data publishes it: counts and rupiah as whole numbers, rates as percentages with one decimal."""
    kind, value = cell.column.kind, cell.value
    if value is None:
        return None
    if kind is Kind.RATE:
        return None if value.percent is None else float(half_up(value.percent, 1))
    if kind is Kind.POINTS:
        return float(half_up(value, 1))
    return value


def open_data_rows(table: Table) -> tuple[list[str], list[list]]:
    """The table for publication: columns that could single out a person left out, small cells suppressed.

    A row with any count of 1-4 people is suppressed whole (its other figures could give it away),
    and when only one row of a table is suppressed, the next smallest is too, so that it cannot be
    worked out from a total elsewhere. Columns flagged suppress_small=False (counts of packages,
    which are not people) are published as they are; columns not public are left out.
    """
    typed = table.typed_rows
    if any(column.kind is None for column in table.columns):  # the headline: one measure a row
        rows = [cells for cells in typed if cells[1].column.public]
        return [column.title for column in table.columns], [
            [cells[0].value, None if _risky(cells[1]) else _published(cells[1])] for cells in rows
        ]
    keep = [i for i, column in enumerate(table.columns) if column.public]
    columns = [table.columns[i].title for i in keep]
    rows = [[cells[i] for i in keep] for cells in typed]
    suppressed = [any(_risky(cell) for cell in cells[1:]) for cells in rows]
    if sum(suppressed) == 1 and len(rows) > 1:
        others = [i for i, hidden in enumerate(suppressed) if not hidden]
        smallest = min(others, key=lambda i: rows[i][1].value if rows[i][1].column.kind is Kind.COUNT else 0)
        suppressed[smallest] = True
    return columns, [
        [cells[0].value, *([None] * (len(cells) - 1) if hidden else [_published(cell) for cell in cells[1:]])]
        for cells, hidden in zip(rows, suppressed, strict=True)
    ]
