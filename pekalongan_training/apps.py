from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PekalonganTrainingConfig(AppConfig):
    """The project package as an app: site-wide templates tags, roles and the home page."""

    name = "pekalongan_training"
    verbose_name = _("Site")
