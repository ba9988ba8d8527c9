"""The meeting admin of programs/, with what only the people in a package can say: whether a meeting is
marked, and whether its marks are late."""

from django.contrib import admin
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from participants import worklist
from programs.admin import SessionAdmin as BaseSessionAdmin
from programs.models import Session


class MarkingFilter(admin.SimpleListFilter):
    title = _("attendance")
    parameter_name = "marking"

    def lookups(self, request, model_admin):
        return [("overdue", _("Past the marking deadline (end of the next day), not marked"))]

    def queryset(self, request, queryset):
        if self.value() == "overdue":
            return worklist.meetings_overdue(queryset, timezone.localdate())
        return queryset


admin.site.unregister(Session)


@admin.register(Session)
class SessionAdmin(BaseSessionAdmin):
    list_display = ["package", "date", "hours", "topic", "mark_count", "marking_link"]
    list_filter = [MarkingFilter, *BaseSessionAdmin.list_filter]

    def get_queryset(self, request):
        # The mark count groups rows, which drops the model's ordering: the autocompletes need it back.
        return super().get_queryset(request).order_by(*Session._meta.ordering)

    @admin.display(description=_("hours"), ordering="starts_at")
    def hours(self, obj):
        if obj.starts_at is None or obj.ends_at is None:
            return "–"
        return f"{time_format(obj.starts_at)}–{time_format(obj.ends_at)}"

    @admin.display(description=_("attendance page"))
    def marking_link(self, obj):
        return format_html(
            '<a href="{}">{}</a>', reverse("provider:session-attendance", args=[obj.pk]), _("open the marking page")
        )
