"""The resident's forms: the online registration and the status lookup."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from participants.models import Participant
from participants.nik import normalize_nik, validate_kk, validate_nik
from participants.public_pages import normalize_receipt_number
from pekalongan_training.forms import unanswered
from pekalongan_training.phones import normalize_phone
from programs.forms import KelurahanChoiceField

BIRTH_DATE_INVALID = _("Type the date of birth as day, month and year, for example 14/03/1999.")
AK1_DATE_INVALID = _("Type the day the AK/1 card was issued as day, month and year, for example 02/01/2026.")


class RegistrationForm(forms.Form):
    """A resident's online registration. Plain questions, one page, what the dinas needs to select."""

    # A numeric keyboard on phones; no autofill of a NIK (no standard token for it, and forms are
    # often filled on a shared computer at the kelurahan office or an internet café).
    nik = forms.CharField(
        label=_("NIK (16 digits, as on your KTP)"),
        max_length=32,
        error_messages={"required": _("Type your NIK: the 16 digits on your KTP.")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "spellcheck": "false"}),
    )
    kk_number = forms.CharField(
        label=_("No. KK (16 digits, on your family card)"),
        max_length=32,
        required=False,
        help_text=_("Optional. Family of a cigarette-factory worker: the No. KK you share with the worker is needed."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "spellcheck": "false"}),
    )
    full_name = forms.CharField(
        label=_("Full name, as on your KTP"),
        max_length=150,
        error_messages={"required": _("Type your full name as on your KTP.")},
        widget=forms.TextInput(attrs={"autocomplete": "name", "spellcheck": "false"}),
    )
    # No question starts answered (DESIGN.md): radio buttons with none checked, selects on "— choose —".
    sex = unanswered(
        forms.ChoiceField(label=_("Sex"), choices=Participant.Sex.choices, widget=forms.RadioSelect),
        _("Choose male or female."),
    )
    birth_date = forms.DateField(
        label=_("Date of birth"),
        error_messages={"required": _("Type your date of birth."), "invalid": BIRTH_DATE_INVALID},
        widget=forms.DateInput(attrs={"type": "date", "autocomplete": "bday"}, format="%Y-%m-%d"),
    )
    phone = forms.CharField(
        label=_("Phone / WhatsApp number"),
        max_length=20,
        error_messages={"required": _("Type a phone or WhatsApp number we can reach you on.")},
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    address = forms.CharField(
        label=_("Address (street, RT/RW)"),
        max_length=300,
        error_messages={"required": _("Type your address: the street and RT/RW.")},
        widget=forms.Textarea(attrs={"rows": 2, "autocomplete": "street-address"}),
    )
    kelurahan = KelurahanChoiceField(
        label=_("Kelurahan"),
        message=_("Choose your kelurahan, or 'outside Kota Pekalongan'."),
        help_text=_("If you live outside Kota Pekalongan, choose 'outside Kota Pekalongan' at the end of the list."),
    )
    education = unanswered(
        forms.TypedChoiceField(label=_("Highest education"), choices=Participant.Education.choices, coerce=int),
        _("Choose the highest school you finished."),
    )
    employment_status_at_intake = unanswered(
        forms.ChoiceField(label=_("What do you do now?"), choices=Participant.EmploymentStatus.choices),
        _("Choose what you do now."),
    )
    employer_name = forms.CharField(
        label=_("Where you work (company name)"),
        max_length=150,
        required=False,
        help_text=_("Only if you work or are a cigarette-factory worker: the company's name, e.g. PT Urip Sugiharto."),
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    beneficiary_group = unanswered(
        forms.ChoiceField(label=_("You are"), choices=Participant.BeneficiaryGroup.choices),
        _("Choose the group you belong to."),
    )
    ak1_number = forms.CharField(
        label=_("AK/1 card number (job-seeker card)"),
        max_length=40,
        required=False,
        help_text=_("As on the card the dinas issues to job seekers (Kartu AK/1). Many packages ask for one."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    ak1_issued_on = forms.DateField(
        label=_("Date the AK/1 card was issued"),
        required=False,
        help_text=_("The card is valid for 2 years from this day."),
        error_messages={"invalid": AK1_DATE_INVALID},
        widget=forms.DateInput(attrs={"type": "date", "autocomplete": "off"}, format="%Y-%m-%d"),
    )
    consent = forms.BooleanField(
        label=_(
            "I agree that Dinperinaker Kota Pekalongan processes my personal data to select participants, run "
            "the training and follow up on my work afterwards, as UU No. 27 Tahun 2022 on Personal Data "
            "Protection allows. My data is shared only with the provider that runs my class."
        ),
        error_messages={"required": _("Tick the box to agree; without it we cannot process your registration.")},
    )
    # Bots fill every field; people never see this one.
    website = forms.CharField(required=False, label=_("Leave this field empty"))

    def clean_nik(self):
        nik = normalize_nik(self.cleaned_data["nik"])
        validate_nik(nik)
        return nik

    def clean_kk_number(self):
        kk_number = normalize_nik(self.cleaned_data["kk_number"])  # typed like a NIK: spaces, dots, dashes
        if kk_number:
            validate_kk(kk_number)
        return kk_number

    def clean_full_name(self):
        return " ".join(self.cleaned_data["full_name"].split())

    def clean_employer_name(self):
        return " ".join(self.cleaned_data["employer_name"].split())

    def clean_ak1_number(self):
        return " ".join(self.cleaned_data["ak1_number"].split())

    def clean_ak1_issued_on(self):
        issued = self.cleaned_data["ak1_issued_on"]
        if issued is not None and not datetime.date(1970, 1, 1) <= issued <= timezone.localdate():
            raise forms.ValidationError(
                _("Check the date the AK/1 card was issued: it must be between 1970 and today.")
            )
        return issued

    def clean_phone(self):
        return normalize_phone(self.cleaned_data["phone"])

    def clean_birth_date(self):
        birth_date = self.cleaned_data["birth_date"]
        if not datetime.date(1900, 1, 1) <= birth_date <= timezone.localdate():
            raise forms.ValidationError(_("Check the date of birth: it must be between 1900 and today."))
        return birth_date

    def participant_data(self) -> dict:
        data = {name: value for name, value in self.cleaned_data.items() if name not in ("consent", "website")}
        return data


class StatusLookupForm(forms.Form):
    """A resident looks up an application: the receipt number and the birth date typed with it."""

    receipt_number = forms.CharField(
        label=_("Receipt number"),
        help_text=_("As on your receipt, for example 2026-K7F3Q9."),
        max_length=20,
        error_messages={"required": _("Type the receipt number from your receipt.")},
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
    )
    birth_date = forms.DateField(
        label=_("Date of birth"),
        help_text=_("The date of birth you typed when you applied."),
        error_messages={"required": _("Type your date of birth."), "invalid": BIRTH_DATE_INVALID},
        widget=forms.DateInput(attrs={"type": "date", "autocomplete": "bday"}, format="%Y-%m-%d"),
    )

    def clean_receipt_number(self):
        number = normalize_receipt_number(self.cleaned_data["receipt_number"])
        if number is None:
            raise forms.ValidationError(
                _("Type the receipt number as on your receipt: the year, a dash and six letters or digits.")
            )
        return number
