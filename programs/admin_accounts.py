"""Operator accounts in the admin, for dinas staff: give a provider's operator a login, change whom it
serves, deactivate it, send a new password link. Nothing more: no password field, no staff or
superuser rights, no groups, and only operator accounts are reachable (another user's id is a 404)."""

from django import forms
from django.contrib import admin, messages
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from programs.accounts import operator_account_create, operator_account_update, password_set_link, password_set_send
from programs.admin_input import SafeInputMixin
from programs.models import OperatorAccount, Provider


class OperatorAccountForm(forms.ModelForm):
    providers = forms.ModelMultipleChoiceField(
        queryset=Provider.objects.filter(is_active=True),
        label=_("providers"),
        help_text=_("The training providers whose packages this account may mark and record."),
        error_messages={"required": _("Choose the provider this operator works for.")},
    )

    class Meta:
        model = OperatorAccount
        fields = ["username", "first_name", "last_name", "email", "is_active"]
        help_texts = {
            "username": _("What the operator types to log in: letters, digits and @ . + - _ only."),
            "email": _("The link to choose a password goes here. Without an address, copy the link into WhatsApp."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["first_name"].required = True
        if self.instance.pk:
            self.fields["providers"].initial = list(self.instance.providers.all())
            self.fields["providers"].queryset = (
                Provider.objects.filter(is_active=True) | self.instance.providers.all()
            ).distinct()


@admin.register(OperatorAccount)
class OperatorAccountAdmin(SafeInputMixin, admin.ModelAdmin):
    form = OperatorAccountForm
    list_display = ["username", "full_name", "email", "provider_names", "is_active", "last_login"]
    list_filter = ["is_active", "providers"]
    search_fields = ["username", "first_name", "last_name", "email", "providers__name"]
    actions = ["send_password_link", "deactivate", "activate"]
    readonly_fields = ["last_login", "date_joined"]

    def get_queryset(self, request):
        # Only operator accounts: a staff member's or a superuser's id is "not found" here.
        return OperatorAccount.operators.prefetch_related("providers").order_by("username")

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["username", "first_name", "last_name", "email", "providers"]
        return ["username", "first_name", "last_name", "email", "providers", "is_active", "last_login", "date_joined"]

    def has_delete_permission(self, request, obj=None):
        return False  # deactivate instead: marks and history keep who made them

    @admin.display(description=_("name"))
    def full_name(self, obj):
        return obj.get_full_name()

    @admin.display(description=_("providers"))
    def provider_names(self, obj):
        return ", ".join(provider.name for provider in obj.providers.all())

    def save_model(self, request, obj, form, change):
        providers = list(form.cleaned_data["providers"])
        if change:
            operator_account_update(account=obj, providers=providers, is_active=form.cleaned_data["is_active"])
        else:
            created = operator_account_create(
                username=obj.username,
                first_name=obj.first_name,
                last_name=obj.last_name,
                email=obj.email,
                providers=providers,
            )
            obj.pk = created.pk
            obj._state.adding = False
            self._tell_link(request, created)

    def save_related(self, request, form, formsets, change):
        pass  # the providers were saved by the service; there are no other relations on this form

    def _tell_link(self, request, account):
        link = password_set_link(request, account)
        if password_set_send(account=account, link=link):
            note = _("The link to choose a password was sent to %(email)s. It works for three days.") % {
                "email": account.email
            }
        else:
            note = _("The account has no e-mail address: send this link to its owner, e.g. on WhatsApp.")
        messages.info(
            request,
            format_html(
                '{} {}: <input type="text" readonly value="{}" class="vTextField" aria-label="{}">',
                note,
                _("Link"),
                link,
                _("Link to choose a password"),
            ),
        )

    @admin.action(description=_("Send a new link to choose a password"), permissions=["change"])
    def send_password_link(self, request, queryset):
        for account in queryset.filter(is_active=True):
            self._tell_link(request, account)

    @admin.action(description=_("Deactivate the selected accounts (they can no longer log in)"), permissions=["change"])
    def deactivate(self, request, queryset):
        count = self._set_active(queryset, False)
        self.message_user(
            request,
            ngettext("%(count)d account deactivated.", "%(count)d accounts deactivated.", count) % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(description=_("Activate the selected accounts again"), permissions=["change"])
    def activate(self, request, queryset):
        count = self._set_active(queryset, True)
        self.message_user(
            request,
            ngettext("%(count)d account activated.", "%(count)d accounts activated.", count) % {"count": count},
            messages.SUCCESS,
        )

    @staticmethod
    def _set_active(queryset, active: bool) -> int:
        """Switch the accounts that are not so yet; how many were switched."""
        accounts = list(queryset.filter(is_active=not active))
        for account in accounts:
            operator_account_update(account=account, providers=list(account.providers.all()), is_active=active)
        return len(accounts)
