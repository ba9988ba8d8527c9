from django import forms
from django.utils.translation import gettext_lazy as _

from programs.models import WEEKDAY_CHOICES, Session, TrainingPackage


class TrainingPackageForm(forms.ModelForm):
    """The package form with meeting days as checkboxes (stored as a string of weekday digits)."""

    meeting_weekdays = forms.MultipleChoiceField(
        label=_("meeting days"),
        choices=WEEKDAY_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one meeting day.")},
    )

    class Meta:
        model = TrainingPackage
        fields = [
            "code",
            "title",
            "vocation",
            "cohort",
            "provider",
            "category",
            "status",
            "venue_kelurahan",
            "venue_address",
            "quota",
            "hours",
            "budget",
            "starts_on",
            "ends_on",
            "meeting_weekdays",
            "session_starts_at",
            "session_ends_at",
            "min_attendance_percent",
        ]
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "ends_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial["meeting_weekdays"] = list(self.initial.get("meeting_weekdays") or "01234")

    def clean_meeting_weekdays(self):
        return "".join(sorted(set(self.cleaned_data["meeting_weekdays"])))

    def clean(self):
        cleaned = super().clean()
        starts_on, ends_on = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", _("The last day cannot be before the first day."))
        cohort = cleaned.get("cohort")
        if self.instance.pk and cohort and "cohort" in self.changed_data:
            old_year = self.instance.cohort.program.fiscal_year
            if cohort.program.fiscal_year != old_year and self.instance.enrollments.holding_seats().exists():
                self.add_error(
                    "cohort",
                    _("People already hold seats in this package; it cannot move to a program of another year."),
                )
        quota = cleaned.get("quota")
        if quota and self.instance.pk:
            used = self.instance.enrollments.holding_seats().count()
            if quota < used:
                self.add_error(
                    "quota",
                    _("%(used)s people already hold a seat; the quota cannot be lower.") % {"used": used},
                )
        start, end = cleaned.get("session_starts_at"), cleaned.get("session_ends_at")
        if start and end and end <= start:
            self.add_error("session_ends_at", _("Meetings must end after they start."))
        return cleaned


class SessionAdminForm(forms.ModelForm):
    """A meeting in the admin: once it has marks, its day stays (the marks are for that day)."""

    class Meta:
        model = Session
        fields = ["package", "date", "starts_at", "ends_at", "topic"]
        widgets = {"date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def clean_date(self):
        date = self.cleaned_data["date"]
        if self.instance.pk and date != self.instance.date and self.instance.attendances.exists():
            raise forms.ValidationError(_("This meeting already has attendance marks; its date cannot change."))
        return date
