"""The DBHCHT realisation (reports/realisation.py) and its report pages, against a hand-worked dataset.

Program year 2026 (packages that count: P1, P2, P4, P5; P3 is cancelled):

    package  program           provider  category   pagu        volume             meetings (dates)
    P1       A (DBHCHT)        X         kelurahan  60.000.000  10 (quota, empty)  4: 2/2, 16/2, 2/3, 31/3
    P2       A (DBHCHT)        Y         blk        40.000.000  12 (planned; q 16) 6: 7, 14, 21/9; 5, 12, 16/10
    P3       A, cancelled      X         kelurahan  30.000.000  20                 2 (5/5, 6/5)
    P4       C (APBD)          Y         lpk        50.000.000  20 (planned)       8: 2, 9, 16, 23/11; 7, 14, 16, 18/12
    P5       A, code 9.99...   X         lpk        0           0 (planned 0)      none
                                                    ----------  --
                                                    150.000.000 42 people, 18 meetings

    spending: P1 20.000.000 on 31/3 (Q1) and 25.000.000 on 1/4 (Q2); P2 10.000.000 on 30/9 (Q3) and
    15.000.000 on 1/10 (Q4); P3 5.000.000 on 5/5 (cancelled: left out); P4 12.500.000 on 20/11.
    completers: P1 8 (and 1 dropped out), ends 31/3; P2 10, ends 16/10; P4 5 enrolled, ends 18/12.

Program year 2023: P6 (program B, X, blk), pagu 80.000.000, quota 16, 5 meetings in July-August,
15 completers and 1 dropped out, 78.000.000 spent on 31/8/2023.
"""

import datetime
import io
import re

import pytest
from django.conf import settings
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from openpyxl import load_workbook

from participants.models import Enrollment
from programs.models import Expenditure, Program, TrainingPackage
from programs.services import spending_record
from reports import realisation
from reports.indicators import Rate
from tests import factories

pytestmark = pytest.mark.django_db

D = datetime.date
URL = "dashboard:realisation"


def _id(msgid: str) -> str:
    """A text as the Indonesian pages write it (the msgid itself until its translation is compiled)."""
    with translation.override("id"):
        return gettext(msgid)


def _spend(package, by, day, amount, number):
    return spending_record(
        package=package,
        by=by,
        spent_on=day,
        amount=amount,
        kind=Expenditure.Kind.INSTRUCTOR_FEES,
        document_number=number,
    )


def _people(package, completed=0, dropped_out=0, enrolled=0):
    for status, count in (
        (Enrollment.Status.COMPLETED, completed),
        (Enrollment.Status.DROPPED_OUT, dropped_out),
        (Enrollment.Status.ENROLLED, enrolled),
    ):
        for _n in range(count):
            factories.EnrollmentFactory(package=package, status=status, enrolled_on=package.starts_on)


def _meetings(package, *days):
    for day in days:
        factories.SessionFactory(package=package, date=day)


def _package(cohort, provider, **fields):
    return factories.TrainingPackageFactory(cohort=cohort, provider=provider, **fields)


@pytest.fixture
def plan():
    staff = factories.StaffFactory(username="bendahara")
    x = factories.ProviderFactory(name="LPK Xena")
    y = factories.ProviderFactory(name="BLK Yasa")
    a = factories.ProgramFactory(name="Pelatihan DBHCHT 2026", fiscal_year=2026, budget=200_000_000)
    c = factories.ProgramFactory(
        name="Pelatihan APBD 2026", fiscal_year=2026, funding_source=Program.FundingSource.APBD, budget=50_000_000
    )
    b = factories.ProgramFactory(name="Pelatihan DBHCHT 2023", fiscal_year=2023, budget=80_000_000)
    wave = {"registration_opens": D(2026, 1, 2), "registration_closes": D(2026, 1, 20)}
    cohort_a = factories.CohortFactory(program=a, number=1, starts_on=D(2026, 2, 1), ends_on=D(2026, 12, 20), **wave)
    cohort_c = factories.CohortFactory(program=c, number=1, starts_on=D(2026, 2, 1), ends_on=D(2026, 12, 20), **wave)
    cohort_b = factories.CohortFactory(
        program=b,
        number=1,
        registration_opens=D(2023, 6, 1),
        registration_closes=D(2023, 6, 20),
        starts_on=D(2023, 7, 1),
        ends_on=D(2023, 8, 31),
    )
    done = TrainingPackage.Status.COMPLETED
    p1 = _package(
        cohort_a, x, code="P1", title="Menjahit", category="kelurahan", budget=60_000_000, quota=10,
        starts_on=D(2026, 2, 2), ends_on=D(2026, 3, 31), status=done, account_code="5.1.02.02.01.0003",
    )  # fmt: skip
    p2 = _package(
        cohort_a, y, code="P2", title="Las", category="blk", budget=40_000_000, quota=16, planned_participants=12,
        starts_on=D(2026, 9, 7), ends_on=D(2026, 10, 16), status=done,
    )  # fmt: skip
    p3 = _package(
        cohort_a, x, code="P3", title="Batal", category="kelurahan", budget=30_000_000, quota=20,
        starts_on=D(2026, 5, 4), ends_on=D(2026, 5, 29), status=TrainingPackage.Status.CANCELLED,
    )  # fmt: skip
    p4 = _package(
        cohort_c, y, code="P4", title="Barista", category="lpk", budget=50_000_000, quota=20, planned_participants=20,
        starts_on=D(2026, 11, 2), ends_on=D(2026, 12, 18), status=TrainingPackage.Status.RUNNING,
    )  # fmt: skip
    p5 = _package(
        cohort_a, x, code="P5", title="Tanpa pagu", category="lpk", budget=0, quota=5, planned_participants=0,
        sub_activity_code="9.99.99.9.99.9999", starts_on=D(2026, 6, 1), ends_on=D(2026, 6, 5), status=done,
    )  # fmt: skip
    p6 = _package(
        cohort_b, x, code="P6", title="Tata Boga", category="blk", budget=80_000_000, quota=16,
        starts_on=D(2023, 7, 3), ends_on=D(2023, 8, 25), status=done,
    )  # fmt: skip
    _meetings(p1, D(2026, 2, 2), D(2026, 2, 16), D(2026, 3, 2), D(2026, 3, 31))
    _meetings(p2, D(2026, 9, 7), D(2026, 9, 14), D(2026, 9, 21), D(2026, 10, 5), D(2026, 10, 12), D(2026, 10, 16))
    _meetings(p3, D(2026, 5, 5), D(2026, 5, 6))
    _meetings(
        p4, D(2026, 11, 2), D(2026, 11, 9), D(2026, 11, 16), D(2026, 11, 23),
        D(2026, 12, 7), D(2026, 12, 14), D(2026, 12, 16), D(2026, 12, 18),
    )  # fmt: skip
    _meetings(p6, D(2023, 7, 3), D(2023, 7, 17), D(2023, 7, 31), D(2023, 8, 14), D(2023, 8, 25))
    _people(p1, completed=8, dropped_out=1)
    _people(p2, completed=10)
    _people(p3, completed=1)
    _people(p4, enrolled=5)
    _people(p6, completed=15, dropped_out=1)
    _spend(p1, staff, D(2026, 3, 31), 20_000_000, "SP2D-1")
    _spend(p1, staff, D(2026, 4, 1), 25_000_000, "SP2D-2")
    _spend(p2, staff, D(2026, 9, 30), 10_000_000, "SP2D-3")
    _spend(p2, staff, D(2026, 10, 1), 15_000_000, "SP2D-4")
    _spend(p3, staff, D(2026, 5, 5), 5_000_000, "SP2D-5")
    _spend(p4, staff, D(2026, 11, 20), 12_500_000, "SP2D-6")
    _spend(p6, staff, D(2023, 8, 31), 78_000_000, "SP2D-2023")
    return {"p1": p1, "p2": p2, "p4": p4, "p5": p5, "p6": p6, "a": a, "c": c, "staff": staff}


def _numbers(row: realisation.Realisation) -> tuple:
    return (row.pagu, row.spent, row.sisa, row.volume, row.completed, row.meetings_held, row.meetings_planned)


def _report(period, as_of, year=2026):
    return realisation.realisation_report(year=year, period=period, as_of=as_of)


# --- the computation ----------------------------------------------------------------------------


def test_quarter_one_counts_the_payment_of_31_march_and_not_that_of_1_april(plan):
    report = _report("q1", D(2026, 12, 31))
    assert report.cutoff == D(2026, 3, 31)
    rows = {row.code: row for row in report.packages}
    # By program name (the APBD one first), sub-activity code, package code.
    assert list(rows) == ["P4", "P1", "P2", "P5"]
    # P1: 20.000.000 of 60.000.000 (33,3%), sisa 40.000.000; 8 of 10 completed (ended 31/3); 4 of 4 meetings.
    assert _numbers(rows["P1"]) == (60_000_000, 20_000_000, 40_000_000, 10, 8, 4, 4)
    assert rows["P1"].financial == Rate(20_000_000, 60_000_000)
    assert rows["P1"].physical == Rate(8, 10)
    # P2 had not begun: nothing spent, nobody completed, 0 of 6 meetings.
    assert _numbers(rows["P2"]) == (40_000_000, 0, 40_000_000, 12, 0, 0, 6)
    # Total: 20.000.000 of 150.000.000 (13,3%); 8 of 42 people (19,0%); 4 of 18 meetings (22,2%).
    assert _numbers(report.total) == (150_000_000, 20_000_000, 130_000_000, 42, 8, 4, 18)
    assert round(report.total.financial.percent, 1) == 13.3
    assert round(report.total.physical.percent, 1) == 19.0


def test_quarter_two_takes_the_payment_of_1_april(plan):
    report = _report("q2", D(2026, 12, 31))
    assert report.cutoff == D(2026, 6, 30)
    rows = {row.code: row for row in report.packages}
    # P1: 45.000.000 of 60.000.000 (75,0%).
    assert _numbers(rows["P1"]) == (60_000_000, 45_000_000, 15_000_000, 10, 8, 4, 4)
    # Total 45.000.000 of 150.000.000 = 30,0%; semester I is the same cutoff.
    assert _numbers(report.total) == (150_000_000, 45_000_000, 105_000_000, 42, 8, 4, 18)
    assert _numbers(_report("s1", D(2026, 12, 31)).total) == _numbers(report.total)


def test_quarter_three_ends_on_30_september_with_its_payment(plan):
    report = _report("q3", D(2026, 12, 31))
    rows = {row.code: row for row in report.packages}
    # P2: 10.000.000 paid on 30/9 counts; the package ends 16/10, so nobody has completed yet; 3 of 6 meetings.
    assert _numbers(rows["P2"]) == (40_000_000, 10_000_000, 30_000_000, 12, 0, 3, 6)
    # Total: 55.000.000 (36,7%); 8 of 42 people; 7 of 18 meetings (38,9%).
    assert _numbers(report.total) == (150_000_000, 55_000_000, 95_000_000, 42, 8, 7, 18)


def test_an_as_of_day_inside_a_quarter_cuts_it_there(plan):
    report = _report("q4", D(2026, 10, 10))
    assert report.cutoff == D(2026, 10, 10)
    rows = {row.code: row for row in report.packages}
    # P2 by 10/10: 25.000.000 (62,5%), 4 of 6 meetings, still nobody completed (the package ends 16/10).
    assert _numbers(rows["P2"]) == (40_000_000, 25_000_000, 15_000_000, 12, 0, 4, 6)
    # Total: 70.000.000 of 150.000.000 (46,7%); 8 of 42 people; 8 of 18 meetings.
    assert _numbers(report.total) == (150_000_000, 70_000_000, 80_000_000, 42, 8, 8, 18)


def test_the_whole_year_every_row_and_the_totals(plan):
    report = _report("year", D(2026, 12, 31))
    rows = {row.code: row for row in report.packages}
    assert _numbers(rows["P1"]) == (60_000_000, 45_000_000, 15_000_000, 10, 8, 4, 4)
    # P2: 25.000.000 of 40.000.000 (62,5%); 10 of 12 planned (83,3%; the quota of 16 is not the volume).
    assert _numbers(rows["P2"]) == (40_000_000, 25_000_000, 15_000_000, 12, 10, 6, 6)
    # P4: 12.500.000 of 50.000.000 (25,0%); its 5 people are still enrolled: 0 of 20 (0,0%, not a dash).
    assert _numbers(rows["P4"]) == (50_000_000, 12_500_000, 37_500_000, 20, 0, 8, 8)
    assert rows["P4"].physical.percent == 0
    # P5: no pagu, no people, no meetings planned: every rate is none (a dash), not 0%.
    assert _numbers(rows["P5"]) == (0, 0, 0, 0, 0, 0, 0)
    assert (rows["P5"].financial.percent, rows["P5"].physical.percent, rows["P5"].meetings.percent) == (None,) * 3
    # Total: 82.500.000 of 150.000.000 (55,0%), sisa 67.500.000; 18 of 42 people (42,9%); 18 of 18 meetings.
    assert _numbers(report.total) == (150_000_000, 82_500_000, 67_500_000, 42, 18, 18, 18)
    assert report.total.packages == 4  # P3, cancelled, is left out with its pagu and its 5.000.000
    # Semester II and quarter IV are the year (cumulative from 1 January).
    assert _numbers(_report("s2", D(2026, 12, 31)).total) == _numbers(report.total)
    assert _numbers(_report("q4", D(2026, 12, 31)).total) == _numbers(report.total)


def test_the_lines_in_the_coordinators_shape(plan):
    lines = _report("year", D(2026, 12, 31)).lines
    shape = [(line.level, line.number, line.code) for line in lines]
    assert shape == [
        ("bidang", "", "2.07"),
        ("program", "1", "2.07.03"),  # C: its one sub-activity code's program
        ("kegiatan", "1.1", "2.07.03.2.01.0001"),
        ("package", "1.1.1", ""),  # P4
        ("program", "2", ""),  # A: sub-activity codes of two nomenclature programs, so no common code
        ("kegiatan", "2.1", "2.07.03.2.01.0001"),
        ("package", "2.1.1", "5.1.02.02.01.0003"),  # P1, with its account code
        ("package", "2.1.2", ""),  # P2
        ("kegiatan", "2.2", "9.99.99.9.99.9999"),
        ("package", "2.2.1", ""),  # P5
        ("total", "", ""),
    ]
    assert lines[0].label == "Urusan Tenaga Kerja"
    assert lines[2].label == (
        "Proses Pelaksanaan Pendidikan dan Pelatihan Keterampilan bagi Pencari Kerja berdasarkan Klaster Kompetensi"
    )
    assert lines[8].label == _id("Sub-activity %(code)s") % {"code": "9.99.99.9.99.9999"}
    assert (lines[6].label, lines[6].provider) == ("P1 Menjahit", "LPK Xena")
    # Program C: P4 only.
    assert lines[1].label == "Pelatihan APBD 2026"
    assert _numbers(lines[1].figures) == (50_000_000, 12_500_000, 37_500_000, 20, 0, 8, 8)
    # Program A: P1 + P2 + P5 = 100.000.000, 70.000.000 spent, 22 people planned, 18 completed, 10 of 10 meetings.
    assert lines[4].label == "Pelatihan DBHCHT 2026"
    assert _numbers(lines[4].figures) == (100_000_000, 70_000_000, 30_000_000, 22, 18, 10, 10)
    # Its job-seeker activity: P1 + P2, the same money and people.
    assert _numbers(lines[5].figures) == (100_000_000, 70_000_000, 30_000_000, 22, 18, 10, 10)
    # Its other activity: P5 only, all zero, with no rates.
    assert _numbers(lines[8].figures) == (0, 0, 0, 0, 0, 0, 0) and lines[8].figures.financial.percent is None
    assert lines[-1].figures == _report("year", D(2026, 12, 31)).total


def test_the_totals_by_provider_category_and_funding_source(plan):
    report = _report("year", D(2026, 12, 31))
    by_provider = {row.label: (row.packages, *_numbers(row)) for row in report.by_provider}
    # Y (BLK Yasa): P2 + P4 = 90.000.000, 37.500.000 spent (41,7%), 32 people planned, 10 completed (31,3%).
    assert by_provider == {
        "BLK Yasa": (2, 90_000_000, 37_500_000, 52_500_000, 32, 10, 14, 14),
        "LPK Xena": (2, 60_000_000, 45_000_000, 15_000_000, 10, 8, 4, 4),  # P1 + P5 (P3 cancelled)
    }
    by_category = {row.label: (row.packages, *_numbers(row)) for row in report.by_category}
    assert len(by_category) == 3
    categories = dict(TrainingPackage.Category.choices)
    assert by_category[str(categories["kelurahan"])] == (1, 60_000_000, 45_000_000, 15_000_000, 10, 8, 4, 4)
    assert by_category[str(categories["blk"])] == (1, 40_000_000, 25_000_000, 15_000_000, 12, 10, 6, 6)
    assert by_category[str(categories["lpk"])] == (2, 50_000_000, 12_500_000, 37_500_000, 20, 0, 8, 8)
    sources = dict(Program.FundingSource.choices)
    by_funding = {row.label: (row.packages, *_numbers(row)) for row in report.by_funding}
    # DBHCHT (program A): 70.000.000 of 100.000.000 (70,0%), 18 of 22 (81,8%); APBD (program C): P4.
    assert by_funding == {
        str(sources["dbhcht"]): (3, 100_000_000, 70_000_000, 30_000_000, 22, 18, 10, 10),
        str(sources["apbd"]): (1, 50_000_000, 12_500_000, 37_500_000, 20, 0, 8, 8),
    }


def test_2023_is_its_own_year(plan):
    report = _report("year", D(2026, 12, 2), year=2023)
    assert report.cutoff == D(2023, 12, 31)
    # 78.000.000 of 80.000.000 (97,5%); 15 of 16 (the quota; 93,8%); 5 of 5 meetings.
    assert [row.code for row in report.packages] == ["P6"]
    assert _numbers(report.total) == (80_000_000, 78_000_000, 2_000_000, 16, 15, 5, 5)


def test_an_as_of_day_before_the_year_shows_nothing_done_yet(plan):
    report = _report("q1", D(2025, 12, 31))
    assert _numbers(report.total) == (150_000_000, 0, 150_000_000, 42, 0, 0, 18)


def test_going_over_the_pagu_gives_a_negative_sisa(client, plan):
    spending_record(
        package=plan["p2"],
        by=plan["staff"],
        spent_on=D(2026, 11, 2),
        amount=20_000_000,
        kind=Expenditure.Kind.MATERIALS,
        document_number="SP2D-7",
        over_pagu_reason="Harga bahan las naik.",
    )
    report = _report("year", D(2026, 12, 31))
    p2 = next(row for row in report.packages if row.code == "P2")
    # 45.000.000 of 40.000.000: 112,5%, sisa -5.000.000.
    assert (p2.spent, p2.sisa, p2.financial.percent) == (45_000_000, -5_000_000, 112.5)
    client.force_login(factories.OfficialFactory())
    content = client.get(reverse(URL), {"year": "2026", "period": "year", "as_of": "2026-12-31"}).content.decode()
    assert "112,5%" in _row(content, "P2") and "text-danger" in _row(content, "P2")


# --- the panel ----------------------------------------------------------------------------------


def test_the_panel_by_quarter_as_of_a_day_in_the_fourth_quarter(plan):
    panel = realisation.panel_figures(year=2026, today=D(2026, 10, 10))
    # The year up to 10/10: 70.000.000 of 150.000.000 (46,7%), 8 of 42 people (19,0%).
    assert (panel.financial, panel.physical, panel.cutoff) == (
        Rate(70_000_000, 150_000_000),
        Rate(8, 42),
        D(2026, 10, 10),
    )
    quarters = [(q.numeral, q.cutoff, q.financial, q.physical) for q in panel.quarters]
    assert quarters == [
        ("I", D(2026, 3, 31), Rate(20_000_000, 150_000_000), Rate(8, 42)),
        ("II", D(2026, 6, 30), Rate(45_000_000, 150_000_000), Rate(8, 42)),
        ("III", D(2026, 9, 30), Rate(55_000_000, 150_000_000), Rate(8, 42)),
        ("IV", D(2026, 10, 10), Rate(70_000_000, 150_000_000), Rate(8, 42)),
    ]


def test_the_panel_leaves_quarters_not_begun_empty(plan):
    panel = realisation.panel_figures(year=2026, today=D(2026, 5, 15))
    assert [(q.numeral, q.cutoff) for q in panel.quarters] == [
        ("I", D(2026, 3, 31)),
        ("II", D(2026, 5, 15)),
        ("III", None),
        ("IV", None),
    ]
    assert panel.quarters[2].financial is None
    # Up to 15/5: 45.000.000 (P1's two payments; P3's of 5/5 is cancelled's).
    assert panel.financial == Rate(45_000_000, 150_000_000)


def test_the_panel_renders_serapan_and_fisik(plan):
    panel = realisation.panel_figures(year=2026, today=D(2026, 10, 10))
    html = render_to_string("reports/_realisation_panel.html", {"realisation_panel": panel})
    assert 'data-figure="realisation-financial">46,7%<' in html
    assert 'data-figure="realisation-physical">19,0%<' in html
    first = re.search(r'data-quarter="I">(.*?)</tr>', html, re.S).group(1)
    assert ">13,3%<" in first and ">19,0%<" in first
    assert "Rp70.000.000" in html and "Rp150.000.000" in html
    assert render_to_string("reports/_realisation_panel.html", {"realisation_panel": None}).strip() == ""


def test_the_dashboard_gives_the_panel_of_its_year_and_a_new_payment_shows(
    client, plan, django_capture_on_commit_callbacks
):
    client.force_login(factories.OfficialFactory())
    panel = client.get(reverse("dashboard:index"), {"year": "2023"}).context["realisation_panel"]
    assert (panel.year, panel.financial, panel.physical) == (2023, Rate(78_000_000, 80_000_000), Rate(15, 16))
    latest = client.get(reverse("dashboard:index")).context["realisation_panel"]
    assert latest.year == 2026  # no year filtered: the latest program year
    assert latest.financial == Rate(82_500_000, 150_000_000)  # every 2026 payment is dated on or before today
    with django_capture_on_commit_callbacks(execute=True):  # committed: the cached figures go
        _spend(plan["p4"], plan["staff"], D(2026, 11, 21), 7_500_000, "SP2D-8")
    again = client.get(reverse("dashboard:index")).context["realisation_panel"]
    assert again.financial == Rate(90_000_000, 150_000_000)


def test_the_panel_is_none_without_programs():
    assert realisation.realisation_panel(year=None, today=D(2026, 10, 10)) is None


# --- the pages ----------------------------------------------------------------------------------

PAGES = ["dashboard:realisation", "dashboard:realisation-export", "dashboard:realisation-print"]


@pytest.mark.parametrize("name", PAGES)
def test_permission_ladder(client, name):
    url = reverse(name)
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    client.force_login(factories.OperatorFactory())
    assert client.get(url).status_code == 403
    for user in (factories.OfficialFactory(), factories.StaffFactory()):
        client.force_login(user)
        assert client.get(url).status_code == 200
    assert client.post(url).status_code == 405


def _row(content: str, package: str) -> str:
    return re.search(rf'data-package="{package}"[^>]*>(.*?)</tr>', content, re.S).group(1)


def _cell(row: str, column: str) -> str:
    return re.search(rf'data-col="{column}">(.*?)</td>', row, re.S).group(1).strip()


def test_the_page_shows_the_report_in_indonesian_formats(client, plan):
    client.force_login(factories.OfficialFactory())
    content = client.get(reverse(URL), {"year": "2026", "period": "year", "as_of": "2026-12-31"}).content.decode()
    p2 = _row(content, "P2")
    assert [_cell(p2, column) for column in ("volume", "pagu", "spent", "financial", "sisa", "physical")] == [
        "12",
        "Rp40.000.000",
        "Rp25.000.000",
        "62,5%",
        "Rp15.000.000",
        "83,3%",
    ]
    p5 = _row(content, "P5")
    assert _cell(p5, "financial") == "–" and _cell(p5, "physical") == "–" and _cell(p5, "meetings") == "–"
    total = re.search(r'data-level="total"(.*?)</tr>', content, re.S).group(1)
    assert [_cell(total, column) for column in ("pagu", "spent", "financial", "sisa", "physical")] == [
        "Rp150.000.000",
        "Rp82.500.000",
        "55,0%",
        "Rp67.500.000",
        "42,9%",
    ]
    assert 'data-figure="financial">55,0%<' in content
    assert "31 Desember 2026" in content
    assert 'id="definitions"' in content
    for anchor in ("periods", "financial-realisation", "remaining", "physical-realisation", "meetings-realisation"):
        assert f'id="{anchor}"' in content
    by_provider = re.search(r'data-group="provider">(.*?)</table>', content, re.S).group(1)
    assert "41,7%" in by_provider and "31,3% dari 32" in by_provider
    # The links carry the choice as shown.
    assert reverse("dashboard:realisation-export") + "?year=2026&amp;period=year&amp;as_of=2026-12-31" in content


def test_the_address_design_md_names_reads_a_quarter(client, plan):
    client.force_login(factories.OfficialFactory())
    response = client.get("/dashboard/realisasi/", {"year": "2026", "quarter": "3", "as_of": "2026-12-31"})
    assert response.context["choice"].period == "q3"
    assert response.context["report"].total.spent == 55_000_000
    assert client.get("/dashboard/realisasi.xlsx", {"year": "2026"}).status_code == 200


@pytest.mark.parametrize(
    "params",
    [
        {"year": "abc"},
        {"year": "99999999999999999999999"},
        {"year": "1999"},
        {"period": "q9"},
        {"period": "<script>"},
        {"as_of": "31/02/2026"},
        {"as_of": "99999-01-01"},
        {"as_of": "abc", "year": "-1", "period": "9999999999"},
        {"quarter": "7"},
    ],
)
def test_bad_choices_show_the_defaults_with_a_message(client, plan, params):
    client.force_login(factories.StaffFactory())
    for name in PAGES:
        response = client.get(reverse(name), params)
        assert response.status_code == 200, name
    response = client.get(reverse(URL), params)
    choice = response.context["choice"]
    assert choice.year in (2026, 2023) and choice.period in realisation.PERIODS
    content = response.content.decode()
    assert choice.problems and 'id="error-summary"' in content
    for field in choice.problems:
        assert f'id="realisation-{field}-error"' in content
    assert "<script>" not in content  # nothing typed is written back into the page


def test_a_bad_date_falls_back_to_today_with_the_message_beside_the_field(client, plan):
    from django.utils import timezone

    client.force_login(factories.OfficialFactory())
    response = client.get(reverse(URL), {"year": "2023", "period": "q3", "as_of": "31/02/2026"})
    choice = response.context["choice"]
    assert (choice.year, choice.period, choice.as_of) == (2023, "q3", timezone.localdate())
    assert set(choice.problems) == {"as_of"}
    assert response.context["report"].cutoff == D(2023, 9, 30)
    # A date written day first is read too.
    response = client.get(reverse(URL), {"year": "2026", "period": "q4", "as_of": "10/10/2026"})
    assert response.context["choice"].as_of == D(2026, 10, 10) and not response.context["choice"].problems


def test_without_a_choice_the_year_of_today_and_its_quarter(client, plan):
    from django.utils import timezone

    client.force_login(factories.OfficialFactory())
    choice = client.get(reverse(URL)).context["choice"]
    today = timezone.localdate()
    assert choice.as_of == today
    assert choice.years == [2026, 2023]
    if today.year == 2026:
        assert choice.year == 2026 and choice.period == realisation.period_of(today)
    else:
        assert choice.year == 2026 and choice.period == "year"
    assert client.get(reverse(URL), {"year": "2023"}).context["choice"].period == "year"


def test_the_page_without_any_program(client):
    client.force_login(factories.OfficialFactory())
    response = client.get(reverse(URL), {"year": "2026"})
    assert response.status_code == 200 and response.context["report"] is None
    assert "data-realisation-empty" in response.content.decode()
    assert client.get(reverse("dashboard:realisation-export")).status_code == 200
    assert client.get(reverse("dashboard:realisation-print")).status_code == 200


def test_the_xlsx_has_the_title_block_and_real_numbers_with_formats(client, plan):
    client.force_login(factories.OfficialFactory())
    response = client.get(
        reverse("dashboard:realisation-export"), {"year": "2026", "period": "q3", "as_of": "2026-12-31"}
    )
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "realisasi-dbhcht-2026-q3-2026-12-31.xlsx" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0][0] == "Dinas Perindustrian dan Tenaga Kerja (Dinperinaker) Kota Pekalongan"
    assert values[1][0] == _id("DBHCHT realisation report")
    assert values[2][:2] == [_id("Program year"), 2026]
    assert values[3][0] == _id("Period") and "30 September 2026" in values[3][1]
    assert values[4][0] == _id("As of") and values[4][1] == datetime.datetime(2026, 12, 31)
    header = next(n for n, row in enumerate(values) if row[0] == _id("No."))
    assert values[header][4:12] == [
        _id(title)
        for title in (
            "Volume",
            "Unit",
            "Pagu (Rp)",
            "Financial realisation (Rp)",
            "Financial realisation (%)",
            "Remaining (Rp)",
            "Physical realisation, people (%)",
            "Physical realisation, meetings (%)",
        )
    ]
    rows = sheet.iter_rows(min_row=header + 2)
    by_label = {row[1].value: row for row in rows if row[1].value}
    p1 = by_label["P1 Menjahit"]
    assert [cell.value for cell in p1[:4]] == ["2.1.1", "P1 Menjahit", "LPK Xena", "5.1.02.02.01.0003"]
    # Q3: P1 45.000.000 of 60.000.000 (0,75), sisa 15.000.000; 8 of 10 (0,8); 4 of 4 meetings.
    assert [cell.value for cell in p1[4:12]] == [10, _id("people"), 60_000_000, 45_000_000, 0.75, 15_000_000, 0.8, 1.0]
    assert [cell.number_format for cell in p1[4:12]] == [
        "#,##0",
        "General",
        '"Rp"#,##0',
        '"Rp"#,##0',
        "0.0%",
        '"Rp"#,##0',
        "0.0%",
        "0.0%",
    ]
    total = by_label[_id("Total")]
    # Q3 total: 55.000.000 of 150.000.000; 8 of 42; 7 of 18 meetings.
    assert [cell.value for cell in total[6:12]] == [
        150_000_000,
        55_000_000,
        pytest.approx(55 / 150),
        95_000_000,
        pytest.approx(8 / 42),
        pytest.approx(7 / 18),
    ]
    # P5: no pagu: the percentages are empty cells, not 0.
    p5 = by_label["P5 Tanpa pagu"]
    assert p5[8].value is None and p5[10].value is None and p5[11].value is None
    recap = [[cell.value for cell in row] for row in book.worksheets[1].iter_rows()]
    funding = dict(Program.FundingSource.choices)
    apbd = next(row for row in recap if row[0] == str(funding["apbd"]))
    # APBD in Q3: P4 (which starts in November) has spent nothing yet: 0 of 50.000.000, 0,0%.
    assert apbd[1:8] == [1, 20, _id("people"), 50_000_000, 0, 0.0, 50_000_000]


def test_the_print_is_a4_with_the_figures_and_a_signature_block(client, plan):
    client.force_login(factories.StaffFactory())
    content = client.get(
        reverse("dashboard:realisation-print"), {"year": "2026", "period": "q4", "as_of": "2026-10-10"}
    ).content.decode()
    assert "css/realisation-print.css" in content
    assert "Dinas Perindustrian dan Tenaga Kerja (Dinperinaker) Kota Pekalongan" in content
    assert "10 Oktober 2026" in content and "1 Januari 2026" in content
    total = re.search(r'data-level="total"(.*?)</tr>', content, re.S).group(1)
    # By 10/10: 70.000.000 of 150.000.000 (46,7%), sisa 80.000.000; 8 of 42 (19,0%); 8 of 18 meetings (44,4%).
    assert [_cell(total, column) for column in ("pagu", "spent", "financial", "sisa", "physical", "meetings")] == [
        "Rp150.000.000",
        "Rp70.000.000",
        "46,7%",
        "Rp80.000.000",
        "19,0%",
        "44,4%",
    ]
    assert "Kepala Dinas Perindustrian dan Tenaga Kerja Kota Pekalongan" in content
    assert '<p class="signature-name"></p>' in content
    css = (settings.BASE_DIR / "static/css/realisation-print.css").read_text()
    assert "size: A4 landscape" in css


def test_the_page_in_english(client, plan):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(factories.OfficialFactory())
    content = client.get(reverse(URL), {"year": "2026", "period": "year", "as_of": "2026-12-31"}).content.decode()
    assert "Financial realisation" in content and "Definitions" in content
    assert "31 December 2026" in content


# --- queries ------------------------------------------------------------------------------------


def _count_queries(function):
    with CaptureQueriesContext(connection) as queries:
        function()
    return len(queries)


def _more_packages(plan, n):
    for number in range(n):
        package = _package(
            plan["p1"].cohort,
            factories.ProviderFactory(),
            budget=10_000_000,
            starts_on=D(2026, 2, 2),
            ends_on=D(2026, 3, 20),
            status=TrainingPackage.Status.COMPLETED,
            category=["blk", "lpk", "kelurahan"][number % 3],
            sub_activity_code=f"2.07.03.2.01.000{number % 3 + 1}",
        )
        _meetings(package, D(2026, 2, 3), D(2026, 2, 10))
        _people(package, completed=2)
        _spend(package, plan["staff"], D(2026, 2, 20), 1_000_000, f"SP2D-X{number}")


def test_the_report_takes_seven_queries_however_many_packages(plan):
    def compute():
        return _report("year", D(2026, 12, 31))

    assert _count_queries(compute) == 7
    _more_packages(plan, 6)
    assert _count_queries(compute) == 7
    assert compute().total.packages == 10


def test_the_pages_queries_do_not_grow_with_packages(client, plan):
    client.force_login(factories.OfficialFactory())
    params = {"year": "2026", "period": "year", "as_of": "2026-12-31"}

    def pages():
        for name in PAGES:
            assert client.get(reverse(name), params).status_code == 200

    few = _count_queries(pages)
    _more_packages(plan, 5)
    assert _count_queries(pages) == few


def test_the_panel_takes_one_query_however_many_packages(plan):
    def compute():
        return realisation.panel_figures(year=2026, today=D(2026, 10, 10))

    assert _count_queries(compute) == 1
    _more_packages(plan, 4)
    assert _count_queries(compute) == 1
