from django.contrib.auth.management import create_permissions
from django.db import migrations


def grant(apps, schema_editor):
    """Dinas staff set a program's entry rules per package category, as they set the program's own."""
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
            codename__in=["add_categoryrules", "change_categoryrules", "delete_categoryrules", "view_categoryrules"],
        )
    )


class Migration(migrations.Migration):
    dependencies = [
        ("programs", "0011_selection"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
