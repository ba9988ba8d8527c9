"""Forms that validate and normalize input; the writes with rules happen in services."""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from participants.models import Attendance, Enrollment, Outcome, Participant
from participants.nik import nik_warnings, normalize_nik, validate_nik
from participants.phones import normalize_phone
from participants.services import (
    CREATE_STATUSES,
    attendance_rule_errors,
    enrollment_change_status,
    enrollment_create,
    enrollment_record_results,
    enrollment_results_errors,
    enrollment_rule_errors,
)
from pekalongan_training.dates import add_months
from programs.models import Kelurahan, TrainingPackage

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ParticipantForm(forms.ModelForm):
    """Participant data with the NIK cleaned of spaces and dots; unusual NIKs give `warnings`."""

    # Longer than 16 so that "3375 0117 0598 0001" reaches clean_nik; the model checks the result.
    nik = forms.CharField(
        label=Participant._meta.get_field("nik").verbose_name,
        help_text=Participant._meta.get_field("nik").help_text,
        max_length=32,
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
            "ak1_number",
            "has_disability",
        ]
        widgets = {"birth_date": DATE_INPUT}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.warnings: list[str] = []

    def clean_nik(self):
        return normalize_nik(self.cleaned_data.get("nik"))

    def clean_full_name(self):
        return " ".join(self.cleaned_data["full_name"].split())

    def clean_phone(self):
        return normalize_phone(self.cleaned_data.get("phone", ""))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("nik") and "nik" not in self.errors:
            self.warnings = nik_warnings(cleaned["nik"], sex=cleaned.get("sex"), birth_date=cleaned.get("birth_date"))
        return cleaned


class EnrollmentForm(forms.ModelForm):
    """An enrollment checked against the seat and yearly rules, so errors stand next to the fields."""

    class Meta:
        model = Enrollment
        fields = [
            "participant",
            "package",
            "status",
            "override_reason",
            "assessment",
            "certificate_number",
            "competency",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.pk and "status" in self.fields:
            # Completed and dropped-out come from attendance later, never at creation.
            self.fields["status"].choices = [
                (value, label) for value, label in Enrollment.Status.choices if value in CREATE_STATUSES
            ]
            self.fields["status"].initial = Enrollment.Status.ENROLLED

    def clean(self):
        cleaned = super().clean()
        participant = cleaned.get("participant") or getattr(self.instance, "participant", None)
        package = cleaned.get("package") or (self.instance.package if self.instance.package_id else None)
        status = cleaned.get("status")
        if participant is None or package is None or status is None:
            return cleaned
        existing = self.instance if self.instance.pk else None
        if existing is None or status != existing.status:
            errors = enrollment_rule_errors(
                participant=participant,
                package=package,
                status=status,
                override_reason=cleaned.get("override_reason", ""),
                enrollment=existing,
            )
            self._add_errors(errors)
        if existing is not None and {"assessment", "certificate_number", "competency"} & set(self.changed_data):
            self._add_errors(
                enrollment_results_errors(
                    enrollment=Enrollment(status=status),
                    package=package,
                    assessment=cleaned.get("assessment", ""),
                    certificate_number=cleaned.get("certificate_number", ""),
                )
            )
        return cleaned

    def _add_errors(self, errors: dict[str, list[str]]):
        for field, messages in errors.items():
            for message in messages:
                self.add_error(field if field in self.fields else None, message)

    def save_with_services(self, *, actor) -> Enrollment:
        """Create or change the enrollment through the services (which re-check the rules under locks)."""
        data = self.cleaned_data
        if self.instance.pk is None:
            enrollment = enrollment_create(
                participant=data["participant"],
                package=data.get("package") or self.instance.package,
                status=data["status"],
                override_reason=data.get("override_reason", ""),
                actor=actor,
            )
        else:
            enrollment = self.instance
            if "status" in self.changed_data:
                enrollment = enrollment_change_status(
                    enrollment=enrollment,
                    status=data["status"],
                    override_reason=data.get("override_reason", ""),
                    actor=actor,
                )
            elif "override_reason" in self.changed_data:
                enrollment.override_reason = data["override_reason"].strip()
                enrollment.save(update_fields=["override_reason"])
            if {"assessment", "certificate_number", "competency"} & set(self.changed_data):
                enrollment = enrollment_record_results(
                    enrollment=enrollment,
                    assessment=data["assessment"],
                    certificate_number=data["certificate_number"],
                    competency=data["competency"],
                    actor=actor,
                )
        self.instance = enrollment
        return enrollment


class EnrollmentInlineFormSet(BaseInlineFormSet):
    """Enrollments inside a package: several new rows together may not exceed the quota either."""

    def clean(self):
        super().clean()
        package = self.instance
        new_seats = sum(
            1
            for form in self.forms
            if form.has_changed()
            and not form.instance.pk
            and form.cleaned_data.get("status") in Enrollment.SEAT_STATUSES
            and not self._should_delete_form(form)
        )
        changed_into_seat = sum(
            1
            for form in self.forms
            if form.instance.pk
            and "status" in form.changed_data
            and form.cleaned_data.get("status") in Enrollment.SEAT_STATUSES
            and form.initial.get("status") not in Enrollment.SEAT_STATUSES
        )
        if new_seats + changed_into_seat > 1:
            used = Enrollment.objects.filter(package=package).holding_seats().count()
            if used + new_seats + changed_into_seat > package.quota:
                raise ValidationError(
                    _("Only %(left)s of the %(quota)s seats are left; you are filling %(asked)s.")
                    % {
                        "left": max(package.quota - used, 0),
                        "quota": package.quota,
                        "asked": new_seats + changed_into_seat,
                    }
                )

    def save_with_services(self, *, actor) -> list[str]:
        """Save each changed row through the services; return the messages of rows a rule refused.

        The forms were checked in clean(); a refusal here means another request took the last
        seat in between. That row is not saved (its service wrote nothing); the others are.
        """
        refused = []
        # What the admin's history entry ("Added enrollment ...") reads, as formset.save() would set it.
        self.new_objects, self.changed_objects, self.deleted_objects = [], [], []
        for form in self.forms:
            if not form.has_changed():
                continue
            is_new = form.instance.pk is None
            try:
                enrollment = form.save_with_services(actor=actor)
            except ValidationError as error:
                refused.append(
                    f"{form.cleaned_data.get('participant') or form.instance.participant}: {' '.join(error.messages)}"
                )
                continue
            if is_new:
                self.new_objects.append(enrollment)
            else:
                self.changed_objects.append((enrollment, form.changed_data))
        return refused


class AttendanceAdminForm(forms.ModelForm):
    class Meta:
        model = Attendance
        fields = ["enrollment", "session", "status", "remark"]

    def clean(self):
        cleaned = super().clean()
        enrollment = cleaned.get("enrollment") or (self.instance.enrollment if self.instance.pk else None)
        session = cleaned.get("session") or (self.instance.session if self.instance.pk else None)
        if enrollment and session:
            for message in attendance_rule_errors(session=session, enrollment=enrollment):
                self.add_error("session", message)
        return cleaned


# What a follow-up answer says; the admin form adds whose answer, which round and when.
OUTCOME_ANSWER_FIELDS = [
    "status",
    "related_to_training",
    "business_name",
    "sector",
    "monthly_income",
    "employer_name",
    "notes",
]


class OutcomeAdminForm(forms.ModelForm):
    class Meta:
        model = Outcome
        fields = ["enrollment", "round", "recorded_on", *OUTCOME_ANSWER_FIELDS]
        widgets = {"recorded_on": DATE_INPUT}

    def clean(self):
        cleaned = super().clean()
        enrollment = cleaned.get("enrollment")
        if enrollment and enrollment.status != Enrollment.Status.COMPLETED:
            self.add_error("enrollment", _("Follow-ups are recorded for people who completed the training."))
        recorded_on, round_ = cleaned.get("recorded_on"), cleaned.get("round")
        if recorded_on and recorded_on > timezone.localdate():
            self.add_error("recorded_on", _("The date of the follow-up cannot be in the future."))
        if enrollment and recorded_on and round_ and enrollment.status == Enrollment.Status.COMPLETED:
            due = add_months(enrollment.package.ends_on, int(round_))
            if recorded_on < due:
                self.add_error(
                    "recorded_on",
                    _("The %(months)s-month follow-up is due from %(date)s: %(months)s months after the training.")
                    % {"months": round_, "date": date_format(due)},
                )
        return cleaned


class ImportUploadForm(forms.Form):
    MAX_BYTES = 5 * 1024 * 1024

    file = forms.FileField(
        label=_("Participant list (.xlsx or .csv)"),
        help_text=_("Use the template. At most 5 MB."),
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
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 5 MB. Split the list into smaller files."))
        if not upload.name.lower().endswith((".xlsx", ".csv")):
            raise forms.ValidationError(_("Upload an Excel file (.xlsx) or a CSV file (.csv)."))
        return upload


class RegistrationForm(forms.Form):
    """A resident's online registration. Plain questions, one page, what the dinas needs to select."""

    nik = forms.CharField(label=_("NIK (16 digits, as on your KTP)"), max_length=32)
    full_name = forms.CharField(label=_("Full name, as on your KTP"), max_length=150)
    sex = forms.ChoiceField(label=_("Sex"), choices=Participant.Sex.choices, widget=forms.RadioSelect)
    birth_date = forms.DateField(
        label=_("Date of birth"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    phone = forms.CharField(label=_("Phone / WhatsApp number"), max_length=20)
    address = forms.CharField(
        label=_("Address (street, RT/RW)"), max_length=300, widget=forms.Textarea(attrs={"rows": 2})
    )
    kelurahan = forms.ModelChoiceField(
        label=_("Kelurahan"),
        queryset=Kelurahan.objects.order_by("name"),
        required=False,
        empty_label=_("— outside Kota Pekalongan —"),
    )
    education = forms.TypedChoiceField(label=_("Highest education"), choices=Participant.Education.choices, coerce=int)
    employment_status_at_intake = forms.ChoiceField(
        label=_("What do you do now?"), choices=Participant.EmploymentStatus.choices
    )
    beneficiary_group = forms.ChoiceField(label=_("You are"), choices=Participant.BeneficiaryGroup.choices)
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

    def clean_full_name(self):
        return " ".join(self.cleaned_data["full_name"].split())

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


class FollowUpForm(forms.ModelForm):
    """One follow-up answer, as a clerk fills it in on the phone with the person."""

    class Meta:
        model = Outcome
        fields = OUTCOME_ANSWER_FIELDS
        widgets = {
            "status": forms.RadioSelect,
            "notes": forms.Textarea(attrs={"rows": 2}),
            "monthly_income": forms.NumberInput(attrs={"inputmode": "numeric", "min": 0, "step": 50000}),
        }
