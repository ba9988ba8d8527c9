"""Numbers as people in the dinas write them."""

import math
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.core.exceptions import ValidationError
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from pekalongan_training.phones import normalize_phone


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
    return f"Rp{number_format(whole_rupiah(value), decimal_pos=0, force_grouping=True)}"


def half_up(value, decimals: int) -> Decimal:
    """The value rounded half up to `decimals` places, as people round (Python's round() goes to even)."""
    # number_format cuts digits off (66.67 -> 66); round half up first, as people do.
    rounded = Decimal(str(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return abs(rounded) if rounded.is_zero() else rounded  # never "-0,0"


def percent(value, decimals: int = 0) -> str:
    """92% or 42,9% (the locale's decimal mark); nothing to divide by is a dash."""
    if value is None:
        return "–"
    return f"{number_format(half_up(value, decimals), decimal_pos=decimals)}%"


def count(value) -> str:
    """1.234 (grouped with the locale's mark); an empty value is a dash."""
    if value is None:
        return "–"
    return number_format(value, force_grouping=True)


def points(value, decimals: int = 1) -> str:
    """Percentage points with a sign, the difference of two shares: +12,5 poin; empty is a dash."""
    if value is None:
        return "–"
    rounded = half_up(value, decimals)
    sign = "+" if rounded > 0 else ""
    return _("%(value)s points") % {"value": sign + number_format(rounded, decimal_pos=decimals)}


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
