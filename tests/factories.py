"""A factory for every model; SubFactory chains keep related rows consistent."""

import datetime

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from participants import attendance_summary
from participants.models import Attendance, Enrollment, Outcome, Participant
from pekalongan_training.roles import OFFICIAL_GROUP, OPERATOR_GROUP, STAFF_GROUP
from programs.models import Cohort, Kecamatan, Kelurahan, Program, Provider, Session, TrainingPackage, Vocation


def make_nik(*, sex: str, birth_date: datetime.date, serial: int, region: str = "337501") -> str:
    """A valid NIK that agrees with the sex and birth date (women: day + 40)."""
    day = birth_date.day + (40 if sex == Participant.Sex.FEMALE else 0)
    return f"{region}{day:02d}{birth_date:%m%y}{serial:04d}"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("test-pass-123")


def _in_group(name):
    """A post-generation hook putting the user in one of the role groups made by the migrations."""

    @factory.post_generation
    def group(obj, create, extracted, **kwargs):
        if create:
            obj.groups.add(Group.objects.get(name=name))

    return group


class StaffFactory(UserFactory):
    is_staff = True
    group = _in_group(STAFF_GROUP)


class OfficialFactory(UserFactory):
    group = _in_group(OFFICIAL_GROUP)


class OperatorFactory(UserFactory):
    group = _in_group(OPERATOR_GROUP)


class KecamatanFactory(factory.django.DjangoModelFactory):
    """Uses a seeded kecamatan when the code exists (the migrations seed the real ones)."""

    class Meta:
        model = Kecamatan
        django_get_or_create = ["code"]

    code = "33.75.01"
    name = "Pekalongan Barat"


class KelurahanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Kelurahan
        django_get_or_create = ["code"]

    code = "33.75.01.1002"
    name = "Medono"
    kecamatan = factory.SubFactory(KecamatanFactory)


class ProviderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Provider
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"LPK Terampil {n}")
    kind = Provider.Kind.LPK

    @factory.post_generation
    def operators(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.operators.add(*extracted)


class VocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Vocation
        django_get_or_create = ["name"]

    name = factory.Iterator(["Menjahit", "Barista", "Tata Boga", "Pengelasan SMAW", "Desain Grafis"])


class ProgramFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Program

    name = factory.Sequence(lambda n: f"Pelatihan Keterampilan Kerja {n}")
    fiscal_year = 2026
    funding_source = Program.FundingSource.DBHCHT
    budget = 500_000_000
    target_participants = 200
    # The rules added with selection are off unless a test turns them on (tests/participants/test_entry_rules.py).
    exclude_working = False
    require_ak1 = False
    no_repeat_vocation = False
    one_per_wave = False


class CohortFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cohort

    program = factory.SubFactory(ProgramFactory)
    number = factory.Sequence(lambda n: n + 1)
    registration_opens = datetime.date(2026, 8, 1)
    registration_closes = datetime.date(2026, 8, 31)
    starts_on = datetime.date(2026, 9, 1)
    ends_on = datetime.date(2026, 12, 15)


class TrainingPackageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrainingPackage

    code = factory.Sequence(lambda n: f"PKT-{n:04d}")
    title = factory.LazyAttribute(lambda o: f"Pelatihan {o.vocation.name}")
    vocation = factory.SubFactory(VocationFactory)
    cohort = factory.SubFactory(CohortFactory)
    provider = factory.SubFactory(ProviderFactory)
    category = TrainingPackage.Category.KELURAHAN
    quota = 20
    hours = 140
    budget = 60_000_000
    starts_on = datetime.date(2026, 9, 7)
    ends_on = datetime.date(2026, 9, 30)
    status = TrainingPackage.Status.RUNNING


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Session

    package = factory.SubFactory(TrainingPackageFactory)
    # Always a past day (7 September to 25 November 2026), whatever the number of meetings made
    # before in the run: a meeting in the future cannot be marked.
    date = factory.Sequence(lambda n: datetime.date(2026, 9, 7) + datetime.timedelta(days=n % 80))
    starts_at = datetime.time(8, 0)
    ends_at = datetime.time(15, 0)


class ParticipantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Participant

    full_name = factory.Sequence(lambda n: f"Peserta {n}")
    sex = Participant.Sex.FEMALE
    birth_date = datetime.date(1998, 5, 17)
    nik = factory.LazyAttributeSequence(
        lambda o, n: make_nik(
            sex=o.sex, birth_date=o.birth_date, serial=n % 9999 + 1, region=f"33750{n // 9999 % 4 + 1}"
        )
    )
    birth_place = "Pekalongan"
    phone = "081234567890"
    address = "Jl. Merdeka No. 1"
    kelurahan = factory.SubFactory(KelurahanFactory)
    education = Participant.Education.SENIOR_SECONDARY
    employment_status_at_intake = Participant.EmploymentStatus.UNEMPLOYED
    beneficiary_group = Participant.BeneficiaryGroup.JOB_SEEKER


class EnrollmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enrollment

    participant = factory.SubFactory(ParticipantFactory)
    package = factory.SubFactory(TrainingPackageFactory)
    status = Enrollment.Status.ENROLLED
    enrolled_on = datetime.date(2026, 9, 1)
    completed_on = factory.LazyAttribute(
        lambda o: o.package.ends_on if o.status == Enrollment.Status.COMPLETED else None
    )


class AttendanceFactory(factory.django.DjangoModelFactory):
    """A mark, with the summaries the attendance services would keep (participants/attendance_summary.py)."""

    class Meta:
        model = Attendance
        skip_postgeneration_save = True

    enrollment = factory.SubFactory(EnrollmentFactory)
    session = factory.SubFactory(SessionFactory, package=factory.SelfAttribute("..enrollment.package"))
    status = Attendance.Status.PRESENT
    marked_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def summaries(obj, create, extracted, **kwargs):
        if create:
            attendance_summary.refresh(enrollments=[obj.enrollment_id], sessions=[obj.session_id])


class OutcomeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Outcome

    enrollment = factory.SubFactory(EnrollmentFactory, status=Enrollment.Status.COMPLETED)
    round = Outcome.Round.MONTH_3
    recorded_on = datetime.date(2026, 11, 20)
    status = Outcome.Status.SELF_EMPLOYED
    related_to_training = True
    monthly_income = 2_500_000


def a_city_for_every_page(*, tag: str) -> dict:
    """One of everything a page of each role shows (the audits of tests/browser/test_accessibility.py
    and tests/test_english.py walk them): a package open for registration, one running today with
    three people and a meeting, one finished with a completer and a follow-up, and a user per role."""
    today = timezone.localdate()
    day = datetime.timedelta(days=1)
    operator = OperatorFactory(username=f"operator-{tag}")
    provider = ProviderFactory(name="LPK Batik Jaya", operators=[operator])
    cohort = CohortFactory(
        registration_opens=today - 5 * day,
        registration_closes=today + 5 * day,
        starts_on=today + 10 * day,
        ends_on=today + 60 * day,
    )
    open_package = TrainingPackageFactory(
        provider=provider, cohort=cohort, status="open", starts_on=today + 10 * day, ends_on=today + 40 * day
    )
    running = TrainingPackageFactory(provider=provider, starts_on=today - 3 * day, ends_on=today + 3 * day)
    session = SessionFactory(package=running, date=today)
    for name in ("Siti Aminah", "Slamet", "Dewi Lestari"):
        EnrollmentFactory(package=running, participant=ParticipantFactory(full_name=name))
    done = TrainingPackageFactory(provider=provider, starts_on=today - 200 * day, ends_on=today - 100 * day)
    completed = EnrollmentFactory(package=done, status="completed")
    OutcomeFactory(enrollment=completed)
    # Applicants in selection in the open package, and a package whose selection is announced.
    for name, score in (("Rahayu Ningsih", 80), ("Bagus Saputra", 70)):
        EnrollmentFactory(
            package=open_package,
            status="applied",
            participant=ParticipantFactory(full_name=name),
            test_score=score,
            interview_score=75,
            doc_ktp=True,
            doc_kk=True,
        )
    now = timezone.now()
    announced = TrainingPackageFactory(
        provider=provider,
        cohort=cohort,
        status="open",
        starts_on=today + 10 * day,
        ends_on=today + 40 * day,
        selection_decided_at=now,
        announcement_published_at=now,
    )
    EnrollmentFactory(package=announced, status="enrolled", selection_rank=1, receipt_number=f"{today.year}-KDT7QA")
    return {
        "announced": announced,
        "open": open_package,
        "running": running,
        "session": session,
        "completed": completed,
        "operator": operator,
        "official": OfficialFactory(username=f"pejabat-{tag}"),
        "staff": StaffFactory(username=f"staf-{tag}"),
    }
