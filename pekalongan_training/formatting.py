"""Numbers as people in the dinas write them."""

import functools
import math
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.formats import get_format, number_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from pekalongan_training.phones import normalize_phone


@functools.cache
def _marks(language: str) -> dict | None:
    """The language's decimal mark and thousands mark (as str.translate wants them), where it
    groups digits by threes; None where it groups otherwise."""
    if get_format("NUMBER_GROUPING", language) != 3:
        return None
    return str.maketrans(
        {".": get_format("DECIMAL_SEPARATOR", language), ",": get_format("THOUSAND_SEPARATOR", language)}
    )


def number(value, decimal_pos: int | None = None) -> str:
    """What Django's number_format(value, decimal_pos, force_grouping=True) writes, in the active
    language (1.234; 42,9), for a whole number or a Decimal with its places given, by Python's own
    formatting: a page of figures writes a thousand of them, and number_format looks the language's
    marks up again for each. Anything else goes to number_format."""
    language = get_language()
    marks = _marks(language) if language else None
    if marks is None or not (type(value) is int or _places_within(value, decimal_pos)):
        return number_format(value, decimal_pos=decimal_pos, force_grouping=True)
    if decimal_pos:
        return format(Decimal(value), f",.{decimal_pos}f").translate(marks)
    return format(int(value), ",").translate(marks)


def _places_within(value, decimal_pos: int | None) -> bool:
    """A Decimal with no more places than decimal_pos (number_format cuts the others off; format would round).

    Negative ones go to number_format too: it writes -0.0 as 0,0, format as -0,0."""
    if not isinstance(value, Decimal) or decimal_pos is None or not value.is_finite() or value.is_signed():
        return False
    return -decimal_pos <= value.as_tuple().exponent <= 0


@receiver(setting_changed)
def _forget_marks(**kwargs):
    """A test that changes the formats' settings gets its marks, not those kept from before."""
    _marks.cache_clear()


def whole_rupiah(value) -> int | None:
    """An amount rounded half up to a whole rupiah (1.500.000,5 -> 1.500.001); empty stays empty.

    Exact for ints, Decimals and Fractions (pass Fraction(budget, people) for a share of a budget).
    """
    if value is None:
        return None
    return math.floor(Fraction(value) + Fraction(1, 2))


def rupiah(value) -> str:
    """Rp1.500.000 (official style: no space, no decimals, rounded half up); an empty value is a dash."""
    if value is None or value == "":
        return "–"
    return f"Rp{number(whole_rupiah(value))}"


def half_up(value, decimals: int) -> Decimal:
    """The value rounded half up to `decimals` places, as people round (Python's round() goes to even)."""
    # number_format cuts digits off (66.67 -> 66); round half up first, as people do.
    rounded = Decimal(str(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return abs(rounded) if rounded.is_zero() else rounded  # never "-0,0"


def _number(value, decimal_pos: int) -> str:
    """number_format(value, decimal_pos) without force_grouping: grouped as the settings say."""
    if settings.USE_THOUSAND_SEPARATOR:
        return number(value, decimal_pos)
    return number_format(value, decimal_pos=decimal_pos)


def percent(value, decimals: int = 0) -> str:
    """92% or 42,9% (the locale's decimal mark); nothing to divide by is a dash."""
    if value is None:
        return "–"
    return f"{_number(half_up(value, decimals), decimals)}%"


def count(value) -> str:
    """1.234 (grouped with the locale's mark); an empty value is a dash."""
    if value is None:
        return "–"
    return number(value)


def points(value, decimals: int = 1) -> str:
    """Percentage points with a sign, the difference of two shares: +12,5 poin; empty is a dash."""
    if value is None:
        return "–"
    rounded = half_up(value, decimals)
    sign = "+" if rounded > 0 else ""
    return _("%(value)s points") % {"value": sign + _number(rounded, decimals)}


def whatsapp_number(phone: str) -> str:
    """0812-3456-7890 or +62 812... -> 6281234567890, as wa.me links want it; '' if it is no mobile number.

    Read by the one phone normaliser (pekalongan_training.phones), so a link works for every number
    the forms and the import accept.
    """
    try:
        national = normalize_phone(phone)
    except ValidationError:
        return ""
    return "62" + national[1:] if national.startswith("08") else ""


def spreadsheet_safe(value):
    """Text a spreadsheet must not run as a formula (a name typed as "=HYPERLINK(...)")."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
