"""DBHCHT realisation: what was spent and delivered against the plan, for a program year.

The definitions (said in plain Indonesian under "Definisi" on /dashboard/realisasi/,
templates/reports/realisation.html; change both together):

- A program year Y has periods: quarters I-IV (January-March, April-June, July-September,
  October-December), semesters I-II and the whole year. Realisation is cumulative, from 1 January
  of Y up to the *cutoff*: the earlier of the period's last day and the "as of" date (today, WIB, by
  default). Semester II and quarter IV therefore show the same figures as the year.
- Financial realisation = money spent (spending entries dated on or before the cutoff) / pagu (the
  package's budget); sisa = pagu - spent (below zero when a package went over its pagu, which
  programs.services.spending_record lets happen only with a written reason).
- Physical realisation (people) = people completed (completed enrollments in packages whose last
  day is on or before the cutoff) / planned volume (planned_participants, else the quota).
- Physical realisation (meetings) = meetings held (on or before the cutoff) / meetings planned
  (every meeting of the packages).
- Cancelled packages are left out, with their pagu. A rate whose denominator is 0 is no rate (a
  dash), never 0%.
- Aggregate rows (program, sub-activity, provider, category, funding source, the total) add up
  their packages; a program's funding source is Program.funding_source (spending is not split by
  source).

Queries: every measure of a package is a correlated subquery on its own table (the sum of its
spending, the count of its completers, of its meetings), so no join multiplies rows, and each
grouping is one GROUP BY over the packages: a report is seven queries however many packages there
are, the dashboard panel one (reports/caching.py keeps it; reports/apps.py throws it away when the
records change).
"""

import calendar
import dataclasses
import datetime
from dataclasses import dataclass, field

from django.db.models import BigIntegerField, Case, Count, F, IntegerField, Max, OuterRef, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils import translation
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django_tasks import task

from participants.models import Enrollment
from programs.models import JOB_SEEKER_TRAINING_SUB_ACTIVITY, Expenditure, Program, Session, TrainingPackage
from reports.caching import latest, refresh_kept
from reports.indicators import Rate

# The periods of a program year: key -> (the month the period ends with, its name).
PERIODS = {
    "q1": (3, gettext_lazy("Quarter I")),
    "q2": (6, gettext_lazy("Quarter II")),
    "q3": (9, gettext_lazy("Quarter III")),
    "q4": (12, gettext_lazy("Quarter IV")),
    "s1": (6, gettext_lazy("Semester I")),
    "s2": (12, gettext_lazy("Semester II")),
    "year": (12, gettext_lazy("Whole year")),
}
QUARTERS = (("q1", "I"), ("q2", "II"), ("q3", "III"), ("q4", "IV"))

# The budget nomenclature (Kepmendagri) above a package: the urusan, and the names of the
# sub-activities training packages are planned under. Names are the official ones, not translated.
URUSAN_CODE = "2.07"
URUSAN_NAME = "Urusan Tenaga Kerja"
SUB_ACTIVITY_NAMES = {
    JOB_SEEKER_TRAINING_SUB_ACTIVITY: (
        "Proses Pelaksanaan Pendidikan dan Pelatihan Keterampilan bagi Pencari Kerja berdasarkan Klaster Kompetensi"
    ),
    "2.07.03.2.01.0002": (
        "Koordinasi Lintas Lembaga dan Kerja Sama dengan Sektor Swasta untuk Penyediaan Instruktur "
        "serta Sarana dan Prasarana Lembaga Pelatihan Kerja"
    ),
    "2.07.03.2.02.0001": "Pembinaan Lembaga Pelatihan Kerja Swasta",
    "2.07.03.2.05.0001": "Pengukuran Kompetensi dan Produktivitas Tenaga Kerja",
}
UNIT = gettext_lazy("people")  # the satuan of the volume

PANEL_SECONDS = 24 * 3600  # the version holds the day; this only bounds how long a panel is believed


@dataclass(frozen=True)
class Period:
    """A period of a program year; its figures run from 1 January to the cutoff."""

    year: int
    key: str

    @property
    def label(self) -> str:
        return str(PERIODS[self.key][1])

    @property
    def first_day(self) -> datetime.date:
        return datetime.date(self.year, 1, 1)

    @property
    def last_day(self) -> datetime.date:
        month = PERIODS[self.key][0]
        return datetime.date(self.year, month, calendar.monthrange(self.year, month)[1])

    def cutoff(self, as_of: datetime.date) -> datetime.date:
        return min(self.last_day, as_of)


def period_of(day: datetime.date) -> str:
    """The quarter a day lies in: "q1" .. "q4"."""
    return f"q{(day.month - 1) // 3 + 1}"


@dataclass(frozen=True, kw_only=True)
class Realisation:
    """One row's plan and realisation up to the cutoff: money in whole rupiah, people, meetings."""

    label: str = ""
    packages: int = 1
    pagu: int
    spent: int
    volume: int  # planned people
    completed: int  # people completed by the cutoff
    meetings_planned: int
    meetings_held: int

    @property
    def sisa(self) -> int:
        return self.pagu - self.spent

    @property
    def financial(self) -> Rate:
        return Rate(self.spent, self.pagu)

    @property
    def physical(self) -> Rate:
        return Rate(self.completed, self.volume)

    @property
    def meetings(self) -> Rate:
        return Rate(self.meetings_held, self.meetings_planned)


@dataclass(frozen=True, kw_only=True)
class PackageRealisation(Realisation):
    """A package's row: its codes and provider beside its figures."""

    code: str
    title: str
    provider: str
    sub_activity_code: str
    account_code: str


@dataclass(frozen=True)
class Line:
    """A line of the report in the coordinator's shape: bidang > program > kegiatan > rincian, then the total."""

    level: str  # "bidang", "program", "kegiatan", "package" or "total"
    number: str
    label: str
    code: str = ""
    provider: str = ""
    figures: Realisation | None = None  # none on the bidang line, a heading


@dataclass(frozen=True)
class RealisationReport:
    period: Period
    as_of: datetime.date
    cutoff: datetime.date
    lines: list[Line]
    total: Realisation
    by_provider: list[Realisation]
    by_category: list[Realisation]
    by_funding: list[Realisation]

    @property
    def packages(self) -> list[PackageRealisation]:
        return [line.figures for line in self.lines if line.level == "package"]


# --- the measures, in the database --------------------------------------------------------------


def _count(queryset) -> Subquery:
    """The number of rows of a queryset filtered on OuterRef("pk"), per package."""
    return Subquery(
        queryset.order_by().values("package").annotate(n=Count("pk")).values("n"), output_field=IntegerField()
    )


def _plan() -> dict:
    """What a package plans: its pagu, its volume in people, its meetings."""
    return {
        "pagu": F("budget"),
        "volume": Coalesce("planned_participants", "quota"),
        "meetings_planned": Coalesce(_count(Session.objects.filter(package=OuterRef("pk"))), 0),
    }


def _done(cutoff: datetime.date) -> dict:
    """What a package has done by the cutoff: money spent, people completed, meetings held."""
    spent = (
        Expenditure.objects.filter(package=OuterRef("pk"), spent_on__lte=cutoff)
        .order_by()
        .values("package")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    completers = _count(Enrollment.objects.filter(package=OuterRef("pk"), status=Enrollment.Status.COMPLETED))
    return {
        "spent": Coalesce(Subquery(spent, output_field=BigIntegerField()), 0),
        "completed": Case(When(ends_on__lte=cutoff, then=Coalesce(completers, 0)), default=Value(0)),
        "meetings_held": Coalesce(_count(Session.objects.filter(package=OuterRef("pk"), date__lte=cutoff)), 0),
    }


def _measures(cutoff: datetime.date) -> dict:
    return {**_plan(), **_done(cutoff)}


MEASURES = ("pagu", "spent", "volume", "completed", "meetings_planned", "meetings_held")


def year_packages(year: int):
    """The packages of a program year that count: every one but the cancelled."""
    return TrainingPackage.objects.filter(cohort__program__fiscal_year=year).exclude(
        status=TrainingPackage.Status.CANCELLED
    )


def _sums(cutoff: datetime.date) -> dict:
    return {name: Coalesce(Sum(expression), 0) for name, expression in _measures(cutoff).items()}


def _grouped(year: int, cutoff: datetime.date, *fields: str) -> list[dict]:
    """One GROUP BY over the year's packages: the measures added up per value of `fields`."""
    return list(year_packages(year).values(*fields).annotate(packages=Count("pk"), **_sums(cutoff)).order_by(*fields))


def _figures(row: dict, label: str = "") -> Realisation:
    return Realisation(label=label, packages=row.get("packages", 1), **{name: row[name] for name in MEASURES})


def totals(year: int, cutoff: datetime.date) -> Realisation:
    """The whole program year up to the cutoff (one query)."""
    row = year_packages(year).aggregate(packages=Count("pk"), **_sums(cutoff))
    return _figures(row, _("Total"))


# --- the report ---------------------------------------------------------------------------------


def sub_activity_name(code: str) -> str:
    return SUB_ACTIVITY_NAMES.get(code) or _("Sub-activity %(code)s") % {"code": code}


def _program_code(codes: set[str]) -> str:
    """The nomenclature program (2.07.03) its packages' sub-activity codes share, else ''."""
    prefixes = {".".join(code.split(".")[:3]) for code in codes}
    return prefixes.pop() if len(prefixes) == 1 else ""


def realisation_report(*, year: int, period: str, as_of: datetime.date) -> RealisationReport:
    """The realisation of a program year's packages for a period, as of a day (seven queries)."""
    chosen = Period(year, period)
    cutoff = chosen.cutoff(as_of)
    packages = list(
        year_packages(year)
        .annotate(**_measures(cutoff))
        .values(
            "code",
            "title",
            "provider__name",
            "sub_activity_code",
            "account_code",
            "cohort__program",
            *MEASURES,
        )
        .order_by("cohort__program__name", "cohort__program", "sub_activity_code", "code")
    )
    programs = {
        row["cohort__program"]: row for row in _grouped(year, cutoff, "cohort__program", "cohort__program__name")
    }
    activities = {
        (row["cohort__program"], row["sub_activity_code"]): row
        for row in _grouped(year, cutoff, "cohort__program", "sub_activity_code")
    }

    lines = [Line("bidang", "", URUSAN_NAME, URUSAN_CODE)]
    program_number = activity_number = package_number = 0
    current_program = current_activity = None
    for row in packages:
        program = row["cohort__program"]
        if program != current_program:
            current_program, current_activity = program, None
            program_number += 1
            activity_number = 0
            codes = {key[1] for key in activities if key[0] == program}
            group = programs[program]
            lines.append(
                Line(
                    "program",
                    f"{program_number}",
                    group["cohort__program__name"],
                    _program_code(codes),
                    figures=_figures(group, group["cohort__program__name"]),
                )
            )
        if row["sub_activity_code"] != current_activity:
            current_activity = row["sub_activity_code"]
            activity_number += 1
            package_number = 0
            name = sub_activity_name(current_activity)
            lines.append(
                Line(
                    "kegiatan",
                    f"{program_number}.{activity_number}",
                    name,
                    current_activity,
                    figures=_figures(activities[(program, current_activity)], name),
                )
            )
        package_number += 1
        label = f"{row['code']} {row['title']}"
        lines.append(
            Line(
                "package",
                f"{program_number}.{activity_number}.{package_number}",
                label,
                row["account_code"],
                row["provider__name"],
                PackageRealisation(
                    label=label,
                    code=row["code"],
                    title=row["title"],
                    provider=row["provider__name"],
                    sub_activity_code=row["sub_activity_code"],
                    account_code=row["account_code"],
                    **{name: row[name] for name in MEASURES},
                ),
            )
        )
    total = totals(year, cutoff)
    lines.append(Line("total", "", total.label, figures=total))

    categories = dict(TrainingPackage.Category.choices)
    sources = dict(Program.FundingSource.choices)
    return RealisationReport(
        period=chosen,
        as_of=as_of,
        cutoff=cutoff,
        lines=lines,
        total=total,
        by_provider=[
            _figures(row, row["provider__name"]) for row in _grouped(year, cutoff, "provider__name", "provider")
        ],
        by_category=[
            _figures(row, str(categories.get(row["category"], row["category"])))
            for row in _grouped(year, cutoff, "category")
        ],
        by_funding=[
            _figures(row, str(sources.get(source, source)))
            for row in _grouped(year, cutoff, "cohort__program__funding_source")
            for source in [row["cohort__program__funding_source"]]
        ],
    )


# --- the dashboard panel ------------------------------------------------------------------------


@dataclass(frozen=True)
class QuarterFigures:
    """A quarter's cumulative realisation; a quarter that had not begun by the day has none."""

    numeral: str  # "I" .. "IV"
    cutoff: datetime.date | None
    financial: Rate | None = None
    physical: Rate | None = None


@dataclass(frozen=True)
class RealisationPanel:
    """The officials' "serapan keuangan 62,4% · fisik 71,0%" of a program year, and by quarter."""

    year: int
    cutoff: datetime.date
    financial: Rate
    physical: Rate
    pagu: int
    spent: int
    quarters: list[QuarterFigures] = field(default_factory=list)
    stale: bool = False  # computed before the latest changes; newer figures are being computed


def latest_year() -> int | None:
    return Program.objects.aggregate(year=Max("fiscal_year"))["year"]


def panel_figures(*, year: int, today: datetime.date) -> RealisationPanel:
    """The year as of today (at most its last day) and each quarter's cumulative figures, in one query."""
    plan = {name: Coalesce(Sum(expression), 0) for name, expression in _plan().items()}
    done = {}
    cutoffs = {}
    for key, _numeral in QUARTERS:
        period = Period(year, key)
        cutoffs[key] = period.cutoff(today)
        for name, expression in _done(cutoffs[key]).items():
            done[f"{key}_{name}"] = Coalesce(Sum(expression), 0)
    row = year_packages(year).aggregate(**plan, **done)
    quarters = []
    for number, (key, numeral) in enumerate(QUARTERS):
        begins = datetime.date(year, 3 * number + 1, 1)
        if begins > today:
            quarters.append(QuarterFigures(numeral, None))
            continue
        quarters.append(
            QuarterFigures(
                numeral,
                cutoffs[key],
                Rate(row[f"{key}_spent"], row["pagu"]),
                Rate(row[f"{key}_completed"], row["volume"]),
            )
        )
    # The year up to today is the fourth quarter's cumulative figures (its cutoff is the same day).
    return RealisationPanel(
        year=year,
        cutoff=cutoffs["q4"],
        financial=Rate(row["q4_spent"], row["pagu"]),
        physical=Rate(row["q4_completed"], row["volume"]),
        pagu=row["pagu"],
        spent=row["q4_spent"],
        quarters=quarters,
    )


def realisation_panel(*, year: int | None, today: datetime.date) -> RealisationPanel | None:
    """The panel of the dashboard's year, or of the latest program year; None when there is no program.

    Kept in the cache under the data version (reports/caching.py `latest`): spending entries,
    packages, enrollments and programs bump it (reports/apps.py); after a change the panel last
    computed is shown while realisation_panel_refresh computes the new one. Meetings do not bump
    the version, so the panel leaves them out.
    """
    selection = [year, get_language()]
    kept = latest(
        "realisation-panel",
        selection,
        lambda: _panel(year, today),
        day=today,
        max_age=PANEL_SECONDS,
        refresh=lambda: realisation_panel_refresh.enqueue(selection, today.isoformat()),
    )
    if not kept.value:
        return None
    return dataclasses.replace(kept.value, stale=kept.stale) if kept.stale else kept.value


def _panel(year: int | None, today: datetime.date) -> RealisationPanel | bool:
    chosen = year or latest_year()
    return panel_figures(year=chosen, today=today) if chosen else False


@task()
def realisation_panel_refresh(selection: list, day: str) -> None:
    """Compute the dashboard's realisation panel again and keep it (enqueued by realisation_panel)."""
    year, language = selection
    with translation.override(language):
        refresh_kept(
            "realisation-panel", selection, day=day, max_age=PANEL_SECONDS, compute=lambda today: _panel(year, today)
        )
