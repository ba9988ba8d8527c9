"""Search by name on PostgreSQL: a trigram index on the upper-cased name (what icontains compares).

PostgreSQL only (SQLite has no such index; its searches stay plain scans). pg_trgm is a trusted
extension, so the database's owner may create it; where the app's user may not, the migration
says so and goes on without the index (search by name works, only slower). The index is built
CONCURRENTLY, so registrations and imports are not held up while it is built.
"""

from django.db import DatabaseError, migrations, transaction

INDEX = "participants_name_trgm_idx"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except DatabaseError as error:
        print(f"\n  pg_trgm could not be created ({error}); search by name works without its index.")
        return
    schema_editor.execute(
        f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {INDEX} ON participants_participant "
        "USING gin (UPPER(full_name::text) gin_trgm_ops)"
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run inside a transaction
    dependencies = [("participants", "0011_nik_prefix_index")]

    operations = [migrations.RunPython(create, drop)]
