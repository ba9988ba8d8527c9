"""The alumnus's own follow-up answer (the tracer questions), on a phone, through the personal link."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from participants.forms.followups import (
    HELP_CHOICES,
    SATISFACTION_CHOICES,
    YES_NO,
    MonthlyIncomeField,
    help_needed_list,
    yes_no_value,
)
from participants.models import Outcome
from pekalongan_training.forms import unanswered

DATE_INVALID = _("Choose the date from the calendar, or type it as day, month and year, for example 02/01/2026.")

# In the person's own words, not the statistics office's.
ACTIVITY_CHOICES = [
    (Outcome.Status.EMPLOYED, _("I work for someone else (an employee or worker)")),
    (Outcome.Status.SELF_EMPLOYED, _("I run my own business")),
    (Outcome.Status.FURTHER_TRAINING, _("I am in further training or study")),
    (Outcome.Status.NOT_WORKING, _("I am not working, or I am looking for work")),
]


def _yes_no(label, message, **kwargs):
    return unanswered(
        forms.TypedChoiceField(
            label=label,
            choices=YES_NO,
            coerce=lambda value: value == "yes",
            widget=forms.RadioSelect,
            **kwargs,
        ),
        message,
    )


class AlumniFollowUpForm(forms.Form):
    """The tracer questions. No question starts answered; the work questions are asked of those who work.

    `training_started_on` is the package's first day: current work cannot have started before it
    was learnt (earlier work is not what the training led to, and a typo more often).
    """

    status = unanswered(
        forms.ChoiceField(label=_("What do you do now?"), choices=ACTIVITY_CHOICES, widget=forms.RadioSelect),
        _("Choose what you do now."),
    )
    work_started_on = forms.DateField(
        label=_("Since when have you had this work or business?"),
        required=False,
        help_text=_("If you do not remember the day, choose the 1st of that month."),
        error_messages={"invalid": DATE_INVALID},
        widget=forms.DateInput(attrs={"type": "date", "autocomplete": "off"}, format="%Y-%m-%d"),
    )
    related_to_training = _yes_no(
        _("Does your work or business use what you learnt in the training?"),
        _("Choose yes or no."),
    )
    monthly_income = MonthlyIncomeField(
        label=_("About how much do you earn a month?"),
        required=False,
        help_text=_("In rupiah, for example 2.500.000. You may leave it empty if you prefer not to say."),
    )
    business_name = forms.CharField(label=_("Name of your business"), max_length=150, required=False)
    sector = forms.CharField(
        label=_("What kind of business"),
        max_length=100,
        required=False,
        help_text=_("For example: tailoring, catering, batik, repair shop."),
    )
    employer_name = forms.CharField(
        label=_("Where you work (company or employer)"),
        max_length=150,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    satisfaction = unanswered(
        forms.TypedChoiceField(
            label=_("How satisfied are you with the training?"),
            choices=SATISFACTION_CHOICES,
            coerce=int,
            widget=forms.RadioSelect,
        ),
        _("Choose a number from 1 to 5."),
    )
    help_needed = forms.MultipleChoiceField(
        label=_("What would help you now?"),
        choices=HELP_CHOICES,
        required=False,
        help_text=_("Tick all that apply, or none."),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Tick only the choices shown.")},
    )
    contact_again = _yes_no(
        _("May the dinas contact you again about your work or further training?"),
        _("Choose yes or no."),
    )

    def __init__(self, *args, training_started_on: datetime.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.training_started_on = training_started_on
        # Asked only of those who work; the view shows them under "If you work or run a business".
        self.fields["related_to_training"].required = False

    @classmethod
    def initial_from(cls, outcome: Outcome | None) -> dict:
        """The person's own earlier answer, to correct it; nothing for a first answer."""
        if outcome is None or outcome.source != Outcome.Source.SELF_REPORTED:
            return {}
        # Not the income, the employer, the business or its sector: the link may be seen by someone
        # else (a forwarded message, a shared phone); those are asked again.
        private = {"monthly_income", "employer_name", "business_name", "sector"}
        initial = {name: getattr(outcome, name) for name in cls.base_fields if name not in private}
        for name in ("related_to_training", "contact_again"):
            initial[name] = yes_no_value(initial[name])
        return initial

    def clean_work_started_on(self):
        started = self.cleaned_data["work_started_on"]
        if started is None:
            return None
        if started > timezone.localdate():
            raise forms.ValidationError(_("The date cannot be in the future."))
        if started < self.training_started_on:
            raise forms.ValidationError(
                _("Choose the date your current work or business started; it is after the training began (%(date)s).")
                % {"date": date_format(self.training_started_on)}
            )
        return started

    def clean(self):
        cleaned = super().clean()
        status = cleaned.get("status")
        if status in Outcome.WORKING_STATUSES:
            if not cleaned.get("work_started_on") and "work_started_on" not in self.errors:
                self.add_error("work_started_on", _("Choose the date your current work or business started."))
            if cleaned.get("related_to_training") in (None, "") and "related_to_training" not in self.errors:
                self.add_error("related_to_training", _("Choose yes or no."))
        return cleaned

    def answer(self) -> dict:
        """The answer as the service takes it."""
        data = dict(self.cleaned_data)
        data["related_to_training"] = bool(data.get("related_to_training"))
        data["help_needed"] = help_needed_list(data.get("help_needed"))
        return data
