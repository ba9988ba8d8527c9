"""One phone normaliser; the WhatsApp link is made from it."""

import pytest
from django.core.exceptions import ValidationError

from pekalongan_training.formatting import whatsapp_number
from pekalongan_training.phones import normalize_phone

SAME_NUMBER = [
    "081234567890",
    "+62 812 3456 7890",
    "6281234567890",
    "0812-3456-7890",
    "812 3456 7890",
    "(0812) 3456.7890",
]


@pytest.mark.parametrize("typed", SAME_NUMBER)
def test_every_way_of_writing_a_mobile_number_gives_the_national_form(typed):
    assert normalize_phone(typed) == "081234567890"


@pytest.mark.parametrize("typed", SAME_NUMBER)
def test_the_whatsapp_link_takes_the_same_numbers(typed):
    assert whatsapp_number(typed) == "6281234567890"


@pytest.mark.parametrize("typed", ["0812-3456-78ab", "0812 3456 7890 (WA)", "12345", "+1 202 555 0143"])
def test_what_the_normaliser_refuses_gets_no_whatsapp_link(typed):
    with pytest.raises(ValidationError):
        normalize_phone(typed)
    assert whatsapp_number(typed) == ""


@pytest.mark.parametrize("typed", ["(0285) 421234", "0285-421234", "+62 285 421234"])
def test_a_landline_is_a_valid_number_but_has_no_whatsapp_link(typed):
    assert normalize_phone(typed) == "0285421234"
    assert whatsapp_number(typed) == ""


@pytest.mark.parametrize("empty", ["", "  ", None])
def test_no_number_stays_empty(empty):
    assert normalize_phone(empty) == ""
    assert whatsapp_number(empty) == ""
