from django.contrib.auth.management import create_permissions
from django.db import migrations


def grant(apps, schema_editor):
    """Dinas staff keep the DBHCHT plan and the spending; a spending entry is corrected, never deleted
    (the realisation reported to the centre must be traceable), so there is no delete right for it."""
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
            content_type__app_label="programs",
            codename__in=[
                "add_programfunding",
                "change_programfunding",
                "delete_programfunding",
                "view_programfunding",
                "add_expenditure",
                "change_expenditure",
                "view_expenditure",
            ],
        )
    )


class Migration(migrations.Migration):
    dependencies = [
        ("programs", "0013_dbhcht_plan_spending"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
