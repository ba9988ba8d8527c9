"""The attendance sheet to print (A4 landscape): the class against its meetings, blank cells to sign.

For classes without a phone or signal, and for the signed paper record some funders ask for. The
same scope as the roster: dinas staff, and the package's own provider's operators; the NIK masked.
"""

from dataclasses import dataclass

from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from participants.models import Enrollment
from participants.views.portal import portal_view
from programs.models import Session, TrainingPackage

# Columns of meetings on one landscape A4 page: about 22 mm each, room for a signature.
MEETINGS_PER_PAGE = 8


@dataclass(frozen=True)
class SheetPage:
    first: int  # the number of its first meeting, counting from 1
    sessions: list[Session]

    @property
    def last(self) -> int:
        return self.first + len(self.sessions) - 1


@require_GET
@portal_view
def package_attendance_sheet(request, pk):
    package = get_object_or_404(
        TrainingPackage.objects.for_operator(request.user).select_related("provider", "vocation", "venue_kelurahan"),
        pk=pk,
    )
    sessions = list(package.sessions.order_by("date", "starts_at"))
    # Who comes to class: people holding a seat, not those who dropped out.
    people = list(
        Enrollment.objects.filter(package=package, status__in=[Enrollment.Status.ENROLLED, Enrollment.Status.COMPLETED])
        .select_related("participant")
        .order_by("participant__full_name", "pk")
    )
    pages = [
        SheetPage(first=start + 1, sessions=sessions[start : start + MEETINGS_PER_PAGE])
        for start in range(0, len(sessions), MEETINGS_PER_PAGE)
    ]
    return render(
        request,
        "participants/portal/attendance_sheet.html",
        {"package": package, "pages": pages, "people": people, "meeting_count": len(sessions)},
    )
