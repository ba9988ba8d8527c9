"""Dates that fit together: a package inside its wave, registration before the training, meetings in the package."""

import datetime

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation

from programs.forms import CohortForm, TrainingPackageForm
from programs.models import Cohort, Session, TrainingPackage
from programs.services import session_add, session_move
from tests import factories

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def waves():
    """Gelombang 2 / 2026 trains in October and November 2026; Gelombang 1 / 2027 from February 2027."""
    program_2026 = factories.ProgramFactory(name="Pelatihan Kerja DBHCHT", fiscal_year=2026)
    program_2027 = factories.ProgramFactory(name="Pelatihan Kerja DBHCHT", fiscal_year=2027)
    return {
        "2/2026": factories.CohortFactory(
            program=program_2026,
            number=2,
            registration_opens=D(2026, 9, 1),
            registration_closes=D(2026, 9, 20),
            starts_on=D(2026, 10, 1),
            ends_on=D(2026, 11, 30),
        ),
        "1/2026": factories.CohortFactory(
            program=program_2026,
            number=1,
            registration_opens=D(2026, 4, 1),
            registration_closes=D(2026, 4, 20),
            starts_on=D(2026, 5, 4),
            ends_on=D(2026, 6, 30),
        ),
        "1/2027": factories.CohortFactory(
            program=program_2027,
            number=1,
            registration_opens=D(2027, 1, 4),
            registration_closes=D(2027, 1, 29),
            starts_on=D(2027, 2, 1),
            ends_on=D(2027, 4, 30),
        ),
        "other": factories.CohortFactory(
            program=factories.ProgramFactory(name="Program APBD Menjahit", fiscal_year=2026),
            number=2,
            registration_opens=None,
            registration_closes=None,
            starts_on=D(2026, 10, 5),
            ends_on=D(2026, 12, 15),
        ),
    }


def _package_data(cohort, starts_on, ends_on, **changes):
    vocation, provider = factories.VocationFactory(), factories.ProviderFactory()
    data = {
        "code": "2026-BLK-09",
        "title": "Pelatihan Barista",
        "vocation": vocation.pk,
        "cohort": cohort.pk,
        "provider": provider.pk,
        "category": TrainingPackage.Category.BLK,
        "status": TrainingPackage.Status.PLANNED,
        "venue_kelurahan": "",
        "venue_address": "",
        "quota": 16,
        "hours": 120,
        "budget": "Rp60.000.000",
        "starts_on": starts_on.isoformat(),
        "ends_on": ends_on.isoformat(),
        "meeting_weekdays": ["0", "1", "2", "3", "4"],
        "session_starts_at": "08:00",
        "session_ends_at": "15:00",
        "min_attendance_percent": 80,
        "application_limit": "",
        "test_weight": 50,
        "interview_weight": 50,
    }
    return {**data, **changes}


# --- a package inside its wave -------------------------------------------------------------------


def test_a_package_inside_its_wave_is_saved(waves):
    form = TrainingPackageForm(data=_package_data(waves["2/2026"], D(2026, 10, 1), D(2026, 11, 30)))
    assert form.is_valid(), form.errors
    assert form.save().budget == 60_000_000


def test_a_package_of_october_2026_cannot_go_into_gelombang_1_2027(waves, english):
    form = TrainingPackageForm(data=_package_data(waves["1/2027"], D(2026, 10, 5), D(2026, 10, 30)))
    assert not form.is_valid()
    message = "Wave 1 / 2027 trains from 1 February 2027 to 30 April 2027."
    assert (form.errors["starts_on"], form.errors["ends_on"]) == ([message], [message])
    with translation.override("id"):
        form = TrainingPackageForm(data=_package_data(waves["1/2027"], D(2026, 10, 5), D(2026, 10, 30)))
        assert "Gelombang 1 / 2027" in form.errors["starts_on"][0]
        assert "1 Februari 2027" in form.errors["starts_on"][0]
    assert not TrainingPackage.objects.exists()


def test_a_package_running_past_its_wave_is_refused_next_to_the_last_day(waves, english):
    form = TrainingPackageForm(data=_package_data(waves["2/2026"], D(2026, 10, 5), D(2026, 12, 4)))
    assert not form.is_valid()
    assert form.errors["ends_on"] == ["Wave 2 / 2026 trains from 1 October 2026 to 30 November 2026."]
    assert "starts_on" not in form.errors


def test_the_package_admin_says_which_dates_the_wave_has(staff_client, waves, english):
    data = _package_data(waves["2/2026"], D(2026, 9, 21), D(2026, 10, 30))
    data.update({"sessions-TOTAL_FORMS": "0", "sessions-INITIAL_FORMS": "0"})
    data.update({"enrollments-TOTAL_FORMS": "0", "enrollments-INITIAL_FORMS": "0"})
    data.update({"enrollments-2-TOTAL_FORMS": "0", "enrollments-2-INITIAL_FORMS": "0"})
    response = staff_client.post(reverse("admin:programs_trainingpackage_add"), data)
    assert response.status_code == 200
    assert "Wave 2 / 2026 trains from 1 October 2026 to 30 November 2026." in response.content.decode()
    assert not TrainingPackage.objects.exists()


# --- registration before the training ------------------------------------------------------------


def test_registration_closing_on_the_first_training_day_is_refused_by_the_database(waves):
    wave = waves["2/2026"]
    wave.registration_closes = wave.starts_on
    with pytest.raises(IntegrityError), transaction.atomic():
        wave.save()
    wave.registration_closes = wave.starts_on - datetime.timedelta(days=1)
    wave.save()
    assert Cohort.objects.get(pk=wave.pk).registration_closes == D(2026, 9, 30)


def _cohort_data(**changes):
    return {
        "number": "3",
        "registration_opens": "2026-09-01",
        "registration_closes": "2026-10-01",
        "starts_on": "2026-10-01",
        "ends_on": "2026-11-30",
        **changes,
    }


def test_the_wave_admin_says_when_registration_must_close(staff_client, english):
    program = factories.ProgramFactory()
    response = staff_client.post(reverse("admin:programs_cohort_add"), _cohort_data(program=program.pk))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors["registration_closes"] == [
        "Registration must close before the training starts: on 30 September 2026 at the latest."
    ]
    assert not Cohort.objects.exists()

    response = staff_client.post(
        reverse("admin:programs_cohort_add"), _cohort_data(program=program.pk, registration_closes="2026-09-30")
    )
    assert response.status_code == 302
    assert Cohort.objects.get().registration_closes == D(2026, 9, 30)


def test_the_waves_in_the_program_admin_say_it_too(staff_client, english):
    program = factories.ProgramFactory(budget=500_000_000)
    data = {
        "name": program.name,
        "fiscal_year": program.fiscal_year,
        "funding_source": program.funding_source,
        "budget": "Rp500.000.000",
        "target_participants": program.target_participants,
        "min_age": program.min_age,
        "require_city_domicile": "on",
        "one_training_per_year": "on",
        "exclude_in_school": "on",
        "max_age": 0,
        "cohorts-TOTAL_FORMS": "1",
        "cohorts-INITIAL_FORMS": "0",
        "category_rules-TOTAL_FORMS": "0",
        "category_rules-INITIAL_FORMS": "0",
        **{f"cohorts-0-{name}": value for name, value in _cohort_data(registration_closes="2026-10-02").items()},
    }
    response = staff_client.post(reverse("admin:programs_program_change", args=[program.pk]), data)
    assert response.status_code == 200
    assert "Registration must close before the training starts: on 30 September 2026 at the latest." in (
        response.content.decode()
    )
    assert not Cohort.objects.exists()


def test_a_wave_cannot_shrink_away_from_its_packages(waves, english):
    wave = waves["2/2026"]
    factories.TrainingPackageFactory(cohort=wave, starts_on=D(2026, 10, 5), ends_on=D(2026, 11, 27))
    data = {
        "program": wave.program_id,
        "number": wave.number,
        "registration_opens": "2026-09-01",
        "registration_closes": "2026-09-20",
        "starts_on": "2026-10-01",
        "ends_on": "2026-11-20",
    }
    form = CohortForm(data=data, instance=wave)
    assert not form.is_valid()
    assert form.errors["ends_on"] == [
        "The packages of this wave train from 5 October 2026 to 27 November 2026; "
        "the training period must include those days."
    ]


# --- meetings inside the package -----------------------------------------------------------------


@pytest.fixture
def package(waves):
    return factories.TrainingPackageFactory(
        cohort=waves["2/2026"], starts_on=D(2026, 10, 5), ends_on=D(2026, 10, 30), status="planned"
    )


def test_the_meeting_admin_refuses_a_day_outside_the_package(staff_client, package, english):
    data = {"package": package.pk, "date": "2026-11-02", "starts_at": "08:00", "ends_at": "15:00", "topic": ""}
    response = staff_client.post(reverse("admin:programs_session_add"), data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["date"] == [
        "The package runs from 5 October 2026 to 30 October 2026; choose a day in between."
    ]
    assert not Session.objects.exists()
    response = staff_client.post(reverse("admin:programs_session_add"), {**data, "date": "2026-10-30"})
    assert response.status_code == 302
    assert Session.objects.get().date == D(2026, 10, 30)


def test_moving_a_meeting_out_of_its_package_in_the_admin_is_refused(staff_client, package):
    meeting = factories.SessionFactory(package=package, date=D(2026, 10, 6))
    data = {"package": package.pk, "date": "2026-10-04", "starts_at": "08:00", "ends_at": "15:00", "topic": ""}
    response = staff_client.post(reverse("admin:programs_session_change", args=[meeting.pk]), data)
    assert response.status_code == 200
    assert Session.objects.get().date == D(2026, 10, 6)


def _package_page(package, rows, **changes):
    data = {
        **_package_data(package.cohort, package.starts_on, package.ends_on, code=package.code),
        "vocation": package.vocation_id,
        "provider": package.provider_id,
        "sessions-TOTAL_FORMS": str(len(rows)),
        "sessions-INITIAL_FORMS": "0",
        "enrollments-TOTAL_FORMS": "0",
        "enrollments-INITIAL_FORMS": "0",
        "enrollments-2-TOTAL_FORMS": "0",
        "enrollments-2-INITIAL_FORMS": "0",
        **changes,
    }
    for index, date in enumerate(rows):
        data.update({f"sessions-{index}-date": date, f"sessions-{index}-starts_at": "08:00"})
        data.update({f"sessions-{index}-ends_at": "15:00", f"sessions-{index}-topic": ""})
    return data


def test_the_meetings_in_the_package_page_lie_inside_the_dates_typed_on_it(staff_client, package, english):
    url = reverse("admin:programs_trainingpackage_change", args=[package.pk])
    response = staff_client.post(url, _package_page(package, ["2026-10-06", "2026-11-03"]))
    assert response.status_code == 200
    assert "The package runs from 5 October 2026 to 30 October 2026; choose a day in between." in (
        response.content.decode()
    )
    assert not Session.objects.exists()
    # The same meeting is fine once the package runs into November (the dates typed on the same page).
    response = staff_client.post(url, _package_page(package, ["2026-10-06", "2026-11-03"], ends_on="2026-11-06"))
    assert response.status_code == 302
    assert sorted(Session.objects.values_list("date", flat=True)) == [D(2026, 10, 6), D(2026, 11, 3)]


def test_the_meeting_services_keep_meetings_inside_the_package(package, staff_user):
    with pytest.raises(ValidationError) as refused:
        session_add(package=package, date=D(2026, 10, 31), starts_at=None, ends_at=None, actor=staff_user)
    assert "date" in refused.value.message_dict
    meeting = session_add(package=package, date=D(2026, 10, 30), starts_at=None, ends_at=None, actor=staff_user)
    with pytest.raises(ValidationError):
        session_move(session=meeting, date=D(2026, 10, 4), starts_at=None, ends_at=None, actor=staff_user)
    assert list(Session.objects.values_list("date", flat=True)) == [D(2026, 10, 30)]


# --- finding a wave ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "term",
    [
        "Gelombang 2 / 2026",
        "Gelombang 2",
        "gelombang 2 2026",
        "2 / 2026",
        "2/2026",
        "gelombang ke-2 2026",
        "Wave 2 / 2026",
        "GELOMBANG 2/2026",
    ],
)
def test_the_wave_search_finds_gelombang_2_2026_by_its_label(staff_client, waves, term):
    response = staff_client.get(reverse("admin:programs_cohort_changelist"), {"q": term})
    found = set(response.context["cl"].result_list)
    assert waves["2/2026"] in found
    assert waves["1/2026"] not in found and waves["1/2027"] not in found


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("2026", {"2/2026", "1/2026", "other"}),
        ("Pelatihan Kerja", {"2/2026", "1/2026", "1/2027"}),
        ("pelatihan kerja 2027", {"1/2027"}),
        ("menjahit", {"other"}),
        ("Gelombang 1", {"1/2026", "1/2027"}),
        ("gelombang 3", set()),
        ("gelombang 99999999999999999999", set()),
        ("1/2099", set()),
    ],
)
def test_the_wave_search_by_year_program_and_number(staff_client, waves, term, expected):
    response = staff_client.get(reverse("admin:programs_cohort_changelist"), {"q": term})
    assert response.status_code == 200
    assert set(response.context["cl"].result_list) == {waves[key] for key in expected}


def test_the_package_forms_wave_autocomplete_searches_the_same_way(staff_client, waves):
    response = staff_client.get(
        reverse("admin:autocomplete"),
        {"app_label": "programs", "model_name": "trainingpackage", "field_name": "cohort", "term": "2/2026"},
    )
    assert response.status_code == 200
    ids = {int(result["id"]) for result in response.json()["results"]}
    assert ids == {waves["2/2026"].pk, waves["other"].pk}
