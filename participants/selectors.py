"""Reads over packages and the people in them: seat counts, and for the provider portal a package's roster
and a meeting's marking list, in a fixed number of queries."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from participants.models import Attendance, Enrollment
from programs.models import Session, TrainingPackage

LETTERS = {
    Attendance.Status.PRESENT: "H",
    Attendance.Status.EXCUSED: "I",
    Attendance.Status.SICK: "S",
    Attendance.Status.ABSENT: "A",
}


def with_seat_counts(packages):
    """Annotate seats_used (enrollments that hold a seat) and seats_left, in one query."""
    return packages.annotate(
        seats_used=Coalesce(Count("enrollments", filter=Q(enrollments__status__in=Enrollment.SEAT_STATUSES)), 0),
    ).annotate(seats_left=F("quota") - F("seats_used"))


def with_registration_places(packages):
    """Annotate places_left: the quota less seats taken, applications waiting and the waitlist."""
    return packages.annotate(
        places_taken=Count("enrollments", filter=Q(enrollments__status__in=Enrollment.PLACE_STATUSES))
    ).annotate(places_left=F("quota") - F("places_taken"))


def percent(part: int, whole: int) -> float | None:
    return None if not whole else 100 * part / whole


def packages_for_portal(user, today: datetime.date) -> list[TrainingPackage]:
    """The user's packages with seats, attendance so far and today's meeting if any (two queries).

    The marks are counted in one grouped query over all the packages at once: a subquery per
    package scanned the marks once per package.
    """
    today_session = Session.objects.filter(package=OuterRef("pk"), date=today).values("pk")[:1]
    packages = list(
        with_seat_counts(TrainingPackage.objects.for_operator(user))
        .select_related("provider", "vocation", "cohort__program")
        .annotate(today_session_id=Subquery(today_session))
        .order_by("starts_on", "code")
    )
    marks = {
        row["session__package"]: row
        for row in Attendance.objects.filter(session__package__in=[p.pk for p in packages], session__date__lte=today)
        .values("session__package")
        .annotate(marked=Count("pk"), present=Count("pk", filter=Q(status=Attendance.Status.PRESENT)))
    }
    for package in packages:
        counts = marks.get(package.pk, {})
        package.present_marks, package.held_marks = counts.get("present", 0), counts.get("marked", 0)
    return packages


@dataclass
class SessionColumn:
    session: Session
    held: bool
    present: int
    excused: int
    sick: int
    absent: int
    expected: int = 0  # people who should have a mark here: the class, plus drop-outs marked here

    @property
    def marked(self) -> int:
        return self.present + self.excused + self.sick + self.absent

    @property
    def recorded(self) -> bool:
        return self.marked > 0

    @property
    def unmarked(self) -> int:
        return max(self.expected - self.marked, 0)


@dataclass
class RosterRow:
    enrollment: Enrollment
    marks: list[str] = field(default_factory=list)
    present: int = 0
    marked_held: int = 0
    marked: int = 0
    held_percent: float | None = None
    planned_percent: float | None = None
    flag: str | None = None  # "cannot_reach" or "slipping"

    @property
    def participant(self):
        return self.enrollment.participant


@dataclass
class Roster:
    package: TrainingPackage
    columns: list[SessionColumn]
    rows: list[RosterRow]

    @property
    def planned(self) -> int:
        return len(self.columns)

    @property
    def held(self) -> int:
        return sum(1 for column in self.columns if column.held)

    @property
    def threshold(self) -> int:
        return self.package.present_needed(self.planned)

    def rate(self, row: RosterRow) -> None:
        """Fill a row's percentages and flag.

        Over held meetings: present / the person's marks at meetings held so far (as the dashboard's
        attendance rate). Over all meetings: present / every planned meeting. The flag says
        "cannot_reach" when even perfect attendance at every meeting still unmarked stays below the
        minimum, and "slipping" when attendance so far is below it. Both through the package's one
        rule for the share of meetings needed (TrainingPackage.present_needed).
        """
        row.held_percent = percent(row.present, row.marked_held)
        row.planned_percent = percent(row.present, self.planned)
        if row.enrollment.status != Enrollment.Status.ENROLLED or not self.planned:
            row.flag = None
        elif row.present + (self.planned - row.marked) < self.threshold:
            row.flag = "cannot_reach"
        elif row.present < self.package.present_needed(row.marked_held):
            row.flag = "slipping"
        else:
            row.flag = None


def package_roster(package: TrainingPackage, today: datetime.date) -> Roster:
    """Everyone holding a seat, their mark at every meeting, and the counts, in three queries."""
    counts = {status: Count("attendances", filter=Q(attendances__status=status)) for status in Attendance.Status.values}
    sessions = list(package.sessions.order_by("date", "starts_at").annotate(**counts))
    columns = [
        SessionColumn(
            session=session,
            held=session.date <= today,
            present=getattr(session, Attendance.Status.PRESENT),
            excused=getattr(session, Attendance.Status.EXCUSED),
            sick=getattr(session, Attendance.Status.SICK),
            absent=getattr(session, Attendance.Status.ABSENT),
        )
        for session in sessions
    ]
    enrollments = (
        Enrollment.objects.filter(package=package)
        .holding_seats()
        .select_related("participant")
        .order_by("participant__full_name", "pk")
    )
    rows = {enrollment.pk: RosterRow(enrollment=enrollment, marks=[""] * len(sessions)) for enrollment in enrollments}
    position = {session.pk: index for index, session in enumerate(sessions)}
    marks = Attendance.objects.filter(session__package=package, enrollment__in=rows.keys()).values_list(
        "enrollment_id", "session_id", "status", "session__date"
    )
    for enrollment_id, session_id, status, date in marks:
        row = rows[enrollment_id]
        row.marks[position[session_id]] = LETTERS[status]
        row.marked += 1
        if date <= today:
            row.marked_held += 1
        if status == Attendance.Status.PRESENT:
            row.present += 1
    roster = Roster(package=package, columns=columns, rows=list(rows.values()))
    for row in roster.rows:
        roster.rate(row)
    for index, column in enumerate(columns):
        column.expected = sum(
            1 for row in roster.rows if row.marks[index] or row.enrollment.status != Enrollment.Status.DROPPED_OUT
        )
    return roster


@dataclass
class MarkingRow:
    enrollment: Enrollment
    attendance: Attendance | None

    @property
    def status(self) -> str:
        return self.attendance.status if self.attendance else ""


def session_marking_rows(session: Session) -> list[MarkingRow]:
    """The class at one meeting, each with their mark if any (two queries). Drop-outs come last."""
    enrollments = (
        Enrollment.objects.filter(package_id=session.package_id)
        .holding_seats()
        .select_related("participant")
        .order_by("participant__full_name", "pk")
    )
    marks = {
        mark.enrollment_id: mark for mark in Attendance.objects.filter(session=session).select_related("marked_by")
    }
    rows = [MarkingRow(enrollment=enrollment, attendance=marks.get(enrollment.pk)) for enrollment in enrollments]
    return sorted(rows, key=lambda row: row.enrollment.status == Enrollment.Status.DROPPED_OUT)
