"""What the system tells people, through the message service (pekalongan_training.messaging).

Callers call these after their writes, inside their transaction: each message is logged with the
write and goes out once the transaction commits (a rolled-back write sends nothing). Every message
has a key naming its event, so calling again for the same event sends nothing more. Participants
have a phone number and no e-mail address, so messages go by WhatsApp; a person without a usable
number is skipped, and the skip is logged. No message holds a NIK.
"""

import hashlib
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from participants.models import Enrollment
from pekalongan_training.messaging import message_send
from pekalongan_training.models import Message

logger = logging.getLogger("participants.notify")

WHATSAPP = Message.Channel.WHATSAPP


def _url(name: str, *args) -> str:
    """The full address of a page for a message; '' while the page does not exist."""
    try:
        path = reverse(name, args=args)
    except NoReverseMatch:
        return ""
    return settings.MESSAGE_SITE_URL + path


def _receipt_number(enrollment: Enrollment) -> str:
    """The receipt of the latest online submission, else the enrollment's own: what a message about that
    submission names. The selection result names the enrollment's own, as the announcement does."""
    if enrollment.submitted:
        return enrollment.submitted[-1].get("receipt_number") or ""
    return enrollment.receipt_number or ""


def _send(*, what: str, enrollment: Enrollment, phone: str, **message) -> bool:
    """One message, or a logged skip when there is no usable number; True when a new message was logged."""
    if Message.objects.filter(key=message["key"]).exists():  # told already: the same event again
        return False
    if not (phone or "").strip():
        logger.warning("%s for enrollment %s not sent: no phone number", what, enrollment.pk)
        return False
    try:
        message_send(to=phone, about=enrollment, **message)
    except ValidationError:
        logger.warning("%s for enrollment %s not sent: the phone number is not usable", what, enrollment.pk)
        return False
    return True


def _after_save(enrollment: Enrollment, send) -> None:
    """Run `send` now, or, for an enrollment its caller has not saved yet, once it is saved (on commit)."""
    if enrollment.pk is not None:
        send()
    else:
        transaction.on_commit(send)


def registration_receipt(*, enrollment, phone: str, email: str = "") -> None:
    """The receipt of an online registration, to the number typed on the form (and the e-mail, if given)."""

    def send():
        receipt = _receipt_number(enrollment)
        event = receipt or f"enrollment-{enrollment.pk}"
        context = {
            "package": enrollment.package,
            "receipt_number": receipt,
            "status_url": _url("public:status"),
        }
        _send(
            what="Registration receipt",
            enrollment=enrollment,
            phone=phone,
            key=f"registration-receipt:{event}",
            channel=WHATSAPP,
            template="registration_receipt",
            context=context,
        )
        if email:
            with translation.override(settings.LANGUAGE_CODE):
                subject = _("Your training application: receipt %(number)s") % {"number": receipt}
            try:
                message_send(
                    key=f"registration-receipt:{event}:email",
                    to=email,
                    channel=Message.Channel.EMAIL,
                    template="registration_receipt",
                    context=context,
                    subject=subject,
                    about=enrollment,
                )
            except ValidationError:
                logger.warning(
                    "Registration receipt for enrollment %s: the e-mail address is not usable", enrollment.pk
                )

    _after_save(enrollment, send)


def owner_notice(*, enrollment, phone: str, text: str) -> None:
    """To the person on record: an application was made with their NIK (the caller writes the text)."""

    def send():
        # One notice per submission: each has its own receipt number.
        event = _receipt_number(enrollment) or hashlib.sha256(text.encode()).hexdigest()[:16]
        _send(
            what="Owner notice",
            enrollment=enrollment,
            phone=phone,
            key=f"owner-notice:{enrollment.pk}:{event}",
            channel=WHATSAPP,
            template="owner_notice",
            context={"text": text},
        )

    _after_save(enrollment, send)


def selection_results(*, package) -> int:
    """Each applicant of a decided package their own result; returns how many messages were queued.

    Accepted (enrolled), on the waitlist (with the place in it) or not accepted (with the reason
    kept on the enrollment). The key carries the time of the decision: a decision made again (after
    staff moved someone) tells everyone again; the same decision never twice.
    """
    if package.selection_decided_at is None:
        return 0
    decided = package.selection_decided_at.isoformat()
    announcement_url = _url("public:announcement", package.pk) if package.announcement_published_at else ""
    packages_url = _url("public:package-list")
    venue = package.venue_address or (package.venue_kelurahan.name if package.venue_kelurahan_id else "")
    waitlist = {pk: place for place, pk in enumerate(package.enrollments.waitlist().values_list("pk", flat=True), 1)}
    results = {
        Enrollment.Status.ENROLLED: "accepted",
        Enrollment.Status.WAITLISTED: "waitlisted",
        Enrollment.Status.REJECTED: "rejected",
    }
    queued = 0
    applicants = package.enrollments.filter(status__in=results).select_related("participant").order_by("pk")
    for enrollment in applicants:
        queued += _send(
            what="Selection result",
            enrollment=enrollment,
            phone=enrollment.participant.phone,
            key=f"selection-result:{enrollment.pk}:{decided}",
            channel=WHATSAPP,
            template="selection_result",
            context={
                "package": package,
                "result": results[enrollment.status],
                # The number the announcement lists (the latest submission's may be another).
                "receipt_number": enrollment.receipt_number or "",
                "rank": waitlist.get(enrollment.pk),
                "reason": enrollment.decision_reason,
                "venue": venue,
                "announcement_url": announcement_url,
                "packages_url": packages_url,
            },
        )
    return queued


def schedule_changed(*, session, old_date) -> int:
    """Everyone enrolled in the meeting's package: the meeting moved from old_date (or its hours changed).

    Nothing for a meeting that was and stays in the past (a record corrected). Each move is its own
    event: moving a meeting back and forth tells people each time.
    """
    today = timezone.localdate()
    if session.date < today and old_date < today:
        return 0
    package = session.package
    moved_at = timezone.now().strftime("%Y%m%dT%H%M%S%f")
    venue = package.venue_address or (package.venue_kelurahan.name if package.venue_kelurahan_id else "")
    context = {
        "package": package,
        "session": session,
        "old_date": old_date,
        "moved": old_date != session.date,
        "venue": venue,
    }
    queued = 0
    enrolled = package.enrollments.filter(status=Enrollment.Status.ENROLLED).select_related("participant")
    for enrollment in enrolled.order_by("pk"):
        queued += _send(
            what="Schedule change",
            enrollment=enrollment,
            phone=enrollment.participant.phone,
            key=f"schedule-changed:{session.pk}:{old_date.isoformat()}:{moved_at}:{enrollment.pk}",
            channel=WHATSAPP,
            template="schedule_changed",
            context=context,
        )
    return queued


def follow_up_link(*, enrollment, round_: int, link: str, last_day, reminder: int = 0) -> bool:
    """The personal follow-up link of one round (reminder 0: the first message; 1 and 2: the reminders).

    The caller (participants.services.followup_links) gives the link: the same in every message.
    Each message of the sequence has its own key, so the first message and each reminder go once.
    """
    first_name = ((enrollment.participant.full_name or "").split() or [""])[0]
    return _send(
        what="Follow-up link",
        enrollment=enrollment,
        phone=enrollment.participant.phone,
        key=f"followup-link:{enrollment.pk}:{round_}:{reminder}",
        channel=WHATSAPP,
        template="followup_link",
        context={
            "first_name": first_name,
            "package": enrollment.package,
            "months": round_,
            "link": link,
            "last_day": last_day,
            "reminder": reminder,
        },
    )
