"""Training certificates in the back office: to find one by its number and read its history.

Read-only: certificates are issued and revoked on the package's certificates page (intake:certificates),
through the services, so the number, the code and the revocation's reason follow their rules. A
certificate is never deleted: a printed copy of a revoked one must still show "revoked".
"""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from participants.models import Certificate
from pekalongan_training.roles import is_dinas_staff
from programs.admin_input import SafeInputMixin


class RevokedFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "revoked"

    def lookups(self, request, model_admin):
        return [("no", _("Valid")), ("yes", _("Revoked"))]

    def queryset(self, request, queryset):
        if self.value() == "no":
            return queryset.filter(revoked_at__isnull=True)
        if self.value() == "yes":
            return queryset.filter(revoked_at__isnull=False)
        return queryset


@admin.register(Certificate)
class CertificateAdmin(SafeInputMixin, SimpleHistoryAdmin):
    list_display = ["number", "participant_name", "package_code", "issued_on", "is_valid", "revoked_at"]
    list_filter = [RevokedFilter, "issued_on"]
    list_select_related = ["enrollment__participant", "enrollment__package"]
    search_fields = ["=number", "enrollment__participant__full_name", "enrollment__package__code"]
    search_help_text = _("Search by certificate number, name or package code.")
    fields = [
        "number",
        "enrollment",
        "issued_on",
        "issued_by",
        "revoked_at",
        "revoke_reason",
        "revoked_by",
        "certificates_page",
    ]
    readonly_fields = fields
    date_hierarchy = "issued_on"

    def has_view_permission(self, request, obj=None):
        """Every dinas staff member may read them, as on the staff page; no group permission is needed
        (the groups' data migration predates the model)."""
        return is_dinas_staff(request.user)

    def has_module_permission(self, request):
        return is_dinas_staff(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("participant"), ordering="enrollment__participant__full_name")
    def participant_name(self, obj):
        return obj.enrollment.participant.full_name

    @admin.display(description=_("package"), ordering="enrollment__package__code")
    def package_code(self, obj):
        return obj.enrollment.package.code

    @admin.display(description=_("valid"), boolean=True)
    def is_valid(self, obj):
        return obj.revoked_at is None

    @admin.display(description=_("issue and revoke"))
    def certificates_page(self, obj):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("intake:certificates", args=[obj.enrollment.package_id]),
            _("The package's certificates page"),
        )
