import datetime

import pytest
from django.core.exceptions import ValidationError

from participants.forms.intake import ParticipantForm
from participants.nik import mask_nik, nik_warnings, normalize_nik, parse_nik
from tests.factories import KelurahanFactory, ParticipantFactory

TODAY = datetime.date(2026, 11, 27)


@pytest.mark.parametrize(
    ("nik", "sex", "birth_date"),
    [
        ("3375011705980001", "M", datetime.date(1998, 5, 17)),  # a man
        ("3375045705980002", "F", datetime.date(1998, 5, 17)),  # a woman: day 17 + 40
        ("3375044101050003", "F", datetime.date(2005, 1, 1)),  # a woman born on the 1st, after 2000
        ("3375032902000004", "M", datetime.date(2000, 2, 29)),  # 29 February of a leap year
        ("1175017112790001", "F", datetime.date(1979, 12, 31)),  # Aceh, a woman on the 31st
        ("3375013112260001", "M", datetime.date(1926, 12, 31)),  # 31/12/26 has not come yet: 1926
    ],
)
def test_valid_nik_gives_sex_and_birth_date(nik, sex, birth_date):
    info = parse_nik(nik, today=TODAY)
    assert (info.sex, info.birth_date) == (sex, birth_date)
    assert info.region_code == f"{nik[:2]}.{nik[2:4]}.{nik[4:6]}"


@pytest.mark.parametrize(
    ("nik", "code"),
    [
        ("3375013102980001", "nik_date"),  # 31 February
        ("3375017102980001", "nik_date"),  # a woman's 31 February (71 - 40)
        ("3375013505980001", "nik_day"),  # day 35
        ("3375010005980001", "nik_day"),  # day 00
        ("3375017205980001", "nik_day"),  # day 72
        ("3375011700980001", "nik_month"),  # month 00
        ("3375011713980001", "nik_month"),  # month 13
        ("3375011705980000", "nik_serial"),  # serial 0000
        ("3300011705980001", "nik_region"),  # kab/kota 00
        ("3375001705980001", "nik_region"),  # kecamatan 00
        ("337501170598001", "nik_format"),  # 15 digits
        ("33750117059800011", "nik_format"),  # 17 digits
        ("33750117O5980001", "nik_format"),  # a letter O for a zero
        (" 3375011705980001", "nik_format"),  # spaces around it are for the form to strip
        ("3375 011705980001", "nik_format"),  # a space inside
        ("３３７５０１１７０５９８０００１", "nik_format"),  # full-width digits are not ASCII
    ],
)
def test_impossible_nik_is_rejected_with_a_reason(nik, code):
    with pytest.raises(ValidationError) as error:
        parse_nik(nik, today=TODAY)
    assert error.value.code == code


def test_normalize_strips_spaces_and_dots():
    assert normalize_nik(" 3375.0117.0598.0001 ") == "3375011705980001"
    assert normalize_nik("3375 0117 0598 0001") == "3375011705980001"


def test_unknown_province_only_warns():
    assert parse_nik("2075011705980001", today=TODAY).province == "20"
    warnings = nik_warnings("2075011705980001")
    assert len(warnings) == 1 and "20" in warnings[0]
    assert nik_warnings("3375011705980001") == []


def test_sex_and_birth_date_that_disagree_only_warn():
    woman_nik = "3375045705980002"
    assert nik_warnings(woman_nik, sex="F", birth_date=datetime.date(1998, 5, 17)) == []
    assert len(nik_warnings(woman_nik, sex="M")) == 1
    # The +40 left off: a woman whose NIK reads as a man's.
    assert len(nik_warnings("3375011705980001", sex="F")) == 1
    assert len(nik_warnings(woman_nik, birth_date=datetime.date(1998, 5, 18))) == 1


def test_mask_shows_region_and_serial_only():
    assert mask_nik("3375011705980001") == "3375********0001"


def _form_data(**overrides):
    kelurahan = KelurahanFactory()
    data = {
        "nik": "3375045705980002",
        "full_name": "Siti  Aminah ",
        "sex": "F",
        "birth_date": "1998-05-17",
        "kelurahan": kelurahan.pk,
        "education": 5,
        "employment_status_at_intake": "unemployed",
        "beneficiary_group": "job_seeker",
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_form_strips_spaces_around_the_nik_and_saves():
    form = ParticipantForm(data=_form_data(nik="  3375 0457 0598 0002 "))
    assert form.is_valid(), form.errors
    participant = form.save()
    assert participant.nik == "3375045705980002"
    assert participant.full_name == "Siti Aminah"
    assert form.warnings == []


@pytest.mark.django_db
def test_form_refuses_a_duplicate_nik_with_a_message_next_to_the_field():
    ParticipantFactory(nik="3375045705980002")
    form = ParticipantForm(data=_form_data())
    assert not form.is_valid()
    assert form.errors["nik"] == ["Peserta dengan NIK ini sudah terdaftar."]


@pytest.mark.django_db
def test_form_gives_the_reason_in_indonesian():
    form = ParticipantForm(data=_form_data(nik="3375013102980001", sex="M"))
    assert not form.is_valid()
    assert "bukan tanggal lahir yang benar" in form.errors["nik"][0]


@pytest.mark.django_db
def test_form_warns_but_saves_when_sex_disagrees():
    form = ParticipantForm(data=_form_data(sex="M"))
    assert form.is_valid(), form.errors
    form.save()
    assert len(form.warnings) == 1
