import importlib

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ParticipantsConfig(AppConfig):
    name = "participants"
    verbose_name = _("Participants")

    def ready(self):
        # Connects the receivers of the signals that programs sends (Django's usual place for it).
        importlib.import_module("participants.signals")
