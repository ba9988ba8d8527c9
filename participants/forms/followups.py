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
    "related_to_training",
    "business_name",
    "sector",
    "monthly_income",
    "employer_name",
    "notes",
]

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


class OutcomeAdminForm(forms.ModelForm):
    class Meta:
        model = Outcome
        fields = ["enrollment", "round", "recorded_on", *OUTCOME_ANSWER_FIELDS]
        widgets = {"recorded_on": DATE_INPUT}
        field_classes = {"monthly_income": MonthlyIncomeField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        unanswered(self.fields["status"], _("Choose what the person does now, or 'Not reachable'."))

    def clean(self):
        cleaned = super().clean()
        enrollment = cleaned.get("enrollment")
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


class FollowUpForm(forms.ModelForm):
    """One follow-up answer, as a clerk fills it in on the phone with the person."""

    class Meta:
        model = Outcome
        fields = OUTCOME_ANSWER_FIELDS
        widgets = {"status": forms.RadioSelect, "notes": forms.Textarea(attrs={"rows": 2})}
        field_classes = {"monthly_income": MonthlyIncomeField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Radio buttons without "---------" and none checked: the clerk asks, the person answers.
        unanswered(self.fields["status"], _("Choose what the person does now, or 'Not reachable'."))
