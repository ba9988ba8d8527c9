"""`make loadtest`: 51 people for 60 seconds against gunicorn (2 workers) and the task worker on the province database.

DATABASE_URL must point at PostgreSQL; the test runs on the benchmark's bench_province database
(made by `make bench`, or here if it is missing). It starts gunicorn with the production settings
(plain HTTP on 127.0.0.1) and, beside it, the task worker (`manage.py db_worker`, the production
settings' database queue), which computes the dashboard's figures after each change. Each of the
officials' selections is viewed once before the test, so that, as in production, there are figures
computed before the changes the writer makes. Then it runs bench/locustfile.py with locust from its
own virtual environment, prints the summary and writes it to docs/PERFORMANCE.md.

It fails (exit status 1, with a line saying why) when any request failed, when the dashboard's or
all requests' 95th percentile reached 500 ms, or when gunicorn or the worker stopped on its own.

A short trial on another size, which does not touch docs/PERFORMANCE.md:
    LOAD_DB=bench_city LOAD_SECONDS=20 make loadtest
"""

import csv
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import date
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import ROOT, SIZES, machine, prepare  # noqa: E402

USERS, SPAWN_RATE, WORKERS, THREADS, PORT = 51, 10, 2, 8, 8765
SECONDS = 60
P95_LIMIT_MS = 500
LOCUST = ROOT / ".venv-load" / "bin" / "locust"
MARKER = "<!-- load test results -->"
DATABASE = "bench_province"


def main():
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith("postgres"):
        sys.exit("make loadtest needs DATABASE_URL=postgres://... (the load test is for PostgreSQL)")
    database = os.environ.get("LOAD_DB", DATABASE)
    seconds = int(os.environ.get("LOAD_SECONDS", SECONDS))
    label = database.removeprefix("bench_")
    if label not in SIZES:
        sys.exit(f"LOAD_DB is one of the benchmark's databases: {', '.join(f'bench_{size}' for size in SIZES)}")
    url = prepare(base, database, SIZES[label])
    with tempfile.TemporaryDirectory() as work:
        env = {
            **{name: value for name, value in os.environ.items() if name != "TASKS_BACKEND"},
            "DATABASE_URL": url,
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(40),
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "0",
            "SECURE_COOKIES": "0",
            "BEHIND_TLS_PROXY": "0",
            "LOG_LEVEL": "WARNING",
            # The worker runs whatever the queue holds: no message may leave this machine.
            "MESSAGE_BACKEND": "pekalongan_training.messaging.backends.FileBackend",
            "MESSAGE_FILE_PATH": str(Path(work) / "messages"),
            "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        }
        rows, failures, problems, tasks = run(env, Path(work), seconds)
    table = summary(rows)
    print(table)
    print(tally(tasks))
    if database == DATABASE and seconds == SECONDS:
        write_report(table, tally(tasks))
    else:
        print(f"(a trial on {database} for {seconds} s: docs/PERFORMANCE.md left as it is)")
    total = next(row for row in rows if row["Name"] == "Aggregated")
    dashboard = next((row for row in rows if row["Name"] == "dashboard"), None)
    if int(total["Failure Count"]):
        problems.append(f"{total['Failure Count']} of {total['Request Count']} requests failed:")
        problems += [
            f"  {row['Occurrences']} x {row['Method']} {row['Name']}: {row['Error']}"
            for row in failures  # locust's own lines, one per kind of failure
        ]
    if dashboard is None:
        problems.append("no dashboard request was made")
    elif float(dashboard["95%"]) >= P95_LIMIT_MS:
        problems.append(f"the dashboard's 95th percentile is {dashboard['95%']} ms (limit: under {P95_LIMIT_MS} ms)")
    if float(total["95%"]) >= P95_LIMIT_MS:
        problems.append(f"the 95th percentile of all requests is {total['95%']} ms (limit: under {P95_LIMIT_MS} ms)")
    for problem in problems:
        print(f"LOAD TEST FAILED: {problem}", file=sys.stderr)
    sys.exit(1 if problems else 0)


def run(env, work: Path, seconds: int):
    """Start gunicorn and the task worker, compute the selections once, run locust, stop both.

    Returns locust's stats and failures rows, what went wrong with the servers, and the worker's tally."""
    python = sys.executable
    subprocess.run([python, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run([python, "manage.py", "collectstatic", "--no-input", "-v0"], cwd=ROOT, env=env, check=True)
    plan_path = work / "plan.json"
    plan_path.write_text(
        subprocess.run(
            [python, "bench/load_plan.py"], cwd=ROOT, env=env, check=True, capture_output=True, text=True
        ).stdout
    )
    plan = json.loads(plan_path.read_text())
    server = subprocess.Popen(
        [
            str(Path(python).parent / "gunicorn"),
            "pekalongan_training.wsgi",
            f"--workers={WORKERS}",
            f"--threads={THREADS}",  # as docs/DEPLOY.md: a slow dashboard must not hold up the marking
            "--timeout=60",
            # One request a connection, as from nginx (docs/DEPLOY.md: HTTP/1.0 to gunicorn). Kept alive,
            # a connection gunicorn closes after 2 s idle races the client's next request (reset by peer).
            "--keep-alive=0",
            f"--bind=127.0.0.1:{PORT}",
            "--access-logfile=-" if os.environ.get("ACCESS_LOG") else "--error-logfile=-",
        ],
        cwd=ROOT,
        env=env,
    )
    # As docs/DEPLOY.md: the worker beside the app server; here on the same machine and database.
    worker = subprocess.Popen([python, "manage.py", "db_worker", "--no-reload", "-v0"], cwd=ROOT, env=env)
    problems = []
    try:
        wait_for(f"http://127.0.0.1:{PORT}/healthz")
        computed_once(plan)
        started = time.time()
        prefix = work / "result"
        subprocess.run(
            [
                str(LOCUST),
                "-f",
                "bench/locustfile.py",
                "--headless",
                f"--users={USERS}",
                f"--spawn-rate={SPAWN_RATE}",
                f"--run-time={seconds}s",
                f"--host=http://127.0.0.1:{PORT}",
                f"--csv={prefix}",
                "--only-summary",
                "--stop-timeout=10",  # at the end, requests under way finish rather than count as failed
            ],
            cwd=ROOT,
            env={**os.environ, "LOAD_PLAN": str(plan_path)},
            check=False,
        )
        for name, process in (("gunicorn", server), ("the task worker", worker)):
            if process.poll() is not None:
                problems.append(f"{name} stopped during the test (exit status {process.returncode})")
        tasks = refreshes(env, started)
        if tasks.get("FAILED"):
            problems.append(f"{tasks['FAILED']} of the dashboard's refreshes failed in the task worker")
        with open(f"{prefix}_stats.csv") as stats:
            rows = list(csv.DictReader(stats))
        with open(f"{prefix}_failures.csv") as failed:
            failures = list(csv.DictReader(failed))
    finally:
        for process in (server, worker):
            process.terminate()
        for process in (server, worker):
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
    return rows, failures, problems, tasks


def computed_once(plan: dict) -> None:
    """View each selection once, as an official did before the test: the figures to serve after a change."""
    cookie = f"{plan['session_cookie']}={plan['officials'][0]}"
    selections = {tuple(sorted(filters.items())) for filters in plan["dashboard_filters"]}
    started = time.monotonic()
    for selection in sorted(selections):
        request = urllib.request.Request(f"http://127.0.0.1:{PORT}{plan['dashboard']}?{urlencode(selection)}")
        request.add_header("Cookie", cookie)
        with urllib.request.urlopen(request, timeout=300) as response:
            if response.status != 200 or response.url.split("?")[0] != request.full_url.split("?")[0]:
                sys.exit(f"The dashboard did not open for the warm-up ({response.status} {response.url}).")
    print(f"{len(selections)} selections computed once in {time.monotonic() - started:.0f} s before the test")


def refreshes(env, since: float) -> dict[str, int]:
    """How many of the dashboard's refreshes asked during the test the task worker left in each state."""
    code = (
        "import datetime, json\n"
        "from django.db.models import Count\n"
        "from django_tasks_db.models import DBTaskResult\n"
        "from reports.tables import dashboard_refresh\n"
        f"since = datetime.datetime.fromtimestamp({since}, datetime.timezone.utc)\n"
        "asked = DBTaskResult.objects.filter(task_path=dashboard_refresh.module_path, enqueued_at__gte=since)\n"
        "print(json.dumps(dict(asked.values_list('status').annotate(n=Count('pk')).values_list('status', 'n'))))\n"
    )
    output = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def tally(counts: dict[str, int]) -> str:
    states = ", ".join(f"{n} {status.lower()}" for status, n in sorted(counts.items())) or "none"
    return f"Dashboard refreshes asked of the task worker during the test: {states}."


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


def write_report(table, tasks):
    report = ROOT / "docs" / "PERFORMANCE.md"
    text = report.read_text()
    body = (
        f"{MARKER}\n\nLast run {date.today().isoformat()} by `make loadtest` on {machine()}: {USERS} people "
        f"(10 officials, 1 writer recording a follow-up every 2 s, the others operators and staff; spawned "
        f"{SPAWN_RATE} a second) for {SECONDS} s against gunicorn ({WORKERS} workers of {THREADS} threads), "
        f"the task worker and PostgreSQL on 127.0.0.1, province-size data, each selection computed once "
        f"before the test. Times are locust's, from request to response.\n\n```\n{table}\n```\n\n{tasks}\n"
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
