"""What waits for dinas staff today, counted in the database: the admin index opens with it.

Each rule is a queryset method of its own, so that the count on the index and the filtered list it
links to can never disagree: the admin's list filters call the same functions.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Exists, Max, Min, OuterRef, Q
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import ngettext

from participants import followups
from participants.models import Enrollment, Outcome, ParticipantImport
from programs.models import Session, TrainingPackage

CLOSED = (TrainingPackage.Status.COMPLETED, TrainingPackage.Status.CANCELLED)
# Marks count as on time until the end of the day after the meeting (DESIGN.md, reporting
# completeness): a meeting of the day before yesterday with no mark is past its deadline.
MARKING_DAYS = 1


def _applicant() -> Q:
    return Q(status=Enrollment.Status.APPLIED) & ~Q(package__status__in=CLOSED)


def _confirmable(today: datetime.date) -> Q:
    return Q(status=Enrollment.Status.ENROLLED, completion_proposed_at__isnull=False, package__ends_on__lte=today) & ~Q(
        package__status__in=CLOSED
    )


def applicants_waiting(enrollments):
    """Applications nobody has accepted or turned down yet, in packages still open."""
    return enrollments.filter(_applicant())


def completions_to_confirm(enrollments, today: datetime.date):
    """Proposed completions that can be confirmed now: the package's last day has come and it is not closed."""
    return enrollments.filter(_confirmable(today))


def meetings_overdue(sessions, today: datetime.date):
    """Meetings held before yesterday with no mark at all, in open packages with someone in the class."""
    in_class = Enrollment.objects.filter(
        package=OuterRef("package"), status__in=[Enrollment.Status.ENROLLED, Enrollment.Status.COMPLETED]
    )
    return (
        sessions.filter(date__lt=today - datetime.timedelta(days=MARKING_DAYS), first_marked_at__isnull=True)
        .exclude(package__status__in=CLOSED)
        .filter(Exists(in_class))
    )


def imports_waiting(imports, user):
    """The user's uploads not yet confirmed: only whoever uploaded a file may confirm it."""
    return imports.filter(created_by=user, imported_at__isnull=True)


def _follow_ups_pending(today: datetime.date) -> int:
    """Completers due for a round with no answer yet, over every round, in one query.

    The follow-up list's rule (participants/followups.py): due from R months after the package's
    last day, cancelled packages left out; pending = due with no outcome of that round.
    """
    completers = Enrollment.objects.filter(status=Enrollment.Status.COMPLETED).exclude(
        package__status=TrainingPackage.Status.CANCELLED
    )
    counts = completers.aggregate(
        **{
            f"round_{round_}": Count(
                "pk",
                filter=Q(package__ends_on__lte=followups.last_day_due(today, round_))
                & ~Exists(Outcome.objects.filter(enrollment=OuterRef("pk"), round=round_)),
            )
            for round_ in followups.ROUNDS
        }
    )
    return sum(counts.values())


@dataclass(frozen=True)
class WorkItem:
    key: str
    count: int
    label: str
    url: str
    detail: str = ""


def _changelist(model, **params) -> str:
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    return f"{url}?{urlencode(params)}" if params else url


def today_work(user, today: datetime.date) -> list[WorkItem]:
    """The counts of the admin index, in four queries whatever the number of rows."""
    applicant, confirmable = _applicant(), _confirmable(today)
    enrollments = Enrollment.objects.filter(applicant | confirmable).aggregate(
        applicants=Count("pk", filter=applicant),
        applicant_packages=Count("package", distinct=True, filter=applicant),
        applicant_package=Max("package", filter=applicant),
        completions=Count("pk", filter=confirmable),
    )
    overdue = meetings_overdue(Session.objects.all(), today).aggregate(
        meetings=Count("pk"), packages=Count("package", distinct=True)
    )
    uploads = imports_waiting(ParticipantImport.objects.all(), user).aggregate(
        count=Count("pk"), first=Min("pk"), last=Max("pk")
    )
    follow_ups = _follow_ups_pending(today)

    applicants = enrollments["applicants"]
    if enrollments["applicant_packages"] == 1:  # one package: straight to the page that decides
        applicants_url = reverse("intake:package-enrollment", args=[enrollments["applicant_package"]])
    else:
        applicants_url = _changelist(TrainingPackage, work="applicants")
    if uploads["count"] == 1:
        uploads_url = reverse("intake:import-preview", args=[uploads["first"]])
    else:
        uploads_url = _changelist(ParticipantImport, waiting="mine")
    return [
        WorkItem(
            key="applicants",
            count=applicants,
            label=ngettext("applicant waiting for a decision", "applicants waiting for a decision", applicants),
            url=applicants_url,
            detail=ngettext("in %(count)s package", "in %(count)s packages", enrollments["applicant_packages"])
            % {"count": enrollments["applicant_packages"]}
            if applicants
            else "",
        ),
        WorkItem(
            key="completions",
            count=enrollments["completions"],
            label=ngettext("completion to confirm", "completions to confirm", enrollments["completions"]),
            url=_changelist(Enrollment, proposed="ready"),
        ),
        WorkItem(
            key="meetings",
            count=overdue["meetings"],
            label=ngettext(
                "meeting past its marking deadline", "meetings past their marking deadline", overdue["meetings"]
            ),
            url=_changelist(Session, marking="overdue"),
            detail=ngettext("in %(count)s package", "in %(count)s packages", overdue["packages"])
            % {"count": overdue["packages"]}
            if overdue["meetings"]
            else "",
        ),
        WorkItem(
            key="follow_ups",
            count=follow_ups,
            label=ngettext("follow-up due", "follow-ups due", follow_ups),
            url=reverse("intake:followup-list"),
        ),
        WorkItem(
            key="imports",
            count=uploads["count"],
            label=ngettext(
                "upload of yours waiting for confirmation",
                "uploads of yours waiting for confirmation",
                uploads["count"],
            ),
            url=uploads_url,
        ),
    ]


@dataclass(frozen=True)
class PackageSteps:
    """Where one package stands, for its next steps on the admin change page."""

    meetings: int
    first_meeting: datetime.date | None
    last_meeting: datetime.date | None
    seats_used: int
    applicants: int
    waitlisted: int
    proposed: int
    confirmable: int
    can_generate: bool
    can_propose: bool


def package_steps(package: TrainingPackage, today: datetime.date) -> PackageSteps:
    """The counts behind a package's next steps, in two queries."""
    meetings = package.sessions.aggregate(count=Count("pk"), first=Min("date"), last=Max("date"))
    people = Enrollment.objects.filter(package=package).aggregate(
        seats_used=Count("pk", filter=Q(status__in=Enrollment.SEAT_STATUSES)),
        applicants=Count("pk", filter=Q(status=Enrollment.Status.APPLIED)),
        waitlisted=Count("pk", filter=Q(status=Enrollment.Status.WAITLISTED)),
        proposed=Count("pk", filter=Q(status=Enrollment.Status.ENROLLED, completion_proposed_at__isnull=False)),
    )
    closed = package.is_closed
    return PackageSteps(
        meetings=meetings["count"],
        first_meeting=meetings["first"],
        last_meeting=meetings["last"],
        seats_used=people["seats_used"],
        applicants=people["applicants"],
        waitlisted=people["waitlisted"],
        proposed=people["proposed"],
        confirmable=people["proposed"] if package.ends_on <= today and not closed else 0,
        can_generate=not closed,
        can_propose=not closed and meetings["count"] > 0,
    )
