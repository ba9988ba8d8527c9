"""No question about a person starts answered: the public registration, the follow-up and the admin's person form."""

import datetime
import re

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from participants.models import Enrollment, Outcome, Participant
from programs.models import Kelurahan, TrainingPackage
from tests import factories
from tests.factories import make_nik

pytestmark = pytest.mark.django_db

PERSON_QUESTIONS = ["sex", "kelurahan", "education", "employment_status_at_intake", "beneficiary_group"]


@pytest.fixture
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def open_package():
    today = timezone.localdate()
    return factories.TrainingPackageFactory(
        status=TrainingPackage.Status.OPEN,
        starts_on=today + datetime.timedelta(days=30),
        ends_on=today + datetime.timedelta(days=50),
        cohort=factories.CohortFactory(
            program=factories.ProgramFactory(fiscal_year=today.year),
            registration_opens=today - datetime.timedelta(days=5),
            registration_closes=today + datetime.timedelta(days=5),
            starts_on=today + datetime.timedelta(days=30),
            ends_on=today + datetime.timedelta(days=60),
        ),
    )


@pytest.fixture
def completer():
    today = timezone.localdate()
    package = factories.TrainingPackageFactory(
        starts_on=today - datetime.timedelta(days=150), ends_on=today - datetime.timedelta(days=120)
    )
    return factories.EnrollmentFactory(package=package, status="completed")


def answers(page: str, name: str) -> list[str]:
    """The values the page has chosen for question `name`: checked radios and selected options with a value."""
    checked = [
        re.search(r'value="([^"]*)"', tag).group(1)
        for tag in re.findall(r"<input[^>]*>", page)
        if f'name="{name}"' in tag and 'type="radio"' in tag and re.search(r"\schecked[\s>]", tag)
    ]
    select = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', page, re.S)
    selected = re.findall(r'<option value="([^"]+)"[^>]*\sselected', select.group(1)) if select else []
    assert (
        select
        or re.search(rf'<input[^>]*type="radio"[^>]*name="{name}"', page)
        or re.search(rf'<input[^>]*name="{name}"[^>]*type="radio"', page)
    ), f"{name} is not on the page"
    return checked + selected


# --- the resident's registration -----------------------------------------------------------------


def test_the_registration_form_starts_with_nothing_chosen(client, open_package):
    page = client.get(reverse("public:register", args=[open_package.pk])).content.decode()
    for name in PERSON_QUESTIONS:
        assert answers(page, name) == [], name
    kelurahan = re.search(r'<select[^>]*name="kelurahan"[^>]*>(.*?)</select>', page, re.S).group(1)
    options = re.findall(r'<option value="([^"]*)"', kelurahan)
    # An empty first line that means "not answered", every kelurahan, and outside the city as its own answer.
    assert options[0] == "" and "outside" in options and len(options) == Kelurahan.objects.count() + 2
    assert "Di luar Kota Pekalongan" in kelurahan or "Outside Kota Pekalongan" in kelurahan


def test_a_blank_registration_says_what_to_choose_for_each_question(client, open_package, english):
    response = client.post(reverse("public:register", args=[open_package.pk]), {"consent": "on"})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["sex"] == ["Choose male or female."]
    assert errors["kelurahan"] == ["Choose your kelurahan, or 'outside Kota Pekalongan'."]
    assert errors["education"] == ["Choose the highest school you finished."]
    assert errors["employment_status_at_intake"] == ["Choose what you do now."]
    assert errors["beneficiary_group"] == ["Choose the group you belong to."]
    page = response.content.decode()
    assert "Choose your kelurahan, or &#x27;outside Kota Pekalongan&#x27;." in page
    assert not Participant.objects.exists()


def _registration(**changes):
    data = {
        "nik": make_nik(sex="F", birth_date=datetime.date(1999, 3, 14), serial=77),
        "full_name": "Dewi Lestari",
        "sex": "F",
        "birth_date": "1999-03-14",
        "phone": "081277776666",
        "address": "Jl. Hayam Wuruk 3",
        "kelurahan": factories.KelurahanFactory().pk,
        "education": "5",
        "employment_status_at_intake": "unemployed",
        "beneficiary_group": "factory_worker_family",
        "consent": "on",
        "website": "",
    }
    return {**data, **changes}


def test_choosing_outside_the_city_is_an_answer(client, open_package):
    open_package.cohort.program.require_city_domicile = False
    open_package.cohort.program.save()
    response = client.post(reverse("public:register", args=[open_package.pk]), _registration(kelurahan="outside"))
    assert response.status_code == 302
    person = Enrollment.objects.get().participant
    assert (person.kelurahan, person.beneficiary_group) == (None, "factory_worker_family")


def test_a_chosen_kelurahan_and_answers_are_kept_when_another_field_is_wrong(client, open_package):
    kelurahan = factories.KelurahanFactory()
    page = client.post(
        reverse("public:register", args=[open_package.pk]), _registration(nik="123", kelurahan=kelurahan.pk)
    ).content.decode()
    assert answers(page, "kelurahan") == [str(kelurahan.pk)]
    assert answers(page, "sex") == ["F"]
    assert answers(page, "beneficiary_group") == ["factory_worker_family"]


# --- the follow-up -------------------------------------------------------------------------------


def test_the_follow_up_status_starts_with_no_radio_checked_and_no_dashes(staff_client, completer):
    page = staff_client.get(reverse("intake:followup-record", args=[completer.pk, 3])).content.decode()
    assert answers(page, "status") == []
    assert "---------" not in page
    radios = re.findall(r'<input[^>]*type="radio"[^>]*name="status"[^>]*>', page)
    assert len(radios) == len(Outcome.Status.choices)


def test_a_blank_follow_up_says_what_to_choose(staff_client, completer, english):
    response = staff_client.post(reverse("intake:followup-record", args=[completer.pk, 3]), {"notes": ""})
    assert response.status_code == 200
    assert response.context["form"].errors["status"] == ["Choose what the person does now, or 'Not reachable'."]
    assert not Outcome.objects.exists()


def test_a_stored_follow_up_shows_its_answer(staff_client, completer):
    factories.OutcomeFactory(enrollment=completer, round=3, status=Outcome.Status.EMPLOYED)
    page = staff_client.get(reverse("intake:followup-record", args=[completer.pk, 3])).content.decode()
    assert answers(page, "status") == ["employed"]


# --- the admin's person form ---------------------------------------------------------------------


def _empty_inlines(page: str) -> dict:
    """The management forms of the page's inlines, with no rows."""
    data = {}
    for prefix in re.findall(r'name="([\w-]+)-TOTAL_FORMS"', page):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    return data


def test_the_admin_person_form_starts_with_nothing_chosen(staff_client):
    page = staff_client.get(reverse("admin:participants_participant_add")).content.decode()
    for name in PERSON_QUESTIONS:
        assert answers(page, name) == [], name
    # The model's default group (job seeker) is not offered as an answer already given.
    group = re.search(r'<select[^>]*name="beneficiary_group"[^>]*>(.*?)</select>', page, re.S).group(1)
    assert re.findall(r'<option value="([^"]*)"', group)[0] == ""


def test_a_blank_admin_person_form_says_what_to_choose(staff_client, english):
    url = reverse("admin:participants_participant_add")
    data = {
        "nik": make_nik(sex="M", birth_date=datetime.date(1990, 1, 5), serial=12),
        "full_name": "Budi",
        "birth_date": "1990-01-05",
        **_empty_inlines(staff_client.get(url).content.decode()),
    }
    response = staff_client.post(url, data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors["sex"] == ["Choose male or female."]
    assert errors["kelurahan"] == ["Choose the kelurahan, or 'outside Kota Pekalongan'."]
    assert errors["education"] == ["Choose the highest education the person finished."]
    assert errors["employment_status_at_intake"] == ["Choose what the person does now."]
    assert errors["beneficiary_group"] == ["Choose the group the person belongs to."]
    assert not Participant.objects.exists()

    response = staff_client.post(
        url,
        {
            **data,
            "sex": "M",
            "kelurahan": "outside",
            "education": "5",
            "employment_status_at_intake": "unemployed",
            "beneficiary_group": "tobacco_farm_worker",
        },
    )
    assert response.status_code == 302
    person = Participant.objects.get()
    assert (person.sex, person.kelurahan, person.beneficiary_group) == ("M", None, "tobacco_farm_worker")


def test_editing_a_person_in_the_admin_shows_the_stored_answers(staff_client):
    inside = factories.ParticipantFactory(sex="M", beneficiary_group="factory_worker")
    outside = factories.ParticipantFactory(kelurahan=None)
    page = staff_client.get(reverse("admin:participants_participant_change", args=[inside.pk])).content.decode()
    assert answers(page, "sex") == ["M"]
    assert answers(page, "kelurahan") == [str(inside.kelurahan_id)]
    assert answers(page, "education") == [str(Participant.Education.SENIOR_SECONDARY.value)]
    assert answers(page, "employment_status_at_intake") == ["unemployed"]
    assert answers(page, "beneficiary_group") == ["factory_worker"]
    page = staff_client.get(reverse("admin:participants_participant_change", args=[outside.pk])).content.decode()
    assert answers(page, "kelurahan") == ["outside"]
