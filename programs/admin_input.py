"""Hostile input in the back office: what Django's admin would answer with a server error.

Only a crafted post or address sends these (the admin's own pages never do): an autocomplete value,
a selection for an action, a row or a history version that is no id, a year no date holds. Every
admin and inline of the back office takes SafeInputMixin first among its bases;
tests/test_hostile_admin.py checks them all.
"""

from django.contrib import messages
from django.contrib.admin import helpers
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import unquote
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _


def _is_key(field, value) -> bool:
    """Could `value` be stored in the key `field` (a number, and one its column holds)?"""
    try:
        field.run_validators(field.to_python(value))
    except ValidationError:
        return False
    return True


class SafeAutocompleteSelect(AutocompleteSelect):
    """Django's autocomplete select, which shows a posted value that is no id (only a crafted post
    sends one) as no choice when the form comes back with its errors, instead of failing on it."""

    def optgroups(self, name, value, attr=None):
        key = self.field.target_field
        return super().optgroups(name, [item for item in value if _is_key(key, item)], attr)


class SafeInputMixin:
    """For the back office's admins and inlines: a crafted post or address gets a message or a 404,
    where Django's admin (and django-simple-history's) would fail with a server error."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = SafeAutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_changelist_instance(self, request):
        """A date drill-down to a year no date holds goes back to the list with Django's "?e=1"
        (Django's list turns a ValueError into that, but not an OverflowError)."""
        try:
            return super().get_changelist_instance(request)
        except OverflowError as error:
            raise IncorrectLookupParameters(error) from error

    def response_action(self, request, queryset):
        """An action on a selection holding something that is no id is refused, and nothing changes."""
        selected = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
        if not all(_is_key(self.model._meta.pk, value) for value in selected):
            self.message_user(
                request,
                _("The selection holds something that is not a row of this list; nothing was changed."),
                messages.ERROR,
            )
            return None  # Django goes back to the list
        return super().response_action(request, queryset)

    def history_view(self, request, object_id, extra_context=None):
        """A row's history for an id that is no number is not found (SimpleHistoryAdmin's page fails on it)."""
        if not _is_key(self.model._meta.pk, unquote(object_id)):
            raise Http404
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        """A version of a row's history (SimpleHistoryAdmin's page) that is no number is not found."""
        if not _is_key(self.model.history.model._meta.pk, version_id):
            raise Http404
        return super().history_form_view(request, object_id, version_id, extra_context)
