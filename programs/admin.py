"""The staff's back office for programs, waves, providers, packages, meetings and the money spent.

participants/admin/enrollments.py extends the package admin with its enrollments, seats and
completion. Expenditure entries (the DBHCHT realisation) are checked and saved only through
programs.services.spending_record (programs/forms.py says how); when it refuses at the save what it
took at the check, the whole page is rolled back with a message (SpendingRefusedMixin). They are
corrected, never deleted: the realisation reported to the centre stays traceable.
"""

import re
from dataclasses import dataclass

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from pekalongan_training.formatting import percent, rupiah
from pekalongan_training.roles import OPERATOR_GROUP
from programs.admin_filters import (
    CohortFilter,
    FiscalYearFilter,
    PackageYearFilter,
    ProgramYearFilter,
    SessionYearFilter,
)
from programs.admin_input import SafeInputMixin
from programs.forms import (
    ALLOWANCE_FIELDS,
    PLAN_FIELDS,
    CategoryRulesForm,
    CohortForm,
    ProgramForm,
    ProgramFundingFormSet,
    ProviderForm,
    SessionAdminForm,
    SpendingForm,
    SpendingInlineForm,
    SpendingInlineFormSet,
    SpendingRefused,
    TrainingPackageForm,
    accreditation_warning,
)
from programs.models import (
    ENTRY_RULE_FIELDS,
    CategoryRules,
    Cohort,
    Expenditure,
    Kecamatan,
    Kelurahan,
    Program,
    ProgramFunding,
    Provider,
    Session,
    TrainingPackage,
    Vocation,
)
from programs.services import SPENDING_FIELDS, SessionGeneration, session_generate, spending_total
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
    form = ProviderForm
    list_display = [
        "name",
        "kind",
        "kelurahan",
        "accreditation",
        "contact_name",
        "phone",
        "operator_count",
        "is_active",
    ]
    list_filter = ["kind", "accreditation_grade", "is_active"]
    list_select_related = ["kelurahan"]
    search_fields = ["name", "license_number", "vin_lpk", "nib", "contact_name"]
    autocomplete_fields = ["kelurahan"]
    filter_horizontal = ["operators"]
    fieldsets = [
        (None, {"fields": ["name", "kind", "license_number", "is_active"]}),
        (
            _("Kemnaker references and accreditation"),
            {
                "fields": ["vin_lpk", "nib", "accreditation_grade", "accreditation_expires_on"],
                "description": _(
                    "An LPK must be accredited until the last day of its packages: a package planned past the "
                    "expiry date is warned about."
                ),
            },
        ),
        (_("Contact"), {"fields": ["contact_name", "phone", "email", "address", "kelurahan"]}),
        (_("Operators"), {"fields": ["operators"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(operator_count=Count("operators", distinct=True))

    @admin.display(description=_("operators"), ordering="operator_count")
    def operator_count(self, obj):
        return obj.operator_count

    @admin.display(description=_("accreditation"), ordering="accreditation_expires_on")
    def accreditation(self, obj):
        """ "B · until 30 June 2027"; a dash for none."""
        if not obj.accreditation_grade:
            return "–"
        if obj.accreditation_expires_on is None:
            return obj.accreditation_grade
        return _("%(grade)s · until %(date)s") % {
            "grade": obj.accreditation_grade,
            "date": date_format(obj.accreditation_expires_on),
        }

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "operators":
            kwargs["queryset"] = get_user_model().objects.filter(groups__name=OPERATOR_GROUP, is_active=True)
            kwargs["help_text"] = _('Accounts in the group "Provider operator". Create the account first.')
        return super().formfield_for_manytomany(db_field, request, **kwargs)


@admin.register(Vocation)
class VocationAdmin(SafeInputMixin, admin.ModelAdmin):
    list_display = ["name", "kejuruan_code", "package_count"]
    search_fields = ["name", "kejuruan_code"]
    fields = ["name", "kejuruan_code"]

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


class ProgramFundingInline(SafeInputMixin, admin.TabularInline):
    """The program's pagu per funding source; the rows add up to its budget (ProgramFundingFormSet)."""

    model = ProgramFunding
    formset = ProgramFundingFormSet
    extra = 0
    max_num = len(Program.FundingSource.choices)
    fields = ["funding_source", "pagu"]
    verbose_name = _("pagu from a funding source")
    verbose_name_plural = _("pagu per funding source (adding up to the budget)")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("program")


@admin.register(Program)
class ProgramAdmin(SafeInputMixin, admin.ModelAdmin):
    form = ProgramForm
    list_display = ["name", "year", "funding_source", "budget_display", "target_participants", "package_count"]
    list_filter = ["fiscal_year", "funding_source"]
    search_fields = ["name"]
    inlines = [ProgramFundingInline, CohortInline, CategoryRulesInline]
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


class SpendingRefusedMixin:
    """For the pages that save spending: when spending_record refuses at the save what it took at the
    check (another entry of the package came in between), nothing of the page is kept (the admin's
    transaction is rolled back) and the page opens again with the reason."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except SpendingRefused as refused:
            self.message_user(request, _("Nothing was saved: %(reason)s") % {"reason": refused}, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


class SpendingInline(SafeInputMixin, admin.TabularInline):
    """The package's spending entries: new rows and corrections, checked together against the pagu and
    saved through spending_record. Never deleted here (nor anywhere): a wrong entry is corrected."""

    model = Expenditure
    form = SpendingInlineForm
    formset = SpendingInlineFormSet
    extra = 1
    can_delete = False
    fields = [*SPENDING_FIELDS, "entered_by"]
    readonly_fields = ["entered_by"]
    verbose_name = _("spending entry")
    verbose_name_plural = _("spending (realisation)")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("package", "entered_by")

    def has_delete_permission(self, request, obj=None):
        return False


@dataclass(frozen=True)
class SpendingSummary:
    """What a package has spent of its pagu, for its page."""

    pagu: int
    spent: int

    @property
    def left(self) -> int:
        return self.pagu - self.spent

    @property
    def over(self) -> bool:
        return self.spent > self.pagu

    def as_text(self) -> dict[str, str]:
        return {
            "pagu": rupiah(self.pagu),
            "spent": rupiah(self.spent),
            "left": rupiah(abs(self.left)),
            "share": percent(100 * self.spent / self.pagu, 1) if self.pagu else "–",
        }


@admin.register(TrainingPackage)
class TrainingPackageAdmin(SpendingRefusedMixin, SafeInputMixin, SimpleHistoryAdmin):
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
            _("DBHCHT plan"),
            {
                "fields": PLAN_FIELDS,
                "description": _(
                    "Where the package sits in the budget (DPA) and what it is to deliver; the pagu is its budget "
                    "above. The realisation report counts spending against the pagu and completers against the "
                    "planned participants."
                ),
            },
        ),
        (
            _("Daily allowance"),
            {
                "fields": ALLOWANCE_FIELDS,
                "description": _("Paid per day counted from the attendance marks; 0 means no allowance."),
            },
        ),
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

    def get_inline_instances(self, request, obj=None):
        """The inlines of get_inlines (which participants' package admin names anew), then a saved
        package's spending, as Django would add it (shown read-only without the change right)."""
        inlines = super().get_inline_instances(request, obj)
        if obj is None or obj.pk is None or any(isinstance(inline, SpendingInline) for inline in inlines):
            return inlines
        spending = SpendingInline(self.model, self.admin_site)
        if request is not None:
            if not spending.has_view_or_change_permission(request, obj) and not spending.has_add_permission(
                request, obj
            ):
                return inlines
            if not spending.has_add_permission(request, obj):
                spending.max_num = 0
        return [*inlines, spending]

    def save_related(self, request, form, formsets, change):
        # The spending first: if spending_record refuses it now, the page is rolled back (SpendingRefusedMixin)
        # before any other inline saved or announced anything.
        for formset in formsets:
            if formset.model is Expenditure:
                self._save_spending(request, formset)
        super().save_related(
            request, form, [formset for formset in formsets if formset.model is not Expenditure], change
        )
        warning = accreditation_warning(form.instance)
        if warning:
            self.message_user(request, warning, messages.WARNING)

    def _save_spending(self, request, formset):
        try:
            formset.save_with_services(by=request.user)
        except ValidationError as error:
            raise SpendingRefused(error) from error

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        if formset.model is Session:
            for inline_form in formset.forms:
                if inline_form not in formset.deleted_forms and inline_form.has_changed():
                    _tell_if_moved(inline_form)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.pk:
            context["spending_summary"] = SpendingSummary(pagu=obj.budget, spent=spending_total(obj))
            context["spending_list_url"] = (
                reverse("admin:programs_expenditure_changelist") + "?" + urlencode({"package__id__exact": obj.pk})
            )
            context["accreditation_warning"] = accreditation_warning(obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    @admin.action(description=_("Generate meetings from the dates and meeting days"))
    def generate_sessions(self, request, queryset):
        for package in queryset:
            try:
                result = session_generate(package=package)
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), messages.ERROR)
                continue
            self.message_user(request, session_generation_message(package, result), messages.SUCCESS)


@admin.register(Expenditure)
class ExpenditureAdmin(SpendingRefusedMixin, SafeInputMixin, SimpleHistoryAdmin):
    """Expenditure entries on their own: entered and corrected through spending_record, never deleted
    (not even by a superuser), with their history. Imported from a file at intake:spending-import."""

    form = SpendingForm
    list_display = ["package", "spent_on", "kind", "amount_display", "document_number", "entered_by"]
    list_filter = [PackageYearFilter, "kind", "package__provider"]
    list_select_related = ["package", "entered_by"]
    search_fields = ["document_number", "package__code"]
    search_help_text = _("Search by document number or package code.")
    autocomplete_fields = ["package"]
    date_hierarchy = "spent_on"
    readonly_fields = ["entered_by", "entered_at"]

    def get_fields(self, request, obj=None):
        return ["package", *SPENDING_FIELDS, *self.readonly_fields]

    def get_readonly_fields(self, request, obj=None):
        # An entry stays with its package: an entry of another package is entered anew.
        return [*self.readonly_fields, "package"] if obj else self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("amount"), ordering="amount")
    def amount_display(self, obj):
        return rupiah(obj.amount)

    def save_model(self, request, obj, form, change):
        try:
            saved = form.save_with_services(by=request.user)
        except ValidationError as error:
            raise SpendingRefused(error) from error
        # The admin logs and links to `obj`: make it the row the service wrote.
        obj.pk, obj._state.adding = saved.pk, False


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
