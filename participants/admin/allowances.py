"""Participants' allowance payments ("uang saku") in the back office: to find and read them, with their history.

Read-only: a payment is made by marking a package's payment list paid (participants/allowances.py),
which writes one spending entry for the list's total and one payment per person; a payment changed
or deleted by hand would no longer add up to that entry. Dinas staff have the view right only.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from participants.models import AllowancePayment
from pekalongan_training.formatting import rupiah
from programs.admin_filters import FiscalYearFilter
from programs.admin_input import SafeInputMixin


class AllowanceYearFilter(FiscalYearFilter):
    year_path = "enrollment__package__cohort__program__fiscal_year"


@admin.register(AllowancePayment)
class AllowancePaymentAdmin(SafeInputMixin, SimpleHistoryAdmin):
    list_display = ["enrollment", "days", "rate_display", "amount_display", "paid_on", "spending"]
    list_filter = [AllowanceYearFilter, "paid_on"]
    list_select_related = ["enrollment__participant", "enrollment__package", "spending__package"]
    search_fields = ["enrollment__participant__full_name", "enrollment__package__code", "spending__document_number"]
    search_help_text = _("Search by name, package code or document number.")
    date_hierarchy = "paid_on"
    fields = ["enrollment", "days", "daily_rate", "amount", "paid_on", "spending", "paid_by", "created_at"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("daily allowance"), ordering="daily_rate")
    def rate_display(self, obj):
        return rupiah(obj.daily_rate)

    @admin.display(description=_("amount"), ordering="amount")
    def amount_display(self, obj):
        return rupiah(obj.amount)
