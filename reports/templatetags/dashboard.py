from django import template
from django.utils.html import format_html, format_html_join
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
        "denominator": formatting.number(value.denominator),
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


@register.simple_tag
def table_rows(table):
    """A Table's rows as the dashboard writes them: the row's name as a row header, each figure
    `formatted` and right-aligned; with no rows, one saying so. In Python, not a template loop: the
    dashboard writes about a thousand cells, and the loop took most of its time."""
    rows = table.typed_rows
    if not rows:
        return format_html(
            '<tr><td colspan="{}">– {}</td></tr>', len(table.columns), _("No records for this selection.")
        )
    return format_html_join(
        "\n",
        '<tr><th scope="row" class="fw-normal">{}</th>{}</tr>',
        (
            (
                name.value,
                format_html_join("", '<td class="text-end text-nowrap">{}</td>', ((formatted(c),) for c in cells)),
            )
            for name, *cells in rows
        ),
    )
