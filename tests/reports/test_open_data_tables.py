"""The open-data tables (reports/open_data.py) and their protection (reports/disclosure.py):
the rounding rule, every table's shape in Satu Data's flat form, the Kemendagri codes, the fixed
rows, and the cache that a write replaces."""

import datetime
import re

import pytest
from django.utils import timezone

from participants.models import Enrollment, Outcome, Participant
from pekalongan_training.dates import add_months
from programs.models import Kecamatan, Kelurahan, TrainingPackage
from reports import open_data
from reports.disclosure import protect_count, protected_rate, rate_note
from tests import factories

REGION = ["kode_provinsi", "nama_provinsi", "kode_kabupaten_kota", "nama_kabupaten_kota"]
PEOPLE = ["jumlah_peserta", "jumlah_lulus", "satuan", "tahun"]
COLUMNS = {
    "peserta-pelatihan": [*REGION, *PEOPLE],
    "peserta-per-kecamatan": [*REGION, "kode_kecamatan", "nama_kecamatan", *PEOPLE],
    "peserta-per-kelurahan": [
        *REGION,
        "kode_kecamatan",
        "nama_kecamatan",
        "kode_kelurahan",
        "nama_kelurahan",
        *PEOPLE,
    ],
    "peserta-per-jenis-kelamin": [*REGION, "jenis_kelamin", *PEOPLE],
    "peserta-per-kelompok-umur": [*REGION, "kelompok_umur", *PEOPLE],
    "peserta-per-kelompok-sasaran": [*REGION, "kelompok_sasaran", *PEOPLE],
    "peserta-per-kategori-paket": [*REGION, "kategori", *PEOPLE],
    "peserta-per-kejuruan": [*REGION, "kejuruan", *PEOPLE],
    "peserta-per-lembaga-pelatihan": [*REGION, "lembaga_pelatihan", *PEOPLE],
    "hasil-pelatihan-per-putaran": [
        *REGION,
        "putaran_bulan",
        "jumlah_jatuh_tempo",
        "jumlah_terjangkau",
        "jumlah_bekerja_atau_berusaha",
        "jumlah_berusaha_sendiri",
        "jumlah_bekerja_sebagai_karyawan",
        "jumlah_melanjutkan_pelatihan",
        "jumlah_tidak_bekerja",
        "jumlah_tidak_dapat_dihubungi",
        "jumlah_belum_ditelusuri",
        "satuan",
        "tahun",
    ],
    "persentase-hasil-pelatihan-per-putaran": [
        *REGION,
        "putaran_bulan",
        "persen_respons",
        "persen_bekerja_atau_berusaha",
        "persen_berusaha_sendiri",
        "keterangan",
        "satuan",
        "tahun",
    ],
    "realisasi-paket-per-kategori": [
        *REGION,
        "kategori",
        "jumlah_paket_direncanakan",
        "jumlah_paket_dimulai",
        "jumlah_paket_selesai",
        "satuan",
        "tahun",
    ],
}
UNITS = dict.fromkeys(COLUMNS, "orang") | {
    "persentase-hasil-pelatihan-per-putaran": "persen",
    "realisasi-paket-per-kategori": "paket",
}


# --- the rule ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("n", "published"),
    [(0, 0), (1, 0), (2, 0), (3, 5), (4, 5), (5, 5), (7, 5), (8, 10), (12, 10), (13, 15), (219, 220), (957, 955)],
)
def test_counts_of_people_are_rounded_to_the_nearest_multiple_of_5(n, published):
    assert protect_count(n) == published


def test_a_negative_count_is_refused():
    with pytest.raises(ValueError):
        protect_count(-1)


def test_rates_come_from_the_rounded_counts_and_are_withheld_under_20():
    assert protected_rate(14, 41) == 37.5  # 15 / 40, not 14 / 41 = 34,1
    assert protected_rate(2, 21) == 0.0  # 0 / 20
    assert protected_rate(3, 18) == 25.0  # 5 / 20
    assert protected_rate(17, 17) is None  # 15 < 20
    assert protected_rate(0, 0) is None
    assert protected_rate(1, 3) == protected_rate(5, 5) is None
    assert protected_rate(2, 3) is None
    assert rate_note(17) == "dasar kurang dari 20 orang"
    assert rate_note(18) == ""


def test_every_choice_has_an_indonesian_label():
    assert set(open_data.SEX) == set(Participant.Sex.values)
    assert set(open_data.BENEFICIARY_GROUP) == set(Participant.BeneficiaryGroup.values)
    assert set(open_data.CATEGORY) == set(TrainingPackage.Category.values)


# --- the tables ----------------------------------------------------------------------------------


@pytest.fixture
def city(db):
    """One program year that ended 7 months ago: 7 in Medono (one dropped out), 3 men in Krapyak, one
    person from outside the city; a package with nobody yet, and a cancelled one with 4 people."""
    today = timezone.localdate()
    year = add_months(today, -9).year
    cohort = factories.CohortFactory(
        program=factories.ProgramFactory(fiscal_year=year),
        registration_opens=add_months(today, -10),
        registration_closes=add_months(today, -10),
        starts_on=add_months(today, -9),
        ends_on=add_months(today, -7),
    )
    dates = {"starts_on": add_months(today, -9), "ends_on": add_months(today, -7)}
    blk = factories.ProviderFactory(name="UPTD BLK Uji")
    menjahit = factories.TrainingPackageFactory(
        cohort=cohort,
        category="blk",
        vocation=factories.VocationFactory(name="Menjahit"),
        provider=blk,
        status="completed",
        **dates,
    )
    empty = factories.TrainingPackageFactory(
        cohort=cohort,
        category="lpk",
        vocation=factories.VocationFactory(name="Barista"),
        provider=factories.ProviderFactory(name="LPK Kosong"),
        status="planned",
        **dates,
    )
    cancelled = factories.TrainingPackageFactory(
        cohort=cohort,
        category="kelurahan",
        vocation=factories.VocationFactory(name="Batik"),
        provider=factories.ProviderFactory(name="LPK Batal"),
        status="cancelled",
        **dates,
    )
    medono = Kelurahan.objects.get(code="33.75.01.1002")
    krapyak = Kelurahan.objects.get(code="33.75.03.1002")
    enrolled_on = dates["starts_on"] - datetime.timedelta(days=3)
    people = []
    for index in range(7):
        status = "dropped_out" if index == 0 else "completed"
        people.append(
            factories.EnrollmentFactory(
                participant=factories.ParticipantFactory(kelurahan=medono),
                package=menjahit,
                status=status,
                enrolled_on=enrolled_on,
            )
        )
    for _ in range(3):
        people.append(
            factories.EnrollmentFactory(
                participant=factories.ParticipantFactory(kelurahan=krapyak, sex="M"),
                package=menjahit,
                status="completed",
                enrolled_on=enrolled_on,
            )
        )
    people.append(
        factories.EnrollmentFactory(
            participant=factories.ParticipantFactory(kelurahan=None),
            package=menjahit,
            status="completed",
            enrolled_on=enrolled_on,
        )
    )
    for _ in range(4):
        factories.EnrollmentFactory(package=cancelled, status="enrolled", participant__kelurahan=medono)
    for enrollment in people[1:9]:  # 8 of the 10 completers answered at 6 months
        factories.OutcomeFactory(enrollment=enrollment, round=6, status=Outcome.Status.SELF_EMPLOYED)
    return {"year": year, "today": today, "menjahit": menjahit, "empty": empty}


def rows_of(city, slug):
    return open_data.year_tables(city["year"], city["today"])[slug]


def test_every_table_has_satu_datas_columns_in_order_with_its_unit_and_year(city):
    assert set(open_data.DATASETS) == set(COLUMNS)
    for slug, columns in COLUMNS.items():
        dataset = open_data.DATASETS[slug]
        assert dataset.columns == columns, slug
        rows = open_data.dataset_rows(dataset, city["today"])
        assert rows, slug
        for row in rows:
            assert list(row) == columns, slug
            assert row["kode_provinsi"] == "33" and row["nama_provinsi"] == "JAWA TENGAH"
            assert row["kode_kabupaten_kota"] == "3375" and row["nama_kabupaten_kota"] == "KOTA PEKALONGAN"
            assert row["satuan"] == UNITS[slug]
            assert row["tahun"] == city["year"]


def test_the_area_tables_carry_the_stored_kemendagri_codes_and_every_area(city):
    kecamatan = rows_of(city, "peserta-per-kecamatan")
    stored = list(Kecamatan.objects.order_by("code").values_list("code", "name"))
    assert len(stored) == 4
    assert [(row["kode_kecamatan"], row["nama_kecamatan"]) for row in kecamatan] == [
        *stored,
        ("", "Luar Kota Pekalongan"),
    ]
    kelurahan = rows_of(city, "peserta-per-kelurahan")
    places = {place.code: place for place in Kelurahan.objects.select_related("kecamatan")}
    assert len(places) == 27
    assert [row["kode_kelurahan"] for row in kelurahan] == [*sorted(places), ""]
    for row in kelurahan[:-1]:
        place = places[row["kode_kelurahan"]]
        assert re.fullmatch(r"33\.75\.0[1-4]\.1\d{3}", row["kode_kelurahan"])
        assert row["nama_kelurahan"] == place.name
        assert (row["kode_kecamatan"], row["nama_kecamatan"]) == (place.kecamatan.code, place.kecamatan.name)
        assert row["kode_kelurahan"].startswith(row["kode_kecamatan"] + ".")
    assert kelurahan[-1] == {
        **{column: kelurahan[-1][column] for column in REGION},
        "kode_kecamatan": "",
        "nama_kecamatan": "Luar Kota Pekalongan",
        "kode_kelurahan": "",
        "nama_kelurahan": "Luar Kota Pekalongan",
        "jumlah_peserta": 0,  # one person: rounded to 0
        "jumlah_lulus": 0,
        "satuan": "orang",
        "tahun": city["year"],
    }


def test_counts_are_the_protected_true_counts_the_same_in_every_table(city):
    total = rows_of(city, "peserta-pelatihan")
    assert [(row["jumlah_peserta"], row["jumlah_lulus"]) for row in total] == [(10, 10)]  # 11 and 10; cancelled out
    kecamatan = {
        row["nama_kecamatan"]: (row["jumlah_peserta"], row["jumlah_lulus"])
        for row in rows_of(city, "peserta-per-kecamatan")
    }
    assert kecamatan == {
        "Pekalongan Barat": (5, 5),  # 7 and 6
        "Pekalongan Timur": (0, 0),
        "Pekalongan Utara": (5, 5),  # 3 and 3
        "Pekalongan Selatan": (0, 0),
        "Luar Kota Pekalongan": (0, 0),  # 1
    }
    medono = next(row for row in rows_of(city, "peserta-per-kelurahan") if row["nama_kelurahan"] == "Medono")
    assert (medono["jumlah_peserta"], medono["jumlah_lulus"]) == kecamatan[
        "Pekalongan Barat"
    ]  # same truth, same number
    sex = {
        row["jenis_kelamin"]: (row["jumlah_peserta"], row["jumlah_lulus"])
        for row in rows_of(city, "peserta-per-jenis-kelamin")
    }
    assert sex == {"Laki-laki": (5, 5), "Perempuan": (10, 5)}  # 3/3 men; 8/7 women
    age = {row["kelompok_umur"]: row["jumlah_peserta"] for row in rows_of(city, "peserta-per-kelompok-umur")}
    assert list(age) == ["<15", "15-24", "25-34", "35-44", "45-54", "55+"]
    groups = [row["kelompok_sasaran"] for row in rows_of(city, "peserta-per-kelompok-sasaran")]
    assert groups == ["Buruh pabrik rokok", "Keluarga buruh pabrik rokok", "Buruh tani tembakau", "Pencari kerja"]


def test_every_package_group_of_the_year_has_a_row_even_with_nobody_and_cancelled_ones_none(city):
    vocations = {row["kejuruan"]: row["jumlah_peserta"] for row in rows_of(city, "peserta-per-kejuruan")}
    assert vocations == {"Barista": 0, "Menjahit": 10}
    providers = {
        row["lembaga_pelatihan"]: row["jumlah_peserta"] for row in rows_of(city, "peserta-per-lembaga-pelatihan")
    }
    assert providers == {"LPK Kosong": 0, "UPTD BLK Uji": 10}
    categories = {row["kategori"]: row["jumlah_peserta"] for row in rows_of(city, "peserta-per-kategori-paket")}
    assert categories == {"BLK Kota": 10, "Tempat LPK swasta": 0}
    packages = {
        row["kategori"]: (row["jumlah_paket_direncanakan"], row["jumlah_paket_dimulai"], row["jumlah_paket_selesai"])
        for row in rows_of(city, "realisasi-paket-per-kategori")
    }
    assert packages == {"BLK Kota": (1, 1, 1), "Tempat LPK swasta": (1, 0, 0)}  # counts of packages: exact


def test_outcomes_by_round_protected_and_rates_withheld_under_20(city):
    counts = {row["putaran_bulan"]: row for row in rows_of(city, "hasil-pelatihan-per-putaran")}
    assert list(counts) == [3, 6, 12]
    six = counts[6]
    assert six["jumlah_jatuh_tempo"] == 10  # 10 completers due
    assert six["jumlah_terjangkau"] == six["jumlah_berusaha_sendiri"] == six["jumlah_bekerja_atau_berusaha"] == 10  # 8
    assert six["jumlah_belum_ditelusuri"] == 0  # 2
    assert counts[12]["jumlah_jatuh_tempo"] == 0
    rates = {row["putaran_bulan"]: row for row in rows_of(city, "persentase-hasil-pelatihan-per-putaran")}
    assert rates[6]["persen_bekerja_atau_berusaha"] is None
    assert rates[6]["keterangan"] == "dasar kurang dari 20 orang"


def test_rates_over_20_or_more_are_published_from_the_rounded_counts(city):
    menjahit = city["menjahit"]
    more = [
        factories.EnrollmentFactory(package=menjahit, status="completed", participant__kelurahan=None)
        for _ in range(12)
    ]
    for enrollment in more[:6]:
        factories.OutcomeFactory(enrollment=enrollment, round=6, status=Outcome.Status.EMPLOYED)
    # 22 due -> 20; 14 reached -> 15 (8 in business -> 10, 6 employed -> 5, 14 working -> 15)
    (rates,) = [row for row in rows_of(city, "persentase-hasil-pelatihan-per-putaran") if row["putaran_bulan"] == 6]
    assert rates["persen_respons"] == 75.0
    assert rates["persen_bekerja_atau_berusaha"] == 75.0
    assert rates["persen_berusaha_sendiri"] == 50.0
    assert rates["keterangan"] == ""


def test_a_write_replaces_the_cached_tables(city, django_capture_on_commit_callbacks):
    before = rows_of(city, "peserta-pelatihan")[0]["jumlah_peserta"]
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(5):
            factories.EnrollmentFactory(package=city["empty"], status="enrolled", participant__kelurahan=None)
    assert rows_of(city, "peserta-pelatihan")[0]["jumlah_peserta"] == before + 5


def test_every_program_year_is_a_year_of_every_dataset(city):
    factories.ProgramFactory(fiscal_year=city["year"] + 2)  # a program with no package yet
    assert open_data.years() == [city["year"], city["year"] + 2]
    rows = open_data.dataset_rows(open_data.DATASETS["peserta-per-kecamatan"], city["today"])
    assert [row["tahun"] for row in rows] == [city["year"]] * 5 + [city["year"] + 2] * 5
    assert open_data.headline(city["year"] + 2, open_data.year_tables(city["year"] + 2, city["today"])).trained == 0
    assert Enrollment.objects.exists()
