"""Uploaded participant lists, read-only: which wait for their confirmation, and the record of each import.

The rows themselves (personal data) are never shown here; an upload is confirmed on its preview,
by whoever uploaded it.
"""

from django.contrib import admin
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from participants import worklist
from participants.models import ParticipantImport
from programs.admin_input import SafeInputMixin


class WaitingFilter(admin.SimpleListFilter):
    title = _("confirmation")
    parameter_name = "waiting"

    def lookups(self, request, model_admin):
        return [("mine", _("My uploads waiting for confirmation")), ("all", _("All uploads waiting"))]

    def queryset(self, request, queryset):
        if self.value() == "mine":
            return worklist.imports_waiting(queryset, request.user)
        if self.value() == "all":
            return queryset.filter(imported_at__isnull=True)
        return queryset


@admin.register(ParticipantImport)
class ParticipantImportAdmin(SafeInputMixin, admin.ModelAdmin):
    list_display = ["filename", "package", "created_by", "created_at", "imported_at", "preview_link"]
    list_filter = [WaitingFilter]
    list_select_related = ["package", "created_by"]
    fields = ["filename", "package", "row_count", "created_by", "created_at", "imported_at"]
    readonly_fields = fields
    date_hierarchy = "created_at"

    def get_queryset(self, request):
        # The preview opens only for whoever uploaded the file: say so on the others' rows.
        mine = ExpressionWrapper(Q(created_by=request.user.pk), output_field=BooleanField())
        return super().get_queryset(request).defer("content", "rows").annotate(mine=mine)

    def has_add_permission(self, request):
        return False  # uploads come through the import page

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("next step"))
    def preview_link(self, obj):
        if obj.imported_at is not None:
            return "–"
        if not obj.mine:
            return _("waiting for %(user)s") % {"user": obj.created_by}
        return format_html(
            '<a href="{}">{}</a>', reverse("intake:import-preview", args=[obj.pk]), _("check and confirm")
        )
