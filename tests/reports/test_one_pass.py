"""The dashboard's figures in one pass per family (reports/one_pass.py), against a second computation.

A random city (seeded: the same every run) with everything the breakdowns group by and every
case they count apart: people trained twice or three times (in one category or two), applicants
and the waitlisted among seat holders, people living outside the city, ages kept on the enrollment
at the edges of the bands, cancelled packages, answers at every round by link and by call, with
scores, what would help and the start of the work, links sent and not sent, marks and meetings.

The second computation is the plain one: a GROUP BY of its own for each breakdown through the ORM,
an aggregate for each round, and Python over the rows where the rule is easier read that way (age
bands, months to the first work, medians). The one pass must give the same, on SQLite and on
PostgreSQL (which groups by GROUPING SETS and counts people who appear once apart).
"""

import datetime
import random
from fractions import Fraction

import pytest
from django.db import connection, transaction
from django.db.models import Count, Q, Sum
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from participants import attendance_summary, followups
from participants.models import Enrollment, FollowUpInvitation, Outcome, Participant
from pekalongan_training.dates import add_months
from pekalongan_training.formatting import whole_rupiah
from programs.models import Kecamatan, Kelurahan, Program, Session, TrainingPackage
from reports import indicators, tables
from reports.indicators import AGE_BANDS, ROUNDS, Filters, Rate
from reports.one_pass import side_by_side
from tests import factories

pytestmark = pytest.mark.django_db

SEATED = Enrollment.SEAT_STATUSES
COMPLETED = Enrollment.Status.COMPLETED
WORKING = Outcome.WORKING_STATUSES


def _city(rng: random.Random, people: int, today: datetime.date, tag: str = "") -> dict:
    """People, packages, enrollments, answers, links and marks, drawn from `rng`."""
    places = [*Kelurahan.objects.order_by("code")[:9], None]
    providers = [factories.ProviderFactory(name=f"{name}{tag}") for name in ("LPK Alfa", "LPK Beta", "BLK Kota")]
    vocations = [factories.VocationFactory(name=f"{name}{tag}") for name in ("Barista", "Menjahit", "Tata Boga")]
    programs = [
        factories.ProgramFactory(fiscal_year=2025, funding_source=Program.FundingSource.DBHCHT),
        factories.ProgramFactory(fiscal_year=2026, funding_source=Program.FundingSource.APBD),
    ]
    waves = [factories.CohortFactory(program=program) for program in programs for _ in range(2)]
    packages = []
    # Completed packages that ended 2 to 20 months ago (every round due for some), and others.
    for months_ago, status in ((2, "completed"), (4, "completed"), (7, "completed"), (13, "completed"),
                               (20, "completed"), (-1, "running"), (-2, "planned"), (5, "cancelled")):  # fmt: skip
        ends_on = add_months(today, -months_ago)
        packages.append(
            factories.TrainingPackageFactory(
                cohort=rng.choice(waves),
                category=rng.choice(TrainingPackage.Category.values),
                provider=rng.choice(providers),
                vocation=rng.choice(vocations),
                starts_on=ends_on - datetime.timedelta(days=rng.randint(10, 40)),
                ends_on=ends_on,
                status=status,
                budget=rng.randint(10, 90) * 1_000_000,
            )
        )
    for package in packages:
        for day in range(3):
            factories.SessionFactory(package=package, date=package.starts_on + datetime.timedelta(days=day))
    for _n in range(people):
        person = factories.ParticipantFactory(
            sex=rng.choice(Participant.Sex.values),
            birth_date=datetime.date(rng.randint(1955, 2013), rng.randint(1, 12), rng.randint(1, 28)),
            kelurahan=rng.choice(places),
            education=rng.choice(Participant.Education.values),
            beneficiary_group=rng.choice(Participant.BeneficiaryGroup.values),
            has_disability=rng.random() < 0.2,
            employment_status_at_intake=rng.choice(Participant.EmploymentStatus.values),
        )
        for package in rng.sample(packages, rng.choice([1, 1, 1, 2, 3])):
            if package.status == TrainingPackage.Status.COMPLETED:
                status = rng.choice(["completed"] * 5 + ["dropped_out", "applied", "waitlisted"])
            else:
                status = rng.choice(["enrolled", "enrolled", "applied", "withdrawn"])
            enrollment = factories.EnrollmentFactory(
                participant=person,
                package=package,
                status=status,
                enrolled_on=rng.choice([None, package.starts_on - datetime.timedelta(days=rng.randint(0, 30))]),
                # Ages kept when a birth date was erased, at the edges of the bands too.
                age_at_enrollment=rng.choice([None] * 6 + [0, 14, 15, 24, 25, 54, 55, 200, 201]),
                competency=rng.choice(Enrollment.Competency.values),
                waitlisted_at=timezone.now() if status == "waitlisted" else None,
            )
            for session in package.sessions.filter(date__lte=today)[: rng.randint(0, 3)]:
                if status in SEATED:
                    factories.AttendanceFactory(
                        enrollment=enrollment, session=session, status=rng.choice(["present", "present", "sick"])
                    )
            if status == COMPLETED:
                _answers(rng, enrollment)
    attendance_summary.refresh()
    Session.objects.filter(pk__in=[s.pk for s in Session.objects.all() if rng.random() < 0.3]).update(
        first_marked_at=None
    )
    return {"packages": packages, "providers": providers, "places": places}


def _answers(rng: random.Random, enrollment: Enrollment) -> None:
    for round_ in ROUNDS:
        if rng.random() < 0.4:
            FollowUpInvitation.objects.create(
                enrollment=enrollment, round=round_, sent_at=timezone.now() if rng.random() < 0.8 else None
            )
        if rng.random() < 0.3:
            continue
        status = rng.choice(Outcome.Status.values)
        answered = status != Outcome.Status.UNREACHABLE
        factories.OutcomeFactory(
            enrollment=enrollment,
            round=round_,
            status=status,
            source=rng.choice(Outcome.Source.values),
            related_to_training=rng.random() < 0.5,
            monthly_income=rng.choice([None, 1_000_000, 1_500_000, 2_500_001, 4_000_000]),
            satisfaction=rng.choice([None, 1, 2, 3, 4, 5]) if answered else None,
            help_needed=rng.sample(Outcome.Help.values, rng.randint(0, 3)),
            work_started_on=rng.choice(
                [None, enrollment.package.ends_on + datetime.timedelta(days=rng.randint(-20, 500))]
            ),
        )


@pytest.fixture
def city():
    today = timezone.localdate()
    return {"today": today, **_city(random.Random(18), 60, today)}


def _selections(city) -> dict[str, Filters]:
    barat = Kecamatan.objects.get(code="33.75.01")
    return {
        "everything": Filters(),
        "a kecamatan": Filters(kecamatan=barat),
        "a year": Filters(year=2025),
        "a provider": Filters(provider=city["providers"][0]),
    }


SELECTIONS = ["everything", "a kecamatan", "a year", "a provider"]

# Each people grouping and the ORM paths a plain GROUP BY of its own would group by.
PATHS = {
    "kecamatan": ("participant__kelurahan__kecamatan__name",),
    "kelurahan": ("participant__kelurahan__kecamatan__name", "participant__kelurahan__name"),
    "category": ("package__category",),
    "vocation": ("package__vocation__name",),
    "wave": ("package__cohort__program__fiscal_year", "package__cohort__number"),
    "funding": ("package__cohort__program__funding_source",),
    "sex": ("participant__sex",),
    "education": ("participant__education",),
    "beneficiary_group": ("participant__beneficiary_group",),
    "disability": ("participant__has_disability",),
    "provider": ("package__provider", "package__provider__name"),
    "chart": ("package__cohort__program__fiscal_year", "package__cohort__number", "package__category"),
}


def _plain(f: Filters, paths: tuple) -> list[tuple]:
    completed_package = Q(package__status=TrainingPackage.Status.COMPLETED)
    rows = (
        f.enrollments()
        .values(*paths)
        .annotate(
            enrolled=Count("participant", distinct=True, filter=Q(status__in=SEATED)),
            completers=Count("participant", distinct=True, filter=Q(status=COMPLETED)),
            completed=Count("pk", filter=Q(status=COMPLETED) & completed_package),
            ended=Count("pk", filter=Q(status__in=[COMPLETED, "dropped_out"]) & completed_package),
        )
        .order_by(*paths)
    )
    return [
        (*(row[path] for path in paths), row["enrolled"], row["completers"], row["completed"], row["ended"])
        for row in rows
    ]


def _band(age: int) -> str:
    return next((label for label, low, high in AGE_BANDS if low <= age <= high), "<15")


def _age(enrollment: Enrollment) -> int:
    if enrollment.age_at_enrollment is not None:
        return enrollment.age_at_enrollment
    born, on = enrollment.participant.birth_date, enrollment.enrolled_on or enrollment.package.starts_on
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


@pytest.mark.parametrize("selection", SELECTIONS)
def test_every_breakdown_of_the_people_equals_its_own_group_by(city, selection):
    f = _selections(city)[selection]
    groups = indicators.people(f)
    for name, paths in PATHS.items():
        grouping = indicators.PEOPLE_GROUPINGS[name]
        measures = ("enrolled", "completers", "completed", "ended")
        ours = [(*(row[c] for c in grouping.by), *(row.get(m, 0) for m in measures)) for row in groups[name]]
        plain = _plain(f, paths)
        if name == "chart":  # enrolled and completers only
            ours, plain = [row[:-2] for row in ours], [row[:-2] for row in plain]
        assert ours == plain, name
        assert plain, name  # the city has some of each
    (total,) = groups["total"]
    enrollments = list(f.enrollments().select_related("participant", "package"))
    assert total["enrolled"] == len({e.participant_id for e in enrollments if e.status in SEATED}) > 0
    assert total["completers"] == len({e.participant_id for e in enrollments if e.status == COMPLETED})
    completers = [e for e in enrollments if e.status == COMPLETED]
    assert total["competent"] == sum(e.competency == Enrollment.Competency.COMPETENT for e in completers)
    assert total["tested"] == sum(e.competency != Enrollment.Competency.NOT_TESTED for e in completers)
    # Age bands at enrollment, counted in Python from each enrollment's age.
    bands = {}
    for e in enrollments:
        seated, done = bands.setdefault(_band(_age(e)), (set(), set()))
        if e.status in SEATED:
            seated.add(e.participant_id)
        if e.status == COMPLETED:
            done.add(e.participant_id)
    assert {row["age_band"]: (row["enrolled"], row["completers"]) for row in groups["age_band"]} == {
        band: (len(seated), len(done)) for band, (seated, done) in bands.items()
    }
    # People trained more than once are in the city, and counted once in a total.
    assert len(enrollments) > len({e.participant_id for e in enrollments})


@pytest.mark.parametrize("selection", SELECTIONS)
def test_every_round_of_the_follow_ups_equals_its_own_aggregate(city, selection):
    f, today = _selections(city)[selection], city["today"]
    rounds = {r.round: r for r in indicators.outcomes(f, today)}
    answers = {a.round: a for a in indicators.follow_up_answers(f, today)}
    for round_ in ROUNDS:
        due = followups.due_for_round(f.enrollments(), round_, today)
        at = Q(round=round_, enrollment__in=due)
        outcomes = Outcome.objects.filter(at)
        answered = outcomes.exclude(status=Outcome.Status.UNREACHABLE)
        r = rounds[round_]
        assert r.due == due.count()
        assert r.reached == answered.count()
        assert r.unreachable == outcomes.filter(status=Outcome.Status.UNREACHABLE).count()
        assert r.by_status == {s: outcomes.filter(status=s).count() for s in Outcome.Status.values}
        assert r.related == outcomes.filter(status__in=WORKING, related_to_training=True).count()
        assert (
            r.intake_working
            == answered.filter(
                enrollment__participant__employment_status_at_intake__in=indicators.INTAKE_WORKING
            ).count()
        )
        incomes = sorted(
            outcomes.filter(status__in=WORKING, monthly_income__isnull=False).values_list("monthly_income", flat=True)
        )
        middle = incomes[(len(incomes) - 1) // 2 : len(incomes) // 2 + 1]
        assert r.median_income == (whole_rupiah(Fraction(sum(middle), len(middle))) if middle else None)
        a = answers[round_]
        rated = answered.filter(satisfaction__isnull=False)
        by_link = answered.filter(source=Outcome.Source.SELF_REPORTED)
        sent = FollowUpInvitation.objects.filter(at, sent_at__isnull=False)
        assert a.links_sent == sent.count()
        assert a.by_link == by_link.count()
        assert a.by_link_of_sent == by_link.filter(enrollment__in=sent.values("enrollment")).count()
        assert a.calls == outcomes.filter(source=Outcome.Source.STAFF_CALL).count()
        assert a.by_call == answered.filter(source=Outcome.Source.STAFF_CALL).count()
        assert a.rated == rated.count()
        assert a.satisfaction_total == (rated.aggregate(total=Sum("satisfaction"))["total"] or 0)
        assert a.scores == {score: rated.filter(satisfaction=score).count() for score in indicators.SCORES}
        assert a.help == {value: sum(value in o.help_needed for o in rated) for value in Outcome.Help.values}
    assert any(r.due and r.median_income for r in rounds.values()) or selection != "everything"


@pytest.mark.parametrize("selection", SELECTIONS)
def test_the_waiting_time_equals_one_counted_in_python(city, selection):
    f = _selections(city)[selection]
    waits = []  # (months band, days) per completer with a known first work
    for enrollment in f.enrollments().filter(status=COMPLETED).select_related("package"):
        starts = [
            o.work_started_on
            for o in enrollment.outcomes.all()
            if o.status in WORKING and o.work_started_on is not None
        ]
        if not starts:
            continue
        first, end = min(starts), enrollment.package.ends_on
        band = next(
            (key for key, last in indicators.WAITING_BANDS if first <= add_months(end, last)), indicators.OVER_12
        )
        waits.append((band, max(0, (first - end).days)))
    waiting = indicators.waiting_time(f)
    assert waiting.known == len(waits)
    keys = [key for key, _last in indicators.WAITING_BANDS] + [indicators.OVER_12]
    assert waiting.bands == {key: sum(band == key for band, _days in waits) for key in keys}
    days = sorted(d for _band, d in waits)
    middle = days[(len(days) - 1) // 2 : len(days) // 2 + 1]
    assert waiting.median_days == (int(Fraction(sum(middle), len(middle)) + Fraction(1, 2)) if middle else None)
    assert waits or selection != "everything"


@pytest.mark.parametrize("selection", SELECTIONS)
def test_the_league_attendance_and_packages_equal_their_own_aggregates(city, selection):
    f, today = _selections(city)[selection], city["today"]
    seated = f.enrollments().filter(status__in=SEATED)
    marks = seated.aggregate(marked=Sum("marks_total"), present=Sum("marks_present"))
    planned = Session.objects.filter(package__enrollments__in=seated).count()
    assert indicators.attendance(f, today)["held"] == Rate(marks["present"] or 0, marks["marked"] or 0)
    assert indicators.attendance(f, today)["planned"] == Rate(marks["present"] or 0, planned)
    held = Session.objects.filter(package__in=f.packages(), date__lte=today)
    assert indicators.reporting(f, today)["recorded"] == Rate(
        held.filter(first_marked_at__isnull=False).count(), held.count()
    )
    by_provider = indicators.provider_attendance(f, today)
    for provider in city["providers"]:
        mine = seated.filter(package__provider=provider).aggregate(
            marked=Sum("marks_total"), present=Sum("marks_present")
        )
        if mine["marked"] is not None:
            assert by_provider[provider.pk]["attendance"] == Rate(mine["present"], mine["marked"])
    league = {row["provider"]: row for row in indicators.provider_outcomes(f, today)}
    for provider in city["providers"]:
        if provider.pk not in league:
            assert not f.enrollments().filter(package__provider=provider).exists()
            continue
        due = followups.due_for_round(f.enrollments().filter(package__provider=provider), 6, today)
        at_6 = Outcome.objects.filter(round=6, enrollment__in=due)
        row = league[provider.pk]
        assert row["response"] == Rate(at_6.exclude(status=Outcome.Status.UNREACHABLE).count(), due.count())
        assert row["employment"] == Rate(at_6.filter(status__in=WORKING).count(), due.count())
        assert row["self_employment"] == Rate(at_6.filter(status=Outcome.Status.SELF_EMPLOYED).count(), due.count())
    realization = {row["category"]: row for row in indicators.realization(f)}
    for category, planned_count in f.packages().values_list("category").annotate(n=Count("pk")):
        assert realization[category]["planned"] == planned_count
    assert indicators.costs(Filters(year=f.year), {"enrolled": 1, "completers": 1})["budget"] == (
        Filters(year=f.year).packages().aggregate(total=Sum("budget"))["total"] or 0
    )


def test_every_age_is_in_its_band():
    """The band of an age is found from (age - 5) / 10: each age from 0 to 230, against AGE_BANDS itself."""
    package = factories.TrainingPackageFactory()
    ages = range(0, 231)
    for age in ages:
        factories.EnrollmentFactory(package=package, age_at_enrollment=age)
    bands = {row["label"]: row["enrolled"] for row in indicators.by_person(Filters())["age_band"]}
    expected = {}
    for age in ages:
        expected[_band(age)] = expected.get(_band(age), 0) + 1
    assert bands == expected
    assert bands["55+"] == 200 - 55 + 1 and bands["<15"] == 15 + 30


def _cold_queries() -> int:
    today = timezone.localdate()
    with CaptureQueriesContext(connection) as queries:
        tables._figures(Filters(), today)
        tables._attendance_figures(Filters(), today)
    return len(queries)


def test_a_cold_dashboard_takes_five_queries_for_three_times_the_people():
    """One statement for each family: the people, the follow-ups, the packages, the marks, the meetings."""
    today = timezone.localdate()
    rng = random.Random(5)
    _city(rng, 10, today)
    few, enrollments = _cold_queries(), Enrollment.objects.count()
    _city(rng, 20, today, tag=" 2")
    assert Participant.objects.count() == 3 * 10 and Enrollment.objects.count() > 2 * enrollments
    assert _cold_queries() == few == 5


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="side by side only on PostgreSQL")
def test_the_families_side_by_side_give_what_they_give_one_after_the_other():
    """Outside a transaction (the task queue's worker) the families run at once, each on its own
    connection, in the caller's language; inside one they run in turn on the caller's connection."""
    today = timezone.localdate()
    _city(random.Random(11), 12, today)

    def backend():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            return cursor.fetchone()[0], translation.get_language()

    with translation.override("en"):
        apart = side_by_side(backend, backend)
        at_once = tables._figures(Filters(), today), tables._attendance_figures(Filters(), today)
        with transaction.atomic():
            assert side_by_side(backend, backend) == [backend()] * 2
            in_turn = tables._figures(Filters(), today), tables._attendance_figures(Filters(), today)
    assert len({pid for pid, _ in apart}) == 2 and backend()[0] not in {pid for pid, _ in apart}
    assert {language for _, language in apart} == {"en"}
    at_once[1].pop("attendance_computed_at"), in_turn[1].pop("attendance_computed_at")
    assert at_once[0]["counts"]["enrolled"] > 0 and at_once[1]["attendance"]
    assert at_once == in_turn
