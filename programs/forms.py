import datetime

from django import forms
from django.db.models import Max, Min
from django.forms.models import ModelChoiceIterator
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from pekalongan_training.forms import CHOOSE, DATE_INPUT
from programs.models import (
    ENTRY_RULE_FIELDS,
    WEEKDAY_CHOICES,
    CategoryRules,
    Cohort,
    Kelurahan,
    Program,
    Session,
    TrainingPackage,
)

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
        ]
        widgets = {"starts_on": DATE_INPUT, "ends_on": DATE_INPUT}

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
