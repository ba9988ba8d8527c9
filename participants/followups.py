"""When a follow-up round is due, and the follow-up work list: one rule for the list, the form and the dashboard.

Round R of a completer is due from the day that is R months after their package's last day
(pekalongan_training.dates.add_months: 31 August + 6 months = 28/29 February).
"""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q

from participants.models import Enrollment, Outcome
from pekalongan_training.dates import add_months
from programs.models import TrainingPackage

ROUNDS = tuple(Outcome.Round.values)


def round_due_on(ends_on: datetime.date, round_: int) -> datetime.date:
    """The first day on which round `round_` of a package that ended on `ends_on` is due."""
    return add_months(ends_on, round_)


def last_day_due(today: datetime.date, round_: int) -> datetime.date:
    """The latest package end date whose round `round_` is due on `today`: the same rule, turned round for queries.

    `round_due_on` clamps to the month's end (31 August + 3 months = 30 November), so on the last
    day of a month every package that ended in the month `round_` months earlier is due, its
    29th, 30th and 31st included.
    """
    earlier = add_months(today, -round_)
    if (today + datetime.timedelta(days=1)).month != today.month:  # the last day of its month
        earlier = add_months(earlier.replace(day=1), 1) - datetime.timedelta(days=1)
    return earlier


def due_for_round(enrollments, round_: int, today: datetime.date):
    """The completers among `enrollments` whose round `round_` is due on `today`."""
    return enrollments.filter(status=Enrollment.Status.COMPLETED, package__ends_on__lte=last_day_due(today, round_))


@dataclass
class RoundProgress:
    round: int
    due: int
    reached: int
    unreachable: int

    @property
    def pending(self) -> int:
        return self.due - self.reached - self.unreachable


def _counted(year: int | None):
    enrollments = Enrollment.objects.exclude(package__status=TrainingPackage.Status.CANCELLED)
    return enrollments.filter(package__cohort__program__fiscal_year=year) if year else enrollments


def progress(today: datetime.date, year: int | None = None) -> list[RoundProgress]:
    """Per round: completers due, reached, not reachable and still pending (one query per round)."""
    results = []
    for round_ in ROUNDS:
        at_round = Q(outcomes__round=round_)
        counts = due_for_round(_counted(year), round_, today).aggregate(
            due=Count("pk", distinct=True),
            reached=Count("outcomes", filter=at_round & ~Q(outcomes__status=Outcome.Status.UNREACHABLE)),
            unreachable=Count("outcomes", filter=at_round & Q(outcomes__status=Outcome.Status.UNREACHABLE)),
        )
        results.append(RoundProgress(round=round_, **counts))
    return results


def pending(today: datetime.date, year: int | None = None, limit: int = 100):
    """Completers due for a round with no answer yet, oldest due first: (due on, round, enrollment)."""
    items = []
    for round_ in ROUNDS:
        due = (
            due_for_round(_counted(year), round_, today)
            .exclude(outcomes__round=round_)
            .select_related("participant", "package__vocation")
            .order_by("package__ends_on", "pk")
        )
        items += [(round_due_on(e.package.ends_on, round_), round_, e) for e in due[:limit]]
    items.sort(key=lambda item: (item[0], item[2].pk))
    return items[:limit]
