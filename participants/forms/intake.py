"""Intake forms: a person's record and the upload of a participant list."""

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from participants import imports
from participants.models import Participant
from participants.nik import nik_warnings, normalize_nik, validate_kk
from pekalongan_training.forms import DATE_INPUT, unanswered
from pekalongan_training.phones import normalize_phone
from programs.forms import OUTSIDE_CITY, KelurahanChoiceField
from programs.models import TrainingPackage

# What the form asks about the person, and what it says when a question is left unanswered.
PERSON_QUESTIONS = {
    "sex": _("Choose male or female."),
    "education": _("Choose the highest education the person finished."),
    "employment_status_at_intake": _("Choose what the person does now."),
    "beneficiary_group": _("Choose the group the person belongs to."),
}


class ParticipantForm(forms.ModelForm):
    """Participant data with the NIK cleaned of spaces and dots; unusual NIKs give `warnings`.

    No question about the person starts answered on a new record: sex, education, work, group
    (whose model default, job seeker, is not offered here) and kelurahan, where living outside the
    city is a choice of its own. A stored record shows what is stored. (The kelurahan is a plain
    select of the 27 and "outside", so the admin's autocomplete for it no longer applies.)
    """

    # Longer than 16 so that "3375 0117 0598 0001" reaches clean_nik; the model checks the result.
    nik = forms.CharField(
        label=Participant._meta.get_field("nik").verbose_name,
        help_text=Participant._meta.get_field("nik").help_text,
        max_length=32,
    )
    kk_number = forms.CharField(
        label=Participant._meta.get_field("kk_number").verbose_name,
        help_text=Participant._meta.get_field("kk_number").help_text,
        max_length=32,
        required=False,
    )
    kelurahan = KelurahanChoiceField(
        label=capfirst(Participant._meta.get_field("kelurahan").verbose_name),
        message=_("Choose the kelurahan, or 'outside Kota Pekalongan'."),
        help_text=_("Where the person lives; 'outside Kota Pekalongan' (the last line) for people from elsewhere."),
    )

    class Meta:
        model = Participant
        fields = [
            "nik",
            "full_name",
            "sex",
            "birth_place",
            "birth_date",
            "phone",
            "address",
            "kelurahan",
            "education",
            "vocational_school",
            "employment_status_at_intake",
            "beneficiary_group",
            "employer_name",
            "kk_number",
            "ak1_number",
            "ak1_issued_on",
            "has_disability",
        ]
        widgets = {"birth_date": DATE_INPUT, "ak1_issued_on": DATE_INPUT}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.warnings: list[str] = []
        for name, message in PERSON_QUESTIONS.items():
            unanswered(self.fields[name], message)
        if self.instance.pk is None:
            # A new Participant() carries the model's default group; the form does not answer for the person.
            given = kwargs.get("initial") or {}
            for name in [*PERSON_QUESTIONS, "kelurahan"]:
                if name not in given:
                    self.initial.pop(name, None)
        elif self.instance.kelurahan_id is None:
            self.initial["kelurahan"] = OUTSIDE_CITY

    def clean_nik(self):
        return normalize_nik(self.cleaned_data.get("nik"))

    def clean_kk_number(self):
        kk_number = normalize_nik(self.cleaned_data.get("kk_number"))  # typed like a NIK
        if kk_number:
            validate_kk(kk_number)
        return kk_number

    def clean_employer_name(self):
        return " ".join(self.cleaned_data.get("employer_name", "").split())

    def clean_full_name(self):
        return " ".join(self.cleaned_data["full_name"].split())

    def clean_phone(self):
        return normalize_phone(self.cleaned_data.get("phone", ""))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("nik") and "nik" not in self.errors:
            self.warnings = nik_warnings(cleaned["nik"], sex=cleaned.get("sex"), birth_date=cleaned.get("birth_date"))
        return cleaned


class ImportUploadForm(forms.Form):
    """The upload, read once here: a file that cannot or may not be read is an error on the field.

    After validation, `cleaned_data["content"]` holds the bytes and `cleaned_data["rows"]` the rows
    as `ParticipantImport.rows` keeps them.
    """

    MAX_BYTES = imports.MAX_FILE_BYTES

    file = forms.FileField(
        label=_("Participant list (.xlsx or .csv)"),
        help_text=_("Use the template. At most 5 MB and 10,000 rows."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )
    package = forms.ModelChoiceField(
        label=_("Enroll everyone into package (optional)"),
        queryset=TrainingPackage.objects.none(),
        required=False,
        help_text=_("Leave empty to only add or update the people."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["package"].queryset = (
            TrainingPackage.objects.exclude(
                status__in=[TrainingPackage.Status.COMPLETED, TrainingPackage.Status.CANCELLED]
            )
            .select_related("cohort__program")
            .order_by("code")
        )
        self.fields["package"].widget.attrs["class"] = "form-select"

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if len(self.files.getlist(self.add_prefix("file"))) > 1:  # only a crafted post sends two
            raise forms.ValidationError(_("Upload one file at a time."))
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 5 MB. Split the list into smaller files."))
        if not upload.name.lower().endswith((".xlsx", ".csv")):
            raise forms.ValidationError(_("Upload an Excel file (.xlsx) or a CSV file (.csv)."))
        content = upload.read()
        table = imports.read_table(content, upload.name)  # raises ValidationError with what to do
        if problems := imports.table_errors(table):  # empty, columns missing, only a header: say so here
            raise forms.ValidationError(problems)
        self.cleaned_data["content"] = content
        self.cleaned_data["rows"] = imports.storable(table)
        return upload
