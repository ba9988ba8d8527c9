"""`make loadtest`: 50 people for 60 seconds against gunicorn (2 workers) on the province database.

DATABASE_URL must point at PostgreSQL; the test runs on the benchmark's bench_province database
(made by `make bench`, or here if it is missing). It starts gunicorn with the production settings
(plain HTTP on 127.0.0.1), runs bench/locustfile.py with locust from its own virtual environment,
prints locust's summary and writes the result to docs/PERFORMANCE.md.
"""

import csv
import os
import secrets
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import ROOT, machine, prepare  # noqa: E402

USERS, SPAWN_RATE, SECONDS, WORKERS, THREADS, PORT = 50, 10, 60, 2, 8, 8765
LOCUST = ROOT / ".venv-load" / "bin" / "locust"
MARKER = "<!-- load test results -->"


def main():
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith("postgres"):
        sys.exit("make loadtest needs DATABASE_URL=postgres://... (the load test is for PostgreSQL)")
    url = prepare(base, "bench_province", 100_000)
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(40),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_COOKIES": "0",
        "BEHIND_TLS_PROXY": "0",
        "LOG_LEVEL": "WARNING",
    }
    python = sys.executable
    subprocess.run([python, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run([python, "manage.py", "collectstatic", "--no-input", "-v0"], cwd=ROOT, env=env, check=True)
    with tempfile.TemporaryDirectory() as work:
        plan = Path(work) / "plan.json"
        plan.write_text(
            subprocess.run(
                [python, "bench/load_plan.py"], cwd=ROOT, env=env, check=True, capture_output=True, text=True
            ).stdout
        )
        server = subprocess.Popen(
            [
                str(Path(python).parent / "gunicorn"),
                "pekalongan_training.wsgi",
                f"--workers={WORKERS}",
                f"--threads={THREADS}",  # as docs/DEPLOY.md: a slow dashboard must not hold up the marking
                f"--bind=127.0.0.1:{PORT}",
                "--access-logfile=-" if os.environ.get("ACCESS_LOG") else "--error-logfile=-",
            ],
            cwd=ROOT,
            env=env,
        )
        try:
            wait_for(f"http://127.0.0.1:{PORT}/healthz")
            prefix = Path(work) / "result"
            subprocess.run(
                [
                    str(LOCUST),
                    "-f",
                    "bench/locustfile.py",
                    "--headless",
                    f"--users={USERS}",
                    f"--spawn-rate={SPAWN_RATE}",
                    f"--run-time={SECONDS}s",
                    f"--host=http://127.0.0.1:{PORT}",
                    f"--csv={prefix}",
                    "--only-summary",
                    "--stop-timeout=10",  # at the end, requests under way finish rather than count as failed
                ],
                cwd=ROOT,
                env={**os.environ, "LOAD_PLAN": str(plan)},
                check=False,
            )
            with open(f"{prefix}_stats.csv") as stats:
                rows = list(csv.DictReader(stats))
        finally:
            server.terminate()
            server.wait(timeout=30)
    table = summary(rows)
    print(table)
    write_report(table)
    total = next(row for row in rows if row["Name"] == "Aggregated")
    failed = int(total["Failure Count"]) > 0
    slow = float(total["95%"]) >= 500
    sys.exit(1 if failed or slow else 0)


def wait_for(url, seconds=30):
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            if time.monotonic() > deadline:
                raise
        time.sleep(0.3)


def summary(rows) -> str:
    lines = [f"{'request':22} {'count':>7} {'failed':>7} {'median ms':>10} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8}"]
    for row in rows:
        name = "all requests" if row["Name"] == "Aggregated" else row["Name"]
        lines.append(
            f"{name:22} {int(row['Request Count']):7} {int(row['Failure Count']):7} {float(row['50%']):10.0f}"
            f" {float(row['95%']):8.0f} {float(row['99%']):8.0f} {float(row['Max Response Time']):8.0f}"
        )
    return "\n".join(lines)


def write_report(table):
    report = ROOT / "docs" / "PERFORMANCE.md"
    text = report.read_text()
    body = (
        f"{MARKER}\n\nLast run {date.today().isoformat()} by `make loadtest` on {machine()}: {USERS} people "
        f"(spawned {SPAWN_RATE} a second) for {SECONDS} s against gunicorn ({WORKERS} workers of {THREADS} "
        f"threads) and PostgreSQL on 127.0.0.1, province-size data, starting with no cached dashboard figures. "
        f"Times are locust's, from request to response.\n\n```\n{table}\n```\n"
    )
    head, found, tail = text.partition(MARKER)
    if found:
        # Keep what follows the load test section (the bench's results come after it).
        rest = tail.split("\n<!-- ", 1)
        tail = "\n<!-- " + rest[1] if len(rest) > 1 else ""
        report.write_text(head + body + tail)
    else:
        head, bench, results = text.partition("<!-- bench results -->")
        report.write_text(head + body + "\n" + bench + results)


if __name__ == "__main__":
    main()
