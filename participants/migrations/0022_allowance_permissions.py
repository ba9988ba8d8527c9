from django.contrib.auth.management import create_permissions
from django.db import migrations


def grant(apps, schema_editor):
    """Dinas staff see the allowance payments; they are made by marking a payment list paid, not by hand."""
    for app_config in apps.get_app_configs():
        previous = getattr(app_config, "models_module", None)
        app_config.models_module = previous or True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = previous
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="Dinas staff")
    group.permissions.add(
        *Permission.objects.filter(content_type__app_label="participants", codename__in=["view_allowancepayment"])
    )


class Migration(migrations.Migration):
    dependencies = [
        ("participants", "0021_allowance_payments"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
