"""Rupiah amounts as people type them: one model field, one form field, one widget for every amount.

Amounts are whole rupiah. The form field is a text input (never type="number", which turns
"3.000.000" into 3) that reads 3000000, 3.000.000, Rp 3.000.000 and Rp3.000.000,00 as three
million, refuses anything else with a message saying how to write it, and shows values back as
Rp3.000.000.

A field may name a plausible range (a monthly income between Rp100.000 and Rp100.000.000). An
amount outside it is refused once, with the amount as read; the widget then shows a box "Yes, this
amount is right" under the input, whose value is that amount. Ticking it and saving again confirms
that amount, and only that one: a box ticked for Rp50.000 does not let Rp5.000 through.
"""

import re
from typing import NamedTuple

from django import forms
from django.db import models
from django.utils.formats import get_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from pekalongan_training.formatting import rupiah

MAX_RUPIAH = 10**15  # a thousand trillion: more than any budget here; beyond it a typing slip
CONFIRM_SUFFIX = "_confirmed"  # the POST key of the confirmation box: "<field name>_confirmed"

# Indonesian writing ("3.000.000,00") is read in every language; the active language's own
# marks ("3,000,000.00" in English, as the English pages show amounts) as well.
_PREFIX = re.compile(r"rp\.?\s*", re.IGNORECASE)
_MAX_LENGTH = 64


class ParseError(ValueError):
    pass


def _marks() -> list[tuple[str, str]]:
    marks = [(".", ",")]
    local = (get_format("THOUSAND_SEPARATOR"), get_format("DECIMAL_SEPARATOR"))
    if local not in marks and all(len(mark) == 1 for mark in local) and local[0] != local[1]:
        marks.append(local)
    return marks


def parse_rupiah(text) -> int:
    """The whole-rupiah amount in `text`, or ParseError.

    Accepted: digits alone (3000000) or grouped by threes (3.000.000), after an optional "Rp" or
    "Rp." (any case, with or without a space), with an optional zero fraction ",00" or ",-". A
    fraction of a rupiah, a sign, letters or a wrong grouping (3.000.00, 3.0000.000) are refused.
    """
    text = str(text).strip()
    if len(text) > _MAX_LENGTH:
        raise ParseError(text)
    prefix = _PREFIX.match(text)
    body = text[prefix.end() :] if prefix else text
    for group, decimal in _marks():
        g, d = re.escape(group), re.escape(decimal)
        whole = rf"(?P<whole>[0-9]+|[1-9][0-9]{{0,2}}(?:{g}[0-9]{{3}})+)"
        match = re.fullmatch(rf"{whole}(?:{d}(?P<sen>[0-9]{{1,2}}|-))?", body)
        if match is None:
            continue
        sen = match["sen"]
        if sen and sen != "-" and int(sen) != 0:
            raise ParseError(text)  # sen: amounts here are whole rupiah
        return int(match["whole"].replace(group, ""))
    raise ParseError(text)


class TypedAmount(NamedTuple):
    """What the widget read from a POST: the text as typed and the amount the person confirmed."""

    text: str
    confirmed: str = ""

    def __str__(self):
        return self.text


class RupiahInput(forms.TextInput):
    """A text input for whole rupiah, and the box that confirms an implausible amount when needed.

    The field sets `plausible` (a (low, high) pair, or None). The box appears when the amount in
    the input lies outside it: after a refused first submit (unticked) or for a stored amount
    (ticked: it stands as saved).
    """

    input_type = "text"

    class Media:
        css = {"all": ["css/rupiah.css"]}

    def __init__(self, attrs=None):
        super().__init__({"inputmode": "numeric", "spellcheck": "false", **(attrs or {})})
        self.plausible: tuple[int, int] | None = None

    def value_from_datadict(self, data, files, name):
        text = data.get(name)
        if text is None:
            return None
        return TypedAmount(str(text), str(data.get(name + CONFIRM_SUFFIX) or ""))

    def format_value(self, value):
        if value is None or value == "":
            return None
        if isinstance(value, TypedAmount):
            return value.text  # what the person typed, even if it could not be read
        if isinstance(value, int) and not isinstance(value, bool):
            return rupiah(value)
        return str(value)

    def _confirmation(self, value) -> tuple[int, bool] | None:
        """(amount, ticked) if the box must be shown for `value`, else None."""
        if self.plausible is None or value is None or value == "":
            return None
        if isinstance(value, TypedAmount):
            try:
                amount = parse_rupiah(value.text)
            except ParseError:
                return None
            ticked = value.confirmed == str(amount)
        elif isinstance(value, int) and not isinstance(value, bool):
            amount, ticked = value, True
        else:
            return None
        low, high = self.plausible
        if low <= amount <= high:
            return None
        return amount, ticked

    def render(self, name, value, attrs=None, renderer=None):
        html = super().render(name, value, attrs, renderer)
        confirmation = self._confirmation(value)
        if confirmation is None:
            return html
        amount, ticked = confirmation
        box_id = f"{(attrs or {}).get('id') or self.attrs.get('id') or 'id_' + name}{CONFIRM_SUFFIX}"
        return format_html(
            '{}<div class="form-check rupiah-confirm"><input type="checkbox" class="form-check-input" name="{}" '
            'id="{}" value="{}"{}><label class="form-check-label" for="{}">{}</label></div>',
            html,
            name + CONFIRM_SUFFIX,
            box_id,
            amount,
            " checked" if ticked else "",
            box_id,
            _("Yes, this amount is right"),
        )


class RupiahFormField(forms.Field):
    """A whole-rupiah amount as people type it; the widget is always RupiahInput.

    `plausible`: (low, high), amounts outside which need the second confirmation, with
    `implausible_message` (it gets %(amount)s, the amount as read, e.g. "Rp50.000").
    """

    widget = RupiahInput
    default_error_messages = {
        "invalid": _("Write the amount in whole rupiah, like 3.000.000."),
        "required": _("Write the amount in whole rupiah, like 3.000.000."),
        "max_value": _("An amount above %(max)s cannot be right; check the digits."),
        "implausible": _("%(amount)s? Check the amount; if it is right, tick the box below and save again."),
    }

    def __init__(
        self,
        *,
        plausible: tuple[int, int] | None = None,
        implausible_message=None,
        max_value: int | None = MAX_RUPIAH,
        min_value: int | None = None,  # the model field passes 0; no amount typed here is negative
        widget=None,
        **kwargs,
    ):
        # A number input (the admin's default for integers, or a form's Meta.widgets) would turn
        # "3.000.000" into 3: only its CSS class is kept.
        if widget is not None and not (
            isinstance(widget, RupiahInput) or (isinstance(widget, type) and issubclass(widget, RupiahInput))
        ):
            css_class = (widget() if isinstance(widget, type) else widget).attrs.get("class")
            widget = RupiahInput({"class": css_class} if css_class else None)
        kwargs.pop("localize", None)
        super().__init__(widget=widget, **kwargs)
        self.max_value = MAX_RUPIAH if max_value is None else min(max_value, MAX_RUPIAH)
        self.plausible = plausible
        if implausible_message is not None:
            self.error_messages["implausible"] = implausible_message
        self.widget.plausible = plausible

    def to_python(self, value) -> int | None:
        if isinstance(value, int) and not isinstance(value, bool):
            amount = value
        else:
            text = str(value).strip() if value is not None else ""
            if not text:
                return None
            try:
                amount = parse_rupiah(text)
            except ParseError:
                raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None
        if amount > self.max_value:
            raise forms.ValidationError(
                self.error_messages["max_value"], code="max_value", params={"max": rupiah(self.max_value)}
            )
        return amount

    def clean(self, value):
        amount = super().clean(value)
        if amount is not None and self.plausible is not None:
            low, high = self.plausible
            confirmed = value.confirmed if isinstance(value, TypedAmount) else ""
            if not low <= amount <= high and confirmed != str(amount):
                raise forms.ValidationError(
                    self.error_messages["implausible"], code="implausible", params={"amount": rupiah(amount)}
                )
        return amount

    def has_changed(self, initial, data):
        if self.disabled:
            return False
        try:
            return self.to_python(initial) != self.to_python(data)
        except forms.ValidationError:
            return True


class RupiahField(models.PositiveBigIntegerField):
    """A whole-rupiah amount; its form field reads amounts as people type them."""

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": RupiahFormField, **kwargs})
