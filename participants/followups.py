"""When a follow-up round is due, and the follow-up work list: one rule for the list, the form and the dashboard.

Round R of a completer is due from the day that is R months after their package's last day
(pekalongan_training.dates.add_months: 31 August + 6 months = 28/29 February).

The personal link of a round (participants/services/followup_links.py) is sent once, then a
reminder follows each week without an answer, twice (7 and 14 days after the first message); a
week after the last reminder, or once the round's window has closed, the person is on the call
list: staff call them.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q

from participants.models import Enrollment, FollowUpInvitation, Outcome
from pekalongan_training.dates import add_months
from programs.models import TrainingPackage

ROUNDS = tuple(Outcome.Round.values)
REMINDERS = 2  # reminders after the first message
REMINDER_AFTER_DAYS = 7  # days without an answer since the last message before the next reminder
CALL_AFTER_DAYS = 7  # days without an answer after the last reminder before the call list


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


# The window in which a round may be answered through the personal link: from the day the round is
# due until the day before the next round is due; the 12-month round's stays open 6 months, until
# 18 months after the package ended.
WINDOW_CLOSES_AT_MONTHS = {3: 6, 6: 12, 12: 18}


def round_window(ends_on: datetime.date, round_: int) -> tuple[datetime.date, datetime.date]:
    """(first day, last day) on which round `round_` of a package that ended on `ends_on` may be answered."""
    closes = round_due_on(ends_on, WINDOW_CLOSES_AT_MONTHS[round_])
    return round_due_on(ends_on, round_), closes - datetime.timedelta(days=1)


def in_window(enrollments, round_: int, today: datetime.date):
    """The completers among `enrollments` whose round `round_` is open for answers today (round_window, in SQL)."""
    return due_for_round(enrollments, round_, today).filter(
        package__ends_on__gt=last_day_due(today, WINDOW_CLOSES_AT_MONTHS[round_])
    )


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


def to_call(enrollments, round_: int, today: datetime.date):
    """Those among `enrollments` whom staff should call for round `round_`: the link and both reminders
    went unanswered for CALL_AFTER_DAYS, or the round's window has closed."""
    unanswered = FollowUpInvitation.objects.filter(
        enrollment=OuterRef("pk"),
        round=round_,
        sent_at__isnull=False,
        answered_at__isnull=True,
        reminders_sent__gte=REMINDERS,
        last_sent_at__date__lte=today - datetime.timedelta(days=CALL_AFTER_DAYS),
    )
    closed = Q(package__ends_on__lte=last_day_due(today, WINDOW_CLOSES_AT_MONTHS[round_]))
    return enrollments.filter(Exists(unanswered) | closed)


def pending(today: datetime.date, year: int | None = None, limit: int = 100, call_list: bool = False):
    """Completers due for a round with no answer yet, oldest due first: (due on, round, enrollment).

    call_list: only those to call now (`to_call`).
    """
    items = []
    for round_ in ROUNDS:
        due = due_for_round(_counted(year), round_, today)
        if call_list:
            due = to_call(due, round_, today)
        due = (
            due.exclude(outcomes__round=round_)
            .select_related("participant", "package__vocation")
            .order_by("package__ends_on", "pk")
        )
        items += [(round_due_on(e.package.ends_on, round_), round_, e) for e in due[:limit]]
    items.sort(key=lambda item: (item[0], item[2].pk))
    return items[:limit]
