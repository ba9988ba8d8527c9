"""Delivering a logged message, in the task queue (django-tasks; `manage.py db_worker` runs it)."""

import datetime
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from pekalongan_training.messaging.backends import get_backend
from pekalongan_training.models import Message, OptOut, mask_address

logger = logging.getLogger("pekalongan_training.messaging")


def _may_deliver(message: Message) -> bool:
    if message.status == Message.Status.QUEUED:
        return True
    return message.status == Message.Status.FAILED and message.attempts < settings.MESSAGE_MAX_ATTEMPTS


@task()
def message_deliver(message_id: int) -> str:
    """Hand one message to the backend, at most once; returns the message's status.

    The row is locked and marked `sending` (with the attempt counted) in a transaction that
    commits BEFORE the backend is called. So a second run of the task (a worker restarted, the
    task queued twice) finds the message sent, failed or sending and does nothing: nothing is sent
    twice. The price: a worker that dies while the backend is working leaves the message in
    `sending`, and it is never sent again automatically, since nobody knows whether the gateway
    took it. The admin lists such messages (status "Being sent") so that staff can check with the
    person. A message that failed is queued again after MESSAGE_RETRY_SECONDS times the attempts
    made, until MESSAGE_MAX_ATTEMPTS attempts (on a task backend that can run tasks later; the
    immediate backend of development and tests does not retry).
    """
    with transaction.atomic():
        message = Message.objects.select_for_update().filter(pk=message_id).first()
        if message is None or not _may_deliver(message):
            return message.status if message else "missing"
        if not message.recipient:  # erased (message_erase_about)
            message.status, message.last_error = Message.Status.FAILED, "no recipient"
            message.attempts = settings.MESSAGE_MAX_ATTEMPTS
            message.save(update_fields=["status", "last_error", "attempts"])
            return message.status
        if OptOut.objects.filter(address=message.recipient).exists():  # opted out after it was queued
            message.status = Message.Status.OPTED_OUT
            message.save(update_fields=["status"])
            return message.status
        message.status = Message.Status.SENDING
        message.attempts += 1
        message.last_attempt_at = timezone.now()
        message.save(update_fields=["status", "attempts", "last_attempt_at"])
    # Committed: from here on the message counts as handed over unless the backend says otherwise.
    try:
        get_backend().send(message)
    except Exception as error:  # any failure of any backend is recorded, never lost in the worker
        text = str(error) or type(error).__name__
        Message.objects.filter(pk=message.pk, status=Message.Status.SENDING).update(
            status=Message.Status.FAILED, last_error=text[:1000]
        )
        logger.warning(
            "Message %s to %s failed (attempt %s): %s",
            message.key,
            mask_address(message.recipient),
            message.attempts,
            text[:200],
        )
        _retry_later(message)
        return Message.Status.FAILED
    # last_error stays: a message sent on its second attempt shows why the first failed.
    Message.objects.filter(pk=message.pk, status=Message.Status.SENDING).update(
        status=Message.Status.SENT, sent_at=timezone.now()
    )
    logger.info("Message %s to %s sent", message.key, mask_address(message.recipient))
    return Message.Status.SENT


def _retry_later(message: Message) -> None:
    """Queue the next attempt with a growing delay, while attempts are left and the queue can wait."""
    if message.attempts >= settings.MESSAGE_MAX_ATTEMPTS:
        return
    if not message_deliver.get_backend().supports_defer:
        logger.info("Message %s not retried: the task backend cannot run a task later", message.key)
        return
    delay = datetime.timedelta(seconds=settings.MESSAGE_RETRY_SECONDS * message.attempts)
    message_deliver.using(run_after=timezone.now() + delay).enqueue(message.pk)
