"""Time the pages and writes people use, against the database in DATABASE_URL; print JSON.

Run by bench/run.py for each size. Every request goes through Django's full stack in this process
(the server time, without the network); writes are rolled back so the data stays as seeded.

Beside the pages: the dashboard's cold computation (reports.tables' two parts, called directly,
no cache, outside a transaction as the worker runs it), which the task queue runs after a change,
and the SQL floor (bench/sql_floor.py), one plain statement for the same family of breakdowns,
timed the same way in the same run.
"""

import contextlib
import datetime
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pekalongan_training.test_settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.test.utils import override_settings  # noqa: E402

from pekalongan_training import settings as production  # noqa: E402

# The production cache (a table in the database, shared by all app server processes, with the
# production settings' options), not the test settings' per-process one: the dashboard's figures are
# read from where production keeps them.
override_settings(
    CACHES={
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "django_cache",
            "OPTIONS": production.CACHES["default"].get("OPTIONS", {}),
        },
        "pages": production.PAGES_CACHE,
    }
).enable()
call_command("createcachetable", verbosity=0)

from django.core.cache import cache  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_tasks import task_backends  # noqa: E402

from participants import imports  # noqa: E402
from participants.models import Enrollment, Participant  # noqa: E402
from pekalongan_training.roles import OFFICIAL_GROUP, STAFF_GROUP  # noqa: E402
from programs.models import Kecamatan, Session, TrainingPackage  # noqa: E402
from reports import caching, tables  # noqa: E402
from reports.indicators import Filters  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from accounts import account  # noqa: E402
from import_10k import make_file  # noqa: E402
from sql_floor import breakdowns  # noqa: E402

# A task queue whose worker is elsewhere, as in production (the test settings run tasks in the
# request): a view after a change only queues the refresh, so it is timed without the computation.
QUEUE_ELSEWHERE = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


def measure(name, runs, request, *, rollback=False, prepare=None, atomic=True):
    """Median and 95th percentile in ms, and the query count of the last run (on this thread's
    connection). Each run in a transaction of its own, unless atomic=False: what only reads, as the
    task queue's worker does, outside one."""
    times, queries = [], 0
    for _ in range(runs):
        with transaction.atomic() if atomic else contextlib.nullcontext():
            if prepare:
                prepare()
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = request()
                elapsed = (time.perf_counter() - started) * 1000
            assert response.status_code in (200, 302), (name, response.status_code)
            queries = len(captured)
            times.append(elapsed)
            if rollback:
                transaction.set_rollback(True)
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    return {"name": name, "median_ms": statistics.median(times), "p95_ms": p95, "queries": queries, "runs": runs}


def main():
    setup_test_environment()
    cache.clear()  # every run starts alike: no figures kept from an earlier one (the benchmark's database)
    today = timezone.localdate()
    staff = account("bench-staf", STAFF_GROUP, staff=True)
    official = account("bench-pejabat", OFFICIAL_GROUP)
    package = TrainingPackage.objects.filter(status="running", provider__operators__isnull=False).order_by("pk").first()
    operator = package.provider.operators.first()
    session = package.sessions.filter(date__lt=today).order_by("-date").first()
    enrollment = package.enrollments.filter(status="enrolled").first()
    person = Participant.objects.order_by("pk")[Participant.objects.count() // 2]
    kecamatan = Kecamatan.objects.order_by("code").first()

    clients = {}
    for key, login in (("staff", staff), ("official", official), ("operator", operator)):
        clients[key] = Client()
        clients[key].force_login(login)

    def get(who, url, params=None):
        return lambda: clients[who].get(url, params or {})

    def today_session():
        Session.objects.get_or_create(package=package, date=today)

    # "Semua hadir" as the page sends it once confirmed: the people it counted.
    counted = {"confirm": "1", "enrollment": list(package.enrollments.values_list("pk", flat=True))}

    def all_present():
        meeting = Session.objects.get(package=package, date=today)
        return clients["operator"].post(
            reverse("provider:session-all-present", args=[meeting.pk]), counted, headers={"HX-Request": "true"}
        )

    def records_changed():
        # The worker has computed what the last view asked for (untimed), then a committed
        # enrollment, outcome or package change comes: the view after it is the one timed.
        queue = task_backends["default"]
        for result in list(queue.results):
            result.task.call(*result.args, **result.kwargs)
        queue.clear()
        caching._new_version()

    def served_stale(params=None):
        """The dashboard after a change: the figures computed before it, and their refresh queued."""

        def request():
            response = clients["official"].get(reverse("dashboard:index"), params or {})
            queued = [result.task.name for result in task_backends["default"].results]
            assert response.context["figures_stale"], "the figures after a change should be served stale"
            assert queued.count("dashboard_refresh") == len(tables.PARTS), queued
            return response

        return request

    three_filters = {"year": today.year, "category": "blk", "kecamatan": kecamatan.pk}
    selections = {"": Filters(), ", 3 f.": Filters(year=today.year, category="blk", kecamatan=kecamatan)}
    floor_filters = {"": {}, ", 3 f.": {"year": today.year, "category": "blk", "kecamatan": kecamatan.pk}}
    content = make_file(10_000)
    # The two views without a change also compute and keep each selection's figures the first time,
    # so that after a change there are figures to serve.
    results = [
        measure("dashboard, no filter", 20, get("official", reverse("dashboard:index"))),
        measure("dashboard, three filters", 20, get("official", reverse("dashboard:index"), three_filters)),
    ]
    with override_settings(TASKS=QUEUE_ELSEWHERE):
        results += [
            measure("dashboard after a change", 10, served_stale(), prepare=records_changed),
            measure("dashboard after a change, 3 f.", 10, served_stale(three_filters), prepare=records_changed),
        ]
    for suffix, f in selections.items():
        # Outside a transaction, as the worker computes them: the families side by side.
        results.append(measure(f"cold computation{suffix}", 5, lambda f=f: _computed(f, today), atomic=False))
    for suffix, filters in floor_filters.items():
        results.append(measure(f"SQL floor{suffix}", 5, lambda filters=filters: _floor(filters)))
    results += [
        measure("operator's package list", 20, get("operator", reverse("provider:package-list"))),
        measure("roster of 20", 20, get("operator", reverse("provider:package-detail", args=[package.pk]))),
        measure(
            "saving one mark",
            30,
            lambda: clients["operator"].post(
                reverse("provider:attendance-mark", args=[session.pk, enrollment.pk]),
                {f"status-{enrollment.pk}": "sick"},
                headers={"HX-Request": "true"},
            ),
            rollback=True,
        ),
        measure("Semua hadir for 20", 20, all_present, rollback=True, prepare=today_session),
        measure("admin: participants", 10, get("staff", reverse("admin:participants_participant_changelist"))),
        measure("admin: enrollments", 10, get("staff", reverse("admin:participants_enrollment_changelist"))),
        measure("admin: attendance", 10, get("staff", reverse("admin:participants_attendance_changelist"))),
        measure(
            "search by NIK",
            20,
            get("staff", reverse("admin:participants_participant_changelist"), {"q": person.nik}),
        ),
        measure(
            "search by name",
            20,
            get("staff", reverse("admin:participants_participant_changelist"), {"q": person.full_name}),
        ),
        measure(
            "import 10,000 rows",
            2,
            lambda: _import(content, staff),
            rollback=True,
        ),
    ]
    print(
        json.dumps(
            {
                "participants": Participant.objects.count(),
                "enrollments": Enrollment.objects.count(),
                "marks": _count(),
                "results": results,
                "measured": datetime.datetime.now().isoformat(timespec="minutes"),
            }
        )
    )


def _count():
    with connection.cursor() as cursor:
        cursor.execute("select count(*) from participants_attendance")
        return cursor.fetchone()[0]


class _Ok:
    status_code = 200


def _computed(f, today):
    """Both parts of the dashboard's figures as the task queue computes them, without the cache."""
    tables._figures(f, today)
    tables._attendance_figures(f, today)
    return _Ok()


def _floor(filters):
    with connection.cursor() as cursor:
        assert breakdowns(cursor, **filters)
    return _Ok()


def _import(content, staff):
    imports.import_rows(content=content, filename="bench.csv", package=None, actor=staff)
    return _Ok()


if __name__ == "__main__":
    main()
