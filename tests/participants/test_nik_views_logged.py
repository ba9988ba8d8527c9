"""Every admin page that shows full NIKs is logged like an export: who, what, how many; no NIK in the log."""

import pytest
from django.urls import reverse

from participants.models import PersonalDataExport
from tests.factories import ParticipantFactory, StaffFactory

pytestmark = pytest.mark.django_db


def test_the_list_and_a_persons_page_each_leave_a_log_row_without_the_nik(client):
    staff = StaffFactory()
    client.force_login(staff)
    people = ParticipantFactory.create_batch(3)
    listing = reverse("admin:participants_participant_changelist")
    assert client.get(listing, {"sex__exact": "F", "q": people[0].nik}).status_code == 200
    assert client.get(reverse("admin:participants_participant_change", args=[people[1].pk])).status_code == 200
    logged = list(PersonalDataExport.objects.order_by("pk"))
    assert [(row.user, row.row_count) for row in logged] == [(staff, 1), (staff, 1)]
    assert "sex__exact=F" in logged[0].description and str(people[0].pk) in logged[0].description
    assert str(people[1].pk) in logged[1].description
    assert not any(person.nik in row.description for row in logged for person in people)


def test_an_empty_list_leaves_no_row(client):
    client.force_login(StaffFactory())
    client.get(reverse("admin:participants_participant_changelist"), {"q": "nobody-at-all"})
    assert not PersonalDataExport.objects.exists()
