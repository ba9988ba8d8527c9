"""Enrollment forms of the back office: errors of the enrollment rules stand next to the fields."""

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _

from participants import lifecycle
from participants.lifecycle import Role
from participants.models import Enrollment
from participants.services import (
    CREATE_STATUSES,
    enrollment_change_status,
    enrollment_create,
    enrollment_record_results,
    enrollment_results_errors,
    enrollment_rule_errors,
)
from participants.services.enrollments import enrollment_override_reason_set, override_reason_errors
from participants.services.portal import RESULT_FIELDS


class EnrollmentForm(forms.ModelForm):
    """An enrollment checked against the lifecycle and the seat and entry rules, so errors stand next to the fields.

    The status offers only the changes the lifecycle allows dinas staff now; a change that needs a
    reason asks for it in `reason` (kept with the enrollment and in its history).
    """

    # Inline rows have no room for a reason: changes that need one are made on the enrollment's page.
    asks_reason = True

    reason = forms.CharField(
        label=_("Reason for the change of status"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Needed for a rejection and for changes after the fact (a completer set back, a change after "
            "the package is closed). Kept in the enrollment's history."
        ),
    )

    class Meta:
        model = Enrollment
        fields = [
            "participant",
            "package",
            "status",
            "reason",
            "override_reason",
            *RESULT_FIELDS,
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.notices: list[str] = []
        status = self.fields.get("status")
        if status is None:
            return
        source = self.instance.status if self.instance.pk else None
        when = lifecycle.timing(self.instance.package) if self.instance.package_id else lifecycle.Timing.BEFORE
        allowed = lifecycle.targets(source, Role.STAFF, when) if source else list(CREATE_STATUSES)
        if not self.asks_reason:
            allowed = [target for target in allowed if not lifecycle.reason_needed(source, target, when)]
        if source:
            allowed = [source, *allowed]
        else:
            status.initial = Enrollment.Status.ENROLLED
        status.choices = [(value, label) for value, label in Enrollment.Status.choices if value in allowed]
        status.error_messages["invalid_choice"] = _(
            "This change of status is not possible now. The list shows the changes that are."
        )

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
                override_reason=self.override_reason_written(),
                enrollment=existing,
                role=Role.STAFF,
                reason=cleaned.get("reason", ""),
            )
            self._add_errors(errors)
        elif "override_reason" in self.changed_data:
            self._add_errors(
                override_reason_errors(enrollment=existing, override_reason=cleaned.get("override_reason", ""))
            )
        if existing is not None and self.results_changed():
            self._add_errors(enrollment_results_errors(status=status, package=package, **self.results()))
        return cleaned

    def results_changed(self) -> bool:
        return bool(set(RESULT_FIELDS) & set(self.changed_data))

    def results(self) -> dict:
        """The end-of-training results as entered. A field this form does not show (the package's
        inline leaves out the LSP certificate), or one that failed its own check, counts with the
        value on record."""
        on_record = {name: getattr(self.instance, name) for name in RESULT_FIELDS}
        return {name: self.cleaned_data.get(name, on_record[name]) for name in RESULT_FIELDS}

    def override_reason_written(self) -> str:
        """The override reason written now. The field shows the reason on record, which covers only the
        rules it was written for: unchanged, it is no new reason."""
        if self.instance.pk and "override_reason" not in self.changed_data:
            return ""
        return self.cleaned_data.get("override_reason", "")

    def _add_errors(self, errors: dict[str, list[str]]):
        for field, messages in errors.items():
            if field == "reason" and not self.asks_reason:
                field, messages = "status", [_("Make this change on the enrollment's own page, with its reason.")]
            for message in messages:
                self.add_error(field if field in self.fields else None, message)

    def save_with_services(self, *, actor) -> Enrollment:
        """Create or change the enrollment through the services (which re-check the rules under locks).

        What the change set off (someone moved up from the waitlist, follow-ups that stop counting)
        is left in `notices` for the admin to show.
        """
        data = self.cleaned_data
        if self.instance.pk is None:
            enrollment = enrollment_create(
                participant=data["participant"],
                package=data.get("package") or self.instance.package,
                status=data["status"],
                override_reason=data.get("override_reason", ""),
                reason=data.get("reason", ""),
                actor=actor,
            )
        else:
            enrollment = self.instance
            if "status" in self.changed_data:
                change = enrollment_change_status(
                    enrollment=enrollment,
                    status=data["status"],
                    override_reason=self.override_reason_written(),
                    reason=data.get("reason", ""),
                    actor=actor,
                )
                enrollment = change.enrollment
                self.notices += change.notices
                if change.promoted is not None:
                    self.notices.append(
                        _("%(name)s moved up from the waitlist and is now enrolled. Let them know.")
                        % {"name": change.promoted.participant.full_name}
                    )
            elif "override_reason" in self.changed_data:
                enrollment = enrollment_override_reason_set(
                    enrollment=enrollment, override_reason=data["override_reason"], actor=actor
                )
            if self.results_changed():
                enrollment = enrollment_record_results(enrollment=enrollment, actor=actor, **self.results())
        self.instance = enrollment
        return enrollment


class EnrollmentInlineForm(EnrollmentForm):
    asks_reason = False


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
        refused, self.notices = [], []
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
            self.notices += form.notices
            if is_new:
                self.new_objects.append(enrollment)
            else:
                self.changed_objects.append((enrollment, form.changed_data))
        return refused
