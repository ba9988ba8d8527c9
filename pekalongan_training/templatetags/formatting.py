from django import template

from pekalongan_training import formatting

register = template.Library()


@register.filter
def rupiah(value):
    """{{ package.budget|rupiah }} -> Rp1.500.000"""
    return formatting.rupiah(value)


@register.filter
def percent(value, decimals=0):
    """{{ rate|percent }} -> 92%; {{ rate|percent:1 }} -> 42,9%; None -> –"""
    return formatting.percent(value, int(decimals))


@register.filter
def whatsapp(phone):
    """{{ participant.phone|whatsapp }} -> 6281234567890 for https://wa.me/..., or ''."""
    return formatting.whatsapp_number(phone)
