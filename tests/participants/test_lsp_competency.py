"""The LSP's competency certificate (scheme, number, valid until): its rules in the one service, and
entered on the provider's results page and in the admin."""

import datetime

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse

from participants.models import Enrollment
from participants.services import enrollment_record_results, enrollment_results_errors
from programs.models import TrainingPackage
from tests import factories
from tests.test_admin_actions import _inline_data

pytestmark = pytest.mark.django_db

LAST_DAY = datetime.date(2026, 10, 30)
COMPETENT = Enrollment.Competency.COMPETENT


@pytest.fixture
def operator():
    return factories.OperatorFactory(username="operator-lsp")


@pytest.fixture
def package(operator):
    return factories.TrainingPackageFactory(
        provider=factories.ProviderFactory(name="LPK Batik", operators=[operator]),
        starts_on=datetime.date(2026, 10, 1),
        ends_on=LAST_DAY,
        status=TrainingPackage.Status.COMPLETED,
    )


@pytest.fixture
def enrollment(package):
    return factories.EnrollmentFactory(
        package=package, status=Enrollment.Status.COMPLETED, assessment=Enrollment.Assessment.PASSED
    )


def _record(enrollment, actor, **lsp):
    return enrollment_record_results(
        enrollment=enrollment,
        assessment=Enrollment.Assessment.PASSED,
        certificate_number="LPK/001",
        competency=lsp.pop("competency", COMPETENT),
        actor=actor,
        **lsp,
    )


def _lsp_values(enrollment):
    enrollment.refresh_from_db()
    return (
        enrollment.competency,
        enrollment.competency_scheme,
        enrollment.competency_certificate_number,
        enrollment.competency_expires_on,
    )


# --- the service's rules ---------------------------------------------------------------------------


def test_an_expiry_on_the_last_day_is_refused_and_the_next_day_accepted(enrollment, staff_user):
    full = {"competency_scheme": "Pembatik Tulis", "competency_certificate_number": "LSP-77"}
    with pytest.raises(ValidationError) as error:
        _record(enrollment, staff_user, competency_expires_on=LAST_DAY, **full)
    assert list(error.value.message_dict) == ["competency_expires_on"]
    assert _lsp_values(enrollment) == (Enrollment.Competency.NOT_TESTED, "", "", None)

    _record(enrollment, staff_user, competency_expires_on=LAST_DAY + datetime.timedelta(days=1), **full)
    assert _lsp_values(enrollment) == (COMPETENT, "Pembatik Tulis", "LSP-77", datetime.date(2026, 10, 31))


def test_a_number_without_a_scheme_is_refused(enrollment, staff_user):
    with pytest.raises(ValidationError) as error:
        _record(enrollment, staff_user, competency_scheme="   ", competency_certificate_number="LSP-77")
    assert list(error.value.message_dict) == ["competency_scheme"]
    assert _lsp_values(enrollment)[1:] == ("", "", None)


def test_an_expiry_without_a_number_is_refused(enrollment, staff_user):
    with pytest.raises(ValidationError) as error:
        _record(
            enrollment, staff_user, competency_scheme="Pembatik Tulis", competency_expires_on=datetime.date(2029, 1, 1)
        )
    assert list(error.value.message_dict) == ["competency_certificate_number"]
    assert _lsp_values(enrollment)[1:] == ("", "", None)


@pytest.mark.parametrize("competency", [Enrollment.Competency.NOT_TESTED, Enrollment.Competency.NOT_YET_COMPETENT])
@pytest.mark.parametrize(
    "lsp",
    [
        {"competency_scheme": "Pembatik Tulis"},
        {"competency_scheme": "Pembatik Tulis", "competency_certificate_number": "LSP-77"},
        {
            "competency_scheme": "Pembatik Tulis",
            "competency_certificate_number": "LSP-77",
            "competency_expires_on": datetime.date(2029, 1, 1),
        },
    ],
)
def test_a_certificate_of_someone_not_found_competent_is_refused(enrollment, staff_user, competency, lsp):
    with pytest.raises(ValidationError) as error:
        _record(enrollment, staff_user, competency=competency, **lsp)
    assert list(error.value.message_dict) == ["competency"]
    assert _lsp_values(enrollment) == (Enrollment.Competency.NOT_TESTED, "", "", None)


def test_the_rules_alone_name_each_field_and_a_competent_result_needs_no_certificate(package):
    common = {"status": Enrollment.Status.COMPLETED, "package": package, "assessment": "passed"}
    common["certificate_number"] = ""
    assert enrollment_results_errors(**common, competency=COMPETENT) == {}
    assert enrollment_results_errors(**common) == {}  # the callers of before: no LSP certificate
    errors = enrollment_results_errors(
        **common,
        competency=Enrollment.Competency.NOT_YET_COMPETENT,
        competency_certificate_number="LSP-77",
        competency_expires_on=LAST_DAY,
    )
    assert set(errors) == {"competency", "competency_scheme", "competency_expires_on"}
    assert "30 Oktober 2026" in errors["competency_expires_on"][0]


def test_values_are_trimmed_saved_and_kept_in_the_history(enrollment, staff_user):
    _record(
        enrollment,
        staff_user,
        competency_scheme="  Pembatik Tulis  ",
        competency_certificate_number=" LSP-77 ",
        competency_expires_on=datetime.date(2029, 10, 30),
    )
    assert _lsp_values(enrollment) == (COMPETENT, "Pembatik Tulis", "LSP-77", datetime.date(2029, 10, 30))
    other = factories.StaffFactory(username="staf-kedua")
    _record(enrollment, other, competency=Enrollment.Competency.NOT_YET_COMPETENT)  # the old call: clears them
    assert _lsp_values(enrollment) == (Enrollment.Competency.NOT_YET_COMPETENT, "", "", None)

    latest, earlier = enrollment.history.order_by("-history_id")[:2]
    assert (earlier.competency_scheme, earlier.competency_certificate_number, earlier.competency_expires_on) == (
        "Pembatik Tulis",
        "LSP-77",
        datetime.date(2029, 10, 30),
    )
    assert (earlier.history_user, latest.history_user) == (staff_user, other)
    assert (latest.competency, latest.competency_scheme) == (Enrollment.Competency.NOT_YET_COMPETENT, "")


# --- the provider's results page ------------------------------------------------------------------------


def _results_post(enrollment, **values):
    data = {
        "assessment": enrollment.assessment,
        "certificate_number": enrollment.certificate_number,
        "competency": enrollment.competency,
        "competency_scheme": "",
        "competency_certificate_number": "",
        "competency_expires_on": "",
        **values,
    }
    return {f"{enrollment.pk}-{name}": value for name, value in data.items()}


def test_the_operator_enters_the_certificate_and_sees_it_again(client, operator, enrollment):
    client.force_login(operator)
    url = reverse("provider:package-results", args=[enrollment.package_id])
    page = client.get(url).content.decode()
    assert f'type="date" name="{enrollment.pk}-competency_expires_on"' in page
    assert f'name="{enrollment.pk}-competency_scheme"' in page

    response = client.post(
        url,
        _results_post(
            enrollment,
            competency=COMPETENT,
            competency_scheme=" Pembatik Tulis ",
            competency_certificate_number="LSP-77",
            competency_expires_on="2029-10-30",
        ),
    )
    assert response.status_code == 302
    assert _lsp_values(enrollment) == (COMPETENT, "Pembatik Tulis", "LSP-77", datetime.date(2029, 10, 30))
    assert enrollment.history.latest().history_user == operator

    page = client.get(url).content.decode()
    assert 'value="Pembatik Tulis"' in page and 'value="LSP-77"' in page and 'value="2029-10-30"' in page
    assert '<details class="mt-2" open>' in page


def test_a_refused_certificate_shows_why_beside_the_field_and_keeps_what_was_typed(client, operator, enrollment):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(operator)
    url = reverse("provider:package-results", args=[enrollment.package_id])
    typed = _results_post(
        enrollment,
        competency=COMPETENT,
        competency_scheme="Pembatik Tulis",
        competency_certificate_number="LSP-77",
        competency_expires_on=LAST_DAY.isoformat(),
    )
    response = client.post(url, typed)
    assert response.status_code == 200
    page = response.content.decode()
    assert "The competency certificate must be valid after the package&#x27;s last day, 30 October 2026." in page
    assert 'value="LSP-77"' in page and 'value="2026-10-30"' in page
    assert _lsp_values(enrollment) == (Enrollment.Competency.NOT_TESTED, "", "", None)

    typed[f"{enrollment.pk}-competency_expires_on"] = "30-02-2029"  # no such day: the field's own message
    response = client.post(url, typed)
    assert response.status_code == 200
    assert "Enter a valid date." in response.content.decode()


def test_another_providers_operator_gets_404_and_writes_nothing(client, enrollment):
    client.force_login(factories.OperatorFactory(username="operator-lain"))
    url = reverse("provider:package-results", args=[enrollment.package_id])
    assert client.get(url).status_code == 404
    typed = _results_post(enrollment, competency=COMPETENT, competency_scheme="Pembatik Tulis")
    assert client.post(url, typed).status_code == 404
    assert _lsp_values(enrollment) == (Enrollment.Competency.NOT_TESTED, "", "", None)


# --- the admin -----------------------------------------------------------------------------------------


def _change_form(enrollment, **values):
    expires = enrollment.competency_expires_on
    return {
        "status": enrollment.status,
        "reason": "",
        "override_reason": "",
        "assessment": enrollment.assessment,
        "certificate_number": enrollment.certificate_number,
        "competency": enrollment.competency,
        "competency_scheme": enrollment.competency_scheme,
        "competency_certificate_number": enrollment.competency_certificate_number,
        "competency_expires_on": expires.isoformat() if expires else "",
        "_save": "Simpan",
        **values,
    }


def test_the_admin_change_form_saves_the_certificate(staff_client, staff_user, enrollment):
    url = reverse("admin:participants_enrollment_change", args=[enrollment.pk])
    page = staff_client.get(url).content.decode()
    assert 'name="competency_certificate_number"' in page and 'name="competency_expires_on"' in page

    response = staff_client.post(
        url,
        _change_form(
            enrollment,
            competency=COMPETENT,
            competency_scheme="Pembatik Tulis",
            competency_certificate_number="LSP-77",
            competency_expires_on="30/10/2029",
        ),
    )
    assert response.status_code == 302
    assert _lsp_values(enrollment) == (COMPETENT, "Pembatik Tulis", "LSP-77", datetime.date(2029, 10, 30))
    assert enrollment.history.latest().history_user == staff_user


def test_the_admin_change_form_shows_the_rules_next_to_the_fields(staff_client, enrollment):
    url = reverse("admin:participants_enrollment_change", args=[enrollment.pk])
    response = staff_client.post(url, _change_form(enrollment, competency=COMPETENT, competency_certificate_number="X"))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert list(errors) == ["competency_scheme"]
    response = staff_client.post(
        url, _change_form(enrollment, competency_scheme="Pembatik Tulis", competency_expires_on="2029-10-30")
    )
    assert set(response.context["adminform"].form.errors) == {"competency", "competency_certificate_number"}
    assert _lsp_values(enrollment) == (Enrollment.Competency.NOT_TESTED, "", "", None)


def test_a_row_of_the_package_page_keeps_the_certificate_on_record(staff_client, staff_user, package, enrollment):
    _record(
        enrollment,
        staff_user,
        competency_scheme="Pembatik Tulis",
        competency_certificate_number="LSP-77",
        competency_expires_on=datetime.date(2029, 10, 30),
    )
    data = _inline_data(package, [])
    data.update(
        {
            "enrollments-TOTAL_FORMS": "1",
            "enrollments-INITIAL_FORMS": "1",
            "enrollments-0-id": enrollment.pk,
            "enrollments-0-package": package.pk,
            "enrollments-0-status": enrollment.status,
            "enrollments-0-override_reason": "",
            "enrollments-0-assessment": Enrollment.Assessment.PASSED,
            "enrollments-0-certificate_number": "LPK/002",
            "enrollments-0-competency": COMPETENT,
        }
    )
    response = staff_client.post(reverse("admin:programs_trainingpackage_change", args=[package.pk]), data)
    assert response.status_code == 302
    enrollment.refresh_from_db()
    assert enrollment.certificate_number == "LPK/002"
    assert _lsp_values(enrollment) == (COMPETENT, "Pembatik Tulis", "LSP-77", datetime.date(2029, 10, 30))
