"""Numbers as people in the dinas write them."""

from decimal import ROUND_HALF_UP, Decimal

from django.utils.formats import number_format


def rupiah(value) -> str:
    """Rp1.500.000 (official style: no space, no decimals); an empty value is a dash."""
    if value is None or value == "":
        return "–"
    return f"Rp{number_format(value, decimal_pos=0, force_grouping=True)}"


def percent(value, decimals: int = 0) -> str:
    """92% or 42,9% (the locale's decimal mark); nothing to divide by is a dash."""
    if value is None:
        return "–"
    # number_format cuts digits off (66.67 -> 66); round half up first, as people do.
    rounded = Decimal(str(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return f"{number_format(rounded, decimal_pos=decimals)}%"


def whatsapp_number(phone: str) -> str:
    """0812-3456-7890 or +62 812... -> 6281234567890, as wa.me links want it; '' if it is no mobile number."""
    digits = "".join(ch for ch in phone or "" if ch.isdigit())
    if digits.startswith("0"):
        digits = "62" + digits[1:]
    elif digits.startswith("8"):
        digits = "62" + digits
    return digits if digits.startswith("628") and 10 <= len(digits) <= 15 else ""


def spreadsheet_safe(value):
    """Text a spreadsheet must not run as a formula (a name typed as "=HYPERLINK(...)")."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
