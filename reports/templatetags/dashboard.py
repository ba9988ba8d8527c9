from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from pekalongan_training.formatting import percent, rupiah
from reports.indicators import Rate

register = template.Library()


@register.filter
def rate(value):
    """A Rate as "42,9% dari 7"; with nothing to divide by, a dash."""
    if getattr(value, "percent", None) is None:
        return "–"
    return _("%(percent)s of %(denominator)s") % {
        "percent": percent(value.percent, 1),
        "denominator": number_format(value.denominator, force_grouping=True),
    }


@register.filter
def money(value):
    return rupiah(round(value)) if isinstance(value, int | float) else "–"


@register.filter
def points(value):
    """Percentage points with a sign: +12,5 poin."""
    if not isinstance(value, int | float):
        return "–"
    sign = "+" if value > 0 else ""
    return _("%(value)s points") % {"value": sign + number_format(round(value, 1), decimal_pos=1)}


@register.filter
def cell(value):
    """Any table cell for the print view: a rate, an amount of money, a number, or a dash."""
    if isinstance(value, Rate):
        return rate(value)
    if isinstance(value, float):
        return money(value)
    if value is None:
        return "–"
    if isinstance(value, int) and not isinstance(value, bool):
        return number_format(value, force_grouping=True)
    return value
