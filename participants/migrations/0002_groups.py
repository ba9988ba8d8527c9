"""Create the three roles of DESIGN.md as groups with their model permissions.

Dinas staff run the back office; provider operators work on their own packages through the
provider portal (their object scope is enforced in the views, these are only model rights);
officials read aggregates and get no right on any model that holds personal data.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ALL = ("add", "change", "delete", "view")

GROUP_PERMISSIONS = {
    "Dinas staff": {
        "programs": {
            "kecamatan": ("view",),
            "kelurahan": ("view",),
            "provider": ALL,
            "vocation": ALL,
            "program": ALL,
            "cohort": ALL,
            "trainingpackage": ALL,
            "session": ALL,
        },
        "participants": {
            "participant": ALL,
            "enrollment": ALL,
            "attendance": ALL,
            "outcome": ALL,
        },
    },
    # Operators work only through the provider portal, which scopes every object to their
    # provider; no right here on Participant, so no model-wide access to personal data.
    "Provider operator": {
        "programs": {
            "trainingpackage": ("view",),
            "session": ("add", "change", "view"),
        },
        "participants": {
            "enrollment": ("change", "view"),
            "attendance": ("add", "change", "view"),
        },
    },
    "Official": {
        "programs": {
            "kecamatan": ("view",),
            "kelurahan": ("view",),
            "provider": ("view",),
            "vocation": ("view",),
            "program": ("view",),
            "cohort": ("view",),
            "trainingpackage": ("view",),
        },
    },
}


def create_groups(apps, schema_editor):
    # Permissions are normally made after migrate; make them now so the groups can hold them.
    for app_config in apps.get_app_configs():
        previous = getattr(app_config, "models_module", None)
        app_config.models_module = previous or True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = previous
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group_name, apps_models in GROUP_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=group_name)
        codenames = [
            (app_label, f"{action}_{model}")
            for app_label, models in apps_models.items()
            for model, actions in models.items()
            for action in actions
        ]
        permissions = [
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
            for app_label, codename in codenames
        ]
        # add, not set: a migration of another app that ran first (programs 0010) may have granted more.
        group.permissions.add(*permissions)


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=GROUP_PERMISSIONS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("programs", "0002_seed_wilayah"),
        ("participants", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
