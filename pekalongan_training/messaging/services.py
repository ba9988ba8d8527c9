"""Sending a message: render it, log it, queue its delivery once the caller's transaction commits."""

import logging
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.template import Context
from django.template.loader import get_template
from django.utils import translation
from django.utils.translation import gettext as _

from pekalongan_training.messaging.tasks import message_deliver
from pekalongan_training.models import Message, OptOut, mask_address
from pekalongan_training.phones import normalize_phone

logger = logging.getLogger("pekalongan_training.messaging")


def normalize_address(*, channel: str, to: str) -> str:
    """The address as the log and the opt-outs store it: 081234567890, or an e-mail in lower case."""
    if channel == Message.Channel.EMAIL:
        address = (to or "").strip().lower()
        validate_email(address)
        return address
    address = normalize_phone(to)
    if not address:
        raise ValidationError({"to": [_("A message needs a phone number.")]})
    return address


def render_message(template: str, context: dict) -> str:
    """The text of messages/<template>.txt in the site's language (Indonesian), as plain text.

    Plain text is not HTML: nothing is escaped ("&" stays "&"), and the blank lines the template
    tags leave are folded, so the text reads as written.
    """
    with translation.override(settings.LANGUAGE_CODE):
        text = get_template(f"messages/{template}.txt").template.render(Context(context, autoescape=False))
    lines = [line.rstrip() for line in text.strip().splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines))


def message_send(*, key: str, to: str, channel: str, template: str, context: dict, subject="", about=None) -> Message:
    """Log a message and queue it; the same key returns the message already logged and sends nothing more.

    The delivery is queued when the caller's transaction commits: a write that is rolled back
    sends nothing (and logs nothing, as the row goes with it). An address that opted out gets a
    row with status opted_out and is never sent to. `about` (a model instance) records what the
    message is about. Raises ValidationError for an address that is no phone number or e-mail.
    """
    if channel not in Message.Channel.values:
        raise ValidationError({"channel": [_("Unknown message channel.")]})
    recipient = normalize_address(channel=channel, to=to)
    earlier = Message.objects.filter(key=key).first()
    if earlier is not None:
        logger.info("Message %s already logged (%s); not queued again", key, earlier.status)
        return earlier
    with translation.override(settings.LANGUAGE_CODE):
        subject = str(subject)
    body = render_message(template, context)
    opted_out = OptOut.objects.filter(address=recipient).exists()
    # get_or_create again: two callers with the same key at the same moment make one row.
    message, created = Message.objects.get_or_create(
        key=key,
        defaults={
            "channel": channel,
            "recipient": recipient,
            "template": template,
            "subject": subject[:200],
            "body": body,
            "status": Message.Status.OPTED_OUT if opted_out else Message.Status.QUEUED,
            "about_kind": about._meta.label_lower if about is not None else "",
            "about_id": about.pk if about is not None else None,
        },
    )
    if not created:
        logger.info("Message %s already logged (%s); not queued again", key, message.status)
        return message
    if opted_out:
        logger.info("Message %s to %s not sent: opted out", key, mask_address(recipient))
        return message
    pk = message.pk
    transaction.on_commit(lambda: message_deliver.enqueue(pk))
    logger.info("Message %s (%s, %s) to %s queued", key, template, channel, mask_address(recipient))
    return message


def message_erase_about(*, kind: str, ids) -> int:
    """Blank the recipient and text of the messages about these records (a person's data erased).

    The rows stay, so the counts of what was sent stay right; a queued message is held back.
    """
    messages = Message.objects.filter(about_kind=kind, about_id__in=list(ids))
    messages.filter(status=Message.Status.QUEUED).update(status=Message.Status.FAILED, last_error="erased")
    return messages.update(recipient="", body="", subject="")
