from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from pekalongan_training import formatting
from reports.tables import Cell, Kind, Withheld, fewer_than_small

register = template.Library()


@register.filter
def rate(value):
    """A Rate as "42,9% dari 7"; with nothing to divide by, a dash."""
    if getattr(value, "percent", None) is None:
        return "–"
    return _("%(percent)s of %(denominator)s") % {
        "percent": formatting.percent(value.percent, 1),
        "denominator": number_format(value.denominator, force_grouping=True),
    }


@register.filter
def money(value):
    """Whole rupiah: Rp1.500.000; nothing to show is a dash."""
    return formatting.rupiah(value)


@register.filter
def points(value):
    """Percentage points with a sign: +12,5 poin."""
    return formatting.points(value)


RENDERERS = {
    Kind.LABEL: lambda value: value,
    Kind.COUNT: formatting.count,
    Kind.RATE: rate,
    Kind.MONEY: money,
    Kind.POINTS: points,
}


@register.filter
def formatted(cell: Cell):
    """A reports.tables.Cell as its column's kind says: 11, 77,8% dari 9, Rp1.500.000, +50,0 poin, 4,3.

    A figure withheld for a small group: "< 5" for a count of people, a dash for anything else.
    """
    if isinstance(cell.value, Withheld):
        return fewer_than_small() if cell.value.count else "–"
    if cell.column.kind is Kind.NUMBER:
        return cell.number  # written with its column's decimals
    return RENDERERS[cell.column.kind](cell.value)
