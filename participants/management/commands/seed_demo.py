"""Build a realistic demo city: `manage.py seed_demo [--password PW]`.

What it makes, all fictional except the region codes and the program's published shape:

- the 2023 program "Pelatihan Keterampilan Kerja DBHCHT 2023" in three waves with the city's real
  mix of packages (8 kelurahan, 17 cigarette-factory, 33 BLK), every package completed but one
  cancelled, with meetings, full attendance records, completions, certificates, competency tests
  and the 3-, 6- and 12-month follow-ups by staff calls;
- last year's program, two waves of four packages (April-May and August-September), all completed,
  so that a 6- or 12-month follow-up round is open on any day of this year: the personal links of
  the round are out (see below), its earlier rounds were done by staff calls;
- this year's program, anchored on the day of the first run: wave 1 finished, wave 2 running today
  (today's meeting left unmarked for the provider portal), one package open for registration with a
  few applicants and one planned;
- about 1,400 participants with valid NIKs, spread over the 27 kelurahan (some from outside the city);
- the DBHCHT plan and its realisation (reports/realisation.py): every package with its account
  code, planned volume and daily allowance (kelurahan classes with support costs, BOP), every
  program's pagu by funding source adding up to its budget (DBHCHT, in 2023 and this year with an
  APBD part); the spending as the treasurer enters it, a little under the pagu for a class that is
  over, in step with the meetings held for one running, nothing for one not begun; and the
  allowances of every completed class paid from its marks. 2023 comes out at about 95% financial
  and 98% physical realisation;
- Kemnaker's references, made up but well formed: a kejuruan code per vocation, VIN LPK, NIB and an
  accreditation per provider that outlasts every package being planned (no accreditation warning);
- demo accounts: "staf" (dinas staff), "pejabat" (official) and one operator per provider.

Follow-ups: a round whose window has closed (participants/followups.py) was done by staff calls; the
round open today went out as personal links (FollowUpInvitation) a few days after it came due, to
everyone with a phone number, with the weekly reminders since. About 40% answered through the link
(self-reported outcomes, half of them verified by "staf"); of the others, those past both reminders
and a week more are on the call list, and staff have called about half of them. The answers carry
the tracer questions: since when the person works (the waiting time), satisfaction with the
training, what would help and whether the dinas may contact them again.

The bulk rows are written with bulk_create, not through the services, but they keep every rule the
services enforce: quotas, one enrollment per person per package and per fiscal year, marks only for
held meetings of the person's own package, completion only at the package's minimum attendance, a
self-reported answer only inside the round's window, dated when given and recorded by nobody. Money
goes through the services, entry by entry (programs.services.spending_record,
participants.allowances.allowances_pay), with their rules: the pagu, the fiscal year, no date in
the future.

Idempotent: if the demo programs are already there, no data is built; missing accounts are still made,
and existing accounts get a new password only when --password is given. The random generator has a
fixed seed, so two fresh databases seeded on the same day hold the same data; the plan and spending
draw from a generator of their own, so adding them changed nobody's record.
"""

import datetime
import math
import random
import secrets
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from participants import attendance_summary
from participants.allowances import allowances_pay
from participants.followups import REMINDER_AFTER_DAYS, REMINDERS, round_due_on
from participants.models import Attendance, Enrollment, FollowUpInvitation, Outcome, Participant
from participants.nik import parse_nik
from participants.services import certificates_issue, selection_announce, selection_decide
from participants.services.followup_links import window_open
from participants.services.public import CONSENT_VERSION, _as_typed
from pekalongan_training.dates import add_months
from pekalongan_training.roles import OFFICIAL_GROUP, OPERATOR_GROUP, STAFF_GROUP
from pekalongan_training.signals import records_changed
from programs.calendar import is_holiday
from programs.models import (
    CategoryRules,
    Cohort,
    Expenditure,
    Kelurahan,
    Program,
    ProgramFunding,
    Provider,
    Session,
    TrainingPackage,
    Vocation,
)
from programs.services import meeting_dates, spending_record

SEED = 20230904  # "gelombang ketiga dibuka awal September 2023"
PROGRAM_NAME = "Pelatihan Keterampilan Kerja DBHCHT {year}"
PAST_YEAR = 2023

Category = TrainingPackage.Category
PackageStatus = TrainingPackage.Status

# Vocation: lesson hours (JP) and the share of women who usually sign up for it.
VOCATIONS = {
    "Barista": (160, 0.45),
    "Desain Grafis": (260, 0.45),
    "Servis Sepeda Motor Injeksi": (240, 0.05),
    "Roti & Kue": (140, 0.85),
    "Servis AC": (200, 0.05),
    "Mekanik Mobil": (280, 0.05),
    "Menjahit": (200, 0.9),
    "Tata Rias / MUA": (160, 0.95),
    "Pengelasan SMAW": (240, 0.03),
    "Housekeeping": (160, 0.6),
    "Administrasi Perkantoran": (200, 0.7),
    "Practical Office Advance": (160, 0.6),
    "AutoCAD": (200, 0.3),
    "Servis HP": (160, 0.15),
    "Listrik Otomasi (PLC)": (240, 0.1),
    "Batik": (160, 0.6),
}
JP_PER_MEETING = 8  # 08.00-15.00: 140 JP is 18 meetings, as the city says "about 18 days"
# Each vocation's kejuruan in Kemnaker's classification: made up, in one shape (the kejuruan's group,
# then its number in the group).
KEJURUAN_CODES = {
    "Barista": "PAR.03",
    "Desain Grafis": "TIK.05",
    "Servis Sepeda Motor Injeksi": "OTO.02",
    "Roti & Kue": "PRC.02",
    "Servis AC": "REF.01",
    "Mekanik Mobil": "OTO.01",
    "Menjahit": "GAR.01",
    "Tata Rias / MUA": "TKC.02",
    "Pengelasan SMAW": "LAS.01",
    "Housekeeping": "PAR.01",
    "Administrasi Perkantoran": "BM.02",
    "Practical Office Advance": "TIK.02",
    "AutoCAD": "MNF.03",
    "Servis HP": "ELK.04",
    "Listrik Otomasi (PLC)": "LIS.03",
    "Batik": "KRJ.01",
}

BLK_NAME = "UPTD Balai Latihan Kerja (BLK) Dinperinaker Kota Pekalongan"
BLK_SLUG = "blk"


class LpkSpec(NamedTuple):
    slug: str
    name: str
    license_number: str
    address: str
    kelurahan_code: str
    contact_name: str
    vocations: tuple[str, ...]


# Fictional private training institutions (LPK swasta).
LPKS = [
    LpkSpec(
        "kartika",
        "LPK Kartika Busana Mandiri",
        "3375020417",
        "Jl. Melati Raya No. 17",
        "33.75.02.1004",
        "Kartika Sari",
        ("Menjahit",),
    ),
    LpkSpec(
        "sekar-arum",
        "LPK Sekar Arum Tata Boga",
        "3375010822",
        "Gg. Kenanga II No. 5",
        "33.75.01.1002",
        "Arum Widyastuti",
        ("Roti & Kue", "Barista"),
    ),
    LpkSpec(
        "pesona-rias",
        "LPK Pesona Rias Ayu",
        "3375030915",
        "Jl. Flamboyan No. 21",
        "33.75.03.1002",
        "Ayu Puspitasari",
        ("Tata Rias / MUA",),
    ),
    LpkSpec(
        "mitra-komputer",
        "LPK Mitra Komputer Kota Batik",
        "3375021103",
        "Jl. Nusantara No. 88",
        "33.75.02.1007",
        "Hendra Kurniawan",
        ("Desain Grafis", "Administrasi Perkantoran", "Practical Office Advance", "AutoCAD"),
    ),
    LpkSpec(
        "sinar-teknik",
        "LPK Sinar Teknik Pesisir",
        "3375040630",
        "Jl. Mangga Dua No. 3",
        "33.75.04.1002",
        "Agus Riyanto",
        ("Servis HP", "Servis Sepeda Motor Injeksi", "Servis AC"),
    ),
    LpkSpec(
        "canting-emas",
        "LPK Canting Emas Nusantara",
        "3375041208",
        "Gg. Canting No. 9",
        "33.75.04.1003",
        "Siti Khomsatun",
        ("Batik",),
    ),
]
LPK_FOR_VOCATION = {vocation: spec.slug for spec in LPKS for vocation in spec.vocations}


class KemnakerRefs(NamedTuple):
    vin_lpk: str
    nib: str  # 13 digits (OSS); the city's BLK, a government unit, has none
    grade: str
    months_left: int  # the accreditation runs out this many months after the demo is built


# Made-up Kemnaker references, well formed. Every accreditation outlasts the packages being planned,
# so the demo shows no accreditation warning.
KEMNAKER_REFS = {
    BLK_SLUG: KemnakerRefs("3375-2009-0001", "", "A", 30),
    "kartika": KemnakerRefs("3375-2014-0417", "9120206931457", "B", 22),
    "sekar-arum": KemnakerRefs("3375-2016-0822", "9120109384261", "A", 40),
    "pesona-rias": KemnakerRefs("3375-2018-0915", "9120304217738", "B", 14),
    "mitra-komputer": KemnakerRefs("3375-2012-1103", "9120001845529", "A", 46),
    "sinar-teknik": KemnakerRefs("3375-2019-0630", "9120403362814", "B", 18),
    "canting-emas": KemnakerRefs("3375-2021-1208", "9120405518093", "C", 9),
}
FACTORY_VENUE = "Pabrik rokok mitra PR Sekar Tembakau, Jl. Gudang Baru No. 8, Kota Pekalongan"

CODE_PREFIX = {
    Category.BLK: "BLK",
    Category.KELURAHAN: "KEL",
    Category.FACTORY_WORKERS: "PPR",
    Category.LPK: "LPK",
    Category.BLK_COMMUNITY: "BLKK",
}
QUOTA = {Category.BLK: 16}  # 20 everywhere else
DEFAULT_QUOTA = 20

# The DBHCHT plan and spending (reports/realisation.py). Drawn from their own generator, so the
# people, marks and follow-ups come out as they did before the demo had money.
MONEY_SEED = SEED + 1
Kind = Expenditure.Kind
# The package's account (kode rekening) in the DPA: the BLK teaches with its own instructors
# (swakelola), so its packages sit on the honorarium account; the other classes are bought from an
# LPK as a training service.
ACCOUNT_CODES = {
    Category.BLK: "5.1.02.02.01.0003",
    Category.KELURAHAN: "5.1.02.02.12.0001",
    Category.FACTORY_WORKERS: "5.1.02.02.12.0001",
    Category.LPK: "5.1.02.02.12.0001",
}
# The participants' daily allowance (transport); in a kelurahan class people live round the corner.
# Factory workers' classes pay excused days too (a shift they are called back to).
ALLOWANCE_RATES = {
    Category.BLK: 40_000,
    Category.KELURAHAN: 30_000,
    Category.FACTORY_WORKERS: 40_000,
    Category.LPK: 40_000,
}
EXCUSED_PAID = {Category.FACTORY_WORKERS}
# How a package's pagu less its allowances is spent, by category. A kelurahan class meets in the
# kelurahan hall: its meals and hall are the support costs (BOP). The city's BLK and the factories
# lend their own rooms.
SPENDING_SHARES = {
    Category.BLK: {Kind.MATERIALS: 0.42, Kind.INSTRUCTOR_FEES: 0.38, Kind.MEALS: 0.20},
    Category.KELURAHAN: {Kind.MATERIALS: 0.32, Kind.INSTRUCTOR_FEES: 0.40, Kind.MEALS: 0.18, Kind.VENUE: 0.10},
    Category.FACTORY_WORKERS: {Kind.MATERIALS: 0.38, Kind.INSTRUCTOR_FEES: 0.42, Kind.MEALS: 0.20},
    Category.LPK: {Kind.MATERIALS: 0.32, Kind.INSTRUCTOR_FEES: 0.40, Kind.MEALS: 0.18, Kind.VENUE: 0.10},
}
SUPPORT_COST_KINDS = (Kind.MEALS, Kind.VENUE)
SUPPORT_COST_CATEGORIES = {Category.KELURAHAN}
# What each kind gets of its share: procurement and attendance leave a little unspent.
SPENT_OF_SHARE = (0.94, 0.995)
CERTIFICATION_FEE = 300_000  # the LSP's fee per person tested, out of the materials' share
KIND_ORDER = [Kind.MATERIALS, Kind.INSTRUCTOR_FEES, Kind.MEALS, Kind.VENUE, Kind.CERTIFICATION, Kind.ALLOWANCES]
# The program's pagu from the city's own budget (APBD) beside DBHCHT; last year's was DBHCHT only.
APBD_SHARE_2023 = 0.15
APBD_SHARE_CURRENT = 0.10


class PackagePlan(NamedTuple):
    wave: int
    category: str
    vocation: str
    status: str
    kelurahan_code: str = ""


# Which vocations each 2023 category taught (kelurahan packages with their venue).
# fmt: off
BLK_VOCATIONS = [
    "Servis Sepeda Motor Injeksi", "Mekanik Mobil", "Pengelasan SMAW", "Servis AC", "Listrik Otomasi (PLC)",
    "Desain Grafis", "AutoCAD", "Practical Office Advance", "Administrasi Perkantoran", "Barista", "Roti & Kue",
    "Menjahit", "Tata Rias / MUA", "Housekeeping", "Servis HP",
]
KELURAHAN_2023 = [
    ("Menjahit", "33.75.03.1007"), ("Roti & Kue", "33.75.01.1009"), ("Tata Rias / MUA", "33.75.04.1010"),
    ("Batik", "33.75.02.1010"), ("Servis HP", "33.75.03.1010"), ("Desain Grafis", "33.75.01.1003"),
    ("Servis Sepeda Motor Injeksi", "33.75.04.1006"), ("Administrasi Perkantoran", "33.75.02.1009"),
]
FACTORY_2023 = [
    "Menjahit", "Roti & Kue", "Tata Rias / MUA", "Batik", "Administrasi Perkantoran", "Barista", "Menjahit",
    "Roti & Kue", "Tata Rias / MUA", "Batik", "Servis HP", "Roti & Kue", "Menjahit", "Practical Office Advance",
    "Barista", "Tata Rias / MUA", "Batik",
]
# fmt: on


def _plans_2023() -> list[PackagePlan]:
    """33 BLK packages (11 a wave), 8 kelurahan (3/3/2), 17 factory (6/6/5); the last BLK one cancelled."""
    done = PackageStatus.COMPLETED
    plans = [
        PackagePlan(index // 11 + 1, Category.BLK, BLK_VOCATIONS[index % len(BLK_VOCATIONS)], done)
        for index in range(33)
    ]
    plans[-1] = plans[-1]._replace(status=PackageStatus.CANCELLED)
    plans += [
        PackagePlan(min(index // 3 + 1, 3), Category.KELURAHAN, vocation, done, code)
        for index, (vocation, code) in enumerate(KELURAHAN_2023)
    ]
    plans += [
        PackagePlan(min(index // 6 + 1, 3), Category.FACTORY_WORKERS, vocation, done)
        for index, vocation in enumerate(FACTORY_2023)
    ]
    return plans


CURRENT_PLANS = [
    PackagePlan(1, Category.BLK, "Barista", PackageStatus.COMPLETED),
    PackagePlan(1, Category.BLK, "Servis Sepeda Motor Injeksi", PackageStatus.COMPLETED),
    PackagePlan(1, Category.KELURAHAN, "Menjahit", PackageStatus.COMPLETED, "33.75.03.1004"),
    PackagePlan(1, Category.FACTORY_WORKERS, "Roti & Kue", PackageStatus.COMPLETED),
    PackagePlan(1, Category.LPK, "Desain Grafis", PackageStatus.COMPLETED),
    PackagePlan(2, Category.BLK, "Pengelasan SMAW", PackageStatus.RUNNING),
    PackagePlan(2, Category.BLK, "Housekeeping", PackageStatus.RUNNING),
    PackagePlan(2, Category.KELURAHAN, "Tata Rias / MUA", PackageStatus.RUNNING, "33.75.01.1012"),
    PackagePlan(2, Category.FACTORY_WORKERS, "Batik", PackageStatus.RUNNING),
    # Wave 3: registration closed, selection under way (one package decided and announced).
    PackagePlan(3, Category.LPK, "Servis HP", PackageStatus.OPEN),
    PackagePlan(3, Category.BLK, "Roti & Kue", PackageStatus.OPEN),
    # Wave 4: taking applications.
    PackagePlan(4, Category.KELURAHAN, "Menjahit", PackageStatus.OPEN, "33.75.02.1004"),
    PackagePlan(4, Category.BLK, "Barista", PackageStatus.PLANNED),
]
# Last year's program: two waves of four packages, dated in last year's calendar (see _dates_previous).
PREVIOUS_PLANS = [
    PackagePlan(1, Category.BLK, "Barista", PackageStatus.COMPLETED),
    PackagePlan(1, Category.KELURAHAN, "Roti & Kue", PackageStatus.COMPLETED, "33.75.04.1008"),
    PackagePlan(1, Category.FACTORY_WORKERS, "Menjahit", PackageStatus.COMPLETED),
    PackagePlan(1, Category.BLK, "Housekeeping", PackageStatus.COMPLETED),
    PackagePlan(2, Category.BLK, "Servis HP", PackageStatus.COMPLETED),
    PackagePlan(2, Category.KELURAHAN, "Tata Rias / MUA", PackageStatus.COMPLETED, "33.75.02.1008"),
    PackagePlan(2, Category.LPK, "Administrasi Perkantoran", PackageStatus.COMPLETED),
    PackagePlan(2, Category.FACTORY_WORKERS, "Batik", PackageStatus.COMPLETED),
]
# (registration opens, closes, first training day) as (month, day) of last year. Wave 1 ends in May
# and wave 2 in September, so on any day of this year one of them has its 6- or 12-month round
# open, and open for more than three weeks (links sent, reminded, on the call list).
PREVIOUS_WAVES = {1: ((3, 17), (4, 4), (4, 14)), 2: ((7, 14), (8, 1), (8, 18))}
DECIDED = "Servis HP"  # the wave-3 package whose selection is decided and announced
FACTORY_EMPLOYER = "PR Sekar Tembakau"  # the factory of the demo's factory-worker classes
APPLICANTS_PER_SEAT = 3
RECEIPT_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # as the registration's: no 0/O or 1/I

# 2023 waves: (registration opens, closes, first training day).
WAVES_2023 = {
    1: (datetime.date(2023, 4, 26), datetime.date(2023, 5, 12), datetime.date(2023, 5, 22)),
    2: (datetime.date(2023, 6, 26), datetime.date(2023, 7, 14), datetime.date(2023, 7, 24)),
    3: (datetime.date(2023, 9, 4), datetime.date(2023, 9, 22), datetime.date(2023, 10, 2)),
}

DROPOUT_SHARE = 0.025
TWICE_TRAINED = 7  # 2023 completers trained again this year: one in each non-factory class that started

# Names as written on KTPs around Pekalongan; older people more often carry a single name.
# fmt: off
MALE_SINGLE = [
    "Slamet", "Sugeng", "Sutrisno", "Wahyudi", "Suparman", "Bambang", "Darmadi", "Rohmat", "Kasmadi", "Sunarto",
    "Tarno", "Kusnadi", "Saroji", "Warsito", "Mujiono", "Supriyadi", "Teguh", "Rahmat", "Nurhadi", "Casmadi",
    "Wartono", "Mukhlisin", "Khaerudin", "Rusdi", "Sodikin", "Jumadi", "Taufik",
]
MALE_FIRST = [
    "Muhammad", "Ahmad", "Agus", "Eko", "Dwi", "Adi", "Budi", "Rizki", "Fajar", "Ilham", "Bagus", "Dimas", "Arif",
    "Nur", "Khoirul", "Aris", "Yusuf", "Heri", "Andi", "Rizal", "Yoga", "Galih", "Wahyu", "Imam", "Faisal",
    "Hendra", "Joko", "Irfan", "Ridwan", "Abdul",
]
MALE_MIDDLE = [
    "Rizki", "Arif", "Fajar", "Ilham", "Yusuf", "Irfan", "Faisal", "Ridwan", "Ainun", "Alfan", "Nur",
]
MALE_LAST = [
    "Prasetyo", "Setiawan", "Fauzi", "Hidayat", "Santoso", "Nugroho", "Ramadhan", "Maulana", "Saputra", "Aditya",
    "Kurniawan", "Firmansyah", "Anwar", "Rohman", "Susanto", "Wibowo", "Prabowo", "Hakim", "Mustofa", "Arifin",
    "Kholis", "Sholeh", "Riyadi", "Pratama", "Gunawan", "Hermawan", "Najib", "Akbar",
]
FEMALE_SINGLE = [
    "Sumiyati", "Suminah", "Kasmini", "Tarsiah", "Rokhayah", "Darsini", "Casmirah", "Carini", "Waryati",
    "Khomsatun", "Mutmainah", "Sholikhah", "Rohmah", "Sunarti", "Sulastri", "Suryani", "Wartini", "Kuswati",
    "Munawaroh", "Maesaroh", "Khotimah", "Romlah", "Juariyah", "Sartini", "Tuminah", "Kholifah",
]
FEMALE_FIRST = [
    "Siti", "Nur", "Sri", "Dewi", "Rina", "Nurul", "Fitri", "Ayu", "Dwi", "Indah", "Putri", "Laili", "Umi", "Ika",
    "Novi", "Eka", "Tri", "Wulan", "Lina", "Yuli", "Rizka", "Anisa", "Dian", "Eni", "Ratna", "Desi",
]
FEMALE_LAST = [
    "Aminah", "Khasanah", "Lestari", "Wahyuni", "Agustina", "Hidayah", "Handayani", "Rahmawati", "Permatasari",
    "Amelia", "Nurjanah", "Fitriani", "Khabibah", "Safitri", "Rahayu", "Susanti", "Maulida", "Kurniasih",
    "Puspitasari", "Anggraeni", "Ningsih", "Zulaikha", "Muawanah", "Mufidah", "Azizah",
]
# fmt: on
NAME_PREFIXES = {"Muhammad", "Ahmad", "Abdul", "Siti", "Nur", "Nurul", "Sri", "Dwi", "Tri", "Eka"}

# fmt: off
CITY_STREETS = [
    "Jl. Melati", "Jl. Kenanga", "Gg. Mawar", "Gg. Anggrek", "Jl. Mangga", "Gg. Masjid", "Jl. Nusantara", "Gg. Pelita",
    "Jl. Sawo", "Jl. Flamboyan", "Gg. Kauman", "Jl. Pemuda", "Gg. Delima", "Jl. Kartini",
]
# fmt: on
OUTSIDE_REGIONS = [  # (NIK region, regency as written in addresses, weight)
    ("332601", "Kab. Pekalongan", 7),
    ("332501", "Kab. Batang", 3),
]
VILLAGE_HAMLETS = ["Dk. Krajan", "Dk. Karanganyar", "Dk. Sidomulyo", "Dk. Tegalsari", "Dk. Kebonagung"]
PHONE_PREFIXES = ["0812", "0813", "0821", "0822", "0852", "0853", "0857", "0858", "0877", "0878", "0895", "0896"]

# Follow-up details: (sector, business-name patterns, employers) by vocation.
WORK = {
    "Barista": ("Kedai kopi", ["Kopi {n}", "Kedai Kopi {n}"], ["Kafe Senja Pesisir", "Kedai Kopi Pantura"]),
    "Desain Grafis": (
        "Jasa desain & percetakan",
        ["{n} Design", "Sablon & Desain {n}"],
        ["Percetakan Sinar Grafika"],
    ),
    "Servis Sepeda Motor Injeksi": ("Bengkel motor", ["Bengkel {n} Motor"], ["Bengkel Maju Motor"]),
    "Roti & Kue": ("Kuliner", ["Dapur {n}", "Kue {n}", "Roti {n}"], ["Toko Roti Segar Sari", "Bakery Mentari"]),
    "Servis AC": ("Jasa servis AC", ["Servis AC {n}"], ["CV Sejuk Teknik"]),
    "Mekanik Mobil": ("Bengkel mobil", ["Bengkel {n} Mobil"], ["Bengkel Mobil Sumber Jaya"]),
    "Menjahit": ("Jasa jahit & konveksi", ["Penjahit {n}", "Konveksi {n}"], ["Konveksi Sinar Abadi"]),
    "Tata Rias / MUA": ("Jasa rias", ["{n} MUA", "Rias Pengantin {n}"], ["Salon Ayu Cantik"]),
    "Pengelasan SMAW": ("Bengkel las", ["Las {n}"], ["Bengkel Las Baja Kuat", "PT Galangan Kapal Pesisir"]),
    "Housekeeping": ("Jasa kebersihan", ["Jasa Bersih {n}"], ["Hotel Kota Batik Indah", "Hotel Pesisir Asri"]),
    "Administrasi Perkantoran": ("Jasa fotokopi & pengetikan", ["Fotokopi {n}"], ["Koperasi Sejahtera Bersama"]),
    "Practical Office Advance": ("Jasa fotokopi & pengetikan", ["Rental Komputer {n}"], ["CV Mitra Niaga"]),
    "AutoCAD": ("Jasa gambar teknik", ["{n} Drafting"], ["CV Rekayasa Konstruksi Pantura"]),
    "Servis HP": ("Servis HP & konter pulsa", ["{n} Cell", "Konter {n}"], ["Konter Seluler Jaya"]),
    "Listrik Otomasi (PLC)": ("Jasa instalasi listrik", ["{n} Elektrik"], ["PT Tekstil Pantura Sentosa"]),
    "Batik": ("Kerajinan batik", ["Batik {n}", "Batik Tulis {n}"], ["Rumah Batik Canting Sari"]),
}
OTHER_WORK = ("Perdagangan", ["Warung {n}", "Toko {n}"], ["Minimarket Sumber Rejeki", "Toko Kelontong Makmur"])

OutcomeStatus = Outcome.Status
OUTCOME_WEIGHTS = {
    3: {
        OutcomeStatus.SELF_EMPLOYED: 38,
        OutcomeStatus.EMPLOYED: 24,
        OutcomeStatus.FURTHER_TRAINING: 5,
        OutcomeStatus.NOT_WORKING: 20,
        OutcomeStatus.UNREACHABLE: 13,
    },
    6: {
        OutcomeStatus.SELF_EMPLOYED: 42,
        OutcomeStatus.EMPLOYED: 26,
        OutcomeStatus.FURTHER_TRAINING: 4,
        OutcomeStatus.NOT_WORKING: 16,
        OutcomeStatus.UNREACHABLE: 12,
    },
    12: {
        OutcomeStatus.SELF_EMPLOYED: 44,
        OutcomeStatus.EMPLOYED: 27,
        OutcomeStatus.FURTHER_TRAINING: 3,
        OutcomeStatus.NOT_WORKING: 15,
        OutcomeStatus.UNREACHABLE: 11,
    },
}
WORKING = (OutcomeStatus.SELF_EMPLOYED, OutcomeStatus.EMPLOYED)

# The personal links of the round open today.
LINK_SENT_AFTER_DAYS = (1, 5)  # staff send a round's links in the first days after it comes due
LINK_ANSWER_SHARE = 0.4  # who answer through the link, in time (some have not yet: sent lately)
# Days from the message to the answer: most answer at once, the others after a reminder.
ANSWER_DELAYS = (((0, 3), 55), ((7, 10), 28), ((14, 18), 17))
CALL_LIST_DAYS = REMINDER_AFTER_DAYS * (REMINDERS + 1)  # first message, two reminders, a week more
CALLED_SHARE = 0.5  # of those on the call list, staff have called about half so far
VERIFIED_SHARE = 0.5  # of the answers given through the link, staff have checked about half
# Satisfaction with the training (1-5): mostly satisfied, some not.
SATISFACTION_WEIGHTS = {5: 36, 4: 44, 3: 12, 2: 6, 1: 2}
# What would help, by what the person does: the chance of ticking each (capital for a business, a
# job placement for someone looking for work).
Help = Outcome.Help
HELP_LIKELIHOOD = {
    OutcomeStatus.SELF_EMPLOYED: {Help.CAPITAL: 0.6, Help.TOOLS: 0.4, Help.INTERNSHIP: 0.04, Help.PLACEMENT: 0.03},
    OutcomeStatus.EMPLOYED: {Help.CAPITAL: 0.15, Help.TOOLS: 0.1, Help.INTERNSHIP: 0.1, Help.PLACEMENT: 0.12},
    OutcomeStatus.FURTHER_TRAINING: {Help.CAPITAL: 0.1, Help.TOOLS: 0.1, Help.INTERNSHIP: 0.4, Help.PLACEMENT: 0.3},
    OutcomeStatus.NOT_WORKING: {Help.CAPITAL: 0.25, Help.TOOLS: 0.12, Help.INTERNSHIP: 0.3, Help.PLACEMENT: 0.65},
}


class Payment(NamedTuple):
    """A payment of the demo's spending, before it is entered."""

    package: TrainingPackage
    spent_on: datetime.date
    kind: str
    amount: int  # 0 for allowances: allowances_pay counts them from the marks
    description: str


@dataclass
class Trail:
    """What the follow-ups of one person found so far, so a later round carries it on."""

    previous: str | None = None  # the last round's status, not reachable included
    reached: str | None = None  # the last status heard from the person
    reached_round: int | None = None
    work_started_on: datetime.date | None = None
    satisfaction: int | None = None


def _years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _next_meetings(first: datetime.date, weekdays: str, count: int) -> list[datetime.date]:
    """The first `count` meeting days on or after `first`, public holidays and cuti bersama skipped."""
    days, day = [], first
    while len(days) < count:
        if str(day.weekday()) in weekdays and not is_holiday(day):
            days.append(day)
        day += datetime.timedelta(days=1)
    return days


def _next_monday(day: datetime.date) -> datetime.date:
    return day + datetime.timedelta(days=-day.weekday() % 7)


def _previous_year(today: datetime.date) -> list[int]:
    """Last year, for its program; none when last year is 2023, whose program is the city's own."""
    return [today.year - 1] if today.year - 1 > PAST_YEAR else []


class Command(BaseCommand):
    help = "Fill the database with a realistic demo city (2023 program, this year's program, demo accounts)."

    def add_arguments(self, parser):
        parser.add_argument("--password", help="Password for the demo accounts (default: a generated one).")

    def handle(self, *args, password=None, **options):
        today = timezone.localdate()
        if today.year <= PAST_YEAR:
            raise CommandError(f"The demo needs a current year after {PAST_YEAR}.")
        with transaction.atomic():
            providers = self._ensure_providers(today)
            accounts, generated, kept = self._ensure_accounts(providers, password)
            years = [PAST_YEAR, *_previous_year(today), today.year]
            names = [PROGRAM_NAME.format(year=year) for year in years]
            if Program.objects.filter(name__in=names, fiscal_year__in=years).exists():
                self.stdout.write("Demo data already there (the demo programs exist); nothing built.")
            else:
                counts = DemoBuilder(today=today, providers=providers, accounts=accounts).build()
                records_changed.send(sender=Participant)  # bulk inserts send no signals
                self.stdout.write(
                    self.style.SUCCESS("Built: " + ", ".join(f"{count} {name}" for name, count in counts.items()))
                )
        self._print_logins(accounts, providers, password=password, generated=generated, kept=kept)

    def _ensure_providers(self, today: datetime.date) -> dict[str, Provider]:
        kelurahan = {k.code: k for k in Kelurahan.objects.filter(code__in=[spec.kelurahan_code for spec in LPKS])}
        if len(kelurahan) < len({spec.kelurahan_code for spec in LPKS}):
            raise CommandError("The kelurahan of Kota Pekalongan are missing; run migrate first.")
        providers = {BLK_SLUG: Provider.objects.get_or_create(name=BLK_NAME, defaults={"kind": Provider.Kind.BLK})[0]}
        for spec in LPKS:
            providers[spec.slug] = Provider.objects.get_or_create(
                name=spec.name,
                defaults={
                    "kind": Provider.Kind.LPK,
                    "license_number": spec.license_number,
                    "address": f"{spec.address}, Kota Pekalongan",
                    "kelurahan": kelurahan[spec.kelurahan_code],
                    "contact_name": spec.contact_name,
                    "phone": f"0285-42{spec.license_number[-4:]}",
                    "email": f"{spec.slug}@example.org",
                },
            )[0]
        for slug, provider in providers.items():
            self._kemnaker_refs(provider, KEMNAKER_REFS[slug], today)
        return providers

    @staticmethod
    def _kemnaker_refs(provider: Provider, refs: KemnakerRefs, today: datetime.date) -> None:
        """The provider's Kemnaker references, if it has none yet (a provider seeded before they were kept)."""
        if provider.vin_lpk or provider.nib or provider.accreditation_grade or provider.accreditation_expires_on:
            return
        provider.vin_lpk, provider.nib, provider.accreditation_grade = refs.vin_lpk, refs.nib, refs.grade
        provider.accreditation_expires_on = add_months(today, refs.months_left)
        provider.save(update_fields=["vin_lpk", "nib", "accreditation_grade", "accreditation_expires_on"])

    def _ensure_accounts(self, providers, password) -> tuple[dict, str, bool]:
        """Make the missing demo accounts; reset the passwords of existing ones only if one was given.

        Returns the accounts by key ("staff", "official" or a provider's slug), the password generated
        for new accounts ("" if none was) and whether existing accounts kept their passwords.
        """
        User = get_user_model()
        specs = [
            (
                "staff",
                "staf",
                STAFF_GROUP,
                {"is_staff": True, "first_name": "Staf", "last_name": "Dinperinaker", "email": "staf@example.org"},
            ),
            (
                "official",
                "pejabat",
                OFFICIAL_GROUP,
                {"first_name": "Pejabat", "last_name": "Kota Pekalongan", "email": "pejabat@example.org"},
            ),
        ] + [
            (
                slug,
                f"operator-{slug}",
                OPERATOR_GROUP,
                {"first_name": "Operator", "last_name": provider.name[:150], "email": f"operator-{slug}@example.org"},
            )
            for slug, provider in providers.items()
        ]
        groups = {group.name: group for group in Group.objects.filter(name__in={spec[2] for spec in specs})}
        if len(groups) < 3:
            raise CommandError("The role groups are missing; run migrate first.")
        existing = {user.username: user for user in User.objects.filter(username__in=[spec[1] for spec in specs])}
        generated = "" if password or len(existing) == len(specs) else secrets.token_urlsafe(9)
        # `make run` passes the same password every time: leave the accounts alone when it still fits
        # (checked on one account, since hashing is slow on purpose and they all share it).
        reset = bool(password) and not (existing and next(iter(existing.values())).check_password(password))
        # Hashed once for all accounts: hashing is slow on purpose.
        hashed = make_password(password or generated) if password or generated else ""
        accounts = {}
        for key, username, group_name, fields in specs:
            user = existing.get(username)
            if user is None:
                user = User.objects.create(username=username, password=hashed, **fields)
            else:
                if not user.email:
                    user.email = fields["email"]  # accounts seeded before they had addresses
                    user.save(update_fields=["email"])
                if reset:
                    user.password = hashed
                    user.save(update_fields=["password"])
            user.groups.add(groups[group_name])
            if key in providers:
                providers[key].operators.add(user)
            accounts[key] = user
        return accounts, generated, bool(existing) and not password

    def _print_logins(self, accounts, providers, *, password, generated, kept):
        rows = [("username", "role", "provider")]
        for key, user in accounts.items():
            role = {"staff": STAFF_GROUP, "official": OFFICIAL_GROUP}.get(key, OPERATOR_GROUP)
            rows.append((user.username, role, providers[key].name if key in providers else ""))
        widths = [max(len(row[column]) for row in rows) for column in range(3)]
        self.stdout.write("")
        for row in rows:
            self.stdout.write("  ".join(value.ljust(width) for value, width in zip(row, widths, strict=True)).rstrip())
        self.stdout.write("")
        if password:
            self.stdout.write("Password of every demo account: the one given with --password.")
        if generated:
            self.stdout.write(f"Password of the new accounts: {generated}")
        if kept:
            self.stdout.write("Existing accounts kept their passwords (give --password to reset them).")


class DemoBuilder:
    """Generates the programs, packages, people and their records, and writes them in bulk."""

    def __init__(self, *, today: datetime.date, providers: dict[str, Provider], accounts: dict):
        self.rng = random.Random(SEED)
        self.money_rng = random.Random(MONEY_SEED)
        self.today = today
        self.now = timezone.now()
        self.providers = providers
        self.provider_slug = {provider.pk: slug for slug, provider in providers.items()}
        self.staff = accounts["staff"]
        self.accounts = accounts
        self.kelurahan = list(Kelurahan.objects.select_related("kecamatan").order_by("code"))
        if len(self.kelurahan) != 27:
            raise CommandError("Expected the 27 kelurahan of Kota Pekalongan; run migrate first.")
        self.kelurahan_by_code = {k.code: k for k in self.kelurahan}
        self.kelurahan_weights = [self.rng.uniform(0.6, 1.4) for _ in self.kelurahan]
        self.vocations = {}
        self.used_niks = set(Participant.objects.values_list("nik", flat=True))
        self.ak1_serial = 0
        self.receipts: set[str] = set()
        self.participants: list[Participant] = []
        self.enrollments: list[Enrollment] = []
        self.attendances: list[Attendance] = []
        self.outcomes: list[Outcome] = []
        self.invitations: list[FollowUpInvitation] = []
        self.sessions: dict[int, list[Session]] = {}

    def build(self) -> dict[str, int]:
        self.vocations = {name: self._vocation(name) for name in VOCATIONS}
        past = self._program(PAST_YEAR, _plans_2023(), self._dates_2023)
        previous = []
        for year in _previous_year(self.today):
            previous = self._program(year, PREVIOUS_PLANS, self._dates_previous)
        current = self._program(self.today.year, CURRENT_PLANS, self._dates_current)
        self._make_sessions(past + previous + current)

        for package in past + previous:
            if package.status != PackageStatus.CANCELLED:
                self._fill(package, self._seats(package))
        # A few 2023 graduates come back this year (never to a factory class: they are not factory workers);
        # one more applies again and is turned down.
        again = self._pick_twice_trained()
        rejected = again.pop()
        for package in current:
            if package.status in (PackageStatus.COMPLETED, PackageStatus.RUNNING):
                returning = self._returning(again, package) if package.category != Category.FACTORY_WORKERS else []
                self._fill(package, self._seats(package), returning=returning)
            elif package.status == PackageStatus.OPEN and package.cohort.number == 3:
                self._selection_applicants(package, scored=1.0 if package.vocation.name == DECIDED else 0.6)
            elif package.status == PackageStatus.OPEN:
                self._applicants(package, rejected=rejected)

        Participant.objects.bulk_create(self.participants, batch_size=500)
        Enrollment.objects.bulk_create(self.enrollments, batch_size=500)
        Attendance.objects.bulk_create(self.attendances, batch_size=1000)
        attendance_summary.refresh()  # what the attendance services keep current mark by mark
        Outcome.objects.bulk_create(self.outcomes, batch_size=500)
        FollowUpInvitation.objects.bulk_create(self.invitations, batch_size=500)
        decided = next(p for p in current if p.cohort.number == 3 and p.vocation.name == DECIDED)
        try:  # through the services, as staff would: the ranking, the decision, the announcement
            result = selection_decide(package=decided, by=self.staff)
            selection_announce(package=decided, by=self.staff, notify=False)  # made-up numbers: message nobody
        except ValidationError as error:
            raise CommandError(f"The demo selection of {decided.code} was refused: {error.messages}") from error
        # The training certificates of the earlier years' completed packages, as staff issue them (with a
        # QR code to /sertifikat/<code>/); the provider's own number stays on the enrollment.
        issued = sum(
            len(certificates_issue(package=package, by=self.staff))
            for package in past + previous
            if package.status == PackageStatus.COMPLETED
        )
        self._plan_2023_volumes(past)
        spending, allowances = self._spend(past + previous + current)
        return {
            "training certificates issued": issued,
            "applicants accepted in the decided selection": result.accepted,
            "programs": 2 + bool(previous),
            "packages": len(past) + len(previous) + len(current),
            "meetings": sum(len(sessions) for sessions in self.sessions.values()),
            "participants": len(self.participants),
            "enrollments": len(self.enrollments),
            "attendance marks": len(self.attendances),
            "outcomes": len(self.outcomes),
            "follow-up links sent": len(self.invitations),
            "answered through the link": sum(i.answered_at is not None for i in self.invitations),
            "spending entries": spending,
            "allowance payments": allowances,
        }

    # Programs, waves, packages, meetings

    @staticmethod
    def _vocation(name: str) -> Vocation:
        vocation, _created = Vocation.objects.get_or_create(name=name, defaults={"kejuruan_code": KEJURUAN_CODES[name]})
        if not vocation.kejuruan_code:  # made before the codes were kept
            vocation.kejuruan_code = KEJURUAN_CODES[name]
            vocation.save(update_fields=["kejuruan_code"])
        return vocation

    def _program(self, year, plans, dates) -> list[TrainingPackage]:
        """Create a program, its waves and packages; dates(plan, index in wave) gives each package's days."""
        packages_by_wave: dict[int, list[TrainingPackage]] = {}
        numbers: dict[str, int] = {}
        for plan in plans:
            in_wave = packages_by_wave.setdefault(plan.wave, [])
            numbers[plan.category] = numbers.get(plan.category, 0) + 1
            in_wave.append(self._package(year, plan, numbers[plan.category], dates(plan, len(in_wave))))
        all_packages = [package for in_wave in packages_by_wave.values() for package in in_wave]
        budget = sum(p.budget for p in all_packages if p.status != PackageStatus.CANCELLED)
        past = year == PAST_YEAR
        program = Program.objects.create(
            # 2023 was run before the rules below were kept in the system; this year has the city's rules.
            exclude_working=not past,
            require_ak1=not past,
            no_repeat_vocation=not past,
            one_per_wave=not past,
            name=PROGRAM_NAME.format(year=year),
            fiscal_year=year,
            funding_source=Program.FundingSource.DBHCHT,
            # Packages plus about 10% for selection, kits, insurance and the follow-up survey.
            budget=math.ceil(budget * 1.1 / 10_000_000) * 10_000_000,
            target_participants=1000 if year == PAST_YEAR else sum(p.quota for p in all_packages),
        )
        self._funding(program)
        if not past:  # factory classes are for the factory's workers, who hold no job-seeker card
            CategoryRules.objects.create(
                program=program,
                category=Category.FACTORY_WORKERS,
                exclude_working=False,
                require_ak1=False,
                required_employer=FACTORY_EMPLOYER,
            )
        created = []
        for number, packages in packages_by_wave.items():
            opens, closes = self._registration(year, number)
            cohort = Cohort.objects.create(
                program=program,
                number=number,
                registration_opens=opens,
                registration_closes=closes,
                starts_on=min(p.starts_on for p in packages),
                ends_on=max(p.ends_on for p in packages),
            )
            for package in packages:
                package.cohort = cohort
            created += TrainingPackage.objects.bulk_create(packages)
        return created

    def _funding(self, program: Program) -> None:
        """The program's pagu by funding source, adding up to its budget: DBHCHT, in 2023 and this year
        with a part from the city's own budget (APBD)."""
        share = {PAST_YEAR: APBD_SHARE_2023, self.today.year: APBD_SHARE_CURRENT}.get(program.fiscal_year, 0)
        apbd = round(program.budget * share / 10_000_000) * 10_000_000
        ProgramFunding.objects.create(
            program=program, funding_source=Program.FundingSource.DBHCHT, pagu=program.budget - apbd
        )
        if apbd:
            ProgramFunding.objects.create(program=program, funding_source=Program.FundingSource.APBD, pagu=apbd)

    def _registration(self, year, wave) -> tuple[datetime.date, datetime.date]:
        if year == PAST_YEAR:
            return WAVES_2023[wave][:2]
        if year < self.today.year:
            return tuple(datetime.date(year, *month_day) for month_day in PREVIOUS_WAVES[wave][:2])
        # This year: wave 1 long over, wave 2 in training, wave 3 in selection, wave 4 taking
        # applications. A wave's registration closes before its training starts.
        day = datetime.timedelta(days=1)
        return {
            1: (self.today - 150 * day, self.today - 130 * day),
            2: (self.today - 50 * day, self.today - 20 * day),
            3: (self.today - 24 * day, self.today - 4 * day),
            4: (self.today - 3 * day, self.today + 12 * day),
        }[wave]

    def _package(self, year, plan: PackagePlan, number: int, days: list[datetime.date]) -> TrainingPackage:
        hours = VOCATIONS[plan.vocation][0]
        quota = QUOTA.get(plan.category, DEFAULT_QUOTA)
        slug = BLK_SLUG if plan.category == Category.BLK else LPK_FOR_VOCATION[plan.vocation]
        provider = self.providers[slug]
        venue_kelurahan, venue_address = None, ""
        title = f"Pelatihan {plan.vocation}"
        if plan.category == Category.BLK:
            venue_address = "Gedung UPTD BLK Dinperinaker Kota Pekalongan"
        elif plan.category == Category.KELURAHAN:
            venue_kelurahan = self.kelurahan_by_code[plan.kelurahan_code]
            venue_address = f"Aula Kelurahan {venue_kelurahan.name}"
            title += f" Kelurahan {venue_kelurahan.name}"
        elif plan.category == Category.FACTORY_WORKERS:
            venue_address = FACTORY_VENUE
            title += " bagi Pekerja Pabrik Rokok"
        else:
            venue_kelurahan, venue_address = provider.kelurahan, provider.address
        # About Rp16.500 per person per JP, within what the city pays for a package.
        budget = quota * hours * 16_500 * self.rng.uniform(0.95, 1.05)
        budget = min(max(round(budget / 500_000) * 500_000, 40_000_000), 90_000_000)
        rate = ALLOWANCE_RATES[plan.category]
        support_cost = 0
        if plan.category in SUPPORT_COST_CATEGORIES:
            shares = SPENDING_SHARES[plan.category]
            support = (budget - quota * len(days) * rate) * sum(shares.get(kind, 0) for kind in SUPPORT_COST_KINDS)
            support_cost = int(support // 100_000 * 100_000)
        return TrainingPackage(
            code=f"{year}-{CODE_PREFIX[plan.category]}-{number:02d}",
            title=title,
            vocation=self.vocations[plan.vocation],
            provider=provider,
            category=plan.category,
            venue_kelurahan=venue_kelurahan,
            venue_address=venue_address,
            quota=quota,
            hours=hours,
            min_attendance_percent=80,
            budget=budget,
            # The plan (the DPA's): the sub-activity is the default, job-seeker training; the volume
            # is the quota (2023's as the budget revision left it, see _plan_2023_volumes).
            account_code=ACCOUNT_CODES[plan.category],
            planned_participants=quota,
            support_cost=support_cost,
            allowance_daily_rate=rate,
            allowance_counts_excused=plan.category in EXCUSED_PAID,
            starts_on=days[0],
            ends_on=days[-1],
            meeting_weekdays=self._weekdays(plan),
            status=plan.status,
        )

    def _weekdays(self, plan: PackagePlan) -> str:
        weekdays = "01234" if plan.category == Category.BLK else "012345"
        if plan.status == PackageStatus.RUNNING and str(self.today.weekday()) not in weekdays:
            # The class meets today, whatever day the demo is seeded on, so the portal has a meeting to mark.
            weekdays = "".join(sorted(weekdays + str(self.today.weekday())))
        return weekdays

    def _meeting_count(self, plan: PackagePlan) -> int:
        return math.ceil(VOCATIONS[plan.vocation][0] / JP_PER_MEETING)

    def _dates_2023(self, plan: PackagePlan, index: int) -> list[datetime.date]:
        """Packages of a wave start in three batches a week apart."""
        first = WAVES_2023[plan.wave][2] + datetime.timedelta(weeks=index % 3)
        return _next_meetings(first, self._weekdays(plan), self._meeting_count(plan))

    def _dates_previous(self, plan: PackagePlan, index: int) -> list[datetime.date]:
        """Last year's packages: a wave's start on its first Monday and a week later."""
        first = _next_monday(datetime.date(self.today.year - 1, *PREVIOUS_WAVES[plan.wave][2]))
        first += datetime.timedelta(weeks=index % 2)
        return _next_meetings(first, self._weekdays(plan), self._meeting_count(plan))

    def _dates_current(self, plan: PackagePlan, index: int) -> list[datetime.date]:
        day = datetime.timedelta(days=1)
        later = 11 * day if plan.wave == 4 else 0 * day  # wave 4 trains after wave 3
        first = {
            PackageStatus.COMPLETED: _next_monday(self.today - 120 * day) + datetime.timedelta(weeks=index % 2),
            PackageStatus.RUNNING: self.today - (16 - index) * day,
            PackageStatus.OPEN: self.today + 8 * day + later,
            PackageStatus.PLANNED: self.today + 11 * day + later,
        }[plan.status]
        return _next_meetings(first, self._weekdays(plan), self._meeting_count(plan))

    def _make_sessions(self, packages: list[TrainingPackage]) -> None:
        """The meetings session_generate would make: every meeting day between the package's dates."""
        sessions = []
        for package in packages:
            if package.status == PackageStatus.CANCELLED:
                continue
            dates = meeting_dates(starts_on=package.starts_on, ends_on=package.ends_on, weekdays=package.weekdays)
            own = [
                Session(
                    package=package,
                    date=date,
                    starts_at=package.session_starts_at,
                    ends_at=package.session_ends_at,
                    topic="Pembukaan dan orientasi" if number == 0 else "",
                )
                for number, date in enumerate(dates)
            ]
            own[-1].topic = "Uji praktik dan penutupan"
            self.sessions[package.pk] = own
            sessions += own
        Session.objects.bulk_create(sessions, batch_size=1000)

    # The DBHCHT plan, the spending and the allowances

    def _plan_2023_volumes(self, packages: list[TrainingPackage]) -> None:
        """2023's planned volume as the budget revision left it: the seats filled, now and then one more."""
        seats = Counter(e.package_id for e in self.enrollments if e.status in Enrollment.SEAT_STATUSES)
        for package in packages:
            if package.status != PackageStatus.CANCELLED:
                extra = self.money_rng.choice((0, 0, 0, 1))
                package.planned_participants = min(package.quota, seats[package.pk] + extra)
        TrainingPackage.objects.bulk_update(packages, ["planned_participants"], batch_size=500)

    def _spend(self, packages: list[TrainingPackage]) -> tuple[int, int]:
        """What has been spent on the packages by today, through the services as the treasurer enters it:
        spending_record for each payment, allowances_pay for a completed class's payment list.

        Entered in date order, so the document numbers run through each year. Returns the number of
        spending entries and of allowance payments.
        """
        tested = Counter(e.package_id for e in self.enrollments if e.competency != Enrollment.Competency.NOT_TESTED)
        payments = [payment for package in packages for payment in self._payments(package, tested[package.pk])]
        payments.sort(key=lambda p: (p.spent_on, p.package.code, KIND_ORDER.index(p.kind)))
        serials: Counter[int] = Counter()
        entries = paid = 0
        for payment in payments:
            year = payment.spent_on.year
            serials[year] += 1
            # Contracts and honoraria by direct transfer (LS); meals and allowances from the treasurer's cash (GU).
            way = "GU" if payment.kind in (Kind.MEALS, Kind.ALLOWANCES) else "LS"
            number = f"{serials[year]:04d}/SP2D-{way}/DINPERINAKER/{year}"
            try:
                if payment.kind == Kind.ALLOWANCES:
                    paid += len(
                        allowances_pay(
                            package=payment.package, paid_on=payment.spent_on, document_number=number, by=self.staff
                        )
                    )
                else:
                    spending_record(
                        package=payment.package,
                        by=self.staff,
                        spent_on=payment.spent_on,
                        amount=payment.amount,
                        kind=payment.kind,
                        document_number=number,
                        description=payment.description,
                    )
            except ValidationError as error:
                raise CommandError(
                    f"The demo spending of {payment.package.code} was refused: {error.messages}"
                ) from error
            entries += 1
        return entries, paid

    def _payments(self, package: TrainingPackage, tested: int) -> list[Payment]:
        """A package's payments by today. The pagu holds the allowances of a full class present every
        day; the rest is shared among the kinds (SPENDING_SHARES), each a little under its share. A
        completed class is paid in full: materials on the first day; instructors, meals, the hall,
        the LSP and the allowances on the last day. A running class has had its materials and the
        instructors and meals of the meetings held, claimed on the last of them; one not begun,
        nothing."""
        if package.status == PackageStatus.CANCELLED:
            return []
        sessions = self.sessions[package.pk]
        finished = package.status == PackageStatus.COMPLETED
        held = sessions if finished else [s for s in sessions if s.date < self.today]
        if not held:
            return []
        rest = package.budget - package.quota * len(sessions) * package.allowance_daily_rate
        if rest <= 0:
            raise CommandError(f"The allowances of {package.code} would take its whole pagu.")
        planned = {
            kind: rest * share * self.money_rng.uniform(*SPENT_OF_SHARE)
            for kind, share in SPENDING_SHARES[package.category].items()
        }
        if finished and tested:
            fee = min(tested * CERTIFICATION_FEE, planned[Kind.MATERIALS] / 2)
            planned[Kind.MATERIALS] -= fee
            planned[Kind.CERTIFICATION] = fee
        # Dated on a meeting day, but within the program's year (a class of this year's program that
        # finished early in the year may have started last year) and never after today.
        year = package.cohort.program.fiscal_year
        first_day = max(package.starts_on, datetime.date(year, 1, 1))
        last_day = min(self.today, datetime.date(year, 12, 31))

        def payment(day: datetime.date, kind: str, amount: float = 0, description: str = "") -> Payment:
            return Payment(package, min(max(day, first_day), last_day), kind, int(amount // 1000 * 1000), description)

        vocation = package.vocation.name
        result = [payment(sessions[0].date, Kind.MATERIALS, planned[Kind.MATERIALS], f"Bahan praktik {vocation}")]
        # Instructors and meals in one claim for the meetings held, dated the last of them (one entry
        # a kind: each goes through the service and its checks, and the demo stays quick to build).
        day, share = held[-1].date, len(held) / len(sessions)
        meetings = f"pertemuan 1-{len(held)}"
        result.append(
            payment(
                day, Kind.INSTRUCTOR_FEES, planned[Kind.INSTRUCTOR_FEES] * share, f"Honorarium instruktur, {meetings}"
            )
        )
        result.append(payment(day, Kind.MEALS, planned[Kind.MEALS] * share, f"Konsumsi peserta, {meetings}"))
        if finished:
            last = sessions[-1].date
            if Kind.VENUE in planned:
                hall = "Sewa aula kelurahan" if package.category == Category.KELURAHAN else "Sewa ruang pelatihan"
                result.append(payment(last, Kind.VENUE, planned[Kind.VENUE], f"{hall}, {len(sessions)} hari"))
            if Kind.CERTIFICATION in planned:
                result.append(
                    payment(
                        last, Kind.CERTIFICATION, planned[Kind.CERTIFICATION], f"Uji kompetensi LSP, {tested} peserta"
                    )
                )
            result.append(payment(last, Kind.ALLOWANCES))  # the amount: the payment list's, from the marks
        return [p for p in result if p.amount > 0 or p.kind == Kind.ALLOWANCES]

    # People

    def _seats(self, package: TrainingPackage) -> int:
        """Most classes are full; some start a seat or two short."""
        return package.quota - self.rng.choice([0, 0, 0, 0, 0, 0, 0, 1, 1, 2])

    def _pick_twice_trained(self) -> list[Participant]:
        """2023 graduates, not factory workers, young enough to be at most 55 now."""
        candidates = [
            e.participant
            for e in self.enrollments
            if e.status == Enrollment.Status.COMPLETED
            and e.participant.beneficiary_group != Participant.BeneficiaryGroup.FACTORY_WORKER
            and e.participant.birth_date.year > self.today.year - 50
        ]
        return self.rng.sample(candidates, TWICE_TRAINED + 1)

    def _returning(self, again: list[Participant], package: TrainingPackage) -> list[Participant]:
        """One of the 2023 graduates, trained then in another vocation (the rule: not trained twice in one)."""
        trained = {e.participant.nik: e.package.vocation_id for e in self.enrollments if e.participant in again}
        for index, person in enumerate(again):
            if trained.get(person.nik) != package.vocation_id:
                return [again.pop(index)]
        return []

    def _fill(self, package: TrainingPackage, seats: int, returning=()) -> None:
        people = list(returning) + [self._participant(package) for _ in range(seats - len(returning))]
        opens = package.cohort.registration_opens or package.starts_on - datetime.timedelta(days=30)
        enrollments = []
        for person in people:
            enrolled_on = max(opens, package.starts_on - datetime.timedelta(days=self.rng.randint(3, 12)))
            enrollments.append(
                Enrollment(
                    participant=person,
                    package=package,
                    status=Enrollment.Status.ENROLLED,
                    enrolled_on=enrolled_on,
                    created_by=self.staff,
                )
            )
        self.enrollments += enrollments
        self._attend(package, enrollments)

    def _applicants(self, package: TrainingPackage, rejected: Participant | None) -> None:
        """An open package: a few online applications, and one person turned down (trained before)."""
        for _ in range(self.rng.randint(5, 8)):
            self.enrollments.append(
                Enrollment(participant=self._participant(package), package=package, created_by=self.staff)
            )
        if rejected is not None:
            self.enrollments.append(
                Enrollment(
                    participant=rejected, package=package, status=Enrollment.Status.REJECTED, created_by=self.staff
                )
            )

    def _selection_applicants(self, package: TrainingPackage, *, scored: float) -> None:
        """A wave in selection: about three online applications a seat, documents checked, and the
        written-test and interview scores entered for a share `scored` of them."""
        rng = self.rng
        opens, closes = package.cohort.registration_opens, package.cohort.registration_closes
        for _ in range(APPLICANTS_PER_SEAT * package.quota):
            person = self._participant(package, applicant=True)
            received = self._at(opens + datetime.timedelta(days=rng.randint(0, (closes - opens).days)), 9, 0)
            received += datetime.timedelta(minutes=rng.randint(0, 600))
            number = self._receipt(package)
            typed = {
                field: getattr(person, field)
                for field in [
                    "full_name",
                    "sex",
                    "birth_date",
                    "phone",
                    "address",
                    "kelurahan",
                    "education",
                    "employment_status_at_intake",
                    "beneficiary_group",
                    "kk_number",
                    "ak1_number",
                    "ak1_issued_on",
                    "employer_name",
                ]
            }
            enrollment = Enrollment(
                participant=person,
                package=package,
                source=Enrollment.Source.REGISTRATION,
                receipt_number=number,
                consent_at=received,
                consent_version=CONSENT_VERSION,
                submitted=[_as_typed(typed, receipt_number=number, at=received)],
                doc_ktp=rng.random() < 0.97,
                doc_kk=rng.random() < 0.95,
                doc_ak1=bool(person.ak1_number),
                doc_employer=package.category == Category.FACTORY_WORKERS,
            )
            if rng.random() < scored:
                enrollment.test_score = Decimal(rng.randint(30, 98))
                enrollment.interview_score = Decimal(rng.randint(40, 96))
            self.enrollments.append(enrollment)

    def _receipt(self, package: TrainingPackage) -> str:
        """A receipt number like the registration's (2026-K7F3Q9), from the demo's own generator."""
        while True:
            number = f"{package.code[:4]}-{''.join(self.rng.choice(RECEIPT_ALPHABET) for _ in range(6))}"
            if number not in self.receipts:
                self.receipts.add(number)
                return number

    def _participant(self, package: TrainingPackage, *, applicant: bool = False) -> Participant:
        rng = self.rng
        vocation = package.vocation.name
        factory = package.category == Category.FACTORY_WORKERS
        female_share = VOCATIONS[vocation][1]
        if factory:  # hand-rolling (SKT) workers are mostly women
            female_share = (female_share + 0.85) / 2
        sex = Participant.Sex.FEMALE if rng.random() < female_share else Participant.Sex.MALE

        if factory:
            group = Participant.BeneficiaryGroup.FACTORY_WORKER
        else:
            group = rng.choices(
                [
                    Participant.BeneficiaryGroup.JOB_SEEKER,
                    Participant.BeneficiaryGroup.FACTORY_WORKER_FAMILY,
                    Participant.BeneficiaryGroup.TOBACCO_FARM_WORKER,
                ],
                weights=[75, 18, 7],
            )[0]
        if group == Participant.BeneficiaryGroup.FACTORY_WORKER:
            age = rng.randint(22, 55)
        elif group == Participant.BeneficiaryGroup.JOB_SEEKER:
            age = rng.choices([rng.randint(18, 30), rng.randint(31, 45), rng.randint(46, 55)], weights=[70, 25, 5])[0]
        else:
            age = rng.randint(18, 50)
        # Exactly `age` years old on the first day of the package.
        latest = _years_before(package.starts_on, age)
        earliest = _years_before(package.starts_on, age + 1) + datetime.timedelta(days=1)
        birth_date = earliest + datetime.timedelta(days=rng.randint(0, (latest - earliest).days))

        kelurahan = self._domicile(package, group)
        if kelurahan is None:
            region, regency, _weight = rng.choices(OUTSIDE_REGIONS, weights=[r[2] for r in OUTSIDE_REGIONS])[0]
            address = f"{rng.choice(VILLAGE_HAMLETS)} RT {rng.randint(1, 8):03d}/RW {rng.randint(1, 5):03d}, {regency}"
            birth_place = "Batang" if regency == "Kab. Batang" else "Pekalongan"
        else:
            region = kelurahan.kecamatan.code.replace(".", "")
            street = rng.choice(CITY_STREETS)
            if rng.random() < 0.3:
                street += f" Gg. {rng.randint(1, 12)}"
            address = f"{street} No. {rng.randint(1, 120)} RT {rng.randint(1, 9):03d}/RW {rng.randint(1, 12):03d}"
            birth_place = rng.choices(
                ["Pekalongan", "Batang", "Pemalang", "Tegal", "Semarang", "Jakarta"], weights=[88, 4, 3, 2, 2, 1]
            )[0]

        education = rng.choices([3, 4, 5, 7, 8], weights=[15, 35, 45, 2, 3] if factory else [4, 11, 72, 4, 9])[0]
        # Since 2023 the classes hold only people who meet the program's rules (the bulk rows skip the
        # services); applicants in selection are as they come, and some fail a rule.
        strict = package.cohort.program.fiscal_year != PAST_YEAR and not applicant and not factory
        employment = self._intake_status(group, sex)
        if strict and employment in (Participant.EmploymentStatus.EMPLOYED, Participant.EmploymentStatus.SELF_EMPLOYED):
            employment = Participant.EmploymentStatus.UNEMPLOYED
        if factory:  # factory workers hold no job-seeker card, and their classes ask for none
            has_ak1 = False
        elif strict:
            has_ak1 = True
        elif applicant:
            has_ak1 = rng.random() < 0.9
        else:  # 2023, as the city kept it then
            has_ak1 = group == Participant.BeneficiaryGroup.JOB_SEEKER and rng.random() < 0.9
        ak1, ak1_issued_on = "", None
        if has_ak1:
            self.ak1_serial += 1
            ak1 = f"{region[:4]}-{package.starts_on.year}-{self.ak1_serial:05d}"
            ak1_issued_on = package.starts_on - datetime.timedelta(days=rng.randint(20, 520))
        kk_issued = self.today - datetime.timedelta(days=rng.randint(200, 5500))
        kk_number = f"{region}{kk_issued:%d%m%y}{rng.randint(1, 9999):04d}"
        person = Participant(
            nik=self._nik(region, sex, birth_date),
            full_name=self._name(sex, age),
            sex=sex,
            birth_place=birth_place,
            birth_date=birth_date,
            phone=f"{rng.choice(PHONE_PREFIXES)}{rng.randint(0, 10**8 - 1):08d}" if rng.random() < 0.96 else "",
            address=address,
            kelurahan=kelurahan,
            education=education,
            vocational_school=education == Participant.Education.SENIOR_SECONDARY and rng.random() < 0.45,
            employment_status_at_intake=employment,
            beneficiary_group=group,
            ak1_number=ak1,
            ak1_issued_on=ak1_issued_on,
            kk_number=kk_number,
            employer_name=FACTORY_EMPLOYER if group == Participant.BeneficiaryGroup.FACTORY_WORKER else "",
            has_disability=rng.random() < 0.02,
        )
        self.participants.append(person)
        return person

    def _intake_status(self, group: str, sex: str) -> str:
        """Factory workers work; most others are out of work, some keep house or already earn a little."""
        Status = Participant.EmploymentStatus
        if group == Participant.BeneficiaryGroup.FACTORY_WORKER:
            return Status.EMPLOYED
        if group == Participant.BeneficiaryGroup.TOBACCO_FARM_WORKER:
            return self.rng.choice([Status.EMPLOYED, Status.UNEMPLOYED])
        homemakers = 10 if sex == Participant.Sex.FEMALE else 1
        return self.rng.choices(
            [Status.UNEMPLOYED, Status.HOMEMAKER, Status.EMPLOYED, Status.SELF_EMPLOYED], weights=[80, homemakers, 6, 4]
        )[0]

    def _domicile(self, package: TrainingPackage, group: str) -> Kelurahan | None:
        """Kelurahan classes draw from around the venue; factory workers commute from further away."""
        rng = self.rng
        outside = 0.14 if group == Participant.BeneficiaryGroup.FACTORY_WORKER else 0.065
        if rng.random() < outside:
            return None
        venue = package.venue_kelurahan if package.category == Category.KELURAHAN else None
        if venue is not None:
            roll = rng.random()
            if roll < 0.65:
                return venue
            if roll < 0.9:
                return rng.choice([k for k in self.kelurahan if k.kecamatan_id == venue.kecamatan_id])
        return rng.choices(self.kelurahan, weights=self.kelurahan_weights)[0]

    def _nik(self, region: str, sex: str, birth_date: datetime.date) -> str:
        day = birth_date.day + (40 if sex == Participant.Sex.FEMALE else 0)
        stem = f"{region}{day:02d}{birth_date:%m%y}"
        serial = self.rng.randint(1, 25)
        while f"{stem}{serial:04d}" in self.used_niks:
            serial += 1
        nik = f"{stem}{serial:04d}"
        try:
            info = parse_nik(nik, today=self.today)
        except ValidationError as error:
            raise CommandError(f"Generated an invalid NIK {nik}: {error.messages[0]}") from error
        if info.sex != sex or info.birth_date != birth_date:
            raise CommandError(f"Generated NIK {nik} disagrees with sex {sex} or birth date {birth_date}.")
        self.used_niks.add(nik)
        return nik

    def _name(self, sex: str, age: int) -> str:
        rng = self.rng
        male = sex == Participant.Sex.MALE
        if rng.random() < 0.08 + 0.35 * (age - 18) / 37:
            return rng.choice(MALE_SINGLE if male else FEMALE_SINGLE)
        first = rng.choice(MALE_FIRST if male else FEMALE_FIRST)
        last = rng.choice(MALE_LAST if male else FEMALE_LAST)
        if male and first == "Muhammad" and rng.random() < 0.6:
            return f"{first} {rng.choice(MALE_MIDDLE)} {last}"
        return f"{first} {last}"

    # Attendance, completion, results, follow-ups

    def _attend(self, package: TrainingPackage, enrollments: list[Enrollment]) -> None:
        """Marks for every held meeting; completion, certificates and follow-ups once the package is over."""
        rng = self.rng
        sessions = self.sessions[package.pk]
        finished = package.status == PackageStatus.COMPLETED
        held = sessions if finished else [s for s in sessions if s.date < self.today]
        threshold = package.present_needed(len(sessions))
        operator = self.accounts[self.provider_slug[package.provider_id]]
        # The LSP tests whole classes: about half of the packages send their graduates.
        tested = rng.random() < (0.6 if package.category == Category.BLK else 0.4)
        certificates = 0
        for enrollment in enrollments:
            statuses = self._marks(len(held), len(sessions) - threshold, finished)
            dropped = len(statuses) < len(held)
            present, reached_on = 0, None
            for session, status in zip(held, statuses, strict=False):
                self.attendances.append(
                    Attendance(
                        enrollment=enrollment,
                        session=session,
                        status=status,
                        remark=self._remark(status),
                        marked_by=operator,
                        marked_at=self._marked_at(session.date),
                    )
                )
                present += status == Attendance.Status.PRESENT
                if present == threshold and reached_on is None:
                    reached_on = session.date
            if dropped:
                enrollment.status = Enrollment.Status.DROPPED_OUT
                continue
            if reached_on is not None:
                enrollment.completion_proposed_at = self._at(reached_on, 16, rng.randint(0, 59))
            if not finished:
                continue
            enrollment.status = Enrollment.Status.COMPLETED
            enrollment.completed_on = package.ends_on
            enrollment.completion_confirmed_by = self.staff
            if rng.random() < 0.95:
                certificates += 1
                enrollment.assessment = Enrollment.Assessment.PASSED
                enrollment.certificate_number = f"{self._certificate_prefix(package)}/{package.code}/{certificates:02d}"
                if tested:
                    enrollment.competency = (
                        Enrollment.Competency.COMPETENT
                        if rng.random() < 0.88
                        else Enrollment.Competency.NOT_YET_COMPETENT
                    )
            else:
                enrollment.assessment = Enrollment.Assessment.FAILED
            self._follow_up(enrollment)

    def _marks(self, held: int, slack: int, finished: bool) -> list[str]:
        """One status per held meeting; shorter than `held` for someone who dropped out.

        A completer misses at most `slack` meetings, so present marks reach the package's minimum.
        """
        rng = self.rng
        Status = Attendance.Status
        if held >= 6 and rng.random() < DROPOUT_SHARE:
            stop = rng.randint(3, max(3, min(held - 1, held * 2 // 3)))
            marks = [self._miss() if rng.random() < 0.15 else Status.PRESENT for _ in range(stop)]
            marks[-1] = Status.ABSENT  # they stopped coming; no marks after that
            return marks
        marks = [Status.PRESENT] * held
        if finished:
            misses = min(slack, rng.choices([0, 1, 2, 3, 4], weights=[45, 25, 15, 10, 5])[0])
        else:
            misses = sum(rng.random() < 0.06 for _ in range(held))
        for index in rng.sample(range(held), misses):
            marks[index] = self._miss()
        return marks

    def _miss(self) -> str:
        Status = Attendance.Status
        return self.rng.choices([Status.EXCUSED, Status.SICK, Status.ABSENT], weights=[35, 40, 25])[0]

    def _remark(self, status: str) -> str:
        if status == Attendance.Status.SICK and self.rng.random() < 0.4:
            return "Surat keterangan dokter"
        if status == Attendance.Status.EXCUSED and self.rng.random() < 0.5:
            return self.rng.choice(["Acara keluarga", "Mengantar orang tua berobat", "Hajatan tetangga"])
        return ""

    def _at(self, day: datetime.date, hour: int, minute: int) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))

    def _marked_at(self, day: datetime.date) -> datetime.datetime:
        """Marked as the class ends; now and then the next morning. Never in the future."""
        if self.rng.random() < 0.06 and day + datetime.timedelta(days=1) < self.today:
            return self._at(day + datetime.timedelta(days=1), self.rng.randint(7, 9), self.rng.randint(0, 59))
        return min(self._at(day, 15, self.rng.randint(0, 45)), self.now)

    def _certificate_prefix(self, package: TrainingPackage) -> str:
        slug = self.provider_slug[package.provider_id]
        return "BLK-PKL" if slug == BLK_SLUG else f"LPK-{slug.split('-')[0].upper()}"

    def _follow_up(self, enrollment: Enrollment) -> None:
        """Every round once due. A round whose window has closed was done by staff calls; the round open
        today went out as personal links (_by_link)."""
        ends_on = enrollment.package.ends_on
        trail = Trail()
        for round_ in Outcome.Round.values:
            due_on = round_due_on(ends_on, round_)
            if due_on > self.today:
                return
            if window_open(enrollment, round_, self.today):
                self._by_link(enrollment, round_, due_on, trail)
                return
            recorded_on = due_on + datetime.timedelta(days=self.rng.randint(0, 14))
            status = self._status(round_, trail)
            self._add_outcome(self._outcome(enrollment, round_, recorded_on, status, trail), trail)

    def _by_link(self, enrollment: Enrollment, round_: int, due_on: datetime.date, trail: Trail) -> None:
        """The personal link of the round open today: sent a few days after the round came due, a
        reminder each week without an answer (at most two), answered by some, and then the call list,
        from which staff have called about half. Nothing goes to someone without a phone number, and
        nothing is dated today or later (what would be sent today is left for staff to send)."""
        rng = self.rng
        if not enrollment.participant.phone:
            return
        sent_on = due_on + datetime.timedelta(days=rng.randint(*LINK_SENT_AFTER_DAYS))
        if sent_on >= self.today:
            return
        days = (self.today - sent_on).days
        sent_at = self._at(sent_on, rng.randint(8, 11), rng.randint(0, 59))
        delays, weights = zip(*ANSWER_DELAYS, strict=True)
        delay = rng.randint(*rng.choices(delays, weights=weights)[0])
        answers = rng.random() < LINK_ANSWER_SHARE and delay < days
        # A reminder goes on the 7th and the 14th day unless the answer came before it; one due today
        # is still to send.
        limit = delay + 1 if answers else days
        reminders = sum(REMINDER_AFTER_DAYS * n < limit for n in range(1, REMINDERS + 1))
        invitation = FollowUpInvitation(
            enrollment=enrollment,
            round=round_,
            sent_at=sent_at,
            reminders_sent=reminders,
            last_sent_at=sent_at + datetime.timedelta(days=REMINDER_AFTER_DAYS * reminders),
        )
        self.invitations.append(invitation)
        if answers:
            answered_at = invitation.last_sent_at + datetime.timedelta(
                days=delay - REMINDER_AFTER_DAYS * reminders, hours=rng.randint(1, 10), minutes=rng.randint(0, 59)
            )
            invitation.answered_at = answered_at
            outcome = self._outcome(
                enrollment,
                round_,
                timezone.localdate(answered_at),
                self._status(round_, trail, reachable=True),
                trail,
                self_reported=True,
            )
            answered_on = outcome.recorded_on
            if rng.random() < VERIFIED_SHARE and answered_on + datetime.timedelta(days=1) < self.today:
                checked_on = answered_on + datetime.timedelta(
                    days=rng.randint(1, min(10, (self.today - answered_on).days - 1))
                )
                outcome.verified_at = self._at(checked_on, rng.randint(9, 15), rng.randint(0, 59))
                outcome.verified_by = self.staff
            self._add_outcome(outcome, trail)
        elif days >= CALL_LIST_DAYS and rng.random() < CALLED_SHARE:
            # On the call list since day 21; those who left the link unanswered are harder to reach.
            waited = CALL_LIST_DAYS + rng.randint(0, min(days - CALL_LIST_DAYS, 20))
            called_on = sent_on + datetime.timedelta(days=waited)
            status = self._status(round_, trail, reluctant=True)
            self._add_outcome(self._outcome(enrollment, round_, called_on, status, trail), trail)

    def _status(self, round_: int, trail: Trail, *, reachable: bool = False, reluctant: bool = False) -> str:
        """People mostly keep their status from one round to the next. `reachable`: the person answered
        (through the link); `reluctant`: they left the link unanswered, so a call reaches them less often."""
        rng = self.rng
        weights = dict(OUTCOME_WEIGHTS[round_])
        if reachable:
            del weights[OutcomeStatus.UNREACHABLE]
        elif reluctant:
            weights[OutcomeStatus.UNREACHABLE] *= 2
        previous = trail.previous
        stays = previous is not None and rng.random() < (0.5 if previous == OutcomeStatus.UNREACHABLE else 0.72)
        if stays and previous in weights:
            return previous
        return rng.choices(list(weights), weights=list(weights.values()))[0]

    def _add_outcome(self, outcome: Outcome, trail: Trail) -> None:
        self.outcomes.append(outcome)
        trail.previous = outcome.status
        if outcome.status != OutcomeStatus.UNREACHABLE:
            trail.reached, trail.reached_round = outcome.status, outcome.round
            trail.work_started_on = outcome.work_started_on
            trail.satisfaction = outcome.satisfaction or trail.satisfaction

    def _outcome(
        self,
        enrollment: Enrollment,
        round_: int,
        recorded_on: datetime.date,
        status: str,
        trail: Trail,
        *,
        self_reported: bool = False,
    ) -> Outcome:
        """The answer of one round: given by the person through the link, or taken down by staff on a
        call (who ask the tracer questions of most, but not always all of them)."""
        rng = self.rng
        vocation = enrollment.package.vocation.name
        related = status in WORKING and rng.random() < 0.8
        sector, businesses, employers = WORK[vocation] if related else OTHER_WORK
        outcome = Outcome(
            enrollment=enrollment,
            round=round_,
            recorded_on=recorded_on,
            status=status,
            related_to_training=related,
            source=Outcome.Source.SELF_REPORTED if self_reported else Outcome.Source.STAFF_CALL,
            recorded_by=None if self_reported else self.staff,
        )
        growth = 1 + 0.05 * (round_ >= Outcome.Round.MONTH_6) + 0.05 * (round_ == Outcome.Round.MONTH_12)
        if status == OutcomeStatus.SELF_EMPLOYED:
            outcome.business_name = rng.choice(businesses).format(n=self._short_name(enrollment.participant))
            outcome.sector = sector
            outcome.monthly_income = min(4_000_000, round(rng.randint(20, 60) * 5 * growth) * 10_000)
        elif status == OutcomeStatus.EMPLOYED:
            outcome.employer_name = rng.choice(employers)
            outcome.sector = "" if self_reported else sector  # the link asks the employer only
            outcome.monthly_income = min(4_000_000, round(rng.randint(38, 70) * 5 * growth) * 10_000)
        if status in WORKING:
            outcome.work_started_on = self._work_started_on(enrollment, round_, recorded_on, status, trail)
            if self_reported and rng.random() < 0.12:
                outcome.monthly_income = None  # "you may leave it empty if you prefer not to say"
        if status == OutcomeStatus.UNREACHABLE:
            outcome.notes = rng.choice(["Nomor tidak aktif", "Tidak ada jawaban setelah 3 kali dihubungi"])
            return outcome
        if self_reported or rng.random() < 0.85:
            outcome.satisfaction = self._satisfaction(trail)
        if self_reported or rng.random() < 0.4:
            outcome.help_needed = [value for value, chance in HELP_LIKELIHOOD[status].items() if rng.random() < chance]
        if self_reported or rng.random() < 0.8:
            outcome.contact_again = rng.random() < 0.9
        if self_reported:
            return outcome  # no notes, no "related" outside work: the link asks neither
        if status == OutcomeStatus.FURTHER_TRAINING:
            outcome.related_to_training = rng.random() < 0.5
            outcome.notes = rng.choice(["Ikut pelatihan lanjutan", "Magang di perusahaan", "Melanjutkan kuliah"])
        elif status == OutcomeStatus.NOT_WORKING:
            outcome.notes = rng.choice(["Masih mencari kerja", "Mengurus rumah tangga", ""])
        return outcome

    def _work_started_on(
        self, enrollment: Enrollment, round_: int, recorded_on: datetime.date, status: str, trail: Trail
    ) -> datetime.date:
        """Since when the person has had this work or business: the same as at the last round if they
        kept it; otherwise found since the last round at which they did something else (since the last
        weeks of the training if they were not heard from before), sooner rather than later. Never
        before the training began, never after the answer, at most a month past the round's due day."""
        rng = self.rng
        package = enrollment.package
        if trail.reached == status and trail.work_started_on is not None:
            return trail.work_started_on
        if trail.reached_round is not None:
            earliest = round_due_on(package.ends_on, trail.reached_round)
        else:
            earliest = package.ends_on - datetime.timedelta(days=14)
        earliest = max(earliest, package.starts_on)
        latest = min(recorded_on, round_due_on(package.ends_on, round_) + datetime.timedelta(days=30))
        span = max((latest - earliest).days, 0)
        return earliest + datetime.timedelta(days=int(span * rng.random() ** 1.6))

    def _satisfaction(self, trail: Trail) -> int:
        """Mostly the same from one round to the next."""
        if trail.satisfaction is not None and self.rng.random() < 0.75:
            return trail.satisfaction
        return self.rng.choices(list(SATISFACTION_WEIGHTS), weights=list(SATISFACTION_WEIGHTS.values()))[0]

    @staticmethod
    def _short_name(person: Participant) -> str:
        """The name a business is called by: "Dapur Aminah" for Siti Aminah."""
        words = person.full_name.split()
        return words[1] if len(words) > 1 and words[0] in NAME_PREFIXES else words[0]
