"""The back office's front page: today's work first, then the sections in the order the work is done.

The admin site is Django's default one, configured here in one place (its permission check and
titles stay in pekalongan_training/urls.py): the index gets today's counts
(participants/worklist.py), the app list is regrouped into working sections instead of Django's
alphabetical apps, and the navigation sidebar is off, so that lists and forms have the page's width
(with it, a list next to its filters had 630 of 1280 px). Autocomplete answers name a person with
their masked NIK, birth date and kelurahan, so that two people of the same name differ.
"""

from django.contrib import admin
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from participants import worklist
from participants.models import Enrollment, Participant
from programs.admin_input import SafeInputMixin

# (section, models by label), in the order the work is done. Models not named here (accounts, groups,
# devices for superusers) follow in their own apps.
SECTIONS = [
    (_("Programs and waves"), ["programs.Program", "programs.Cohort"]),
    (
        _("Providers and packages"),
        ["programs.TrainingPackage", "programs.Provider", "programs.OperatorAccount"],
    ),
    (
        _("Participants and enrollments"),
        ["participants.Participant", "participants.Enrollment", "participants.ParticipantImport"],
    ),
    (_("Meetings and attendance"), ["programs.Session", "participants.Attendance"]),
    (_("Follow-ups"), ["participants.Outcome"]),
    (_("Certificates"), ["participants.Certificate"]),
    (_("Money (DBHCHT)"), ["programs.Expenditure", "participants.AllowancePayment"]),
    (_("Reference data"), ["programs.Vocation", "programs.Kecamatan", "programs.Kelurahan"]),
    (_("Messages"), ["pekalongan_training.Message", "pekalongan_training.OptOut"]),
    (_("Records"), ["participants.PersonalDataExport"]),
]

_app_list = admin.site.get_app_list
_index = admin.site.index


def app_list_in_working_order(request, app_label=None):
    """The index's sections in working order; an app's own page (`app_label`) keeps Django's list."""
    apps = _app_list(request, app_label)
    if app_label is not None:
        return apps
    entries = {entry["model"]._meta.label: entry for app in apps for entry in app["models"]}
    sections = []
    for name, labels in SECTIONS:
        models = [entries.pop(label) for label in labels if label in entries]
        if models:
            sections.append(
                {
                    "name": name,
                    "app_label": models[0]["model"]._meta.app_label,
                    "app_url": models[0]["admin_url"],
                    "has_module_perms": True,
                    "models": models,
                }
            )
    for app in apps:
        rest = [entry for entry in app["models"] if entry["model"]._meta.label in entries]
        if rest:
            sections.append({**app, "models": rest})
    return sections


def index(request, extra_context=None):
    """Django's index, opening with today's work."""
    context = {"today_work": worklist.today_work(request.user, timezone.localdate()), **(extra_context or {})}
    return _index(request, context)


class PersonAutocompleteJsonView(AutocompleteJsonView):
    """Picking a person (or a person's enrollment): the label tells namesakes apart.

    The admins' querysets load the kelurahan with the person (ParticipantAdmin, EnrollmentAdmin).
    """

    def serialize_result(self, obj, to_field_name):
        result = super().serialize_result(obj, to_field_name)
        if isinstance(obj, Participant):
            result["text"] = obj.identity_label()
        elif isinstance(obj, Enrollment):
            result["text"] = f"{obj.participant.identity_label()} · {obj.package.code}"
        return result


def autocomplete_view(request):
    return PersonAutocompleteJsonView.as_view(admin_site=admin.site)(request)


admin.site.get_app_list = app_list_in_working_order
admin.site.index = index
admin.site.autocomplete_view = autocomplete_view
admin.site.enable_nav_sidebar = False


def _drop_task_results():
    """The task queue's own results (django-tasks-db) are not a page for the dinas: what the tasks
    did is in the message log; the worker's log has the rest."""
    from_tasks = [model for model in admin.site._registry if model._meta.app_label == "django_tasks_database"]
    for model in from_tasks:
        admin.site.unregister(model)


def _guard_other_apps_admins():
    """The admins that come with Django, django-axes and django-otp (users, groups, lock-outs,
    devices; superusers only) take SafeInputMixin too, so a crafted action or list address gets a
    message there as well, not a server error. Registered again under a class that adds it."""
    for model, model_admin in list(admin.site._registry.items()):
        if isinstance(model_admin, SafeInputMixin):
            continue
        guarded = type(f"Guarded{type(model_admin).__name__}", (SafeInputMixin, type(model_admin)), {})
        admin.site.unregister(model)
        admin.site.register(model, guarded)


_drop_task_results()
_guard_other_apps_admins()
