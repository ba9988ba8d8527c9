"""Two people of the same name differ wherever a person is picked or listed: the masked NIK (full where
staff already see it), the birth date and the kelurahan stand beside the name."""

import datetime
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from participants.models import Enrollment
from programs.models import Kelurahan
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_sri(db):
    first = factories.ParticipantFactory(
        full_name="Sri Aminah",
        birth_date=datetime.date(1990, 3, 4),
        kelurahan=Kelurahan.objects.get(name="Bendan Kergon"),
    )
    second = factories.ParticipantFactory(full_name="Sri Aminah", birth_date=datetime.date(1998, 5, 17), kelurahan=None)
    return first, second


def autocomplete(client, term, model_name="enrollment", field_name="participant"):
    response = client.get(
        reverse("admin:autocomplete"),
        {"term": term, "app_label": "participants", "model_name": model_name, "field_name": field_name},
    )
    assert response.status_code == 200
    return [result["text"] for result in json.loads(response.content)["results"]]


def test_the_participant_autocomplete_tells_namesakes_apart_with_a_masked_nik(staff_client, two_sri):
    first, second = two_sri
    labels = autocomplete(staff_client, "sri aminah")
    assert sorted(labels) == [
        f"Sri Aminah · {first.masked_nik} · 4 Maret 1990 · Bendan Kergon",
        f"Sri Aminah · {second.masked_nik} · 17 Mei 1998 · luar kota",
    ]
    assert len(set(labels)) == 2
    assert first.nik not in " ".join(labels) and second.nik not in " ".join(labels)


def test_the_enrollment_autocomplete_names_the_person_and_the_package(staff_client, two_sri):
    first, _second = two_sri
    enrollment = factories.EnrollmentFactory(participant=first)
    labels = autocomplete(staff_client, "sri", model_name="attendance", field_name="enrollment")
    assert labels == [f"Sri Aminah · {first.masked_nik} · 4 Maret 1990 · Bendan Kergon · {enrollment.package.code}"]


def test_the_autocomplete_keeps_a_flat_query_count(staff_client):
    factories.ParticipantFactory.create_batch(2, full_name="Siti")
    autocomplete(staff_client, "siti")
    with CaptureQueriesContext(connection) as few:
        autocomplete(staff_client, "siti")
    factories.ParticipantFactory.create_batch(
        15, full_name="Siti", kelurahan=Kelurahan.objects.get(name="Bendan Kergon")
    )
    with CaptureQueriesContext(connection) as many:
        assert len(autocomplete(staff_client, "siti")) == 17
    assert len(many) == len(few)


def test_the_admin_search_lists_nik_birth_date_and_kelurahan(staff_client, two_sri):
    first, second = two_sri
    response = staff_client.get(reverse("admin:participants_participant_changelist"), {"q": "sri aminah"})
    assert response.context["cl"].list_display[1:5] == ["full_name", "nik", "birth_date", "kelurahan"]
    content = response.content.decode()
    for text in (first.nik, second.nik, "4 Maret 1990", "17 Mei 1998", "Bendan Kergon"):
        assert text in content


def test_the_intake_page_tells_applicants_waitlist_and_search_results_apart(staff_client, two_sri):
    first, second = two_sri
    package = factories.TrainingPackageFactory(quota=1, status="open")
    factories.EnrollmentFactory(package=package)
    factories.EnrollmentFactory(package=package, participant=first, status=Enrollment.Status.APPLIED)
    factories.EnrollmentFactory(
        package=package,
        participant=second,
        status=Enrollment.Status.WAITLISTED,
        waitlisted_at=datetime.datetime(2026, 8, 20, tzinfo=datetime.UTC),
    )
    url = reverse("intake:package-enrollment", args=[package.pk])
    content = staff_client.get(url).content.decode()
    applicants = content[content.index('id="applicants-heading"') : content.index('id="waitlist-heading"')]
    waitlist = content[content.index('id="waitlist-heading"') : content.index('id="enrolled-heading"')]
    assert first.nik in applicants and "4 Maret 1990" in applicants and "Bendan Kergon" in applicants
    assert second.masked_nik in waitlist and "17 Mei 1998" in waitlist
    assert second.nik not in waitlist

    found = staff_client.get(url, {"q": "sri aminah"}).content.decode()
    search = found[found.index('id="add-heading"') : found.index('id="applicants-heading"')]
    for text in (first.nik, second.nik, "4 Maret 1990", "17 Mei 1998", "Bendan Kergon"):
        assert text in search
