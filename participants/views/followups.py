"""The follow-up work list for dinas staff: who is due, and recording the answer."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from participants import followups
from participants.forms.followups import FollowUpForm
from participants.models import Enrollment, Outcome
from participants.services import (
    outcome_record,
)
from pekalongan_training.params import whole_number
from pekalongan_training.roles import staff_view

FOLLOW_UP_LIMIT = 100


@staff_view
def follow_up_list(request):
    today = timezone.localdate()
    year = whole_number(request.GET.get("year"), digits=4)
    return render(
        request,
        "participants/intake/followup_list.html",
        {
            "items": followups.pending(today, year, FOLLOW_UP_LIMIT),
            "rounds": followups.progress(today, year),
            "year": year,
            "limit": FOLLOW_UP_LIMIT,
        },
    )


@staff_view
def follow_up_record(request, enrollment_pk, round_):
    enrollment = get_object_or_404(
        Enrollment.objects.select_related("participant", "package__vocation", "package__provider"),
        pk=enrollment_pk,
        status=Enrollment.Status.COMPLETED,
    )
    if round_ not in Outcome.Round.values:
        raise Http404
    existing = Outcome.objects.filter(enrollment=enrollment, round=round_).first()
    form = FollowUpForm(request.POST or None, instance=existing)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in FollowUpForm.Meta.fields}
        try:
            outcome_record(enrollment=enrollment, round_=round_, data=data, actor=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Follow-up of %(name)s saved.") % {"name": enrollment.participant.full_name})
            return redirect("intake:followup-list")
    return render(
        request,
        "participants/intake/followup_form.html",
        {
            "form": form,
            "enrollment": enrollment,
            "round": round_,
            "due": followups.round_due_on(enrollment.package.ends_on, round_),
        },
    )
