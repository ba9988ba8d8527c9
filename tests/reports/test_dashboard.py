"""The dashboard pages: who may see them, flat query counts, exports, open data, no personal data."""

import csv
import io
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from programs.models import Kecamatan
from tests import factories
from tests.reports.test_indicators import city  # noqa: F401  (the hand-worked dataset)

pytestmark = pytest.mark.django_db

PAGES = [
    ("dashboard:index", []),
    ("dashboard:indicators", []),
    ("dashboard:print", []),
    ("dashboard:export", ["xlsx"]),
    ("dashboard:export", ["csv"]),
    ("dashboard:open-data", ["csv"]),
    ("dashboard:open-data", ["json"]),
]


@pytest.mark.parametrize(("name", "args"), PAGES)
def test_permission_ladder(client, name, args):
    url = reverse(name, args=args)
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    client.force_login(factories.OperatorFactory())
    assert client.get(url).status_code == 403
    for user in (factories.OfficialFactory(), factories.StaffFactory()):
        client.force_login(user)
        assert client.get(url).status_code == 200
    assert client.post(url).status_code == 405


def test_the_dashboard_shows_the_figures_with_their_denominators_and_definitions(client, city):  # noqa: F811
    client.force_login(factories.OfficialFactory())
    content = client.get(reverse("dashboard:index")).content.decode()
    assert 'data-figure="enrolled">11<' in content
    assert 'data-figure="completers">7<' in content
    assert 'data-figure="completion-rate">77,8% dari 9<' in content
    assert 'data-figure="attendance-rate">85,4% dari 41<' in content
    assert reverse("dashboard:indicators") + "#completion-rate" in content
    definitions = client.get(reverse("dashboard:indicators")).content.decode()
    for anchor in ("enrolled", "completion-rate", "attendance-rate", "self-employment-rate", "response-rate", "cost"):
        assert f'id="{anchor}"' in definitions


def test_a_filter_by_kecamatan(client, city):  # noqa: F811
    client.force_login(factories.OfficialFactory())
    barat = Kecamatan.objects.get(code="33.75.01")
    content = client.get(reverse("dashboard:index"), {"kecamatan": barat.pk}).content.decode()
    assert 'data-figure="enrolled">6<' in content
    assert 'data-figure="cost">–<' in content


@pytest.mark.parametrize("params", [{"year": "abc"}, {"wave": "999999"}, {"kecamatan": "-1"}, {"category": "<script>"}])
def test_odd_filter_values_are_ignored_not_an_error(client, city, params):  # noqa: F811
    client.force_login(factories.OfficialFactory())
    response = client.get(reverse("dashboard:index"), params)
    assert response.status_code == 200
    assert 'data-figure="enrolled">11<' in response.content.decode()


def test_an_empty_selection_shows_dashes(client, city):  # noqa: F811
    client.force_login(factories.OfficialFactory())
    content = client.get(reverse("dashboard:index"), {"year": "2026", "category": "kelurahan"}).content.decode()
    assert 'data-figure="enrolled">0<' in content
    assert 'data-figure="completion-rate">–<' in content


def _queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_query_count_is_the_same_for_10_and_500_participants(client, django_capture_on_commit_callbacks):
    client.force_login(factories.OfficialFactory())
    url = reverse("dashboard:index")
    packages = factories.TrainingPackageFactory.create_batch(2, status="completed")
    for n in range(10):
        factories.EnrollmentFactory(package=packages[n % 2], status="completed")
    few = _queries(client, url)
    with django_capture_on_commit_callbacks(execute=True):  # committed writes: the cached figures go
        for n in range(490):
            factories.EnrollmentFactory(package=packages[n % 2], status="completed" if n % 5 else "dropped_out")
    assert _queries(client, url) == few


def test_the_xlsx_export_has_the_filters_at_the_top_and_the_tables(client, city):  # noqa: F811
    client.force_login(factories.OfficialFactory())
    response = client.get(reverse("dashboard:export", args=["xlsx"]), {"year": "2025"})
    rows = [
        [cell for cell in row if cell is not None] for row in load_workbook(io.BytesIO(response.content)).active.values
    ]
    assert ["Tahun program", "2025"] in rows
    headline = rows.index(["Angka utama"])
    assert ["Peserta (orang)", 9] in rows[headline:]
    # 7 of 9: the fraction itself (shown as 77,8% by its number format), then its denominator.
    assert ["Tingkat penyelesaian", pytest.approx(7 / 9), 9] in rows[headline:]


def test_the_csv_export(client, city):  # noqa: F811
    client.force_login(factories.StaffFactory())
    before = timezone.localtime().strftime("%H:%M")
    response = client.get(reverse("dashboard:export", args=["csv"]))
    after = timezone.localtime().strftime("%H:%M")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert ["Peserta (orang)", "11"] in rows
    computed = [f"Angka kehadiran dan kelengkapan laporan dihitung pukul {time} WIB." for time in (before, after)]
    assert [computed[0]] in rows[:4] or [computed[1]] in rows[:4]


def test_open_data_suppresses_small_cells(client, city):  # noqa: F811
    client.force_login(factories.OfficialFactory())
    payload = json.loads(client.get(reverse("dashboard:open-data", args=["json"])).content)
    tables = {table["key"]: table for table in payload["tables"]}
    headline = {row[0]: row[1] for row in tables["headline"]["rows"]}
    assert headline["Peserta (orang)"] == 11
    # Certification: 3 of 4 tested: fewer than 5 in the denominator, so left empty.
    assert headline["Tingkat sertifikasi (LSP)"] is None
    kecamatan = {row[0]: row[1:] for row in tables["kecamatan"]["rows"]}
    # Outside the city: 1 person. Timur: 4 people. Barat: 6 enrolled, but 1 of them did not complete.
    assert kecamatan["Luar Kota Pekalongan"] == [None, None, None]
    assert kecamatan["Pekalongan Timur"] == [None, None, None]
    assert kecamatan["Pekalongan Barat"] == [None, None, None]
    assert not any("Biaya" in row[0] for row in tables["headline"]["rows"])
    assert not any("Median" in column or "median" in column for column in tables["outcomes"]["columns"])
    # Package counts are not people: published as they are.
    assert tables["realization"]["rows"]
    rows = list(csv.reader(io.StringIO(client.get(reverse("dashboard:open-data", args=["csv"])).content.decode())))
    assert rows[0] == ["table", "group", "measure", "value"]


def test_no_personal_data_anywhere(client, city):  # noqa: F811
    from participants.models import Participant

    client.force_login(factories.StaffFactory())
    people = list(Participant.objects.values_list("nik", "full_name", "phone"))
    for name, args in PAGES:
        content = client.get(reverse(name, args=args)).content
        text = content.decode("utf-8", errors="ignore") if not content.startswith(b"PK") else ""
        if content.startswith(b"PK"):
            sheet = load_workbook(io.BytesIO(content)).active
            text = " ".join(str(cell) for row in sheet.values for cell in row if cell is not None)
        for nik, full_name, phone in people:
            assert nik not in text and phone not in text, name
            assert f">{full_name}<" not in text, name


def test_the_print_view_is_a_page_of_its_own(client, city):  # noqa: F811
    client.force_login(factories.OfficialFactory())
    content = client.get(reverse("dashboard:print"), {"year": "2025"}).content.decode()
    assert "css/print.css" in content
    assert "Tahun program: 2025" in content


def test_a_lone_suppressed_row_takes_the_next_smallest_with_it():
    from reports.indicators import Rate
    from reports.tables import Column, Kind, Table, open_data_rows

    table = Table(
        "kelurahan",
        "By kelurahan",
        [
            Column("Kelurahan", Kind.LABEL),
            Column("Enrolled (people)", Kind.COUNT),
            Column("Completers (people)", Kind.COUNT),
            Column("Completion rate", Kind.RATE),
        ],
        [["A", 12, 6, Rate(6, 12)], ["B", 3, 3, Rate(3, 3)], ["C", 40, 20, Rate(20, 40)], ["D", 9, 9, Rate(9, 9)]],
    )
    _columns, rows = open_data_rows(table)
    # B has 3 people; D, the next smallest, goes too, so B cannot be worked out from a total.
    assert rows == [["A", 12, 6, 50.0], ["B", None, None, None], ["C", 40, 20, 50.0], ["D", None, None, None]]


def test_the_print_view_shows_counts_and_rates(client, city):  # noqa: F811
    client.force_login(factories.OfficialFactory())
    content = client.get(reverse("dashboard:print")).content.decode()
    assert '<td class="n">11</td>' in content
    assert "77,8% dari 9" in content
