"""The message service: one way to tell a person something, by WhatsApp, SMS or e-mail.

`message_send` renders templates/messages/<template>.txt in Indonesian, logs the message
(pekalongan_training.models.Message) under a key that names its event, honours opt-outs, and
queues the delivery task (`tasks.message_deliver`) once the caller's transaction commits. The
backend that delivers is settings.MESSAGE_BACKEND (`backends`).
"""

from pekalongan_training.messaging.services import message_erase_about, message_send, normalize_address

__all__ = ["message_erase_about", "message_send", "normalize_address"]
