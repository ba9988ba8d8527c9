"""The staff's back office for participants, enrollments, attendance and follow-ups."""

import csv
import io

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import smart_split, unescape_string_literal
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from participants.forms.enrollments import EnrollmentForm, EnrollmentInlineFormSet
from participants.forms.followups import OutcomeAdminForm
from participants.forms.intake import ParticipantForm
from participants.forms.portal import AttendanceAdminForm
from participants.models import Attendance, Enrollment, Outcome, Participant, PersonalDataExport
from participants.nik import normalize_nik
from participants.selectors import with_seat_counts
from participants.services import attendance_record, completion_confirm, completion_propose, participant_anonymise
from pekalongan_training.formatting import rupiah, spreadsheet_safe
from programs.admin import SessionInline
from programs.admin import TrainingPackageAdmin as BaseTrainingPackageAdmin
from programs.admin_filters import FiscalYearFilter
from programs.models import TrainingPackage


class EnrollmentYearFilter(FiscalYearFilter):
    year_path = "package__cohort__program__fiscal_year"


class AttendanceYearFilter(FiscalYearFilter):
    year_path = "session__package__cohort__program__fiscal_year"


class OutcomeYearFilter(FiscalYearFilter):
    year_path = "enrollment__package__cohort__program__fiscal_year"


class CompletionProposedFilter(admin.SimpleListFilter):
    title = _("completion proposed")
    parameter_name = "proposed"

    def lookups(self, request, model_admin):
        return [("yes", _("Proposed, waiting for confirmation"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.completion_proposed()
        return queryset


class EnrollmentInline(admin.TabularInline):
    """The package's enrollments: status and results; status changes go through the enrollment rules.

    The person is shown read-only here (one query for all rows); new people are added in
    NewEnrollmentInline below, each through enrollment_create.
    """

    model = Enrollment
    form = EnrollmentForm
    formset = EnrollmentInlineFormSet
    extra = 0
    can_delete = False
    fields = ["participant", "status", "override_reason", "assessment", "certificate_number", "competency"]
    readonly_fields = ["participant"]
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("participant", "package")


class NewEnrollmentInline(admin.TabularInline):
    """Empty rows to add people to the package, checked against the seats and the yearly rule."""

    model = Enrollment
    form = EnrollmentForm
    formset = EnrollmentInlineFormSet
    extra = 1
    can_delete = False
    fields = ["participant", "status", "override_reason"]
    autocomplete_fields = ["participant"]
    verbose_name = _("new enrollment")
    verbose_name_plural = _("add participants")

    def get_queryset(self, request):
        return super().get_queryset(request).none()

    def has_change_permission(self, request, obj=None):
        return False


class ParticipantEnrollmentInline(admin.TabularInline):
    """A person's training history, read-only; enroll from the package or the enrollment page."""

    model = Enrollment
    fk_name = "participant"
    extra = 0
    can_delete = False
    fields = ["package", "status", "enrolled_on", "completed_on", "assessment", "competency"]
    readonly_fields = fields
    show_change_link = True
    verbose_name_plural = _("training history")

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("package", "participant")


admin.site.unregister(TrainingPackage)


@admin.register(TrainingPackage)
class TrainingPackageAdmin(BaseTrainingPackageAdmin):
    """The package admin of programs/, with the people in the package: seats, enrollments, completion."""

    list_display = [*BaseTrainingPackageAdmin.list_display, "seats_used", "seats_left", "enrollment_link"]
    actions = [*BaseTrainingPackageAdmin.actions, "propose_completions", "confirm_completions"]

    def get_queryset(self, request):
        return with_seat_counts(super().get_queryset(request))

    def get_inlines(self, request, obj):
        # Enrollments go through the enrollment rules, which need a saved package.
        return [SessionInline, EnrollmentInline, NewEnrollmentInline] if obj is not None else [SessionInline]

    @admin.display(description=_("seats used"), ordering="seats_used")
    def seats_used(self, obj):
        return obj.seats_used

    @admin.display(description=_("seats left"), ordering="seats_left")
    def seats_left(self, obj):
        return obj.seats_left

    @admin.display(description=_("enrollment"))
    def enrollment_link(self, obj):
        return format_html('<a href="{}">{}</a>', reverse("intake:package-enrollment", args=[obj.pk]), _("manage"))

    def save_formset(self, request, form, formset, change):
        if formset.model is Enrollment:
            for form_error in formset.save_with_services(actor=request.user):
                self.message_user(request, form_error, messages.ERROR)
        else:
            super().save_formset(request, form, formset, change)

    @admin.action(description=_("Propose completion from attendance"))
    def propose_completions(self, request, queryset):
        total = sum(completion_propose(package=package) for package in queryset)
        self.message_user(
            request,
            ngettext(
                "%(count)s participant reached the minimum attendance and is proposed for completion.",
                "%(count)s participants reached the minimum attendance and are proposed for completion.",
                total,
            )
            % {"count": total},
            messages.SUCCESS,
        )

    @admin.action(description=_("Confirm proposed completions"))
    def confirm_completions(self, request, queryset):
        proposed = Enrollment.objects.filter(package__in=queryset).completion_proposed()
        confirmed, skipped = completion_confirm(enrollments=list(proposed), actor=request.user)
        self.message_user(
            request,
            _("%(confirmed)s completions confirmed; %(skipped)s skipped because the package has not ended.")
            % {"confirmed": confirmed, "skipped": skipped},
            messages.SUCCESS,
        )


@admin.register(Participant)
class ParticipantAdmin(SimpleHistoryAdmin):
    """People. No delete (a deleted person would live on, whole, in the history): anonymise instead."""

    form = ParticipantForm
    list_display = ["full_name", "nik", "sex", "birth_date", "kelurahan", "education", "beneficiary_group", "phone"]
    list_filter = ["kelurahan", "kelurahan__kecamatan", "sex", "education", "beneficiary_group", "has_disability"]
    list_select_related = ["kelurahan"]
    search_fields = ["^nik", "full_name"]
    search_help_text = _("Search by NIK (or its first digits) or by name.")
    autocomplete_fields = ["kelurahan"]
    inlines = [ParticipantEnrollmentInline]
    readonly_fields = ["created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["nik", "full_name", "sex", "birth_place", "birth_date"]}),
        (_("Contact and domicile"), {"fields": ["phone", "address", "kelurahan"]}),
        (
            _("Intake"),
            {
                "fields": [
                    "education",
                    "vocational_school",
                    "employment_status_at_intake",
                    "beneficiary_group",
                    "ak1_number",
                    "has_disability",
                ]
            },
        ),
        (_("Record"), {"fields": ["created_at", "updated_at"]}),
    ]

    actions = ["export_csv", "anonymise"]

    @admin.action(description=_("Download as CSV with full NIKs (the export is logged)"))
    def export_csv(self, request, queryset):
        people = queryset.select_related("kelurahan").order_by("full_name")
        filters = request.GET.urlencode() or _("no filter")
        ids = ", ".join(str(pk) for pk in people.values_list("pk", flat=True)[:200])
        PersonalDataExport.objects.create(
            user=request.user,
            description=_("Participants, admin selection; filters: %(filters)s; participant ids: %(ids)s")
            % {"filters": filters, "ids": ids + (" …" if len(people) > 200 else "")},
            row_count=len(people),
        )
        buffer = io.StringIO()
        buffer.write("\ufeff")
        writer = csv.writer(buffer, delimiter=";")
        writer.writerow([_("NIK"), _("full name"), _("sex"), _("date of birth"), _("phone / WhatsApp"), _("kelurahan")])
        for person in people:
            writer.writerow(
                [
                    spreadsheet_safe(value)
                    for value in (
                        person.nik,
                        person.full_name,
                        person.get_sex_display(),
                        person.birth_date.isoformat(),
                        person.phone,
                        person.kelurahan.name if person.kelurahan else "",
                    )
                ]
            )
        response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="peserta-nik-lengkap.csv"'
        return response

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        for warning in form.warnings:
            self.message_user(request, warning, messages.WARNING)

    def has_delete_permission(self, request, obj=None):
        return False

    def get_search_results(self, request, queryset, search_term):
        """A NIK (or its first digits) is looked up on the NIK's own index; anything else by name.

        Otherwise every word must match: digits the start of the NIK, anything else a part of the
        name, in any case ("siti 3375" finds the Sitis whose NIK starts 3375). On PostgreSQL a
        trigram index serves the name (migration 0012); not OR-ing a NIK test into each word is
        what lets the index be used.
        """
        term = normalize_nik(search_term)
        if len(term) == 16 and term.isascii() and term.isdigit():
            return queryset.filter(nik=term), False
        for word in smart_split(search_term):
            if word[0] in "\"'" and word[0] == word[-1] and len(word) > 1:
                word = unescape_string_literal(word)  # "Siti Aminah" in quotes: one phrase
            digits = normalize_nik(word)
            if digits and digits.isascii() and digits.isdigit():
                queryset = queryset.filter(nik__startswith=digits)
            elif word:
                queryset = queryset.filter(full_name__icontains=word)
        return queryset, False

    @admin.action(description=_("Anonymise on the person's request (cannot be undone)"))
    def anonymise(self, request, queryset):
        for participant in queryset:
            try:
                participant_anonymise(participant=participant, actor=request.user)
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), messages.ERROR)
                return
        self.message_user(
            request,
            _("%(count)s participants anonymised; their enrollments and outcomes stay in the figures.")
            % {"count": len(queryset)},
            messages.SUCCESS,
        )


@admin.register(Enrollment)
class EnrollmentAdmin(SimpleHistoryAdmin):
    form = EnrollmentForm
    list_display = [
        "participant",
        "package",
        "status",
        "enrolled_on",
        "completed_on",
        "is_completion_proposed",
        "assessment",
        "competency",
    ]
    list_filter = [
        EnrollmentYearFilter,
        "status",
        CompletionProposedFilter,
        "package__category",
        "assessment",
        "competency",
    ]
    list_select_related = ["participant", "package"]
    search_fields = ["=participant__nik", "participant__full_name", "package__code"]
    search_help_text = _("Search by NIK, name or package code.")
    autocomplete_fields = ["participant", "package"]
    readonly_fields = [
        "enrolled_on",
        "completed_on",
        "completion_proposed_at",
        "completion_confirmed_by",
        "created_by",
        "created_at",
    ]
    actions = ["confirm_completions"]

    def get_queryset(self, request):
        # Also the autocomplete's queryset, whose labels name the person and the package.
        return super().get_queryset(request).select_related("participant", "package")

    def get_fields(self, request, obj=None):
        if obj is None:  # results come at the end of training, not at enrollment
            return ["participant", "package", "status", "override_reason"]
        return [*EnrollmentForm.Meta.fields, *self.readonly_fields]

    def get_readonly_fields(self, request, obj=None):
        # A person or package is never swapped on an enrollment: enroll anew instead.
        return [*self.readonly_fields, "participant", "package"] if obj else self.readonly_fields

    @admin.display(description=_("completion proposed"), boolean=True)
    def is_completion_proposed(self, obj):
        return obj.status == Enrollment.Status.ENROLLED and obj.completion_proposed_at is not None

    def save_model(self, request, obj, form, change):
        try:
            saved = form.save_with_services(actor=request.user)
        except ValidationError as error:  # another request took the seat in between the form and the save
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return
        # The admin logs and links to `obj`: make it the row the service wrote.
        obj.pk, obj._state.adding = saved.pk, False

    @admin.action(description=_("Confirm proposed completions"))
    def confirm_completions(self, request, queryset):
        confirmed, skipped = completion_confirm(enrollments=list(queryset.only("pk")), actor=request.user)
        self.message_user(
            request,
            _("%(confirmed)s completions confirmed; %(skipped)s skipped (no proposal, or the package has not ended).")
            % {"confirmed": confirmed, "skipped": skipped},
            messages.SUCCESS,
        )


@admin.register(Attendance)
class AttendanceAdmin(SimpleHistoryAdmin):
    """Marks, with their history ("Riwayat"): who changed which mark, when. A mark is corrected,
    never deleted (the attendance summaries and the audit trail rely on it)."""

    def has_delete_permission(self, request, obj=None):
        return False

    form = AttendanceAdminForm
    list_display = ["participant_name", "package_code", "session_date", "status", "remark", "marked_by", "marked_at"]
    list_filter = [AttendanceYearFilter, "status", "session__package__category"]
    list_select_related = ["enrollment__participant", "session__package", "marked_by"]
    search_fields = ["=enrollment__participant__nik", "enrollment__participant__full_name", "session__package__code"]
    autocomplete_fields = ["enrollment", "session"]
    readonly_fields = ["marked_by", "marked_at"]

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
class OutcomeAdmin(SimpleHistoryAdmin):
    form = OutcomeAdminForm
    list_display = ["enrollment", "round", "status", "recorded_on", "related_to_training", "income", "recorded_by"]
    list_filter = [OutcomeYearFilter, "round", "status", "related_to_training"]
    list_select_related = ["enrollment__participant", "enrollment__package", "recorded_by"]
    search_fields = ["=enrollment__participant__nik", "enrollment__participant__full_name", "enrollment__package__code"]
    autocomplete_fields = ["enrollment"]
    readonly_fields = ["recorded_by"]

    @admin.display(description=_("monthly income"), ordering="monthly_income")
    def income(self, obj):
        return rupiah(obj.monthly_income) if obj.monthly_income is not None else "–"

    def get_changeform_initial_data(self, request):
        return {"recorded_on": timezone.localdate(), **super().get_changeform_initial_data(request)}

    def save_model(self, request, obj, form, change):
        obj.recorded_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(PersonalDataExport)
class PersonalDataExportAdmin(admin.ModelAdmin):
    """Read-only: the log of exports with full NIKs (UU 27/2022 accountability)."""

    list_display = ["created_at", "user", "description", "row_count"]
    list_select_related = ["user"]
    list_filter = ["user"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
