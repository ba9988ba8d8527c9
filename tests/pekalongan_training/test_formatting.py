"""The figures' own number formatting writes what Django's number_format writes, faster."""

from decimal import Decimal

import pytest
from django.utils import translation
from django.utils.formats import number_format

from pekalongan_training import formatting

VALUES = [
    (0, None),
    (7, None),
    (999, None),
    (1000, None),
    (1234567, None),
    (-1234567, None),
    (10**15 + 1, None),
    (Decimal("42.9"), 1),
    (Decimal("0.0"), 1),
    (Decimal("-12.5"), 1),
    (Decimal("-0.0"), 1),  # number_format drops the sign of a zero
    (Decimal("-0"), 0),
    (Decimal("1234.56"), 2),
    (Decimal("1234567"), 0),
    (Decimal("66.67"), 0),  # more places than asked: number_format cuts them off
    (Decimal("66.67"), 1),
    (Decimal("1E+3"), 0),
    (12.5, 1),  # a float: number_format's
    (Decimal("3"), None),
    (1500000, 2),
]


@pytest.mark.parametrize("language", ["id", "en"])
@pytest.mark.parametrize(("value", "places"), VALUES)
def test_a_number_is_written_as_number_format_writes_it(language, value, places):
    with translation.override(language):
        assert formatting.number(value, places) == number_format(value, decimal_pos=places, force_grouping=True)


def test_the_marks_are_the_languages():
    with translation.override("id"):
        assert formatting.number(1234567) == "1.234.567"
        assert formatting.rupiah(1500000) == "Rp1.500.000"
        assert formatting.percent(Decimal("42.86"), 1) == "42,9%"
        assert formatting.points(12.5) == "+12,5 poin"
    with translation.override("en"):
        assert formatting.number(1234567) == "1,234,567"
        assert formatting.percent(Decimal("42.86"), 1) == "42.9%"


def test_changed_format_settings_are_followed(settings):
    with translation.override("id"):
        assert formatting.percent(Decimal("1234.5"), 1) == "1.234,5%"
        assert formatting._marks.cache_info().currsize > 0
        settings.USE_THOUSAND_SEPARATOR = False
        # The marks kept are forgotten, and a percentage is grouped only where the settings say.
        assert formatting._marks.cache_info().currsize == 0
        assert formatting.percent(Decimal("1234.5"), 1) == "1234,5%"
        assert formatting.number(1234) == "1.234"  # a count is always grouped
