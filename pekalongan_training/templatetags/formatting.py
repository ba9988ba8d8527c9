from django import template

from pekalongan_training import formatting

register = template.Library()


@register.filter
def rupiah(value):
    """{{ package.budget|rupiah }} -> Rp1.500.000"""
    return formatting.rupiah(value)
