"""The entry rules per program and package category, each at its boundary, with its reason and its override;
the typed-only check of online registration; applications beyond the quota up to the application limit."""

import datetime
import re

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from participants import imports, notifications
from participants.eligibility import eligibility_failures, eligibility_failures_for, employer_key, package_rules
from participants.models import Enrollment, Participant
from participants.services import (
    applicant_accept,
    enrollment_change_status,
    enrollment_create,
    enrollment_withdraw,
    registration_create,
    registration_places_left,
)
from programs.forms import TrainingPackageForm
from programs.models import CategoryRules, TrainingPackage
from tests import factories
from tests.factories import make_nik

pytestmark = pytest.mark.django_db

D = datetime.date
TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)
FACTORY = "PT Urip Sugiharto"
KK = "3375011201150001"
OTHER_KK = "3375021201150002"
RULES_OFF = {
    "min_age": 0,
    "max_age": 0,
    "require_city_domicile": False,
    "exclude_in_school": False,
    "exclude_working": False,
    "require_ak1": False,
    "no_repeat_vocation": False,
    "one_training_per_year": False,
    "one_per_wave": False,
}


@pytest.fixture(autouse=True)
def _default_language_afterwards():
    """A request with the English cookie leaves English active in the thread: later tests expect the default."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


def _program(**rules):
    """A program with only the rules given switched on."""
    return factories.ProgramFactory(fiscal_year=TODAY.year, **{**RULES_OFF, **rules})


def _cohort(program=None, starts=30):
    return factories.CohortFactory(
        program=program or _program(),
        registration_opens=TODAY - 5 * DAY,
        registration_closes=TODAY + 5 * DAY,
        starts_on=TODAY + starts * DAY,
        ends_on=TODAY + (starts + 60) * DAY,
    )


def _package(*, program=None, cohort=None, starts=30, **kwargs):
    """A package open for registration that starts in `starts` days."""
    cohort = cohort or _cohort(program, starts)
    defaults = {
        "starts_on": TODAY + starts * DAY,
        "ends_on": TODAY + (starts + 20) * DAY,
        "status": TrainingPackage.Status.OPEN,
    }
    return factories.TrainingPackageFactory(cohort=cohort, **{**defaults, **kwargs})


def _factory_package(employer=FACTORY, **rules):
    program = _program(exclude_working=True, **rules)
    CategoryRules.objects.create(
        program=program, category=TrainingPackage.Category.FACTORY_WORKERS, required_employer=employer
    )
    return _package(program=program, category=TrainingPackage.Category.FACTORY_WORKERS)


def _person(**kwargs):
    return factories.ParticipantFactory(**kwargs)


def _worker(employer=FACTORY, kk_number=KK, source=Enrollment.Source.STAFF, **enrollment):
    """A worker of `employer` on record, with an enrollment of `source` elsewhere (what makes the record trusted)."""
    worker = _person(kk_number=kk_number, employer_name=employer, employment_status_at_intake="employed")
    factories.EnrollmentFactory(participant=worker, source=source, **{"status": "completed", **enrollment})
    return worker


def _rules(person, package, **kwargs):
    return [failure.rule for failure in eligibility_failures(person, package, **kwargs)]


def _years_before(day, years):
    return day.replace(year=day.year - years)


# --- each rule at its boundary --------------------------------------------------------------------


def test_age_on_the_first_day_at_the_minimum_and_the_maximum():
    package = _package(program=_program(min_age=18, max_age=35))
    first = package.starts_on
    assert _rules(_person(birth_date=_years_before(first, 18)), package) == []  # 18 on the first day
    assert _rules(_person(birth_date=_years_before(first, 18) + DAY), package) == ["min_age"]  # 18 a day later
    assert _rules(_person(birth_date=_years_before(first, 36) + DAY), package) == []  # still 35 on the first day
    too_old = _person(birth_date=_years_before(first, 36))  # 36 on the first day
    assert _rules(too_old, package) == ["max_age"]
    with translation.override("en"):
        (failure,) = eligibility_failures(too_old, package)
    assert failure.reason == (
        f"Must be at most 35 years old on {first.day} {first:%B %Y}, when the training starts; is 36."
    )
    assert failure.field == "birth_date"


def test_a_maximum_of_0_is_no_limit():
    package = _package(program=_program(max_age=0))
    assert _rules(_person(birth_date=D(1950, 1, 1)), package) == []


def test_domicile_in_the_city():
    package = _package(program=_program(require_city_domicile=True))
    assert _rules(_person(kelurahan=None), package) == ["domicile"]
    assert _rules(_person(), package) == []


@pytest.mark.parametrize(
    ("status", "failed"),
    [
        ("employed", ["working"]),
        ("self_employed", ["working"]),
        ("unemployed", []),
        ("homemaker", []),
        ("other", []),
        ("in_school", ["in_school"]),
    ],
)
def test_not_working_and_not_in_school(status, failed):
    package = _package(program=_program(exclude_working=True, exclude_in_school=True))
    assert _rules(_person(employment_status_at_intake=status), package) == failed


@pytest.mark.parametrize(
    ("employer", "passes"),
    [
        ("PT Urip Sugiharto", True),
        ("PT. Urip  Sugiharto", True),
        ("urip sugiharto", True),
        ("P.T. URIP SUGIHARTO", True),
        (" Urip-Sugiharto ", True),
        ("PT Urip Sugiharto Jaya", False),
        ("PT Djarum", False),
        ("", False),
    ],
)
def test_a_factory_package_takes_workers_of_the_named_factory(employer, passes):
    package = _factory_package()
    worker = _person(employment_status_at_intake="employed", beneficiary_group="factory_worker", employer_name=employer)
    # Working is what the package is for: no "not working" failure, only the factory's rule.
    assert _rules(worker, package) == ([] if passes else ["factory_worker"])


def test_the_factory_rule_says_which_factory_and_which_employer():
    package = _factory_package()
    worker = _person(employment_status_at_intake="employed", employer_name="PT Djarum")
    with translation.override("en"):
        (failure,) = eligibility_failures(worker, package)
    assert failure.reason == (
        "This package is for workers of PT Urip Sugiharto and their families; the employer given is PT Djarum."
    )
    assert failure.field == "employer_name"


def test_employers_are_compared_as_people_write_them():
    assert employer_key("PT. Urip  Sugiharto") == employer_key("urip sugiharto") == "urip sugiharto"
    assert employer_key("Ptolemy Batik") == "ptolemy batik"  # "PT" only as a word of its own


@pytest.mark.parametrize(
    ("written", "key"),
    [
        ("PR Sekar Tembakau", "sekar tembakau"),  # perusahaan rokok, as cigarette factories are called
        ("P.R. Sekar Tembakau", "sekar tembakau"),
        ("Sekar Tembakau", "sekar tembakau"),
        ("PT. Urip Sugiharto Tbk", "urip sugiharto"),
        ("PT Urip Sugiharto, Tbk.", "urip sugiharto"),
        ("CV. Batik Pesisir", "batik pesisir"),
        ("UD Sumber Rejeki", "sumber rejeki"),
        ("Prima Rasa", "prima rasa"),  # "PR", "CV", "UD" only as words of their own
        ("Udin Konveksi", "udin konveksi"),
        ("Tbk Jaya Makmur", "tbk jaya makmur"),  # "Tbk" only at the end
    ],
)
def test_an_employer_is_compared_without_its_legal_form(written, key):
    assert employer_key(written) == key


def test_a_factory_named_with_its_legal_form_takes_workers_who_write_it_without():
    package = _factory_package(employer="PR Sekar Tembakau")
    worker = _person(beneficiary_group="factory_worker", employer_name="Sekar Tembakau")
    assert _rules(worker, package) == []
    listed = _factory_package(employer="Urip Sugiharto")
    assert _rules(_person(beneficiary_group="factory_worker", employer_name="PT. Urip Sugiharto Tbk"), listed) == []


def test_family_of_a_worker_of_the_named_factory_by_the_same_kk():
    package = _factory_package()
    _worker(employer="PT. URIP SUGIHARTO")
    _worker(employer="PT Djarum", kk_number=OTHER_KK)
    same_kk = _person(kk_number=KK, beneficiary_group="factory_worker_family")
    other_kk = _person(kk_number=OTHER_KK, beneficiary_group="factory_worker_family")  # family of another factory
    no_worker = _person(kk_number="3375031201150003", beneficiary_group="factory_worker_family")
    no_kk = _person(kk_number="", beneficiary_group="factory_worker_family")
    assert _rules(same_kk, package) == []
    assert _rules(other_kk, package) == ["factory_worker"]
    assert _rules(no_worker, package) == ["factory_worker"]
    assert _rules(no_kk, package) == ["factory_worker"]
    # The group is what the person says: family with the KK but not saying so is not taken as family.
    assert _rules(_person(kk_number=KK, beneficiary_group="job_seeker"), package) == ["factory_worker"]


def test_a_worker_is_not_their_own_family():
    package = _factory_package()
    alone = _person(kk_number=KK, beneficiary_group="factory_worker_family", employer_name="")
    assert _rules(alone, package) == ["factory_worker"]


def test_a_worker_who_only_registered_online_is_no_proof_of_family():
    """Anyone can register online as a worker of the factory with any No. KK: until staff verify that
    registration, or the person has an enrollment staff entered or imported, it lets no family in."""
    package = _factory_package()
    family = _person(kk_number=KK, beneficiary_group="factory_worker_family")
    made_up = _worker(source=Enrollment.Source.REGISTRATION, package=package, status="applied")
    assert _rules(family, package) == ["factory_worker"]
    # The same worker, once staff verified the online registration.
    Enrollment.objects.filter(participant=made_up).update(consent_verified_at=timezone.now())
    assert _rules(family, package) == []
    Enrollment.objects.filter(participant=made_up).delete()
    assert _rules(family, package) == ["factory_worker"]  # and a worker with no enrollment at all
    # A worker entered by staff, or imported, somewhere else: the record is trusted.
    factories.EnrollmentFactory(participant=made_up, source=Enrollment.Source.IMPORT)
    assert _rules(family, package) == []


def test_a_worker_made_up_online_lets_no_family_in_through_the_public_form(client):
    package, _cohort_ = _strict_factory_package()
    kelurahan = factories.KelurahanFactory()
    fake_worker = _typed(
        kelurahan,
        nik=make_nik(sex="M", birth_date=BIRTH, serial=42),
        sex="M",
        full_name="Pekerja Palsu",
        beneficiary_group="factory_worker",
        employment_status_at_intake="employed",
        employer_name="PT Urip Sugiharto",
    )
    assert client.post(reverse("public:register", args=[package.pk]), fake_worker).status_code == 302
    assert client.post(reverse("public:register", args=[package.pk]), _typed(kelurahan)).status_code == 302
    family = Participant.objects.get(nik=NIK)
    # Staff see it: the only "worker" of her KK is an online registration nobody verified.
    assert _rules(family, package) == ["factory_worker"]
    staff = factories.StaffFactory()
    with pytest.raises(ValidationError) as error:
        applicant_accept(enrollment=Enrollment.objects.get(participant=family), actor=staff)
    assert "override_reason" in error.value.message_dict
    assert Enrollment.objects.get(participant=family).status == "applied"


@pytest.mark.parametrize("not_working", [False, None])
def test_the_factory_rule_holds_when_not_working_is_off_for_the_category(not_working):
    """The demo city sets "not working: No" for factory packages (their people work); the factory's
    rule must hold all the same, and "not working" stays off."""
    program = _program(exclude_working=not_working is None)
    CategoryRules.objects.create(
        program=program,
        category=TrainingPackage.Category.FACTORY_WORKERS,
        exclude_working=not_working,
        required_employer=FACTORY,
    )
    package = _package(program=program, category=TrainingPackage.Category.FACTORY_WORKERS)
    bank = _person(employment_status_at_intake="employed", beneficiary_group="factory_worker", employer_name="Bank BRI")
    assert _rules(bank, package) == ["factory_worker"]
    worker = _person(employment_status_at_intake="employed", beneficiary_group="factory_worker", employer_name=FACTORY)
    assert _rules(worker, package) == []
    _worker()
    assert _rules(_person(kk_number=KK, beneficiary_group="factory_worker_family"), package) == []
    assert _rules(_person(kk_number=OTHER_KK, beneficiary_group="factory_worker_family"), package) == ["factory_worker"]


def test_a_factory_package_without_a_named_factory_goes_by_the_group_whatever_not_working_says():
    program = _program()  # "not working" off
    CategoryRules.objects.create(program=program, category=TrainingPackage.Category.FACTORY_WORKERS)
    package = _package(program=program, category=TrainingPackage.Category.FACTORY_WORKERS)
    assert _rules(_person(beneficiary_group="job_seeker", employment_status_at_intake="employed"), package) == [
        "factory_worker"
    ]
    assert _rules(_person(beneficiary_group="factory_worker_family"), package) == []


def test_a_factory_package_without_a_named_factory_goes_by_the_group():
    package = _package(program=_program(exclude_working=True), category=TrainingPackage.Category.FACTORY_WORKERS)
    assert _rules(_person(beneficiary_group="factory_worker", employment_status_at_intake="employed"), package) == []
    assert _rules(_person(beneficiary_group="factory_worker_family"), package) == []
    assert _rules(_person(beneficiary_group="job_seeker"), package) == ["factory_worker"]


@pytest.mark.parametrize(
    ("issued", "first_day", "passes"),
    [
        (D(2024, 9, 7), D(2026, 9, 7), False),  # exactly 2 years before: no longer valid on the first day
        (D(2024, 9, 8), D(2026, 9, 7), True),  # the last day of its 2 years
        (D(2026, 9, 7), D(2026, 9, 7), True),  # issued on the first day
        (D(2026, 9, 8), D(2026, 9, 7), False),  # issued after the first day
        (D(2024, 2, 29), D(2026, 2, 27), True),  # 29 February + 2 years is 28 February 2026
        (D(2024, 2, 29), D(2026, 2, 28), False),
    ],
)
def test_an_ak1_card_valid_on_the_first_day(issued, first_day, passes):
    program = _program(require_ak1=True)
    cohort = factories.CohortFactory(
        program=program, registration_opens=None, registration_closes=None, starts_on=first_day, ends_on=first_day
    )
    package = factories.TrainingPackageFactory(cohort=cohort, starts_on=first_day, ends_on=first_day)
    person = _person(ak1_number="AK1/3375/2024/00123", ak1_issued_on=issued)
    assert _rules(person, package) == ([] if passes else ["ak1"])


def test_an_ak1_card_needs_its_number_and_its_date_and_says_until_when_it_was_valid():
    package = _package(program=_program(require_ak1=True))
    first = package.starts_on
    with translation.override("en"):
        (no_number,) = eligibility_failures(_person(ak1_number="", ak1_issued_on=first), package)
        (no_date,) = eligibility_failures(_person(ak1_number="123", ak1_issued_on=None), package)
        issued = _years_before(first, 3)
        (old,) = eligibility_failures(_person(ak1_number="123", ak1_issued_on=issued), package)
    assert (no_number.rule, no_number.field) == ("ak1", "ak1_number")
    assert (no_date.rule, no_date.field) == ("ak1", "ak1_issued_on")
    last = _years_before(first, 1) - DAY
    assert f"issued on {issued.day} {issued:%B %Y} was valid for 2 years, until {last.day} {last:%B %Y}" in (old.reason)


def test_no_second_training_in_a_vocation_completed_before():
    vocation = factories.VocationFactory(name="Menjahit")
    package = _package(program=_program(no_repeat_vocation=True), vocation=vocation)
    earlier = factories.TrainingPackageFactory(vocation=vocation)  # 2026, another program
    completed = factories.EnrollmentFactory(package=earlier, status="completed").participant
    dropped = factories.EnrollmentFactory(package=earlier, status="dropped_out").participant
    elsewhere = factories.EnrollmentFactory(
        package=factories.TrainingPackageFactory(vocation=factories.VocationFactory(name="Barista")), status="completed"
    ).participant
    assert _rules(completed, package) == ["repeat_vocation"]
    assert _rules(dropped, package) == []
    assert _rules(elsewhere, package) == []
    with translation.override("en"):
        (failure,) = eligibility_failures(completed, package)
    assert f"Already completed a training in Menjahit (package {earlier.code})" in failure.reason


def test_one_package_a_wave():
    program = _program(one_per_wave=True)
    cohort = _cohort(program)
    package = _package(cohort=cohort)
    sibling = _package(cohort=cohort)
    seated = factories.EnrollmentFactory(package=sibling, status="enrolled").participant
    applied = factories.EnrollmentFactory(package=sibling, status="applied").participant
    rejected = factories.EnrollmentFactory(package=sibling, status="rejected").participant
    other_wave = factories.EnrollmentFactory(package=_package(program=program), status="enrolled").participant
    here = factories.EnrollmentFactory(package=package, status="enrolled").participant  # its own seat
    assert _rules(seated, package) == ["one_per_wave"]
    assert [_rules(person, package) for person in (applied, rejected, other_wave, here)] == [[], [], [], []]
    with translation.override("en"):
        (failure,) = eligibility_failures(seated, package)
    assert f"Already has a seat in package {sibling.code} of the same wave" in failure.reason


def test_one_training_a_year_still_holds():
    program = _program(one_training_per_year=True)
    package = _package(program=program)
    other = factories.EnrollmentFactory(package=_package(program=_program()), status="enrolled").participant
    assert _rules(other, package) == ["one_per_year"]


# --- the category's rules -------------------------------------------------------------------------


def test_the_category_row_changes_the_program_rules_for_its_packages_only():
    program = _program(min_age=18, require_ak1=True)
    CategoryRules.objects.create(
        program=program, category=TrainingPackage.Category.FACTORY_WORKERS, min_age=16, require_ak1=False
    )
    CategoryRules.objects.create(program=program, category=TrainingPackage.Category.BLK, exclude_working=True)
    cohort = _cohort(program)
    factory = _package(cohort=cohort, category=TrainingPackage.Category.FACTORY_WORKERS)
    blk = _package(cohort=cohort, category=TrainingPackage.Category.BLK)
    kelurahan = _package(cohort=cohort, category=TrainingPackage.Category.KELURAHAN)
    seventeen = _person(
        birth_date=_years_before(factory.starts_on, 17),
        employment_status_at_intake="employed",
        beneficiary_group="factory_worker",
    )
    assert _rules(seventeen, factory) == []  # 16 is enough here, no AK/1, and working is not looked at
    assert _rules(seventeen, kelurahan) == ["min_age", "ak1"]  # the program's rules
    assert _rules(seventeen, blk) == ["min_age", "working", "ak1"]  # the program's, and not working
    rules = package_rules(factory)
    assert (rules.min_age, rules.require_ak1, rules.exclude_working) == (16, False, False)  # empty: as the program


def test_the_category_rules_are_read_once_for_a_list_and_from_a_prefetch():
    program = _program(min_age=18)
    CategoryRules.objects.create(program=program, category=TrainingPackage.Category.KELURAHAN, min_age=21)
    package = _package(program=program)
    with CaptureQueriesContext(connection) as queries:
        assert package_rules(package).min_age == 21
    assert len(queries) == 1
    prefetched = TrainingPackage.objects.select_related("cohort__program").prefetch_related(
        "cohort__program__category_rules"
    )
    package = prefetched.get(pk=package.pk)
    with CaptureQueriesContext(connection) as queries:
        assert package_rules(package).min_age == 21
    assert len(queries) == 0


def test_everyone_s_rules_take_the_same_queries_whatever_their_number():
    program = _program(one_training_per_year=True, one_per_wave=True, no_repeat_vocation=True, min_age=18)
    CategoryRules.objects.create(
        program=program, category=TrainingPackage.Category.FACTORY_WORKERS, required_employer=FACTORY
    )
    program.exclude_working = True
    program.save()
    cohort = _cohort(program)
    package = _package(cohort=cohort, category=TrainingPackage.Category.FACTORY_WORKERS)
    sibling = _package(cohort=cohort)
    _worker()
    _worker(source=Enrollment.Source.REGISTRATION)  # not trusted: no more queries for it
    people = []
    for _ in range(12):
        person = _person(kk_number=KK, beneficiary_group="factory_worker_family")
        factories.EnrollmentFactory(participant=person, package=sibling, status="enrolled")
        people.append(person)
    package = TrainingPackage.objects.select_related("cohort__program", "vocation").get(pk=package.pk)
    with CaptureQueriesContext(connection) as one:
        eligibility_failures_for(people[:1], package)
    with CaptureQueriesContext(connection) as many:
        checked = eligibility_failures_for(people, package)
    assert len(one) == len(many) == 3  # the category's rules, the other enrollments, the families' workers
    assert {tuple(failure.rule for failure in failures) for failures in checked} == {("one_per_year", "one_per_wave")}


# --- online: only what was typed --------------------------------------------------------------------


BIRTH = D(1999, 3, 14)
NIK = make_nik(sex="F", birth_date=BIRTH, serial=41)


def _typed(kelurahan, **overrides):
    data = {
        "nik": NIK,
        "kk_number": KK,
        "full_name": "Sri Rahayu",
        "sex": "F",
        "birth_date": BIRTH.isoformat(),
        "phone": "0857 1234 5678",
        "address": "Jl. Kenanga 2",
        "kelurahan": kelurahan.pk,
        "education": "5",
        "employment_status_at_intake": "homemaker",
        "employer_name": "",
        "beneficiary_group": "factory_worker_family",
        "ak1_number": "AK1-2026-0042",
        "ak1_issued_on": (TODAY - 30 * DAY).isoformat(),
        "consent": "on",
        "website": "",
    }
    return {**data, **overrides}


def _strict_factory_package():
    """Every rule on, a named factory: what the record says makes the person fail for staff."""
    program = _program(
        min_age=18,
        require_city_domicile=True,
        exclude_in_school=True,
        exclude_working=True,
        require_ak1=True,
        no_repeat_vocation=True,
        one_training_per_year=True,
        one_per_wave=True,
    )
    CategoryRules.objects.create(
        program=program, category=TrainingPackage.Category.FACTORY_WORKERS, required_employer=FACTORY
    )
    cohort = _cohort(program)
    return _package(cohort=cohort, category=TrainingPackage.Category.FACTORY_WORKERS), cohort


def _on_record_failing_every_record_rule(package, cohort):
    person = _person(
        nik=NIK,
        full_name="Sri Rahayu",
        birth_date=BIRTH,
        kk_number=KK,
        beneficiary_group="factory_worker_family",
        ak1_number="AK1",
        ak1_issued_on=TODAY - DAY,
    )
    sibling = _package(cohort=cohort, vocation=package.vocation)
    factories.EnrollmentFactory(participant=person, package=sibling, status="enrolled")
    earlier = factories.TrainingPackageFactory(vocation=package.vocation)
    factories.EnrollmentFactory(participant=person, package=earlier, status="completed")
    return person


def _normalised(response):
    content = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())
    return re.sub(r"\d{4}-[A-Z2-9]{6}", "RECEIPT", content)


def test_online_the_record_rules_are_skipped_and_the_answer_is_the_same_for_any_nik(client):
    package, cohort = _strict_factory_package()
    kelurahan = factories.KelurahanFactory()
    new = client.post(reverse("public:register", args=[package.pk]), _typed(kelurahan))
    new_receipt = client.get(reverse("public:receipt"))
    Enrollment.objects.filter(package=package).delete()
    Participant.objects.filter(nik=NIK).delete()
    person = _on_record_failing_every_record_rule(package, cohort)
    # Staff see what the record says: no worker of the factory in her KK, a seat in the wave, the vocation done.
    assert _rules(person, package) == ["one_per_year", "factory_worker", "repeat_vocation", "one_per_wave"]
    on_record = client.post(reverse("public:register", args=[package.pk]), _typed(kelurahan))
    receipt = client.get(reverse("public:receipt"))
    assert new.status_code == on_record.status_code == 302
    assert _normalised(receipt) == _normalised(new_receipt)
    assert Enrollment.objects.get(package=package).participant == person
    typed = Participant(**{"kk_number": KK, "beneficiary_group": "factory_worker_family"})
    assert eligibility_failures(person, package, typed_only=True) == []
    assert [f.rule for f in eligibility_failures(typed, package, typed_only=True)] == ["domicile", "ak1"]


def test_online_a_rule_failing_on_what_was_typed_is_the_same_for_any_nik_and_stands_by_its_field(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    package, cohort = _strict_factory_package()
    kelurahan = factories.KelurahanFactory()
    expired = _typed(kelurahan, ak1_issued_on=_years_before(package.starts_on, 2).isoformat())
    new = client.post(reverse("public:register", args=[package.pk]), expired)
    _on_record_failing_every_record_rule(package, cohort)
    on_record = client.post(reverse("public:register", args=[package.pk]), expired)
    assert new.status_code == on_record.status_code == 200
    assert _normalised(new) == _normalised(on_record)
    content = new.content.decode()
    assert 'id="id_ak1_issued_on_error"' in content and "Renew the card at the dinas" in content
    assert not Enrollment.objects.filter(package=package).exists()


def test_online_family_must_type_the_kk_in_a_factory_package(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    package, _cohort_ = _strict_factory_package()
    response = client.post(
        reverse("public:register", args=[package.pk]), _typed(factories.KelurahanFactory(), kk_number="")
    )
    assert response.status_code == 200
    assert 'id="id_kk_number_error"' in response.content.decode()
    assert "family members give the No. KK they share with the worker" in response.content.decode()


def test_what_was_typed_online_is_kept_and_a_new_person_is_recorded_with_it(client):
    package, _cohort_ = _strict_factory_package()
    kelurahan = factories.KelurahanFactory()
    typed = _typed(
        kelurahan,
        kk_number="3375.0112.0115.0001",
        beneficiary_group="factory_worker",
        employment_status_at_intake="employed",
        employer_name="  pt. urip   sugiharto ",
    )
    assert client.post(reverse("public:register", args=[package.pk]), typed).status_code == 302
    enrollment = Enrollment.objects.get(package=package)
    submitted = enrollment.submitted[0]
    assert (submitted["kk_number"], submitted["employer_name"], submitted["ak1_number"]) == (
        KK,
        "pt. urip sugiharto",
        "AK1-2026-0042",
    )
    assert submitted["ak1_issued_on"] == (TODAY - 30 * DAY).isoformat()
    person = enrollment.participant
    assert (person.kk_number, person.employer_name, person.ak1_issued_on) == (
        KK,
        "pt. urip sugiharto",
        TODAY - 30 * DAY,
    )


def test_a_nik_on_record_keeps_its_record_whatever_kk_and_card_are_typed(client):
    package, cohort = _strict_factory_package()
    person = _person(nik=NIK, full_name="Sri Rahayu", birth_date=BIRTH, kk_number=OTHER_KK, ak1_number="")
    client.post(reverse("public:register", args=[package.pk]), _typed(factories.KelurahanFactory()))
    person.refresh_from_db()
    assert (person.kk_number, person.ak1_number, person.ak1_issued_on) == (OTHER_KK, "", None)
    assert Enrollment.objects.get(package=package).submitted[0]["kk_number"] == KK


def test_a_registration_sends_the_receipt_to_the_typed_phone_and_tells_the_person_on_record(client, monkeypatch):
    calls = []
    monkeypatch.setattr(notifications, "registration_receipt", lambda **kwargs: calls.append(("receipt", kwargs)))
    monkeypatch.setattr(notifications, "owner_notice", lambda **kwargs: calls.append(("owner", kwargs)))
    package = _package()
    kelurahan = factories.KelurahanFactory()
    client.post(reverse("public:register", args=[package.pk]), _typed(kelurahan, beneficiary_group="job_seeker"))
    first = Enrollment.objects.get()
    assert calls == [("receipt", {"enrollment": first, "phone": "085712345678"})]
    calls.clear()
    # The same NIK again, now on record (phone 0857...): the receipt to the number typed, the notice to the record's.
    client.post(
        reverse("public:register", args=[package.pk]),
        _typed(kelurahan, beneficiary_group="job_seeker", phone="0813 9999 0000"),
    )
    assert [kind for kind, _kwargs in calls] == ["owner", "receipt"]
    owner, receipt = calls[0][1], calls[1][1]
    assert owner["phone"] == "085712345678" and package.code in owner["text"]
    assert receipt["phone"] == "081399990000" and receipt["enrollment"].pk == first.pk
    first.refresh_from_db()
    assert len(first.owner_notices) == 1 and first.owner_notices[0]["to"] == "0857*****678"


# --- overrides, rule by rule -------------------------------------------------------------------------


def _case_min_age():
    package = _package(program=_program(min_age=18))
    return package, _person(birth_date=_years_before(package.starts_on, 16))


def _case_max_age():
    package = _package(program=_program(max_age=35))
    return package, _person(birth_date=_years_before(package.starts_on, 40))


def _case_domicile():
    return _package(program=_program(require_city_domicile=True)), _person(kelurahan=None)


def _case_in_school():
    return _package(program=_program(exclude_in_school=True)), _person(employment_status_at_intake="in_school")


def _case_working():
    return _package(program=_program(exclude_working=True)), _person(employment_status_at_intake="employed")


def _case_factory_worker():
    return _factory_package(), _person(employment_status_at_intake="employed", employer_name="PT Djarum")


def _case_ak1():
    return _package(program=_program(require_ak1=True)), _person(ak1_number="")


def _case_repeat_vocation():
    package = _package(program=_program(no_repeat_vocation=True))
    earlier = factories.TrainingPackageFactory(vocation=package.vocation)
    return package, factories.EnrollmentFactory(package=earlier, status="completed").participant


def _case_one_per_year():
    package = _package(program=_program(one_training_per_year=True))
    return package, factories.EnrollmentFactory(package=_package(program=_program())).participant


def _case_one_per_wave():
    program = _program(one_per_wave=True)
    cohort = _cohort(program)
    return _package(cohort=cohort), factories.EnrollmentFactory(package=_package(cohort=cohort)).participant


OVERRIDE_CASES = {
    "min_age": _case_min_age,
    "max_age": _case_max_age,
    "domicile": _case_domicile,
    "in_school": _case_in_school,
    "working": _case_working,
    "factory_worker": _case_factory_worker,
    "ak1": _case_ak1,
    "repeat_vocation": _case_repeat_vocation,
    "one_per_year": _case_one_per_year,
    "one_per_wave": _case_one_per_wave,
}


@pytest.mark.parametrize("rule", OVERRIDE_CASES)
def test_each_failed_rule_refuses_a_seat_until_staff_write_a_reason_kept_for_that_rule(rule):
    package, person = OVERRIDE_CASES[rule]()
    assert _rules(person, package) == [rule]
    staff = factories.StaffFactory()
    with pytest.raises(ValidationError) as error:
        enrollment_create(participant=person, package=package, actor=staff)
    assert "override_reason" in error.value.message_dict
    with pytest.raises(ValidationError):
        enrollment_create(
            participant=person, package=package, override_reason="Saya operator", actor=factories.OperatorFactory()
        )
    assert not Enrollment.objects.filter(package=package).exists()
    enrollment = enrollment_create(
        participant=person, package=package, override_reason=" Rekomendasi Kepala Dinas ", actor=staff
    )
    enrollment.refresh_from_db()
    assert (enrollment.status, enrollment.override_reason, enrollment.overridden_rules) == (
        "enrolled",
        "Rekomendasi Kepala Dinas",
        [rule],
    )


def test_a_reason_covers_the_rules_it_was_written_for_and_a_new_failure_needs_its_own():
    program = _program(min_age=18, one_per_wave=True)
    cohort = _cohort(program)
    package, sibling = _package(cohort=cohort), _package(cohort=cohort)
    young = _person(birth_date=_years_before(package.starts_on, 16))
    staff = factories.StaffFactory()
    waiting = enrollment_create(
        participant=young, package=package, status="waitlisted", override_reason="Rekomendasi LPK", actor=staff
    )
    assert waiting.overridden_rules == ["min_age"]
    enrollment_create(participant=young, package=sibling, override_reason="Rekomendasi kelurahan", actor=staff)
    # Moving her up: the earlier reason covers her age, not her seat in the other package of the wave.
    with translation.override("en"), pytest.raises(ValidationError) as error:
        enrollment_change_status(enrollment=waiting, status="enrolled", actor=staff)
    messages = " ".join(error.value.message_dict["override_reason"])
    assert sibling.code in messages and "at least 18" not in messages
    assert "written for other rules" in messages
    waiting.refresh_from_db()
    assert waiting.status == "waitlisted"
    enrollment_change_status(
        enrollment=waiting, status="enrolled", override_reason="Dua paket: izin Kadis", actor=staff
    )
    waiting.refresh_from_db()
    assert (waiting.status, waiting.override_reason, waiting.overridden_rules) == (
        "enrolled",
        "Dua paket: izin Kadis",
        ["min_age", "one_per_wave"],
    )
    # The earlier reason and what it covered stay in the history.
    assert ("Rekomendasi LPK", ["min_age"]) in [(h.override_reason, h.overridden_rules) for h in waiting.history.all()]


def test_an_older_reason_without_rules_still_covers_every_rule():
    package = _package(program=_program(min_age=18, require_ak1=True))
    young = _person(birth_date=_years_before(package.starts_on, 16), ak1_number="")
    waiting = factories.EnrollmentFactory(
        participant=young,
        package=package,
        status="waitlisted",
        waitlisted_at=timezone.now(),
        override_reason="Alasan lama",
        overridden_rules=[],
    )
    change = enrollment_change_status(enrollment=waiting, status="enrolled", actor=factories.StaffFactory())
    assert change.enrollment.status == "enrolled"


def test_the_waitlist_skips_a_person_whose_reason_does_not_cover_a_new_failure():
    program = _program(min_age=18, one_per_wave=True)
    cohort = _cohort(program)
    package, sibling = _package(cohort=cohort, quota=1), _package(cohort=cohort)
    staff = factories.StaffFactory()
    seated = enrollment_create(participant=_person(), package=package, actor=staff)
    young = _person(birth_date=_years_before(package.starts_on, 16))
    covered = enrollment_create(
        participant=young, package=package, status="waitlisted", override_reason="Rekomendasi", actor=staff
    )
    assert covered.status == "waitlisted" and covered.overridden_rules == ["min_age"]
    enrollment_create(participant=young, package=sibling, override_reason="Rekomendasi lagi", actor=staff)
    other = enrollment_create(participant=_person(), package=package, waitlist_if_full=True, actor=staff)
    assert enrollment_withdraw(enrollment=seated, reason="Pindah kota", actor=staff) == other
    covered.refresh_from_db()
    assert covered.status == "waitlisted"


def test_in_the_admin_the_reason_on_record_is_no_new_reason(staff_client):
    program = _program(min_age=18, one_per_wave=True)
    cohort = _cohort(program)
    package, sibling = _package(cohort=cohort), _package(cohort=cohort)
    young = _person(birth_date=_years_before(package.starts_on, 16))
    staff = factories.StaffFactory()
    waiting = enrollment_create(
        participant=young, package=package, status="waitlisted", override_reason="Rekomendasi LPK", actor=staff
    )
    enrollment_create(participant=young, package=sibling, override_reason="Rekomendasi kelurahan", actor=staff)
    url = reverse("admin:participants_enrollment_change", args=[waiting.pk])
    data = {
        "status": "enrolled",
        "reason": "",
        "override_reason": "Rekomendasi LPK",  # as the form shows it: unchanged
        "assessment": waiting.assessment,
        "certificate_number": "",
        "competency": waiting.competency,
    }
    response = staff_client.post(url, data)
    assert response.status_code == 200 and response.context["adminform"].form.errors["override_reason"]
    waiting.refresh_from_db()
    assert waiting.status == "waitlisted"
    response = staff_client.post(url, {**data, "override_reason": "Rekomendasi LPK; dua paket disetujui Kadis"})
    assert response.status_code == 302
    waiting.refresh_from_db()
    assert (waiting.status, waiting.overridden_rules) == ("enrolled", ["min_age", "one_per_wave"])
    page = staff_client.get(url).content.decode()
    assert "one package a wave" in page or "satu paket" in page


def test_in_the_admin_a_reason_where_no_rule_fails_is_refused(staff_client):
    enrollment = factories.EnrollmentFactory(package=_package(program=_program(min_age=18)))
    url = reverse("admin:participants_enrollment_change", args=[enrollment.pk])
    data = {
        "status": "enrolled",
        "reason": "",
        "override_reason": "Tidak perlu",
        "assessment": enrollment.assessment,
        "certificate_number": "",
        "competency": enrollment.competency,
    }
    response = staff_client.post(url, data)
    assert response.status_code == 200 and response.context["adminform"].form.errors["override_reason"]
    enrollment.refresh_from_db()
    assert enrollment.override_reason == "" and enrollment.overridden_rules == []


# --- applications beyond the quota, up to the limit ----------------------------------------------


def _data(serial, kelurahan):
    birth = D(1995, 1, 2)
    return {
        "nik": make_nik(sex="M", birth_date=birth, serial=serial),
        "full_name": f"Pelamar {serial}",
        "sex": "M",
        "birth_date": birth,
        "phone": "",
        "address": "",
        "kelurahan": kelurahan,
        "education": 5,
        "employment_status_at_intake": "unemployed",
        "beneficiary_group": "job_seeker",
    }


def test_registration_stays_open_beyond_the_quota_and_closes_at_the_application_limit():
    package = _package(quota=2, application_limit=4)
    kelurahan = factories.KelurahanFactory()
    for serial in range(1, 5):
        registration_create(package=package, participant_data=_data(serial, kelurahan))
    assert registration_places_left(package) == 0
    with translation.override("en"), pytest.raises(ValidationError) as error:
        registration_create(package=package, participant_data=_data(5, kelurahan))
    assert "the limit of 4 applications is reached" in error.value.messages[0]
    assert Enrollment.objects.filter(package=package).count() == 4
    # A rejected application still counts; a withdrawn one does not.
    Enrollment.objects.filter(participant__full_name="Pelamar 1").update(status="rejected")
    assert registration_places_left(package) == 0
    Enrollment.objects.filter(participant__full_name="Pelamar 2").update(status="withdrawn")
    assert registration_places_left(package) == 1
    registration_create(package=package, participant_data=_data(5, kelurahan))


def test_the_default_limit_is_five_times_the_quota_and_the_quota_applies_at_acceptance():
    package = _package(quota=2)
    assert package.applications_allowed == 10
    kelurahan = factories.KelurahanFactory()
    applied = [registration_create(package=package, participant_data=_data(s, kelurahan))[0] for s in (1, 2, 3)]
    assert registration_places_left(package) == 7
    staff = factories.StaffFactory()
    statuses = [applicant_accept(enrollment=enrollment, actor=staff).status for enrollment in applied]
    assert statuses == ["enrolled", "enrolled", "waitlisted"]


def test_the_public_pages_say_selection_and_the_limit(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    open_one = _package(quota=16, title="Barista Pagi", application_limit=20)
    factories.EnrollmentFactory.create_batch(17, package=open_one, status="applied")  # beyond the quota
    full = _package(quota=2, title="Batik Sore", application_limit=2)
    factories.EnrollmentFactory.create_batch(2, package=full, status="applied")
    text = " ".join(re.sub(r"<[^>]+>", " ", client.get(reverse("public:package-list")).content.decode()).split())
    assert "Quota 16 people · chosen by selection" in text
    assert reverse("public:register", args=[open_one.pk]) in client.get(reverse("public:package-list")).content.decode()
    assert "Applications closed: the limit is reached. The package takes at most 2 applications" in text
    page = client.get(reverse("public:register", args=[full.pk])).content.decode()
    assert "Applications are closed: the limit is reached" in page and 'name="nik"' not in page
    page = client.get(reverse("public:register", args=[open_one.pk])).content.decode()
    assert 'name="nik"' in page and 'name="kk_number"' in page and 'name="ak1_issued_on"' in page
    assert re.search(r'<input type="date" name="ak1_issued_on"', page)


# --- the admin ------------------------------------------------------------------------------------


def _may_edit_category_rules(user):
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="programs", content_type__model="categoryrules")
    )


def _program_post(program, rows=(), **changes):
    data = {
        "name": program.name,
        "fiscal_year": program.fiscal_year,
        "funding_source": program.funding_source,
        "budget": program.budget,
        "target_participants": program.target_participants,
        "min_age": 18,
        "max_age": 35,
        "require_city_domicile": "on",
        "exclude_working": "on",
        "require_ak1": "on",
        "cohorts-TOTAL_FORMS": "0",
        "cohorts-INITIAL_FORMS": "0",
        "category_rules-TOTAL_FORMS": str(len(rows)),
        "category_rules-INITIAL_FORMS": "0",
        **changes,
    }
    as_program = dict.fromkeys(
        [
            "require_city_domicile",
            "exclude_in_school",
            "exclude_working",
            "require_ak1",
            "no_repeat_vocation",
            "one_training_per_year",
            "one_per_wave",
        ],
        "unknown",
    )
    for index, row in enumerate(rows):
        row = {"min_age": "", "max_age": "", "required_employer": "", **as_program, **row}
        data.update({f"category_rules-{index}-{name}": value for name, value in row.items()})
    return data


def test_the_program_admin_shows_the_rules_and_saves_a_category_row(staff_client, staff_user):
    _may_edit_category_rules(staff_user)
    program = _program()
    url = reverse("admin:programs_program_change", args=[program.pk])
    page = staff_client.get(url).content.decode()
    for name in ("min_age", "max_age", "exclude_working", "require_ak1", "no_repeat_vocation", "one_per_wave"):
        assert f'name="{name}"' in page, name
    assert 'name="category_rules-TOTAL_FORMS"' in page
    row = {
        "category": "factory_workers",
        "min_age": "16",
        "required_employer": " PT  Urip Sugiharto ",
        "require_ak1": "false",
    }
    response = staff_client.post(url, _program_post(program, [row]))
    assert response.status_code == 302, response.context["adminform"].form.errors
    program.refresh_from_db()
    assert (program.max_age, program.exclude_working, program.require_ak1, program.one_per_wave) == (
        35,
        True,
        True,
        False,
    )
    saved = CategoryRules.objects.get(program=program)
    assert (saved.min_age, saved.max_age, saved.require_ak1, saved.exclude_working, saved.required_employer) == (
        16,
        None,
        False,
        None,
        "PT Urip Sugiharto",
    )


def test_the_program_admin_refuses_two_rows_for_one_category_and_a_factory_for_another(staff_client, staff_user):
    _may_edit_category_rules(staff_user)
    program = _program()
    url = reverse("admin:programs_program_change", args=[program.pk])
    twice = [{"category": "blk", "min_age": "17"}, {"category": "blk", "max_age": "40"}]
    assert staff_client.post(url, _program_post(program, twice)).status_code == 200
    wrong = [{"category": "kelurahan", "required_employer": FACTORY}]
    response = staff_client.post(url, _program_post(program, wrong))
    assert response.status_code == 200
    assert not CategoryRules.objects.exists()
    response = staff_client.post(url, _program_post(program, max_age="16"))
    assert response.status_code == 200 and response.context["adminform"].form.errors["max_age"]


def _package_form_data(package, **changes):
    data = {
        "code": package.code,
        "title": package.title,
        "vocation": package.vocation_id,
        "cohort": package.cohort_id,
        "provider": package.provider_id,
        "category": package.category,
        "status": package.status,
        "quota": 16,
        "hours": 100,
        "budget": "Rp10.000.000",
        "starts_on": package.starts_on.isoformat(),
        "ends_on": package.ends_on.isoformat(),
        "meeting_weekdays": ["0", "2"],
        "session_starts_at": "08:00",
        "session_ends_at": "12:00",
        "min_attendance_percent": 80,
        "application_limit": "",
        "test_weight": 60,
        "interview_weight": 40,
    }
    return {**data, **changes}


def test_the_package_form_says_the_weights_must_add_up_to_100_next_to_both():
    package = _package()
    with translation.override("en"):
        form = TrainingPackageForm(
            data=_package_form_data(package, test_weight=60, interview_weight=50), instance=package
        )
        assert not form.is_valid()
        message = "The written test and interview weights must add up to 100; now they add up to 110."
        assert form.errors["test_weight"] == form.errors["interview_weight"] == [message]
        assert "__all__" not in form.errors
        form = TrainingPackageForm(data=_package_form_data(package, application_limit=10), instance=package)
        assert not form.is_valid() and "quota (16)" in form.errors["application_limit"][0]
    form = TrainingPackageForm(data=_package_form_data(package, application_limit=48), instance=package)
    assert form.is_valid(), form.errors
    saved = form.save()
    assert (saved.application_limit, saved.test_weight, saved.interview_weight) == (48, 60, 40)


def test_the_package_admin_has_a_selection_part_with_the_decision_read_only(staff_client):
    package = _package()
    page = staff_client.get(reverse("admin:programs_trainingpackage_change", args=[package.pk])).content.decode()
    for name in ("application_limit", "test_weight", "interview_weight"):
        assert f'name="{name}"' in page, name
    assert 'name="selection_decided_at"' not in page and "field-selection_decided_at" in page


def test_the_participant_admin_shows_the_kk_the_ak1_date_and_the_employer(staff_client):
    person = _person(kk_number=KK, employer_name=FACTORY, ak1_issued_on=D(2026, 1, 5))
    page = staff_client.get(reverse("admin:participants_participant_change", args=[person.pk])).content.decode()
    assert f'name="kk_number" value="{KK}"' in page
    assert 'name="employer_name"' in page and re.search(
        r'<input type="date" name="ak1_issued_on" value="2026-01-05"', page
    )


# --- the import -------------------------------------------------------------------------------------


def test_the_import_takes_the_kk_the_ak1_date_and_the_employer_and_checks_the_card():
    header = ["NIK", "Nama Lengkap", "Jenis Kelamin (L/P)", "Tanggal Lahir", "Pendidikan", "No. KK"]
    header += ["No. Kartu AK1", "Tanggal Terbit AK1", "Tempat Kerja"]
    nik = make_nik(sex="M", birth_date=D(1995, 1, 2), serial=9)
    old_nik = make_nik(sex="M", birth_date=D(1995, 1, 2), serial=10)
    recent = (TODAY - 10 * DAY).strftime("%d/%m/%Y")
    rows = [
        header,
        [nik, "Agus", "L", "02/01/1995", "SLTA", "3375 0112 0115 0001", "AK1-9", recent, "PT Urip Sugiharto"],
        [old_nik, "Budi", "L", "02/01/1995", "SLTA", "", "AK1-10", "01/01/2020", ""],
    ]
    content = "\r\n".join(";".join(row) for row in rows).encode()
    package = _package(program=_program(require_ak1=True))
    result = imports.preview(content, "x.csv", package)
    assert [message for line, _column, message in result.errors if line == 2] == []
    assert [line for line, _column, _message in result.errors] == [3]  # the card of 2020 is not valid any more
    imports.import_rows(content=content, filename="x.csv", package=None, actor=factories.StaffFactory())
    person = Participant.objects.get(nik=nik)
    assert (person.kk_number, person.ak1_issued_on, person.employer_name) == (KK, TODAY - 10 * DAY, FACTORY)
    bad = [header, [nik, "Agus", "L", "02/01/1995", "SLTA", "3375001201150001", "", "", ""]]
    result = imports.preview("\r\n".join(";".join(row) for row in bad).encode(), "x.csv")
    assert [column for _line, column, _message in result.errors] == ["No. KK"]
