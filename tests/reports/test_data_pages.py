"""The pages under /data/: public (no login), GET and HEAD only, 404 for what does not exist, the
results page's figures (protected) and chart data, English on request, and a fixed number of
queries whether the tables are cached or not."""

import json
import re

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from participants.models import Outcome
from pekalongan_training.dates import add_months
from programs.models import Kelurahan
from reports import open_data
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def city(db):
    """A year ended 8 months ago: 24 completers in Kauman (21 answered at 6 months, 16 in business),
    8 in Krapyak, 3 from outside the city; and this year's program with 6 people in class."""
    today = timezone.localdate()
    start = add_months(today, -9)
    cohort = factories.CohortFactory(
        program=factories.ProgramFactory(fiscal_year=start.year),
        registration_opens=add_months(start, -1),
        registration_closes=add_months(start, -1),
        starts_on=start,
        ends_on=add_months(start, 1),
    )
    package = factories.TrainingPackageFactory(
        cohort=cohort, status="completed", starts_on=start, ends_on=add_months(start, 1), category="blk"
    )
    kauman = Kelurahan.objects.get(code="33.75.02.1004")
    krapyak = Kelurahan.objects.get(code="33.75.03.1002")
    completers = [
        factories.EnrollmentFactory(package=package, status="completed", participant__kelurahan=kauman)
        for _ in range(24)
    ]
    completers += [
        factories.EnrollmentFactory(package=package, status="completed", participant__kelurahan=krapyak)
        for _ in range(8)
    ]
    completers += [
        factories.EnrollmentFactory(package=package, status="completed", participant__kelurahan=None) for _ in range(3)
    ]
    for index, enrollment in enumerate(completers[:26]):
        status = Outcome.Status.SELF_EMPLOYED if index < 16 else Outcome.Status.NOT_WORKING
        factories.OutcomeFactory(enrollment=enrollment, round=6, status=status, recorded_on=today)
    later = factories.TrainingPackageFactory(
        cohort=factories.CohortFactory(program=factories.ProgramFactory(fiscal_year=start.year + 1)), category="lpk"
    )
    for _ in range(6):
        factories.EnrollmentFactory(package=later, status="enrolled", participant__kelurahan=kauman)
    return {"year": start.year, "later": start.year + 1}


def urls(city) -> list[str]:
    names = [
        reverse("data:index"),
        reverse("data:catalog"),
        reverse("data:results"),
        reverse("data:results-year", kwargs={"year": city["year"]}),
        reverse("data:results-year", kwargs={"year": city["later"]}),
    ]
    for dataset in open_data.DATASET_LIST:
        names.append(reverse("data:dataset", kwargs={"slug": dataset.slug}))
        names.append(reverse("data:metadata", kwargs={"slug": dataset.slug}))
        names += [
            reverse("data:download", kwargs={"slug": dataset.slug, "fmt": fmt}) for fmt in ("csv", "xlsx", "json")
        ]
    return names


def test_every_page_and_file_answers_anyone_without_a_login(client, city):
    for url in urls(city):
        response = client.get(url)
        assert response.status_code == 200, url
        assert client.head(url).status_code == 200, url


def test_a_logged_in_official_sees_the_same(client, city):
    client.force_login(factories.OfficialFactory())
    anonymous = open_data.year_tables(city["year"], timezone.localdate())
    assert client.get(reverse("data:results")).status_code == 200
    assert open_data.year_tables(city["year"], timezone.localdate()) == anonymous


def test_only_get_and_head(client, city):
    for url in urls(city):
        assert client.post(url).status_code == 405, url
        assert client.put(url).status_code == 405, url


@pytest.mark.parametrize(
    "url",
    [
        "/data/tidak-ada/",
        "/data/tidak-ada.csv",
        "/data/tidak-ada.meta.json",
        "/data/peserta-pelatihan.pdf",
        "/data/peserta-pelatihan.CSV",
        "/data/Peserta-Pelatihan/",
        "/data/hasil/1999/",
        "/data/hasil/2100/",
        "/data/hasil/99999999999999999999/",
        "/data/hasil/20x5/",
        "/data/hasil/-2025/",
        "/data/catalog.xml",
        "/data/../admin/",
    ],
)
def test_what_does_not_exist_is_a_404(client, city, url):
    assert client.get(url).status_code == 404


def test_the_query_string_changes_nothing(client, city):
    def main(url):
        html = client.get(url).content.decode()
        return html[html.index('<main id="main"') :]  # the header's language switch repeats the address

    plain = main(reverse("data:results"))
    assert client.get(reverse("data:results") + "?year=abc&kecamatan=%00x&tahun=9999999999").status_code in (200, 400)
    assert main(reverse("data:results") + "?year=2023&tahun=9999999999") == plain


def test_the_results_page_shows_the_protected_headline_of_the_year(client, city):
    response = client.get(reverse("data:results-year", kwargs={"year": city["year"]}))
    html = response.content.decode()
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    # 35 trained and completers; 35 due at 6 months -> 35; 16 in business -> 15 (42,9%); 26 reached -> 25 (71,4%)
    assert re.search(r">\s*35\s*</p>\s*<p[^>]*>\s*" + re.escape(gettext("people trained")), html)
    assert "42,9%" in text and "71,4%" in text
    assert "15 " in text
    # By kecamatan, ranked: Timur (24 -> 25), Utara (8 -> 10), then Barat and Selatan (0), then outside (3 -> 5).
    chart = json.loads(re.search(r'<script id="results-data" type="application/json">(.*?)</script>', html, re.S)[1])
    assert chart["labels"] == [
        "Pekalongan Timur",
        "Pekalongan Utara",
        "Pekalongan Barat",
        "Pekalongan Selatan",
        "Luar Kota Pekalongan",
    ]
    assert chart["trained"] == [25, 10, 0, 0, 5]
    assert chart["completers"] == [25, 10, 0, 0, 5]
    rows = re.findall(r'<th scope="row" class="fw-normal">([^<]+)</th><td class="text-end">(\d+)</td>', html)
    assert rows == list(zip(chart["labels"], map(str, chart["trained"]), strict=True))
    # The exact counts appear nowhere.
    figures = html[html.index('<div class="row g-3">') : html.index('<script id="results-data"')]
    figures = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", figures))
    assert not re.search(r"(?<![\d,.])(24|26|16|8|3)(?![\d,.])", figures), figures


def test_the_default_year_is_the_latest_with_people_trained_and_every_year_is_listed(client, city):
    html = client.get(reverse("data:results")).content.decode()
    assert re.search(
        rf'<a class="nav-link btn-tap active" aria-current="page" href="/data/hasil/{city["later"]}/">', html
    )
    assert f'href="/data/hasil/{city["year"]}/">{city["year"]}</a></th>' in html
    # This year: 6 people in class -> 5; the 6-month rate withheld (nobody due).
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    assert "5 " + gettext("people trained") in text


def test_the_page_has_no_inline_script_and_loads_chart_js_from_our_static_files(client, city):
    html = client.get(reverse("data:results")).content.decode()
    for tag in re.findall(r"<script[^>]*>", html):
        assert "src=" in tag or 'type="application/json"' in tag, tag
    assert "/static/vendor/chart.js/chart.umd.min.js" in html
    assert "/static/js/data-results.js" in html
    assert 'name="viewport" content="width=device-width, initial-scale=1"' in html


def test_english_on_request_but_the_data_stay_indonesian(client, city):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(reverse("data:results")).content.decode()
    assert "How no one can be recognised in these figures" in html
    assert "Luar Kota Pekalongan" in html
    page = client.get(reverse("data:dataset", kwargs={"slug": "peserta-per-jenis-kelamin"})).content.decode()
    assert "Definition" in page and "Laki-laki" in page
    csv_text = client.get(reverse("data:download", kwargs={"slug": "peserta-per-jenis-kelamin", "fmt": "csv"})).content
    assert "Perempuan" in csv_text.decode() and "Female" not in csv_text.decode()


def test_the_pages_describe_the_rule_in_indonesian(client, city):
    with translation.override("id"):  # in the catalogue once /tmp/po/opendata.po is merged; English until then
        rule = gettext(
            "Every count of people is rounded to the nearest multiple of 5: 0 stays 0, 1 and 2 become 0, "
            "3 to 7 become 5, 8 to 12 become 10, and so on."
        )
    for url in (
        reverse("data:index"),
        reverse("data:results"),
        reverse("data:dataset", kwargs={"slug": "peserta-pelatihan"}),
    ):
        assert rule in client.get(url).content.decode(), url
    meta = json.loads(client.get(reverse("data:metadata", kwargs={"slug": "peserta-pelatihan"})).content)
    assert meta["metode_pengamanan_data"].startswith("Setiap jumlah orang dibulatkan ke kelipatan 5 terdekat")


def test_the_index_lists_every_dataset_with_its_formats(client, city):
    html = client.get(reverse("data:index")).content.decode()
    for dataset in open_data.DATASET_LIST:
        assert dataset.title in html
        for fmt in ("csv", "xlsx", "json"):
            assert f'href="/data/{dataset.slug}.{fmt}"' in html
    assert f"{city['year']}–{city['later']}" in html
    assert "http://testserver/data/catalog.json" in html


def test_the_dataset_page_shows_its_metadata_and_the_latest_rows(client, city):
    html = client.get(reverse("data:dataset", kwargs={"slug": "peserta-per-kelurahan"})).content.decode()
    assert "Jumlah peserta pelatihan" in html and "Banyaknya NIK berbeda" in html
    assert html.count("<tr>") == 1 + 28  # header and the latest year's 28 rows
    assert "33.75.02.1004" in html


def test_a_cold_results_page_runs_a_fixed_number_of_queries_and_a_cached_one_none(
    client, city, django_assert_num_queries
):
    # The years; each year 10 aggregates (the follow-up rounds with their median incomes are one).
    with django_assert_num_queries(21):
        assert client.get(reverse("data:results")).status_code == 200
    with django_assert_num_queries(0):
        assert client.get(reverse("data:results")).status_code == 200
        assert client.get(reverse("data:results-year", kwargs={"year": city["year"]})).status_code == 200
        assert (
            client.get(reverse("data:download", kwargs={"slug": "peserta-per-kelurahan", "fmt": "csv"})).status_code
            == 200
        )


def test_more_people_do_not_mean_more_queries(client, city, django_assert_num_queries):
    kauman = Kelurahan.objects.get(code="33.75.02.1004")
    package = factories.TrainingPackageFactory(
        cohort=factories.CohortFactory(program=factories.ProgramFactory(fiscal_year=city["year"])), category="lpk"
    )
    for _ in range(30):
        factories.EnrollmentFactory(package=package, status="enrolled", participant__kelurahan=kauman)
    with django_assert_num_queries(21):
        assert client.get(reverse("data:results")).status_code == 200


def test_with_no_program_the_pages_say_so(client):
    html = client.get(reverse("data:results")).content.decode()
    assert gettext("No program year has figures yet. Come back when the first packages have started.") in html
    assert "results-data" not in html
    assert client.get(reverse("data:index")).status_code == 200
    assert client.get(reverse("data:dataset", kwargs={"slug": "peserta-pelatihan"})).status_code == 200
    assert client.get(reverse("data:results-year", kwargs={"year": 2025})).status_code == 404
