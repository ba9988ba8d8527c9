"""One rule for when a follow-up round is due: the work list, the form and the dashboard agree on every day."""

import datetime

import pytest

from participants.followups import due_for_round, last_day_due, round_due_on
from participants.models import Enrollment, Outcome
from tests.factories import EnrollmentFactory, TrainingPackageFactory


def test_the_query_form_of_the_rule_agrees_with_the_rule_on_every_day_of_two_years():
    ends = [datetime.date(2024, 1, 1) + datetime.timedelta(days=n) for n in range(520)]
    for today in (datetime.date(2024, 6, 1) + datetime.timedelta(days=n) for n in range(400)):
        for round_ in Outcome.Round.values:
            cutoff = last_day_due(today, round_)
            for ends_on in ends:
                assert (round_due_on(ends_on, round_) <= today) == (ends_on <= cutoff), (today, round_, ends_on)


def test_31_august_is_due_for_3_months_on_30_november_and_for_6_months_on_the_last_day_of_february():
    assert round_due_on(datetime.date(2026, 8, 31), 3) == datetime.date(2026, 11, 30)
    assert last_day_due(datetime.date(2026, 11, 30), 3) == datetime.date(2026, 8, 31)
    assert last_day_due(datetime.date(2026, 11, 29), 3) == datetime.date(2026, 8, 29)
    assert round_due_on(datetime.date(2026, 8, 31), 6) == datetime.date(2027, 2, 28)
    assert last_day_due(datetime.date(2027, 2, 28), 6) == datetime.date(2026, 8, 31)


@pytest.mark.django_db
def test_the_work_list_query_counts_a_package_that_ended_31_august_as_due_on_30_november():
    completer = EnrollmentFactory(
        status=Enrollment.Status.COMPLETED,
        package=TrainingPackageFactory(starts_on=datetime.date(2026, 8, 3), ends_on=datetime.date(2026, 8, 31)),
    )
    today = datetime.date(2026, 11, 30)
    assert list(due_for_round(Enrollment.objects.all(), 3, today)) == [completer]
    assert list(due_for_round(Enrollment.objects.all(), 3, today - datetime.timedelta(days=1))) == []
