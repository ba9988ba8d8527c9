import datetime
import io
import re
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.forms import CheckboxInput
from django.urls import reverse
from openpyxl import Workbook

from participants import imports
from participants.models import Participant
from participants.services import certificate_revoke, certificates_issue, participant_anonymise
from pekalongan_training.messaging import message_send
from pekalongan_training.models import Message
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


# --- complete erasure: nothing of the person is left anywhere in the database --------------------


def _form_data(form) -> dict:
    """What a browser would send back for a form as the admin shows it (every field at its value)."""
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        key = form.add_prefix(name)
        if isinstance(field.widget, CheckboxInput):
            if value:
                data[key] = "on"
        elif isinstance(value, list | tuple):
            data[key] = [str(item) for item in value]
        elif isinstance(value, datetime.date):
            data[key] = value.isoformat()
        elif value is not None:
            data[key] = str(value)
    return data


def _admin_change(client, url: str, **changes) -> None:
    """Change a record through the admin's change form, as staff do (the admin logs it)."""
    page = client.get(url)
    assert page.status_code == 200
    data = _form_data(page.context["adminform"].form)
    for inline in page.context["inline_admin_formsets"]:
        formset = inline.formset
        initial = formset.initial_form_count()
        prefix = formset.prefix
        data.update({f"{prefix}-TOTAL_FORMS": initial, f"{prefix}-INITIAL_FORMS": initial})
        data.update({f"{prefix}-MIN_NUM_FORMS": 0, f"{prefix}-MAX_NUM_FORMS": 1000})
        for form in formset.initial_forms:
            data.update(_form_data(form))
    data.update(changes)
    response = client.post(url, data)
    errors = response.context and response.context["adminform"].form.errors
    assert response.status_code == 302, errors


def _upload_text(batch) -> str:
    """A pending upload's content as a person reading it would see it (an XLSX unzipped)."""
    content = bytes(batch.content)
    if content[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return "\n".join(archive.read(name).decode("utf-8", "replace") for name in archive.namelist())
    return content.decode("utf-8-sig")


def _spaced_pattern(number: str) -> re.Pattern:
    return re.compile(r"(?<![0-9])" + "[^0-9]{0,3}".join(number) + r"(?![0-9])")


def test_anonymising_leaves_nothing_of_the_person_in_the_database(client):
    from django.contrib.admin.models import CHANGE, LogEntry

    from participants.models import ParticipantImport

    staff = factories.StaffFactory()
    nik = factories.make_nik(sex="F", birth_date=datetime.date(1990, 10, 2), serial=77)
    person = factories.ParticipantFactory(
        full_name="Siti Aminah",
        nik=nik,
        birth_date=datetime.date(1990, 10, 2),
        phone="085712349876",
        address="Gang Kenanga 17 RT 03/RW 04",  # the factory's people live on Jl. Merdeka
    )
    other = factories.ParticipantFactory(full_name="Budi Santoso")
    ended = factories.TrainingPackageFactory(
        status="running", starts_on=datetime.date(2026, 1, 5), ends_on=datetime.date(2026, 2, 20)
    )
    enrollment = factories.EnrollmentFactory(
        participant=person, package=ended, status="completed", enrolled_on=datetime.date(2026, 1, 5)
    )
    # What she typed when she registered online, and the notice sent to her (kept in the history too).
    enrollment.submitted = [{"full_name": "Siti Aminah", "nik": nik, "address": "Gang Kenanga 17"}]
    enrollment.owner_notices = [{"to": "0857****9876", "text": "Siti Aminah, ada pendaftaran dengan NIK Anda"}]
    enrollment.save()
    meeting = factories.SessionFactory(package=ended, date=datetime.date(2026, 1, 6))
    mark = factories.AttendanceFactory(enrollment=enrollment, session=meeting, remark="")
    outcome = factories.OutcomeFactory(enrollment=enrollment, notes="")
    # A certificate revoked with a reason that names her, and its replacement, still valid.
    enrollment.assessment = "passed"
    enrollment.save()
    first, *_others = certificates_issue(package=ended, by=staff)
    certificate_revoke(certificate=first, reason=f"Nama salah ketik: Siti Aminah, NIK {nik}", by=staff)
    second, *_others = certificates_issue(package=ended, by=staff)
    header = ["NIK", "Nama Lengkap", "Jenis Kelamin (L/P)", "Tanggal Lahir", "No. HP", "Alamat", "Pendidikan"]
    hers = [nik, "Siti Aminah", "P", "02/10/1990", "0857-1234-9876", "Gang Kenanga 17 RT 03/RW 04", "SLTA"]
    his = [other.nik, "Budi Santoso", "L", "17/05/1998", "081399998888", "Jl. Hayam Wuruk 2", "S1"]
    workbook = Workbook()
    for row in (header, hers, his):
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    xlsx = ParticipantImport.objects.create(
        filename="peserta.xlsx", content=buffer.getvalue(), rows=[header, hers, his], created_by=staff, row_count=2
    )
    spaced = f"{nik[:4]} {nik[4:8]} {nik[8:12]} {nik[12:]}"
    lines = [header, [spaced, *hers[1:]], his]
    csv = ParticipantImport.objects.create(
        filename="peserta.csv",
        content="\r\n".join(";".join(row) for row in lines).encode(),
        rows=None,  # an upload from before the rows were kept
        created_by=staff,
        row_count=2,
    )
    package = enrollment.package
    package._change_reason = f"Kuota ditambah untuk Siti Aminah ({nik})"
    package.save()
    client.force_login(staff)
    _admin_change(client, reverse("admin:participants_participant_change", args=[person.pk]), education="8")
    _admin_change(client, reverse("admin:participants_attendance_change", args=[mark.pk]), status="sick")
    type(ended).objects.filter(pk=ended.pk).update(status="completed")  # closed after the last mark
    _admin_change(client, reverse("admin:participants_outcome_change", args=[outcome.pk]), notes="Dihubungi lewat WA")
    LogEntry.objects.log_actions(
        user_id=staff.pk,
        queryset=[package],
        action_flag=CHANGE,
        change_message=f"Peserta Siti Aminah ({spaced}, HP +62 857 1234 9876) pindah ke paket lain",
    )
    logged = LogEntry.objects.filter(user=staff).values_list("object_repr", flat=True)
    assert sum("Siti Aminah" in text for text in logged) >= 3  # the admin named her in its log

    participant_anonymise(participant=person, actor=staff)

    second.refresh_from_db()
    assert second.revoked_at is not None and second.revoked_by == staff  # no longer vouched for
    assert second.revoke_reason == "Ditarik: data pemegangnya dihapus atas permintaannya."
    assert client.get(reverse("certificate-verify", args=[second.code])).context["holds"] is False
    dump = io.StringIO()
    call_command("dumpdata", stdout=dump)
    pending = [_upload_text(batch) for batch in ParticipantImport.objects.filter(imported_at__isnull=True)]
    everything = "\n".join([dump.getvalue(), *pending])
    assert "Siti" not in everything and "Aminah" not in everything
    assert "Kenanga" not in everything
    assert not _spaced_pattern(nik).search(everything)  # with or without spaces or dots
    assert not _spaced_pattern("857123498").search(everything)  # the phone, however written
    assert "0857****9876" not in everything  # the masked number in the notice
    # The other people in the uploads stay, in the uploads' own formats.
    assert len(pending) == 2 and all("Budi Santoso" in text and other.nik in text for text in pending)
    xlsx.refresh_from_db()
    csv.refresh_from_db()
    assert xlsx.filename == "peserta.xlsx" and xlsx.rows == [header, his] and xlsx.row_count == 1
    assert csv.filename == "peserta.csv" and csv.rows is None
    assert [row[0] for row in imports.read_table(bytes(csv.content), csv.filename)] == ["NIK", other.nik]
    assert [row[0] for row in imports.read_table(bytes(xlsx.content), xlsx.filename)] == ["NIK", other.nik]
    # The log still says what was done, and to which record.
    person.refresh_from_db()
    described = LogEntry.objects.get(content_type__model="trainingpackage", user=staff).change_message
    assert described.startswith(f"Peserta {person.full_name} (") and described.endswith("pindah ke paket lain")
    own = LogEntry.objects.get(content_type__model="participant", object_id=str(person.pk))
    assert own.object_repr == person.full_name and "changed" in own.change_message  # which fields, still


def test_an_upload_with_only_the_person_in_it_is_deleted():
    from participants.models import ParticipantImport

    staff = factories.StaffFactory()
    person = factories.ParticipantFactory()
    dotted = ".".join([person.nik[:6], person.nik[6:12], person.nik[12:]])
    batch = ParticipantImport.objects.create(
        filename="satu.csv", content=f"NIK;Nama\n{dotted};Sri\n".encode(), created_by=staff
    )
    participant_anonymise(participant=person, actor=staff)
    assert not ParticipantImport.objects.filter(pk=batch.pk).exists()


def test_anonymising_erases_the_no_kk_the_employer_the_ak1_date_and_the_messages_sent():
    person = factories.ParticipantFactory(
        phone="081234567890",
        kk_number="3375011203150001",
        employer_name="PR Sekar Tembakau",
        ak1_number="3375-2026-00001",
        ak1_issued_on=datetime.date(2026, 1, 5),
    )
    enrollment = factories.EnrollmentFactory(participant=person, status="applied")
    message_send(
        key="uji:anonim",
        to=person.phone,
        channel="whatsapp",
        template="owner_notice",
        context={"text": "Lamaran Siti Aminah diterima"},
        about=enrollment,
    )
    participant_anonymise(participant=person, actor=factories.StaffFactory())
    person.refresh_from_db()
    assert (person.kk_number, person.employer_name, person.ak1_number, person.ak1_issued_on) == ("", "", "", None)
    message = Message.objects.get(key="uji:anonim")
    assert (message.recipient, message.body) == ("", "")
