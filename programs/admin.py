"""The staff's back office for programs, waves, providers, packages and meetings.

participants/admin.py extends the package admin with its enrollments, seats and completion.
"""

import re

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from pekalongan_training.formatting import rupiah
from pekalongan_training.roles import OPERATOR_GROUP
from programs.admin_filters import CohortFilter, FiscalYearFilter, ProgramYearFilter, SessionYearFilter
from programs.admin_input import SafeInputMixin
from programs.forms import CategoryRulesForm, CohortForm, ProgramForm, SessionAdminForm, TrainingPackageForm
from programs.models import (
    ENTRY_RULE_FIELDS,
    CategoryRules,
    Cohort,
    Kecamatan,
    Kelurahan,
    Program,
    Provider,
    Session,
    TrainingPackage,
    Vocation,
)
from programs.services import SessionGeneration, session_generate
from programs.signals import session_rescheduled


def session_generation_message(package: TrainingPackage, result: SessionGeneration) -> str:
    """What generating a package's meetings did, naming the holidays skipped (for every caller's message)."""
    message = _(
        "%(code)s: %(created)s meetings added, %(removed)s removed, %(kept)s kept because they have attendance."
    ) % {
        "code": package.code,
        "created": result.created,
        "removed": result.removed,
        "kept": result.kept_with_attendance,
    }
    if result.skipped:
        message += " " + _("Skipped for public holidays and cuti bersama: %(days)s.") % {
            "days": ", ".join(str(holiday) for holiday in result.skipped)
        }
    return message


@admin.register(Kecamatan)
class KecamatanAdmin(SafeInputMixin, admin.ModelAdmin):
    list_display = ["code", "name", "kelurahan_count"]
    search_fields = ["code", "name"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(kelurahan_count=Count("kelurahans"))

    @admin.display(description=_("kelurahan"), ordering="kelurahan_count")
    def kelurahan_count(self, obj):
        return obj.kelurahan_count


@admin.register(Kelurahan)
class KelurahanAdmin(SafeInputMixin, admin.ModelAdmin):
    list_display = ["code", "name", "kecamatan"]
    list_filter = ["kecamatan"]
    list_select_related = ["kecamatan"]
    search_fields = ["code", "name"]
    ordering = ["code"]


@admin.register(Provider)
class ProviderAdmin(SafeInputMixin, admin.ModelAdmin):
    list_display = ["name", "kind", "kelurahan", "contact_name", "phone", "operator_count", "is_active"]
    list_filter = ["kind", "is_active"]
    list_select_related = ["kelurahan"]
    search_fields = ["name", "license_number", "contact_name"]
    autocomplete_fields = ["kelurahan"]
    filter_horizontal = ["operators"]
    fieldsets = [
        (None, {"fields": ["name", "kind", "license_number", "is_active"]}),
        (_("Contact"), {"fields": ["contact_name", "phone", "email", "address", "kelurahan"]}),
        (_("Operators"), {"fields": ["operators"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(operator_count=Count("operators", distinct=True))

    @admin.display(description=_("operators"), ordering="operator_count")
    def operator_count(self, obj):
        return obj.operator_count

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "operators":
            kwargs["queryset"] = get_user_model().objects.filter(groups__name=OPERATOR_GROUP, is_active=True)
            kwargs["help_text"] = _('Accounts in the group "Provider operator". Create the account first.')
        return super().formfield_for_manytomany(db_field, request, **kwargs)


@admin.register(Vocation)
class VocationAdmin(SafeInputMixin, admin.ModelAdmin):
    list_display = ["name", "package_count"]
    search_fields = ["name"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(package_count=Count("packages"))

    @admin.display(description=_("packages"), ordering="package_count")
    def package_count(self, obj):
        return obj.package_count


class CohortInline(admin.TabularInline):
    model = Cohort
    form = CohortForm
    extra = 0
    fields = ["number", "registration_opens", "registration_closes", "starts_on", "ends_on"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("program")


class CategoryRulesInline(admin.StackedInline):
    """A program's entry rules changed for one package category (at most one row per category)."""

    model = CategoryRules
    form = CategoryRulesForm
    extra = 0
    max_num = len(TrainingPackage.Category.choices)
    verbose_name = _("entry rules for a package category")
    verbose_name_plural = _("entry rules per package category (where they differ from the program's)")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("program")


@admin.register(Program)
class ProgramAdmin(SafeInputMixin, admin.ModelAdmin):
    form = ProgramForm
    list_display = ["name", "year", "funding_source", "budget_display", "target_participants", "package_count"]
    list_filter = ["fiscal_year", "funding_source"]
    search_fields = ["name"]
    inlines = [CohortInline, CategoryRulesInline]
    readonly_fields = ["waves_and_packages"]
    fieldsets = [
        (None, {"fields": ["name", "fiscal_year", "funding_source", "budget", "target_participants"]}),
        (
            _("Entry rules"),
            {
                "fields": ENTRY_RULE_FIELDS,
                "description": _(
                    "Checked when people enroll, register online and are selected; staff may override a failed "
                    "rule with a written reason. A package category can have rules of its own (below)."
                ),
            },
        ),
    ]

    def get_queryset(self, request):
        # The count groups rows, which drops the model's ordering: the wave form's autocomplete needs it back.
        programs = super().get_queryset(request).annotate(package_count=Count("cohorts__packages"))
        return programs.order_by(*Program._meta.ordering)

    def get_fieldsets(self, request, obj=None):
        # A saved program's page opens with where it leads: its waves and their packages.
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:
            return fieldsets
        (name, options), *rest = fieldsets
        return [(name, {**options, "fields": ["waves_and_packages", *options["fields"]]}), *rest]

    @admin.display(description=_("waves and packages"))
    def waves_and_packages(self, obj):
        """Links to the program's waves and to each wave's packages, with their counts (one query)."""
        waves = list(obj.cohorts.select_related("program").annotate(package_total=Count("packages")).order_by("number"))
        wave_list = reverse("admin:programs_cohort_changelist") + "?" + urlencode({"program__id__exact": obj.pk})
        package_list = reverse("admin:programs_trainingpackage_changelist")
        heading = format_html(
            '<a href="{}">{}</a>',
            wave_list,
            ngettext("%(count)s wave", "%(count)s waves", len(waves)) % {"count": len(waves)},
        )
        rows = format_html_join(
            "",
            '<li><a href="{}">{}</a>: <a href="{}">{}</a></li>',
            (
                (
                    reverse("admin:programs_cohort_change", args=[wave.pk]),
                    str(wave),
                    f"{package_list}?{urlencode({'wave': wave.pk})}",
                    ngettext("%(count)s package", "%(count)s packages", wave.package_total)
                    % {"count": wave.package_total},
                )
                for wave in waves
            ),
        )
        return format_html('{}<ul class="related-counts">{}</ul>', heading, rows)

    @admin.display(description=_("fiscal year"), ordering="fiscal_year")
    def year(self, obj):
        return str(obj.fiscal_year)  # a year, not a number: 2023, never "2.023"

    @admin.display(description=_("budget"), ordering="budget")
    def budget_display(self, obj):
        return rupiah(obj.budget)

    @admin.display(description=_("packages"), ordering="package_count")
    def package_count(self, obj):
        return obj.package_count


def _period(first, last) -> str:
    """ "1 Agustus 2026 – 20 Agustus 2026", or a dash for a date not set."""
    return f"{date_format(first) if first else '–'} – {date_format(last) if last else '–'}"


# The words of a wave's label in both languages (Cohort.__str__: "Gelombang 2 / 2026", "Wave 2 / 2026").
LABEL_WORDS = {"gelombang", "gel", "gel.", "ke", "ke-", "wave"}


@admin.register(Cohort)
class CohortAdmin(SafeInputMixin, admin.ModelAdmin):
    list_display = ["__str__", "program", "registration", "training", "package_link"]
    list_filter = [ProgramYearFilter]
    list_select_related = ["program"]
    form = CohortForm
    search_fields = ["program__name"]  # the search itself is get_search_results
    search_help_text = _('Search by label ("Gelombang 2 / 2026", "2/2026"), year or program name.')
    autocomplete_fields = ["program"]

    def get_queryset(self, request):
        # Also the autocomplete's queryset, whose labels name the program year.
        # The count groups rows, which drops the model's ordering: the autocomplete needs it back.
        waves = super().get_queryset(request).select_related("program").annotate(package_total=Count("packages"))
        return waves.order_by(*Cohort._meta.ordering)

    @admin.display(description=_("registration"), ordering="registration_opens")
    def registration(self, obj):
        return _period(obj.registration_opens, obj.registration_closes)

    @admin.display(description=_("training"), ordering="starts_on")
    def training(self, obj):
        return _period(obj.starts_on, obj.ends_on)

    @admin.display(description=_("packages"), ordering="package_total")
    def package_link(self, obj):
        url = reverse("admin:programs_trainingpackage_changelist") + "?" + urlencode({"wave": obj.pk})
        return format_html('<a href="{}">{}</a>', url, obj.package_total)

    def get_search_results(self, request, queryset, search_term):
        """Waves by any part of their label "Gelombang 2 / 2026" ("Wave 2 / 2026"), or the program's name.

        Every word must match: "gelombang", "wave" (and "ke-") are the label's own words; a number
        of up to three digits is the wave's number, four digits the program year (or a part of the
        name: names carry the year); any other word a part of the program's name. So "2/2026",
        "Gelombang 2", "gelombang ke-2 2026" and "Pelatihan 2026" all find wave 2 of 2026. The
        package form's wave autocomplete searches the same way.
        """
        for word in re.findall(r"\d+|[^\s/\d]+", search_term.lower())[:12]:
            if word in LABEL_WORDS:
                continue
            if word.isascii() and word.isdigit() and len(word) <= 3:
                queryset = queryset.filter(number=int(word))
            elif word.isascii() and word.isdigit() and len(word) == 4:
                queryset = queryset.filter(Q(program__fiscal_year=int(word)) | Q(program__name__icontains=word))
            else:
                queryset = queryset.filter(program__name__icontains=word)
        return queryset, False


MOVED_FIELDS = ("date", "starts_at", "ends_at")


def _tell_if_moved(form) -> None:
    """A meeting that got another day or other hours in the admin is told to its people, as one moved
    in the portal (programs.services.session_move sends the same signal)."""
    if form.initial.get("date") is None:  # a new meeting: nobody was told of it yet
        return
    if not any(name in form.changed_data for name in MOVED_FIELDS):
        return
    old = {name: form.initial.get(name) for name in MOVED_FIELDS}
    session_rescheduled.send(
        sender=Session,
        session=form.instance,
        old_date=old["date"],
        old_starts_at=old["starts_at"],
        old_ends_at=old["ends_at"],
    )


class SessionInline(admin.TabularInline):
    model = Session
    form = SessionAdminForm
    extra = 0
    fields = ["date", "starts_at", "ends_at", "topic"]
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("package")


@admin.register(TrainingPackage)
class TrainingPackageAdmin(SafeInputMixin, SimpleHistoryAdmin):
    form = TrainingPackageForm
    # Few columns, so that the list fits the screen beside its filters; the rest is on the package's page.
    list_display = ["code", "title", "provider", "cohort", "status", "starts_on"]
    list_filter = [FiscalYearFilter, CohortFilter, "category", "provider", "vocation", "status"]
    list_select_related = ["provider", "vocation", "cohort__program"]
    search_fields = ["code", "title", "provider__name", "vocation__name"]
    autocomplete_fields = ["vocation", "cohort", "provider", "venue_kelurahan"]
    date_hierarchy = "starts_on"
    actions = ["generate_sessions"]
    fieldsets = [
        (None, {"fields": ["code", "title", "vocation", "cohort", "provider", "category", "status"]}),
        (_("Place and size"), {"fields": ["venue_kelurahan", "venue_address", "quota", "hours", "budget"]}),
        (
            _("Schedule"),
            {"fields": ["starts_on", "ends_on", "meeting_weekdays", "session_starts_at", "session_ends_at"]},
        ),
        (_("Completion"), {"fields": ["min_attendance_percent"]}),
        (
            _("Selection"),
            {
                "fields": [
                    "application_limit",
                    "test_weight",
                    "interview_weight",
                    "selection_decided_at",
                    "selection_decided_by",
                    "announcement_published_at",
                ]
            },
        ),
    ]
    readonly_fields = ["selection_decided_at", "selection_decided_by", "announcement_published_at"]

    def get_inlines(self, request, obj):
        return [SessionInline]

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        if formset.model is Session:
            for inline_form in formset.forms:
                if inline_form not in formset.deleted_forms and inline_form.has_changed():
                    _tell_if_moved(inline_form)

    @admin.action(description=_("Generate meetings from the dates and meeting days"))
    def generate_sessions(self, request, queryset):
        for package in queryset:
            try:
                result = session_generate(package=package)
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), messages.ERROR)
                continue
            self.message_user(request, session_generation_message(package, result), messages.SUCCESS)


@admin.register(Session)
class SessionAdmin(SafeInputMixin, admin.ModelAdmin):
    form = SessionAdminForm
    list_display = ["package", "date", "starts_at", "ends_at", "topic", "mark_count"]
    list_filter = [SessionYearFilter, "package__category"]
    list_select_related = ["package"]
    search_fields = ["package__code", "package__title", "topic"]
    autocomplete_fields = ["package"]
    date_hierarchy = "date"

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change:
            _tell_if_moved(form)

    def get_queryset(self, request):
        # Also the autocomplete's queryset, whose labels name the package.
        return super().get_queryset(request).select_related("package").annotate(mark_count=Count("attendances"))

    @admin.display(description=_("marks"), ordering="mark_count")
    def mark_count(self, obj):
        return obj.mark_count


# Operator accounts, which dinas staff give to providers, are in a module of their own.
from programs import admin_accounts  # noqa: E402, F401
