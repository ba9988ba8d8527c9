"""The dashboard's figures as typed tables: one source for the page, the print view and the exports.

The open data under /data/ has tables of its own, rounded for publication (reports/open_data.py).

Every cell is written from its column's Kind. The HTML of a NUMBER cell (a mean score, a median of
days) is Cell.number; the other kinds are written by reports/templatetags/dashboard.py's `formatted`.
"""

import datetime
import enum
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _
from django_tasks import task

from participants.models import Outcome
from pekalongan_training.formatting import half_up, number
from pekalongan_training.spreadsheets import Count, Money, Percent, Points
from reports import indicators
from reports.caching import latest, refresh_kept
from reports.indicators import Filters
from reports.one_pass import side_by_side

SMALL_CELL = 5  # a row about fewer people than this shows its counts only


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
    suppress_small: bool = True  # about people: small groups show their counts only (packages: False)
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
        return number(half_up(self.value, decimals), decimals)


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
    """Every figure of the dashboard, as last computed for the selection (reports/caching.py).

    After a change, the figures computed before it are served (`figures_stale`, `figures_computed_at`)
    while dashboard_refresh computes the new ones in the task queue; only a selection never computed
    is computed here. Computing them takes a fixed number of queries however many people there are.
    """
    selection = [list(f.key()), get_language()]
    data, marks = (
        latest(
            part,
            selection,
            lambda part=part: PARTS[part][0](f, today),
            day=today,
            max_age=PARTS[part][1](),
            refresh=lambda part=part: dashboard_refresh.enqueue(part, selection, today.isoformat()),
        )
        for part in PARTS
    )
    figures, attendance = dict(data.value), dict(marks.value)
    league = indicators.with_provider_attendance(figures.pop("league_outcomes"), attendance.pop("by_provider"))
    minutes = max(1, settings.DASHBOARD_ATTENDANCE_SECONDS // 60)
    return {
        **figures,
        **attendance,
        "league": league,
        "attendance_minutes": minutes,
        "figures_computed_at": data.computed_at,
        "figures_stale": data.stale,
        # What the figures' pages are written from: the selection and language, and each part as
        # computed (its data version and time). templates/reports/dashboard.html keeps the page's
        # tables, written once, under it.
        "figures_stamp": "|".join(
            [repr(selection), data.version, data.computed_at.isoformat(), marks.version, marks.computed_at.isoformat()]
        ),
    }


@task()
def dashboard_refresh(part: str, selection: list, day: str) -> None:
    """Compute one part of a selection's figures and keep them (enqueued by dashboard_data)."""
    filters, language = selection
    compute, max_age = PARTS[part]
    with translation.override(language):
        refresh_kept(
            part, selection, day=day, max_age=max_age(), compute=lambda today: compute(Filters(*filters), today)
        )


FIGURES_SECONDS = 24 * 3600  # the version holds the day; this only bounds how long figures are believed


def _figures(f: Filters, today: datetime.date) -> dict:
    """The figures that change with enrollments, outcomes and packages (not with marks).

    Three statements however many people: the people, the follow-ups and the packages, each family
    computed once in one pass (reports/one_pass.py) and read by every indicator made from it; the
    people beside the follow-ups and the packages, at once where the database allows (side_by_side).
    """
    people, (follow_ups, packages) = side_by_side(
        lambda: indicators.people(f), lambda: (indicators.follow_ups(f, today), indicators.packages(f))
    )
    counts = indicators.headcounts(f, people)
    rounds = indicators.outcomes(f, today, follow_ups)
    return {
        "counts": counts,
        "completion": indicators.completion_rate(f, people),
        "certification": indicators.certification_rate(f, people),
        "realization": indicators.realization(f, packages),
        "costs": indicators.costs(f, counts, packages),
        "rounds": rounds,
        "waiting_time": indicators.waiting_time(f, follow_ups),
        "answers": indicators.follow_up_answers(f, today, follow_ups),
        "domicile": indicators.by_domicile(f, people),
        "person": indicators.by_person(f, people),
        "program": indicators.by_program(f, people),
        "league_outcomes": indicators.provider_outcomes(
            f, today, people_groups=people, follow_up_groups=follow_ups, package_groups=packages
        ),
        "charts": indicators.charts(f, today, rounds, people_groups=people, package_groups=packages),
    }


def _attendance_figures(f: Filters, today: datetime.date) -> dict:
    """The figures made from attendance marks, and when they were computed (two statements, at once
    where the database allows: marks, meetings)."""
    marks, meetings = side_by_side(lambda: indicators.marks(f), lambda: indicators.meetings(f, today))
    return {
        "attendance": indicators.attendance(f, today, marks),
        "reporting": indicators.reporting(f, today, meetings),
        "by_provider": indicators.provider_attendance(f, today, mark_groups=marks, meeting_groups=meetings),
        "attendance_computed_at": timezone.now(),
    }


# The dashboard's two parts: how to compute each, and for how long (seconds) its figures are fresh.
PARTS = {
    "figures": (_figures, lambda: FIGURES_SECONDS),
    "attendance": (_attendance_figures, lambda: settings.DASHBOARD_ATTENDANCE_SECONDS),
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
    return Column(title, Kind.MONEY, **flags)


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
            Column(_("Change from intake (points)"), Kind.POINTS),
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
            _number(_("Median waiting time (days)"), 0),
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
    """The table for the dashboard, the print view and the exports.

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
