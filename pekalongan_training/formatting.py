"""Numbers as people in the dinas write them."""

from django.utils.formats import number_format


def rupiah(value) -> str:
    """Rp1.500.000 (official style: no space, no decimals); an empty value is a dash."""
    if value is None or value == "":
        return "–"
    return f"Rp{number_format(value, decimal_pos=0, force_grouping=True)}"
