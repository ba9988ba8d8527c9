"""Forms of the provider portal and of attendance marks in the back office."""

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from participants.models import Attendance, Enrollment
from participants.services import attendance_rule_errors


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


class SessionForm(forms.Form):
    """Add or move a meeting. HTML5 date and time inputs: no day/month ambiguity on any phone."""

    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    starts_at = forms.TimeField(
        label=_("Starts at"), required=False, widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    ends_at = forms.TimeField(
        label=_("Ends at"), required=False, widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    topic = forms.CharField(label=_("Topic"), required=False, max_length=200)
    on_holiday = forms.BooleanField(
        label=_("Hold the meeting on this holiday"),
        required=False,
        help_text=_("Only if the class really meets on a public holiday or cuti bersama."),
    )


def _label(name: str):
    """The model field's own (translated) name, as a form label."""
    return capfirst(Enrollment._meta.get_field(name).verbose_name)


class ResultsForm(forms.Form):
    """One person's end-of-training results: the provider's (assessment, training certificate) and
    the LSP's (competency test, and for the competent their certificate's scheme, number and expiry).

    The fields are enrollment_record_results' arguments; its rules come back as errors on them.
    """

    LSP_CERTIFICATE_FIELDS = ("competency_scheme", "competency_certificate_number", "competency_expires_on")

    assessment = forms.ChoiceField(
        label=_("Assessment"),
        choices=Enrollment.Assessment.choices,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    certificate_number = forms.CharField(
        label=_("Training certificate number"),
        required=False,
        max_length=60,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    competency = forms.ChoiceField(
        label=_("Competency test (LSP)"),
        choices=Enrollment.Competency.choices,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    competency_scheme = forms.CharField(
        label=_label("competency_scheme"),
        required=False,
        max_length=Enrollment._meta.get_field("competency_scheme").max_length,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    competency_certificate_number = forms.CharField(
        label=_label("competency_certificate_number"),
        required=False,
        max_length=Enrollment._meta.get_field("competency_certificate_number").max_length,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    competency_expires_on = forms.DateField(
        label=_label("competency_expires_on"),
        required=False,
        # The HTML5 date input of pekalongan_training.forms.DATE_INPUT, styled like the row's other inputs.
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d"),
    )

    def result_fields(self):
        """The fields every row shows."""
        return [field for field in self if field.name not in self.LSP_CERTIFICATE_FIELDS]

    def lsp_certificate_fields(self):
        """The fields of the LSP's certificate, shown folded unless the person is competent."""
        return [self[name] for name in self.LSP_CERTIFICATE_FIELDS]

    def lsp_certificate_open(self) -> bool:
        """Unfold the certificate's fields for someone competent, with a certificate, or with an error there."""
        fields = self.lsp_certificate_fields()
        return (
            self["competency"].value() == Enrollment.Competency.COMPETENT
            or any(field.value() for field in fields)
            or any(field.errors for field in fields)
        )
