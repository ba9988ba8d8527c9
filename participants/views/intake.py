"""Intake for dinas staff: enrollment per package (search, enroll, decide on applicants, withdraw)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from participants.eligibility import eligibility_failures_for
from participants.models import Enrollment, Participant
from participants.search import participant_search
from participants.selectors import with_seat_counts
from participants.services import (
    applicant_accept,
    applicant_reject,
    enrollment_create,
    enrollment_withdraw,
)
from participants.services.public import registration_verify
from pekalongan_training.params import whole_number
from pekalongan_training.roles import staff_view
from programs.models import TrainingPackage


def _search(query: str):
    if not query.strip():
        return []
    found = participant_search(Participant.objects.all(), query)
    return list(found.select_related("kelurahan").order_by("full_name")[:20])


@staff_view
def package_enrollment(request, pk):
    package = get_object_or_404(
        with_seat_counts(TrainingPackage.objects).select_related("provider", "vocation", "cohort__program"), pk=pk
    )
    enrollments = list(
        package.enrollments.select_related("participant__kelurahan").order_by("waitlisted_at", "participant__full_name")
    )
    by_status = {status: [] for status in Enrollment.Status.values}
    for enrollment in enrollments:
        by_status[enrollment.status].append(enrollment)
    applied = sorted(by_status[Enrollment.Status.APPLIED], key=lambda e: (e.created_at, e.pk))
    checked = list(zip(applied, eligibility_failures_for([e.participant for e in applied], package), strict=True))
    # Registered online with a NIK on record under another name or birth date: apart, what was typed
    # beside the record, never shown as meeting the rules, not acceptable until verified.
    to_verify = [(enrollment, failures) for enrollment, failures in checked if enrollment.identity_to_verify]
    applicants = [(enrollment, failures) for enrollment, failures in checked if not enrollment.identity_to_verify]
    query = request.GET.get("q", "")
    found = _search(query)
    in_package = {e.participant_id for e in enrollments}
    return render(
        request,
        "participants/intake/package_enrollment.html",
        {
            "package": package,
            "enrolled": [e for s in Enrollment.SEAT_STATUSES for e in by_status[s]],
            "waitlist": by_status[Enrollment.Status.WAITLISTED],
            "applicants": applicants,
            "to_verify": to_verify,
            "closed": by_status[Enrollment.Status.REJECTED] + by_status[Enrollment.Status.WITHDRAWN],
            "query": query,
            "found": [(person, person.pk in in_package) for person in found],
            "today": timezone.localdate(),
        },
    )


def _package_for_staff(pk):
    return get_object_or_404(TrainingPackage, pk=pk)


@require_POST
@staff_view
def enrollment_add(request, pk):
    package = _package_for_staff(pk)
    participant = get_object_or_404(Participant, pk=whole_number(request.POST.get("participant")) or 0)
    try:
        enrollment = enrollment_create(
            participant=participant,
            package=package,
            override_reason=request.POST.get("override_reason", ""),
            actor=request.user,
            waitlist_if_full=True,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if enrollment.status == Enrollment.Status.WAITLISTED:
            messages.warning(
                request, _("The package is full: %(name)s is on the waitlist.") % {"name": participant.full_name}
            )
        else:
            messages.success(request, _("%(name)s is enrolled.") % {"name": participant.full_name})
    return redirect("intake:package-enrollment", pk=package.pk)


@require_POST
@staff_view
def applicants_decide(request, pk):
    """Accept, reject or verify (online registrations) the ticked applicants, each through the services."""
    package = _package_for_staff(pk)
    action = request.POST.get("action")
    ids = [number for value in request.POST.getlist("enrollment") if (number := whole_number(value)) is not None]
    chosen = list(package.enrollments.filter(pk__in=ids).select_related("participant").order_by("created_at", "pk"))
    if not chosen:
        messages.error(request, _("Tick at least one person."))
        return redirect("intake:package-enrollment", pk=package.pk)
    reason = request.POST.get("reason", "")
    if action == "verify":
        for enrollment in chosen:
            try:
                registration_verify(enrollment=enrollment, actor=request.user)
            except ValidationError as error:
                messages.error(request, f"{enrollment.participant.full_name}: {' '.join(error.messages)}")
            else:
                messages.success(
                    request,
                    _("Verified: %(name)s registered online themselves.") % {"name": enrollment.participant.full_name},
                )
        return redirect("intake:package-enrollment", pk=package.pk)
    if action == "reject" and not reason.strip():
        messages.error(request, _("Write the reason for the rejection; the person is told why."))
        return redirect("intake:package-enrollment", pk=package.pk)
    done, errors = [], []
    for enrollment in chosen:
        try:
            if action == "accept":
                result = applicant_accept(
                    enrollment=enrollment, actor=request.user, override_reason=request.POST.get("override_reason", "")
                )
                done.append(f"{enrollment.participant.full_name} ({result.get_status_display().lower()})")
            elif action == "reject":
                applicant_reject(enrollment=enrollment, reason=reason, actor=request.user)
                done.append(enrollment.participant.full_name)
        except ValidationError as error:
            errors.append(f"{enrollment.participant.full_name}: {' '.join(error.messages)}")
    if done:
        label = _("Accepted") if action == "accept" else _("Rejected")
        messages.success(request, f"{label}: {', '.join(done)}.")
    for error in errors:
        messages.error(request, error)
    return redirect("intake:package-enrollment", pk=package.pk)


@require_POST
@staff_view
def enrollment_withdraw_view(request, pk, enrollment_pk):
    package = _package_for_staff(pk)
    enrollment = get_object_or_404(package.enrollments.select_related("participant"), pk=enrollment_pk)
    try:
        promoted = enrollment_withdraw(enrollment=enrollment, reason=request.POST.get("reason", ""), actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("%(name)s withdrew.") % {"name": enrollment.participant.full_name})
        if promoted is not None:
            messages.warning(
                request,
                _("%(name)s moved up from the waitlist and is now enrolled. Let them know.")
                % {"name": promoted.participant.full_name},
            )
    return redirect("intake:package-enrollment", pk=package.pk)
