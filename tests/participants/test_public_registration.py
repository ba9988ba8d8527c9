"""Online registration answers the same whatever the NIK, and never files silently in someone's name."""

import datetime
import logging
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from participants.models import Enrollment, Participant
from participants.public_pages import mask_name
from participants.services import applicant_accept
from participants.services.public import registration_verify
from programs.models import TrainingPackage
from tests import factories
from tests.factories import make_nik

pytestmark = pytest.mark.django_db

BIRTH = datetime.date(1999, 3, 14)
NIK = make_nik(sex="F", birth_date=BIRTH, serial=77)


@pytest.fixture
def package():
    today = timezone.localdate()
    return factories.TrainingPackageFactory(
        starts_on=today + datetime.timedelta(days=30),
        ends_on=today + datetime.timedelta(days=50),
        status=TrainingPackage.Status.OPEN,
        cohort=factories.CohortFactory(
            program=factories.ProgramFactory(fiscal_year=today.year),
            registration_opens=today - datetime.timedelta(days=5),
            registration_closes=today + datetime.timedelta(days=5),
            starts_on=today + datetime.timedelta(days=30),
            ends_on=today + datetime.timedelta(days=60),
        ),
    )


@pytest.fixture
def kelurahan():
    return factories.KelurahanFactory()


def _form(kelurahan, **overrides):
    data = {
        "nik": NIK,
        "full_name": "Penyerang Nama",
        "sex": "F",
        "birth_date": BIRTH.isoformat(),
        "phone": "089999999999",
        "address": "Alamat palsu",
        "kelurahan": kelurahan.pk,
        "education": "5",
        "employment_status_at_intake": "unemployed",
        "beneficiary_group": "job_seeker",
        "consent": "on",
        "website": "",
    }
    return {**data, **overrides}


def _victim(**overrides):
    return factories.ParticipantFactory(
        **{
            "nik": NIK,
            "full_name": "Eko Santoso",
            "birth_date": datetime.date(1980, 1, 1),
            "phone": "081234567890",
            "address": "Alamat asli",
            **overrides,
        }
    )


def _post(client, package, data):
    response = client.post(reverse("public:register", args=[package.pk]), data)
    receipt = client.get(reverse("public:receipt"))
    return response, receipt


def _normalised(receipt, typed_name):
    content = receipt.content.decode()
    content = re.sub(r"\d{4}-[A-Z2-9]{6}", "RECEIPT", content)
    content = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", content)
    return content.replace(typed_name, "NAME")


def _case_new(package, kelurahan):
    return None


def _case_on_record(package, kelurahan):
    return _victim()


def _case_already_applied(package, kelurahan):
    victim = _victim()
    factories.EnrollmentFactory(participant=victim, package=package, status="applied", receipt_number="2026-AAAAAA")
    return victim


def _case_refused_by_a_rule(package, kelurahan):
    # On record under 18 on the first day, and in school: the record fails the rules, the typed data does not.
    return _victim(birth_date=package.starts_on.replace(year=package.starts_on.year - 16))


CASES = [_case_new, _case_on_record, _case_already_applied, _case_refused_by_a_rule]


def _answer(client, package, kelurahan, case, name):
    case(package, kelurahan)
    response, receipt = _post(client, package, _form(kelurahan, full_name=name))
    return response, receipt


@pytest.mark.parametrize("case", CASES[1:])
def test_every_nik_gets_the_same_answer(client, package, kelurahan, case):
    reference_response, reference_receipt = _answer(client, package, kelurahan, _case_new, "Siti Aminah")
    Enrollment.objects.all().delete()
    Participant.objects.all().delete()
    client.session.flush()
    response, receipt = _answer(client, package, kelurahan, case, "Budi Raharjo")
    assert (response.status_code, response["Location"]) == (
        reference_response.status_code,
        reference_response["Location"],
    )
    assert response.status_code == 302 and response["Location"] == reverse("public:receipt")
    assert receipt.status_code == reference_receipt.status_code == 200
    assert _normalised(receipt, "Budi Raharjo") == _normalised(reference_receipt, "Siti Aminah")
    content = receipt.content.decode()
    assert "Budi Raharjo" in content
    assert "Eko Santoso" not in content and "081234567890" not in content and NIK not in content


def test_the_receipt_is_not_cached(client, package, kelurahan):
    _post(client, package, _form(kelurahan))
    receipt = client.get(reverse("public:receipt"))
    assert "no-store" in receipt["Cache-Control"]


def test_a_failed_rule_on_what_was_typed_gets_the_same_answer_for_any_nik(client, package, kelurahan):
    young = package.starts_on.replace(year=package.starts_on.year - 16)
    nik = make_nik(sex="F", birth_date=young, serial=12)
    typed = _form(kelurahan, nik=nik, birth_date=young.isoformat())
    new = client.post(reverse("public:register", args=[package.pk]), typed)
    _victim(nik=nik)
    on_record = client.post(reverse("public:register", args=[package.pk]), typed)
    strip = lambda response: re.sub(r'value="[^"]{40,}"', "", response.content.decode())  # noqa: E731 the CSRF token
    assert new.status_code == on_record.status_code == 200
    assert strip(new) == strip(on_record)
    assert not Enrollment.objects.exists()


def test_a_nik_on_record_never_changes_the_record_and_keeps_what_was_typed_apart(client, package, kelurahan):
    victim = _victim()
    _post(client, package, _form(kelurahan))
    victim.refresh_from_db()
    assert (victim.full_name, victim.phone, victim.address) == ("Eko Santoso", "081234567890", "Alamat asli")
    enrollment = Enrollment.objects.get()
    assert enrollment.participant == victim and enrollment.status == "applied"
    assert enrollment.identity_to_verify
    assert enrollment.submitted[0]["full_name"] == "Penyerang Nama"
    assert enrollment.submitted[0]["phone"] == "089999999999"
    assert enrollment.consent_at is not None and enrollment.consent_verified_at is None


def test_the_same_name_and_birth_date_as_on_record_needs_no_identity_check(client, package, kelurahan):
    _victim(full_name="Eko Santoso", birth_date=BIRTH)
    _post(client, package, _form(kelurahan, full_name="  eko   SANTOSO "))
    enrollment = Enrollment.objects.get()
    assert not enrollment.identity_to_verify
    assert enrollment.consent_verified_at is None  # still the submitter's consent until staff verify it


def test_a_new_person_is_created_as_typed_with_consent_unverified(client, package, kelurahan):
    _post(client, package, _form(kelurahan))
    enrollment = Enrollment.objects.get()
    assert enrollment.participant.full_name == "Penyerang Nama"
    assert not enrollment.identity_to_verify and not enrollment.owner_notices
    assert enrollment.consent_at and enrollment.consent_verified_at is None and enrollment.consent_verified_by is None


def test_a_second_post_for_the_same_nik_and_package_makes_no_second_row(client, package, kelurahan):
    _victim()
    _post(client, package, _form(kelurahan))
    first = Enrollment.objects.get()
    _, receipt = _post(client, package, _form(kelurahan, full_name="Orang Lain"))
    enrollment = Enrollment.objects.get()
    assert enrollment.pk == first.pk
    assert [typed["full_name"] for typed in enrollment.submitted] == ["Penyerang Nama", "Orang Lain"]
    second_number = enrollment.submitted[1]["receipt_number"]
    assert second_number != enrollment.receipt_number and second_number in receipt.content.decode()
    assert enrollment.receipt_number not in receipt.content.decode()
    assert len(enrollment.owner_notices) == 2


def test_the_owner_is_told_and_the_log_holds_no_nik_or_phone(
    client, package, kelurahan, caplog, django_capture_on_commit_callbacks
):
    _victim()
    with (
        caplog.at_level(logging.INFO, logger="participants.notify"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        _post(client, package, _form(kelurahan))
    notice = Enrollment.objects.get().owner_notices[0]
    assert notice["to"] == "0812*****890" and notice["at"] and package.code in notice["text"]
    assert "Penyerang" not in notice["text"]
    records = [record for record in caplog.records if record.name == "participants.notify"]
    assert len(records) == 1
    line = records[0].getMessage()
    assert "0812*****890" in line
    assert NIK not in line and "081234567890" not in line and "089999999999" not in line


def test_identity_to_verify_is_apart_and_not_acceptable_until_verified(client, package, kelurahan):
    _victim()
    _post(client, package, _form(kelurahan))
    enrollment = Enrollment.objects.get()
    staff = factories.StaffFactory()
    client.force_login(staff)
    page = client.get(reverse("intake:package-enrollment", args=[package.pk]))
    assert [e for e, _failures in page.context["to_verify"]] == [enrollment]
    assert page.context["applicants"] == []
    content = page.content.decode()
    assert "Penyerang Nama" in content and "Eko Santoso" in content
    assert "memenuhi semua syarat" not in content
    with pytest.raises(ValidationError):
        applicant_accept(enrollment=enrollment, actor=staff)
    client.post(
        reverse("intake:applicants-decide", args=[package.pk]), {"action": "accept", "enrollment": enrollment.pk}
    )
    enrollment.refresh_from_db()
    assert enrollment.status == "applied"
    client.post(
        reverse("intake:applicants-decide", args=[package.pk]), {"action": "verify", "enrollment": enrollment.pk}
    )
    enrollment.refresh_from_db()
    assert not enrollment.identity_to_verify
    assert (enrollment.consent_verified_by, enrollment.consent_verified_at is not None) == (staff, True)
    assert enrollment.history.filter(identity_to_verify=True).exists()  # the state before is kept
    assert applicant_accept(enrollment=enrollment, actor=staff).status == "enrolled"


def test_reject_works_for_an_identity_to_verify(client, package, kelurahan):
    _victim()
    _post(client, package, _form(kelurahan))
    enrollment = Enrollment.objects.get()
    client.force_login(factories.StaffFactory())
    client.post(
        reverse("intake:applicants-decide", args=[package.pk]),
        {"action": "reject", "enrollment": enrollment.pk, "reason": "Bukan orang yang sama"},
    )
    enrollment.refresh_from_db()
    assert enrollment.status == "rejected"


def test_only_dinas_staff_verify(package):
    enrollment = factories.EnrollmentFactory(package=package, status="applied", source="registration")
    with pytest.raises(ValidationError):
        registration_verify(enrollment=enrollment, actor=factories.OperatorFactory())


def test_an_identity_to_verify_takes_no_seat_through_the_admin_either(client, package):
    from participants.models import Enrollment
    from tests.factories import EnrollmentFactory, StaffFactory

    applicant = EnrollmentFactory(package=package, status=Enrollment.Status.APPLIED, identity_to_verify=True)
    client.force_login(StaffFactory())
    url = reverse("admin:participants_enrollment_change", args=[applicant.pk])
    data = {
        "status": Enrollment.Status.ENROLLED,
        "reason": "",
        "override_reason": "",
        "assessment": applicant.assessment,
        "certificate_number": "",
        "competency": applicant.competency,
    }
    response = client.post(url, data)
    applicant.refresh_from_db()
    assert response.status_code == 200 and applicant.status == Enrollment.Status.APPLIED
    assert "errorlist" in response.content.decode()


def _case_already_a_participant(package, kelurahan):
    victim = _victim()
    factories.EnrollmentFactory(participant=victim, package=package, status="enrolled")
    return victim


def _status_page(client, package, kelurahan, case, name):
    case(package, kelurahan)
    client.post(reverse("public:register", args=[package.pk]), _form(kelurahan, full_name=name))
    number = client.session["receipt"]["number"]
    page = client.post(reverse("public:status"), {"receipt_number": number, "birth_date": BIRTH.isoformat()})
    return page, number


@pytest.mark.parametrize("case", [*CASES[1:], _case_already_a_participant])
def test_the_status_page_answers_the_same_whatever_the_nik(client, package, kelurahan, case):
    reference, reference_number = _status_page(client, package, kelurahan, _case_new, "Siti Aminah")
    Enrollment.objects.all().delete()
    Participant.objects.all().delete()
    page, number = _status_page(client, package, kelurahan, case, "Budi Raharjo")
    assert page.status_code == reference.status_code == 200
    assert page.context["found"].state == reference.context["found"].state == "received"

    def normalised(response, number, name):
        content = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())
        return content.replace(number, "RECEIPT").replace(mask_name(name), "NAME")

    assert normalised(page, number, "Budi Raharjo") == normalised(reference, reference_number, "Siti Aminah")
    # The typed name shows only shortened (the announcement publishes receipt numbers).
    assert "B*** R******" in page.content.decode() and "Budi Raharjo" not in page.content.decode()
    content = page.content.decode()
    assert "Eko Santoso" not in content and "081234567890" not in content and NIK not in content
