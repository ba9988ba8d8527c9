"""The table of the database cache (settings.CACHES in production), whatever cache `migrate` runs with.

Made here rather than by `createcachetable` in the deploy steps, so that a database migrated under
DEBUG (an in-memory cache) still has it when production starts on it.
"""

from django.conf import settings
from django.core.management.commands.createcachetable import Command as CreateCacheTable
from django.db import migrations

DEFAULT_TABLE = "django_cache"


def cache_tables() -> set[str]:
    tables = {
        config["LOCATION"]
        for config in settings.CACHES.values()
        if config["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"
    }
    return tables or {DEFAULT_TABLE}


def create_cache_table(apps, schema_editor):
    command = CreateCacheTable()
    command.verbosity = 0
    for table in sorted(cache_tables()):
        command.create_table(schema_editor.connection.alias, table, dry_run=False)


class Migration(migrations.Migration):
    dependencies = []

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
