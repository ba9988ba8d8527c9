"""The alumnus's own follow-up page (no login): /alumni/<token>/, the personal link staff send.

The page names the person by first name and the package by its title, nothing more (no NIK, no
phone, no address): whoever holds the link learns no personal data from it. Every token that does
not open a round today (tampered, someone else's edited, expired, not due) is the same 404.
"""

from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from participants.followups import round_window
from participants.forms.alumni import AlumniFollowUpForm
from participants.public_pages import dinas_contact
from participants.services import follow_up_target, outcome_self_report


def _first_name(full_name: str) -> str:
    parts = (full_name or "").split()
    return parts[0] if parts else ""


@never_cache  # personal: no shared or back-button cache keeps it
@require_http_methods(["GET", "POST"])
def alumni_followup(request, token):
    """The tracer questions for one person and round; after an answer, thanks, and a way to correct it."""
    target = follow_up_target(token)
    if target is None:
        raise Http404
    enrollment, round_ = target.enrollment, target.round
    package = enrollment.package
    context = {
        "first_name": _first_name(enrollment.participant.full_name),
        "package_title": package.title,
        "round": round_,
        "last_day": round_window(package.ends_on, round_)[1],
        "contact": dinas_contact(),
        "outcome": target.outcome,
    }
    if target.answered_by_staff:
        return render(request, "participants/public/alumni_thanks.html", {**context, "by_staff": True})
    answered = target.outcome is not None and target.outcome.source == target.outcome.Source.SELF_REPORTED
    if request.method == "GET" and answered and "change" not in request.GET:
        return render(request, "participants/public/alumni_thanks.html", context)
    form = AlumniFollowUpForm(
        request.POST if request.method == "POST" else None,  # a POST with every question skipped is one too
        initial=AlumniFollowUpForm.initial_from(target.outcome),
        training_started_on=package.starts_on,
    )
    if request.method == "POST" and form.is_valid():
        try:
            outcome_self_report(enrollment=enrollment, round=round_, data=form.answer())
        except ValidationError as error:
            by_field = error.message_dict if hasattr(error, "error_dict") else {None: error.messages}
            for field, messages in by_field.items():
                for message in messages:
                    form.add_error(field if field in form.fields else None, message)
        else:
            return redirect("alumni-followup", token=token)
    return render(
        request,
        "participants/public/alumni_form.html",
        {**context, "form": form, "correcting": answered},
    )
