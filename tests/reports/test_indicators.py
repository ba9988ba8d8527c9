"""Every indicator against a small dataset whose figures are worked out by hand below.

The dataset (today = the real local date; dates are relative to it):
- program A, 2025, DBHCHT: P1 (BLK, provider X, Barista, venue in Pekalongan Barat), ended 13 months
  ago, 5 meetings; P2 (kelurahan, provider Y, Menjahit, venue in Pekalongan Timur), ended 4 months
  ago, 4 meetings. They are in two different waves.
- program B, 2026, APBD: P3 (BLK, provider X, Menjahit) running, meetings 3, 2 and 1 day(s) ago and
  one in 5 days; P4 cancelled (left out everywhere).
- people p1..p12: p1-p6 live in Pekalongan Barat, p7-p10 in Pekalongan Timur, p11 and p12 outside.
  p1 is trained twice (P1 and P3). p4 (P1) and p8 (P2) dropped out.
"""

import datetime

import pytest
from django.utils import timezone

from participants import attendance_summary, followups
from participants.models import Attendance, Enrollment, Outcome
from participants.services import participant_anonymise
from pekalongan_training.dates import add_months
from programs.models import Kecamatan, Kelurahan, TrainingPackage
from reports import indicators
from reports.indicators import Filters, Rate
from reports.tables import dashboard_data
from tests import factories

pytestmark = pytest.mark.django_db

WIB = datetime.timezone(datetime.timedelta(hours=7))


def _mark(enrollment, session, status):
    """A mark made on the day of the meeting, at 15.00 WIB."""
    Attendance.objects.create(
        enrollment=enrollment,
        session=session,
        status=status,
        marked_at=datetime.datetime.combine(session.date, datetime.time(15), tzinfo=WIB),
    )


@pytest.fixture
def city():
    today = timezone.localdate()
    barat = Kelurahan.objects.get(code="33.75.01.1002")  # Medono
    timur = Kelurahan.objects.get(code="33.75.02.1004")  # Kauman
    x, y = factories.ProviderFactory(name="Penyelenggara X"), factories.ProviderFactory(name="Penyelenggara Y")
    barista, menjahit = factories.VocationFactory(name="Barista"), factories.VocationFactory(name="Menjahit")
    program_a = factories.ProgramFactory(fiscal_year=2025, funding_source="dbhcht")
    program_b = factories.ProgramFactory(fiscal_year=2026, funding_source="apbd")
    wave_1, wave_2 = factories.CohortFactory(program=program_a), factories.CohortFactory(program=program_a)
    wave_b = factories.CohortFactory(program=program_b)

    def package(code, cohort, category, provider, vocation, venue, ends_on, status, budget):
        return factories.TrainingPackageFactory(
            code=code,
            cohort=cohort,
            category=category,
            provider=provider,
            vocation=vocation,
            venue_kelurahan=venue,
            starts_on=ends_on - datetime.timedelta(days=20),
            ends_on=ends_on,
            status=status,
            budget=budget,
        )

    p1 = package("P1", wave_1, "blk", x, barista, barat, add_months(today, -13), "completed", 100_000_000)
    p2 = package("P2", wave_2, "kelurahan", y, menjahit, timur, add_months(today, -4), "completed", 60_000_000)
    p3 = package("P3", wave_b, "blk", x, menjahit, barat, today + datetime.timedelta(days=10), "running", 80_000_000)
    p4 = package("P4", wave_b, "blk", x, barista, barat, today + datetime.timedelta(days=10), "cancelled", 50_000_000)

    def person(n, kelurahan, intake="unemployed"):
        return factories.ParticipantFactory(full_name=f"p{n}", kelurahan=kelurahan, employment_status_at_intake=intake)

    people = {n: person(n, barat) for n in range(1, 7)}
    people.update({n: person(n, timur) for n in range(7, 11)})
    people.update({n: person(n, None) for n in (11, 12)})
    people[2].employment_status_at_intake = "employed"
    people[2].save()

    def enroll(n, pkg, status, competency="not_tested"):
        return factories.EnrollmentFactory(participant=people[n], package=pkg, status=status, competency=competency)

    e = {
        ("P1", 1): enroll(1, p1, "completed", "competent"),
        ("P1", 2): enroll(2, p1, "completed", "not_yet_competent"),
        ("P1", 3): enroll(3, p1, "completed"),
        ("P1", 4): enroll(4, p1, "dropped_out"),
        ("P1", 5): enroll(5, p1, "completed", "competent"),
        ("P2", 6): enroll(6, p2, "completed"),
        ("P2", 7): enroll(7, p2, "completed", "competent"),
        ("P2", 8): enroll(8, p2, "dropped_out"),
        ("P2", 9): enroll(9, p2, "completed"),
        ("P3", 1): enroll(1, p3, "enrolled"),
        ("P3", 10): enroll(10, p3, "enrolled"),
        ("P3", 11): enroll(11, p3, "enrolled"),
        ("P3", 12): enroll(12, p3, "applied"),
        ("P4", 12): enroll(12, p4, "enrolled"),
    }
    s1 = [factories.SessionFactory(package=p1, date=p1.starts_on + datetime.timedelta(days=i)) for i in range(5)]
    s2 = [factories.SessionFactory(package=p2, date=p2.starts_on + datetime.timedelta(days=i)) for i in range(4)]
    s3 = [factories.SessionFactory(package=p3, date=today + datetime.timedelta(days=d)) for d in (-3, -2, -1, 5)]
    s4 = factories.SessionFactory(package=p4, date=today - datetime.timedelta(days=1))
    H, I, S, A = "present", "excused", "sick", "absent"  # noqa: E741
    marks = {
        ("P1", 1): [H, H, H, H, H],
        ("P1", 2): [H, H, H, H, S],
        ("P1", 3): [H, I, H, H, H],
        ("P1", 4): [H, H, A],
        ("P1", 5): [H, H, H, H, H],
        ("P2", 6): [H, H, H, H],
        ("P2", 7): [H, H, A, H],
        ("P2", 8): [H, A],
        ("P2", 9): [H, H, H, H],
    }
    for key, statuses in marks.items():
        sessions = s1 if key[0] == "P1" else s2
        for index, status in enumerate(statuses):
            _mark(e[key], sessions[index], status)
    # P1's first meeting was recorded five days late.
    Attendance.objects.filter(session=s1[0]).update(
        marked_at=datetime.datetime.combine(s1[0].date + datetime.timedelta(days=5), datetime.time(9), tzinfo=WIB)
    )
    # P3: the meeting 3 days ago is not recorded; 2 days ago p1 H, p10 H; yesterday p1 H, p10 S.
    _mark(e[("P3", 1)], s3[1], H)
    _mark(e[("P3", 10)], s3[1], H)
    _mark(e[("P3", 1)], s3[2], H)
    _mark(e[("P3", 10)], s3[2], S)
    _mark(e[("P4", 12)], s4, H)  # cancelled package: left out
    attendance_summary.refresh()  # as the attendance services keep them

    def outcome(key, round_, status, income=None, related=False):
        Outcome.objects.create(
            enrollment=e[key],
            round=round_,
            status=status,
            recorded_on=today,
            monthly_income=income,
            related_to_training=related,
        )

    outcome(("P1", 1), 3, "self_employed", 2_000_000, True)
    outcome(("P1", 2), 3, "employed", 3_000_000, False)
    outcome(("P1", 3), 3, "unreachable")
    outcome(("P1", 5), 3, "not_working")
    outcome(("P2", 6), 3, "self_employed", 1_500_000, True)
    outcome(("P2", 7), 3, "unreachable")
    outcome(("P1", 1), 6, "self_employed", 2_500_000, True)
    outcome(("P1", 2), 6, "employed", 3_500_000, True)
    outcome(("P1", 3), 6, "unreachable")
    outcome(("P2", 6), 6, "self_employed", 9_000_000, True)  # recorded although not due yet: not counted
    outcome(("P1", 1), 12, "self_employed", 2_600_000, True)
    return {
        "today": today,
        "packages": {"P1": p1, "P2": p2, "P3": p3, "P4": p4},
        "waves": (wave_1, wave_2),
        "providers": (x, y),
        "menjahit": menjahit,
    }


def test_headcounts_count_people(city):
    assert indicators.headcounts(Filters()) == {"enrolled": 11, "completers": 7}


def test_completion_rate_counts_enrollments_in_completed_packages(city):
    assert indicators.completion_rate(Filters()) == Rate(7, 9)


def test_certification_rate(city):
    assert indicators.certification_rate(Filters()) == Rate(3, 4)


def test_attendance_over_held_and_over_planned_meetings(city):
    figures = indicators.attendance(Filters(), city["today"])
    # P1 20 present of 23 marks, P2 12 of 14, P3 3 of 4.
    assert figures["held"] == Rate(35, 41)
    # Seat holders x meetings: P1 5x5, P2 4x4, P3 3x4.
    assert figures["planned"] == Rate(35, 53)
    assert (figures["excused"], figures["sick"], figures["absent"]) == (Rate(1, 41), Rate(2, 41), Rate(3, 41))


def test_reporting_completeness_and_timeliness(city):
    figures = indicators.reporting(Filters(), city["today"])
    # Held meetings: P1 5, P2 4, P3 3 (not the one in 5 days); P3's first is unrecorded.
    assert figures["recorded"] == Rate(11, 12)
    # P1's first meeting was recorded 5 days late.
    assert figures["on_time"] == Rate(10, 12)


def test_package_realization_and_completion_per_category(city):
    rows = {row["category"]: row for row in indicators.realization(Filters())}
    assert rows["blk"]["realization"] == Rate(2, 2) and rows["blk"]["completion"] == Rate(1, 2)
    assert rows["kelurahan"]["realization"] == Rate(1, 1) and rows["kelurahan"]["completion"] == Rate(1, 1)


def test_costs(city):
    result = indicators.costs(Filters(), {"enrolled": 11, "completers": 7})
    assert result["budget"] == 240_000_000
    assert result["per_participant"] == pytest.approx(240_000_000 / 11)
    assert result["per_completer"] == pytest.approx(240_000_000 / 7)
    assert indicators.costs(
        Filters(kecamatan=Kecamatan.objects.get(code="33.75.01")), {"enrolled": 6, "completers": 5}
    ) == {
        "budget": None,
        "per_participant": None,
        "per_completer": None,
    }


def test_outcomes_by_round(city):
    three, six, twelve = indicators.outcomes(Filters(), city["today"])
    # Round 3: due p1 p2 p3 p5 (P1) and p6 p7 p9 (P2).
    assert (three.due, three.reached, three.unreachable, three.pending) == (7, 4, 2, 1)
    assert (three.self_employment, three.self_employment_reached) == (Rate(2, 7), Rate(2, 4))
    assert (three.employment, three.employment_reached, three.response) == (Rate(3, 7), Rate(3, 4), Rate(4, 7))
    # Working at round 3: 3 of the 4 reached; at intake 1 of them (p2): +50 points.
    assert three.change_from_intake == pytest.approx(50.0)
    assert three.training_related == Rate(2, 3)
    assert three.median_income == 2_000_000
    # Round 6: only P1 is due; p6's early round-6 answer does not count.
    assert (six.due, six.reached, six.unreachable, six.pending) == (4, 2, 1, 1)
    assert (six.self_employment, six.employment, six.response) == (Rate(1, 4), Rate(2, 4), Rate(2, 4))
    assert six.median_income == 3_000_000
    assert (twelve.due, twelve.reached, twelve.pending) == (4, 1, 3)
    assert twelve.median_income == 2_600_000


def test_filters_one_by_one(city):
    wave_1, _wave_2 = city["waves"]
    _x, y = city["providers"]
    barat = Kecamatan.objects.get(code="33.75.01")
    cases = [
        (Filters(year=2025), {"enrolled": 9, "completers": 7}, Rate(7, 9)),
        (Filters(year=2026), {"enrolled": 3, "completers": 0}, Rate(0, 0)),
        (Filters(cohort=wave_1), {"enrolled": 5, "completers": 4}, Rate(4, 5)),
        (Filters(category="kelurahan"), {"enrolled": 4, "completers": 3}, Rate(3, 4)),
        (Filters(kecamatan=barat), {"enrolled": 6, "completers": 5}, Rate(5, 6)),
        (Filters(provider=y), {"enrolled": 4, "completers": 3}, Rate(3, 4)),
        (Filters(vocation=city["menjahit"]), {"enrolled": 7, "completers": 3}, Rate(3, 4)),
        (Filters(funding="apbd"), {"enrolled": 3, "completers": 0}, Rate(0, 0)),
    ]
    for filters, counts, completion in cases:
        assert indicators.headcounts(filters) == counts, filters
        assert indicators.completion_rate(filters) == completion, filters
    assert Rate(0, 0).percent is None
    three = indicators.outcomes(Filters(category="kelurahan"), city["today"])[0]
    assert (three.due, three.reached, three.self_employment) == (3, 1, Rate(1, 3))
    assert indicators.attendance(Filters(provider=y), city["today"])["held"] == Rate(12, 14)
    assert indicators.reporting(Filters(year=2026), city["today"])["recorded"] == Rate(2, 3)
    # Packages under a kecamatan filter: those with a seat held by someone living there.
    # Barat residents sit in P1 and P3 (BLK) and P2 (p6, kelurahan).
    by_category = {row["category"]: row["planned"] for row in indicators.realization(Filters(kecamatan=barat))}
    assert by_category == {"blk": 2, "kelurahan": 1}
    timur = Kecamatan.objects.get(code="33.75.02")
    assert {row["category"]: row["planned"] for row in indicators.realization(Filters(kecamatan=timur))} == {
        "blk": 1,
        "kelurahan": 1,
    }


def test_breakdowns(city):
    domicile = indicators.by_domicile(Filters())
    kecamatan = {row["label"]: (row["enrolled"], row["completers"]) for row in domicile["kecamatan"]}
    assert kecamatan == {"Pekalongan Barat": (6, 5), "Pekalongan Timur": (4, 2), "Luar Kota Pekalongan": (1, 0)}
    person = indicators.by_person(Filters())
    assert sum(row["enrolled"] for row in person["sex"]) == 11
    league = {row["label"]: row for row in dashboard_data(Filters(), city["today"])["league"]}
    assert league["Penyelenggara Y"]["completion"] == Rate(3, 4)
    assert league["Penyelenggara X"]["attendance"] == Rate(23, 27)
    assert league["Penyelenggara X"]["response"] == Rate(2, 4)  # round 6
    assert league["Penyelenggara X"]["reporting"] == Rate(7, 8)


def test_age_bands_at_enrollment(city):
    p3 = city["packages"]["P3"]
    start = p3.starts_on
    young = factories.ParticipantFactory(birth_date=start.replace(year=start.year - 25) + datetime.timedelta(days=1))
    factories.EnrollmentFactory(participant=young, package=p3, status="enrolled")
    bands = {row["label"]: row["enrolled"] for row in indicators.by_person(Filters(year=2026))["age_band"]}
    # Age at enrollment (the factory enrolls on 1 September 2026): the factory's people were born
    # 17 May 1998 (28); the new one is 24.
    assert bands.get("15-24", 0) >= 1
    assert sum(bands.values()) == 4


def test_an_anonymised_person_keeps_the_age_band_of_their_enrollment():
    package = factories.TrainingPackageFactory()
    # Enrolled on 1 September 2026, a month before turning 25: 24.
    person = factories.ParticipantFactory(birth_date=datetime.date(2001, 10, 1))
    enrollment = factories.EnrollmentFactory(participant=person, package=package, enrolled_on=datetime.date(2026, 9, 1))

    def bands():
        return {row["label"]: row["enrolled"] for row in indicators.by_person(Filters())["age_band"]}

    assert bands() == {"15-24": 1}
    # Anonymised: the birth date keeps only its year (1 July 2001), which would make them 25 ...
    type(person).objects.filter(pk=person.pk).update(birth_date=datetime.date(2001, 7, 1))
    assert bands() == {"25-34": 1}
    # ... so the age at enrollment is kept on the enrollment, and the band stays.
    Enrollment.objects.filter(pk=enrollment.pk).update(age_at_enrollment=24)
    assert bands() == {"15-24": 1}


def test_anonymising_keeps_every_age_band(city):
    person = factories.ParticipantFactory(birth_date=datetime.date(2001, 10, 1))  # 24 on 1 September 2026
    factories.EnrollmentFactory(
        participant=person, package=city["packages"]["P3"], enrolled_on=datetime.date(2026, 9, 1)
    )
    before = indicators.by_person(Filters())["age_band"]
    participant_anonymise(participant=person, actor=factories.StaffFactory())
    assert indicators.by_person(Filters())["age_band"] == before


def test_the_dashboard_and_the_follow_up_work_list_count_the_same_people_due(city):
    dashboard = [(r.round, r.due, r.reached, r.unreachable) for r in indicators.outcomes(Filters(), city["today"])]
    work_list = [(p.round, p.due, p.reached, p.unreachable) for p in followups.progress(city["today"])]
    assert dashboard == work_list == [(3, 7, 4, 2), (6, 4, 2, 1), (12, 4, 1, 0)]


def test_an_even_number_of_incomes_has_the_mean_of_the_middle_two_in_whole_rupiah():
    today = timezone.localdate()
    package = factories.TrainingPackageFactory(
        status="completed", starts_on=add_months(today, -5), ends_on=add_months(today, -4)
    )
    for income in (1_000_000, 1_500_000, 1_500_001, 9_000_000):
        enrollment = factories.EnrollmentFactory(package=package, status="completed")
        factories.OutcomeFactory(enrollment=enrollment, round=3, status="employed", monthly_income=income)
    assert indicators.outcomes(Filters(), today)[0].median_income == 1_500_001  # 1.500.000,5 rounded half up


def test_an_empty_selection_gives_no_rates_and_no_errors(city):
    nothing = Filters(year=1999)
    assert indicators.headcounts(nothing) == {"enrolled": 0, "completers": 0}
    assert indicators.completion_rate(nothing).percent is None
    assert indicators.attendance(nothing, city["today"])["held"].percent is None
    assert all(
        r.response.percent is None and r.median_income is None for r in indicators.outcomes(nothing, city["today"])
    )
    assert indicators.costs(nothing, {"enrolled": 0, "completers": 0})["per_completer"] is None
    assert TrainingPackage.objects.count() == 4 and Enrollment.objects.count() == 14
