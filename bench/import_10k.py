"""Benchmark: read (once, as at upload), preview and import a participant list of 10,000 rows.

Run: `DEBUG=1 .venv/bin/python bench/import_10k.py` (SQLite), or with DATABASE_URL set for
PostgreSQL. It works in a throwaway test database, prints the timings and the query counts, and
leaves nothing behind.
"""

import datetime
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pekalongan_training.test_settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_databases, teardown_databases  # noqa: E402

from participants import imports  # noqa: E402
from participants.models import Participant  # noqa: E402

ROWS = int(os.environ.get("ROWS", "10000"))
KELURAHAN = ["Medono", "Kauman", "Krapyak", "Banyurip", "Tirto", "Setono", ""]


def make_file(rows: int) -> bytes:
    """New people only: their NIKs are of Kota Semarang (33.74), where seed_scale makes none."""
    lines = ["NIK;Nama Lengkap;Jenis Kelamin (L/P);Tanggal Lahir;No. HP;Kelurahan;Pendidikan"]
    start = datetime.date(1970, 1, 1)
    for n in range(rows):
        birth = start + datetime.timedelta(days=n % 12000)
        female = n % 2 == 1
        day = birth.day + (40 if female else 0)
        nik = f"33740{n % 4 + 1}{day:02d}{birth:%m%y}{n // 4 % 9999 + 1:04d}"
        lines.append(
            f"{nik};Peserta Uji {n};{'P' if female else 'L'};{birth:%d/%m/%Y};0812{n:08d};{KELURAHAN[n % 7]};SLTA"
        )
    return "\r\n".join(lines).encode("utf-8")


def main():
    old_config = setup_databases(verbosity=0, interactive=False)
    try:
        content = make_file(ROWS)
        staff = get_user_model().objects.create(username="bench")
        started = time.perf_counter()
        rows = imports.storable(imports.read_table(content, "bench.csv"))  # once, at upload
        read_seconds = time.perf_counter() - started
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            result = imports.preview_table(rows)
            preview_seconds = time.perf_counter() - started
        assert result.ok, result.errors[:5]
        preview_queries = len(queries)
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            imports.import_rows(table=rows, package=None, actor=staff)
            import_seconds = time.perf_counter() - started
        assert Participant.objects.count() == ROWS
        print(f"database: {connection.vendor}; rows: {ROWS}")
        print(f"read at upload: {read_seconds:.2f} s")
        print(f"preview (from the rows read): {preview_seconds:.2f} s, {preview_queries} queries")
        print(f"import (checks again, then writes): {import_seconds:.2f} s, {len(queries)} queries")
    finally:
        teardown_databases(old_config, verbosity=0)


if __name__ == "__main__":
    main()
