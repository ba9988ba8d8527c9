"""Follow-up answers: the clerk's form on the phone and the admin's."""

from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from participants.followups import round_due_on
from participants.models import Enrollment, Outcome
from pekalongan_training.forms import DATE_INPUT, unanswered
from pekalongan_training.money import RupiahFormField

# What a follow-up answer says; the admin form adds whose answer, which round and when.
OUTCOME_ANSWER_FIELDS = [
    "status",
    "work_started_on",
    "related_to_training",
    "business_name",
    "sector",
    "monthly_income",
    "employer_name",
    "satisfaction",
    "help_needed",
    "contact_again",
    "notes",
]

YES_NO = [("yes", _("Yes")), ("no", _("No"))]
HELP_CHOICES = [
    (Outcome.Help.CAPITAL, _("Capital for a business")),
    (Outcome.Help.TOOLS, _("Tools or equipment")),
    (Outcome.Help.INTERNSHIP, _("An internship")),
    (Outcome.Help.PLACEMENT, _("Help finding a job (placement)")),
]
SATISFACTION_CHOICES = [
    (1, _("1: very dissatisfied")),
    (2, _("2: dissatisfied")),
    (3, _("3: neither")),
    (4, _("4: satisfied")),
    (5, _("5: very satisfied")),
]


def help_needed_list(values) -> list[str]:
    """The ticked kinds of help in the choices' order, as the Outcome keeps them."""
    return [str(value) for value, _label in HELP_CHOICES if value in (values or [])]


def yes_no_value(value):
    """A stored yes/no (True, False or None) as the radio buttons' value."""
    return None if value is None else ("yes" if value else "no")


# A monthly income outside this range is more often a slip (a zero too many or too few) than true.
PLAUSIBLE_MONTHLY_INCOME = (100_000, 100_000_000)


class MonthlyIncomeField(RupiahFormField):
    """A monthly income: an amount under Rp100.000 or over Rp100.000.000 needs a second confirmation."""

    def __init__(self, **kwargs):
        kwargs.setdefault("plausible", PLAUSIBLE_MONTHLY_INCOME)
        kwargs.setdefault(
            "implausible_message",
            _("%(amount)s a month? Check the amount; if it is right, tick the box below and save again."),
        )
        super().__init__(**kwargs)


class TracerQuestionsMixin(forms.Form):
    """The tracer questions as staff ask them on a call: none starts answered, each may stay unasked.

    The alumni's own form (participants/forms/alumni.py) asks the same, some of them required.
    """

    work_started_on = forms.DateField(
        label=_("Current work or business since"),
        required=False,
        help_text=_("Ask the month and year; if the day is not known, choose the 1st."),
        widget=DATE_INPUT,
    )
    satisfaction = forms.TypedChoiceField(
        label=_("Satisfaction with the training (1-5)"),
        choices=SATISFACTION_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
        help_text=_("Leave empty if not asked."),
    )
    help_needed = forms.MultipleChoiceField(
        label=_("What would help"),
        choices=HELP_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Tick only the choices shown.")},
    )
    contact_again = forms.TypedChoiceField(
        label=_("May the dinas contact them again?"),
        choices=YES_NO,
        coerce=lambda value: value == "yes",
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
        help_text=_("Leave empty if not asked."),
    )

    def tracer_initial(self, instance):
        if instance is not None and instance.pk:
            self.initial["contact_again"] = yes_no_value(instance.contact_again)

    def clean_work_started_on(self):
        started = self.cleaned_data.get("work_started_on")
        if started and started > timezone.localdate():
            raise forms.ValidationError(_("The date cannot be in the future."))
        return started

    def clean_help_needed(self):
        return help_needed_list(self.cleaned_data.get("help_needed"))

    def clean_tracer(self, cleaned: dict, training_started_on) -> None:
        started = cleaned.get("work_started_on")
        if started and training_started_on and started < training_started_on:
            self.add_error(
                "work_started_on",
                _("Choose the date the current work or business started; it is after the training began (%(date)s).")
                % {"date": date_format(training_started_on)},
            )


class OutcomeAdminForm(TracerQuestionsMixin, forms.ModelForm):
    class Meta:
        model = Outcome
        fields = ["enrollment", "round", "recorded_on", *OUTCOME_ANSWER_FIELDS]
        widgets = {"recorded_on": DATE_INPUT}
        field_classes = {"monthly_income": MonthlyIncomeField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        unanswered(self.fields["status"], _("Choose what the person does now, or 'Not reachable'."))
        self.tracer_initial(self.instance)

    def clean(self):
        cleaned = super().clean()
        enrollment = cleaned.get("enrollment")
        if enrollment:
            self.clean_tracer(cleaned, enrollment.package.starts_on)
        if self.instance.source == Outcome.Source.SELF_REPORTED and cleaned.get("status") == Outcome.Status.UNREACHABLE:
            self.add_error(
                "status",
                _("The alumnus answered this round themselves: choose what they do now, not 'Not reachable'."),
            )
        if enrollment and enrollment.status != Enrollment.Status.COMPLETED:
            self.add_error("enrollment", _("Follow-ups are recorded for people who completed the training."))
        recorded_on, round_ = cleaned.get("recorded_on"), cleaned.get("round")
        if recorded_on and recorded_on > timezone.localdate():
            self.add_error("recorded_on", _("The date of the follow-up cannot be in the future."))
        if enrollment and recorded_on and round_ and enrollment.status == Enrollment.Status.COMPLETED:
            due = round_due_on(enrollment.package.ends_on, int(round_))
            if recorded_on < due:
                self.add_error(
                    "recorded_on",
                    _("The %(months)s-month follow-up is due from %(date)s: %(months)s months after the training.")
                    % {"months": round_, "date": date_format(due)},
                )
        return cleaned


class FollowUpForm(TracerQuestionsMixin, forms.ModelForm):
    """One follow-up answer, as a clerk fills it in on the phone with the person.

    `training_started_on` (the package's first day) bounds the start date of the current work.
    """

    class Meta:
        model = Outcome
        fields = OUTCOME_ANSWER_FIELDS
        widgets = {"status": forms.RadioSelect, "notes": forms.Textarea(attrs={"rows": 2})}
        field_classes = {"monthly_income": MonthlyIncomeField}

    def __init__(self, *args, training_started_on=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.training_started_on = training_started_on
        # Radio buttons without "---------" and none checked: the clerk asks, the person answers.
        unanswered(self.fields["status"], _("Choose what the person does now, or 'Not reachable'."))
        self.tracer_initial(self.instance)

    def clean(self):
        cleaned = super().clean()
        self.clean_tracer(cleaned, self.training_started_on)
        return cleaned
