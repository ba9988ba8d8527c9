"""The open data: a fixed set of tables per program year, in Satu Data Indonesia's flat shape.

Anyone may download these (/data/, reports/data_views.py), so every count of people in them is
protected by reports.disclosure (rounded to a multiple of 5, the same rule in every table; rates
from the rounded counts, withheld under 20). The exact figures stay on the officials' dashboard.
Nothing here is computed from a selection a visitor makes: the tables are fixed, one row per group
per year, and the rows a table has never depend on how many people are in them (every kecamatan
and kelurahan, both sexes, every age band and beneficiary group; every category, vocation and
provider with a package that year), so a missing row cannot tell a small group from none.

A dataset is one table over every year (`DATASETS`, by slug); its columns, in this order:

    kode_provinsi, nama_provinsi, kode_kabupaten_kota, nama_kabupaten_kota,
    [kode_kecamatan, nama_kecamatan, [kode_kelurahan, nama_kelurahan]] | the breakdown column,
    the measures, [keterangan], satuan, tahun

Region codes are Kemendagri's as the records keep them (programs.Kecamatan/Kelurahan: 33.75.01,
33.75.01.1002); people living outside the city are a row of their own ("Luar Kota Pekalongan",
codes empty). Labels are Indonesian always: open data is not translated per request.

The definitions follow reports/indicators.py (DESIGN.md, "Indicators"): people trained
(jumlah_peserta) are distinct people with an enrollment enrolled, completed or dropped out;
completers (jumlah_lulus) distinct people with a completed one; cancelled packages left out;
outcomes per follow-up round as indicators.outcomes counts them (enrollments of completers due).

Each year's tables are computed once (a fixed number of aggregate queries) and kept with
reports.caching.cached under the data version and the day (the follow-up rounds due depend on
it), so a write the dashboard counts shows here too at the next request.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q
from django.db.models.functions import Coalesce

from participants.models import Enrollment, Outcome, Participant
from programs.models import Kelurahan, Program, TrainingPackage
from reports import indicators
from reports.caching import cached
from reports.disclosure import protect_count, protected_rate, rate_note

CACHE_SECONDS = 6 * 3600
TABLES_FORMAT = 1  # raise when the shape of the cached tables changes

REGION = {
    "kode_provinsi": "33",
    "nama_provinsi": "JAWA TENGAH",
    "kode_kabupaten_kota": "3375",
    "nama_kabupaten_kota": "KOTA PEKALONGAN",
}
OUTSIDE = "Luar Kota Pekalongan"
SOURCE = "Dinperinaker Kota Pekalongan, sistem pelatihan kerja"
FREQUENCY = "Tahunan"
LICENSE = "https://creativecommons.org/licenses/by/4.0/"
PROTECTION = (
    "Setiap jumlah orang dibulatkan ke kelipatan 5 terdekat (0 tetap 0; 1-2 menjadi 0; 3-7 menjadi 5; "
    "8-12 menjadi 10; dan seterusnya), dengan aturan yang sama di setiap tabel dan setiap tahun. Karena "
    "itu jumlah atau selisih angka mana pun selalu kelipatan 5 dan tidak dapat mengungkap kelompok 1 "
    "sampai 4 orang, sedangkan setiap angka paling jauh 2 dari angka sebenarnya; jumlah baris dapat "
    "sedikit berbeda dari totalnya. Persentase dihitung dari angka yang sudah dibulatkan dan tidak "
    "diterbitkan (kosong, dengan keterangan) bila dasarnya kurang dari 20 orang. Jumlah paket bukan "
    "jumlah orang dan diterbitkan apa adanya."
)

PEOPLE, PACKAGES, PERCENT = "orang", "paket", "persen"

# Indonesian labels for the stored choices (the files do not follow the visitor's language).
SEX = {Participant.Sex.MALE: "Laki-laki", Participant.Sex.FEMALE: "Perempuan"}
BENEFICIARY_GROUP = {
    Participant.BeneficiaryGroup.FACTORY_WORKER: "Buruh pabrik rokok",
    Participant.BeneficiaryGroup.FACTORY_WORKER_FAMILY: "Keluarga buruh pabrik rokok",
    Participant.BeneficiaryGroup.TOBACCO_FARM_WORKER: "Buruh tani tembakau",
    Participant.BeneficiaryGroup.JOB_SEEKER: "Pencari kerja",
}
CATEGORY = {
    TrainingPackage.Category.KELURAHAN: "Kelurahan (LPK swasta di kelurahan)",
    TrainingPackage.Category.FACTORY_WORKERS: "Buruh pabrik rokok",
    TrainingPackage.Category.BLK: "BLK Kota",
    TrainingPackage.Category.LPK: "Tempat LPK swasta",
    TrainingPackage.Category.BLK_COMMUNITY: "BLK Komunitas",
}
UNDER_15 = "<15"  # indicators' age band for anyone younger (or of unknown age)
AGE_BANDS = (UNDER_15, *(label for label, _low, _high in indicators.AGE_BANDS))


@dataclass(frozen=True)
class Measure:
    """A measure column, with its metadata after BPS's MS-Ind (Metadata Statistik Indikator)."""

    column: str
    name: str
    definition: str
    formula: str
    unit: str

    @property
    def size(self) -> str:
        """MS-Ind's "ukuran"."""
        return "Persentase" if self.unit == PERCENT else "Jumlah"


@dataclass(frozen=True)
class Dataset:
    slug: str
    title: str
    description: str
    concept: str
    breakdown: tuple[str, ...]  # the columns between the region's and the measures
    presentation: str  # MS-Ind's "klasifikasi penyajian": by what the rows are split
    measures: tuple[Measure, ...]
    unit: str
    keywords: tuple[str, ...]
    notes: bool = False  # a keterangan column: why a rate is withheld

    @property
    def columns(self) -> list[str]:
        return [
            *REGION,
            *self.breakdown,
            *(m.column for m in self.measures),
            *(["keterangan"] if self.notes else []),
            "satuan",
            "tahun",
        ]


ROUNDING_NOTE = "; dibulatkan ke kelipatan 5 terdekat"
PEOPLE_CONCEPT = (
    "Pelatihan kerja (pelatihan keterampilan) yang diselenggarakan Dinperinaker Kota Pekalongan dalam "
    "paket pelatihan: satu kelas satu kejuruan oleh satu lembaga pelatihan, dibiayai terutama dari DBHCHT "
    "dan APBD. Tahun adalah tahun anggaran program; paket yang dibatalkan tidak dihitung."
)
TRAINED = Measure(
    "jumlah_peserta",
    "Jumlah peserta pelatihan",
    "Banyaknya orang yang mengikuti paket pelatihan pada tahun program: sedang ikut, sudah lulus, atau "
    "keluar sebelum selesai. Setiap orang dihitung satu kali menurut NIK. Pendaftar yang tidak diterima, "
    "masih menunggu, atau mundur sebelum pelatihan mulai tidak dihitung.",
    "Banyaknya NIK berbeda dengan status peserta, lulus, atau keluar" + ROUNDING_NOTE,
    PEOPLE,
)
COMPLETERS = Measure(
    "jumlah_lulus",
    "Jumlah lulusan pelatihan",
    "Banyaknya orang yang menyelesaikan paket pelatihan pada tahun program (memenuhi kehadiran minimal "
    "paket dan dinyatakan lulus). Setiap orang dihitung satu kali menurut NIK.",
    "Banyaknya NIK berbeda dengan status lulus" + ROUNDING_NOTE,
    PEOPLE,
)
PEOPLE_MEASURES = (TRAINED, COMPLETERS)
DUE = "jumlah_jatuh_tempo"


def _outcome(column, name, definition, formula):
    return Measure(column, name, definition, formula + ROUNDING_NOTE, PEOPLE)


OUTCOME_MEASURES = (
    _outcome(
        DUE,
        "Lulusan yang sudah waktunya ditelusuri",
        "Lulusan yang paketnya berakhir sekurang-kurangnya sekian bulan (putaran_bulan) sebelum tanggal "
        "data, sehingga sudah waktunya ditanya tentang pekerjaannya. Dihitung per keikutsertaan: orang "
        "yang lulus dua paket dihitung dua kali.",
        "Banyaknya keikutsertaan berstatus lulus yang paketnya berakhir paling lambat putaran_bulan bulan "
        "sebelum tanggal data",
    ),
    _outcome(
        "jumlah_terjangkau",
        "Lulusan yang memberi jawaban",
        "Lulusan yang sudah waktunya ditelusuri dan memberi jawaban pada putaran itu.",
        "Banyaknya lulusan jatuh tempo dengan hasil penelusuran selain 'tidak dapat dihubungi'",
    ),
    _outcome(
        "jumlah_bekerja_atau_berusaha",
        "Lulusan yang bekerja atau berusaha sendiri",
        "Lulusan yang sudah waktunya ditelusuri dan pada putaran itu berusaha sendiri atau bekerja sebagai "
        "buruh/karyawan/pegawai.",
        "Banyaknya lulusan jatuh tempo dengan hasil 'berusaha sendiri' atau 'bekerja'",
    ),
    _outcome(
        "jumlah_berusaha_sendiri",
        "Lulusan yang berusaha sendiri",
        "Lulusan yang sudah waktunya ditelusuri dan pada putaran itu menjalankan usaha sendiri.",
        "Banyaknya lulusan jatuh tempo dengan hasil 'berusaha sendiri'",
    ),
    _outcome(
        "jumlah_bekerja_sebagai_karyawan",
        "Lulusan yang bekerja sebagai buruh/karyawan/pegawai",
        "Lulusan yang sudah waktunya ditelusuri dan pada putaran itu bekerja pada orang lain atau perusahaan.",
        "Banyaknya lulusan jatuh tempo dengan hasil 'bekerja'",
    ),
    _outcome(
        "jumlah_melanjutkan_pelatihan",
        "Lulusan yang melanjutkan pelatihan atau pendidikan",
        "Lulusan yang sudah waktunya ditelusuri dan pada putaran itu mengikuti pelatihan atau pendidikan lanjutan.",
        "Banyaknya lulusan jatuh tempo dengan hasil 'melanjutkan pelatihan atau pendidikan'",
    ),
    _outcome(
        "jumlah_tidak_bekerja",
        "Lulusan yang tidak bekerja",
        "Lulusan yang sudah waktunya ditelusuri dan pada putaran itu tidak bekerja.",
        "Banyaknya lulusan jatuh tempo dengan hasil 'tidak bekerja'",
    ),
    _outcome(
        "jumlah_tidak_dapat_dihubungi",
        "Lulusan yang tidak dapat dihubungi",
        "Lulusan yang sudah waktunya ditelusuri tetapi tidak dapat dihubungi pada putaran itu.",
        "Banyaknya lulusan jatuh tempo dengan hasil 'tidak dapat dihubungi'",
    ),
    _outcome(
        "jumlah_belum_ditelusuri",
        "Lulusan yang belum ditelusuri",
        "Lulusan yang sudah waktunya ditelusuri tetapi belum ada hasil penelusuran pada putaran itu.",
        "jumlah_jatuh_tempo dikurangi lulusan yang sudah memiliki hasil penelusuran putaran itu",
    ),
)
RATE_FORMULA = (
    " x 100, keduanya setelah dibulatkan ke kelipatan 5; tidak diterbitkan bila jumlah_jatuh_tempo "
    "yang dibulatkan kurang dari 20"
)
RATE_MEASURES = (
    Measure(
        "persen_respons",
        "Tingkat respons penelusuran",
        "Bagian lulusan yang sudah waktunya ditelusuri yang memberi jawaban. Selalu dibaca bersama dua "
        "persentase lain: makin rendah respons, makin kurang pasti hasilnya.",
        "jumlah_terjangkau / jumlah_jatuh_tempo" + RATE_FORMULA,
        PERCENT,
    ),
    Measure(
        "persen_bekerja_atau_berusaha",
        "Persentase lulusan yang bekerja atau berusaha sendiri",
        "Bagian lulusan yang sudah waktunya ditelusuri yang berusaha sendiri atau bekerja. Penyebutnya "
        "semua lulusan yang sudah waktunya ditelusuri, termasuk yang tidak menjawab.",
        "jumlah_bekerja_atau_berusaha / jumlah_jatuh_tempo" + RATE_FORMULA,
        PERCENT,
    ),
    Measure(
        "persen_berusaha_sendiri",
        "Persentase lulusan yang berusaha sendiri",
        "Bagian lulusan yang sudah waktunya ditelusuri yang menjalankan usaha sendiri. Penyebutnya semua "
        "lulusan yang sudah waktunya ditelusuri, termasuk yang tidak menjawab.",
        "jumlah_berusaha_sendiri / jumlah_jatuh_tempo" + RATE_FORMULA,
        PERCENT,
    ),
)
PACKAGE_MEASURES = (
    Measure(
        "jumlah_paket_direncanakan",
        "Jumlah paket pelatihan yang direncanakan",
        "Paket pelatihan tahun program yang tidak dibatalkan.",
        "Banyaknya paket dengan status selain 'dibatalkan'",
        PACKAGES,
    ),
    Measure(
        "jumlah_paket_dimulai",
        "Jumlah paket pelatihan yang sudah dimulai",
        "Paket pelatihan tahun program yang sedang berjalan atau sudah selesai.",
        "Banyaknya paket dengan status 'berjalan' atau 'selesai'",
        PACKAGES,
    ),
    Measure(
        "jumlah_paket_selesai",
        "Jumlah paket pelatihan yang sudah selesai",
        "Paket pelatihan tahun program yang sudah selesai.",
        "Banyaknya paket dengan status 'selesai'",
        PACKAGES,
    ),
)
OUTCOME_CONCEPT = (
    "Penelusuran lulusan (tracer): lulusan ditanya tentang pekerjaannya 3, 6, dan 12 bulan setelah paketnya "
    "berakhir, lewat tautan pribadi atau telepon dari dinas. Tahun adalah tahun program pelatihannya."
)
KEYWORDS = ("pelatihan kerja", "ketenagakerjaan", "Kota Pekalongan", "Dinperinaker")


def _people_dataset(slug, title, description, breakdown, presentation, keywords=()):
    return Dataset(
        slug=slug,
        title=title,
        description=description,
        concept=PEOPLE_CONCEPT,
        breakdown=breakdown,
        presentation=presentation,
        measures=PEOPLE_MEASURES,
        unit=PEOPLE,
        keywords=(*KEYWORDS, "peserta pelatihan", *keywords),
    )


KECAMATAN_COLUMNS = ("kode_kecamatan", "nama_kecamatan")
KELURAHAN_COLUMNS = (*KECAMATAN_COLUMNS, "kode_kelurahan", "nama_kelurahan")

DATASET_LIST = (
    _people_dataset(
        "peserta-pelatihan",
        "Jumlah Peserta dan Lulusan Pelatihan Kerja",
        "Jumlah orang yang mengikuti dan yang lulus pelatihan kerja Dinperinaker Kota Pekalongan per tahun.",
        (),
        "Tahun",
    ),
    _people_dataset(
        "peserta-per-kecamatan",
        "Jumlah Peserta dan Lulusan Pelatihan Kerja Berdasarkan Kecamatan Domisili",
        "Jumlah orang yang mengikuti dan yang lulus pelatihan kerja menurut kecamatan tempat tinggalnya, "
        "per tahun; warga luar kota satu baris tersendiri.",
        KECAMATAN_COLUMNS,
        "Kecamatan domisili peserta",
        ("kecamatan",),
    ),
    _people_dataset(
        "peserta-per-kelurahan",
        "Jumlah Peserta dan Lulusan Pelatihan Kerja Berdasarkan Kelurahan Domisili",
        "Jumlah orang yang mengikuti dan yang lulus pelatihan kerja menurut kelurahan tempat tinggalnya "
        "(dengan kecamatannya), per tahun; warga luar kota satu baris tersendiri.",
        KELURAHAN_COLUMNS,
        "Kelurahan domisili peserta",
        ("kelurahan",),
    ),
    _people_dataset(
        "peserta-per-jenis-kelamin",
        "Jumlah Peserta dan Lulusan Pelatihan Kerja Berdasarkan Jenis Kelamin",
        "Jumlah orang yang mengikuti dan yang lulus pelatihan kerja menurut jenis kelamin, per tahun.",
        ("jenis_kelamin",),
        "Jenis kelamin",
        ("gender",),
    ),
    _people_dataset(
        "peserta-per-kelompok-umur",
        "Jumlah Peserta dan Lulusan Pelatihan Kerja Berdasarkan Kelompok Umur",
        "Jumlah orang yang mengikuti dan yang lulus pelatihan kerja menurut kelompok umur saat mendaftar, "
        "per tahun. Orang yang ikut dua paket pada umur berbeda dapat masuk dua kelompok.",
        ("kelompok_umur",),
        "Kelompok umur saat pendaftaran (<15, 15-24, 25-34, 35-44, 45-54, 55+)",
        ("umur",),
    ),
    _people_dataset(
        "peserta-per-kelompok-sasaran",
        "Jumlah Peserta dan Lulusan Pelatihan Kerja Berdasarkan Kelompok Sasaran DBHCHT",
        "Jumlah orang yang mengikuti dan yang lulus pelatihan kerja menurut kelompok sasaran (buruh pabrik "
        "rokok, keluarganya, buruh tani tembakau, pencari kerja), per tahun.",
        ("kelompok_sasaran",),
        "Kelompok sasaran penerima manfaat DBHCHT",
        ("DBHCHT", "buruh pabrik rokok"),
    ),
    _people_dataset(
        "peserta-per-kategori-paket",
        "Jumlah Peserta dan Lulusan Pelatihan Kerja Berdasarkan Kategori Paket",
        "Jumlah orang yang mengikuti dan yang lulus pelatihan kerja menurut kategori paket (kelurahan, buruh "
        "pabrik rokok, BLK, LPK, BLK komunitas), per tahun. Orang yang ikut paket dari dua kategori "
        "dihitung di keduanya.",
        ("kategori",),
        "Kategori paket pelatihan",
        ("BLK", "LPK"),
    ),
    _people_dataset(
        "peserta-per-kejuruan",
        "Jumlah Peserta dan Lulusan Pelatihan Kerja Berdasarkan Kejuruan",
        "Jumlah orang yang mengikuti dan yang lulus pelatihan kerja menurut kejuruan, per tahun.",
        ("kejuruan",),
        "Kejuruan",
        ("kejuruan",),
    ),
    _people_dataset(
        "peserta-per-lembaga-pelatihan",
        "Jumlah Peserta dan Lulusan Pelatihan Kerja Berdasarkan Lembaga Pelatihan",
        "Jumlah orang yang mengikuti dan yang lulus pelatihan kerja menurut lembaga pelatihan (BLK atau LPK) "
        "yang menyelenggarakan paketnya, per tahun.",
        ("lembaga_pelatihan",),
        "Lembaga pelatihan penyelenggara",
        ("lembaga pelatihan", "LPK"),
    ),
    Dataset(
        slug="hasil-pelatihan-per-putaran",
        title="Hasil Penelusuran Lulusan Pelatihan Kerja Berdasarkan Putaran",
        description="Apa yang dikerjakan lulusan pelatihan kerja 3, 6, dan 12 bulan setelah pelatihannya: "
        "jumlah yang sudah waktunya ditelusuri, yang menjawab, yang bekerja atau berusaha, per tahun program.",
        concept=OUTCOME_CONCEPT,
        breakdown=("putaran_bulan",),
        presentation="Putaran penelusuran (bulan setelah paket berakhir: 3, 6, 12)",
        measures=OUTCOME_MEASURES,
        unit=PEOPLE,
        keywords=(*KEYWORDS, "penelusuran lulusan", "tracer study"),
    ),
    Dataset(
        slug="persentase-hasil-pelatihan-per-putaran",
        title="Persentase Lulusan Pelatihan Kerja yang Bekerja atau Berusaha Berdasarkan Putaran",
        description="Persentase lulusan yang bekerja atau berusaha sendiri 3, 6, dan 12 bulan setelah "
        "pelatihannya, dengan tingkat respons penelusuran, per tahun program.",
        concept=OUTCOME_CONCEPT,
        breakdown=("putaran_bulan",),
        presentation="Putaran penelusuran (bulan setelah paket berakhir: 3, 6, 12)",
        measures=RATE_MEASURES,
        unit=PERCENT,
        keywords=(*KEYWORDS, "penelusuran lulusan", "tracer study"),
        notes=True,
    ),
    Dataset(
        slug="realisasi-paket-per-kategori",
        title="Realisasi Paket Pelatihan Kerja Berdasarkan Kategori",
        description="Jumlah paket pelatihan kerja yang direncanakan, sudah dimulai, dan sudah selesai "
        "menurut kategori paket, per tahun program.",
        concept="Paket pelatihan: satu kelas satu kejuruan oleh satu lembaga pelatihan untuk kuota peserta "
        "tertentu. Tahun adalah tahun anggaran program.",
        breakdown=("kategori",),
        presentation="Kategori paket pelatihan",
        measures=PACKAGE_MEASURES,
        unit=PACKAGES,
        keywords=(*KEYWORDS, "realisasi", "paket pelatihan"),
    ),
)
DATASETS = {dataset.slug: dataset for dataset in DATASET_LIST}


# --- computing one year's tables ----------------------------------------------------------------


def _people(queryset, path: str, via: str = "") -> dict:
    """True (enrolled, completers) per value of `path`: distinct people, as indicators.headcounts.

    `via` is the path from the queryset's model to Enrollment ("enrollments__" from packages).
    """
    seated = Q(**{f"{via}status__in": Enrollment.SEAT_STATUSES})
    completed = Q(**{f"{via}status": Enrollment.Status.COMPLETED})
    rows = (
        queryset.values(path)
        .annotate(
            enrolled=Count(f"{via}participant", distinct=True, filter=seated),
            completers=Count(f"{via}participant", distinct=True, filter=completed),
        )
        .order_by()
    )
    return {row[path]: (row["enrolled"], row["completers"]) for row in rows}


def _people_row(year: int, breakdown: dict, counts: tuple[int, int]) -> dict:
    enrolled, completers = counts
    return {
        **REGION,
        **breakdown,
        "jumlah_peserta": protect_count(enrolled),
        "jumlah_lulus": protect_count(completers),
        "satuan": PEOPLE,
        "tahun": year,
    }


def _domicile(f: indicators.Filters, year: int) -> dict:
    """The year's total, by kecamatan and by kelurahan, from one query by kelurahan.

    A person lives in one kelurahan (or outside the city), so the kecamatan and the year's counts of
    distinct people are exact sums of the kelurahan's.
    """
    counts = _people(f.enrollments(), "participant__kelurahan")
    kelurahan = list(Kelurahan.objects.select_related("kecamatan").order_by("code"))
    outside = counts.get(None, (0, 0))
    total = tuple(sum(values) for values in zip(*counts.values(), strict=True)) or (0, 0)
    by_kecamatan, kecamatan_names = {}, {}
    for place in kelurahan:
        code = place.kecamatan.code
        kecamatan_names[code] = place.kecamatan.name
        sums = by_kecamatan.get(code, (0, 0))
        by_kecamatan[code] = tuple(a + b for a, b in zip(sums, counts.get(place.pk, (0, 0)), strict=True))
    outside_area = {"kode_kecamatan": "", "nama_kecamatan": OUTSIDE}
    return {
        "peserta-pelatihan": [_people_row(year, {}, total)],
        "peserta-per-kecamatan": [
            *(
                _people_row(year, {"kode_kecamatan": code, "nama_kecamatan": kecamatan_names[code]}, values)
                for code, values in by_kecamatan.items()
            ),
            _people_row(year, outside_area, outside),
        ],
        "peserta-per-kelurahan": [
            *(
                _people_row(
                    year,
                    {
                        "kode_kecamatan": place.kecamatan.code,
                        "nama_kecamatan": place.kecamatan.name,
                        "kode_kelurahan": place.code,
                        "nama_kelurahan": place.name,
                    },
                    counts.get(place.pk, (0, 0)),
                )
                for place in kelurahan
            ),
            _people_row(year, {**outside_area, "kode_kelurahan": "", "nama_kelurahan": OUTSIDE}, outside),
        ],
    }


def _age_bands(f: indicators.Filters) -> dict:
    """People by age band at enrollment, banded in the database as the dashboard bands them."""
    annotations, age, band = indicators._age_band()
    banded = (
        f.enrollments()
        .annotate(enrolled_day=Coalesce("enrolled_on", "package__starts_on"))
        .annotate(**annotations)
        .annotate(age=age)
        .annotate(age_band=band)
    )
    return _people(banded, "age_band")


def _by_person(f: indicators.Filters, year: int) -> dict:
    sex = _people(f.enrollments(), "participant__sex")
    group = _people(f.enrollments(), "participant__beneficiary_group")
    age = _age_bands(f)
    return {
        "peserta-per-jenis-kelamin": [
            _people_row(year, {"jenis_kelamin": label}, sex.get(value, (0, 0))) for value, label in SEX.items()
        ],
        "peserta-per-kelompok-umur": [
            _people_row(year, {"kelompok_umur": band}, age.get(band, (0, 0))) for band in AGE_BANDS
        ],
        "peserta-per-kelompok-sasaran": [
            _people_row(year, {"kelompok_sasaran": label}, group.get(value, (0, 0)))
            for value, label in BENEFICIARY_GROUP.items()
        ],
    }


def _by_package(f: indicators.Filters, year: int) -> dict:
    """By category, vocation and provider: every one with a package that year, counted from its packages."""
    packages = f.packages()
    category = _people(packages, "category", via="enrollments__")
    vocation = _people(packages, "vocation__name", via="enrollments__")
    provider = _people(packages, "provider__name", via="enrollments__")
    return {
        "peserta-per-kategori-paket": [
            _people_row(year, {"kategori": label}, category[value])
            for value, label in CATEGORY.items()
            if value in category
        ],
        "peserta-per-kejuruan": [
            _people_row(year, {"kejuruan": name}, vocation[name]) for name in sorted(vocation, key=str.casefold)
        ],
        "peserta-per-lembaga-pelatihan": [
            _people_row(year, {"lembaga_pelatihan": name}, provider[name])
            for name in sorted(provider, key=str.casefold)
        ],
    }


def _outcomes(f: indicators.Filters, year: int, today: datetime.date) -> dict:
    counts, rates = [], []
    for r in indicators.outcomes(f, today):
        status = r.by_status
        true = {
            DUE: r.due,
            "jumlah_terjangkau": r.reached,
            "jumlah_bekerja_atau_berusaha": r.working,
            "jumlah_berusaha_sendiri": status.get(Outcome.Status.SELF_EMPLOYED, 0),
            "jumlah_bekerja_sebagai_karyawan": status.get(Outcome.Status.EMPLOYED, 0),
            "jumlah_melanjutkan_pelatihan": status.get(Outcome.Status.FURTHER_TRAINING, 0),
            "jumlah_tidak_bekerja": status.get(Outcome.Status.NOT_WORKING, 0),
            "jumlah_tidak_dapat_dihubungi": status.get(Outcome.Status.UNREACHABLE, 0),
            "jumlah_belum_ditelusuri": r.pending,
        }
        published = {column: protect_count(value) for column, value in true.items()}
        counts.append({**REGION, "putaran_bulan": r.round, **published, "satuan": PEOPLE, "tahun": year})
        due = published[DUE]
        rates.append(
            {
                **REGION,
                "putaran_bulan": r.round,
                "persen_respons": protected_rate(published["jumlah_terjangkau"], due),
                "persen_bekerja_atau_berusaha": protected_rate(published["jumlah_bekerja_atau_berusaha"], due),
                "persen_berusaha_sendiri": protected_rate(published["jumlah_berusaha_sendiri"], due),
                "keterangan": rate_note(due),
                "satuan": PERCENT,
                "tahun": year,
            }
        )
    return {"hasil-pelatihan-per-putaran": counts, "persentase-hasil-pelatihan-per-putaran": rates}


def _realisation(f: indicators.Filters, year: int) -> dict:
    """Counts of packages: not people, published as they are."""
    rows = {row["category"]: row for row in indicators.realization(f)}
    return {
        "realisasi-paket-per-kategori": [
            {
                **REGION,
                "kategori": label,
                "jumlah_paket_direncanakan": rows[value]["planned"],
                "jumlah_paket_dimulai": rows[value]["realization"].numerator,
                "jumlah_paket_selesai": rows[value]["completion"].numerator,
                "satuan": PACKAGES,
                "tahun": year,
            }
            for value, label in CATEGORY.items()
            if value in rows
        ]
    }


def _compute(year: int, today: datetime.date) -> dict:
    f = indicators.Filters(year=year)
    tables = {
        **_domicile(f, year),
        **_by_person(f, year),
        **_by_package(f, year),
        **_outcomes(f, year, today),
        **_realisation(f, year),
    }
    return {slug: tables[slug] for slug in DATASETS}


# --- what the views read ------------------------------------------------------------------------


def years() -> list[int]:
    """Every fiscal year that has a program, oldest first."""
    return cached(
        "open-data-years",
        (TABLES_FORMAT,),
        lambda: list(Program.objects.order_by("fiscal_year").values_list("fiscal_year", flat=True).distinct()),
        seconds=CACHE_SECONDS,
    )


def year_tables(year: int, today: datetime.date) -> dict[str, list[dict]]:
    """Every dataset's rows for one program year (protected), by slug; computed once a day and version."""
    return cached(
        "open-data", (TABLES_FORMAT, year, today.isoformat()), lambda: _compute(year, today), seconds=CACHE_SECONDS
    )


def dataset_rows(dataset: Dataset, today: datetime.date) -> list[dict]:
    """The dataset over every year, oldest year first."""
    return [row for year in years() for row in year_tables(year, today)[dataset.slug]]


@dataclass(frozen=True)
class Headline:
    """A year's figures for the results page, all protected; rates None when withheld."""

    year: int
    trained: int
    completers: int
    due_6: int
    working_6: int
    working_rate_6: float | None
    response_rate_6: float | None
    note_6: str


def headline(year: int, tables: dict) -> Headline:
    (total,) = tables["peserta-pelatihan"]
    (counts,) = [row for row in tables["hasil-pelatihan-per-putaran"] if row["putaran_bulan"] == 6]
    (rates,) = [row for row in tables["persentase-hasil-pelatihan-per-putaran"] if row["putaran_bulan"] == 6]
    return Headline(
        year=year,
        trained=total["jumlah_peserta"],
        completers=total["jumlah_lulus"],
        due_6=counts[DUE],
        working_6=counts["jumlah_bekerja_atau_berusaha"],
        working_rate_6=rates["persen_bekerja_atau_berusaha"],
        response_rate_6=rates["persen_respons"],
        note_6=rates["keterangan"],
    )


def metadata(dataset: Dataset, contact, covered: list[int], today: datetime.date) -> dict:
    """The dataset's metadata after BPS's MS-Ind, in Indonesian (the .meta.json and the XLSX's second sheet)."""
    return {
        "judul": dataset.title,
        "deskripsi": dataset.description,
        "konsep": dataset.concept,
        "indikator": [
            {
                "kolom": m.column,
                "nama_indikator": m.name,
                "definisi": m.definition,
                "rumus": m.formula,
                "ukuran": m.size,
                "satuan": m.unit,
            }
            for m in dataset.measures
        ],
        "kolom": dataset.columns,
        "klasifikasi_penyajian": dataset.presentation,
        "wilayah": "Kota Pekalongan (33.75), Provinsi Jawa Tengah (33)",
        "kode_wilayah": "Kode Kemendagri (Kepmendagri tentang kode dan data wilayah administrasi pemerintahan)",
        "frekuensi": FREQUENCY,
        "tahun_tersedia": covered,
        "sumber_data": SOURCE,
        "produsen_data": contact.name,
        "kontak": {
            "nama": contact.name,
            "telepon": contact.phone,
            "email": contact.email,
            "situs_web": contact.website,
        },
        "metode_pengamanan_data": PROTECTION,
        "lisensi": LICENSE,
        "bahasa": "id",
        "tanggal_data": today.isoformat(),
    }
