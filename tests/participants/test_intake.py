"""Entry rules, the waitlist, staff selection and online registration."""

import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from participants.eligibility import eligibility_failures
from participants.models import Enrollment, Participant
from participants.services import (
    applicant_accept,
    applicant_reject,
    enrollment_create,
    enrollment_withdraw,
    registration_create,
)
from programs.models import TrainingPackage
from tests import factories
from tests.factories import make_nik

pytestmark = pytest.mark.django_db


def _future_package(**kwargs):
    today = timezone.localdate()
    defaults = {
        "starts_on": today + datetime.timedelta(days=30),
        "ends_on": today + datetime.timedelta(days=50),
        "status": TrainingPackage.Status.OPEN,
        "cohort": factories.CohortFactory(
            program=factories.ProgramFactory(fiscal_year=today.year),
            registration_opens=today - datetime.timedelta(days=5),
            registration_closes=today + datetime.timedelta(days=5),
            starts_on=today + datetime.timedelta(days=30),
            ends_on=today + datetime.timedelta(days=60),
        ),
    }
    return factories.TrainingPackageFactory(**{**defaults, **kwargs})


# --- entry rules ------------------------------------------------------------------------------------


def _rules(person, package):
    return [failure.rule for failure in eligibility_failures(person, package)]


def test_minimum_age_on_the_first_day_of_the_package():
    package = _future_package()
    starts = package.starts_on
    turns_18_on_day_one = factories.ParticipantFactory(birth_date=starts.replace(year=starts.year - 18))
    one_day_short = factories.ParticipantFactory(
        birth_date=starts.replace(year=starts.year - 18) + datetime.timedelta(days=1)
    )
    assert _rules(turns_18_on_day_one, package) == []
    assert _rules(one_day_short, package) == ["min_age"]
    package.cohort.program.min_age = 0
    assert _rules(one_day_short, package) == []


def test_domicile_in_the_city_when_the_program_asks_for_it():
    package = _future_package()
    outsider = factories.ParticipantFactory(kelurahan=None)
    assert _rules(outsider, package) == ["domicile"]
    package.cohort.program.require_city_domicile = False
    assert _rules(outsider, package) == []


def test_not_in_school():
    package = _future_package()
    pupil = factories.ParticipantFactory(employment_status_at_intake=Participant.EmploymentStatus.IN_SCHOOL)
    assert _rules(pupil, package) == ["in_school"]


def test_one_training_a_year():
    package = _future_package()
    other = _future_package(cohort=package.cohort)
    person = factories.EnrollmentFactory(package=other).participant
    assert _rules(person, package) == ["one_per_year"]
    package.cohort.program.one_training_per_year = False
    assert _rules(person, package) == []


@pytest.mark.parametrize(
    "person_kwargs",
    [{"kelurahan": None}, {"employment_status_at_intake": "in_school"}, {"birth_date": datetime.date(2015, 1, 1)}],
    ids=["domicile", "in_school", "min_age"],
)
def test_a_failed_rule_refuses_enrollment_unless_staff_write_a_reason(person_kwargs):
    package = _future_package()
    person = factories.ParticipantFactory(**person_kwargs)
    with pytest.raises(ValidationError) as error:
        enrollment_create(participant=person, package=package, actor=factories.StaffFactory())
    assert "override_reason" in error.value.message_dict
    assert not Enrollment.objects.exists()
    enrollment = enrollment_create(
        participant=person, package=package, override_reason="Rekomendasi Kepala Dinas", actor=factories.StaffFactory()
    )
    assert enrollment.override_reason == "Rekomendasi Kepala Dinas"


# --- waitlist ---------------------------------------------------------------------------------------


def test_accepting_into_a_full_package_puts_people_on_the_waitlist_in_order():
    package = _future_package(quota=1)
    staff = factories.StaffFactory()
    first, second, third = (
        factories.EnrollmentFactory(package=package, status=Enrollment.Status.APPLIED) for _ in range(3)
    )
    assert applicant_accept(enrollment=first, actor=staff).status == Enrollment.Status.ENROLLED
    assert applicant_accept(enrollment=second, actor=staff).status == Enrollment.Status.WAITLISTED
    assert applicant_accept(enrollment=third, actor=staff).status == Enrollment.Status.WAITLISTED
    assert list(Enrollment.objects.filter(package=package).waitlist()) == [second, third]


def test_a_withdrawal_before_the_start_moves_the_first_on_the_waitlist_up():
    package = _future_package(quota=1)
    staff = factories.StaffFactory()
    enrolled = factories.EnrollmentFactory(package=package)
    waiting = enrollment_create(
        participant=factories.ParticipantFactory(), package=package, actor=staff, waitlist_if_full=True
    )
    later = enrollment_create(
        participant=factories.ParticipantFactory(), package=package, actor=staff, waitlist_if_full=True
    )
    assert (waiting.status, later.status) == ("waitlisted", "waitlisted")
    promoted = enrollment_withdraw(enrollment=enrolled, reason="Diterima kerja", actor=staff)
    assert promoted == waiting
    statuses = dict(Enrollment.objects.filter(package=package).values_list("pk", "status"))
    assert statuses == {enrolled.pk: "withdrawn", waiting.pk: "enrolled", later.pk: "waitlisted"}


def test_after_the_start_leaving_is_a_drop_out_not_a_withdrawal():
    today = timezone.localdate()
    package = factories.TrainingPackageFactory(
        starts_on=today - datetime.timedelta(days=1), ends_on=today + datetime.timedelta(days=9)
    )
    enrolled = factories.EnrollmentFactory(package=package)
    with pytest.raises(ValidationError):
        enrollment_withdraw(enrollment=enrolled, reason="", actor=factories.StaffFactory())
    enrolled.refresh_from_db()
    assert enrolled.status == "enrolled"


def test_staff_see_who_moved_up(client):
    package = _future_package(quota=1)
    staff = factories.StaffFactory()
    enrolled = factories.EnrollmentFactory(package=package, participant=factories.ParticipantFactory(full_name="Ani"))
    enrollment_create(
        participant=factories.ParticipantFactory(full_name="Budi"), package=package, actor=staff, waitlist_if_full=True
    )
    client.force_login(staff)
    response = client.post(
        reverse("intake:enrollment-withdraw", args=[package.pk, enrolled.pk]), {"reason": "Pindah kota"}, follow=True
    )
    assert "Budi naik dari daftar tunggu" in response.content.decode()


# --- selection by staff -------------------------------------------------------------------------------


def test_staff_accept_and_reject_applicants_in_bulk_with_the_eligibility_shown(client):
    package = _future_package(quota=5)
    ok = factories.EnrollmentFactory(package=package, status=Enrollment.Status.APPLIED)
    outsider = factories.EnrollmentFactory(
        package=package, status=Enrollment.Status.APPLIED, participant=factories.ParticipantFactory(kelurahan=None)
    )
    staff = factories.StaffFactory()
    client.force_login(staff)
    page = client.get(reverse("intake:package-enrollment", args=[package.pk])).content.decode()
    assert "memenuhi semua syarat" in page and "warga Kota Pekalongan" in page
    url = reverse("intake:applicants-decide", args=[package.pk])
    client.post(url, {"action": "accept", "enrollment": [ok.pk, outsider.pk]})
    ok.refresh_from_db()
    outsider.refresh_from_db()
    assert (ok.status, outsider.status) == ("enrolled", "applied")
    client.post(url, {"action": "reject", "enrollment": [outsider.pk], "reason": ""})
    outsider.refresh_from_db()
    assert outsider.status == "applied"  # a rejection needs its reason
    client.post(url, {"action": "reject", "enrollment": [outsider.pk], "reason": "Domisili di luar kota"})
    outsider.refresh_from_db()
    assert (outsider.status, outsider.decision_reason) == ("rejected", "Domisili di luar kota")


def test_a_rejection_needs_a_reason():
    enrollment = factories.EnrollmentFactory(status=Enrollment.Status.APPLIED)
    with pytest.raises(ValidationError):
        applicant_reject(enrollment=enrollment, reason=" ", actor=factories.StaffFactory())


@pytest.mark.parametrize("factory", [factories.OperatorFactory, factories.OfficialFactory])
def test_the_enrollment_page_is_for_staff_only(client, factory):
    package = _future_package()
    client.force_login(factory())
    assert client.get(reverse("intake:package-enrollment", args=[package.pk])).status_code == 403
    assert client.post(reverse("intake:enrollment-add", args=[package.pk])).status_code == 403


def test_staff_find_people_by_nik_or_name_and_enroll_them(client):
    package = _future_package()
    person = factories.ParticipantFactory(full_name="Slamet Riyadi", sex="M")
    client.force_login(factories.StaffFactory())
    url = reverse("intake:package-enrollment", args=[package.pk])
    assert [p for p, _in in client.get(url, {"q": person.nik[:10]}).context["found"]] == [person]
    assert [p for p, _in in client.get(url, {"q": "riyadi"}).context["found"]] == [person]
    client.post(reverse("intake:enrollment-add", args=[package.pk]), {"participant": person.pk})
    assert Enrollment.objects.get(participant=person).status == "enrolled"


# --- online registration --------------------------------------------------------------------------------


def _registration(**overrides):
    kelurahan = factories.KelurahanFactory()
    data = {
        "nik": make_nik(sex="F", birth_date=datetime.date(1999, 3, 14), serial=77),
        "full_name": "Dewi  Lestari",
        "sex": "F",
        "birth_date": "1999-03-14",
        "phone": "+62 812 7777 6666",
        "address": "Jl. Hayam Wuruk 3",
        "kelurahan": kelurahan.pk,
        "education": "5",
        "employment_status_at_intake": "unemployed",
        "beneficiary_group": "job_seeker",
        "consent": "on",
        "website": "",
    }
    data.update(overrides)
    return data


def test_the_public_list_shows_packages_open_in_the_current_wave(client):
    open_package = _future_package(title="Pelatihan Barista Terbuka")
    _future_package(title="Pelatihan Direncanakan", status=TrainingPackage.Status.PLANNED)
    factories.TrainingPackageFactory(title="Pelatihan Lama", status=TrainingPackage.Status.OPEN)  # window closed
    content = client.get(reverse("public:package-list")).content.decode()
    assert open_package.title in content
    assert "Pelatihan Direncanakan" not in content and "Pelatihan Lama" not in content


def test_a_resident_registers_and_gets_a_receipt(client):
    package = _future_package()
    response = client.post(reverse("public:register", args=[package.pk]), _registration(), follow=True)
    enrollment = Enrollment.objects.get()
    assert (enrollment.status, enrollment.source) == ("applied", "registration")
    assert enrollment.receipt_number and enrollment.receipt_number in response.content.decode()
    person = enrollment.participant
    assert (person.full_name, person.phone) == ("Dewi Lestari", "081277776666")


def test_the_same_nik_twice_gets_a_receipt_not_a_second_record(client):
    package = _future_package()
    client.post(reverse("public:register", args=[package.pk]), _registration())
    response = client.post(reverse("public:register", args=[package.pk]), _registration())
    assert response.status_code == 302 and response["Location"] == reverse("public:receipt")
    assert Enrollment.objects.count() == 1 and Participant.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"nik": "123"}, "nik"),
        ({"consent": ""}, "consent"),
        ({"phone": "telepon saya"}, "phone"),
        ({"birth_date": "14/03/1999x"}, "birth_date"),
        ({"full_name": ""}, "full_name"),
        ({"sex": "X"}, "sex"),
    ],
)
def test_the_public_form_says_what_to_fix_next_to_the_field(client, overrides, field):
    package = _future_package()
    response = client.post(reverse("public:register", args=[package.pk]), _registration(**overrides))
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert not Enrollment.objects.exists()


def test_a_failed_entry_rule_is_explained_to_the_resident(client):
    package = _future_package()
    response = client.post(reverse("public:register", args=[package.pk]), _registration(kelurahan="outside"))
    assert "Program ini untuk warga Kota Pekalongan." in response.content.decode()
    assert not Enrollment.objects.exists()


def test_the_honeypot_stores_nothing(client):
    package = _future_package()
    response = client.post(reverse("public:register", args=[package.pk]), _registration(website="http://spam"))
    assert response.status_code == 200
    assert not Participant.objects.exists()


def test_too_many_registrations_from_one_address_are_slowed_down(client, settings):
    settings.REGISTRATION_RATE_LIMIT = (2, 3600)
    package = _future_package()
    for serial in (1, 2):
        nik = make_nik(sex="F", birth_date=datetime.date(1999, 3, 14), serial=serial)
        assert client.post(reverse("public:register", args=[package.pk]), _registration(nik=nik)).status_code == 302
    third = make_nik(sex="F", birth_date=datetime.date(1999, 3, 14), serial=3)
    assert client.post(reverse("public:register", args=[package.pk]), _registration(nik=third)).status_code == 429
    assert Enrollment.objects.count() == 2


def test_registration_closes_when_the_application_limit_is_reached():
    package = _future_package(quota=1, application_limit=1)
    data = {
        "nik": make_nik(sex="M", birth_date=datetime.date(1990, 1, 1), serial=5),
        "full_name": "Agus",
        "sex": "M",
        "birth_date": datetime.date(1990, 1, 1),
        "phone": "",
        "address": "",
        "kelurahan": factories.KelurahanFactory(),
        "education": 5,
        "employment_status_at_intake": "unemployed",
        "beneficiary_group": "job_seeker",
    }
    registration_create(package=package, participant_data=data)
    with pytest.raises(ValidationError):
        registration_create(
            package=package,
            participant_data={**data, "nik": make_nik(sex="M", birth_date=datetime.date(1990, 1, 1), serial=6)},
        )


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has no row locks; the race needs PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_registrations_racing_for_the_last_application(reference_data):
    package = _future_package(quota=1, application_limit=1)
    kelurahan = factories.KelurahanFactory()
    barrier = threading.Barrier(2)
    outcomes = []

    def register(serial):
        data = {
            "nik": make_nik(sex="M", birth_date=datetime.date(1990, 1, 1), serial=serial),
            "full_name": f"Pendaftar {serial}",
            "sex": "M",
            "birth_date": datetime.date(1990, 1, 1),
            "kelurahan": kelurahan,
            "education": 5,
            "employment_status_at_intake": "unemployed",
            "beneficiary_group": "job_seeker",
        }
        try:
            barrier.wait()
            registration_create(package=package, participant_data=data)
            outcomes.append("applied")
        except ValidationError:
            outcomes.append("full")
        finally:
            connection.close()

    threads = [threading.Thread(target=register, args=(serial,)) for serial in (11, 12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["applied", "full"]
    assert Enrollment.objects.filter(package=package).count() == 1


def test_a_registration_with_someone_elses_nik_changes_nothing_and_reveals_nothing(client):
    package = _future_package()
    victim = factories.ParticipantFactory(
        nik=make_nik(sex="F", birth_date=datetime.date(1999, 3, 14), serial=77),
        full_name="Korban Asli",
        phone="081111111111",
        address="Alamat asli",
    )
    data = _registration(full_name="Penyerang", phone="089999999999", address="Alamat palsu")
    client.post(reverse("public:register", args=[package.pk]), data)
    victim.refresh_from_db()
    assert (victim.full_name, victim.phone, victim.address) == ("Korban Asli", "081111111111", "Alamat asli")
    again = client.post(reverse("public:register", args=[package.pk]), data).content.decode()
    assert "Korban Asli" not in again
    assert Enrollment.objects.get().receipt_number not in again


def test_the_public_is_not_told_which_package_a_nik_is_in(client):
    package = _future_package()
    other = _future_package(cohort=package.cohort, code="RAHASIA-01")
    person = factories.ParticipantFactory(nik=make_nik(sex="F", birth_date=datetime.date(1999, 3, 14), serial=77))
    factories.EnrollmentFactory(participant=person, package=other)
    response = client.post(reverse("public:register", args=[package.pk]), _registration(), follow=True)
    content = response.content.decode()
    assert "RAHASIA-01" not in content
    assert response.redirect_chain == [(reverse("public:receipt"), 302)]  # the same receipt as anyone


def test_consent_is_recorded_with_its_version(client):
    package = _future_package()
    client.post(reverse("public:register", args=[package.pk]), _registration())
    enrollment = Enrollment.objects.get()
    assert enrollment.consent_at is not None and enrollment.consent_version


def test_moving_up_skips_someone_enrolled_elsewhere_this_year_meanwhile():
    package = _future_package(quota=1)
    elsewhere = _future_package(cohort=package.cohort)
    staff = factories.StaffFactory()
    leaver = factories.EnrollmentFactory(package=package)
    first = enrollment_create(
        participant=factories.ParticipantFactory(), package=package, actor=staff, waitlist_if_full=True
    )
    second = enrollment_create(
        participant=factories.ParticipantFactory(), package=package, actor=staff, waitlist_if_full=True
    )
    factories.EnrollmentFactory(participant=first.participant, package=elsewhere)  # meanwhile enrolled elsewhere
    promoted = enrollment_withdraw(enrollment=leaver, reason="", actor=staff)
    assert promoted == second
    first.refresh_from_db()
    assert first.status == "waitlisted"
    assert leaver.participant.full_name in Enrollment.objects.get(pk=second.pk).decision_reason


def test_a_bad_participant_id_is_404_not_an_error(client):
    package = _future_package()
    client.force_login(factories.StaffFactory())
    assert client.post(reverse("intake:enrollment-add", args=[package.pk]), {"participant": "abc"}).status_code == 404


def test_bulk_accept_serves_the_first_to_apply_first(client):
    package = _future_package(quota=1)
    early = factories.EnrollmentFactory(
        package=package, status="applied", participant=factories.ParticipantFactory(full_name="Zainal")
    )
    late = factories.EnrollmentFactory(
        package=package, status="applied", participant=factories.ParticipantFactory(full_name="Ahmad")
    )
    client.force_login(factories.StaffFactory())
    client.post(
        reverse("intake:applicants-decide", args=[package.pk]), {"action": "accept", "enrollment": [early.pk, late.pk]}
    )
    early.refresh_from_db()
    late.refresh_from_db()
    assert (early.status, late.status) == ("enrolled", "waitlisted")


def test_the_registration_limit_holds_for_its_whole_period_in_the_database_cache(client, settings):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "django_cache"}
    }
    settings.REGISTRATION_RATE_LIMIT = (2, 3600)
    package = _future_package()
    for serial in (1, 2, 3):
        nik = make_nik(sex="F", birth_date=datetime.date(1999, 3, 14), serial=serial)
        response = client.post(reverse("public:register", args=[package.pk]), _registration(nik=nik))
    assert response.status_code == 429
    with connection.cursor() as cursor:
        cursor.execute("SELECT cache_key, expires FROM django_cache WHERE cache_key LIKE %s", ["%registration%"])
        rows = cursor.fetchall()
    assert len(rows) == 2  # one place per counted post, up to the limit
    for key, expires in rows:
        assert "127.0.0.1" not in key  # no address in the shared cache, only a keyed hash of it
        if isinstance(expires, str):  # SQLite hands back text
            expires = datetime.datetime.fromisoformat(expires)
        if timezone.is_naive(expires):
            expires = timezone.make_aware(expires, datetime.UTC)
        assert expires - timezone.now() > datetime.timedelta(minutes=50)  # not the cache's default 5 minutes
