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
"""

import datetime
import math
import zoneinfo
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from django.db.models import (
    Case,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    Min,
    OuterRef,
    Q,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, ExtractDay, ExtractMonth, ExtractYear, TruncDate
from django.db.models.lookups import GreaterThan

from participants.followups import due_for_round
from participants.models import Enrollment, FollowUpInvitation, Outcome, Participant
from pekalongan_training.formatting import half_up, whole_rupiah
from programs.models import Program, Session, TrainingPackage

SEATED = Enrollment.SEAT_STATUSES
WORKING = Outcome.WORKING_STATUSES
INTAKE_WORKING = (Participant.EmploymentStatus.SELF_EMPLOYED, Participant.EmploymentStatus.EMPLOYED)
ROUNDS = (3, 6, 12)
AGE_BANDS = [("15-24", 15, 24), ("25-34", 25, 34), ("35-44", 35, 44), ("45-54", 45, 54), ("55+", 55, 200)]


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


def headcounts(f: Filters) -> dict:
    """Enrolled and completers: distinct people (by NIK)."""
    return f.enrollments().aggregate(
        enrolled=Count("participant", distinct=True, filter=Q(status__in=SEATED)),
        completers=Count("participant", distinct=True, filter=Q(status=Enrollment.Status.COMPLETED)),
    )


def completion_rate(f: Filters) -> Rate:
    """Completed / (completed + dropped out), enrollments in completed packages."""
    counts = (
        f.enrollments()
        .filter(package__status=TrainingPackage.Status.COMPLETED)
        .aggregate(
            completed=Count("pk", filter=Q(status=Enrollment.Status.COMPLETED)),
            ended=Count("pk", filter=Q(status__in=[Enrollment.Status.COMPLETED, Enrollment.Status.DROPPED_OUT])),
        )
    )
    return Rate(counts["completed"], counts["ended"])


def certification_rate(f: Filters) -> Rate:
    """Completers found competent by an LSP / completers tested."""
    counts = (
        f.enrollments()
        .filter(status=Enrollment.Status.COMPLETED)
        .aggregate(
            competent=Count("pk", filter=Q(competency=Enrollment.Competency.COMPETENT)),
            tested=Count("pk", filter=~Q(competency=Enrollment.Competency.NOT_TESTED)),
        )
    )
    return Rate(counts["competent"], counts["tested"])


def attendance(f: Filters, today: datetime.date) -> dict:
    """Present marks / marks in held meetings; and / every planned meeting of each seat holder.

    From the per-enrollment summary of marks (participants/attendance_summary.py): marks exist only
    for meetings held (a meeting cannot be marked before its day).
    """
    seated = f.enrollments().filter(status__in=SEATED)
    marks = seated.aggregate(
        marked=Coalesce(Sum("marks_total"), 0),
        present=Coalesce(Sum("marks_present"), 0),
        excused=Coalesce(Sum("marks_excused"), 0),
        sick=Coalesce(Sum("marks_sick"), 0),
    )
    absent = marks["marked"] - marks["present"] - marks["excused"] - marks["sick"]
    # Every (seat holder, meeting of their package) pair: what full attendance would be.
    planned = Session.objects.filter(package__enrollments__in=seated).count()
    return {
        "held": Rate(marks["present"], marks["marked"]),
        "planned": Rate(marks["present"], planned),
        "excused": Rate(marks["excused"], marks["marked"]),
        "sick": Rate(marks["sick"], marks["marked"]),
        "absent": Rate(absent, marks["marked"]),
    }


def reporting(f: Filters, today: datetime.date) -> dict:
    """Held meetings with attendance recorded / held meetings; on time = first mark by the end of the next day.

    From Session.first_marked_at, kept by the attendance services. On time compares the first mark
    with midnight (WIB) at the end of the day after the meeting, in the database.
    """
    sessions = Session.objects.filter(package__in=f.packages(), date__lte=today)
    counts = sessions.annotate(
        first_day=TruncDate("first_marked_at", tzinfo=WIB),
    ).aggregate(
        held=Count("pk"),
        recorded=Count("pk", filter=Q(first_marked_at__isnull=False)),
        on_time=Count("pk", filter=Q(first_day__lte=F("date") + datetime.timedelta(days=1))),
    )
    return {"recorded": Rate(counts["recorded"], counts["held"]), "on_time": Rate(counts["on_time"], counts["held"])}


WIB = zoneinfo.ZoneInfo("Asia/Jakarta")


def realization(f: Filters) -> list[dict]:
    """Per category: packages started (running or completed) and completed, over packages planned."""
    rows = (
        f.packages()
        .values("category")
        .annotate(
            planned=Count("pk"),
            started=Count(
                "pk", filter=Q(status__in=[TrainingPackage.Status.RUNNING, TrainingPackage.Status.COMPLETED])
            ),
            completed=Count("pk", filter=Q(status=TrainingPackage.Status.COMPLETED)),
        )
        .order_by("category")
    )
    labels = dict(TrainingPackage.Category.choices)
    return [
        {
            "category": row["category"],
            "label": labels.get(row["category"], row["category"]),
            "planned": row["planned"],
            "realization": Rate(row["started"], row["planned"]),
            "completion": Rate(row["completed"], row["planned"]),
        }
        for row in rows
    ]


def _per_head(budget: int, people: int) -> int | None:
    """A budget shared out per person, in whole rupiah (rounded half up); nobody to share it by is None."""
    return whole_rupiah(Fraction(budget, people)) if people else None


def costs(f: Filters, counts: dict) -> dict:
    """Package budgets / enrolled people, and / completers (not under a kecamatan filter); whole rupiah."""
    if f.kecamatan:
        return {"budget": None, "per_participant": None, "per_completer": None}
    budget = f.packages().aggregate(total=Coalesce(Sum("budget"), 0))["total"]
    return {
        "budget": budget,
        "per_participant": _per_head(budget, counts["enrolled"]),
        "per_completer": _per_head(budget, counts["completers"]),
    }


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


def _due(f: Filters, round_: int, today: datetime.date):
    """Completers in the filters whose round is due: the follow-up work list's rule (participants/followups.py)."""
    return due_for_round(f.enrollments(), round_, today)


def outcomes(f: Filters, today: datetime.date) -> list[RoundOutcome]:
    """Each follow-up round: due, reached, unreachable, pending, statuses, and the median income."""
    results = []
    for round_ in ROUNDS:
        at_round = Q(outcomes__round=round_)
        answered = at_round & ~Q(outcomes__status=Outcome.Status.UNREACHABLE)
        aggregates = {
            "due": Count("pk", distinct=True),
            "reached": Count("outcomes", filter=answered),
            "unreachable": Count("outcomes", filter=at_round & Q(outcomes__status=Outcome.Status.UNREACHABLE)),
            "related": Count(
                "outcomes", filter=at_round & Q(outcomes__status__in=WORKING, outcomes__related_to_training=True)
            ),
            "intake_working": Count(
                "outcomes", filter=answered & Q(participant__employment_status_at_intake__in=INTAKE_WORKING)
            ),
        }
        for status in Outcome.Status.values:
            aggregates[status] = Count("outcomes", filter=at_round & Q(outcomes__status=status))
        counts = _due(f, round_, today).aggregate(**aggregates)
        results.append(
            RoundOutcome(
                round=round_,
                due=counts["due"],
                reached=counts["reached"],
                unreachable=counts["unreachable"],
                by_status={status: counts[status] for status in Outcome.Status.values},
                related=counts["related"],
                intake_working=counts["intake_working"],
                median_income=_median_income(f, round_, today),
            )
        )
    return results


def _median_income(f: Filters, round_: int, today: datetime.date) -> int | None:
    """The middle monthly income of due completers working at the round (two queries, no list in Python).

    With an even number of incomes, the mean of the middle two, rounded half up to a whole rupiah.
    """
    incomes = Outcome.objects.filter(
        enrollment__in=_due(f, round_, today),
        round=round_,
        status__in=WORKING,
        monthly_income__isnull=False,
    ).order_by("monthly_income")
    count = incomes.count()
    if not count:
        return None
    middle = list(incomes.values_list("monthly_income", flat=True)[(count - 1) // 2 : count // 2 + 1])
    return whole_rupiah(Fraction(sum(middle), len(middle)))


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


def _first_work(f: Filters):
    """Completers in the filters with a known first work: the earliest start over their working answers.

    Any round counts; a working answer without a start date does not.
    """
    return (
        f.enrollments()
        .filter(status=Enrollment.Status.COMPLETED)
        .annotate(first_work=Min("outcomes__work_started_on", filter=Q(outcomes__status__in=WORKING)))
        .filter(first_work__isnull=False)
    )


def _months_to_first_work():
    """The calendar months from the package's last day to the first work, counted as add_months counts them.

    A start s is on or before add_months(end, k) exactly when s's month is less than k months after
    end's month, or k months after with s's day not after end's day: add_months only lowers end's
    day to the length of the month, and s's day is never beyond that. So with one month more when
    s's day is after end's day, s is within k months when this number is k or less; a start on or
    before the last day gives 0 or less. Plain year, month and day parts: the same SQL on SQLite and
    PostgreSQL, and no month table per package.
    """
    start, end = F("first_work"), F("package__ends_on")
    later_day = Case(When(GreaterThan(ExtractDay(start), ExtractDay(end)), then=Value(1)), default=Value(0))
    return (ExtractYear(start) - ExtractYear(end)) * 12 + ExtractMonth(start) - ExtractMonth(end) + later_day


def _half_up_whole(value: Fraction) -> int:
    return math.floor(value + Fraction(1, 2))


def waiting_time(f: Filters) -> WaitingTime:
    """The waiting time from the package's last day to the first work (two queries, no list of people).

    Work that started on or before the last day waits 0 days. The median in whole days: with an even
    number of completers, the mean of the middle two, rounded half up.
    """
    bands = {  # WAITING_BANDS
        "within_3": Count("pk", filter=Q(months__lte=3)),
        "months_4_6": Count("pk", filter=Q(months__gt=3, months__lte=6)),
        "months_7_12": Count("pk", filter=Q(months__gt=6, months__lte=12)),
        OVER_12: Count("pk", filter=Q(months__gt=12)),
    }
    counts = _first_work(f).annotate(months=_months_to_first_work()).aggregate(known=Count("pk"), **bands)
    known = counts.pop("known")
    median = None
    if known:
        # Ordered by the wait itself (a start before the last day sorts first and counts 0 days).
        waits = (
            _first_work(f)
            .annotate(wait=ExpressionWrapper(F("first_work") - F("package__ends_on"), output_field=DurationField()))
            .order_by("wait", "pk")
        )
        middle = waits.values_list("pk", "first_work", "package__ends_on")[(known - 1) // 2 : known // 2 + 1]
        days = [max(0, (first - end).days) for _pk, first, end in middle]
        median = _half_up_whole(Fraction(sum(days), len(days)))
    return WaitingTime(known=known, median_days=median, bands=counts)


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


def _due_by_round(f: Filters, today: datetime.date) -> Q:
    """Rows of a round (a `round` and an `enrollment`) of completers due for that round: one Q for every round."""
    due = Q()
    for round_ in ROUNDS:
        due |= Q(round=round_, enrollment__in=_due(f, round_, today).values("pk"))
    return due


def follow_up_answers(f: Filters, today: datetime.date) -> list[RoundAnswers]:
    """Per round, among the completers due for it (two queries for every round together).

    help_needed is a JSON list of Outcome.Help values; a value is looked for with its quotes
    ('"tools"'), in the JSON text: the same on SQLite and PostgreSQL (JSON `contains` is not on SQLite).
    """
    due = _due_by_round(f, today)
    answered = ~Q(status=Outcome.Status.UNREACHABLE)
    by_link = answered & Q(source=Outcome.Source.SELF_REPORTED)
    call = Q(source=Outcome.Source.STAFF_CALL)
    rated = answered & Q(satisfaction__isnull=False)
    sent = FollowUpInvitation.objects.filter(
        enrollment=OuterRef("enrollment"), round=OuterRef("round"), sent_at__isnull=False
    )
    aggregates = {
        "by_link": Count("pk", filter=by_link),
        "by_link_of_sent": Count("pk", filter=by_link & Q(Exists(sent))),
        "calls": Count("pk", filter=call),
        "by_call": Count("pk", filter=call & answered),
        "rated": Count("pk", filter=rated),
        "satisfaction_total": Coalesce(Sum("satisfaction", filter=rated), 0),
        **{f"score_{score}": Count("pk", filter=rated & Q(satisfaction=score)) for score in SCORES},
        **{
            f"help_{value}": Count("pk", filter=rated & Q(help_needed__icontains=f'"{value}"'))
            for value in Outcome.Help.values
        },
    }
    rows = {
        row["round"]: row
        for row in Outcome.objects.filter(due).values("round").annotate(**aggregates).order_by("round")
    }
    links = dict(
        FollowUpInvitation.objects.filter(due, sent_at__isnull=False)
        .values("round")
        .annotate(n=Count("pk"))
        .order_by("round")
        .values_list("round", "n")
    )
    results = []
    for round_ in ROUNDS:
        row = rows.get(round_, {})
        results.append(
            RoundAnswers(
                round=round_,
                links_sent=links.get(round_, 0),
                by_link=row.get("by_link", 0),
                by_link_of_sent=row.get("by_link_of_sent", 0),
                calls=row.get("calls", 0),
                by_call=row.get("by_call", 0),
                rated=row.get("rated", 0),
                satisfaction_total=row.get("satisfaction_total", 0),
                scores={score: row.get(f"score_{score}", 0) for score in SCORES},
                help={value: row.get(f"help_{value}", 0) for value in Outcome.Help.values},
            )
        )
    return results


# --- breakdowns ---------------------------------------------------------------------------------


def _group_counts(queryset, *group):
    return queryset.values(*group).annotate(
        enrolled=Count("participant", distinct=True, filter=Q(status__in=SEATED)),
        completers=Count("participant", distinct=True, filter=Q(status=Enrollment.Status.COMPLETED)),
        completed=Count(
            "pk", filter=Q(status=Enrollment.Status.COMPLETED, package__status=TrainingPackage.Status.COMPLETED)
        ),
        ended=Count(
            "pk",
            filter=Q(
                status__in=[Enrollment.Status.COMPLETED, Enrollment.Status.DROPPED_OUT],
                package__status=TrainingPackage.Status.COMPLETED,
            ),
        ),
    )


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


def by_domicile(f: Filters) -> dict:
    outside = "Luar Kota Pekalongan"
    kecamatan = _group_counts(f.enrollments(), "participant__kelurahan__kecamatan__name").order_by(
        "participant__kelurahan__kecamatan__name"
    )
    kelurahan = _group_counts(
        f.enrollments(), "participant__kelurahan__kecamatan__name", "participant__kelurahan__name"
    ).order_by("participant__kelurahan__kecamatan__name", "participant__kelurahan__name")
    return {
        "kecamatan": _rows(kecamatan, lambda g: g["participant__kelurahan__kecamatan__name"] or outside),
        "kelurahan": _rows(
            kelurahan,
            lambda g: (
                f"{g['participant__kelurahan__name']} ({g['participant__kelurahan__kecamatan__name']})"
                if g["participant__kelurahan__name"]
                else outside
            ),
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
    band = Case(
        *(When(age__gte=low, age__lte=high, then=Value(label)) for label, low, high in AGE_BANDS),
        default=Value("<15"),
    )
    return annotations, age, band


def by_program(f: Filters) -> dict:
    """Category, vocation, wave and funding source."""
    categories = dict(TrainingPackage.Category.choices)
    funding = dict(Program.FundingSource.choices)
    wave = ("package__cohort__program__fiscal_year", "package__cohort__number")
    return {
        "category": _rows(
            _group_counts(f.enrollments(), "package__category").order_by("package__category"),
            lambda g: str(categories.get(g["package__category"], g["package__category"])),
        ),
        "vocation": _rows(
            _group_counts(f.enrollments(), "package__vocation__name").order_by("package__vocation__name"),
            lambda g: g["package__vocation__name"],
        ),
        "wave": _rows(
            _group_counts(f.enrollments(), *wave).order_by(*wave),
            lambda g: f"G{g['package__cohort__number']}/{g['package__cohort__program__fiscal_year']}",
        ),
        "funding": _rows(
            _group_counts(f.enrollments(), "package__cohort__program__funding_source").order_by(
                "package__cohort__program__funding_source"
            ),
            lambda g: str(
                funding.get(
                    g["package__cohort__program__funding_source"], g["package__cohort__program__funding_source"]
                )
            ),
        ),
    }


def by_person(f: Filters) -> dict:
    """Sex, age band at enrollment, education, beneficiary group, disability."""
    labels = {
        "participant__sex": dict(Participant.Sex.choices),
        "participant__education": dict(Participant.Education.choices),
        "participant__beneficiary_group": dict(Participant.BeneficiaryGroup.choices),
    }
    tables = {}
    for key, path in (
        ("sex", "participant__sex"),
        ("education", "participant__education"),
        ("beneficiary_group", "participant__beneficiary_group"),
        ("disability", "participant__has_disability"),
    ):
        groups = _group_counts(f.enrollments(), path).order_by(path)
        names = labels.get(path, {True: "Ya", False: "Tidak"})
        tables[key] = _rows(groups, lambda g, path=path, names=names: str(names.get(g[path], g[path])))
    annotations, age, band = _age_band()
    with_band = (
        f.enrollments()
        .annotate(enrolled_day=Coalesce("enrolled_on", "package__starts_on"))
        .annotate(**annotations)
        .annotate(age=age)
        .annotate(age_band=band)
    )
    groups = _group_counts(with_band, "age_band").order_by("age_band")
    tables["age_band"] = _rows(groups, lambda g: g["age_band"])
    return tables


def provider_outcomes(f: Filters, today: datetime.date, round_: int = 6) -> list[dict]:
    """Per provider: people, completion, outcome and response rates at `round_`, cost per completer."""
    base = _group_counts(f.enrollments(), "package__provider", "package__provider__name")
    due = {
        row["package__provider"]: row
        for row in _due(f, round_, today)
        .values("package__provider")
        .annotate(
            due=Count("pk", distinct=True),
            reached=Count(
                "outcomes", filter=Q(outcomes__round=round_) & ~Q(outcomes__status=Outcome.Status.UNREACHABLE)
            ),
            working=Count("outcomes", filter=Q(outcomes__round=round_, outcomes__status__in=WORKING)),
            self_employed=Count(
                "outcomes", filter=Q(outcomes__round=round_, outcomes__status=Outcome.Status.SELF_EMPLOYED)
            ),
        )
    }
    packages = {
        row["provider"]: row for row in f.packages().values("provider").annotate(budget=Coalesce(Sum("budget"), 0))
    }
    league = []
    for row in base:
        provider = row["package__provider"]
        outcome, budget = due.get(provider, {}), packages.get(provider, {}).get("budget")
        league.append(
            {
                "provider": provider,
                "label": row["package__provider__name"],
                "enrolled": row["enrolled"],
                "completers": row["completers"],
                "completion": Rate(row["completed"], row["ended"]),
                "self_employment": Rate(outcome.get("self_employed", 0), outcome.get("due", 0)),
                "employment": Rate(outcome.get("working", 0), outcome.get("due", 0)),
                "response": Rate(outcome.get("reached", 0), outcome.get("due", 0)),
                "per_completer": _per_head(budget, row["completers"]) if budget and not f.kecamatan else None,
            }
        )
    return sorted(league, key=lambda r: (-(r["completion"].percent or -1), r["label"]))


def provider_attendance(f: Filters, today: datetime.date) -> dict:
    """Per provider: attendance rate over held meetings, and reporting completeness (both from marks)."""
    marks = (
        f.enrollments()
        .filter(status__in=SEATED)
        .values("package__provider")
        .annotate(marked=Coalesce(Sum("marks_total"), 0), present=Coalesce(Sum("marks_present"), 0))
    )
    held = (
        Session.objects.filter(package__in=f.packages(), date__lte=today)
        .values("package__provider")
        .annotate(held=Count("pk"), recorded=Count("pk", filter=Q(first_marked_at__isnull=False)))
    )
    by_provider = {}
    for row in marks:
        by_provider.setdefault(row["package__provider"], {})["attendance"] = Rate(row["present"], row["marked"])
    for row in held:
        by_provider.setdefault(row["package__provider"], {})["reporting"] = Rate(row["recorded"], row["held"])
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


def charts(f: Filters, today: datetime.date, rounds: list[RoundOutcome]) -> dict:
    """Data for Chart.js: by category and wave; outcomes by round; packages by status."""
    category_labels = dict(TrainingPackage.Category.choices)
    by_wave = (
        f.enrollments()
        .values("package__cohort__number", "package__cohort__program__fiscal_year", "package__category")
        .annotate(
            enrolled=Count("participant", distinct=True, filter=Q(status__in=SEATED)),
            completers=Count("participant", distinct=True, filter=Q(status=Enrollment.Status.COMPLETED)),
        )
        .order_by("package__cohort__program__fiscal_year", "package__cohort__number", "package__category")
    )
    waves, series = [], {}
    for row in by_wave:
        wave = f"G{row['package__cohort__number']}/{row['package__cohort__program__fiscal_year']}"
        if wave not in waves:
            waves.append(wave)
        label = str(category_labels.get(row["package__category"], row["package__category"]))
        series.setdefault(label, {})[wave] = (row["enrolled"], row["completers"])
    status_counts = f.packages().values("status").annotate(n=Count("pk")).order_by("status")
    package_status = {row["status"]: row["n"] for row in status_counts}
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
