"""Synthetic data at any size for benchmarks: `manage.py seed_scale --participants N`.

Proportions follow the demo city: packages of 20 seats with 25 meetings, about 25 attendance marks
per person, nine in ten completing, follow-ups at 3 and 6 months, a few people trained twice. Data
is written with bulk inserts in large batches (100,000 participants and about 2.5 million marks
take a few minutes on PostgreSQL). The NIKs are valid but fictional. Run it on an empty database
(after migrate); it refuses to run twice.
"""

import datetime
import random

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from participants import attendance_summary
from participants.models import Attendance, Enrollment, Outcome, Participant
from pekalongan_training.dates import add_months
from pekalongan_training.roles import OPERATOR_GROUP
from pekalongan_training.signals import records_changed
from programs.models import Cohort, Kelurahan, Program, Provider, Session, TrainingPackage, Vocation
from programs.services import meeting_dates

SEATS = 20
MEETINGS = 25
BATCH = 10_000
CATEGORIES = ["kelurahan", "factory_workers", "blk", "lpk", "blk_community"]
VOCATIONS = ["Barista", "Desain Grafis", "Menjahit", "Tata Boga", "Servis AC", "Pengelasan SMAW", "Batik"]
STATUSES = ["present"] * 88 + ["excused"] * 4 + ["sick"] * 4 + ["absent"] * 4
OUTCOMES = (
    ["self_employed"] * 38 + ["employed"] * 27 + ["further_training"] * 5 + ["not_working"] * 18 + ["unreachable"] * 12
)


class Command(BaseCommand):
    help = "Fill an empty database with synthetic participants, packages, meetings, marks and outcomes."

    def add_arguments(self, parser):
        parser.add_argument("--participants", type=int, default=2000)
        parser.add_argument("--seed", type=int, default=7)

    def handle(self, *args, participants, seed, **options):
        if Participant.objects.exists():
            raise CommandError("The database already has participants; seed_scale fills an empty one.")
        started = timezone.now()
        rng = random.Random(seed)
        with transaction.atomic():
            counts = Builder(rng, participants, self.stdout).build()
            records_changed.send(sender=Participant)  # bulk inserts send no signals
        # Fresh planner statistics: until autovacuum gets to the new tables, PostgreSQL would plan the
        # dashboard's aggregates for empty ones (about a third slower at province size).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        seconds = (timezone.now() - started).total_seconds()
        self.stdout.write(", ".join(f"{count} {name}" for name, count in counts.items()) + f" in {seconds:.0f} s")


class Builder:
    def __init__(self, rng, participants, out):
        self.rng, self.size, self.out = rng, participants, out
        self.today = timezone.localdate()

    def build(self) -> dict[str, int]:
        kelurahan = list(Kelurahan.objects.all()) + [None]
        vocations = [Vocation.objects.get_or_create(name=name)[0] for name in VOCATIONS]
        provider_count = max(3, self.size // 1500)
        operator_group = Group.objects.get(name=OPERATOR_GROUP)
        User = get_user_model()
        providers = []
        for n in range(provider_count):
            provider = Provider.objects.create(name=f"Penyelenggara Uji {n + 1:04d}", kind="lpk")
            user = User.objects.create(username=f"operator-uji-{n + 1:04d}")
            user.set_unusable_password()
            user.save()
            user.groups.add(operator_group)
            provider.operators.add(user)
            providers.append(provider)
        people = self._participants(kelurahan)
        packages = self._packages(providers, vocations)
        sessions = self._sessions(packages)
        enrollments = self._enrollments(packages, people)
        marks = self._attendance(packages, sessions, enrollments)
        outcomes = self._outcomes(packages, enrollments)
        attendance_summary.refresh()
        self.out.write("attendance summaries counted")
        return {
            "participants": len(people),
            "packages": len(packages),
            "meetings": sum(len(s) for s in sessions.values()),
            "enrollments": sum(len(e) for e in enrollments.values()),
            "marks": marks,
            "outcomes": outcomes,
        }

    def _participants(self, kelurahan) -> list[int]:
        batch, ids = [], []
        base = datetime.date(1975, 1, 1)
        for n in range(self.size):
            serial, block = n % 9999 + 1, n // 9999
            district = block % 4 + 1
            birth = base + datetime.timedelta(days=block // 4 * 7 + n % 3000)
            female = n % 2 == 1
            day = birth.day + (40 if female else 0)
            batch.append(
                Participant(
                    nik=f"33750{district}{day:02d}{birth:%m%y}{serial:04d}",
                    full_name=f"Peserta Uji {n + 1}",
                    sex="F" if female else "M",
                    birth_date=birth,
                    phone=f"0812{n:08d}",
                    kelurahan=kelurahan[n % len(kelurahan)],
                    education=self.rng.choice([3, 4, 5, 5, 5, 6, 7, 8]),
                    employment_status_at_intake=self.rng.choice(["unemployed"] * 6 + ["employed", "homemaker"]),
                    beneficiary_group=self.rng.choice(
                        ["job_seeker", "job_seeker", "factory_worker", "factory_worker_family"]
                    ),
                )
            )
            if len(batch) == BATCH:
                ids += [p.pk for p in Participant.objects.bulk_create(batch)]
                batch = []
        ids += [p.pk for p in Participant.objects.bulk_create(batch)]
        if not ids or ids[0] is None:  # a database without RETURNING
            ids = list(Participant.objects.order_by("pk").values_list("pk", flat=True))
        self.out.write(f"participants: {len(ids)}")
        return ids

    def _packages(self, providers, vocations) -> list[TrainingPackage]:
        count = max(4, self.size * 21 // 20 // SEATS)
        years = [self.today.year - 1, self.today.year]
        cohorts = {}
        for year in years:
            program = Program.objects.create(name=f"Program Uji {year}", fiscal_year=year, budget=10**10)
            for number in (1, 2, 3):
                cohorts[(year, number)] = Cohort.objects.create(
                    program=program,
                    number=number,
                    starts_on=datetime.date(year, 1 + (number - 1) * 4, 1),
                    ends_on=datetime.date(year, 4 * number, 28),
                )
        packages = []
        for n in range(count):
            # Spread over the last two years; one in ten still running today.
            if n % 10 == 0:
                starts = self.today - datetime.timedelta(days=self.rng.randint(5, 20))
            else:
                starts = self.today - datetime.timedelta(days=self.rng.randint(60, 700))
            ends = starts + datetime.timedelta(days=34)
            year = starts.year if starts.year in years else years[0]
            packages.append(
                TrainingPackage(
                    code=f"UJI-{n + 1:06d}",
                    title=f"Paket Uji {n + 1}",
                    vocation=vocations[n % len(vocations)],
                    cohort=cohorts[(year, n % 3 + 1)],
                    provider=providers[n % len(providers)],
                    category=CATEGORIES[n % len(CATEGORIES)],
                    quota=SEATS,
                    hours=140,
                    budget=60_000_000,
                    starts_on=starts,
                    ends_on=ends,
                    meeting_weekdays="01234",
                    status="running" if ends >= self.today else "completed",
                )
            )
        packages = TrainingPackage.objects.bulk_create(packages, batch_size=BATCH)
        if packages[0].pk is None:
            packages = list(TrainingPackage.objects.order_by("pk"))
        self.out.write(f"packages: {len(packages)}")
        return packages

    def _sessions(self, packages) -> dict[int, list[tuple[int, datetime.date]]]:
        batch, by_package = [], {}
        for package in packages:
            dates = meeting_dates(starts_on=package.starts_on, ends_on=package.ends_on, weekdays=[0, 1, 2, 3, 4])
            batch += [Session(package=package, date=date) for date in dates[:MEETINGS]]
        created = Session.objects.bulk_create(batch, batch_size=BATCH)
        if created and created[0].pk is None:
            created = list(Session.objects.order_by("pk"))
        for session in created:
            by_package.setdefault(session.package_id, []).append((session.pk, session.date))
        self.out.write(f"meetings: {len(created)}")
        return by_package

    def _enrollments(self, packages, people) -> dict[int, list[tuple[int, str]]]:
        batch = []
        seat = 0
        for package in packages:
            finished = package.status == "completed"
            for _ in range(SEATS):
                # Past the last person, some are trained a second time: reuse from the start.
                person = people[seat] if seat < len(people) else people[(seat - len(people)) * 7 % len(people)]
                seat += 1
                roll = self.rng.random()
                status = ("completed" if roll < 0.9 else "dropped_out") if finished else "enrolled"
                batch.append(
                    Enrollment(
                        participant_id=person,
                        package=package,
                        status=status,
                        enrolled_on=package.starts_on,
                        completed_on=package.ends_on if status == "completed" else None,
                    )
                )
        created = Enrollment.objects.bulk_create(batch, batch_size=BATCH, ignore_conflicts=True)
        by_package = {}
        for package_id, pk, status in Enrollment.objects.values_list("package_id", "pk", "status"):
            by_package.setdefault(package_id, []).append((pk, status))
        self.out.write(f"enrollments: {len(created)}")
        return by_package

    def _attendance(self, packages, sessions, enrollments) -> int:
        now, batch, total = timezone.now(), [], 0
        for package in packages:
            held = [(pk, date) for pk, date in sessions.get(package.pk, []) if date < self.today]
            for enrollment, status in enrollments.get(package.pk, []):
                stop = len(held) // 2 if status == "dropped_out" else len(held)
                for session, _date in held[:stop]:
                    batch.append(
                        Attendance(
                            enrollment_id=enrollment,
                            session_id=session,
                            status=self.rng.choice(STATUSES),
                            marked_at=now,
                        )
                    )
                if len(batch) >= BATCH:
                    Attendance.objects.bulk_create(batch)
                    total += len(batch)
                    batch = []
        Attendance.objects.bulk_create(batch)
        total += len(batch)
        self.out.write(f"marks: {total}")
        return total

    def _outcomes(self, packages, enrollments) -> int:
        batch = []
        for package in packages:
            for round_ in (3, 6):
                due = add_months(package.ends_on, round_)
                if due > self.today:
                    continue
                for enrollment, status in enrollments.get(package.pk, []):
                    if status == "completed" and self.rng.random() < 0.85:
                        answer = self.rng.choice(OUTCOMES)
                        working = answer in ("self_employed", "employed")
                        batch.append(
                            Outcome(
                                enrollment_id=enrollment,
                                round=round_,
                                recorded_on=due,
                                status=answer,
                                related_to_training=working and self.rng.random() < 0.7,
                                monthly_income=self.rng.randrange(1_000_000, 4_000_000, 50_000) if working else None,
                            )
                        )
        Outcome.objects.bulk_create(batch, batch_size=BATCH)
        self.out.write(f"outcomes: {len(batch)}")
        return len(batch)
