"""The dashboard's figures come from the cache until a write they count is committed (reports/caching.py)."""

import datetime
import re
import threading
import time
from importlib import import_module
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from participants import imports
from participants.models import Attendance, Enrollment
from participants.services import (
    attendance_record,
    completion_confirm,
    completion_propose,
    outcome_record,
    participant_anonymise,
)
from pekalongan_training.dates import add_months
from reports import caching, tables
from reports.caching import cached, data_version, figures_key
from tests import factories
from tests.participants.test_imports import GOOD, csv_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def official(client):
    client.force_login(factories.OfficialFactory())
    return client


@pytest.fixture
def running():
    """A running package with five seated people (fewer would show as "< 5") and a meeting held yesterday."""
    today = timezone.localdate()
    package = factories.TrainingPackageFactory(
        starts_on=today - datetime.timedelta(days=5), ends_on=today + datetime.timedelta(days=20)
    )
    people = factories.EnrollmentFactory.create_batch(5, package=package)
    session = factories.SessionFactory(package=package, date=today - datetime.timedelta(days=1))
    return package, people, session


def _figure(content: str, name: str) -> str:
    start = content.index(f'data-figure="{name}">') + len(f'data-figure="{name}">')
    return content[start : content.index("<", start)]


def _dashboard(client) -> str:
    response = client.get(reverse("dashboard:index"))
    assert response.status_code == 200
    return response.content.decode()


def test_a_second_view_takes_its_figures_from_the_cache(official, running):
    with CaptureQueriesContext(connection) as first:
        content = _dashboard(official)
    with CaptureQueriesContext(connection) as second:
        again = _dashboard(official)
    counted = [q["sql"] for q in first.captured_queries if "participants_enrollment" in q["sql"]]
    assert len(counted) >= 3  # at least the people, the follow-ups and the marks (reports/one_pass.py)
    assert not [q["sql"] for q in second.captured_queries if "participants_enrollment" in q["sql"]]
    assert _figure(content, "enrolled") == _figure(again, "enrolled") == "5"


def test_a_second_view_writes_no_table_again(official, running, monkeypatch):
    """The page's tables are kept as written for the figures they show: a second view of the same
    figures writes none of their rows (most of a view's time at province size)."""
    written = []
    typed_rows = tables.Table.typed_rows.fget

    def counted(table):
        written.append(table.key)
        return typed_rows(table)

    monkeypatch.setattr(tables.Table, "typed_rows", property(counted))
    content = _dashboard(official)
    in_the_page_only = {"realization", "kecamatan", "kelurahan", "disability", "satisfaction"}
    assert in_the_page_only <= set(written)
    written.clear()
    token = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')  # masked anew on each page
    assert token.sub("", _dashboard(official)) == token.sub("", content)
    assert not in_the_page_only & set(written)


def test_a_committed_enrollment_shows_on_the_next_view(official, running, django_capture_on_commit_callbacks):
    package = running[0]
    assert _figure(_dashboard(official), "enrolled") == "5"
    with django_capture_on_commit_callbacks(execute=True):
        factories.EnrollmentFactory(package=package)
    assert _figure(_dashboard(official), "enrolled") == "6"


def test_the_version_changes_only_when_the_transaction_commits(running, django_capture_on_commit_callbacks):
    before = data_version()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        factories.EnrollmentFactory(package=running[0])
    assert data_version() == before  # not yet committed: readers keep the figures they have
    for callback in callbacks:
        callback()
    assert data_version() != before


def _ended_package_with_a_proposal():
    package = factories.TrainingPackageFactory(starts_on=datetime.date(2026, 9, 1), ends_on=datetime.date(2026, 9, 30))
    enrollment = factories.EnrollmentFactory(package=package)
    for day in range(4):
        session = factories.SessionFactory(package=package, date=datetime.date(2026, 9, 1 + day))
        factories.AttendanceFactory(enrollment=enrollment, session=session, status=Attendance.Status.PRESENT)
    completion_propose(package=package)
    return enrollment


def _completer():
    today = timezone.localdate()
    package = factories.TrainingPackageFactory(
        starts_on=add_months(today, -4), ends_on=add_months(today, -3), status="completed"
    )
    return factories.EnrollmentFactory(package=package, status=Enrollment.Status.COMPLETED)


def _import(running):
    imports.import_rows(content=csv_bytes(GOOD), filename="peserta.csv", package=None, actor=factories.StaffFactory())


# Each write: what it needs, made before the version is read, and the write itself.
WRITES = {
    "a package cancelled": (lambda running: running[0], lambda package: _save(package, status="cancelled")),
    "a provider renamed": (lambda running: running[0].provider, lambda provider: _save(provider, name="LPK Baru")),
    "a person's record edited": (
        lambda running: running[1][0].participant,
        lambda person: _save(person, education=7),
    ),
    "an imported list": (lambda running: running, _import),
    "completions confirmed": (
        lambda running: (_ended_package_with_a_proposal(), factories.StaffFactory()),
        lambda args: completion_confirm(enrollments=[args[0]], actor=args[1]),
    ),
    "a follow-up answer": (
        lambda running: (_completer(), factories.StaffFactory()),
        lambda args: outcome_record(enrollment=args[0], round_=3, data={"status": "unreachable"}, actor=args[1]),
    ),
    "a person anonymised": (
        lambda running: (running[1][0].participant, factories.StaffFactory()),
        lambda args: participant_anonymise(participant=args[0], actor=args[1]),
    ),
}


def _save(instance, **changes):
    for name, value in changes.items():
        setattr(instance, name, value)
    instance.save()


@pytest.mark.parametrize("write", WRITES)
def test_every_kind_of_write_the_dashboard_counts_changes_the_version(
    write, running, django_capture_on_commit_callbacks
):
    prepare, act = WRITES[write]
    with django_capture_on_commit_callbacks(execute=True):
        prepared = prepare(running)
    before = data_version()
    with django_capture_on_commit_callbacks(execute=True):
        act(prepared)
    assert data_version() != before


class _Later:
    """time.time() for the cache, some seconds from now."""

    def __init__(self, seconds):
        self.seconds = seconds

    def time(self):
        return time.time() + self.seconds


def test_a_mark_shows_in_the_attendance_figures_within_the_refresh_period(
    official, running, django_capture_on_commit_callbacks, monkeypatch
):
    _package, people, session = running
    operator = factories.StaffFactory()
    with django_capture_on_commit_callbacks(execute=True):
        attendance_record(session=session, enrollment=people[0], status="present", actor=operator)
    version = data_version()
    assert _figure(_dashboard(official), "attendance-rate").startswith("100,0% dari 1")
    with django_capture_on_commit_callbacks(execute=True):
        attendance_record(session=session, enrollment=people[1], status="absent", actor=operator)
    assert data_version() == version  # marks leave the other figures in the cache
    assert _figure(_dashboard(official), "attendance-rate").startswith("100,0% dari 1")
    later = settings.DASHBOARD_ATTENDANCE_SECONDS + 1
    monkeypatch.setattr("django.core.cache.backends.locmem.time", _Later(later))
    now = timezone.now
    monkeypatch.setattr(caching.timezone, "now", lambda: now() + datetime.timedelta(seconds=later))
    assert _figure(_dashboard(official), "attendance-rate").startswith("50,0% dari 2")


def test_each_language_has_its_own_figures(official, running):
    assert ">Perempuan<" in _dashboard(official)
    official.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = _dashboard(official)
    assert ">Female<" in english and ">Perempuan<" not in english


def test_each_selection_has_its_own_figures(official, running):
    assert _figure(_dashboard(official), "enrolled") == "5"
    other = factories.ProviderFactory()
    content = official.get(reverse("dashboard:index"), {"provider": other.pk}).content.decode()
    assert _figure(content, "enrolled") == "0"


def test_while_one_process_computes_the_figures_the_others_wait_for_its_result():
    key = figures_key("figures", ("a selection",))
    assert cache.add(f"{key}:computing", True)  # another process has started
    threading.Timer(0.2, lambda: cache.set(key, {"enrolled": 42})).start()

    def compute():
        raise AssertionError("computed a second time")

    assert cached("figures", ("a selection",), compute, seconds=60) == {"enrolled": 42}


def test_when_the_other_process_fails_the_next_waiter_computes_them_at_once():
    key = figures_key("figures", ("a selection",))
    assert cache.add(f"{key}:computing", True)
    threading.Timer(0.2, lambda: cache.delete(f"{key}:computing")).start()  # it failed: no figures
    started = time.monotonic()
    assert cached("figures", ("a selection",), lambda: {"enrolled": 5}, seconds=60) == {"enrolled": 5}
    assert time.monotonic() - started < 5
    assert cache.get(key) == {"enrolled": 5} and cache.get(f"{key}:computing") is None


def test_when_the_other_process_never_finishes_they_are_computed_here_and_its_lock_is_left(monkeypatch):
    monkeypatch.setattr(caching, "COMPUTING_SECONDS", 0.2)
    key = figures_key("figures", ("a selection",))
    assert cache.add(f"{key}:computing", True)
    assert cached("figures", ("a selection",), lambda: {"enrolled": 7}, seconds=60) == {"enrolled": 7}
    assert cache.get(f"{key}:computing") is True


def test_the_lock_goes_when_the_figures_are_in():
    key = figures_key("figures", ("a selection",))
    assert cached("figures", ("a selection",), lambda: {"enrolled": 4}, seconds=60) == {"enrolled": 4}
    assert cache.get(key) == {"enrolled": 4} and cache.get(f"{key}:computing") is None


def test_a_lock_that_expired_while_computing_and_was_taken_by_another_process_is_left_to_it():
    key = figures_key("figures", ("a selection",))
    computing = f"{key}:computing"

    def slow():
        # This computation outlived COMPUTING_SECONDS: its lock expired and another process took one.
        assert cache.get(computing) is not None
        cache.delete(computing)
        assert cache.add(computing, "the other process's token")
        return {"enrolled": 6}

    assert cached("figures", ("a selection",), slow, seconds=60) == {"enrolled": 6}
    assert cache.get(computing) == "the other process's token"


def test_no_seconds_means_no_caching():
    results = iter([{"enrolled": 1}, {"enrolled": 2}])
    assert cached("attendance", ("s",), lambda: next(results), seconds=0) == {"enrolled": 1}
    assert cached("attendance", ("s",), lambda: next(results), seconds=0) == {"enrolled": 2}


def test_a_cache_that_fails_does_not_fail_the_committed_write(monkeypatch, django_capture_on_commit_callbacks, caplog):
    def broken(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(cache, "set", broken)
    with django_capture_on_commit_callbacks(execute=True):
        person = factories.ParticipantFactory()
    assert person.pk and "may be stale" in caplog.text


def test_migrate_makes_the_table_of_the_production_cache(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "figures_t"}}
    migration = import_module("reports.migrations.0001_cache_table")
    assert "django_cache" in connection.introspection.table_names()  # made whatever the cache setting
    assert "figures_t" not in connection.introspection.table_names()
    migration.create_cache_table(None, SimpleNamespace(connection=connection))
    assert "figures_t" in connection.introspection.table_names()
    cache.set("reports:probe", {"enrolled": 3})
    assert cache.get("reports:probe") == {"enrolled": 3}


# --- after a change: the previous figures at once, the new ones computed in the background ----------


@pytest.fixture
def later_queue(settings):
    """A task queue that runs its tasks when the test says (the database backend's worker in production)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    from django_tasks import task_backends

    queue = task_backends["default"]
    queue.clear()
    return queue


def _queued(queue) -> list:
    """The dashboard's parts waiting to be computed, and the realisation panel."""
    return [result.args[0] if result.task.name == "dashboard_refresh" else result.task.name for result in queue.results]


def _run(queue):
    """Run what the worker would, in order, and empty the queue; answer what was run."""
    queued, results = _queued(queue), list(queue.results)
    queue.clear()
    for result in results:
        result.task.call(*result.args, **result.kwargs)
    return queued


def test_after_a_change_the_previous_figures_are_served_while_the_new_ones_are_computed_once(
    official, running, later_queue, django_capture_on_commit_callbacks
):
    package = running[0]
    assert _figure(_dashboard(official), "enrolled") == "5"  # never computed: computed in the request
    official.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    _dashboard(official)  # the English figures are computed apart
    del official.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert not later_queue.results
    with django_capture_on_commit_callbacks(execute=True):
        factories.EnrollmentFactory(package=package)
    with CaptureQueriesContext(connection) as served:
        content = _dashboard(official)
    assert _figure(content, "enrolled") == "5"  # the previous figures, at once
    assert not [q["sql"] for q in served.captured_queries if "participants_enrollment" in q["sql"]]
    assert "figures-stale" in content
    official.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = _dashboard(official)
    computed = date_format(timezone.localtime(), "j F Y")
    assert f"These figures were computed at {computed}, " in english
    assert "WIB and may not yet show the latest records. The new figures are being computed" in english
    export = official.get(reverse("dashboard:export", args=["csv"])).content.decode()
    assert "WIB and may not yet show the latest records." in export
    del official.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert _figure(_dashboard(official), "enrolled") == "5"  # still computing: asked once only
    assert _run(later_queue) == ["figures", "attendance", "realisation_panel_refresh"] * 2  # id, en
    content = _dashboard(official)
    assert _figure(content, "enrolled") == "6"
    assert "figures-stale" not in content
    assert not later_queue.results


def test_a_write_while_the_figures_are_computed_leaves_them_stale(
    official, running, later_queue, django_capture_on_commit_callbacks, monkeypatch
):
    package = running[0]
    _dashboard(official)
    with django_capture_on_commit_callbacks(execute=True):
        factories.EnrollmentFactory(package=package)
    _dashboard(official)
    for part, (compute, max_age) in tables.PARTS.items():

        def computed_during_a_write(f, today, compute=compute):
            caching._new_version()  # a write committed while the figures are computed
            return compute(f, today)

        monkeypatch.setitem(tables.PARTS, part, (computed_during_a_write, max_age))
    _run(later_queue)
    monkeypatch.undo()
    assert "figures-stale" in _dashboard(official)  # the next view asks again
    assert _queued(later_queue) == ["figures", "attendance"]  # the panel was computed after the last write


def test_a_refresh_the_queue_never_ran_is_computed_in_the_request_after_a_while(
    official, running, later_queue, django_capture_on_commit_callbacks, monkeypatch
):
    package = running[0]
    _dashboard(official)
    with django_capture_on_commit_callbacks(execute=True):
        factories.EnrollmentFactory(package=package)
    assert _figure(_dashboard(official), "enrolled") == "5"
    now = time.time
    monkeypatch.setattr(caching.time, "time", lambda: now() + caching.REFRESH_PATIENCE + 1)
    content = _dashboard(official)
    assert _figure(content, "enrolled") == "6"
    assert "figures-stale" not in content


def test_the_next_morning_the_days_figures_are_served_stale_then_refreshed(official, running, later_queue, monkeypatch):
    _dashboard(official)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    monkeypatch.setattr("reports.views.timezone.localdate", lambda: tomorrow)
    assert "figures-stale" in _dashboard(official)
    assert _queued(later_queue) == ["figures", "attendance", "realisation_panel_refresh"]
    assert {result.args[-1] for result in later_queue.results} == {tomorrow.isoformat()}
    _run(later_queue)
    assert "figures-stale" not in _dashboard(official)


def test_a_refresh_that_finds_the_figures_computed_since_computes_nothing(
    official, running, later_queue, django_capture_on_commit_callbacks
):
    _dashboard(official)
    with django_capture_on_commit_callbacks(execute=True):
        factories.EnrollmentFactory(package=running[0])
    _dashboard(official)
    results = list(later_queue.results)
    _run(later_queue)  # the worker computes them
    with CaptureQueriesContext(connection) as again:
        for result in results:  # the same tasks queued twice, say by two app servers
            result.task.call(*result.args, **result.kwargs)
    assert not [q["sql"] for q in again.captured_queries if "participants_enrollment" in q["sql"]]


def test_while_writes_go_on_the_queue_holds_one_refresh_per_part_and_selection(
    official, running, later_queue, django_capture_on_commit_callbacks
):
    _dashboard(official)
    for _ in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            factories.EnrollmentFactory(package=running[0])
        _dashboard(official)
    assert _queued(later_queue) == ["figures", "attendance", "realisation_panel_refresh"]


def test_figures_computed_moments_ago_are_not_computed_again_yet(
    official, running, later_queue, settings, django_capture_on_commit_callbacks, monkeypatch
):
    settings.DASHBOARD_REFRESH_SECONDS = 60
    _dashboard(official)
    with django_capture_on_commit_callbacks(execute=True):
        factories.EnrollmentFactory(package=running[0])
    content = _dashboard(official)
    assert "figures-stale" in content and _figure(content, "enrolled") == "5"
    assert not later_queue.results  # computed moments ago: the worker is not asked yet
    now = timezone.now
    monkeypatch.setattr(caching.timezone, "now", lambda: now() + datetime.timedelta(seconds=61))
    _dashboard(official)
    assert _queued(later_queue) == ["figures", "attendance", "realisation_panel_refresh"]
