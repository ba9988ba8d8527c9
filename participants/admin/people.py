"""The back office for people: search, export with full NIKs (logged), anonymisation on request."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from participants.admin.enrollments import ParticipantEnrollmentInline
from participants.forms.intake import ParticipantForm
from participants.models import Participant, PersonalDataExport
from participants.search import participant_search
from participants.services import participant_anonymise
from pekalongan_training.spreadsheets import Text, csv_response
from programs.admin_input import SafeInputMixin


@admin.register(Participant)
class ParticipantAdmin(SafeInputMixin, SimpleHistoryAdmin):
    """People. No delete (a deleted person would live on, whole, in the history): anonymise instead."""

    form = ParticipantForm
    # Who the person is, to tell two of the same name apart; the rest are filters and on the person's page.
    list_display = ["full_name", "nik", "birth_date", "kelurahan", "phone"]
    list_filter = ["kelurahan", "kelurahan__kecamatan", "sex", "education", "beneficiary_group", "has_disability"]
    list_select_related = ["kelurahan"]
    search_fields = ["^nik", "full_name"]
    search_help_text = _("Search by NIK (or its first digits) or by name.")
    inlines = [ParticipantEnrollmentInline]
    readonly_fields = ["created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["nik", "full_name", "sex", "birth_place", "birth_date"]}),
        (_("Contact and domicile"), {"fields": ["phone", "address", "kelurahan", "kk_number"]}),
        (
            _("Intake"),
            {
                "fields": [
                    "education",
                    "vocational_school",
                    "employment_status_at_intake",
                    "employer_name",
                    "beneficiary_group",
                    "ak1_number",
                    "ak1_issued_on",
                    "has_disability",
                ]
            },
        ),
        (_("Record"), {"fields": ["created_at", "updated_at"]}),
    ]

    actions = ["export_csv", "anonymise"]

    def changelist_view(self, request, extra_context=None):
        """The list shows full NIKs: every page viewed is logged like an export (who, filters, how many)."""
        response = super().changelist_view(request, extra_context)
        changelist = getattr(response, "context_data", {}).get("cl") if request.method == "GET" else None
        if changelist is not None and changelist.result_list:
            ids = ", ".join(str(person.pk) for person in changelist.result_list)
            PersonalDataExport.objects.create(
                user=request.user,
                description=_("Viewed in the admin list; filters: %(filters)s; participant ids: %(ids)s")
                % {"filters": _filters_without_search(request) or _("no filter"), "ids": ids},
                row_count=len(changelist.result_list),
            )
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """A person's page shows the full NIK: logged like an export."""
        response = super().change_view(request, object_id, form_url, extra_context)
        if request.method == "GET" and response.status_code == 200:
            PersonalDataExport.objects.create(
                user=request.user,
                description=_("Viewed in the admin: participant id %(id)s") % {"id": object_id},
                row_count=1,
            )
        return response

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
        header = [_("NIK"), _("full name"), _("sex"), _("date of birth"), _("phone / WhatsApp"), _("kelurahan")]
        rows = [
            [
                Text(person.nik),
                person.full_name,
                person.get_sex_display(),
                person.birth_date,
                person.phone,
                person.kelurahan.name if person.kelurahan else "",
            ]
            for person in people
        ]
        return csv_response("peserta-nik-lengkap", [header, *rows])

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        for warning in form.warnings:
            self.message_user(request, warning, messages.WARNING)

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        # Also the autocomplete's queryset, whose labels name the kelurahan (participants/admin/site.py).
        return super().get_queryset(request).select_related("kelurahan")

    def get_search_results(self, request, queryset, search_term):
        """The same search as intake's (participants/search.py): every word must match."""
        return participant_search(queryset, search_term), False

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


@admin.register(PersonalDataExport)
class PersonalDataExportAdmin(SafeInputMixin, admin.ModelAdmin):
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


def _filters_without_search(request) -> str:
    """The list's filters for the log, without the search term: a typed NIK or name stays out of the log."""
    query = request.GET.copy()
    query.pop("q", None)
    return query.urlencode()
