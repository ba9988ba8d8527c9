"""The resident's pages say before the form who may apply, when and where, and whether one can; the receipt and
the status lookup tell "received" from "accepted" and show nothing from a record."""

import datetime
import re

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import Promise

from participants.forms.public import RegistrationForm, StatusLookupForm
from participants.models import Enrollment
from participants.public_pages import entry_rules, normalize_receipt_number, weekdays_text
from participants.services import registration_create
from participants.services.public import Availability, registration_window
from programs.models import CategoryRules, TrainingPackage
from tests import factories
from tests.factories import make_nik

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
BIRTH = datetime.date(1999, 3, 14)


@pytest.fixture(autouse=True)
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def _package(*, opens=-5, closes=5, starts=30, **kwargs):
    program = kwargs.pop("program", None) or factories.ProgramFactory(fiscal_year=TODAY.year)
    defaults = {
        "starts_on": TODAY + datetime.timedelta(days=starts),
        "ends_on": TODAY + datetime.timedelta(days=starts + 20),
        "status": TrainingPackage.Status.OPEN,
        "cohort": factories.CohortFactory(
            program=program,
            registration_opens=TODAY + datetime.timedelta(days=opens),
            registration_closes=TODAY + datetime.timedelta(days=closes),
            starts_on=TODAY + datetime.timedelta(days=starts),
            ends_on=TODAY + datetime.timedelta(days=starts + 30),
        ),
    }
    return factories.TrainingPackageFactory(**{**defaults, **kwargs})


def _form(**overrides):
    data = {
        "nik": make_nik(sex="F", birth_date=BIRTH, serial=77),
        "full_name": "Dewi Lestari",
        "sex": "F",
        "birth_date": BIRTH.isoformat(),
        "phone": "0812 7777 6666",
        "address": "Jl. Hayam Wuruk 3",
        "kelurahan": factories.KelurahanFactory().pk,
        "education": "5",
        "employment_status_at_intake": "unemployed",
        "beneficiary_group": "job_seeker",
        "consent": "on",
        "website": "",
    }
    return {**data, **overrides}


def _text(response) -> str:
    """The page's words, without tags and extra spaces."""
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def _without_csrf(response) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


# --- the package list ---------------------------------------------------------------------------


def test_the_list_shows_rules_schedule_venue_places_and_the_dinas(client):
    program = factories.ProgramFactory(fiscal_year=TODAY.year, min_age=18, require_city_domicile=True)
    package = _package(
        program=program,
        title="Barista Kelas Pagi",
        quota=16,
        venue_address="Gedung BLK, Jl. Sriwijaya 44",
        venue_kelurahan=factories.KelurahanFactory(name="Medono"),
        meeting_weekdays="0123",
        session_starts_at=datetime.time(8, 0),
        session_ends_at=datetime.time(12, 0),
        hours=96,
    )
    factories.EnrollmentFactory(package=package, status="applied")
    text = _text(client.get(reverse("public:package-list")))
    assert "Barista Kelas Pagi" in text
    assert f"At least 18 years old on {package.starts_on.day} {package.starts_on:%B %Y}" in text
    assert "You live in Kota Pekalongan" in text and "no longer in school" in text
    assert f"Not in another training in {TODAY.year}" in text
    assert "Gedung BLK, Jl. Sriwijaya 44, Kelurahan Medono" in text
    assert "Monday to Thursday, 8 a.m.–noon" in text and "96 lesson hours in all" in text
    assert f"{package.starts_on.day} {package.starts_on:%B %Y} – {package.ends_on.day} {package.ends_on:%B %Y}" in text
    assert "Quota 16 people · chosen by selection" in text and "of 16 left" not in text
    assert "(0285) 421731" in text and "https://wa.me/628159946937" in client.get("/pelatihan/").content.decode()


@pytest.mark.parametrize("not_working", [True, False])
def test_a_factory_package_names_its_factory_whatever_not_working_says(not_working):
    program = factories.ProgramFactory(fiscal_year=TODAY.year, exclude_working=True)
    row = CategoryRules.objects.create(
        program=program,
        category=TrainingPackage.Category.FACTORY_WORKERS,
        exclude_working=not_working,
        required_employer="PT Urip Sugiharto",
    )
    package = _package(program=program, category=TrainingPackage.Category.FACTORY_WORKERS)
    with translation.override("en"):
        rules = entry_rules(package)
        assert "You work at PT Urip Sugiharto, or you are family of a worker there (the same No. KK)." in rules
        assert "You are not working and do not run a business." not in rules
        row.required_employer = ""
        row.save()
        package.refresh_from_db()
        rules = entry_rules(package)
    assert "Meant for cigarette-factory workers and their families." in rules
    assert "You are not working and do not run a business." not in rules
    other = _package(program=program)  # another category: the program's "not working"
    with translation.override("en"):
        assert "You are not working and do not run a business." in entry_rules(other)


def test_the_dinas_contact_comes_from_one_setting(client, settings):
    settings.DINAS_CONTACT = {"address": "Jl. Contoh Alamat 1, Kota Pekalongan", "whatsapp": "0811-2222-333"}
    content = client.get(reverse("public:package-list")).content.decode()
    assert "Jl. Contoh Alamat 1, Kota Pekalongan" in content and "https://wa.me/628112222333" in content
    assert "dinperinaker@gmail.com" in content  # the other keys keep their defaults
    assert "Jl. Contoh Alamat 1" in client.get(reverse("public:status")).content.decode()


def test_a_package_at_its_application_limit_says_so_on_the_list_and_offers_no_link_to_a_form(client):
    full = _package(title="Kelas Penuh", quota=1, application_limit=2)
    factories.EnrollmentFactory(package=full, status="waitlisted", waitlisted_at=timezone.now())
    factories.EnrollmentFactory(package=full, status="rejected")  # applied all the same
    factories.EnrollmentFactory(package=full, status="withdrawn")  # not counted
    later = _package(title="Kelas Nanti", opens=3, closes=10)
    page = client.get(reverse("public:package-list"))
    text = _text(page)
    assert text.index("Not open for registration now") < text.index("Kelas Penuh")
    assert "Applications closed: the limit is reached. The package takes at most 2 applications" in text
    assert f"Registration opens on {later.cohort.registration_opens.day} " in text
    content = page.content.decode()
    assert reverse("public:register", args=[full.pk]) not in content
    assert reverse("public:register", args=[later.pk]) not in content


def test_a_package_that_started_or_is_not_open_is_not_listed(client):
    _package(title="Sudah Mulai", starts=-1, opens=-20, closes=-5)
    _package(title="Direncanakan", status=TrainingPackage.Status.PLANNED)
    open_one = _package(title="Bisa Daftar")
    content = client.get(reverse("public:package-list")).content.decode()
    assert "Bisa Daftar" in content and reverse("public:register", args=[open_one.pk]) in content
    assert "Sudah Mulai" not in content and "Direncanakan" not in content


def test_the_list_takes_the_same_queries_for_more_packages(client, django_assert_num_queries):
    _package()
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("public:package-list"))
    for _ in range(4):
        factories.EnrollmentFactory(package=_package(category=TrainingPackage.Category.FACTORY_WORKERS))
    with django_assert_num_queries(len(one.captured_queries)):
        response = client.get(reverse("public:package-list"))
    assert len(response.context["open"]) == 5
    # The packages with their places, wave, program, provider and venue; their programs' rules per category.
    assert len(one.captured_queries) == 2


def test_weekdays_read_as_people_say_them():
    with translation.override("en"):
        assert weekdays_text([0, 1, 2, 3, 4]) == "Monday to Friday"
        assert weekdays_text([0, 2, 4]) == "Monday, Wednesday and Friday"
        assert weekdays_text([5]) == "Saturday"
        assert weekdays_text([5, 6]) == "Saturday and Sunday"


# --- full or closed: said before the form -------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "heading"),
    [
        (lambda: _package(quota=1, application_limit=1, title="x"), "Applications are closed: the limit is reached"),
        (lambda: _package(opens=2, closes=9), "Registration has not opened yet"),
        (lambda: _package(opens=-20, closes=-1), "Registration is closed"),
        (lambda: _package(status=TrainingPackage.Status.RUNNING, starts=-2, opens=-20, closes=-5), "closed"),
        (lambda: _package(status=TrainingPackage.Status.CANCELLED), "Registration is closed"),
    ],
)
def test_a_package_one_cannot_apply_for_says_so_instead_of_the_form(client, make, heading):
    package = make()
    if package.quota == 1:
        factories.EnrollmentFactory(package=package, status="applied")
    page = client.get(reverse("public:register", args=[package.pk]))
    assert page.status_code == 200
    assert heading in _text(page)
    assert 'name="nik"' not in page.content.decode() and "Send my registration" not in _text(page)
    posted = client.post(reverse("public:register", args=[package.pk]), _form())
    assert posted.status_code == 200 and 'name="nik"' not in posted.content.decode()
    assert Enrollment.objects.filter(source="registration").count() == 0


def test_registration_closes_once_the_selection_is_decided_even_inside_the_window(client):
    package = _package(title="Sudah Diseleksi", closes=5)
    assert registration_window(package, TODAY) == Availability.OPEN
    TrainingPackage.objects.filter(pk=package.pk).update(selection_decided_at=timezone.now())
    package.refresh_from_db()
    assert registration_window(package, TODAY) == Availability.CLOSED
    listed = client.get(reverse("public:package-list"))
    assert [fact.package for fact in listed.context["not_open"]] == [package]
    assert listed.context["open"] == []
    assert reverse("public:register", args=[package.pk]) not in listed.content.decode()
    assert "Registration is closed: the selection for this package is decided." in _text(listed)
    page = client.get(reverse("public:register", args=[package.pk]))
    assert "Registration is closed" in _text(page) and 'name="nik"' not in page.content.decode()
    posted = client.post(reverse("public:register", args=[package.pk]), _form())
    assert posted.status_code == 200 and 'name="nik"' not in posted.content.decode()
    data = {
        "nik": make_nik(sex="F", birth_date=BIRTH, serial=78),
        "full_name": "Dewi Lestari",
        "sex": "F",
        "birth_date": BIRTH,
        "kelurahan": factories.KelurahanFactory(),
        "education": 5,
        "employment_status_at_intake": "unemployed",
        "beneficiary_group": "job_seeker",
    }
    with translation.override("en"), pytest.raises(ValidationError) as error:
        registration_create(package=package, participant_data=data)
    assert error.value.messages == ["Registration for this package is closed."]
    assert not Enrollment.objects.filter(package=package).exists()


def test_a_planned_package_has_no_public_page(client):
    package = _package(status=TrainingPackage.Status.PLANNED)
    assert client.get(reverse("public:register", args=[package.pk])).status_code == 404


def test_the_form_page_shows_the_rules_and_places_before_the_form(client):
    package = _package(quota=10)
    content = client.get(reverse("public:register", args=[package.pk])).content.decode()
    assert content.index("Who may apply") < content.index('name="nik"')
    assert content.index("Quota 10 people · chosen by selection") < content.index('name="nik"')


# --- the public form: keyboards, autofill, the error summary ---------------------------------------


def _tag(content: str, name: str) -> str:
    return re.search(rf'<(?:input|textarea)[^>]*name="{name}"[^>]*>', content).group(0)


def test_the_form_asks_for_the_right_keyboard_and_autofill(client):
    content = client.get(reverse("public:register", args=[_package().pk])).content.decode()
    nik = _tag(content, "nik")
    assert 'inputmode="numeric"' in nik and 'autocomplete="off"' in nik
    phone = _tag(content, "phone")
    assert 'type="tel"' in phone and 'autocomplete="tel"' in phone
    assert 'autocomplete="name"' in _tag(content, "full_name")
    assert 'autocomplete="bday"' in _tag(content, "birth_date")
    assert 'autocomplete="street-address"' in _tag(content, "address")


def test_the_error_summary_links_each_field_and_takes_the_focus(client):
    response = client.post(reverse("public:register", args=[_package().pk]), _form(nik="123", sex="", phone=""))
    content = response.content.decode()
    summary = re.search(r'<div[^>]*id="error-summary".*?</div>', content, re.S).group(0)
    assert 'tabindex="-1"' in summary and "data-error-summary" in summary
    assert 'href="#id_nik"' in summary and 'href="#id_phone"' in summary
    assert 'href="#id_sex_0"' in summary and 'href="#"' not in summary  # a radio group: its first radio
    assert 'id="id_sex_0"' in content
    assert "js/public.js" in content  # moves the focus to the summary
    nik = _tag(content, "nik")
    assert 'aria-invalid="true"' in nik and 'aria-describedby="id_nik_error"' in nik
    assert 'id="id_nik_error"' in content
    assert "Type a phone or WhatsApp number we can reach you on." in summary


@pytest.mark.parametrize("form_class", [RegistrationForm, StatusLookupForm])
def test_every_label_help_text_and_message_is_translated_lazily(form_class):
    for name, field in form_class.base_fields.items():
        assert isinstance(field.label, Promise), name
        assert not field.help_text or isinstance(field.help_text, Promise), name
        for key, message in field.error_messages.items():
            assert isinstance(message, Promise), (name, key)
    with translation.override("en"):
        assert str(RegistrationForm().fields["nik"].label) == "NIK (16 digits, as on your KTP)"
    with translation.override("id"):
        assert str(RegistrationForm().fields["nik"].label) != "NIK (16 digits, as on your KTP)"


# --- the receipt --------------------------------------------------------------------------------


def test_the_receipt_carries_the_date_package_venue_schedule_and_next_steps(client):
    package = _package(
        title="Tata Boga Dasar",
        venue_address="Balai Kelurahan Kuripan",
        meeting_weekdays="024",
        session_starts_at=datetime.time(13, 0),
        session_ends_at=datetime.time(16, 0),
    )
    client.post(reverse("public:register", args=[package.pk]), _form(full_name="Sri  Wahyuni"))
    enrollment = Enrollment.objects.get()
    response = client.get(reverse("public:receipt"))
    text = _text(response)
    assert "We have received your application" in text
    assert "It does not yet mean you are accepted as a participant" in text
    assert enrollment.receipt_number in text
    assert f"Date of application {TODAY.day} {TODAY:%B %Y}" in text
    assert "Name, as you typed it Sri Wahyuni" in text
    assert f"Package {package.vocation.name}: Tata Boga Dasar" in text
    assert "Place Balai Kelurahan Kuripan" in text
    assert "Monday, Wednesday and Friday, 1 p.m.–4 p.m." in text
    assert "What happens next" in text and "KTP and KK" in text
    closes = package.cohort.registration_closes
    assert f"Registration closes on {closes.day} {closes:%B %Y}" in text
    content = response.content.decode()
    assert reverse("public:status") in content and 'id="print-button"' in content
    assert "css/public-print.css" in content and 'media="print"' in content
    assert "(0285) 421731" in text
    # Still nothing from the record: not the NIK, not the phone as stored, not the kelurahan.
    assert enrollment.participant.nik not in content and "081277776666" not in content


# --- the status lookup --------------------------------------------------------------------------


def _apply(client, package, **overrides):
    client.post(reverse("public:register", args=[package.pk]), _form(**overrides))
    return client.session["receipt"]["number"]


def _look_up(client, number, birth_date=BIRTH):
    return client.post(reverse("public:status"), {"receipt_number": number, "birth_date": birth_date.isoformat()})


def test_a_right_pair_shows_received_not_accepted_with_the_schedule(client):
    package = _package(title="Menjahit Busana", venue_address="LPK Kartika, Jl. Melati 17")
    number = _apply(client, package)
    response = _look_up(client, number.lower().replace("-", " "))  # as people type it
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    assert response.context["found"].state == "received"
    text = _text(response)
    assert "In selection: no result yet" in text and "You are not a participant yet" in text
    assert "Accepted as a participant" not in text
    # The name typed, shortened as in the announcement: a receipt number is public there.
    assert number in text and "Name (shortened) D*** L******" in text
    assert "Dewi" not in text and "Lestari" not in text
    assert "Menjahit Busana" in text and "LPK Kartika, Jl. Melati 17" in text and "Monday to Friday" in text
    person = Enrollment.objects.get().participant
    content = response.content.decode()
    assert person.nik not in content and person.phone not in content and person.address not in content


def test_an_accepted_applicant_sees_it_and_the_next_meeting(client):
    package = _package()
    number = _apply(client, package)
    enrollment = Enrollment.objects.get()
    Enrollment.objects.filter(pk=enrollment.pk).update(status="enrolled")
    meeting = package.starts_on + datetime.timedelta(days=2)
    factories.SessionFactory(package=package, date=meeting, starts_at=datetime.time(9, 0))
    text = _text(_look_up(client, number))
    assert "Accepted as a participant" in text
    assert f"Next meeting: {meeting:%A}, {meeting.day} {meeting:%B %Y}, 9 a.m." in text


def test_a_rejected_applicant_sees_the_reason(client):
    package = _package()
    number = _apply(client, package)
    Enrollment.objects.update(status="rejected", decision_reason="Tidak lolos seleksi: nilai tes di bawah 60.")
    text = _text(_look_up(client, number))
    assert "Not accepted" in text and "Reason: Tidak lolos seleksi: nilai tes di bawah 60." in text


def test_a_waitlisted_applicant_sees_their_place_and_no_one_elses_name(client):
    package = _package()
    first = factories.EnrollmentFactory(package=package, status="waitlisted", waitlisted_at=timezone.now())
    number = _apply(client, package)
    # A promotion's note names who left: it stays in decision_reason and must never be shown.
    Enrollment.objects.filter(receipt_number=number).update(
        status="waitlisted",
        waitlisted_at=timezone.now() + datetime.timedelta(minutes=1),
        decision_reason=f"Naik dari daftar tunggu setelah {first.participant.full_name} mundur",
    )
    response = _look_up(client, number)
    text = _text(response)
    assert "On the waiting list" in text and "You are number 2 on the waiting list." in text
    assert first.participant.full_name not in text


def test_a_wrong_pair_gets_the_same_answer_whether_or_not_the_receipt_exists(client):
    package = _package()
    number = _apply(client, package)
    absent = f"{TODAY.year}-ZZZZZZ" if number != f"{TODAY.year}-ZZZZZZ" else f"{TODAY.year}-YYYYYY"
    wrong_birth = BIRTH + datetime.timedelta(days=1)
    with CaptureQueriesContext(connection) as existing:
        on_record = _look_up(client, number, wrong_birth)
    with CaptureQueriesContext(connection) as missing:
        not_there = _look_up(client, absent, wrong_birth)
    assert on_record.status_code == not_there.status_code == 200
    assert on_record.context["found"] is None and not_there.context["found"] is None
    assert _without_csrf(on_record).replace(number, "N") == _without_csrf(not_there).replace(absent, "N")
    assert "We found no application with this receipt number and date of birth." in _text(on_record)
    # The same work for both: one query to look for the receipt, whatever it finds.
    assert len(existing.captured_queries) == len(missing.captured_queries)


def test_a_receipt_number_in_the_wrong_shape_says_how_to_write_it(client):
    response = _look_up(client, "K7F3Q9")
    assert response.context["form"].errors["receipt_number"]
    assert "the year, a dash and six letters or digits" in _text(response)


def test_a_later_receipt_for_the_same_nik_shows_the_status_only_to_the_person_on_record(client):
    package = _package()
    person = factories.ParticipantFactory(
        nik=make_nik(sex="F", birth_date=BIRTH, serial=77), full_name="Dewi Lestari", birth_date=BIRTH
    )
    factories.EnrollmentFactory(participant=person, package=package, status="enrolled")
    # Someone else types her NIK with their own name and birth date: their receipt tells them nothing.
    other_birth = datetime.date(1990, 6, 1)
    stranger = _apply(client, package, full_name="Orang Lain", birth_date=other_birth.isoformat())
    assert len(Enrollment.objects.get().submitted) == 1
    seen = _look_up(client, stranger, other_birth)
    assert seen.context["found"].state == "received"
    assert "Accepted as a participant" not in _text(seen)
    # She types her own name and birth date: she sees her place.
    hers = _apply(client, package)
    assert _look_up(client, hers).context["found"].state == "accepted"
    assert _look_up(client, hers, other_birth).context["found"] is None


def test_the_lookup_is_rate_limited_per_connection_and_per_receipt(client, settings):
    settings.STATUS_LOOKUP_RATE_LIMIT = {"client": 3, "receipt": 100, "seconds": 3600}
    statuses = [_look_up(client, f"{TODAY.year}-ABCDE{n}").status_code for n in (2, 3, 4, 5)]
    assert statuses == [200, 200, 200, 429]
    settings.STATUS_LOOKUP_RATE_LIMIT = {"client": 100, "receipt": 2, "seconds": 3600}
    statuses = [
        client.post(
            reverse("public:status"),
            {"receipt_number": f"{TODAY.year}-QQQQQQ", "birth_date": "1990-01-0" + str(day)},
            REMOTE_ADDR=f"203.0.113.{day}",
        ).status_code
        for day in (1, 2, 3)
    ]
    assert statuses == [200, 200, 429]  # guessing one receipt's birth date from many addresses stops too
    page = _look_up(client, f"{TODAY.year}-QQQQQQ")
    assert "Too many look-ups" in _text(page)


def test_the_status_page_opens_empty_for_anyone(client):
    response = client.get(reverse("public:status"))
    assert response.status_code == 200 and response.context["found"] is None
    assert 'name="receipt_number"' in response.content.decode()


def test_receipt_numbers_are_read_as_people_type_them():
    assert normalize_receipt_number(" 2026 k7f3q9 ") == "2026-K7F3Q9"
    assert normalize_receipt_number("2026K7F3Q9") == "2026-K7F3Q9"
    assert normalize_receipt_number("2026-K7F3Q") is None
    assert normalize_receipt_number("2026-K7F3Q0") is None  # no 0, O, 1 or I in a receipt number
    assert normalize_receipt_number("") is None


@pytest.mark.parametrize(
    "data",
    [
        {"receipt_number": "<script>alert(1)</script>", "birth_date": "1999-03-14"},
        {"receipt_number": "2026-ABCDEF", "birth_date": "9999-99-99"},
        {"receipt_number": "x" * 5000, "birth_date": "1999-03-14"},
        {"receipt_number": "2026-ABCDEF\x00", "birth_date": "\x00"},
        {"receipt_number": ["2026-ABCDEF", "2026-GHJKLM"], "birth_date": "1999-03-14"},
        {},
    ],
)
def test_odd_input_on_the_status_page_is_a_message_not_an_error(client, data):
    response = client.post(reverse("public:status"), data)
    assert response.status_code in (200, 400)
    assert "<script>alert(1)</script>" not in response.content.decode()
