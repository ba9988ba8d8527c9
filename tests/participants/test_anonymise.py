import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from participants.models import Participant
from participants.services import participant_anonymise
from reports import indicators
from tests import factories

pytestmark = pytest.mark.django_db


def test_anonymising_removes_who_the_person_is_but_keeps_the_figures(client):
    person = factories.ParticipantFactory(full_name="Siti Aminah", phone="081234567890", address="Jl. Merdeka 1")
    person.full_name = "Siti Aminah binti Fulan"
    person.save()  # a change in the history
    factories.EnrollmentFactory(participant=person, status="completed")
    before = indicators.headcounts(indicators.Filters())
    staff = factories.StaffFactory()
    client.force_login(staff)
    client.post(
        reverse("admin:participants_participant_changelist"), {"action": "anonymise", "_selected_action": [person.pk]}
    )
    person.refresh_from_db()
    assert "Siti" not in person.full_name and person.phone == "" and person.address == ""
    assert person.nik.startswith("00") and len(person.nik) == 16
    assert (person.birth_date.month, person.birth_date.day) == (7, 1)
    assert not Participant.history.filter(id=person.pk).exists()
    assert indicators.headcounts(indicators.Filters()) == before


def test_only_staff_may_anonymise():
    person = factories.ParticipantFactory()
    with pytest.raises(ValidationError):
        participant_anonymise(participant=person, actor=factories.OperatorFactory())
    person.refresh_from_db()
    assert person.full_name.startswith("Peserta")


def test_an_export_with_full_niks_is_logged(client):
    people = factories.ParticipantFactory.create_batch(3)
    staff = factories.StaffFactory()
    client.force_login(staff)
    response = client.post(
        reverse("admin:participants_participant_changelist") + "?sex__exact=F",
        {"action": "export_csv", "_selected_action": [p.pk for p in people]},
    )
    assert response.status_code == 200
    content = response.content.decode("utf-8-sig")
    assert all(person.nik in content for person in people)
    from participants.models import PersonalDataExport

    log = PersonalDataExport.objects.get()
    assert (log.user, log.row_count) == (staff, 3)
    assert "sex__exact=F" in log.description


def test_anonymising_also_clears_free_text_history_pending_uploads_and_the_admin_log(client):
    from django.contrib.admin.models import LogEntry

    from participants.models import Attendance, Enrollment, Outcome, ParticipantImport

    staff = factories.StaffFactory()
    person = factories.ParticipantFactory(full_name="Siti Aminah")
    enrollment = factories.EnrollmentFactory(
        participant=person, status="completed", certificate_number="CERT-SITI", receipt_number="2026-ABCDEF"
    )
    factories.AttendanceFactory(enrollment=enrollment, remark="Siti sakit")
    factories.OutcomeFactory(enrollment=enrollment, business_name="Batik Siti Aminah", notes="Bu Siti")
    pending = ParticipantImport.objects.create(
        filename="x.csv", content=f"NIK\n{person.nik}\n".encode(), created_by=staff
    )
    client.force_login(staff)
    client.post(reverse("admin:participants_participant_change", args=[person.pk]), {})  # leaves no log: invalid
    LogEntry.objects.log_actions(user_id=staff.pk, queryset=[person], action_flag=2, change_message="")
    participant_anonymise(participant=person, actor=staff)
    texts = [
        *Enrollment.objects.values_list("certificate_number", "receipt_number"),
        *Enrollment.history.values_list("certificate_number", "receipt_number"),
        *Attendance.objects.values_list("remark", flat=True),
        *Attendance.history.values_list("remark", flat=True),
        *Outcome.objects.values_list("business_name", "notes"),
        *Outcome.history.values_list("business_name", "notes"),
        *LogEntry.objects.values_list("object_repr", flat=True),
    ]
    assert "Siti" not in str(texts) and "CERT-SITI" not in str(texts) and "ABCDEF" not in str(texts)
    assert not ParticipantImport.objects.filter(pk=pending.pk).exists()


def test_participants_cannot_be_deleted_only_anonymised(client):
    person = factories.ParticipantFactory()
    client.force_login(factories.StaffFactory())
    assert client.get(reverse("admin:participants_participant_delete", args=[person.pk])).status_code == 403


def test_anonymising_keeps_every_age_band_as_it_was():
    # 24 on the day of enrollment; with the birth date moved to 1 July of the year, 25: another band.
    person = factories.ParticipantFactory(
        birth_date=datetime.date(2001, 12, 20),
        nik=factories.make_nik(sex="F", birth_date=datetime.date(2001, 12, 20), serial=77),
    )
    enrollment = factories.EnrollmentFactory(participant=person, enrolled_on=datetime.date(2026, 9, 1))
    before = indicators.by_person(indicators.Filters())["age_band"]
    participant_anonymise(participant=person, actor=factories.StaffFactory())
    enrollment.refresh_from_db()
    person.refresh_from_db()
    assert person.birth_date.isoformat() == "2001-07-01"
    assert enrollment.age_at_enrollment == 24
    assert indicators.by_person(indicators.Filters())["age_band"] == before
    assert [row["label"] for row in before if row["enrolled"]] == ["15-24"]
