"""The selection under concurrent requests (PostgreSQL: SQLite has no row locks): one decision, and the
quota holds."""

import datetime
import threading
import time
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from participants.models import Enrollment
from participants.services import (
    applicant_reject,
    enrollment_create,
    selection_decide,
    selection_move,
    selection_scores_save,
)
from participants.services import selection as selection_services
from programs.models import TrainingPackage
from tests import factories

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has no row locks; the race needs PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]


def _package_with_applicants(*, quota: int, applicants: int) -> TrainingPackage:
    today = timezone.localdate()
    package = factories.TrainingPackageFactory(
        quota=quota,
        status=TrainingPackage.Status.OPEN,
        starts_on=today + datetime.timedelta(days=30),
        ends_on=today + datetime.timedelta(days=50),
        cohort=factories.CohortFactory(
            program=factories.ProgramFactory(fiscal_year=today.year),
            registration_opens=today - datetime.timedelta(days=5),
            registration_closes=today + datetime.timedelta(days=5),
            starts_on=today + datetime.timedelta(days=30),
            ends_on=today + datetime.timedelta(days=60),
        ),
    )
    for serial in range(applicants):
        factories.EnrollmentFactory(
            package=package,
            status=Enrollment.Status.APPLIED,
            enrolled_on=None,
            receipt_number=f"2026-RACE{serial:02d}",
            doc_ktp=True,
            doc_kk=True,
            test_score=Decimal(50 + serial),
            interview_score=Decimal(60),
        )
    return package


def _run_together(*jobs):
    """Run the jobs in threads released at the same moment; returns what each returned or raised."""
    barrier = threading.Barrier(len(jobs))
    outcomes = [None] * len(jobs)

    def run(index, job):
        try:
            barrier.wait()
            outcomes[index] = job()
        except ValidationError as error:
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index, job)) for index, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def _decisions(package) -> int:
    """Versions of the package in its history where the decision was written."""
    return package.history.filter(history_change_reason="selection decided").count()


def test_two_decisions_at_once_make_one(reference_data):
    package = _package_with_applicants(quota=3, applicants=8)
    staff = factories.StaffFactory()
    outcomes = _run_together(
        lambda: selection_decide(package=package, by=staff, waitlist=2),
        lambda: selection_decide(package=package, by=staff, waitlist=2),
    )
    assert sorted(type(outcome).__name__ for outcome in outcomes) == ["SelectionResult", "ValidationError"]
    assert Enrollment.objects.filter(package=package).holding_seats().count() == 3
    assert Enrollment.objects.filter(package=package, status=Enrollment.Status.WAITLISTED).count() == 2
    assert Enrollment.objects.filter(package=package, status=Enrollment.Status.REJECTED).count() == 3
    assert _decisions(package) == 1


def test_a_decision_racing_an_enrollment_keeps_the_quota(reference_data):
    package = _package_with_applicants(quota=3, applicants=6)
    staff = factories.StaffFactory()
    newcomer = factories.ParticipantFactory(full_name="Didaftarkan Staf")
    outcomes = _run_together(
        lambda: selection_decide(package=package, by=staff, waitlist=1),
        lambda: enrollment_create(participant=newcomer, package=package, actor=staff),
    )
    decision, enrollment = outcomes
    assert not isinstance(decision, ValidationError)
    seats = Enrollment.objects.filter(package=package).holding_seats()
    assert seats.count() == 3  # the quota, whoever came first
    if isinstance(enrollment, ValidationError):  # the decision filled the seats first
        assert decision.accepted == 3
        assert not seats.filter(participant=newcomer).exists()
    else:  # the enrollment took a seat first; the decision counted it
        assert decision.accepted == 2
        assert seats.filter(participant=newcomer).exists()
    assert _decisions(package) == 1


def test_many_enrollments_racing_a_decision_never_pass_the_quota(reference_data):
    package = _package_with_applicants(quota=4, applicants=6)
    staff = factories.StaffFactory()
    people = [factories.ParticipantFactory() for _ in range(4)]
    jobs = [lambda: selection_decide(package=package, by=staff)]
    jobs += [
        lambda person=person: enrollment_create(participant=person, package=package, actor=staff) for person in people
    ]
    outcomes = _run_together(*jobs)
    assert not isinstance(outcomes[0], ValidationError)
    assert Enrollment.objects.filter(package=package).holding_seats().count() == 4
    assert _decisions(package) == 1


def _wait_until_another_waits_for_a_lock(seconds: float = 10) -> None:
    """Return once another connection to this database is waiting for a row lock (or after `seconds`)."""
    deadline = time.monotonic() + seconds
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute("SELECT pg_stat_clear_snapshot()")  # else a transaction reads its first look again
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.02)


@pytest.mark.parametrize("write", ["scores", "move"])
def test_scores_or_a_move_saved_while_the_applicant_is_rejected_both_finish(reference_data, monkeypatch, write):
    """The selection locks the package, then the enrollment; the rejection (every enrollment service)
    locks the person, then the package. Were the selection to lock the person with the enrollment,
    each would wait for the other: PostgreSQL would end one with a deadlock error.

    The order is forced: the rejection holds the person and waits for the package, which the
    selection holds, before the selection asks for the enrollment.
    """
    package = _package_with_applicants(quota=3, applicants=2)
    staff = factories.StaffFactory()
    applicant = Enrollment.objects.filter(package=package).order_by("pk").first()
    package_locked = threading.Event()
    lock_package = selection_services._lock_package

    def lock_package_then_wait(package):
        locked = lock_package(package)
        package_locked.set()
        _wait_until_another_waits_for_a_lock()  # the rejection, holding the person, waits for the package
        return locked

    monkeypatch.setattr(selection_services, "_lock_package", lock_package_then_wait)

    def selection():
        if write == "scores":
            return selection_scores_save(
                package=package, rows=[{"enrollment": applicant.pk, "test_score": "88,5"}], by=staff
            )
        return selection_move(enrollment=applicant, position=1, reason="Nilai wawancara dikoreksi", by=staff)

    def rejection():
        assert package_locked.wait(10)
        return applicant_reject(enrollment=applicant, reason="Tidak datang saat tes", actor=staff)

    outcomes = [None, None]

    def run(index, job):
        try:
            outcomes[index] = job()
        except Exception as error:  # a deadlock is an OperationalError: kept to be asserted on
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index, job)) for index, job in enumerate((selection, rejection))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [isinstance(outcome, Exception) for outcome in outcomes] == [False, False], outcomes
    applicant.refresh_from_db()
    assert (applicant.status, applicant.decision_reason) == (Enrollment.Status.REJECTED, "Tidak datang saat tes")
    if write == "scores":
        assert applicant.test_score == Decimal("88.5")
    else:
        assert applicant.selection_position == 1
