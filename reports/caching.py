"""The dashboard's figures, kept in the shared cache and thrown away when the records change.

At province size the dashboard's forty-odd grouped aggregates take about two seconds; officials read
it far more often than the records it counts change. So the figures of one selection (filters, day,
language) are computed once and kept under a *data version*: a random token in the cache, replaced
whenever a write the dashboard counts is committed (`figures_changed`). Readers read the version
before they query, so a reader never keeps figures older than the version it read.

Attendance marks are the exception: they arrive by the thousand while classes meet, and bumping the
version on each would leave nothing cached. The figures made from marks (attendance rates, reporting
completeness) are kept apart and recomputed at most every `DASHBOARD_ATTENDANCE_SECONDS` (the page
says when they were computed); every other write shows on the dashboard's next view.

An official never waits on a computation that has been done before (`latest`): after a change the
page serves the figures last computed for the selection, saying when they were computed, while the
task queue computes the new ones once (reports.tables.dashboard_refresh); the next view shows them.
Only a selection never computed (or lost from the cache) is computed while the official waits.

The cache must be shared by every app server process (settings.CACHES: the database table in
production); a per-process cache would serve one process's stale figures after another's write.
"""

import dataclasses
import datetime
import hashlib
import json
import logging
import time
import uuid
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

logger = logging.getLogger(__name__)

VERSION_KEY = "reports:data-version"
# Raise when the shape of the cached figures changes, so a new release never reads an old shape.
FIGURES_FORMAT = 4  # 2: money in whole rupiah (ints); 3: the alumni indicators; 4: kept with their version
COMPUTING_SECONDS = 30  # how long others wait for one process computing the same figures
# A refresh asked of the task queue and not done after this long: the queue is stuck or has no
# worker, and the figures are computed in the request, as if they had never been.
REFRESH_PATIENCE = 120


def data_version() -> str:
    """The current data version; a new one if the cache lost it (which only costs a recomputation)."""
    return cache.get_or_set(VERSION_KEY, lambda: uuid.uuid4().hex, timeout=None)


def _new_version() -> None:
    try:
        cache.set(VERSION_KEY, uuid.uuid4().hex, timeout=None)
    except Exception:
        # The write itself is committed; the user must not see an error for the cache's sake.
        logger.exception("The dashboard's data version could not be replaced; its figures may be stale.")


def figures_changed() -> None:
    """Call after a write the dashboard counts; the cached figures go when the transaction commits.

    Connected in reports/apps.py to the counted models' saves and deletes, to every `migrate` (a
    new release) and to `pekalongan_training.signals.records_changed`, which bulk writes and
    queryset updates send.
    """
    transaction.on_commit(_new_version, robust=True)


def figures_key(part: str, selection: tuple) -> str:
    """Where the figures of this part and selection are kept under the current data version."""
    return f"reports:{FIGURES_FORMAT}:{part}:{data_version()}:{_digest(selection)}"


def _digest(selection) -> str:
    """The same for a selection and its copy through JSON (a task's arguments: tuples become lists)."""
    return hashlib.sha256(json.dumps(selection, default=str).encode()).hexdigest()[:32]


def cached(part: str, selection: tuple, compute, *, seconds: int):
    """The value of compute() for this part and selection under the current data version.

    When the figures are missing, one process computes them while the others asking for the same
    figures wait for its result: ten officials opening the dashboard after a change cost one
    computation, not ten at once on the same database. If that process fails, the next waiter
    takes over. `seconds` of 0 or less means no caching.

    The lock holds a token of its own: when computing took longer than COMPUTING_SECONDS, the lock
    expired and another process may have taken it; this one then leaves that lock alone. (The
    cache API has no compare-and-delete, so a lock taken between the read and the delete can still
    go; the cost is one more computation, never wrong figures.)
    """
    if seconds <= 0:
        return compute()
    key = figures_key(part, selection)
    return _computed_once(key, lambda: cache.get(key), compute, lambda value: cache.set(key, value, timeout=seconds))


def _computed_once(key: str, read, compute, store):
    """read() if it has a value; else compute() and store() it, one process at a time (see `cached`)."""
    computing = f"{key}:computing"
    token = uuid.uuid4().hex
    deadline = time.monotonic() + COMPUTING_SECONDS
    while True:
        value = read()
        if value is not None:
            return value
        if cache.add(computing, token, timeout=COMPUTING_SECONDS):
            break  # this process computes them
        if time.monotonic() > deadline:
            return compute()  # the other process is very slow: do not wait for ever
        time.sleep(0.05)
    try:
        value = compute()
        store(value)
    finally:
        if cache.get(computing) == token:  # still ours
            cache.delete(computing)
    return value


@dataclasses.dataclass(frozen=True)
class Kept:
    """Figures as kept: their value, when and under which data version they were computed."""

    value: object
    computed_at: datetime.datetime
    version: str
    stale: bool = False  # served while newer figures are computed

    def fresh(self, version: str, max_age: int) -> bool:
        return self.version == version and timezone.now() - self.computed_at < datetime.timedelta(seconds=max_age)


def _latest_key(part: str, selection) -> str:
    return f"reports:{FIGURES_FORMAT}:{part}:latest:{_digest(selection)}"


def figures_version(day: datetime.date) -> str:
    """What figures computed for `day` are computed under: the data version and the day (the rounds
    due depend on it), so yesterday's figures are served as stale the next morning while refreshed."""
    return f"{data_version()}:{day.isoformat()}"


def keep(part: str, selection, value, *, version: str) -> Kept:
    """Keep these figures as the latest of the selection, computed under `version` (read before computing)."""
    kept = Kept(value, timezone.now(), version)
    cache.set(_latest_key(part, selection), kept, timeout=KEEP_SECONDS)
    return kept


KEEP_SECONDS = 14 * 24 * 3600  # a selection nobody has looked at for two weeks goes


def latest(
    part: str, selection, compute: Callable, *, day: datetime.date, max_age: int, refresh: Callable[[], None]
) -> Kept:
    """The figures of this part and selection, never waiting on a computation done before.

    `selection` holds what the figures depend on but the day (filters, language; plain values).
    Fresh (computed under figures_version(day), less than `max_age` seconds ago): served. Stale but
    computed less than settings.DASHBOARD_REFRESH_SECONDS ago: served as stale, nothing asked (while
    staff record follow-ups every few seconds, each selection is computed at most that often). Stale:
    served with stale=True, and refresh() asked once to compute newer ones in the background (the
    task queue), which keep() them; if that was asked more than REFRESH_PATIENCE seconds ago and
    nothing came, they are computed here. None kept: computed here, one process at a time (`cached`).
    """
    key = _latest_key(part, selection)
    version = figures_version(day)
    kept = cache.get(key)
    if isinstance(kept, Kept):
        if kept.fresh(version, max_age):
            return kept
        if timezone.now() - kept.computed_at < datetime.timedelta(seconds=settings.DASHBOARD_REFRESH_SECONDS):
            return dataclasses.replace(kept, stale=True)  # computed moments ago: not again yet
        # One refresh asked per figures kept (not per version): while writes go on, the queue holds
        # at most one computation of this part and selection.
        if _refresh_asked(f"{key}:refresh", kept, refresh):
            again = cache.get(key)  # a queue that runs tasks at once has them already
            if isinstance(again, Kept) and again.fresh(version, max_age):
                return again
            return dataclasses.replace(kept, stale=True)

    def compute_and_keep():
        return keep(part, selection, compute(), version=version)

    def read():
        found = cache.get(key)
        return found if isinstance(found, Kept) and found.fresh(version, max_age) else None

    return _computed_once(key, read, compute_and_keep, lambda kept: None)


def _refresh_asked(key: str, kept: Kept, refresh: Callable[[], None]) -> bool:
    """Ask once for newer figures than `kept`; False when that was asked long ago and never came.

    One note per part and selection says which figures a refresh was asked for, and when: the same
    figures still kept after REFRESH_PATIENCE mean the queue is stuck or has no worker.
    """
    now = time.time()
    note = cache.get(key)
    if isinstance(note, tuple) and note[0] == kept.computed_at:
        return now - note[1] < REFRESH_PATIENCE
    cache.set(key, (kept.computed_at, now), timeout=KEEP_SECONDS)
    try:
        refresh()
    except Exception:
        logger.exception("The dashboard's figures could not be queued for a refresh; computing them now.")
        cache.delete(key)
        return False
    return True


def wanted(part: str, selection, *, day: datetime.date, max_age: int) -> bool:
    """Whether the figures kept for this part and selection are missing or stale (a task asked for
    them may find that another has computed them since)."""
    kept = cache.get(_latest_key(part, selection))
    return not (isinstance(kept, Kept) and kept.fresh(figures_version(day), max_age))


def refresh_kept(part: str, selection, *, day: str, max_age: int, compute: Callable[[datetime.date], object]) -> None:
    """What a refresh task asked by `latest` does: compute(today) and keep it for this part and selection.

    Nothing when `day` (ISO, as the task was asked) has gone by, or when the figures were computed
    since by another task or in a request.
    """
    today = datetime.date.fromisoformat(day)
    if today != timezone.localdate() or not wanted(part, selection, day=today, max_age=max_age):
        return
    version = figures_version(today)  # read before computing: a write meanwhile leaves them stale
    keep(part, selection, compute(today), version=version)
