"""The follow-up work list for dinas staff: who is due, their personal links, and recording,
verifying or correcting the answer."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from participants import followups
from participants.followup_tasks import follow_up_links_send_task, follow_up_reminders_send_task
from participants.forms.followups import FollowUpForm
from participants.models import Enrollment, FollowUpInvitation, Outcome
from participants.services import (
    follow_up_url,
    outcome_record,
    outcome_verify,
)
from participants.services.followup_links import answer_version, links_to_send, reminders_due, window_open
from pekalongan_training.params import whole_number
from pekalongan_training.roles import staff_view

FOLLOW_UP_LIMIT = 100


def _link_message(enrollment, link: str) -> str:
    """What staff paste into WhatsApp with the link: who asks, and why."""
    first_name = (enrollment.participant.full_name or "").split()[:1]
    return _(
        'Hello %(name)s, this is Dinperinaker Kota Pekalongan. How are you doing since the training "%(package)s"? '
        "Please answer a few short questions here: %(link)s"
    ) % {"name": " ".join(first_name), "package": enrollment.package.title, "link": link}


@staff_view
def follow_up_list(request):
    """Who is due, oldest first, each with their personal link while the round's window is open (to paste
    into a chat, or to send by WhatsApp with a message) and what was sent to them; the links and reminders
    to send in bulk; the call list (?show=call); and the alumni's own answers still to verify."""
    today = timezone.localdate()
    year = whole_number(request.GET.get("year"), digits=4)
    call_list = request.GET.get("show") == "call"
    items = followups.pending(today, year, FOLLOW_UP_LIMIT, call_list=call_list)
    invitations = {
        (invitation.enrollment_id, invitation.round): invitation
        for invitation in FollowUpInvitation.objects.filter(enrollment__in=[e.pk for _d, _r, e in items])
    }
    rows = []
    for due, round_, enrollment in items:
        link = follow_up_url(enrollment=enrollment, round=round_) if window_open(enrollment, round_, today) else ""
        rows.append(
            (
                due,
                round_,
                enrollment,
                link,
                _link_message(enrollment, link) if link else "",
                invitations.get((enrollment.pk, round_)),
            )
        )
    to_verify = (
        Outcome.objects.filter(source=Outcome.Source.SELF_REPORTED, verified_at__isnull=True)
        .select_related("enrollment__participant", "enrollment__package")
        .order_by("recorded_on", "pk")
    )
    if year:
        to_verify = to_verify.filter(enrollment__package__cohort__program__fiscal_year=year)
    return render(
        request,
        "participants/intake/followup_list.html",
        {
            "items": items,
            "rows": rows,
            "call_list": call_list,
            "to_send": [(round_, links_to_send(round_, today).count()) for round_ in followups.ROUNDS],
            "reminders": reminders_due(today).count(),
            "reminder_days": followups.REMINDER_AFTER_DAYS,
            "reminder_days_2": followups.REMINDER_AFTER_DAYS * followups.REMINDERS,
            "to_verify": to_verify[:FOLLOW_UP_LIMIT],
            "rounds": followups.progress(today, year),
            "year": year,
            "limit": FOLLOW_UP_LIMIT,
        },
    )


def _help_labels(outcome: Outcome) -> list[str]:
    return [Outcome.Help(value).label for value in outcome.help_needed or [] if value in Outcome.Help.values]


@staff_view
def follow_up_record(request, enrollment_pk, round_):
    enrollment = get_object_or_404(
        Enrollment.objects.select_related("participant", "package__vocation", "package__provider"),
        pk=enrollment_pk,
        status=Enrollment.Status.COMPLETED,
    )
    if round_ not in Outcome.Round.values:
        raise Http404
    existing = Outcome.objects.select_related("verified_by").filter(enrollment=enrollment, round=round_).first()
    self_reported = existing is not None and existing.source == Outcome.Source.SELF_REPORTED
    person = enrollment.participant.full_name
    # The answer as staff saw it: verifying or correcting it is refused if the alumnus changed it since.
    seen = request.POST.get("seen", "") if request.method == "POST" else answer_version(existing)
    if request.method == "POST" and self_reported and "verify" in request.POST:
        # Checked with the person (or against what staff know) and right as it stands.
        try:
            outcome_verify(outcome=existing, by=request.user, seen=seen)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("intake:followup-record", enrollment_pk=enrollment.pk, round_=round_)
        messages.success(request, _("The answer of %(name)s is marked as verified.") % {"name": person})
        return redirect("intake:followup-list")
    form = FollowUpForm(request.POST or None, instance=existing, training_started_on=enrollment.package.starts_on)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in FollowUpForm.Meta.fields}
        try:
            if self_reported:
                # A correction of the alumnus's own answer: it stays theirs, verified by staff (history kept).
                outcome_verify(outcome=existing, by=request.user, data=data, seen=seen)
            else:
                outcome_record(enrollment=enrollment, round_=round_, data=data, actor=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Follow-up of %(name)s saved.") % {"name": person})
            return redirect("intake:followup-list")
    return render(
        request,
        "participants/intake/followup_form.html",
        {
            "form": form,
            "enrollment": enrollment,
            "round": round_,
            "due": followups.round_due_on(enrollment.package.ends_on, round_),
            "self_reported": existing if self_reported else None,
            "seen": seen,
            "help_labels": _help_labels(existing) if self_reported else [],
            "link": follow_up_url(enrollment=enrollment, round=round_) if window_open(enrollment, round_) else "",
        },
    )


@require_POST
@staff_view
def follow_up_links_send_view(request):
    """Send the personal links of one round to everyone due it, in the background (the task queue)."""
    round_ = whole_number(request.POST.get("round"), digits=2)
    if round_ not in Outcome.Round.values:
        messages.error(request, _("Choose a follow-up round: 3, 6 or 12 months."))
        return redirect("intake:followup-list")
    count = links_to_send(round_).count()
    if count:
        transaction.on_commit(lambda: follow_up_links_send_task.enqueue(round_))
        messages.success(
            request,
            ngettext(
                "The %(months)s-month link is being sent to %(count)s person. The answers appear here.",
                "The %(months)s-month link is being sent to %(count)s people. The answers appear here.",
                count,
            )
            % {"months": round_, "count": count},
        )
    else:
        messages.info(request, _("Nobody is waiting for the %(months)s-month link.") % {"months": round_})
    return redirect("intake:followup-list")


@require_POST
@staff_view
def follow_up_reminders_view(request):
    """Send the reminders due today now, in the background (cron sends them every morning too)."""
    count = reminders_due().count()
    if count:
        transaction.on_commit(follow_up_reminders_send_task.enqueue)
        messages.success(
            request,
            ngettext(
                "%(count)s reminder is being sent.",
                "%(count)s reminders are being sent.",
                count,
            )
            % {"count": count},
        )
    else:
        messages.info(request, _("No reminder is due today."))
    return redirect("intake:followup-list")
