"""One participant search, the same in the admin and on the intake enrollment page."""

import datetime

import pytest
from django.urls import reverse

from participants.models import Participant
from participants.search import participant_search
from tests import factories
from tests.factories import make_nik

pytestmark = pytest.mark.django_db

BUDI_NIK = make_nik(sex="M", birth_date=datetime.date(1990, 3, 10), serial=1, region="337502")  # 33750210...


@pytest.fixture
def people():
    def person(name, sex="F", region="337501", birth_date=datetime.date(1998, 5, 17), serial=1):
        nik = make_nik(sex=sex, birth_date=birth_date, serial=serial, region=region)
        return factories.ParticipantFactory(full_name=name, sex=sex, birth_date=birth_date, nik=nik)

    person("Siti Aminah", serial=1)
    person("Siti Rahayu", region="332601", serial=2)  # a NIK from Kabupaten Batang, not 3375
    person("Aminah", serial=3)
    person("Aminah Siti Nurjanah", serial=4)
    person("Budi Santoso", sex="M", region="337502", birth_date=datetime.date(1990, 3, 10), serial=1)
    person("Sitiyah", region="337503", serial=5)


def _in_admin(client, query):
    response = client.get(reverse("admin:participants_participant_changelist"), {"q": query})
    assert response.status_code == 200
    return {person.full_name for person in response.context["cl"].result_list}


def _in_intake(client, query):
    package = factories.TrainingPackageFactory(status="open")
    response = client.get(reverse("intake:package-enrollment", args=[package.pk]), {"q": query})
    assert response.status_code == 200
    return {person.full_name for person, _already in response.context["found"]}


CASES = [
    ("siti 3375", {"Siti Aminah", "Aminah Siti Nurjanah", "Sitiyah"}),  # every word; not Siti from Batang
    ("3375 siti", {"Siti Aminah", "Aminah Siti Nurjanah", "Sitiyah"}),
    ("aminah siti", {"Siti Aminah", "Aminah Siti Nurjanah"}),  # words in any order
    ("AMINAH", {"Siti Aminah", "Aminah", "Aminah Siti Nurjanah"}),
    ("3375 0210", {"Budi Santoso"}),  # a NIK typed in groups
    ("3375.0210", {"Budi Santoso"}),
    (BUDI_NIK[:4] + " " + BUDI_NIK[4:8] + " " + BUDI_NIK[8:12] + " " + BUDI_NIK[12:], {"Budi Santoso"}),
    ('"siti aminah"', {"Siti Aminah"}),  # a phrase in quotes is one word
    ('"aminah siti"', {"Aminah Siti Nurjanah"}),
    ("'siti aminah' 3375", {"Siti Aminah"}),
    ("siti 3326", {"Siti Rahayu"}),
    ("budi 3326", set()),
]


@pytest.mark.parametrize("where", [_in_admin, _in_intake], ids=["admin", "intake"])
@pytest.mark.parametrize(("query", "expected"), CASES, ids=[query for query, _names in CASES])
def test_the_same_people_are_found_in_the_admin_and_on_the_intake_page(staff_client, people, where, query, expected):
    assert where(staff_client, query) == expected


def test_an_empty_search_filters_nothing_in_the_admin_and_finds_nobody_on_the_intake_page(staff_client, people):
    assert len(_in_admin(staff_client, "  ")) == 6
    assert _in_intake(staff_client, "  ") == set()


def test_a_whole_nik_is_looked_up_exactly(people):
    found = participant_search(Participant.objects.all(), f" {BUDI_NIK[:6]}.{BUDI_NIK[6:12]}.{BUDI_NIK[12:]} ")
    assert [person.full_name for person in found] == ["Budi Santoso"]
    assert "LIKE" not in str(found.query).upper()  # the unique index, not a prefix scan
