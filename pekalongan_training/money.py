"""Rupiah amounts as people type them: one model field, one form field, one widget for every amount.

Amounts are whole rupiah. The form field is a text input (never type="number", which turns
"3.000.000" into 3) that reads 3000000, 3.000.000, Rp 3.000.000 and Rp3.000.000,00 as three
million, refuses anything else with a message saying how to write it, and shows values back as
Rp3.000.000.
"""

from django import forms
from django.db import models


class RupiahFormField(forms.IntegerField):
    """Placeholder until the parser lands: a whole number of rupiah."""


class RupiahField(models.PositiveBigIntegerField):
    """A whole-rupiah amount; its form field reads amounts as people type them."""

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": RupiahFormField, **kwargs})
