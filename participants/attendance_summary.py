"""Summaries of attendance marks, kept next to the marks so the dashboard never counts millions of rows.

Enrollment.marks_* count a person's marks by status; Session.first_marked_at is the time of a
meeting's first mark. The attendance services call refresh() in the same transaction as every
write; bulk loaders (seed_demo, seed_scale) call it once at the end. Each refresh is two UPDATE
statements with subqueries, however many rows it covers.
"""

from django.db.models import Count, F, IntegerField, Min, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from participants.models import Attendance, Enrollment
from programs.models import Session


def _count(status=None):
    marks = Attendance.objects.filter(enrollment=OuterRef("pk"))
    if status:
        marks = marks.filter(status=status)
    counted = marks.order_by().values("enrollment").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def refresh(*, enrollments=None, sessions=None) -> None:
    """Recount the summaries of these enrollments and meetings (ids or querysets; None: all)."""
    enrollment_rows = Enrollment.objects.all() if enrollments is None else Enrollment.objects.filter(pk__in=enrollments)
    enrollment_rows.update(
        marks_total=_count(),
        marks_present=_count(Attendance.Status.PRESENT),
        marks_excused=_count(Attendance.Status.EXCUSED),
        marks_sick=_count(Attendance.Status.SICK),
    )
    session_rows = Session.objects.all() if sessions is None else Session.objects.filter(pk__in=sessions)
    first = (
        Attendance.objects.filter(session=OuterRef("pk"))
        .order_by()
        .values("session")
        .annotate(first=Min("marked_at"))
        .values("first")
    )
    # Once set, the time of the first mark stays, even when that mark is changed later.
    session_rows.update(first_marked_at=Coalesce(F("first_marked_at"), Subquery(first)))
