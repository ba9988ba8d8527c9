"""The personal follow-up link: an alumnus answers a round for themselves at /alumni/<token>/.

The token is signed (django.core.signing, with the project's SECRET_KEY and a salt of its own), so
it cannot be guessed or changed: it names one enrollment and one round, and a token for one person
cannot be turned into another's. It holds no date. It opens only while the round's window is open,
which follows from the package's last day (the due rule of participants/followups.py), so the same
person gets the same link in the first message and in every reminder, and the link stops working
by itself when the window closes.

The window of round R runs from the day R is due until the day before the next round is due (3
months: until the 6-month round is due; 6 months: until the 12-month round is due); the 12-month
round's window stays open 6 months, like the 6-month one's. Within the window an answer can be
corrected through the same link; the Outcome's history keeps every earlier answer.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from participants.followups import round_due_on
from participants.models import Enrollment, FollowUpInvitation, Outcome
from pekalongan_training.dates import add_months

SALT = "participants.alumni"
# A signed token is about 40 characters; anything much longer is not ours and is not even read.
MAX_TOKEN_LENGTH = 120
LAST_WINDOW_MONTHS = 6

# What the alumnus answers (the staff form's fields, without notes, and the tracer's own questions).
SELF_REPORT_FIELDS = (
    "status",
    "work_started_on",
    "related_to_training",
    "monthly_income",
    "business_name",
    "sector",
    "employer_name",
    "satisfaction",
    "help_needed",
    "contact_again",
)


def round_window(ends_on: datetime.date, round_: int) -> tuple[datetime.date, datetime.date]:
    """(first day, last day) on which round `round_` of a package that ended on `ends_on` may be answered."""
    opens = round_due_on(ends_on, round_)
    later = [r for r in Outcome.Round.values if r > round_]
    closes = round_due_on(ends_on, later[0]) if later else add_months(opens, LAST_WINDOW_MONTHS)
    return opens, closes - datetime.timedelta(days=1)


def window_open(enrollment: Enrollment, round_: int, today: datetime.date | None = None) -> bool:
    today = today or timezone.localdate()
    opens, last_day = round_window(enrollment.package.ends_on, round_)
    return opens <= today <= last_day


def _signer() -> signing.Signer:
    # A Signer, not signing.dumps (which adds the signing time): the same person and round get the
    # same link every time, and the window, not a token's age, decides whether it opens.
    return signing.Signer(salt=SALT)


def _token(enrollment_pk: int, round_: int) -> str:
    return _signer().sign_object([enrollment_pk, round_])


def follow_up_link(*, enrollment: Enrollment, round: int) -> str:
    """The path of the personal link of `enrollment` for `round` (the same path every time it is asked)."""
    if round not in Outcome.Round.values:
        raise ValueError(f"no follow-up round {round!r}")
    return reverse("alumni-followup", args=[_token(enrollment.pk, round)])


def follow_up_url(*, enrollment: Enrollment, round: int) -> str:
    """The full address of the personal link, for a message or for pasting into a chat."""
    return settings.MESSAGE_SITE_URL + follow_up_link(enrollment=enrollment, round=round)


@dataclass(frozen=True)
class FollowUpTarget:
    enrollment: Enrollment
    round: int
    outcome: Outcome | None

    @property
    def answered_by_staff(self) -> bool:
        """Staff recorded a real answer on a call: the link no longer changes it (a "not reachable" it may)."""
        return (
            self.outcome is not None
            and self.outcome.source == Outcome.Source.STAFF_CALL
            and self.outcome.status != Outcome.Status.UNREACHABLE
        )


def follow_up_target(token: str, today: datetime.date | None = None) -> FollowUpTarget | None:
    """The enrollment and round a token opens today, or None: tampered, not ours, for someone who did
    not complete, a round not yet due or whose window has closed all look the same (a 404)."""
    if not isinstance(token, str) or len(token) > MAX_TOKEN_LENGTH:
        return None
    try:
        payload = _signer().unsign_object(token)
    except signing.BadSignature:
        return None
    if not (
        isinstance(payload, list)
        and len(payload) == 2
        and all(type(value) is int for value in payload)
        and payload[1] in Outcome.Round.values
    ):
        return None
    enrollment_pk, round_ = payload
    enrollment = (
        Enrollment.objects.select_related("participant", "package__vocation")
        .filter(pk=enrollment_pk, status=Enrollment.Status.COMPLETED)
        .first()
    )
    if enrollment is None or not window_open(enrollment, round_, today):
        return None
    outcome = Outcome.objects.filter(enrollment=enrollment, round=round_).first()
    return FollowUpTarget(enrollment=enrollment, round=round_, outcome=outcome)


@transaction.atomic
def outcome_self_report(*, enrollment: Enrollment, round: int, data: dict) -> Outcome:
    """Save (or correct) the alumnus's own answer for one round, given through their personal link.

    Refused for someone who did not complete, outside the round's window, and over an answer staff
    recorded on a call (a "not reachable" gives way to the person's own answer). A correction clears
    an earlier verification: staff verified the old answer, not this one. The answer is dated today,
    recorded by nobody (the person has no account); the invitation records when it was answered.
    """
    enrollment = Enrollment.objects.select_for_update(of=("self",)).select_related("package").get(pk=enrollment.pk)
    if enrollment.status != Enrollment.Status.COMPLETED or round not in Outcome.Round.values:
        raise ValidationError(_("This link is not valid."))
    if not window_open(enrollment, round):
        raise ValidationError(_("This link is no longer valid: the time to answer this round has ended."))
    unknown = set(data) - set(SELF_REPORT_FIELDS)
    if unknown:
        raise ValueError(f"not an answer the alumnus gives: {sorted(unknown)}")
    outcome = Outcome.objects.filter(enrollment=enrollment, round=round).first()
    if outcome is None:
        outcome = Outcome(enrollment=enrollment, round=round)
    elif FollowUpTarget(enrollment, round, outcome).answered_by_staff:
        raise ValidationError(_("The dinas has already recorded your answer for this round."))
    for name in SELF_REPORT_FIELDS:
        setattr(outcome, name, data.get(name, Outcome._meta.get_field(name).get_default()))
    outcome.help_needed = list(outcome.help_needed or [])
    if outcome.status not in Outcome.WORKING_STATUSES:
        outcome.related_to_training = False
        outcome.work_started_on = None
        outcome.monthly_income = None
        outcome.business_name = outcome.sector = outcome.employer_name = ""
    elif outcome.status == Outcome.Status.SELF_EMPLOYED:
        outcome.employer_name = ""
    else:
        outcome.business_name = outcome.sector = ""
    outcome.source = Outcome.Source.SELF_REPORTED
    outcome.recorded_on = timezone.localdate()
    outcome.recorded_by = None
    outcome.verified_at = None
    outcome.verified_by = None
    outcome.full_clean(exclude=["enrollment", "round"], validate_unique=False)
    outcome.save()
    now = timezone.now()
    invitation, created = FollowUpInvitation.objects.get_or_create(
        enrollment=enrollment, round=round, defaults={"answered_at": now}
    )
    if not created:
        invitation.answered_at = now
        invitation.save(update_fields=["answered_at"])
    return outcome


@transaction.atomic
def outcome_verify(*, outcome: Outcome, by, data: dict | None = None) -> Outcome:
    """Staff checked an alumnus's own answer, and corrected it with `data` if given.

    The answer stays self-reported and keeps its date (it is still the person's answer, checked);
    who verified it and when is recorded, and the history keeps the answer as it was before.
    """
    outcome = Outcome.objects.select_for_update().get(pk=outcome.pk)
    if outcome.source != Outcome.Source.SELF_REPORTED:
        raise ValidationError(_("Only an answer given by the alumnus is verified."))
    for name, value in (data or {}).items():
        setattr(outcome, name, value)
    if outcome.status not in Outcome.WORKING_STATUSES:
        outcome.related_to_training = False
        outcome.work_started_on = None
    outcome.verified_at = timezone.now()
    outcome.verified_by = by
    outcome.save()
    return outcome
