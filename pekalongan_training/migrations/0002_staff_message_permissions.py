"""Dinas staff read the message log and keep the opt-outs (add, remove, view; never edit a message)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        previous = getattr(app_config, "models_module", None)
        app_config.models_module = previous or True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = previous
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="Dinas staff")
    group.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="pekalongan_training",
            codename__in=["view_message", "add_optout", "delete_optout", "view_optout"],
        )
    )


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("pekalongan_training", "0001_messages"),
        # After the groups are made: participants' migration sets the group's permissions afresh.
        ("participants", "0002_groups"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
