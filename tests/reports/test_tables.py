"""Every column of the dashboard's tables is typed, and the page, the print view, CSV and XLSX write
each cell from its type: rates with their denominators, money in whole rupiah, points as points.

Figures from the hand-worked dataset of test_indicators.py (no filter):
- completion 7 of 9 (77,8%); attendance at held meetings 35 of 41 (85,4%);
- cost per completer 240.000.000 / 7 = 34.285.714,29 -> Rp34.285.714; per participant
  240.000.000 / 11 = 21.818.181,82 -> Rp21.818.182;
- round 3: due 7, reached 4, not reachable 2, pending 1; own business 2 of 7 (28,6%) and 2 of 4;
  working 3 of 7 (42,9%) and 3 of 4; response 4 of 7 (57,1%); change from intake +50,0 points
  (3 of 4 working now, 1 of them at intake); training-related 2 of 3 (66,7%); median Rp2.000.000.
"""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import pgettext
from openpyxl import load_workbook

from participants.models import Outcome
from pekalongan_training.dates import add_months
from reports.indicators import Filters, Rate
from reports.tables import Kind, dashboard_data, tables
from tests import factories
from tests.reports.test_indicators import city  # noqa: F401  (the hand-worked dataset)

pytestmark = pytest.mark.django_db

VALUES = {
    Kind.LABEL: (str,),
    Kind.COUNT: (int,),
    Kind.RATE: (Rate,),
    Kind.MONEY: (int, type(None)),
    Kind.POINTS: (float, type(None)),
    Kind.NUMBER: (int, Decimal, type(None)),
}


def _of() -> str:
    """The header of a rate's denominator column ("dari" once the catalogue has it)."""
    with translation.override("id"):
        return pgettext("the denominator of the rate in the column before", "of")


@pytest.fixture
def official(client):
    client.force_login(factories.OfficialFactory())
    return client


def _csv(response) -> list[list[str]]:
    assert response.content.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))


def _sheet(response):
    return load_workbook(io.BytesIO(response.content)).active


def _find(sheet, first_cell: str, after: int = 1):
    """The cells of the first row whose first cell is `first_cell`, from row `after` on."""
    for row in sheet.iter_rows(min_row=after):
        if row[0].value == first_cell:
            return row
    raise AssertionError(f"no row {first_cell!r}")


def test_every_column_of_every_table_has_a_type_and_its_cells_hold_that_type(city):  # noqa: F811
    with translation.override("id"):
        all_tables = tables(dashboard_data(Filters(), city["today"]))
    assert len(all_tables) == 19
    # The alumni's tables follow the outcomes, on the page, in print and in the downloads.
    keys = [table.key for table in all_tables]
    assert keys[2:7] == ["outcomes", "waiting_time", "channels", "satisfaction", "help_needed"]
    for table in all_tables:
        assert table.columns[0].kind is Kind.LABEL, table.key
        for row in table.typed_rows:
            assert len(row) == len(table.columns), table.key
            for cell in row:
                assert cell.column.kind in VALUES, (table.key, cell.column.title)
                assert isinstance(cell.value, VALUES[cell.column.kind]), (table.key, cell.column.title, cell.value)
    kinds = {table.key: {c.title: c for c in table.columns} for table in all_tables}
    outcomes = kinds["outcomes"]
    assert outcomes["Perubahan sejak mendaftar (poin)"].kind is Kind.POINTS
    assert outcomes["Median penghasilan per bulan (Rp)"].kind is Kind.MONEY
    assert outcomes["Tingkat respons"].kind is Kind.RATE
    assert kinds["providers"]["Biaya per lulusan (Rp)"].kind is Kind.MONEY
    headline = {cells[0].value: cells[1].column for cells in all_tables[0].typed_rows}
    assert headline["Peserta (orang)"].kind is Kind.COUNT
    assert headline["Tingkat penyelesaian"].kind is Kind.RATE
    assert headline["Biaya per lulusan (Rp)"].kind is Kind.MONEY
    # Packages are not people: a category with few packages still shows its figures.
    assert not any(column.suppress_small for column in all_tables[1].columns[1:])


def test_the_print_view_writes_each_cell_as_its_type(official, city):  # noqa: F811
    content = official.get(reverse("dashboard:print")).content.decode()
    assert '<td class="n">77,8% dari 9</td>' in content
    assert '<td class="n">Rp34.285.714</td>' in content and '<td class="n">Rp21.818.182</td>' in content
    # The change from intake is percentage points, not money ("Rp50" before).
    assert '<td class="n">+50,0 poin</td>' in content  # round 3 (7 due)
    # Rounds 6 and 12 are about 4 people (P1's completers): counts only, so their +100,0 poin is not shown.
    assert "+100,0 poin" not in content and "Rp2.600.000" not in content
    assert "Rp50" not in content and "Rp100<" not in content
    assert '<td class="n">Rp2.000.000</td>' in content  # the median at round 3


def test_the_dashboard_writes_its_tables_from_the_same_types(official, city):  # noqa: F811
    content = official.get(reverse("dashboard:index")).content.decode()
    assert '<td class="text-end text-nowrap">+50,0 poin</td>' in content
    assert '<td class="text-end text-nowrap">Rp2.000.000</td>' in content  # median income, round 3
    assert '<td class="text-end text-nowrap">57,1% dari 7</td>' in content  # response rate, round 3
    assert 'data-figure="cost">Rp34.285.714<' in content


def test_the_csv_has_decimal_commas_and_each_rate_its_denominator(official, city):  # noqa: F811
    rows = _csv(official.get(reverse("dashboard:export", args=["csv"])))
    headline = rows.index(["Angka utama"])
    assert rows[headline + 1] == ["Indikator", "Nilai", _of()]
    assert ["Peserta (orang)", "11"] in rows
    assert ["Tingkat penyelesaian", "77,8%", "9"] in rows
    assert ["Tingkat kehadiran (pertemuan terlaksana)", "85,4%", "41"] in rows
    assert ["Biaya per lulusan (Rp)", "34285714"] in rows
    assert ["Biaya per peserta (Rp)", "21818182"] in rows
    outcomes = rows.index(["Capaian per tahap penelusuran"])
    header = rows[outcomes + 1]
    assert header[:3] == ["Tahap", "Jatuh tempo", "Berhasil dihubungi"]
    assert header[5:7] == ["Tingkat berwirausaha (dari yang jatuh tempo)", _of()]
    assert header.count(_of()) == 6  # after each of the five rates of the round and the training-related share
    assert rows[outcomes + 2] == [
        "3 bulan",
        "7",
        "4",
        "2",
        "1",
        "28,6%",
        "7",
        "50,0%",
        "4",
        "42,9%",
        "7",
        "75,0%",
        "4",
        "57,1%",
        "7",
        "50,0",
        "66,7%",
        "3",
        "2000000",
    ]
    # Round 12: 4 due (P1's completers), p1 alone reached: counts only, no rate, no income.
    twelve = rows[outcomes + 4]
    assert twelve[0] == "12 bulan" and twelve[1:5] == ["< 5"] * 4 and set(twelve[5:]) == {""}
    # One person living outside the city: counts only (the completion rate had nothing to divide by anyway).
    assert ["Luar Kota Pekalongan", "< 5", "< 5", "", ""] in rows


def test_the_xlsx_cells_are_numbers_with_number_formats(official, city):  # noqa: F811
    sheet = _sheet(official.get(reverse("dashboard:export", args=["xlsx"])))
    headline = _find(sheet, "Angka utama")[0].row
    assert [cell.value for cell in sheet[headline + 1][:3]] == ["Indikator", "Nilai", _of()]
    assert sheet[headline][0].font.bold and sheet[headline + 1][0].font.bold
    enrolled = _find(sheet, "Peserta (orang)", headline)
    assert (enrolled[1].value, enrolled[1].data_type, enrolled[1].number_format) == (11, "n", "#,##0")
    completion = _find(sheet, "Tingkat penyelesaian", headline)
    assert completion[1].value == pytest.approx(7 / 9) and completion[1].number_format == "0.0%"
    assert (completion[2].value, completion[2].number_format) == (9, "#,##0")
    cost = _find(sheet, "Biaya per lulusan (Rp)", headline)
    assert (cost[1].value, cost[1].number_format) == (34_285_714, '"Rp"#,##0')
    outcomes = _find(sheet, "Capaian per tahap penelusuran")[0].row
    header = [cell.value for cell in sheet[outcomes + 1]]
    three = sheet[outcomes + 2]
    change = three[header.index("Perubahan sejak mendaftar (poin)")]
    assert (change.value, change.number_format) == (pytest.approx(50.0), "+0.0;-0.0;0.0")
    median = three[header.index("Median penghasilan per bulan (Rp)")]
    assert (median.value, median.number_format) == (2_000_000, '"Rp"#,##0')
    response = header.index("Tingkat respons")
    assert three[response].value == pytest.approx(4 / 7) and three[response].number_format == "0.0%"
    assert (header[response + 1], three[response + 1].value) == (_of(), 7)
    assert all(cell.data_type == "n" for cell in three[1:] if cell.value is not None)


@pytest.fixture
def half_rupiah():
    """Six completers of a package that ended 4 months ago (fewer than 5 would show counts only), three
    earning Rp1.500.000 and three Rp1.500.001 at round 3; the package cost Rp9.000.003. The median
    and both costs per head are 1.500.000,5."""
    today = timezone.localdate()
    package = factories.TrainingPackageFactory(
        status="completed",
        starts_on=add_months(today, -5),
        ends_on=add_months(today, -4),
        budget=9_000_003,
    )
    for income in (1_500_000, 1_500_000, 1_500_000, 1_500_001, 1_500_001, 1_500_001):
        enrollment = factories.EnrollmentFactory(package=package, status="completed")
        factories.OutcomeFactory(
            enrollment=enrollment, round=3, status=Outcome.Status.EMPLOYED, monthly_income=income, recorded_on=today
        )
    return package


def test_no_output_has_fractions_of_a_rupiah(official, half_rupiah):
    page = official.get(reverse("dashboard:index")).content.decode()
    assert 'data-figure="cost">Rp1.500.001<' in page
    assert '<td class="text-end text-nowrap">Rp1.500.001</td>' in page  # the median
    printed = official.get(reverse("dashboard:print")).content.decode()
    # Per participant, per completer, the median, and the provider's cost per completer.
    assert printed.count('<td class="n">Rp1.500.001</td>') == 4
    assert "1.500.000,5" not in page + printed and "Rp1.500.000<" not in page + printed
    rows = _csv(official.get(reverse("dashboard:export", args=["csv"])))
    assert ["Biaya per peserta (Rp)", "1500001"] in rows and ["Biaya per lulusan (Rp)", "1500001"] in rows
    three = next(row for row in rows if row[:1] == ["3 bulan"])
    assert three[-1] == "1500001"
    sheet = _sheet(official.get(reverse("dashboard:export", args=["xlsx"])))
    assert _find(sheet, "Biaya per lulusan (Rp)")[1].value == 1_500_001
    assert _find(sheet, "3 bulan")[-1].value == 1_500_001


@pytest.mark.parametrize(
    "path", ["/dashboard/export.json", "/dashboard/export.foo", "/dashboard/export.", "/dashboard/open-data.xlsx"]
)
def test_a_format_that_does_not_exist_is_a_404(official, path):
    assert official.get(path).status_code == 404


@pytest.mark.parametrize(
    ("name", "args"), [("dashboard:export", ["xlsx"]), ("dashboard:export", ["csv"]), ("dashboard:print", [])]
)
def test_the_exports_take_as_many_queries_for_10_as_for_60_people(
    official, django_capture_on_commit_callbacks, name, args
):
    url = reverse(name, args=args)
    package = factories.TrainingPackageFactory(
        status="completed", starts_on=datetime.date(2025, 1, 6), ends_on=datetime.date(2025, 1, 31)
    )
    with django_capture_on_commit_callbacks(execute=True):
        factories.EnrollmentFactory.create_batch(10, package=package, status="completed")
    with CaptureQueriesContext(connection) as few:
        assert official.get(url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):  # committed writes: the cached figures go
        factories.EnrollmentFactory.create_batch(50, package=package, status="completed")
    with CaptureQueriesContext(connection) as many:
        assert official.get(url).status_code == 200
    assert len(many) == len(few)
