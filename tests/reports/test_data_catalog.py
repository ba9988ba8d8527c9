"""/data/catalog.json: a DCAT catalogue in Project Open Data v1.1's shape (what CKAN's harvesters
read), every dataset with its fields, and every address in it answering with the right file."""

import csv
import io
import json
import re
from urllib.parse import urlsplit

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from pekalongan_training.dates import add_months
from programs.models import Kelurahan, TrainingPackage
from reports import open_data
from tests import factories

pytestmark = pytest.mark.django_db

DATASET_FIELDS = {
    "@type",
    "title",
    "description",
    "keyword",
    "modified",
    "publisher",
    "contactPoint",
    "identifier",
    "accessLevel",
    "license",
    "spatial",
    "temporal",
    "language",
    "distribution",
}
MEDIA_TYPES = {
    "CSV": "text/csv",
    "XLSX": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "JSON": "application/json",
}
MS_IND = {
    "judul",
    "deskripsi",
    "konsep",
    "indikator",
    "klasifikasi_penyajian",
    "frekuensi",
    "sumber_data",
    "produsen_data",
    "kontak",
    "metode_pengamanan_data",
    "tahun_tersedia",
}


@pytest.fixture
def two_years(db):
    """Two program years with a few people each."""
    today = timezone.localdate()
    years = []
    for offset in (-20, -8):
        start = add_months(today, offset)
        cohort = factories.CohortFactory(
            program=factories.ProgramFactory(fiscal_year=start.year),
            registration_opens=add_months(start, -1),
            registration_closes=add_months(start, -1),
            starts_on=start,
            ends_on=add_months(start, 1),
        )
        package = factories.TrainingPackageFactory(
            cohort=cohort, status="completed", starts_on=start, ends_on=add_months(start, 1)
        )
        for _ in range(9):
            factories.EnrollmentFactory(
                package=package, status="completed", participant__kelurahan=Kelurahan.objects.get(code="33.75.02.1004")
            )
        years.append(start.year)
    return years


def get_json(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    return json.loads(response.content)


def path_of(url: str) -> str:
    parts = urlsplit(url)
    assert parts.scheme == "http" and parts.netloc == "testserver", url  # absolute addresses
    return parts.path


def test_the_catalogue_has_project_open_datas_shape_and_every_dataset(client, two_years):
    catalog = get_json(client, reverse("data:catalog"))

    assert catalog["@context"] == "https://project-open-data.cio.gov/v1.1/schema/catalog.jsonld"
    assert catalog["@type"] == "dcat:Catalog"
    assert catalog["conformsTo"] == "https://project-open-data.cio.gov/v1.1/schema"
    datasets = catalog["dataset"]
    assert [d["title"] for d in datasets] == [d.title for d in open_data.DATASET_LIST]
    assert len({d["identifier"] for d in datasets}) == len(datasets)
    first, last = min(two_years), max(two_years)
    for entry in datasets:
        assert set(entry) >= DATASET_FIELDS, entry["title"]
        assert entry["@type"] == "dcat:Dataset"
        assert entry["keyword"] and all(isinstance(word, str) and word for word in entry["keyword"])
        assert entry["modified"] == timezone.localdate().isoformat()
        assert entry["publisher"] == {
            "@type": "org:Organization",
            "name": "Dinas Perindustrian dan Tenaga Kerja (Dinperinaker) Kota Pekalongan",
        }
        assert entry["contactPoint"]["@type"] == "vcard:Contact" and entry["contactPoint"]["fn"]
        assert re.fullmatch(r"mailto:[^@\s]+@[^@\s]+\.\w+", entry["contactPoint"]["hasEmail"])
        assert entry["accessLevel"] == "public"
        assert entry["license"] == "https://creativecommons.org/licenses/by/4.0/"
        assert entry["language"] == ["id"]
        assert "Pekalongan" in entry["spatial"]
        assert entry["temporal"] == f"{first}-01-01/{last}-12-31"
        assert [d["format"] for d in entry["distribution"]] == ["CSV", "XLSX", "JSON"]
        for distribution in entry["distribution"]:
            assert distribution["@type"] == "dcat:Distribution"
            assert distribution["mediaType"] == MEDIA_TYPES[distribution["format"]]
            assert distribution["title"]


def test_every_address_in_the_catalogue_answers_with_its_file(client, two_years):
    catalog = get_json(client, reverse("data:catalog"))
    for entry, dataset in zip(catalog["dataset"], open_data.DATASET_LIST, strict=True):
        assert client.get(path_of(entry["landingPage"])).status_code == 200
        assert path_of(entry["identifier"]) == reverse("data:dataset", kwargs={"slug": dataset.slug})
        meta = get_json(client, path_of(entry["describedBy"]))
        assert set(meta) >= MS_IND
        assert meta["tahun_tersedia"] == two_years
        assert [m["kolom"] for m in meta["indikator"]] == [m.column for m in dataset.measures]
        for distribution in entry["distribution"]:
            response = client.get(path_of(distribution["downloadURL"]))
            assert response.status_code == 200, distribution["downloadURL"]
            assert response["Content-Type"].split(";")[0] == distribution["mediaType"]
            assert response["Access-Control-Allow-Origin"] == "*"


def test_the_csv_is_utf8_with_commas_and_a_header_row(client, two_years):
    dataset = open_data.DATASETS["peserta-per-kelurahan"]
    response = client.get(reverse("data:download", kwargs={"slug": dataset.slug, "fmt": "csv"}))
    text = response.content.decode("utf-8")
    assert not text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == dataset.columns
    assert len(rows) == 1 + 28 * 2  # 27 kelurahan and the outside-city row, for each year
    kauman = [row for row in rows if row[6] == "33.75.02.1004"]
    assert [row[-4:] for row in kauman] == [["10", "10", "orang", str(year)] for year in two_years]  # 9 -> 10
    assert kauman[0][:8] == [
        "33",
        "JAWA TENGAH",
        "3375",
        "KOTA PEKALONGAN",
        "33.75.02",
        "Pekalongan Timur",
        "33.75.02.1004",
        "Kauman",
    ]


def test_the_rates_csv_writes_decimals_with_a_point_and_withheld_as_empty(client, two_years):
    for _ in range(13):  # 22 completers in the first year, 6 months on
        factories.EnrollmentFactory(
            package=TrainingPackage.objects.order_by("starts_on").first(),
            status="completed",
        )
    response = client.get(
        reverse("data:download", kwargs={"slug": "persentase-hasil-pelatihan-per-putaran", "fmt": "csv"})
    )
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    first = [row for row in rows[1:] if row[-1] == str(min(two_years)) and row[4] == "6"]
    assert first == [
        ["33", "JAWA TENGAH", "3375", "KOTA PEKALONGAN", "6", "0.0", "0.0", "0.0", "", "persen", str(min(two_years))]
    ]
    later = [row for row in rows[1:] if row[-1] == str(max(two_years)) and row[4] == "6"]
    assert later[0][5:9] == ["", "", "", "dasar kurang dari 20 orang"]


def test_the_xlsx_keeps_numbers_as_numbers_codes_as_text_and_the_metadata(client, two_years):
    response = client.get(reverse("data:download", kwargs={"slug": "peserta-per-kecamatan", "fmt": "xlsx"}))
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Data", "Metadata"]
    rows = list(workbook["Data"].iter_rows(values_only=True))
    assert list(rows[0]) == open_data.DATASETS["peserta-per-kecamatan"].columns
    timur = [row for row in rows[1:] if row[4] == "33.75.02"]
    assert [row[6:] for row in timur] == [(10, 10, "orang", year) for year in two_years]
    assert rows[1][0] == "33" and isinstance(rows[1][0], str)
    meta = {row[0]: row[1] for row in workbook["Metadata"].iter_rows(values_only=True) if row[0]}
    assert meta["sumber_data"] == "Dinperinaker Kota Pekalongan, sistem pelatihan kerja"
    assert meta["frekuensi"] == "Tahunan"
    assert "kelipatan 5" in meta["metode_pengamanan_data"]


def test_the_json_is_a_flat_list_of_records(client, two_years):
    records = get_json(client, reverse("data:download", kwargs={"slug": "peserta-per-jenis-kelamin", "fmt": "json"}))
    assert isinstance(records, list) and len(records) == 4
    for record in records:
        assert list(record) == open_data.DATASETS["peserta-per-jenis-kelamin"].columns
        assert all(value is None or isinstance(value, str | int | float) for value in record.values())
    assert [(r["jenis_kelamin"], r["jumlah_peserta"], r["tahun"]) for r in records] == [
        ("Laki-laki", 0, two_years[0]),
        ("Perempuan", 10, two_years[0]),
        ("Laki-laki", 0, two_years[1]),
        ("Perempuan", 10, two_years[1]),
    ]


@override_settings(DINAS_CONTACT={"email": "satudata@pekalongankota.go.id", "name": "Dinperinaker Kota Pekalongan"})
def test_the_contact_comes_from_the_settings(client, two_years):
    catalog = get_json(client, reverse("data:catalog"))
    assert {d["contactPoint"]["hasEmail"] for d in catalog["dataset"]} == {"mailto:satudata@pekalongankota.go.id"}
    assert {d["publisher"]["name"] for d in catalog["dataset"]} == {"Dinperinaker Kota Pekalongan"}
    meta = get_json(client, reverse("data:metadata", kwargs={"slug": "peserta-pelatihan"}))
    assert meta["kontak"]["email"] == "satudata@pekalongankota.go.id"


def test_with_no_program_the_catalogue_still_lists_every_dataset_without_a_period(client):
    catalog = get_json(client, reverse("data:catalog"))
    assert len(catalog["dataset"]) == len(open_data.DATASET_LIST)
    assert all("temporal" not in d for d in catalog["dataset"])
    response = client.get(reverse("data:download", kwargs={"slug": "peserta-pelatihan", "fmt": "csv"}))
    assert response.content.decode().strip() == ",".join(open_data.DATASETS["peserta-pelatihan"].columns)
