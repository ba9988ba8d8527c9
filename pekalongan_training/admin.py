"""The message log (read-only) and the opt-outs in the back office.

Plain ModelAdmins: participants/admin/site.py gives every admin registered before it (these too)
SafeInputMixin, which this app cannot import from programs.
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from pekalongan_training.models import Message, OptOut
from pekalongan_training.phones import normalize_phone


def _address(value: str) -> str:
    """A typed phone number or e-mail address in the form the log stores it; ValidationError if neither."""
    text = (value or "").strip()
    if "@" in text:
        validate_email(text.lower())
        return text.lower()
    return normalize_phone(text)


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    """Every message sent or held back. Read-only: the log is a record.

    A message left "being sent" by a worker that stopped is not sent again by itself (the gateway
    may have taken it): staff check with the person.
    """

    list_display = ["created_at", "recipient_masked", "channel", "template", "status", "attempts", "sent_at"]
    list_filter = ["status", "channel", "template", ("created_at", admin.DateFieldListFilter)]
    search_fields = ["recipient"]
    search_help_text = _("A phone number (as you like: 0812-3456-7890, +62 812...) or an e-mail address.")
    date_hierarchy = "created_at"
    fields = [
        "key",
        "recipient_masked",
        "channel",
        "template",
        "subject",
        "body",
        "status",
        "attempts",
        "last_error",
        "created_at",
        "last_attempt_at",
        "sent_at",
        "about",
    ]
    readonly_fields = fields

    @admin.display(description=_("recipient"), ordering="recipient")
    def recipient_masked(self, obj):
        return obj.masked_recipient

    @admin.display(description=_("about"))
    def about(self, obj):
        if not obj.about_kind or obj.about_id is None:
            return "-"
        app_label, _dot, model = obj.about_kind.partition(".")
        try:
            url = reverse(f"admin:{app_label}_{model}_change", args=[obj.about_id])
        except NoReverseMatch:
            return f"{obj.about_kind} {obj.about_id}"
        return format_html('<a href="{}">{} {}</a>', url, obj.about_kind, obj.about_id)

    def get_search_results(self, request, queryset, search_term):
        """The whole address, in any way people write a number; never part of one (no trawling)."""
        term = search_term.strip()
        if not term:
            return queryset, False
        try:
            address = _address(term)
        except ValidationError:
            return queryset.none(), False
        return queryset.filter(Q(recipient=address)), False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class OptOutForm(forms.ModelForm):
    class Meta:
        model = OptOut
        fields = ["address", "note"]

    def clean_address(self):
        address = _address(self.cleaned_data["address"])
        if not address:
            raise ValidationError(_("Write a phone number such as 081234567890 or an e-mail address."))
        if OptOut.objects.filter(address=address).exclude(pk=self.instance.pk).exists():
            raise ValidationError(_("This address has already opted out."))
        return address


@admin.register(OptOut)
class OptOutAdmin(admin.ModelAdmin):
    """Who asked not to get messages: added or removed by staff, never edited."""

    form = OptOutForm
    list_display = ["address_masked", "created_at", "created_by", "note"]
    list_select_related = ["created_by"]
    search_fields = ["address"]
    search_help_text = MessageAdmin.search_help_text
    readonly_fields = ["created_at", "created_by"]

    @admin.display(description=_("phone number or e-mail address"), ordering="address")
    def address_masked(self, obj):
        return str(obj)

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term:
            return queryset, False
        try:
            return queryset.filter(address=_address(term)), False
        except ValidationError:
            return queryset.none(), False

    def has_change_permission(self, request, obj=None):
        """Never an opt-out once made (remove it and add the right one); the add form itself is a
        form one may fill in, which Django's add page asks this about (with no row)."""
        return obj is None and self.has_add_permission(request)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
