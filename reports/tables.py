"""The dashboard's figures as typed tables: one source for the page, the print view, the exports and open data.

Every cell is written from its column's Kind. The HTML of a NUMBER cell (a mean score, a median of
days) is Cell.number; the other kinds are written by reports/templatetags/dashboard.py's `formatted`.
"""

import datetime
import enum
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _

from participants.models import Outcome
from pekalongan_training.formatting import half_up
from pekalongan_training.spreadsheets import Count, Money, Percent, Points
from reports import indicators
from reports.caching import cached
from reports.indicators import Filters

SMALL_CELL = 5  # open data: a count of fewer people than this is not published; the dashboard: counts only


class Kind(enum.Enum):
    """What a column holds, which says how every renderer writes it."""

    LABEL = "label"  # the row's name: a kecamatan, a round, an indicator
    COUNT = "count"  # a whole number of people, packages or marks: 1.234
    RATE = "rate"  # a Rate, always written with its denominator: 42,9% dari 7
    MONEY = "money"  # whole rupiah: Rp1.500.000
    POINTS = "points"  # percentage points, the difference of two shares: +12,5 poin
    # A measure that is neither a count of people nor a share, with the column's decimals: a mean
    # satisfaction score 4,2; a median waiting time of 45 days. In a small group, a dash.
    NUMBER = "number"


@dataclass(frozen=True)
class Column:
    title: str
    kind: Kind | None  # None only for the headline's value column: each row's measure says (Table.cells)
    public: bool = True  # open data may publish it
    suppress_small: bool = True  # about people: open data and the dashboard protect small groups (packages: False)
    key: str = ""  # for the page's figure cards, which pick a measure out of the headline
    decimals: int = 0  # Kind.NUMBER: how many decimals it is written with


@dataclass(frozen=True)
class Withheld:
    """A figure the dashboard does not show because it is about fewer than SMALL_CELL people.

    A count of people is written "< 5"; anything else (a rate, money, points) is a dash.
    """

    count: bool


@dataclass(frozen=True)
class Cell:
    column: Column
    # by column.kind: str, int, Rate, int (rupiah), float (points), int or Decimal (number), or None; or Withheld
    value: object

    @property
    def number(self) -> str:
        """A NUMBER cell as the pages write it, rounded half up to its column's decimals (4,3; 92).

        Withheld or empty: a dash.
        """
        if self.value is None or isinstance(self.value, Withheld):
            return "–"
        decimals = self.column.decimals
        return number_format(half_up(self.value, decimals), decimal_pos=decimals, force_grouping=True)


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
        "waiting_time": indicators.waiting_time(f),
        "answers": indicators.follow_up_answers(f, today),
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


def _number(title: str, decimals: int, **flags) -> Column:
    return Column(title, Kind.NUMBER, decimals=decimals, **flags)


def _money(title: str, **flags) -> Column:
    """Money per head and the median (one income can be the median) are not published as open data."""
    return Column(title, Kind.MONEY, public=False, **flags)


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
            [_count(_("Enrolled (people)"), key="enrolled"), counts["enrolled"]],
            [_count(_("Completers (people)"), key="completers"), counts["completers"]],
            [_rate(_("Completion rate"), key="completion"), data["completion"]],
            [_rate(_("Attendance rate (held meetings)"), key="attendance_held"), data["attendance"]["held"]],
            [
                _rate(_("Attendance rate (all planned meetings)"), key="attendance_planned"),
                data["attendance"]["planned"],
            ],
            [_rate(_("Certification rate (LSP)"), key="certification"), data["certification"]],
            [_rate(_("Reporting completeness"), key="reporting_recorded"), data["reporting"]["recorded"]],
            [_rate(_("Reported on time"), key="reporting_on_time"), data["reporting"]["on_time"]],
            [_money(_("Cost per participant (Rp)"), key="per_participant"), costs["per_participant"]],
            [_money(_("Cost per completer (Rp)"), key="per_completer"), costs["per_completer"]],
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
            _rate(_("Self-employment rate (of due)"), key="self_employment"),
            _rate(_("Self-employment rate (of reached)")),
            _rate(_("Employment rate (of due)"), key="employment"),
            _rate(_("Employment rate (of reached)")),
            _rate(_("Response rate"), key="response"),
            # A difference of small counts: not published as open data.
            Column(_("Change from intake (points)"), Kind.POINTS, public=False),
            _rate(_("Training-related work")),
            _money(_("Median monthly income (Rp)")),
        ],
        outcome_rows,
    )
    alumni = _alumni_tables(data)
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
        *alumni,
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


def _round_label(round_: int) -> str:
    return _("%(months)s months") % {"months": round_}


def _alumni_tables(data: dict) -> list[Table]:
    """What the alumni tell us at their follow-ups: waiting time, channels, satisfaction, what would help.

    Each row's first count of people is its size (reports.tables._protected_row): the completers with
    a known first work, the completers due for the round, the answers with a satisfaction score.
    """
    waiting = data["waiting_time"]
    bands = indicators.WAITING_BANDS
    waiting_time = Table(
        "waiting_time",
        _("Waiting time to the first work after training"),
        [
            _label(_("Completers")),
            _count(_("Known start date (n)")),
            # One person's wait can be the median: not published as open data, like the median income.
            _number(_("Median waiting time (days)"), 0, public=False),
            _rate(_("Within 3 months")),
            _rate(_("4-6 months")),
            _rate(_("7-12 months")),
            _rate(_("Over 12 months")),
        ],
        [
            [
                _("All in this selection"),
                waiting.known,
                waiting.median_days,
                *(waiting.share(key) for key, _months in bands),
                waiting.share(indicators.OVER_12),
            ]
        ],
    )
    pairs = list(zip(data["rounds"], data["answers"], strict=True))
    channels = Table(
        "channels",
        _("Response rate by channel"),
        [
            _label(_("Round")),
            _count(_("Due")),
            _count(_("Links sent")),
            _count(_("Answered through the link")),
            _rate(_("Link response rate")),
            _count(_("Staff calls recorded")),
            _count(_("Answered on a call")),
            _rate(_("Call response rate")),
            _rate(_("Response rate (all channels)")),
        ],
        [
            [
                _round_label(r.round),
                r.due,
                a.links_sent,
                a.by_link,
                a.link_response,
                a.calls,
                a.by_call,
                a.call_response,
                r.response,
            ]
            for r, a in pairs
        ],
    )
    satisfaction = Table(
        "satisfaction",
        _("Satisfaction with the training"),
        [
            _label(_("Round")),
            _count(_("Answers with a score (n)")),
            _number(_("Mean score (1-5)"), 1),
            *(_count(_("Score %(score)s") % {"score": score}) for score in indicators.SCORES),
        ],
        [
            [_round_label(a.round), a.rated, a.satisfaction_mean, *(a.scores[score] for score in indicators.SCORES)]
            for a in data["answers"]
        ],
    )
    help_columns = [_label(_("Round")), _count(_("Answers with a score (n)"))]
    for _value, label in Outcome.Help.choices:
        help_columns += [_count(str(label)), _rate(_("%(help)s, share") % {"help": label})]
    help_needed = Table(
        "help_needed",
        _("What alumni say would help"),
        help_columns,
        [
            [
                _round_label(a.round),
                a.rated,
                *(cell for value in Outcome.Help.values for cell in (a.help[value], a.help_share(value))),
            ]
            for a in data["answers"]
        ],
    )
    return [waiting_time, channels, satisfaction, help_needed]


# --- small groups on the dashboard, its print view and exports --------------------------------


def small_group(people: int) -> bool:
    """1 to 4 people: enough to recognise someone, so only their count ("< 5") is shown."""
    return 0 < people < SMALL_CELL


def small_selection(data: dict) -> bool:
    """The whole selection holds fewer than SMALL_CELL people (enrolled: everyone else shown is among them)."""
    return small_group(data["counts"]["enrolled"])


def _people(column: Column) -> bool:
    return column.kind is Kind.COUNT and column.suppress_small


def _withheld(cell: Cell) -> Cell:
    """The cell of a small group: a count of people becomes "< 5"; rates, money and points are not shown."""
    if cell.column.kind is Kind.LABEL or (cell.column.kind is Kind.COUNT and not cell.column.suppress_small):
        return cell  # the row's name, and counts of packages (not people)
    return Cell(cell.column, Withheld(count=_people(cell.column)))


def _protected_row(table: Table, row: list, whole: bool) -> list:
    """A row as the dashboard shows it: whole when it is about 5 people or more (or none), counts only otherwise.

    A row's size is its first count of people (enrolled, or due for a follow-up round): the other
    people in it are among them. A row without people (packages per category) is never small, only
    the whole selection can be.
    """
    cells = table.cells(row)
    if isinstance(row[0], Column):  # the headline: about the whole selection
        small = whole
    else:
        sizes = [cell.value for cell in cells if _people(cell.column)]
        small = whole or (bool(sizes) and small_group(sizes[0]))
    if not small:
        return row
    if isinstance(row[0], Column):
        return [row[0], _withheld(cells[1]).value]
    return [_withheld(cell).value for cell in cells]


def protected(table: Table, *, whole: bool) -> Table:
    """The table for the dashboard, the print view and the exports (open data has its own rule, open_data_rows).

    whole: the selection itself holds fewer than 5 people, so every row shows counts only.
    """
    return Table(table.key, table.title, table.columns, [_protected_row(table, row, whole) for row in table.rows])


def dashboard_tables(data: dict) -> list[Table]:
    """The tables as officials and dinas staff see them: no figure about fewer than 5 people but their count."""
    whole = small_selection(data)
    return [protected(table, whole=whole) for table in tables(data)]


def figure_cards(shown: list[Table]) -> dict[str, Cell]:
    """The headline measures, and the 6-month round's rates, by key, for the page's figure cards."""
    by_key = {table.key: table for table in shown}
    cards = {cells[1].column.key: cells[1] for cells in by_key["headline"].typed_rows}
    six = by_key["outcomes"].typed_rows[1]  # rounds 3, 6, 12
    cards.update({f"six_{cell.column.key}": cell for cell in six if cell.column.key})
    return cards


def protected_charts(charts: dict, data: dict) -> dict:
    """The charts' counts of people with small groups left out (a gap in the bar), as in the tables."""
    whole = small_selection(data)
    small_rounds = [whole or small_group(r.due) for r in data["rounds"]]

    def count(value):
        return None if whole or small_group(value) else value

    return {
        **charts,
        "categories": [
            {
                **series,
                "enrolled": [count(v) for v in series["enrolled"]],
                "completers": [count(v) for v in series["completers"]],
            }
            for series in charts["categories"]
        ],
        "outcomes": [
            {**item, "counts": [None if small else n for n, small in zip(item["counts"], small_rounds, strict=True)]}
            for item in charts["outcomes"]
        ],
    }


# --- spreadsheets (CSV and XLSX) ----------------------------------------------------------------


def fewer_than_small() -> str:
    """How a count of 1-4 people is written: "< 5"."""
    return _("< %(limit)s") % {"limit": SMALL_CELL}


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
    if isinstance(value, Withheld):
        written = fewer_than_small() if value.count else None
        return [written, None] if kind is Kind.RATE else [written]
    if kind is Kind.RATE:
        return [Percent(value.numerator, value.denominator), Count(value.denominator)]
    if kind is Kind.COUNT:
        return [Count(value)]
    if kind is Kind.MONEY:
        return [Money(value)]
    if kind is Kind.POINTS:
        return [Points(value)]
    if kind is Kind.NUMBER:
        return [None if value is None else half_up(value, cell.column.decimals)]
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
    if kind is Kind.NUMBER:
        rounded = half_up(value, cell.column.decimals)
        return float(rounded) if cell.column.decimals else int(rounded)
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
