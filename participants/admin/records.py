"""The back office for attendance marks and follow-up answers."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from participants.forms.followups import OutcomeAdminForm
from participants.forms.portal import AttendanceAdminForm
from participants.models import Attendance, Outcome
from participants.services import attendance_record
from participants.services.followups import outcome_clear_unasked
from pekalongan_training.formatting import rupiah
from programs.admin_filters import FiscalYearFilter
from programs.admin_input import SafeInputMixin


class AttendanceYearFilter(FiscalYearFilter):
    year_path = "session__package__cohort__program__fiscal_year"


class OutcomeYearFilter(FiscalYearFilter):
    year_path = "enrollment__package__cohort__program__fiscal_year"


class AttendanceChangeForm(AttendanceAdminForm):
    """On a stored mark the person and the meeting are read-only, not fields of the form: a reason
    about them (a closed package, a meeting not yet held) stands next to the status instead."""

    def add_error(self, field, error):
        if field is not None and field not in self.fields:
            field = "status"
        super().add_error(field, error)


@admin.register(Attendance)
class AttendanceAdmin(SafeInputMixin, SimpleHistoryAdmin):
    """Marks, with their history ("Riwayat"): who changed which mark, when. A mark is corrected,
    never deleted (the attendance summaries and the audit trail rely on it)."""

    def has_delete_permission(self, request, obj=None):
        return False

    form = AttendanceChangeForm
    list_display = ["participant_name", "package_code", "session_date", "status", "remark", "marked_by", "marked_at"]
    list_filter = [AttendanceYearFilter, "status", "session__package__category"]
    list_select_related = ["enrollment__participant", "session__package", "marked_by"]
    search_fields = ["=enrollment__participant__nik", "enrollment__participant__full_name", "session__package__code"]
    autocomplete_fields = ["enrollment", "session"]
    readonly_fields = ["marked_by", "marked_at"]
    ordering = ["-marked_at"]  # on the marks table itself (and its index): no join to the meetings
    show_full_result_count = False  # a second count of millions of marks under a search or filter

    @admin.display(description=_("participant"), ordering="enrollment__participant__full_name")
    def participant_name(self, obj):
        return obj.enrollment.participant.full_name

    @admin.display(description=_("package"), ordering="session__package__code")
    def package_code(self, obj):
        return obj.session.package.code

    @admin.display(description=_("date"), ordering="session__date")
    def session_date(self, obj):
        return obj.session.date

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        try:
            saved = attendance_record(
                session=data.get("session") or obj.session,
                enrollment=data.get("enrollment") or obj.enrollment,
                status=data["status"],
                remark=data.get("remark", ""),
                actor=request.user,
            )
        except ValidationError as error:  # another request closed the package in between
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return
        obj.pk, obj._state.adding = saved.pk, False

    def get_readonly_fields(self, request, obj=None):
        # A mark stays with its person and meeting; change its status, or mark anew.
        return [*self.readonly_fields, "enrollment", "session"] if obj else self.readonly_fields


@admin.register(Outcome)
class OutcomeAdmin(SafeInputMixin, SimpleHistoryAdmin):
    form = OutcomeAdminForm
    list_display = ["enrollment", "round", "status", "recorded_on", "related_to_training", "income"]
    list_filter = [OutcomeYearFilter, "round", "status", "source", "related_to_training"]
    list_select_related = ["enrollment__participant", "enrollment__package", "recorded_by"]
    search_fields = ["=enrollment__participant__nik", "enrollment__participant__full_name", "enrollment__package__code"]
    autocomplete_fields = ["enrollment"]
    readonly_fields = ["source", "recorded_by", "verified_at", "verified_by"]

    @admin.display(description=_("monthly income"), ordering="monthly_income")
    def income(self, obj):
        return rupiah(obj.monthly_income) if obj.monthly_income is not None else "–"

    def get_changeform_initial_data(self, request):
        return {"recorded_on": timezone.localdate(), **super().get_changeform_initial_data(request)}

    def save_model(self, request, obj, form, change):
        outcome_clear_unasked(obj)
        if obj.source == Outcome.Source.SELF_REPORTED:
            # A correction of the alumnus's own answer: it stays theirs, verified by this user.
            obj.verified_at, obj.verified_by = timezone.now(), request.user
        else:
            obj.recorded_by = request.user
        super().save_model(request, obj, form, change)
