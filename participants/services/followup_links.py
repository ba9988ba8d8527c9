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
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from participants import notifications
from participants.followups import REMINDER_AFTER_DAYS, REMINDERS, in_window, round_window
from participants.models import Enrollment, FollowUpInvitation, Outcome
from participants.services.followups import outcome_clear_unasked
from programs.models import TrainingPackage

SALT = "participants.alumni"
# A signed token is about 40 characters; anything much longer is not ours and is not even read.
MAX_TOKEN_LENGTH = 120

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
    outcome_clear_unasked(outcome)
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


def answer_version(outcome: Outcome | None) -> str:
    """What identifies the answer as it stands now (its latest history record), for "verified what I saw"."""
    if outcome is None or outcome.pk is None:
        return ""
    latest = outcome.history.order_by("-history_id").values_list("history_id", flat=True).first()
    return str(latest or "")


@transaction.atomic
def outcome_verify(*, outcome: Outcome, by, data: dict | None = None, seen: str | None = None) -> Outcome:
    """Staff checked an alumnus's own answer, and corrected it with `data` if given.

    The answer stays self-reported and keeps its date (it is still the person's answer, checked);
    who verified it and when is recorded, and the history keeps the answer as it was before.
    `seen` (answer_version of the answer staff read) refuses the check when the alumnus changed the
    answer since. A correction cannot make it "not reachable": the person answered.
    """
    outcome = Outcome.objects.select_for_update().get(pk=outcome.pk)
    if outcome.source != Outcome.Source.SELF_REPORTED:
        raise ValidationError(_("Only an answer given by the alumnus is verified."))
    if seen is not None and seen != answer_version(outcome):
        raise ValidationError(_("The alumnus changed the answer in the meantime. Check it again."))
    unknown = set(data or {}) - {*SELF_REPORT_FIELDS, "notes"}
    if unknown:
        raise ValueError(f"not part of an answer: {sorted(unknown)}")
    for name, value in (data or {}).items():
        setattr(outcome, name, value)
    if outcome.status == Outcome.Status.UNREACHABLE:
        raise ValidationError(
            {"status": _("The alumnus answered this round themselves: choose what they do now, not 'Not reachable'.")}
        )
    outcome.help_needed = list(outcome.help_needed or [])
    outcome_clear_unasked(outcome)
    outcome.verified_at = timezone.now()
    outcome.verified_by = by
    outcome.full_clean(exclude=["enrollment", "round"], validate_unique=False)
    outcome.save()
    return outcome


# --- sending the links and the reminders ----------------------------------------------------------


def _open_to_the_link(enrollments, round_: int):
    """Without an answer at the round that the link may not change (staff's "not reachable" it may)."""
    answered = Outcome.objects.filter(enrollment=OuterRef("pk"), round=round_).exclude(
        source=Outcome.Source.STAFF_CALL, status=Outcome.Status.UNREACHABLE
    )
    return enrollments.exclude(Exists(answered))


def _in_open_window(round_: int, today: datetime.date):
    enrollments = Enrollment.objects.exclude(package__status=TrainingPackage.Status.CANCELLED)
    return _open_to_the_link(in_window(enrollments, round_, today), round_)


def links_to_send(round_: int, today: datetime.date | None = None):
    """Completers whose round `round_` is open today, not answered and not yet sent its link, with a phone."""
    today = today or timezone.localdate()
    sent = FollowUpInvitation.objects.filter(enrollment=OuterRef("pk"), round=round_, sent_at__isnull=False)
    return _in_open_window(round_, today).exclude(participant__phone="").exclude(Exists(sent))


def reminders_due(today: datetime.date | None = None):
    """Links sent and not answered, with a reminder due today: REMINDER_AFTER_DAYS since the last message,
    fewer than REMINDERS reminders so far, the round's window still open and no staff answer since."""
    today = today or timezone.localdate()
    invitations = FollowUpInvitation.objects.none()
    for round_ in Outcome.Round.values:
        invitations |= FollowUpInvitation.objects.filter(
            round=round_, enrollment__in=_in_open_window(round_, today).values("pk")
        )
    return invitations.filter(
        sent_at__isnull=False,
        answered_at__isnull=True,
        reminders_sent__lt=REMINDERS,
        last_sent_at__date__lte=today - datetime.timedelta(days=REMINDER_AFTER_DAYS),
    )


def _message(enrollment: Enrollment, round_: int, reminder: int) -> bool:
    return notifications.follow_up_link(
        enrollment=enrollment,
        round_=round_,
        link=follow_up_url(enrollment=enrollment, round=round_),
        last_day=round_window(enrollment.package.ends_on, round_)[1],
        reminder=reminder,
    )


@transaction.atomic
def _invite(enrollment_pk: int, round_: int, today: datetime.date) -> bool:
    """The first message to one person, re-checked under a lock on the enrollment; True when queued."""
    enrollment = (
        Enrollment.objects.select_for_update(of=("self",))
        .select_related("participant", "package")
        .filter(pk=enrollment_pk)
        .first()
    )
    if enrollment is None or not links_to_send(round_, today).filter(pk=enrollment_pk).exists():
        return False  # sent, answered or changed since the list was read
    if not _message(enrollment, round_, 0):
        return False
    now = timezone.now()
    invitation, _created = FollowUpInvitation.objects.get_or_create(enrollment=enrollment, round=round_)
    invitation.sent_at = invitation.last_sent_at = now
    invitation.save(update_fields=["sent_at", "last_sent_at"])
    return True


def follow_up_links_send(*, round: int, today: datetime.date | None = None) -> int:
    """Send the personal link of `round` to everyone in `links_to_send`; returns how many messages were queued.

    Each person is sent in a transaction of their own (a long run holds no lock on the others), and
    re-checked under the lock, so two runs at once, or a run after the person answered, send nothing twice.
    Run from the task queue (participants.tasks.follow_up_links_send_task): staff click once.
    """
    if round not in Outcome.Round.values:
        raise ValueError(f"no follow-up round {round!r}")
    today = today or timezone.localdate()
    pks = list(links_to_send(round, today).order_by("package__ends_on", "pk").values_list("pk", flat=True))
    return sum(_invite(pk, round, today) for pk in pks)


@transaction.atomic
def _remind(invitation_pk: int, today: datetime.date) -> bool:
    invitation = FollowUpInvitation.objects.select_for_update().filter(pk=invitation_pk).first()
    if invitation is None or not reminders_due(today).filter(pk=invitation_pk).exists():
        return False
    enrollment = Enrollment.objects.select_related("participant", "package").get(pk=invitation.enrollment_id)
    reminder = invitation.reminders_sent + 1
    if not _message(enrollment, invitation.round, reminder):
        return False
    invitation.reminders_sent = reminder
    invitation.last_sent_at = timezone.now()
    invitation.save(update_fields=["reminders_sent", "last_sent_at"])
    return True


def follow_up_reminders_send(*, today: datetime.date | None = None) -> int:
    """Send every reminder due today (`reminders_due`); returns how many were queued.

    Run once a day (`manage.py follow_up_reminders` from cron, or the button on the follow-up list);
    running it twice a day sends nothing twice: a reminder is due a week after the last message.
    """
    today = today or timezone.localdate()
    pks = list(reminders_due(today).order_by("pk").values_list("pk", flat=True))
    return sum(_remind(pk, today) for pk in pks)
