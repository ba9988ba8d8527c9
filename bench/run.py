"""`make bench`: seed a city-size and a province-size database, time them, write docs/PERFORMANCE.md.

DATABASE_URL must point at PostgreSQL (any database on the server; the benchmark makes its own
databases bench_city and bench_province next to it, and reuses them when they already hold data).
"""

import json
import os
import platform
import subprocess
import sys
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg2

ROOT = Path(__file__).resolve().parent.parent
SIZES = {"city": 2_000, "province": 100_000}
# Targets on the median, at province size, unless ON_P95 says the 95th percentile.
TARGETS_MS = {
    "dashboard, no filter": 300,
    "dashboard, three filters": 300,
    "dashboard after a change": 300,  # what an official waits for: the figures before the change
    "dashboard after a change, 3 f.": 300,
    "cold computation": 1000,  # what the task queue computes after a change
    "cold computation, 3 f.": 1000,
    "roster of 20": 50,
    "saving one mark": 30,
    "admin: participants": 300,
    "admin: enrollments": 300,
    "admin: attendance": 300,
    "search by NIK": 50,
    "import 10,000 rows": 30_000,
}
ON_P95 = {"dashboard after a change", "dashboard after a change, 3 f."}


def database_url(base: str, name: str) -> str:
    parts = urlsplit(base)
    return urlunsplit(parts._replace(path=f"/{name}"))


def prepare(base: str, name: str, size: int) -> str:
    url = database_url(base, name)
    parts = urlsplit(base)
    admin = psycopg2.connect(
        host=parts.hostname, port=parts.port or 5432, user=parts.username, password=parts.password, dbname="postgres"
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        exists = cursor.fetchone() is not None
        if not exists:
            cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "1"}
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    seeded = (
        subprocess.run(
            [
                sys.executable,
                "manage.py",
                "shell",
                "-c",
                "from participants.models import Participant; print(Participant.objects.count())",
            ],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    if int(seeded) == 0:
        subprocess.run(
            [sys.executable, "manage.py", "seed_scale", "--participants", str(size)], cwd=ROOT, env=env, check=True
        )
    return url


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    return (
        f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()}, {platform.system()} {platform.release()}"
    )


def main():
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith("postgres"):
        sys.exit("make bench needs DATABASE_URL=postgres://... (the benchmark is for PostgreSQL)")
    results = {}
    for label, size in SIZES.items():
        url = prepare(base, f"bench_{label}", size)
        output = subprocess.run(
            [sys.executable, "bench/measure.py"],
            cwd=ROOT,
            env={**os.environ, "DATABASE_URL": url},
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        results[label] = json.loads(output.strip().splitlines()[-1])
    table = results_table(results["city"]["results"], results["province"]["results"])
    print(table)
    write_report(results, table)


def results_table(city_results, province_results) -> str:
    """Both sizes side by side, each with its target (median, or "p95") and whether the province met it."""
    lines = [
        f"{'operation':30} {'city median/p95 ms':>20} {'q':>4} {'province median/p95 ms':>24} {'q':>4}"
        f" {'target':>10} {'met':>4}"
    ]
    for city, province in zip(city_results, province_results, strict=True):
        name = city["name"]
        target, met = "", ""
        if name in TARGETS_MS:
            on_p95 = name in ON_P95
            target = f"{'p95 ' if on_p95 else ''}{TARGETS_MS[name]}"
            met = "yes" if province["p95_ms" if on_p95 else "median_ms"] <= TARGETS_MS[name] else "NO"
        lines.append(
            f"{name:30} {city['median_ms']:9.0f} / {city['p95_ms']:7.0f} {city['queries']:4}"
            f" {province['median_ms']:11.0f} / {province['p95_ms']:9.0f} {province['queries']:4}"
            f" {target:>10} {met:>4}"
        )
    return "\n".join(lines)


def write_report(results, table):
    report = ROOT / "docs" / "PERFORMANCE.md"
    text = report.read_text() if report.exists() else ""
    marker = "<!-- bench results -->"
    head, _, _tail = text.partition(marker)
    sizes = ", ".join(
        f"{label}: {r['participants']:,} participants, {r['enrollments']:,} enrollments, {r['marks']:,} marks"
        for label, r in results.items()
    )
    body = (
        f"{marker}\n\nMeasured {date.today().isoformat()} by `make bench` on {machine()}, PostgreSQL "
        f"(server time per request through Django's full stack, in process; median and 95th percentile; "
        f"q: queries). Targets are on the median unless marked p95; met: at province size.\n"
        f"Data: {sizes}.\n\n```\n{table}\n```\n"
    )
    report.write_text((head or "# Performance\n\n") + body)


if __name__ == "__main__":
    main()
