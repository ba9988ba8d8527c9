import datetime

from django.db import migrations
from django.db.models import F


def close_registration_before_training(apps, schema_editor):
    """Waves whose registration closed on or after their first training day close the day before.

    The constraint of the next migration could not be added otherwise. Such a window is a typing
    slip, or a wave that took applications for its later packages while the first ones ran; the day
    before the training starts is the latest close the rule allows (an opening day after it moves
    with it).
    """
    Cohort = apps.get_model("programs", "Cohort")
    for cohort in Cohort.objects.filter(registration_closes__gte=F("starts_on")):
        cohort.registration_closes = cohort.starts_on - datetime.timedelta(days=1)
        if cohort.registration_opens and cohort.registration_opens > cohort.registration_closes:
            cohort.registration_opens = cohort.registration_closes
        cohort.save(update_fields=["registration_opens", "registration_closes"])


class Migration(migrations.Migration):
    """Kept apart from the constraint: PostgreSQL cannot alter a table with row changes pending in
    the same transaction."""

    dependencies = [
        ("programs", "0007_rupiah_fields"),
    ]

    operations = [
        migrations.RunPython(close_registration_before_training, migrations.RunPython.noop),
    ]
