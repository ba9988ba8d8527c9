"""The public announcements of selection results (no login): per package, per wave, and their list.

Each page prints on A4 as it is (static/css/announcement-print.css): the dinas puts the printout
on its notice board. Only packages whose announcement staff published are shown; any other id is a
404 that says nothing about the package.
"""

from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from participants.public_pages import announced_packages, announced_waves, announcements, dinas_contact


@require_GET
def announcement_list(request):
    """Every wave with published results, the newest announcement first."""
    return render(
        request,
        "participants/public/announcement_list.html",
        {"waves": announced_waves(), "contact": dinas_contact()},
    )


@require_GET
def announcement(request, pk):
    """One package's result."""
    package = get_object_or_404(announced_packages(), pk=pk)
    [item] = announcements([package])
    return render(
        request,
        "participants/public/announcement.html",
        {"announcements": [item], "wave": None, "published_on": item.published_on, "contact": dinas_contact()},
    )


@require_GET
def announcement_wave(request, pk):
    """The results of every announced package of one wave, one after the other (a page each in print)."""
    packages = list(announced_packages().filter(cohort_id=pk).order_by("code"))
    if not packages:
        raise Http404
    items = announcements(packages)
    return render(
        request,
        "participants/public/announcement.html",
        {
            "announcements": items,
            "wave": packages[0].cohort,
            "published_on": max(item.published_on for item in items),
            "contact": dinas_contact(),
        },
    )
