"""The back office for enrollments: in a package (inlines, seats, completion actions) and on their own."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import IS_POPUP_VAR
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.shortcuts import get_object_or_404, redirect
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST
from simple_history.admin import SimpleHistoryAdmin

from participants import worklist
from participants.eligibility import RULE_NAMES
from participants.forms.enrollments import EnrollmentForm, EnrollmentInlineForm, EnrollmentInlineFormSet
from participants.models import Enrollment
from participants.selectors import with_seat_counts
from participants.services import completion_confirm, completion_propose
from programs.admin import SessionInline
from programs.admin import TrainingPackageAdmin as BaseTrainingPackageAdmin
from programs.admin_filters import FiscalYearFilter
from programs.admin_input import SafeInputMixin
from programs.models import TrainingPackage


class EnrollmentYearFilter(FiscalYearFilter):
    year_path = "package__cohort__program__fiscal_year"


class CompletionProposedFilter(admin.SimpleListFilter):
    title = _("completion proposed")
    parameter_name = "proposed"

    def lookups(self, request, model_admin):
        return [
            ("yes", _("Proposed, waiting for confirmation")),
            ("ready", _("Ready to confirm: the package's last day has come")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.completion_proposed()
        if self.value() == "ready":
            return worklist.completions_to_confirm(queryset, timezone.localdate())
        return queryset


class PackageWorkFilter(admin.SimpleListFilter):
    """Packages with work waiting, as the admin index counts it (participants/worklist.py)."""

    title = _("work waiting")
    parameter_name = "work"

    def lookups(self, request, model_admin):
        return [
            ("applicants", _("Applicants waiting for a decision")),
            ("completions", _("Completions to confirm")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "applicants":
            return queryset.filter(pk__in=worklist.applicants_waiting(Enrollment.objects.all()).values("package"))
        if self.value() == "completions":
            waiting = worklist.completions_to_confirm(Enrollment.objects.all(), timezone.localdate())
            return queryset.filter(pk__in=waiting.values("package"))
        return queryset


# Inline rows are narrow: a reason is a short text there, not Django's full-width text area.
NARROW_TEXT = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 28})}}


class EnrollmentInline(admin.TabularInline):
    """The package's enrollments: status and results; status changes go through the enrollment rules.

    The person is shown read-only here (one query for all rows); new people are added in
    NewEnrollmentInline below, each through enrollment_create. The LSP's certificate (scheme,
    number, valid until) is entered on the enrollment's own page: a row keeps the values on record.
    """

    model = Enrollment
    form = EnrollmentInlineForm
    formset = EnrollmentInlineFormSet
    extra = 0
    can_delete = False
    fields = ["participant", "status", "override_reason", "assessment", "certificate_number", "competency"]
    readonly_fields = ["participant"]
    show_change_link = True
    formfield_overrides = NARROW_TEXT

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("participant", "package")


class NewEnrollmentInline(SafeInputMixin, admin.TabularInline):
    """Empty rows to add people to the package, checked against the seats and the yearly rule."""

    model = Enrollment
    form = EnrollmentInlineForm
    formset = EnrollmentInlineFormSet
    extra = 1
    can_delete = False
    fields = ["participant", "status", "override_reason"]
    autocomplete_fields = ["participant"]
    formfield_overrides = NARROW_TEXT
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

    list_display = [*BaseTrainingPackageAdmin.list_display, "seats"]
    list_filter = [PackageWorkFilter, *BaseTrainingPackageAdmin.list_filter]
    actions = [*BaseTrainingPackageAdmin.actions, "propose_completions", "confirm_completions"]

    def get_queryset(self, request):
        # The seat counts group rows, which drops the model's ordering: the autocompletes need it back.
        return with_seat_counts(super().get_queryset(request)).order_by(*TrainingPackage._meta.ordering)

    def get_inlines(self, request, obj):
        # Enrollments go through the enrollment rules, which need a saved package.
        return [SessionInline, EnrollmentInline, NewEnrollmentInline] if obj is not None else [SessionInline]

    @admin.display(description=_("seats used"), ordering="seats_used")
    def seats(self, obj):
        return f"{obj.seats_used} / {obj.quota}"

    def get_urls(self):
        # Before the admin's own: its "<object_id>/" catch-all would take these addresses.
        steps = [
            ("generate-meetings", self.generate_meetings_view, "generate_meetings"),
            ("propose-completion", self.propose_completion_view, "propose_completion"),
            ("confirm-completion", self.confirm_completion_view, "confirm_completion"),
        ]
        return [
            path(
                f"<id:pk>/{route}/",
                self.admin_site.admin_view(require_POST(view)),
                name=f"programs_trainingpackage_{name}",
            )
            for route, view, name in steps
        ] + super().get_urls()

    def _run_step(self, request, pk, action):
        """A next step of the change page: the list's action on this one package, then back to its page."""
        package = get_object_or_404(TrainingPackage, pk=pk)
        if not self.has_change_permission(request, package):
            raise PermissionDenied
        action(request, TrainingPackage.objects.filter(pk=package.pk))
        return redirect("admin:programs_trainingpackage_change", package.pk)

    def generate_meetings_view(self, request, pk):
        # The list's action: session_generate, and its message about meetings added, removed and skipped.
        return self._run_step(request, pk, self.generate_sessions)

    def propose_completion_view(self, request, pk):
        return self._run_step(request, pk, self.propose_completions)

    def confirm_completion_view(self, request, pk):
        return self._run_step(request, pk, self.confirm_completions)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.pk:
            context["next_steps"] = worklist.package_steps(obj, timezone.localdate())
        return super().render_change_form(request, context, add, change, form_url, obj)

    def response_add(self, request, obj, post_url_continue=None):
        """A new package opens on its own page, where its next steps are, not back on the list."""
        response = super().response_add(request, obj, post_url_continue)
        elsewhere = ("_continue", "_addanother", "_saveasnew", IS_POPUP_VAR)  # buttons that say where to go
        if response.status_code == 302 and not any(key in request.POST for key in elsewhere):
            self.message_user(
                request, _("Next: generate its meetings, then enroll people (the buttons below)."), messages.INFO
            )
            return redirect("admin:programs_trainingpackage_change", obj.pk)
        return response

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
class EnrollmentAdmin(SafeInputMixin, SimpleHistoryAdmin):
    """Enrollments on their own page. Never deleted: a deleted completer would leave the figures
    without a trace; the lifecycle's changes (withdrawn, rejected, dropped out) keep the record."""

    form = EnrollmentForm

    def has_delete_permission(self, request, obj=None):
        return False

    # Results (assessment, competency) are filters and on the enrollment's page: the list fits the screen.
    list_display = ["participant", "package", "status", "enrolled_on", "completed_on", "is_completion_proposed"]
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
        "rules_overridden",
    ]
    actions = ["confirm_completions"]

    def get_queryset(self, request):
        # Also the autocomplete's queryset, whose labels name the person (with their kelurahan) and the package.
        return super().get_queryset(request).select_related("participant__kelurahan", "package")

    def get_fields(self, request, obj=None):
        if obj is None:  # results come at the end of training, not at enrollment
            return ["participant", "package", "status", "reason", "override_reason"]
        return [*EnrollmentForm.Meta.fields, *self.readonly_fields]

    def get_readonly_fields(self, request, obj=None):
        # A person or package is never swapped on an enrollment: enroll anew instead.
        return [*self.readonly_fields, "participant", "package"] if obj else self.readonly_fields

    @admin.display(description=_("rules the override reason covers"))
    def rules_overridden(self, obj):
        """What the override reason was written for: a rule failing that is not named here needs a new reason."""
        if not obj.override_reason:
            return "–"
        if not obj.overridden_rules:
            return _("every rule (written before the rules were recorded one by one)")
        return ", ".join(str(RULE_NAMES.get(code, code)) for code in obj.overridden_rules)

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
        people = list(queryset.select_related(None).only("pk"))  # only() cannot keep the list's joins
        confirmed, skipped = completion_confirm(enrollments=people, actor=request.user)
        self.message_user(
            request,
            _(
                "%(confirmed)s completions confirmed; %(skipped)s skipped: no proposal, the package's last day has "
                "not come, the package is closed, or attendance no longer reaches the minimum."
            )
            % {"confirmed": confirmed, "skipped": skipped},
            messages.SUCCESS,
        )
