"""Follow-ups of completers, 3, 6 and 12 months after the training."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from participants.followups import round_due_on
from participants.models import Enrollment, Outcome


def outcome_clear_unasked(outcome: Outcome) -> None:
    """One rule for every way an answer is saved: the work questions are answered only by those who
    work (employer for the employed, business for the self-employed), and someone not reached
    answered none of the tracer questions."""
    if outcome.status not in Outcome.WORKING_STATUSES:
        outcome.related_to_training = False
        outcome.work_started_on = None
        outcome.monthly_income = None
        outcome.business_name = outcome.sector = outcome.employer_name = ""
    elif outcome.status == Outcome.Status.SELF_EMPLOYED:
        outcome.employer_name = ""
    else:
        outcome.business_name = outcome.sector = ""
    if outcome.status == Outcome.Status.UNREACHABLE:
        outcome.satisfaction = None
        outcome.help_needed = []
        outcome.contact_again = None


@transaction.atomic
def outcome_record(*, enrollment: Enrollment, round_: int, data: dict, actor) -> Outcome:
    """Record (or correct) the follow-up of one completer for one round; "not reachable" is an answer.

    Refused for someone who did not complete, or before the round is due (the package ended less
    than `round_` months ago).
    """
    enrollment = Enrollment.objects.select_for_update(of=("self",)).select_related("package").get(pk=enrollment.pk)
    today = timezone.localdate()
    if enrollment.status != Enrollment.Status.COMPLETED:
        raise ValidationError(_("Follow-ups are recorded for people who completed the training."))
    if round_ not in Outcome.Round.values:
        raise ValidationError(_("A follow-up round is 3, 6 or 12 months."))
    due = round_due_on(enrollment.package.ends_on, round_)
    if due > today:
        raise ValidationError(
            _("The %(months)s-month follow-up is due from %(date)s: %(months)s months after the training.")
            % {"months": round_, "date": date_format(due)}
        )
    outcome = Outcome.objects.filter(enrollment=enrollment, round=round_).first() or Outcome(
        enrollment=enrollment, round=round_
    )
    if outcome.pk is not None and outcome.source == Outcome.Source.SELF_REPORTED:
        # The alumnus answered through their link while staff had the call form open: never overwritten
        # here (staff correct a self-reported answer on its own path, which keeps it theirs).
        raise ValidationError(
            _("The alumnus answered this round themselves in the meantime. Open the follow-up again to see it.")
        )
    outcome.source = Outcome.Source.STAFF_CALL
    for name, value in data.items():
        setattr(outcome, name, value)
    outcome.help_needed = list(outcome.help_needed or [])
    outcome_clear_unasked(outcome)
    outcome.recorded_on = today
    outcome.recorded_by = actor
    outcome.save()
    return outcome
