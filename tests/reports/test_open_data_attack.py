"""The attacker's view of /data/: subtracting published counts recovers no count of 1 to 4 people.

An attacker downloads every dataset (the JSON files, as anyone can) and subtracts: any published
count from any other (across tables and years), a table's total minus any subset of its parts, a
kecamatan minus any subset of its kelurahan, one table's total against another's. None of those
differences may equal the true count (1 to 4) of any cell. And nothing large is hidden: every
true count of 5 or more is published, within 2 of the truth.

The true counts are computed here with plain ORM queries and Python (not with reports.open_data).
The same attack on the true counts does recover small counts (`test_..._attack_works_on_exact_counts`):
the attack is real, and it is the protection that stops it. Run on the demo city (seed_demo) and on
a hand-built city of small cells: kelurahan of 1 to 4 people, a kecamatan of many with a single
drop-out, one person from outside the city, small groups by sex and disability.
"""

import datetime
import io
import json
import re
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.core.management import call_command
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from participants.followups import round_due_on
from participants.models import Enrollment, Outcome, Participant
from pekalongan_training.dates import add_months
from programs.models import Kecamatan, Kelurahan, Program, TrainingPackage
from reports.open_data import BENEFICIARY_GROUP, CATEGORY, DATASET_LIST, SEX
from tests import factories

pytestmark = pytest.mark.django_db

SEATED = (Enrollment.Status.ENROLLED, Enrollment.Status.COMPLETED, Enrollment.Status.DROPPED_OUT)
COMPLETED = Enrollment.Status.COMPLETED
PEOPLE = ("jumlah_peserta", "jumlah_lulus")
BANDS = (("15-24", 15, 24), ("25-34", 25, 34), ("35-44", 35, 44), ("45-54", 45, 54), ("55+", 55, 200))
BREAKDOWN = {
    "peserta-pelatihan": (),
    "peserta-per-kecamatan": ("kode_kecamatan", "nama_kecamatan"),
    "peserta-per-kelurahan": ("kode_kelurahan", "nama_kelurahan"),
    "peserta-per-jenis-kelamin": ("jenis_kelamin",),
    "peserta-per-kelompok-umur": ("kelompok_umur",),
    "peserta-per-kelompok-sasaran": ("kelompok_sasaran",),
    "peserta-per-kategori-paket": ("kategori",),
    "peserta-per-kejuruan": ("kejuruan",),
    "peserta-per-lembaga-pelatihan": ("lembaga_pelatihan",),
    "hasil-pelatihan-per-putaran": ("putaran_bulan",),
    "persentase-hasil-pelatihan-per-putaran": ("putaran_bulan",),
    "realisasi-paket-per-kategori": ("kategori",),
}
# The tables whose rows split everyone of the year (a person in one row): their parts add up to the total.
PARTITIONS = (
    "peserta-per-kecamatan",
    "peserta-per-kelurahan",
    "peserta-per-jenis-kelamin",
    "peserta-per-kelompok-sasaran",
)
# The others: a person may be in two rows (two packages), but an attacker subtracts them all the same.
OVERLAPPING = (
    "peserta-per-kelompok-umur",
    "peserta-per-kategori-paket",
    "peserta-per-kejuruan",
    "peserta-per-lembaga-pelatihan",
)
OUTCOME_COUNTS = {
    "jumlah_berusaha_sendiri": Outcome.Status.SELF_EMPLOYED,
    "jumlah_bekerja_sebagai_karyawan": Outcome.Status.EMPLOYED,
    "jumlah_melanjutkan_pelatihan": Outcome.Status.FURTHER_TRAINING,
    "jumlah_tidak_bekerja": Outcome.Status.NOT_WORKING,
    "jumlah_tidak_dapat_dihubungi": Outcome.Status.UNREACHABLE,
}


# --- what the attacker downloads ----------------------------------------------------------------


def download_all(client) -> dict[str, list[dict]]:
    """Every dataset as anyone downloads it (the JSON file: a flat list of records)."""
    published = {}
    for dataset in DATASET_LIST:
        response = client.get(reverse("data:download", kwargs={"slug": dataset.slug, "fmt": "json"}))
        assert response.status_code == 200
        published[dataset.slug] = json.loads(response.content)
    return published


def key(slug: str, row: dict) -> tuple:
    return (row["tahun"], *(row[column] for column in BREAKDOWN[slug]))


# --- the truth, counted here --------------------------------------------------------------------


def enrollments(year: int):
    return Enrollment.objects.filter(package__cohort__program__fiscal_year=year).exclude(
        package__status=TrainingPackage.Status.CANCELLED
    )


def people(queryset) -> dict:
    return {
        "jumlah_peserta": queryset.filter(status__in=SEATED).values("participant").distinct().count(),
        "jumlah_lulus": queryset.filter(status=COMPLETED).values("participant").distinct().count(),
    }


def age_of(enrollment) -> int:
    if enrollment.age_at_enrollment is not None:
        return enrollment.age_at_enrollment
    day = enrollment.enrolled_on or enrollment.package.starts_on
    born = enrollment.participant.birth_date
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def age_bands(year: int) -> dict:
    seated, completed = defaultdict(set), defaultdict(set)
    for enrollment in enrollments(year).select_related("participant", "package"):
        age = age_of(enrollment)
        band = next((label for label, low, high in BANDS if low <= age <= high), "<15")
        if enrollment.status in SEATED:
            seated[band].add(enrollment.participant_id)
        if enrollment.status == COMPLETED:
            completed[band].add(enrollment.participant_id)
    return {band: {"jumlah_peserta": len(seated[band]), "jumlah_lulus": len(completed[band])} for band in seated}


def _where(slug: str, row: dict) -> Q:
    def area(column, path):
        return Q(**{path: row[column]}) if row[column] else Q(participant__kelurahan__isnull=True)

    sexes = {label: value for value, label in SEX.items()}
    groups = {label: value for value, label in BENEFICIARY_GROUP.items()}
    categories = {label: value for value, label in CATEGORY.items()}
    return {
        "peserta-pelatihan": lambda: Q(),
        "peserta-per-kecamatan": lambda: area("kode_kecamatan", "participant__kelurahan__kecamatan__code"),
        "peserta-per-kelurahan": lambda: area("kode_kelurahan", "participant__kelurahan__code"),
        "peserta-per-jenis-kelamin": lambda: Q(participant__sex=sexes[row["jenis_kelamin"]]),
        "peserta-per-kelompok-sasaran": lambda: Q(participant__beneficiary_group=groups[row["kelompok_sasaran"]]),
        "peserta-per-kategori-paket": lambda: Q(package__category=categories[row["kategori"]]),
        "peserta-per-kejuruan": lambda: Q(package__vocation__name=row["kejuruan"]),
        "peserta-per-lembaga-pelatihan": lambda: Q(package__provider__name=row["lembaga_pelatihan"]),
    }[slug]()


def outcome_truth(year: int, round_: int, today: datetime.date) -> dict:
    due = [
        enrollment.pk
        for enrollment in enrollments(year).filter(status=COMPLETED).select_related("package")
        if round_due_on(enrollment.package.ends_on, round_) <= today
    ]
    statuses = list(Outcome.objects.filter(enrollment__in=due, round=round_).values_list("status", flat=True))
    truth = {column: statuses.count(status) for column, status in OUTCOME_COUNTS.items()}
    truth["jumlah_jatuh_tempo"] = len(due)
    truth["jumlah_terjangkau"] = len([s for s in statuses if s != Outcome.Status.UNREACHABLE])
    truth["jumlah_bekerja_atau_berusaha"] = truth["jumlah_berusaha_sendiri"] + truth["jumlah_bekerja_sebagai_karyawan"]
    truth["jumlah_belum_ditelusuri"] = len(due) - len(statuses)
    return truth


def truth_of(published: dict, today: datetime.date) -> dict:
    """The true count of every published count-of-people cell: {(slug, key, column): n}."""
    truth, bands = {}, {}
    for slug, rows in published.items():
        for row in rows:
            year = row["tahun"]
            if slug == "peserta-per-kelompok-umur":
                if year not in bands:
                    bands[year] = age_bands(year)
                counts = bands[year].get(row["kelompok_umur"], {"jumlah_peserta": 0, "jumlah_lulus": 0})
            elif slug == "hasil-pelatihan-per-putaran":
                counts = outcome_truth(year, row["putaran_bulan"], today)
            elif slug in BREAKDOWN and slug.startswith("peserta"):
                counts = people(enrollments(year).filter(_where(slug, row)))
            else:
                continue
            for column, n in counts.items():
                truth[(slug, key(slug, row), column)] = n
    return truth


def values_of(published: dict) -> dict:
    """The published count-of-people cells: {(slug, key, column): value}."""
    cells = {}
    for slug, rows in published.items():
        if slug.startswith("peserta") or slug == "hasil-pelatihan-per-putaran":
            for row in rows:
                for column in row:
                    if column.startswith("jumlah_"):
                        cells[(slug, key(slug, row), column)] = row[column]
    return cells


# --- the attack -----------------------------------------------------------------------------------


def subset_sums(parts: list[int]) -> set[int]:
    sums = {0}
    for part in parts:
        sums |= {s + part for s in sums}
    return sums


def differences(cells: dict, kelurahan_of: dict, *, any_pair: bool = True) -> set[int]:
    """Every number the attacker can make by subtracting published counts of people."""
    found = set()
    if any_pair:
        unique = set(cells.values())
        found |= {a - b for a in unique for b in unique}  # any cell minus any other, across tables and years
    years = {cell_key[1][0] for cell_key in cells}
    for year in years:
        for column in PEOPLE:
            total = cells[("peserta-pelatihan", (year,), column)]
            table_totals = [total]
            for slug in PARTITIONS + OVERLAPPING:
                parts = [value for (s, k, c), value in cells.items() if s == slug and k[0] == year and c == column]
                found |= {total - s for s in subset_sums(parts)}  # the total minus any subset of its parts
                table_totals.append(sum(parts))
            found |= {a - b for a in table_totals for b in table_totals}  # one table's total against another's
            for kecamatan_key, kelurahan_keys in kelurahan_of.items():
                whole = cells[("peserta-per-kecamatan", (year, *kecamatan_key), column)]
                parts = [cells[("peserta-per-kelurahan", (year, *k), column)] for k in kelurahan_keys]
                found |= {whole - s for s in subset_sums(parts)}  # a kecamatan minus any of its kelurahan
        for round_ in (3, 6, 12):
            row = ("hasil-pelatihan-per-putaran", (year, round_))
            due = cells[(*row, "jumlah_jatuh_tempo")]
            parts = [cells[(*row, column)] for column in (*OUTCOME_COUNTS, "jumlah_belum_ditelusuri")]
            found |= {due - s for s in subset_sums(parts)}  # those due minus any of their statuses
    return found


def kelurahan_by_kecamatan() -> dict:
    grouped = defaultdict(list)
    for place in Kelurahan.objects.select_related("kecamatan"):
        grouped[(place.kecamatan.code, place.kecamatan.name)].append((place.code, place.name))
    return grouped


def small(truth: dict) -> dict:
    return {cell: n for cell, n in truth.items() if 1 <= n <= 4}


def play_the_attacker(client, today: datetime.date) -> dict:
    """Every check on the published files; returns the true small cells (to show the test has some)."""
    published = download_all(client)
    cells, truth = values_of(published), truth_of(published, today)
    assert cells.keys() == truth.keys()

    # No large count hidden; every count within 2 of the truth, a multiple of 5, the same rule everywhere.
    for cell, n in truth.items():
        value = cells[cell]
        assert value is not None, cell
        assert value % 5 == 0 and abs(value - n) <= 2, (cell, n, value)
        assert value == 5 * round(n / 5), (cell, n, value)

    # No subtraction gives the true count of a small cell.
    secrets = small(truth)
    made = differences(cells, kelurahan_by_kecamatan())
    revealed = {cell: n for cell, n in secrets.items() if n in made}
    assert not revealed, revealed

    # Rates only from the rounded counts, withheld under 20 with the reason.
    counts = {key("hasil-pelatihan-per-putaran", row): row for row in published["hasil-pelatihan-per-putaran"]}
    for row in published["persentase-hasil-pelatihan-per-putaran"]:
        base = counts[key("persentase-hasil-pelatihan-per-putaran", row)]
        due = base["jumlah_jatuh_tempo"]
        for rate, numerator in (
            ("persen_respons", "jumlah_terjangkau"),
            ("persen_bekerja_atau_berusaha", "jumlah_bekerja_atau_berusaha"),
            ("persen_berusaha_sendiri", "jumlah_berusaha_sendiri"),
        ):
            if due < 20:
                assert row[rate] is None and row["keterangan"] == "dasar kurang dari 20 orang"
            else:
                expected = Decimal(100 * base[numerator]) / Decimal(due)
                assert row[rate] == float(expected.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))
                assert row["keterangan"] == ""

    # Packages are not people: published exactly.
    for row in published["realisasi-paket-per-kategori"]:
        category = {label: value for value, label in CATEGORY.items()}[row["kategori"]]
        packages = TrainingPackage.objects.filter(cohort__program__fiscal_year=row["tahun"], category=category).exclude(
            status=TrainingPackage.Status.CANCELLED
        )
        assert row["jumlah_paket_direncanakan"] == packages.count()
        assert row["jumlah_paket_dimulai"] == packages.filter(status__in=["running", "completed"]).count()
        assert row["jumlah_paket_selesai"] == packages.filter(status="completed").count()
    return {"published": published, "truth": truth, "secrets": secrets}


def exact_attack_reveals(result) -> dict:
    """The same attack on the true counts (as an unprotected file would give them): what it reveals."""
    made = differences(result["truth"], kelurahan_by_kecamatan(), any_pair=False)
    # Only the subtractions that mean something (a total minus its other parts), not chance pairs.
    return {cell: n for cell, n in result["secrets"].items() if n in made}


# --- the hand-built city of small cells ---------------------------------------------------------


def small_city(today: datetime.date) -> dict:
    """A program year that ended long enough ago for the 6-month round, full of small cells."""
    year = add_months(today, -9).year
    program = factories.ProgramFactory(fiscal_year=year)
    cohort = factories.CohortFactory(
        program=program,
        registration_opens=add_months(today, -10),
        registration_closes=add_months(today, -10),
        starts_on=add_months(today, -9),
        ends_on=add_months(today, -7),
    )

    def package(category, vocation, provider, status="completed"):
        return factories.TrainingPackageFactory(
            cohort=cohort,
            category=category,
            vocation=factories.VocationFactory(name=vocation),
            provider=provider,
            status=status,
            starts_on=add_months(today, -9),
            ends_on=add_months(today, -7),
        )

    blk = factories.ProviderFactory(name="UPTD BLK Uji")
    tiny = factories.ProviderFactory(name="LPK Dua Orang")
    big = package("blk", "Menjahit", blk)
    kelurahan_class = package("kelurahan", "Barista", blk)
    lonely = package("lpk", "Servis AC", tiny)  # a vocation and a provider of two people
    cancelled = package("blk", "Batik", blk, status="cancelled")
    serial = iter(range(1, 10_000))

    def person(kelurahan_code, *, sex="F", born=datetime.date(1999, 3, 4), disability=False, group="job_seeker"):
        kelurahan = Kelurahan.objects.get(code=kelurahan_code) if kelurahan_code else None
        return factories.ParticipantFactory(
            kelurahan=kelurahan,
            sex=sex,
            birth_date=born,
            has_disability=disability,
            beneficiary_group=group,
            nik=factories.make_nik(sex=sex, birth_date=born, serial=next(serial)),
            full_name=f"Rahasia Orang {next(serial)}",
            phone=f"0812{next(serial):08d}",
        )

    def enroll(who, where, status="completed"):
        return factories.EnrollmentFactory(
            participant=who, package=where, status=status, enrolled_on=where.starts_on - datetime.timedelta(days=7)
        )

    completers = []
    # Pekalongan Barat: kelurahan of 1, 2, 3 and 4 people.
    for code, n in (("33.75.01.1002", 1), ("33.75.01.1003", 2), ("33.75.01.1004", 3), ("33.75.01.1006", 4)):
        for _ in range(n):
            completers.append(enroll(person(code), kelurahan_class))
    # Pekalongan Timur: many people, a single drop-out among them; two men, three with a disability.
    for index in range(37):
        who = person(
            "33.75.02.1004" if index % 2 else "33.75.02.1007",
            sex="M" if index < 2 else "F",
            disability=index in (5, 6, 7),
            group="factory_worker" if index == 8 else "job_seeker",
            born=datetime.date(1965, 1, 1) if index == 9 else datetime.date(1999, 3, 4),
        )
        completers.append(enroll(who, big, status="dropped_out" if index == 10 else "completed"))
    # One person from outside the city, and two in the lonely vocation (one of them trained twice).
    outsider = person(None)
    completers.append(enroll(outsider, big))
    twice = person("33.75.03.1002")
    completers.append(enroll(twice, lonely))
    completers.append(enroll(twice, big))
    completers.append(enroll(person("33.75.04.1002", sex="M"), lonely))
    # Not counted: a rejected applicant, and people in a cancelled package.
    enroll(person("33.75.04.1003"), big, status="rejected")
    for _ in range(3):
        enroll(person("33.75.04.1004"), cancelled, status="enrolled")

    # Follow-ups: mostly in business, a few small groups of other answers.
    completed = [e for e in completers if e.status == COMPLETED]
    answers = [Outcome.Status.FURTHER_TRAINING] + [Outcome.Status.UNREACHABLE] * 2 + [Outcome.Status.EMPLOYED] * 3
    for round_ in (3, 6):
        for index, enrollment in enumerate(completed[: len(completed) - 4 + round_ // 3]):
            status = answers[index] if index < len(answers) else Outcome.Status.SELF_EMPLOYED
            factories.OutcomeFactory(enrollment=enrollment, round=round_, status=status, recorded_on=today)
    # A second, small year: three people in all.
    later = factories.ProgramFactory(fiscal_year=year + 1)
    later_package = factories.TrainingPackageFactory(
        cohort=factories.CohortFactory(program=later), status="running", category="blk", provider=blk
    )
    for code in ("33.75.01.1009", "33.75.01.1009", None):
        enroll(person(code), later_package, status="enrolled")
    return {"year": year}


def test_the_small_city_gives_away_no_count_of_1_to_4(client):
    today = timezone.localdate()
    small_city(today)

    result = play_the_attacker(client, today)

    secrets = result["secrets"]
    assert len(secrets) >= 30  # kelurahan of 1-4, the outsider, two men, a drop-out, small statuses...
    by_table = {slug for slug, _key, _column in secrets}
    assert {"peserta-per-kelurahan", "peserta-per-kecamatan", "peserta-per-jenis-kelamin"} <= by_table
    assert {"peserta-per-kejuruan", "peserta-per-lembaga-pelatihan", "hasil-pelatihan-per-putaran"} <= by_table
    # The original issue's example: the whole city minus its four kecamatan gave the outsider away.
    year = Program.objects.order_by("fiscal_year").first().fiscal_year
    outside = ("peserta-per-kecamatan", (year, "", "Luar Kota Pekalongan"), "jumlah_peserta")
    assert result["truth"][outside] == 1
    (total,) = [row for row in result["published"]["peserta-pelatihan"] if row["tahun"] == year]
    difference = total["jumlah_peserta"] - sum(
        row["jumlah_peserta"]
        for row in result["published"]["peserta-per-kecamatan"]
        if row["tahun"] == year and row["kode_kecamatan"]
    )
    assert difference % 5 == 0 and difference != 1


def test_the_same_attack_works_on_exact_counts(client):
    """Without the rounding, subtraction gives the small counts away: the attack above can fail."""
    today = timezone.localdate()
    small_city(today)

    revealed = exact_attack_reveals(play_the_attacker(client, today))

    year = Program.objects.order_by("fiscal_year").first().fiscal_year
    assert ("peserta-per-kecamatan", (year, "", "Luar Kota Pekalongan"), "jumlah_peserta") in revealed
    assert ("peserta-per-kelurahan", (year, "33.75.01.1002", "Medono"), "jumlah_peserta") in revealed
    assert len(revealed) >= 20


def test_disability_is_in_no_table(client):
    """Who has a disability is published nowhere (no table is split by it), so it cannot be subtracted."""
    small_city(timezone.localdate())
    for slug, rows in download_all(client).items():
        for row in rows:
            assert not any("disabilitas" in column for column in row), slug


# --- the demo city --------------------------------------------------------------------------------


def _files_and_pages(client) -> list[str]:
    """Every published file and page, as text."""
    texts = []
    for url in [reverse("data:index"), reverse("data:catalog"), reverse("data:results")]:
        texts.append(client.get(url).content.decode())
    for year in Program.objects.values_list("fiscal_year", flat=True).distinct():
        texts.append(client.get(reverse("data:results-year", kwargs={"year": year})).content.decode())
    for dataset in DATASET_LIST:
        texts.append(client.get(reverse("data:dataset", kwargs={"slug": dataset.slug})).content.decode())
        texts.append(client.get(reverse("data:metadata", kwargs={"slug": dataset.slug})).content.decode())
        for fmt in ("csv", "json"):
            texts.append(
                client.get(reverse("data:download", kwargs={"slug": dataset.slug, "fmt": fmt})).content.decode()
            )
        workbook = load_workbook(
            io.BytesIO(client.get(reverse("data:download", kwargs={"slug": dataset.slug, "fmt": "xlsx"})).content)
        )
        texts.append(
            "\n".join(
                "\t".join("" if value is None else str(value) for value in row)
                for sheet in workbook
                for row in sheet.iter_rows(values_only=True)
            )
        )
    return texts


def test_the_demo_city_gives_away_no_count_of_1_to_4_and_no_person(client):
    call_command("seed_demo", password="demo-password-123", stdout=io.StringIO())
    today = timezone.localdate()
    assert Kecamatan.objects.count() == 4

    result = play_the_attacker(client, today)
    assert result["secrets"]  # the demo city has small cells too

    text = "\n".join(_files_and_pages(client))
    digits = re.sub(r"\D", " ", text)
    people = list(Participant.objects.values_list("nik", "full_name", "phone"))
    assert len(people) > 500
    for nik, name, phone in people:
        assert nik not in digits
        assert not re.search(rf"(?<!\w){re.escape(name)}(?!\w)", text, flags=re.IGNORECASE), name
        if phone:
            national = re.sub(r"\D", "", phone)
            assert national not in digits and "62" + national[1:] not in digits, phone
