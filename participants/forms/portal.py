"""Forms of the provider portal and of attendance marks in the back office."""

from django import forms
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


class ResultsForm(forms.Form):
    """One person's end-of-training results."""

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
