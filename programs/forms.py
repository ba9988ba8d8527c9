"""The back office's forms for programs, providers, packages, meetings and the money spent on packages.

Expenditure entries are written only by programs.services.spending_record. Its rules (the pagu, the
fiscal year, no future date) must show next to the fields before anything is saved, and must hold
for several new entries together: `spending_errors` runs spending_record on the entries in order
inside a savepoint that is rolled back, and returns each entry's errors by field; the save then
calls spending_record again (`spending_record_all`, all or none). The admin inlines, the Expenditure
admin and the spending import (participants/forms/spending.py) all check and save this way.
"""

import copy
import datetime
import re
from dataclasses import dataclass, field

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import Max, Min
from django.db.models.functions import Least
from django.forms.formsets import INITIAL_FORM_COUNT, TOTAL_FORM_COUNT
from django.forms.models import BaseInlineFormSet, ModelChoiceIterator
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from pekalongan_training.formatting import rupiah
from pekalongan_training.forms import CHOOSE, DATE_INPUT
from pekalongan_training.money import RupiahInput
from programs.models import (
    ENTRY_RULE_FIELDS,
    JOB_SEEKER_TRAINING_SUB_ACTIVITY,
    WEEKDAY_CHOICES,
    CategoryRules,
    Cohort,
    Expenditure,
    Kelurahan,
    Program,
    Provider,
    Session,
    TrainingPackage,
)
from programs.services import SPENDING_FIELDS, spending_record, spending_total

OUTSIDE_CITY = "outside"  # the kelurahan select's answer for people who live outside Kota Pekalongan


class _KelurahanOrOutside(ModelChoiceIterator):
    def __iter__(self):
        yield from super().__iter__()
        yield (OUTSIDE_CITY, _("Outside Kota Pekalongan"))

    def __len__(self):
        return super().__len__() + 1


class KelurahanChoiceField(forms.ModelChoiceField):
    """Where a person lives: a kelurahan of the city, or "Outside Kota Pekalongan" (cleaned to None).

    Outside the city is an answer of its own, not the empty first line: the field is required, so
    nobody is taken to live outside the city because the question was left alone. A form editing a
    stored person outside the city sets the initial value to OUTSIDE_CITY.
    """

    iterator = _KelurahanOrOutside

    def __init__(self, *, message, **kwargs):
        kwargs.setdefault("queryset", Kelurahan.objects.order_by("name"))
        kwargs.setdefault("empty_label", CHOOSE)
        super().__init__(required=True, error_messages={"required": message, "invalid_choice": message}, **kwargs)

    def clean(self, value):
        if value == OUTSIDE_CITY:
            return None
        return super().clean(value)


# The package's DBHCHT plan and its participants' daily allowance (the admin's fieldsets name them).
PLAN_FIELDS = ["sub_activity_code", "account_code", "planned_participants", "support_cost"]
ALLOWANCE_FIELDS = ["allowance_daily_rate", "allowance_counts_excused"]
BUDGET_CODE = re.compile(r"[0-9]+(\.[0-9]+)+")  # kode sub kegiatan, kode rekening: 2.07.03.2.01.0001


def _wave_period(cohort: Cohort) -> str:
    return _("%(wave)s trains from %(start)s to %(end)s.") % {
        "wave": cohort,
        "start": date_format(cohort.starts_on),
        "end": date_format(cohort.ends_on),
    }


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
            "application_limit",
            "test_weight",
            "interview_weight",
            *PLAN_FIELDS,
            *ALLOWANCE_FIELDS,
        ]
        widgets = {"starts_on": DATE_INPUT, "ends_on": DATE_INPUT}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial["meeting_weekdays"] = list(self.initial.get("meeting_weekdays") or "01234")
        # The plan's fields have defaults: a form posted without them (an older page) keeps what is on record.
        for name in ("sub_activity_code", "support_cost", "allowance_daily_rate"):
            if name in self.fields:
                self.fields[name].required = False

    def _omitted(self, name) -> bool:
        return self[name].field.widget.value_omitted_from_data(self.data, self.files, self.add_prefix(name))

    def clean_meeting_weekdays(self):
        return "".join(sorted(set(self.cleaned_data["meeting_weekdays"])))

    def clean_sub_activity_code(self):
        code = "".join(self.cleaned_data["sub_activity_code"].split())
        if not code and not self._omitted("sub_activity_code"):
            raise forms.ValidationError(
                _("Write the sub-activity code as in the DPA; job-seeker training is %(code)s.")
                % {"code": JOB_SEEKER_TRAINING_SUB_ACTIVITY}
            )
        if code and not BUDGET_CODE.fullmatch(code):
            raise forms.ValidationError(
                _("Write the code in digits and dots, as in the DPA, like %(code)s.")
                % {"code": JOB_SEEKER_TRAINING_SUB_ACTIVITY}
            )
        return code

    def clean_account_code(self):
        code = "".join(self.cleaned_data["account_code"].split())
        if code and not BUDGET_CODE.fullmatch(code):
            raise forms.ValidationError(
                _("Write the account code in digits and dots, as in the DPA, like 5.1.02.01.01.0024.")
            )
        return code

    def _money_or_zero(self, name):
        """An emptied amount is 0; one the form did not post at all is left as it is (None)."""
        value = self.cleaned_data.get(name)
        if value is None and not self._omitted(name):
            return 0
        return value

    def clean_support_cost(self):
        return self._money_or_zero("support_cost")

    def clean_allowance_daily_rate(self):
        return self._money_or_zero("allowance_daily_rate")

    def clean_planned_participants(self):
        planned = self.cleaned_data.get("planned_participants")
        if planned == 0:
            raise forms.ValidationError(_("Plan at least 1 person, or leave it empty to plan the quota."))
        return planned

    def _clean_money(self, cleaned):
        """The BOP share lies within the pagu; the pagu is not cut below what is already spent."""
        budget = cleaned.get("budget")
        support_cost = cleaned.get("support_cost")
        if support_cost is None:
            support_cost = self.instance.support_cost
        if budget is not None and support_cost is not None and support_cost > budget:
            self.add_error("support_cost", _("The support costs (BOP) are part of the pagu: they cannot be more."))
        if self.instance.pk and budget is not None and "budget" in self.changed_data:
            spent = spending_total(self.instance)
            if budget < spent:
                self.add_error(
                    "budget",
                    _("%(spent)s has already been spent on this package; the pagu cannot be lower.")
                    % {"spent": rupiah(spent)},
                )

    def clean(self):
        cleaned = super().clean()
        starts_on, ends_on = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", _("The last day cannot be before the first day."))
        cohort = cleaned.get("cohort")
        if cohort:
            # A package trains inside its wave's training period (DESIGN.md): the message names the
            # wave's dates next to each day that lies outside them.
            for name, day in (("starts_on", starts_on), ("ends_on", ends_on)):
                if day and not cohort.starts_on <= day <= cohort.ends_on:
                    self.add_error(name, _wave_period(cohort))
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
        limit = cleaned.get("application_limit")
        if limit and quota and limit < quota:
            self.add_error(
                "application_limit",
                _("The application limit cannot be below the quota (%(quota)s): selection needs at least that many.")
                % {"quota": quota},
            )
        test, interview = cleaned.get("test_weight"), cleaned.get("interview_weight")
        if test is not None and interview is not None and test + interview != 100:
            # Beside both fields, before the database's check (programs_package_weights_100) would refuse the row.
            message = _("The written test and interview weights must add up to 100; now they add up to %(sum)s.") % {
                "sum": test + interview
            }
            self.add_error("test_weight", message)
            self.add_error("interview_weight", message)
        self._clean_money(cleaned)
        return cleaned


class SessionAdminForm(forms.ModelForm):
    """A meeting in the admin: on a day of its package; once it has marks, its day stays."""

    class Meta:
        model = Session
        fields = ["package", "date", "starts_at", "ends_at", "topic"]
        widgets = {"date": DATE_INPUT}

    def clean_date(self):
        date = self.cleaned_data["date"]
        if self.instance.pk and date != self.instance.date and self.instance.attendances.exists():
            raise forms.ValidationError(_("This meeting already has attendance marks; its date cannot change."))
        return date

    def clean(self):
        cleaned = super().clean()
        # In the package's inline, "package" is the package on the page, with the dates just typed.
        package, date = cleaned.get("package"), cleaned.get("date")
        starts_on, ends_on = getattr(package, "starts_on", None), getattr(package, "ends_on", None)
        if not all(isinstance(day, datetime.date) for day in (date, starts_on, ends_on)) or ends_on < starts_on:
            return cleaned  # the package's own dates are wrong: its form says so
        if not starts_on <= date <= ends_on:
            self.add_error(
                "date",
                _("The package runs from %(start)s to %(end)s; choose a day in between.")
                % {"start": date_format(starts_on), "end": date_format(ends_on)},
            )
        return cleaned


class CohortForm(forms.ModelForm):
    """A wave: registration closes before the training starts, and its packages train inside it."""

    class Meta:
        model = Cohort
        fields = ["program", "number", "registration_opens", "registration_closes", "starts_on", "ends_on"]
        widgets = dict.fromkeys(("registration_opens", "registration_closes", "starts_on", "ends_on"), DATE_INPUT)

    def clean(self):
        cleaned = super().clean()
        closes, starts_on, ends_on = (cleaned.get(name) for name in ("registration_closes", "starts_on", "ends_on"))
        if closes and starts_on and closes >= starts_on:
            self.add_error(
                "registration_closes",
                _("Registration must close before the training starts: on %(date)s at the latest.")
                % {"date": date_format(starts_on - datetime.timedelta(days=1))},
            )
        if self.instance.pk and starts_on and ends_on:
            span = self.instance.packages.aggregate(first=Min("starts_on"), last=Max("ends_on"))
            if span["first"] and (span["first"] < starts_on or span["last"] > ends_on):
                message = _(
                    "The packages of this wave train from %(start)s to %(end)s; the training period must include those days."  # noqa: E501
                ) % {"start": date_format(span["first"]), "end": date_format(span["last"])}
                self.add_error("starts_on" if span["first"] < starts_on else "ends_on", message)
        return cleaned


class ProgramForm(forms.ModelForm):
    """A program with its entry rules: a maximum age, when set, is not below the minimum."""

    class Meta:
        model = Program
        fields = [
            "name",
            "fiscal_year",
            "funding_source",
            "budget",
            "target_participants",
            *ENTRY_RULE_FIELDS,
        ]

    def clean(self):
        cleaned = super().clean()
        _check_ages(self, cleaned.get("min_age"), cleaned.get("max_age"))
        return cleaned


def _check_ages(form, min_age, max_age) -> None:
    if min_age and max_age and max_age < min_age:
        form.add_error(
            "max_age",
            _("The maximum age (%(max)s) is below the minimum age (%(min)s). Use 0 for no maximum.")
            % {"max": max_age, "min": min_age},
        )


class AsProgramSelect(forms.NullBooleanSelect):
    """A rule of a category: as the program, or yes or no for this category."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = [("unknown", _("As the program")), ("true", _("Yes")), ("false", _("No"))]


class CategoryRulesForm(forms.ModelForm):
    """One category's changes to its program's entry rules; an empty answer keeps the program's rule."""

    class Meta:
        model = CategoryRules
        fields = [
            "category",
            *ENTRY_RULE_FIELDS,
            "required_employer",
        ]
        widgets = dict.fromkeys(
            [name for name in ENTRY_RULE_FIELDS if name not in ("min_age", "max_age")],  # the yes/no rules
            AsProgramSelect,
        )
        help_texts = {
            "min_age": _("Empty: as the program; 0: no limit."),
            "max_age": _("Empty: as the program; 0: no limit."),
        }

    def clean_required_employer(self):
        return " ".join(self.cleaned_data.get("required_employer", "").split())

    def clean(self):
        cleaned = super().clean()
        _check_ages(self, cleaned.get("min_age"), cleaned.get("max_age"))
        category = cleaned.get("category")
        if cleaned.get("required_employer") and category and category != TrainingPackage.Category.FACTORY_WORKERS:
            self.add_error(
                "required_employer",
                _("Only cigarette-factory worker packages name a factory; leave this empty for this category."),
            )
        return cleaned


# --- Kemnaker and LPK references --------------------------------------------------------------------


class ProviderForm(forms.ModelForm):
    """A provider with its Kemnaker references: the NIB as 13 digits (spaces and dashes dropped), and
    an accreditation's expiry only with its grade."""

    class Meta:
        model = Provider
        fields = [
            "name",
            "kind",
            "license_number",
            "is_active",
            "vin_lpk",
            "nib",
            "accreditation_grade",
            "accreditation_expires_on",
            "contact_name",
            "phone",
            "email",
            "address",
            "kelurahan",
            "operators",
        ]
        widgets = {"accreditation_expires_on": DATE_INPUT}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The NIB is checked once its spaces are gone (the model's 13-digit check, in _post_clean).
        nib = self.fields.get("nib")
        if nib is not None:
            nib.max_length, nib.validators = 40, []
            nib.widget.attrs.update(maxlength="40", inputmode="numeric")

    def clean_nib(self):
        return re.sub(r"[\s.-]", "", self.cleaned_data["nib"])

    def clean_vin_lpk(self):
        return " ".join(self.cleaned_data["vin_lpk"].split())

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("accreditation_expires_on") and not cleaned.get("accreditation_grade"):
            self.add_error("accreditation_grade", _("Choose the accreditation grade, or clear its expiry date."))
        return cleaned


ACCREDITATION_CHECKED = (TrainingPackage.Status.PLANNED, TrainingPackage.Status.OPEN)


def accreditation_warning(package: TrainingPackage) -> str:
    """Why the package's LPK will not be accredited on the package's last day; '' when it will be.

    Checked while the package is planned or open for registration (later, the class has been bought).
    Only an LPK needs an accreditation (by LA-LPK); the city's BLK and other providers need none.
    An accreditation that runs out on the last day itself still covers the package.
    """
    provider = package.provider
    if package.status not in ACCREDITATION_CHECKED or provider.kind != Provider.Kind.LPK:
        return ""
    if provider.accredited_on(package.ends_on):
        return ""
    if not provider.accreditation_grade:
        return _(
            "%(provider)s has no accreditation on record, and an LPK must be accredited until the package's last "
            "day, %(day)s. Enter its grade and expiry on the provider's page, or choose another provider."
        ) % {"provider": provider.name, "day": date_format(package.ends_on)}
    return _(
        "The accreditation of %(provider)s (grade %(grade)s) runs out on %(expires)s, before the package's last "
        "day, %(day)s. Enter its renewed accreditation on the provider's page, or choose another provider."
    ) % {
        "provider": provider.name,
        "grade": provider.accreditation_grade,
        "expires": date_format(provider.accreditation_expires_on),
        "day": date_format(package.ends_on),
    }


# --- a program's pagu per funding source ----------------------------------------------------------


class NewRowsFormSet(BaseInlineFormSet):
    """An inline added to a page with this release: a post without its rows at all (the page was
    opened before they were on it) changes none of them, rather than refusing the whole page for
    the missing management form."""

    def __init__(self, data=None, *args, prefix=None, **kwargs):
        prefix = prefix or self.get_default_prefix()
        if data is not None and f"{prefix}-{TOTAL_FORM_COUNT}" not in data:
            data = data.copy()
            data.update({f"{prefix}-{TOTAL_FORM_COUNT}": "0", f"{prefix}-{INITIAL_FORM_COUNT}": "0"})
        super().__init__(data, *args, prefix=prefix, **kwargs)


class ProgramFundingFormSet(NewRowsFormSet):
    """The pagu per funding source: when any row is entered, the rows add up to the program's budget
    (its whole pagu), so that the report by source and the program's total never disagree."""

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        rows = [
            form
            for form in self.forms
            if form.cleaned_data and form.cleaned_data.get("pagu") is not None and not self._should_delete_form(form)
        ]
        if not rows:
            return
        total = sum(form.cleaned_data["pagu"] for form in rows)
        budget = self.instance.budget
        if total != budget:
            raise ValidationError(
                _(
                    "The pagu per funding source adds up to %(total)s, but the program's budget is %(budget)s. "
                    "Make them equal, or remove the rows."
                )
                % {"total": rupiah(total), "budget": rupiah(budget)}
            )


# --- spending -------------------------------------------------------------------------------------


@dataclass
class SpendingEntry:
    """One entry to record: its package, the stored entry it corrects (None: a new one), its fields."""

    package: TrainingPackage
    fields: dict = field(default_factory=dict)
    entry: Expenditure | None = None


class _DryRun(Exception):
    """Raised to roll the checking savepoint back."""


def _error_dict(error: ValidationError) -> dict[str, list[str]]:
    if hasattr(error, "error_dict"):
        return error.message_dict
    return {NON_FIELD_ERRORS: error.messages}


def spending_errors(entries: list[SpendingEntry], *, pagu: dict[int, int] | None = None) -> list[dict]:
    """What spending_record says of each entry, by field ({} for an entry it takes), nothing kept.

    The entries are recorded in order inside a savepoint that is then rolled back, so that each is
    checked with the ones before it: two new entries that each fit the pagu but together go over it
    are refused as spending_record would refuse the second. `pagu` ({package pk: amount}) checks
    against a pagu typed on the same page and not saved yet (the savepoint writes it first).
    """
    errors: list[dict] = []
    try:
        with transaction.atomic():
            for pk, amount in (pagu or {}).items():
                # The BOP share stays within the pagu here (the database's check), whatever the typed pagu.
                TrainingPackage.objects.filter(pk=pk).update(budget=amount, support_cost=Least("support_cost", amount))
            for item in entries:
                try:
                    spending_record(
                        package=item.package,
                        by=None,
                        entry=copy.copy(item.entry) if item.entry is not None else None,
                        **item.fields,
                    )
                except ValidationError as error:
                    errors.append(_error_dict(error))
                else:
                    errors.append({})
            raise _DryRun
    except _DryRun:
        pass
    return errors


@transaction.atomic
def spending_record_all(entries: list[SpendingEntry], *, by) -> list[Expenditure]:
    """Record every entry through spending_record, all or none: a refusal undoes the ones before it."""
    return [spending_record(package=item.package, by=by, entry=item.entry, **item.fields) for item in entries]


class SpendingRefused(Exception):
    """spending_record refused at the save what it took at the check (another entry came in between).
    The admin rolls the whole page back and says so (programs/admin.py)."""

    def __init__(self, error: ValidationError):
        super().__init__(" ".join(error.messages))


class SpendingForm(forms.ModelForm):
    """A spending entry, checked by spending_record itself, so that its rules stand next to the fields.

    Used by the Expenditure admin (one entry, checked in clean) and by the package's inline (whose
    formset checks the new and changed rows together).
    """

    checks_alone = True

    class Meta:
        model = Expenditure
        fields = ["package", *SPENDING_FIELDS]
        widgets = {"spent_on": DATE_INPUT, "over_pagu_reason": forms.Textarea(attrs={"rows": 2, "cols": 28})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "kind" in self.fields:
            self.fields["kind"].choices = [("", CHOOSE), *Expenditure.Kind.choices]

    def clean_amount(self):
        amount = self.cleaned_data.get("amount")
        if amount is not None and amount <= 0:
            raise forms.ValidationError(_("The amount must be more than Rp0; write it like 3.000.000."))
        return amount

    def clean_document_number(self):
        return " ".join(self.cleaned_data["document_number"].split())

    def clean(self):
        cleaned = super().clean()
        if self.checks_alone and not self._errors:
            self.add_spending_errors(spending_errors([self.spending_entry()])[0])
        return cleaned

    def spending_entry(self) -> SpendingEntry:
        package = self.cleaned_data.get("package") or self.instance.package
        return SpendingEntry(
            package=package,
            fields={name: self.cleaned_data[name] for name in SPENDING_FIELDS if name in self.cleaned_data},
            entry=self.instance if self.instance.pk else None,
        )

    def add_spending_errors(self, errors: dict) -> None:
        for name, messages in errors.items():
            for message in messages:
                self.add_error(name if name in self.fields else None, message)

    def save_with_services(self, *, by) -> Expenditure:
        """Record the entry through spending_record (ValidationError if it refuses now)."""
        self.instance = spending_record_all([self.spending_entry()], by=by)[0]
        return self.instance


class SpendingInlineForm(SpendingForm):
    checks_alone = False  # SpendingInlineFormSet checks the rows together

    class Meta(SpendingForm.Meta):
        # Narrow inputs: a row of the package's inline fits beside its neighbours.
        widgets = {
            **SpendingForm.Meta.widgets,
            "amount": RupiahInput({"size": 12}),
            "document_number": forms.TextInput(attrs={"size": 16}),
            "description": forms.TextInput(attrs={"size": 20}),
            "over_pagu_reason": forms.Textarea(attrs={"rows": 2, "cols": 22}),
        }


class SpendingInlineFormSet(NewRowsFormSet):
    """A package's spending: the new and changed rows are checked together, in order, against the pagu
    typed on the page; saved through spending_record, all or none."""

    def changed_forms(self) -> list:
        return [form for form in self.forms if form.has_changed() and not self._should_delete_form(form)]

    def clean(self):
        super().clean()
        forms_ = [form for form in self.changed_forms() if not form.errors]
        if not forms_ or not self.instance.pk:
            return
        pagu = {self.instance.pk: self.instance.budget} if self.instance.budget is not None else {}
        for form, errors in zip(
            forms_, spending_errors([form.spending_entry() for form in forms_], pagu=pagu), strict=True
        ):
            form.add_spending_errors(errors)

    def save_with_services(self, *, by) -> None:
        """Record the changed rows (ValidationError, nothing kept, if spending_record refuses one now);
        the admin's history entry reads new_objects and changed_objects, as formset.save() sets them."""
        forms_ = self.changed_forms()
        saved = spending_record_all([form.spending_entry() for form in forms_], by=by)
        self.new_objects, self.changed_objects, self.deleted_objects = [], [], []
        for form, entry in zip(forms_, saved, strict=True):
            if form.instance.pk:
                self.changed_objects.append((entry, form.changed_data))
            else:
                self.new_objects.append(entry)
            form.instance = entry
