"""The indicators officials quote, computed in the database exactly as DESIGN.md defines them.

Every function here runs a fixed number of aggregate queries, however many participants there
are; nothing loops over people in Python. The definitions, in plain Indonesian, are on
/dashboard/indicators/ (templates/reports/indicators.html): change both together.

For the selected filters (program year, wave, category, provider, vocation, funding source,
kecamatan), cancelled packages left out:
- the kecamatan filter is the kecamatan of *domicile*: people who live there, and for package
  counts the packages in which someone living there holds a seat; costs are not computed under it
  (a package's budget is not split by where its participants live);
- headcounts (enrolled, completers) count people; rates count enrollments.

What the alumni tell us at their follow-ups (waiting_time, follow_up_answers): the waiting time to
the first work after training, the response by channel (the personal link, a staff call), the
satisfaction with the training and what would help, per round among the completers due for it.

One statement per family of figures (reports/one_pass.py), however many breakdowns: the people
(headcounts, completion, certification and every breakdown), the follow-ups (every round, the
waiting time, the answers, the providers' round), the packages, the marks and the meetings. A
family's base is one row per enrollment (completer, package, meeting) in the filters, and its
breakdowns group that one base, so a breakdown and its total cannot count by different rules. The
people's base has a column for each thing counted: the person when their seat counts, 1 when the
enrollment completed in a completed package, NULL otherwise. The follow-ups' base has each
completer's answer at each round, and the completers are grouped by it (due or not, the status, the
channel, the score, ...): a round's figures add up those groups, a few hundred rows at most.

Each function below computes its own family when called alone, or reads the family computed once
(`people`, `follow_ups`, `packages`, `marks`, `meetings`): reports/tables.py computes each once.
"""

import datetime
import math
import zoneinfo
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    FilteredRelation,
    Func,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, ExtractDay, ExtractMonth, ExtractYear, TruncDate
from django.db.models.lookups import GreaterThan

from participants.followups import last_day_due
from participants.models import Enrollment, Outcome, Participant
from pekalongan_training.formatting import half_up, whole_rupiah
from programs.models import Program, Session, TrainingPackage
from reports.one_pass import COUNT, DISTINCT, MIDDLE, SUM, Grouping, one_pass

SEATED = Enrollment.SEAT_STATUSES
WORKING = Outcome.WORKING_STATUSES
ANSWERED = tuple(status for status in Outcome.Status.values if status != Outcome.Status.UNREACHABLE)
INTAKE_WORKING = (Participant.EmploymentStatus.SELF_EMPLOYED, Participant.EmploymentStatus.EMPLOYED)
ROUNDS = (3, 6, 12)
LEAGUE_ROUND = 6  # the providers' league shows the outcomes at 6 months
AGE_BANDS = [("15-24", 15, 24), ("25-34", 25, 34), ("35-44", 35, 44), ("45-54", 45, 54), ("55+", 55, 200)]
WIB = zoneinfo.ZoneInfo("Asia/Jakarta")


@dataclass(frozen=True)
class Rate:
    """A share with its numerator and denominator; no denominator means no rate (a dash)."""

    numerator: int
    denominator: int

    @property
    def percent(self) -> float | None:
        return None if not self.denominator else 100 * self.numerator / self.denominator


@dataclass
class Filters:
    year: int | None = None
    cohort: object = None
    category: str | None = None
    kecamatan: object = None
    provider: object = None
    vocation: object = None
    funding: str | None = None

    def key(self) -> tuple:
        """The selection as plain values (primary keys for records), for a cache key."""
        return tuple(getattr(getattr(self, name), "pk", getattr(self, name)) for name in self.__dataclass_fields__)

    def package_q(self, prefix: str = "") -> Q:
        """The package filters as a Q on a path to TrainingPackage ("" or "package__")."""
        q = ~Q(**{f"{prefix}status": TrainingPackage.Status.CANCELLED})
        if self.year:
            q &= Q(**{f"{prefix}cohort__program__fiscal_year": self.year})
        if self.cohort:
            q &= Q(**{f"{prefix}cohort": self.cohort})
        if self.category:
            q &= Q(**{f"{prefix}category": self.category})
        if self.provider:
            q &= Q(**{f"{prefix}provider": self.provider})
        if self.vocation:
            q &= Q(**{f"{prefix}vocation": self.vocation})
        if self.funding:
            q &= Q(**{f"{prefix}cohort__program__funding_source": self.funding})
        return q

    def packages(self):
        """Packages in the filters; under a kecamatan filter, those with a seat held by someone living there."""
        packages = TrainingPackage.objects.filter(self.package_q())
        if self.kecamatan:
            residents = Enrollment.objects.filter(
                package=OuterRef("pk"),
                status__in=SEATED,
                participant__kelurahan__kecamatan=self.kecamatan,
            )
            packages = packages.filter(Exists(residents))
        return packages

    def enrollments(self):
        queryset = Enrollment.objects.filter(self.package_q("package__"))
        if self.kecamatan:
            queryset = queryset.filter(participant__kelurahan__kecamatan=self.kecamatan)
        return queryset


def _flag(condition: Q) -> Case:
    """1 where the condition holds, else NULL: what a COUNT measure counts."""
    return Case(When(condition, then=Value(1)))


# --- the people: headcounts, completion, certification and every breakdown ----------------------

# What each grouping of the people counts (reports/one_pass.py): people are counted by their key.
PEOPLE_MEASURES = {
    "enrolled": DISTINCT,
    "completers": DISTINCT,
    "completed": COUNT,
    "ended": COUNT,
    "competent": COUNT,
    "tested": COUNT,
}
_COUNTED = ("enrolled", "completers", "completed", "ended")
PEOPLE_GROUPINGS = {
    "total": Grouping((), (*_COUNTED, "competent", "tested")),
    "kecamatan": Grouping(("kecamatan",), _COUNTED),
    "kelurahan": Grouping(("kecamatan", "kelurahan"), _COUNTED),
    "category": Grouping(("category",), _COUNTED),
    "vocation": Grouping(("vocation",), _COUNTED),
    "wave": Grouping(("year", "wave"), _COUNTED),
    "funding": Grouping(("funding",), _COUNTED),
    "sex": Grouping(("sex",), _COUNTED),
    "education": Grouping(("education",), _COUNTED),
    "beneficiary_group": Grouping(("beneficiary_group",), _COUNTED),
    "disability": Grouping(("disability",), _COUNTED),
    "age_band": Grouping(("age_band",), _COUNTED),
    "provider": Grouping(("provider", "provider_name"), _COUNTED),
    "chart": Grouping(("year", "wave", "category"), ("enrolled", "completers")),
}


def _people_base(f: Filters):
    """One row per enrollment in the filters: what the groupings count, and what they group by."""
    annotations, age, band = _age_band()
    completed = Q(status=Enrollment.Status.COMPLETED)
    in_completed_package = Q(package__status=TrainingPackage.Status.COMPLETED)
    ended = Q(status__in=[Enrollment.Status.COMPLETED, Enrollment.Status.DROPPED_OUT])
    return (
        f.enrollments()
        .annotate(enrolled_day=Coalesce("enrolled_on", "package__starts_on"))
        .annotate(**annotations)
        .annotate(age=age)
        .annotate(age_band=band)
        .values(
            "age_band",
            # Enrolled and completers: the person, when the enrollment counts them (distinct people).
            enrolled=Case(When(status__in=SEATED, then=F("participant"))),
            completers=Case(When(completed, then=F("participant"))),
            # Completion: enrollments in completed packages; certification: completers tested.
            completed=_flag(completed & in_completed_package),
            ended=_flag(ended & in_completed_package),
            competent=_flag(completed & Q(competency=Enrollment.Competency.COMPETENT)),
            tested=_flag(completed & ~Q(competency=Enrollment.Competency.NOT_TESTED)),
            kecamatan=F("participant__kelurahan__kecamatan__name"),
            kelurahan=F("participant__kelurahan__name"),
            category=F("package__category"),
            vocation=F("package__vocation__name"),
            year=F("package__cohort__program__fiscal_year"),
            wave=F("package__cohort__number"),
            funding=F("package__cohort__program__funding_source"),
            sex=F("participant__sex"),
            education=F("participant__education"),
            beneficiary_group=F("participant__beneficiary_group"),
            disability=F("participant__has_disability"),
            provider=F("package__provider"),
            provider_name=F("package__provider__name"),
            person=F("participant"),
        )
    )


def people(f: Filters, names=None) -> dict[str, list[dict]]:
    """The people's groupings (all, or those named), each a list of rows: one statement."""
    return one_pass(_people_base(f), PEOPLE_MEASURES, PEOPLE_GROUPINGS, names=names, key="person")


def headcounts(f: Filters, groups: dict | None = None) -> dict:
    """Enrolled and completers: distinct people (by NIK)."""
    total = (people(f, ["total"]) if groups is None else groups)["total"][0]
    return {"enrolled": total["enrolled"], "completers": total["completers"]}


def completion_rate(f: Filters, groups: dict | None = None) -> Rate:
    """Completed / (completed + dropped out), enrollments in completed packages."""
    total = (people(f, ["total"]) if groups is None else groups)["total"][0]
    return Rate(total["completed"], total["ended"])


def certification_rate(f: Filters, groups: dict | None = None) -> Rate:
    """Completers found competent by an LSP / completers tested."""
    total = (people(f, ["total"]) if groups is None else groups)["total"][0]
    return Rate(total["competent"], total["tested"])


def _rows(groups, label) -> list[dict]:
    return [
        {
            "label": label(group),
            "enrolled": group["enrolled"],
            "completers": group["completers"],
            "completion": Rate(group["completed"], group["ended"]),
        }
        for group in groups
        if group["enrolled"] or group["completers"]
    ]


def by_domicile(f: Filters, groups: dict | None = None) -> dict:
    groups = people(f, ["kecamatan", "kelurahan"]) if groups is None else groups
    outside = "Luar Kota Pekalongan"
    return {
        "kecamatan": _rows(groups["kecamatan"], lambda g: g["kecamatan"] or outside),
        "kelurahan": _rows(
            groups["kelurahan"], lambda g: f"{g['kelurahan']} ({g['kecamatan']})" if g["kelurahan"] else outside
        ),
    }


def _age_band():
    """Age at enrollment, banded, in the database.

    The age kept on the enrollment when the person's birth date was erased (participant_anonymise);
    otherwise from the birth date, on the day of enrollment, else on the package's first day.
    """
    born, start = "participant__birth_date", "enrolled_day"
    before_birthday = Case(
        When(start_month__lt=F("birth_month"), then=Value(1)),
        When(start_month=F("birth_month"), start_day__lt=F("birth_day"), then=Value(1)),
        default=Value(0),
        output_field=IntegerField(),
    )
    annotations = {
        "start_month": ExtractMonth(start),
        "birth_month": ExtractMonth(born),
        "start_day": ExtractDay(start),
        "birth_day": ExtractDay(born),
    }
    age = Coalesce(
        F("age_at_enrollment"), ExtractYear(start) - ExtractYear(born) - before_birthday, output_field=IntegerField()
    )
    # Every band but the last is ten years wide, from 15: (age - 5) / 10 says which one an age is in,
    # the age computed once (a CASE with a WHEN for each band computes it again for each, and that
    # was the costliest part of the breakdowns). The last band, open to 200, and the rest below.
    *decades, (last, low, high) = AGE_BANDS
    band = _SimpleCase(
        (Cast("age", IntegerField()) - 5) / 10,
        {(first - 5) // 10: label for label, first, _last in decades},
        default=Case(When(age__gte=low, age__lte=high, then=Value(last)), default=Value("<15")),
    )
    return annotations, age, band


class _SimpleCase(Func):
    """CASE value WHEN a THEN x ... ELSE default END: the value computed once."""

    def __init__(self, value, cases: dict, default):
        pairs = [Value(item) for pair in cases.items() for item in pair]
        super().__init__(value, default, *pairs, output_field=CharField())

    def as_sql(self, compiler, connection, **extra_context):
        (value, value_params), (default, default_params), *pairs = (
            compiler.compile(expression) for expression in self.get_source_expressions()
        )
        sql, params = f"CASE {value}", [*value_params]
        for (when, when_params), (then, then_params) in zip(pairs[::2], pairs[1::2], strict=True):
            sql += f" WHEN {when} THEN {then}"
            params += [*when_params, *then_params]
        return f"{sql} ELSE {default} END", (*params, *default_params)


def _wave_label(group: dict) -> str:
    return f"G{group['wave']}/{group['year']}"


def by_program(f: Filters, groups: dict | None = None) -> dict:
    """Category, vocation, wave and funding source."""
    groups = people(f, ["category", "vocation", "wave", "funding"]) if groups is None else groups
    categories = dict(TrainingPackage.Category.choices)
    funding = dict(Program.FundingSource.choices)
    return {
        "category": _rows(groups["category"], lambda g: str(categories.get(g["category"], g["category"]))),
        "vocation": _rows(groups["vocation"], lambda g: g["vocation"]),
        "wave": _rows(groups["wave"], _wave_label),
        "funding": _rows(groups["funding"], lambda g: str(funding.get(g["funding"], g["funding"]))),
    }


def by_person(f: Filters, groups: dict | None = None) -> dict:
    """Sex, age band at enrollment, education, beneficiary group, disability."""
    names = ("sex", "education", "beneficiary_group", "disability", "age_band")
    groups = people(f, names) if groups is None else groups
    labels = {
        "sex": dict(Participant.Sex.choices),
        "education": dict(Participant.Education.choices),
        "beneficiary_group": dict(Participant.BeneficiaryGroup.choices),
        "disability": {True: "Ya", False: "Tidak"},
    }
    tables = {
        name: _rows(groups[name], lambda g, name=name: str(labels[name].get(g[name], g[name])))
        for name in ("sex", "education", "beneficiary_group", "disability")
    }
    tables["age_band"] = _rows(groups["age_band"], lambda g: g["age_band"])
    return tables


# --- packages ----------------------------------------------------------------------------------

PACKAGE_MEASURES = {"planned": COUNT, "started": COUNT, "completed": COUNT, "budgets": SUM}
PACKAGE_GROUPINGS = {
    "category": Grouping(("package_category",), ("planned", "started", "completed")),
    "status": Grouping(("package_status",), ("planned",)),
    "provider": Grouping(("package_provider",), ("budgets",)),
    "total": Grouping((), ("budgets",)),
}


def _package_base(f: Filters):
    """One row per package in the filters."""
    started = [TrainingPackage.Status.RUNNING, TrainingPackage.Status.COMPLETED]
    return f.packages().values(
        planned=F("pk"),
        started=_flag(Q(status__in=started)),
        completed=_flag(Q(status=TrainingPackage.Status.COMPLETED)),
        budgets=F("budget"),
        package_category=F("category"),
        package_status=F("status"),
        package_provider=F("provider"),
    )


def packages(f: Filters, names=None) -> dict[str, list[dict]]:
    """The packages' groupings (all, or those named): one statement."""
    return one_pass(_package_base(f), PACKAGE_MEASURES, PACKAGE_GROUPINGS, names=names)


def realization(f: Filters, groups: dict | None = None) -> list[dict]:
    """Per category: packages started (running or completed) and completed, over packages planned."""
    groups = packages(f, ["category"]) if groups is None else groups
    labels = dict(TrainingPackage.Category.choices)
    return [
        {
            "category": row["package_category"],
            "label": labels.get(row["package_category"], row["package_category"]),
            "planned": row["planned"],
            "realization": Rate(row["started"], row["planned"]),
            "completion": Rate(row["completed"], row["planned"]),
        }
        for row in groups["category"]
    ]


def _per_head(budget: int, people: int) -> int | None:
    """A budget shared out per person, in whole rupiah (rounded half up); nobody to share it by is None."""
    return whole_rupiah(Fraction(budget, people)) if people else None


def costs(f: Filters, counts: dict, groups: dict | None = None) -> dict:
    """Package budgets / enrolled people, and / completers (not under a kecamatan filter); whole rupiah."""
    if f.kecamatan:
        return {"budget": None, "per_participant": None, "per_completer": None}
    budget = (packages(f, ["total"]) if groups is None else groups)["total"][0]["budgets"]
    return {
        "budget": budget,
        "per_participant": _per_head(budget, counts["enrolled"]),
        "per_completer": _per_head(budget, counts["completers"]),
    }


# --- follow-up rounds, the waiting time and the answers -----------------------------------------


@dataclass
class RoundOutcome:
    round: int
    due: int
    reached: int
    unreachable: int
    by_status: dict = field(default_factory=dict)
    related: int = 0
    intake_working: int = 0
    median_income: int | None = None  # whole rupiah

    @property
    def pending(self) -> int:
        return self.due - self.reached - self.unreachable

    @property
    def working(self) -> int:
        return self.by_status.get(Outcome.Status.SELF_EMPLOYED, 0) + self.by_status.get(Outcome.Status.EMPLOYED, 0)

    @property
    def self_employment(self) -> Rate:
        return Rate(self.by_status.get(Outcome.Status.SELF_EMPLOYED, 0), self.due)

    @property
    def self_employment_reached(self) -> Rate:
        return Rate(self.by_status.get(Outcome.Status.SELF_EMPLOYED, 0), self.reached)

    @property
    def employment(self) -> Rate:
        return Rate(self.working, self.due)

    @property
    def employment_reached(self) -> Rate:
        return Rate(self.working, self.reached)

    @property
    def response(self) -> Rate:
        return Rate(self.reached, self.due)

    @property
    def change_from_intake(self) -> float | None:
        """Percentage points: share working at round R minus share working at intake, over the reached."""
        if not self.reached:
            return None
        return 100 * (self.working - self.intake_working) / self.reached

    @property
    def training_related(self) -> Rate:
        return Rate(self.related, self.working)


# --- what the alumni tell us at their follow-ups ------------------------------------------------

# The waiting time's bands: (key, the last month of the band); the rest is over 12 months.
WAITING_BANDS = (("within_3", 3), ("months_4_6", 6), ("months_7_12", 12))
OVER_12 = "over_12"
SCORES = (1, 2, 3, 4, 5)  # satisfaction with the training: 1 very dissatisfied .. 5 very satisfied


@dataclass
class WaitingTime:
    """Completers with a known start of their first work (n), the median wait in days, and the bands."""

    known: int
    median_days: int | None
    bands: dict = field(default_factory=dict)  # WAITING_BANDS' keys and OVER_12 -> completers

    def share(self, band: str) -> Rate:
        return Rate(self.bands.get(band, 0), self.known)


@dataclass
class RoundAnswers:
    """A round's answers from the completers due for it: by channel, satisfaction, what would help."""

    round: int
    links_sent: int = 0  # completers sent their personal link (FollowUpInvitation.sent_at)
    by_link: int = 0  # answered through the link (self-reported, not "not reachable")
    by_link_of_sent: int = 0  # ... of those sent the link
    calls: int = 0  # staff calls recorded, "not reachable" included
    by_call: int = 0  # answered on a staff call
    rated: int = 0  # answers with a satisfaction score: the tracer questions were asked
    satisfaction_total: int = 0
    scores: dict = field(default_factory=dict)  # 1..5 -> answers
    help: dict = field(default_factory=dict)  # Outcome.Help value -> answers naming it

    @property
    def link_response(self) -> Rate:
        return Rate(self.by_link_of_sent, self.links_sent)

    @property
    def call_response(self) -> Rate:
        return Rate(self.by_call, self.calls)

    @property
    def satisfaction_mean(self) -> Decimal | None:
        """The mean score with one decimal, rounded half up (4,25 -> 4,3)."""
        return half_up(Decimal(self.satisfaction_total) / self.rated, 1) if self.rated else None

    def help_share(self, value: str) -> Rate:
        return Rate(self.help.get(value, 0), self.rated)


def _months_after_end(start):
    """The calendar months from the package's last day to `start`, counted as add_months counts them.

    A start s is on or before add_months(end, k) exactly when s's month is less than k months after
    end's month, or k months after with s's day not after end's day: add_months only lowers end's
    day to the length of the month, and s's day is never beyond that. So with one month more when
    s's day is after end's day, s is within k months when this number is k or less; a start on or
    before the last day gives 0 or less. Plain year, month and day parts: the same SQL on SQLite and
    PostgreSQL, and no month table per package. It never falls as `start` moves later, so the
    months to the earliest of several starts are the fewest of theirs.
    """
    end = F("package__ends_on")
    later_day = Case(When(GreaterThan(ExtractDay(start), ExtractDay(end)), then=Value(1)), default=Value(0))
    return (ExtractYear(start) - ExtractYear(end)) * 12 + ExtractMonth(start) - ExtractMonth(end) + later_day


def _half_up_whole(value: Fraction) -> int:
    return math.floor(value + Fraction(1, 2))


class _DaysAfter(Func):
    """Whole days from the second date to the first (negative when it is before): integer SQL on both databases."""

    output_field = IntegerField()
    arity = 2
    template = "(%(expressions)s)"
    arg_joiner = " - "

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler,
            connection,
            template="CAST(julianday(%(expressions)s) AS INTEGER)",
            arg_joiner=") - julianday(",
            **extra_context,
        )


class _Earliest(Func):
    """The least of the values that are not NULL, NULL if none: PostgreSQL's LEAST (SQLite's MIN is NULL if one is)."""

    function = "LEAST"

    def as_sqlite(self, compiler, connection, **extra_context):
        values = self.get_source_expressions()
        # Each argument is the first known value from a different start: all are known if one is.
        rotations = [Coalesce(*values[i:], *values[:i]) for i in range(len(values))]
        return Func(*rotations, function="MIN", output_field=self.output_field).as_sql(compiler, connection)


def _round_columns(round_: int, today: datetime.date) -> dict:
    """What round `round_` groups a completer by: due on `today` (participants/followups.py's rule), and their answer.

    `outcome_R` is the completer's outcome of round R and `invitation_R` their personal link for it,
    if it was sent (at most one of each: a round is answered, and its link sent, once).
    """
    outcome = f"outcome_{round_}"
    due = Q(package__ends_on__lte=last_day_due(today, round_))
    working = due & Q(**{f"{outcome}__status__in": WORKING, f"{outcome}__monthly_income__isnull": False})
    columns = {
        "due": _flag(due),
        "status": F(f"{outcome}__status"),
        "related": F(f"{outcome}__related_to_training"),
        "source": F(f"{outcome}__source"),
        "sent": _flag(Q(**{f"invitation_{round_}__isnull": False})),
        "satisfaction": F(f"{outcome}__satisfaction"),
        "help": _help_needed(outcome),
        "income": Case(When(working, then=F(f"{outcome}__monthly_income"))),
    }
    return {f"{name}_{round_}": column for name, column in columns.items()}


def _help_needed(outcome: str):
    """What would help, of a scored answer, as a number: the sum of 2**i for each Outcome.Help value i it names.

    help_needed is a JSON list of Outcome.Help values; a value is looked for with its quotes
    ('"tools"') in the JSON text: the same on SQLite and PostgreSQL (no JSON `contains` on SQLite).
    """
    named = (
        Case(
            When(**{f"{outcome}__help_needed__icontains": f'"{value}"'}, then=Value(1 << i)),
            default=Value(0),
        )
        for i, value in enumerate(Outcome.Help.values)
    )
    return Case(When(**{f"{outcome}__satisfaction__isnull": False}, then=sum(named, Value(0))))


def _round_grouping(round_: int) -> Grouping:
    by = ("due", "status", "related", "source", "sent", "satisfaction", "help")
    return Grouping((*(f"{name}_{round_}" for name in by), "intake"), ("completer",))


FOLLOW_UP_MEASURES = {
    "completer": COUNT,
    **{f"income_{round_}": MIDDLE for round_ in ROUNDS},
    "wait": MIDDLE,
}
# The completers grouped by what each round needs: whether due, and the answer (its status, whether
# related to the training, its channel, whether the link was sent, the score); the waiting time by
# its months; the league by provider at LEAGUE_ROUND. The figures add up these groups below.
FOLLOW_UP_GROUPINGS = {
    **{f"round_{round_}": _round_grouping(round_) for round_ in ROUNDS},
    "waiting": Grouping(tuple(f"months_{round_}" for round_ in ROUNDS), ("completer",)),
    "incomes": Grouping((), tuple(f"income_{round_}" for round_ in ROUNDS)),
    "wait": Grouping((), ("wait",)),
    "provider": Grouping(("provider", f"due_{LEAGUE_ROUND}", f"status_{LEAGUE_ROUND}"), ("completer",)),
}


def _follow_up_base(f: Filters, today: datetime.date | None):
    """One row per completer in the filters, with their answer and their link of each round (given `today`).

    The waiting time: the first work is the earliest start over their working answers, any round
    (a working answer without a start date does not count); work that started on or before the
    package's last day waits 0 days.
    """
    completers = f.enrollments().filter(status=Enrollment.Status.COMPLETED)
    for round_ in ROUNDS:
        completers = completers.annotate(
            **{
                f"outcome_{round_}": FilteredRelation("outcomes", condition=Q(outcomes__round=round_)),
                f"invitation_{round_}": FilteredRelation(
                    "followup_invitations",
                    condition=Q(followup_invitations__round=round_, followup_invitations__sent_at__isnull=False),
                ),
            }
        )
    rounds = {}
    for round_ in ROUNDS if today else ():
        rounds.update(_round_columns(round_, today))
    # Per round, the months and days from the package's last day to the start of the work, if the
    # answer is working with a start: the first work's are the fewest (_months_after_end).
    end, months, waits = F("package__ends_on"), {}, []
    for round_ in ROUNDS:
        start = F(f"outcome_{round_}__work_started_on")
        started = Q(**{f"outcome_{round_}__work_started_on__isnull": False}) & Q(
            **{f"outcome_{round_}__status__in": WORKING}
        )
        months[f"months_{round_}"] = Case(When(started, then=_months_after_end(start)))
        # Work that started on or before the package's last day waits 0 days.
        waits.append(
            Case(When(started, then=Case(When(GreaterThan(start, end), then=_DaysAfter(start, end)), default=Value(0))))
        )
    return completers.values(
        **rounds,
        **months,
        completer=F("pk"),
        intake=F("participant__employment_status_at_intake"),
        provider=F("package__provider"),
        wait=_Earliest(*waits, output_field=IntegerField()),
    )


def follow_ups(f: Filters, today: datetime.date | None, names=None) -> dict[str, list[dict]]:
    """The follow-ups' groupings (all, or those named; the rounds' need `today`): one statement."""
    return one_pass(_follow_up_base(f, today), FOLLOW_UP_MEASURES, FOLLOW_UP_GROUPINGS, names=names)


def _answers(groups: dict, round_: int) -> list[dict]:
    """The round's groups of completers due for it, by plain names (no answer: status None)."""
    return [
        {
            "n": group["completer"],
            "status": group[f"status_{round_}"],
            "related": group[f"related_{round_}"],
            "source": group[f"source_{round_}"],
            "sent": bool(group[f"sent_{round_}"]),
            "satisfaction": group[f"satisfaction_{round_}"],
            "intake": group["intake"],
            "help": group[f"help_{round_}"],
        }
        for group in groups[f"round_{round_}"]
        if group[f"due_{round_}"]
    ]


def _count(answers: list[dict], condition=lambda answer: True) -> int:
    return sum(answer["n"] for answer in answers if condition(answer))


def outcomes(f: Filters, today: datetime.date, groups: dict | None = None) -> list[RoundOutcome]:
    """Each follow-up round: due, reached, unreachable, pending, statuses, and the median income.

    The median: the middle monthly income of due completers working at the round; with an even
    number of incomes, the mean of the middle two, rounded half up to a whole rupiah.
    """
    names = [*(f"round_{round_}" for round_ in ROUNDS), "incomes"]
    groups = follow_ups(f, today, names) if groups is None else groups
    incomes = groups["incomes"][0]
    results = []
    for round_ in ROUNDS:
        answers = _answers(groups, round_)
        median = incomes[f"income_{round_}"]
        results.append(
            RoundOutcome(
                round=round_,
                due=_count(answers),
                reached=_count(answers, lambda a: a["status"] in ANSWERED),
                unreachable=_count(answers, lambda a: a["status"] == Outcome.Status.UNREACHABLE),
                by_status={
                    status: _count(answers, lambda a, status=status: a["status"] == status)
                    for status in Outcome.Status.values
                },
                related=_count(answers, lambda a: a["status"] in WORKING and a["related"]),
                intake_working=_count(answers, lambda a: a["status"] in ANSWERED and a["intake"] in INTAKE_WORKING),
                median_income=None if median is None else whole_rupiah(median),
            )
        )
    return results


def waiting_time(f: Filters, groups: dict | None = None) -> WaitingTime:
    """The waiting time from the package's last day to the first work.

    Work that started on or before the last day waits 0 days. The median in whole days: with an even
    number of completers, the mean of the middle two, rounded half up.
    """
    groups = follow_ups(f, None, ["waiting", "wait"]) if groups is None else groups
    months = []  # (the months to the first work, completers)
    for group in groups["waiting"]:
        known = [group[f"months_{round_}"] for round_ in ROUNDS if group[f"months_{round_}"] is not None]
        if known:
            months.append((min(known), group["completer"]))
    bands, after = {}, None
    for band, last in WAITING_BANDS:
        bands[band] = sum(n for m, n in months if (after is None or m > after) and m <= last)
        after = last
    bands[OVER_12] = sum(n for m, n in months if m > after)
    wait = groups["wait"][0]["wait"]
    return WaitingTime(
        known=sum(n for _m, n in months),
        median_days=None if wait is None else _half_up_whole(wait),
        bands=bands,
    )


def follow_up_answers(f: Filters, today: datetime.date, groups: dict | None = None) -> list[RoundAnswers]:
    """Per round, among the completers due for it: by channel, satisfaction, what would help."""
    groups = follow_ups(f, today, [f"round_{round_}" for round_ in ROUNDS]) if groups is None else groups
    results = []
    for round_ in ROUNDS:
        answers = _answers(groups, round_)
        answered = [a for a in answers if a["status"] in ANSWERED]
        by_link = [a for a in answered if a["source"] == Outcome.Source.SELF_REPORTED]
        rated = [a for a in answered if a["satisfaction"] is not None]
        calls = [a for a in answers if a["source"] == Outcome.Source.STAFF_CALL]
        results.append(
            RoundAnswers(
                round=round_,
                links_sent=_count(answers, lambda a: a["sent"]),
                by_link=_count(by_link),
                by_link_of_sent=_count(by_link, lambda a: a["sent"]),
                calls=_count(calls),
                by_call=_count(calls, lambda a: a["status"] in ANSWERED),
                rated=_count(rated),
                satisfaction_total=sum(a["n"] * a["satisfaction"] for a in rated),
                scores={score: _count(rated, lambda a, score=score: a["satisfaction"] == score) for score in SCORES},
                help={
                    value: _count(rated, lambda a, i=i: a["help"] & 1 << i)
                    for i, value in enumerate(Outcome.Help.values)
                },
            )
        )
    return results


def provider_outcomes(
    f: Filters,
    today: datetime.date,
    *,
    people_groups: dict | None = None,
    follow_up_groups: dict | None = None,
    package_groups: dict | None = None,
) -> list[dict]:
    """Per provider: people, completion, outcome and response rates at LEAGUE_ROUND, cost per completer."""
    people_groups = people(f, ["provider"]) if people_groups is None else people_groups
    follow_up_groups = follow_ups(f, today, ["provider"]) if follow_up_groups is None else follow_up_groups
    package_groups = packages(f, ["provider"]) if package_groups is None else package_groups
    due = {}
    for group in follow_up_groups["provider"]:
        if group[f"due_{LEAGUE_ROUND}"]:
            due.setdefault(group["provider"], []).append((group[f"status_{LEAGUE_ROUND}"], group["completer"]))
    budgets = {row["package_provider"]: row["budgets"] for row in package_groups["provider"]}
    league = []
    for row in people_groups["provider"]:
        provider = row["provider"]
        answers, budget = due.get(provider, []), budgets.get(provider)
        due_count = sum(n for _status, n in answers)

        def share(statuses, answers=answers, due_count=due_count) -> Rate:
            return Rate(sum(n for status, n in answers if status in statuses), due_count)

        league.append(
            {
                "provider": provider,
                "label": row["provider_name"],
                "enrolled": row["enrolled"],
                "completers": row["completers"],
                "completion": Rate(row["completed"], row["ended"]),
                "self_employment": share([Outcome.Status.SELF_EMPLOYED]),
                "employment": share(WORKING),
                "response": share(ANSWERED),
                "per_completer": _per_head(budget, row["completers"]) if budget and not f.kecamatan else None,
            }
        )
    return sorted(league, key=lambda r: (-(r["completion"].percent or -1), r["label"]))


# --- attendance: marks and the reporting of meetings --------------------------------------------

MARK_MEASURES = {"marked": SUM, "present": SUM, "excused": SUM, "sick": SUM, "planned": SUM}
SESSION_MEASURES = {"held": COUNT, "recorded": COUNT, "on_time": COUNT}
_MARKS = tuple(MARK_MEASURES)
_SESSIONS = tuple(SESSION_MEASURES)
MARK_GROUPINGS = {"total": Grouping((), _MARKS), "provider": Grouping(("provider",), ("marked", "present"))}
SESSION_GROUPINGS = {"total": Grouping((), _SESSIONS), "provider": Grouping(("provider",), _SESSIONS)}


def _marks_base(f: Filters):
    """Per package, its seat holders' marks in the filters, from the per-enrollment summary of marks.

    (participants/attendance_summary.py); marks exist only for meetings held (a meeting cannot be
    marked before its day). Planned: every (seat holder, meeting of their package) pair, what full
    attendance would be.
    """
    meetings = Session.objects.filter(package=OuterRef("package")).order_by().values("package").annotate(n=Count("*"))
    return (
        f.enrollments()
        .filter(status__in=SEATED)
        .order_by()
        .values("package", "package__provider")
        .annotate(
            marked=Sum("marks_total"),
            present=Sum("marks_present"),
            excused=Sum("marks_excused"),
            sick=Sum("marks_sick"),
            # Outside the product, COALESCE keeps the meetings' subquery out of the GROUP BY: it is
            # computed once per package, not once per seat.
            planned=Coalesce(Count("pk") * Subquery(meetings.values("n")), 0),
            provider=F("package__provider"),
        )
        .values("marked", "present", "excused", "sick", "planned", "provider")
    )


def _sessions_base(f: Filters, today: datetime.date):
    """Meetings held (on or before today) in the packages of the filters.

    Recorded: Session.first_marked_at, kept by the attendance services; on time compares the first
    mark with midnight (WIB) at the end of the day after the meeting, in the database.
    """
    return (
        Session.objects.filter(package__in=f.packages(), date__lte=today)
        .annotate(first_day=TruncDate("first_marked_at", tzinfo=WIB))
        .values(
            held=F("pk"),
            recorded=_flag(Q(first_marked_at__isnull=False)),
            on_time=_flag(Q(first_day__lte=F("date") + datetime.timedelta(days=1))),
            provider=F("package__provider"),
        )
    )


def marks(f: Filters, names=None) -> dict[str, list[dict]]:
    """The marks' groupings (all, or those named): one statement."""
    return one_pass(_marks_base(f), MARK_MEASURES, MARK_GROUPINGS, names=names)


def meetings(f: Filters, today: datetime.date, names=None) -> dict[str, list[dict]]:
    """The held meetings' groupings (all, or those named): one statement."""
    return one_pass(_sessions_base(f, today), SESSION_MEASURES, SESSION_GROUPINGS, names=names)


def attendance(f: Filters, today: datetime.date, groups: dict | None = None) -> dict:
    """Present marks / marks in held meetings; and / every planned meeting of each seat holder."""
    total = (marks(f, ["total"]) if groups is None else groups)["total"][0]
    absent = total["marked"] - total["present"] - total["excused"] - total["sick"]
    return {
        "held": Rate(total["present"], total["marked"]),
        "planned": Rate(total["present"], total["planned"]),
        "excused": Rate(total["excused"], total["marked"]),
        "sick": Rate(total["sick"], total["marked"]),
        "absent": Rate(absent, total["marked"]),
    }


def reporting(f: Filters, today: datetime.date, groups: dict | None = None) -> dict:
    """Held meetings with attendance recorded / held meetings; on time = first mark by the end of the next day."""
    total = (meetings(f, today, ["total"]) if groups is None else groups)["total"][0]
    return {"recorded": Rate(total["recorded"], total["held"]), "on_time": Rate(total["on_time"], total["held"])}


def provider_attendance(
    f: Filters, today: datetime.date, *, mark_groups: dict | None = None, meeting_groups: dict | None = None
) -> dict:
    """Per provider: attendance rate over held meetings, and reporting completeness (both from marks)."""
    mark_groups = marks(f, ["provider"]) if mark_groups is None else mark_groups
    meeting_groups = meetings(f, today, ["provider"]) if meeting_groups is None else meeting_groups
    by_provider = {}
    for row in mark_groups["provider"]:
        by_provider.setdefault(row["provider"], {})["attendance"] = Rate(row["present"], row["marked"])
    for row in meeting_groups["provider"]:
        by_provider.setdefault(row["provider"], {})["reporting"] = Rate(row["recorded"], row["held"])
    return by_provider


def with_provider_attendance(league: list[dict], attendance: dict) -> list[dict]:
    """The league's rows with each provider's attendance and reporting rates."""
    return [
        {
            **row,
            "attendance": attendance.get(row["provider"], {}).get("attendance", Rate(0, 0)),
            "reporting": attendance.get(row["provider"], {}).get("reporting", Rate(0, 0)),
        }
        for row in league
    ]


def charts(
    f: Filters,
    today: datetime.date,
    rounds: list[RoundOutcome],
    *,
    people_groups: dict | None = None,
    package_groups: dict | None = None,
) -> dict:
    """Data for Chart.js: by category and wave; outcomes by round; packages by status."""
    people_groups = people(f, ["chart"]) if people_groups is None else people_groups
    package_groups = packages(f, ["status"]) if package_groups is None else package_groups
    category_labels = dict(TrainingPackage.Category.choices)
    waves, series = [], {}
    for row in people_groups["chart"]:
        wave = _wave_label(row)
        if wave not in waves:
            waves.append(wave)
        label = str(category_labels.get(row["category"], row["category"]))
        series.setdefault(label, {})[wave] = (row["enrolled"], row["completers"])
    package_status = {row["package_status"]: row["planned"] for row in package_groups["status"]}
    return {
        "waves": waves,
        "categories": [
            {
                "label": label,
                "enrolled": [values.get(wave, (0, 0))[0] for wave in waves],
                "completers": [values.get(wave, (0, 0))[1] for wave in waves],
            }
            for label, values in series.items()
        ],
        "rounds": [f"{r.round}" for r in rounds],
        "outcomes": [
            {"status": status, "label": str(label), "counts": [r.by_status.get(status, 0) for r in rounds]}
            for status, label in Outcome.Status.choices
        ]
        + [{"status": "pending", "label": "", "counts": [r.pending for r in rounds]}],
        "packages": [
            {"status": status, "label": str(label), "count": package_status.get(status, 0)}
            for status, label in TrainingPackage.Status.choices
            if status != TrainingPackage.Status.CANCELLED
        ],
    }
