from django.conf import settings
from django.db import migrations, models

from pekalongan_training.migration_operations import AddIndexConcurrentlyOnPostgreSQL


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run inside a transaction

    dependencies = [
        ("participants", "0022_allowance_permissions"),
        ("programs", "0014_dbhcht_permissions"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        AddIndexConcurrentlyOnPostgreSQL(
            model_name="attendance",
            index=models.Index(fields=["-marked_at", "-id"], name="participants_att_newest_idx"),
        ),
    ]
