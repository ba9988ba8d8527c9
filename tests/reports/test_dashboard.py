"""The dashboard pages: who may see them, flat query counts, exports marked internal, no personal data;
the old open-data addresses sending anyone on to /data/."""

import csv
import io

import pytest
from django.conf import settings
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


def test_the_print_view_shows_counts_and_rates(client, city):  # noqa: F811
    client.force_login(factories.OfficialFactory())
    content = client.get(reverse("dashboard:print")).content.decode()
    assert '<td class="n">11</td>' in content
    assert "77,8% dari 9" in content


INTERNAL = {
    "id": "Internal: untuk staf dan pejabat Dinperinaker, tidak untuk dipublikasikan. "
    "Data terbuka: http://testserver/data/",
    "en": "Internal: for Dinperinaker staff and officials, not for publication. Open data: http://testserver/data/",
}

TITLE = {"id": "Pelatihan kerja, Dinperinaker Kota Pekalongan", "en": "Job training, Dinperinaker Kota Pekalongan"}


@pytest.mark.parametrize("language", ["id", "en"])
def test_the_csv_and_the_xlsx_say_on_their_first_line_that_they_are_internal(client, city, language):  # noqa: F811
    client.force_login(factories.OfficialFactory())
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(reverse("dashboard:export", args=["csv"]), {"year": "2025"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == [INTERNAL[language]]
    assert rows[1] == [TITLE[language]]  # the title, then the rest as before
    sheet = load_workbook(io.BytesIO(client.get(reverse("dashboard:export", args=["xlsx"])).content)).active
    assert sheet["A1"].value == INTERNAL[language] and sheet["A1"].font.bold
    assert sheet["B1"].value is None and sheet["A2"].value == rows[1][0]


@pytest.mark.parametrize("language", ["id", "en"])
def test_the_print_view_says_at_the_top_that_it_is_internal(client, city, language):  # noqa: F811
    client.force_login(factories.StaffFactory())
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    content = client.get(reverse("dashboard:print")).content.decode()
    body = content[content.index("<body>") :]
    note = body.index(f"<p data-internal><strong>{INTERNAL[language]}</strong></p>")
    assert note < body.index("<h1>")  # the first thing printed, before the title


def test_the_dashboard_links_to_the_open_data_not_to_its_old_addresses(client, city):  # noqa: F811
    client.force_login(factories.OfficialFactory())
    content = client.get(reverse("dashboard:index")).content.decode()
    assert f'href="{reverse("data:index")}">Data terbuka</a>' in content
    assert "/dashboard/open-data" not in content and "Data terbuka CSV" not in content


def test_the_definitions_send_readers_to_the_open_data_and_its_rounding(client):
    client.force_login(factories.OfficialFactory())
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    content = client.get(reverse("dashboard:indicators")).content.decode()
    definition = content[content.index('id="open-data"') : content.index("</dd>", content.index('id="open-data"'))]
    assert "rounded to the nearest multiple of 5 (0 stays 0, 1 and 2 become 0, 3 to 7 become 5" in definition
    assert "left empty when the rounded base is under 20 people" in definition
    assert f'<a href="{reverse("data:index")}">The open data and how it is protected</a>' in definition
    assert "1 to 4 people, is left empty" not in definition  # the old rule of suppressed rows is gone


OLD_ADDRESSES = ["/dashboard/open-data.csv", "/dashboard/open-data.json"]


@pytest.mark.parametrize("path", OLD_ADDRESSES)
def test_the_old_open_data_addresses_redirect_anyone_for_good_to_data(client, path):
    assert reverse("dashboard:open-data", args=[path.rsplit(".", 1)[1]]) == path
    for user in (None, factories.OperatorFactory(), factories.OfficialFactory(), factories.StaffFactory()):
        if user is not None:
            client.force_login(user)
        response = client.get(path, {"year": "2025", "kecamatan": "1"})  # the old filters are dropped
        assert (response.status_code, response["Location"]) == (301, "/data/")
        assert client.head(path).status_code == 301
        assert client.post(path).status_code == 405
    client.logout()
    followed = client.get(path, follow=True)
    assert followed.redirect_chain == [("/data/", 301)] and followed.status_code == 200
    assert "peserta-per-kecamatan" in followed.content.decode()
