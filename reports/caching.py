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

The cache must be shared by every app server process (settings.CACHES: the database table in
production); a per-process cache would serve one process's stale figures after another's write.
"""

import hashlib
import logging
import time
import uuid

from django.core.cache import cache
from django.db import transaction

logger = logging.getLogger(__name__)

VERSION_KEY = "reports:data-version"
# Raise when the shape of the cached figures changes, so a new release never reads an old shape.
FIGURES_FORMAT = 3  # 2: money in whole rupiah (ints); 3: the alumni indicators
COMPUTING_SECONDS = 30  # how long others wait for one process computing the same figures


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
    digest = hashlib.sha256(repr(selection).encode()).hexdigest()[:32]
    return f"reports:{FIGURES_FORMAT}:{part}:{data_version()}:{digest}"


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
    computing = f"{key}:computing"
    token = uuid.uuid4().hex
    deadline = time.monotonic() + COMPUTING_SECONDS
    while True:
        value = cache.get(key)
        if value is not None:
            return value
        if cache.add(computing, token, timeout=COMPUTING_SECONDS):
            break  # this process computes them
        if time.monotonic() > deadline:
            return compute()  # the other process is very slow: do not wait for ever
        time.sleep(0.05)
    try:
        value = compute()
        cache.set(key, value, timeout=seconds)
    finally:
        if cache.get(computing) == token:  # still ours
            cache.delete(computing)
    return value
