from django.apps import AppConfig
from django.db.models.signals import post_delete, post_migrate, post_save
from django.utils.translation import gettext_lazy as _

from pekalongan_training.signals import records_changed
from reports.caching import figures_changed

# The records the dashboard counts, apart from attendance marks and meetings (see reports/caching.py);
# spending, program pagu and allowance payments for the DBHCHT realisation panel (reports/realisation.py).
COUNTED_MODELS = (
    "participants.Participant",
    "participants.Enrollment",
    "participants.Outcome",
    "participants.FollowUpInvitation",  # links sent: the response rate by channel
    "participants.AllowancePayment",
    "programs.Expenditure",
    "programs.ProgramFunding",
    "programs.TrainingPackage",
    "programs.Cohort",
    "programs.Program",
    "programs.Provider",
    "programs.Vocation",
    "programs.Kelurahan",
    "programs.Kecamatan",
)


def _figures_changed(sender, **kwargs):
    figures_changed()


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports")

    def ready(self):
        # The dashboard learns of changes only here: saves and deletes of the counted models, the
        # bulk writes' records_changed, and every migrate (a new release may compute differently).
        for label in COUNTED_MODELS:
            model = self.apps.get_model(label)
            post_save.connect(_figures_changed, sender=model, dispatch_uid=f"figures-saved-{label}")
            post_delete.connect(_figures_changed, sender=model, dispatch_uid=f"figures-deleted-{label}")
        records_changed.connect(_figures_changed, dispatch_uid="figures-records-changed")
        post_migrate.connect(_figures_changed, sender=self, dispatch_uid="figures-migrated")
