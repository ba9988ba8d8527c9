"""The No. KK (family card number): checked like a NIK's region and structure, typed as people type it."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from participants.forms.intake import ParticipantForm
from participants.forms.public import RegistrationForm
from participants.nik import parse_kk, validate_kk
from tests.factories import KelurahanFactory

TODAY = datetime.date(2026, 11, 27)


@pytest.mark.parametrize(
    ("kk", "issued"),
    [
        ("3375011201150001", datetime.date(2015, 1, 12)),  # Kota Pekalongan, issued 12 January 2015
        ("3375042902200023", datetime.date(2020, 2, 29)),  # 29 February of a leap year
        ("3326013112990001", datetime.date(1999, 12, 31)),  # Kabupaten Pekalongan, 31/12/99 is 1999
        ("3375010101260001", datetime.date(2026, 1, 1)),
        ("3375012711260001", datetime.date(2026, 11, 27)),  # issued today
        ("3375012811260001", datetime.date(1926, 11, 28)),  # 28/11/26 has not come yet: 1926
    ],
)
def test_a_valid_kk_gives_the_day_the_card_was_issued(kk, issued):
    assert parse_kk(kk, today=TODAY) == issued


@pytest.mark.parametrize(
    ("kk", "code"),
    [
        ("337501120115001", "kk_format"),  # 15 digits
        ("33750112011500011", "kk_format"),  # 17 digits
        ("33750112O1150001", "kk_format"),  # a letter O for a zero
        ("3375 011201150001", "kk_format"),  # a space inside: the form strips it first
        ("３３７５０１１２０１１５０００１", "kk_format"),  # full-width digits
        ("3300011201150001", "kk_region"),  # kab/kota 00
        ("3375001201150001", "kk_region"),  # kecamatan 00
        ("3375015201150001", "kk_date"),  # day 52: no +40 on a card, it has no sex
        ("3375010001150001", "kk_date"),  # day 00
        ("3375011213150001", "kk_date"),  # month 13
        ("3375013002150001", "kk_date"),  # 30 February
        ("3375012902190001", "kk_date"),  # 29 February 2019 (and 1919): not leap years
        ("3375011201150000", "kk_serial"),  # serial 0000
    ],
)
def test_an_impossible_kk_is_refused_with_a_reason(kk, code):
    with pytest.raises(ValidationError) as error:
        parse_kk(kk, today=TODAY)
    assert error.value.code == code


def test_the_validator_refuses_what_parse_refuses():
    validate_kk("3375011201150001")
    with pytest.raises(ValidationError):
        validate_kk("3375011201150000")


def _registration(**overrides):
    data = {
        "nik": "3375045705980002",
        "full_name": "Siti Aminah",
        "sex": "F",
        "birth_date": "1998-05-17",
        "phone": "081234567890",
        "address": "Jl. Merdeka 1",
        "kelurahan": KelurahanFactory().pk,
        "education": "5",
        "employment_status_at_intake": "unemployed",
        "beneficiary_group": "job_seeker",
        "consent": "on",
    }
    return {**data, **overrides}


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["3375.0112.0115.0001", " 3375 0112 0115 0001 ", "3375-0112-0115-0001"])
def test_the_registration_form_takes_the_kk_as_people_type_it(typed):
    form = RegistrationForm(data=_registration(kk_number=typed))
    assert form.is_valid(), form.errors
    assert form.participant_data()["kk_number"] == "3375011201150001"


@pytest.mark.django_db
def test_the_kk_is_optional_and_a_wrong_one_is_an_error_next_to_the_field():
    form = RegistrationForm(data=_registration(kk_number=""))
    assert form.is_valid(), form.errors
    assert form.participant_data()["kk_number"] == ""
    with translation.override("en"):
        form = RegistrationForm(data=_registration(kk_number="3375001201150001"))
        assert not form.is_valid()
        assert list(form.errors) == ["kk_number"]
        assert "No. KK digits 3-6" in form.errors["kk_number"][0]


@pytest.mark.django_db
def test_the_staff_form_stores_the_kk_without_spaces_and_refuses_a_wrong_one():
    data = {
        "nik": "3375045705980002",
        "full_name": "Siti Aminah",
        "sex": "F",
        "birth_date": "1998-05-17",
        "kelurahan": KelurahanFactory().pk,
        "education": 5,
        "employment_status_at_intake": "employed",
        "beneficiary_group": "factory_worker",
        "kk_number": "3375 0112 0115 0001",
        "employer_name": "  PT  Urip Sugiharto ",
        "ak1_issued_on": "2026-01-05",
    }
    form = ParticipantForm(data=data)
    assert form.is_valid(), form.errors
    person = form.save()
    assert (person.kk_number, person.employer_name, person.ak1_issued_on) == (
        "3375011201150001",
        "PT Urip Sugiharto",
        datetime.date(2026, 1, 5),
    )
    form = ParticipantForm(data={**data, "nik": "3375045705980003", "kk_number": "3375011201150000"})
    assert not form.is_valid() and list(form.errors) == ["kk_number"]
