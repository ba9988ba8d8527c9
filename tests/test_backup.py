"""The nightly backup can be restored: pg_dump, pg_restore into a fresh database, same row counts."""

import shutil
import subprocess
import uuid

import psycopg2
import pytest
from django.db import connection

from tests import factories

TABLES = [
    "participants_participant",
    "participants_enrollment",
    "participants_attendance",
    "participants_outcome",
    "programs_trainingpackage",
    "programs_session",
    "auth_user",
]


def _counts(**connect) -> dict[str, int]:
    with psycopg2.connect(**connect) as db, db.cursor() as cursor:
        counts = {}
        for table in TABLES:
            cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 (fixed table names)
            counts[table] = cursor.fetchone()[0]
    db.close()
    return counts


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the backup round trip is for PostgreSQL")
@pytest.mark.skipif(shutil.which("pg_dump") is None, reason="pg_dump is not installed")
@pytest.mark.django_db(transaction=True)
def test_backup_and_restore_round_trip(tmp_path, reference_data):
    factories.AttendanceFactory.create_batch(5)
    factories.OutcomeFactory.create_batch(3)
    settings = connection.settings_dict
    connect = {
        "host": settings["HOST"] or "127.0.0.1",
        "port": settings["PORT"] or 5432,
        "user": settings["USER"],
        "password": settings["PASSWORD"] or "",
    }
    env = {"PGPASSWORD": connect["password"], "PATH": "/usr/bin:/bin"}
    common = ["-h", str(connect["host"]), "-p", str(connect["port"]), "-U", connect["user"]]
    dump = tmp_path / "backup.dump"
    subprocess.run(["pg_dump", *common, "--format=custom", f"--file={dump}", settings["NAME"]], check=True, env=env)
    restored = f"restore_drill_{uuid.uuid4().hex[:8]}"
    subprocess.run(["createdb", *common, restored], check=True, env=env)
    try:
        subprocess.run(["pg_restore", *common, "--no-owner", f"--dbname={restored}", str(dump)], check=True, env=env)
        original = _counts(dbname=settings["NAME"], **connect)
        assert original["participants_attendance"] >= 5
        assert _counts(dbname=restored, **connect) == original
    finally:
        subprocess.run(["dropdb", *common, "--if-exists", restored], check=True, env=env)
