"""The back office for enrollments: in a package (inlines, seats, completion actions) and on their own."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from participants.forms.enrollments import EnrollmentForm, EnrollmentInlineForm, EnrollmentInlineFormSet
from participants.models import Enrollment
from participants.selectors import with_seat_counts
from participants.services import completion_confirm, completion_propose
from programs.admin import SessionInline
from programs.admin import TrainingPackageAdmin as BaseTrainingPackageAdmin
from programs.admin_filters import FiscalYearFilter
from programs.models import TrainingPackage


class EnrollmentYearFilter(FiscalYearFilter):
    year_path = "package__cohort__program__fiscal_year"


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
    form = EnrollmentInlineForm
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
    form = EnrollmentInlineForm
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
            for notice in formset.notices:
                self.message_user(request, notice, messages.WARNING)
        else:
            super().save_formset(request, form, formset, change)

    @admin.action(description=_("Propose completion from attendance"))
    def propose_completions(self, request, queryset):
        total = 0
        for package in queryset:
            try:
                total += completion_propose(package=package)
            except ValidationError as error:  # a closed package: say so, and go on with the others
                self.message_user(request, " ".join(error.messages), messages.ERROR)
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
            _(
                "%(confirmed)s completions confirmed; %(skipped)s skipped: the package's last day has not come, "
                "the package is closed, or attendance no longer reaches the minimum."
            )
            % {"confirmed": confirmed, "skipped": skipped},
            messages.SUCCESS,
        )


@admin.register(Enrollment)
class EnrollmentAdmin(SimpleHistoryAdmin):
    """Enrollments on their own page. Never deleted: a deleted completer would leave the figures
    without a trace; the lifecycle's changes (withdrawn, rejected, dropped out) keep the record."""

    form = EnrollmentForm

    def has_delete_permission(self, request, obj=None):
        return False

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
            return ["participant", "package", "status", "reason", "override_reason"]
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
        for notice in form.notices:
            self.message_user(request, notice, messages.WARNING)
        # The admin logs and links to `obj`: make it the row the service wrote.
        obj.pk, obj._state.adding = saved.pk, False

    @admin.action(description=_("Confirm proposed completions"))
    def confirm_completions(self, request, queryset):
        confirmed, skipped = completion_confirm(enrollments=list(queryset.only("pk")), actor=request.user)
        self.message_user(
            request,
            _(
                "%(confirmed)s completions confirmed; %(skipped)s skipped: no proposal, the package's last day has "
                "not come, the package is closed, or attendance no longer reaches the minimum."
            )
            % {"confirmed": confirmed, "skipped": skipped},
            messages.SUCCESS,
        )
