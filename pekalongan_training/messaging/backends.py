"""Where a message goes: one backend, chosen by settings.MESSAGE_BACKEND (a dotted path).

A backend has one method, `send(message)`, which returns when the message was handed over and
raises (DeliveryError or anything else) when it was not; the delivery task records either. The
backends: console and file for development, locmem for tests, SMTP for e-mail, an HTTP gateway for
WhatsApp and SMS, and the routing backend that sends e-mail by SMTP and the rest by the gateway
(the production default).
"""

import json
import sys
import threading
import urllib.error
import urllib.request
from pathlib import Path

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import timezone
from django.utils.module_loading import import_string

from pekalongan_training.models import Message, mask_address


class DeliveryError(Exception):
    """The backend could not hand the message over; the text goes to Message.last_error."""


def get_backend():
    return import_string(settings.MESSAGE_BACKEND)()


def _as_record(message: Message) -> dict:
    return {
        "id": message.key,
        "to": message.recipient,
        "channel": message.channel,
        "subject": message.subject,
        "text": message.body,
    }


class ConsoleBackend:
    """Prints each message (recipient masked) to standard output: the terminal of `make run`."""

    def __init__(self, stream=None):
        self.stream = stream or sys.stdout

    def send(self, message: Message) -> None:
        lines = [
            f"--- message {message.key} ({message.channel}) to {mask_address(message.recipient)}",
            *([f"Subject: {message.subject}"] if message.subject else []),
            message.body,
            "---",
        ]
        self.stream.write("\n".join(lines) + "\n")
        self.stream.flush()


class FileBackend:
    """Appends each message as one JSON line to messages.jsonl in settings.MESSAGE_FILE_PATH."""

    _lock = threading.Lock()

    def __init__(self, path=None):
        self.path = Path(path or settings.MESSAGE_FILE_PATH) / "messages.jsonl"

    def send(self, message: Message) -> None:
        record = {**_as_record(message), "at": timezone.now().isoformat()}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._lock, self.path.open("a", encoding="utf-8") as file:
            file.write(json.dumps(record, ensure_ascii=False) + "\n")


# What the locmem backend "sent", like django.core.mail.outbox (the tests empty it).
outbox: list[dict] = []


class LocmemBackend:
    """For tests: keeps each message in `outbox`."""

    def send(self, message: Message) -> None:
        outbox.append(_as_record(message))


class SmtpBackend:
    """E-mail through django.core.mail (EMAIL_BACKEND, EMAIL_HOST and the other EMAIL_* settings)."""

    def send(self, message: Message) -> None:
        if message.channel != Message.Channel.EMAIL:
            raise DeliveryError(f"The SMTP backend sends e-mail only, not {message.channel}.")
        EmailMessage(subject=message.subject, body=message.body, to=[message.recipient]).send()


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer we do not understand: a failure, never a second POST elsewhere."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


class HttpGatewayBackend:
    """POSTs {to, channel, text, id} as JSON to settings.MESSAGE_GATEWAY_URL with a bearer token.

    Any 2xx answer counts as delivered to the gateway; any other answer, a redirect, a timeout or
    a network error is a failure (and the delivery task tries again later). `id` is the message's
    key, so a gateway that de-duplicates can drop a repeat. The token never appears in an error.
    """

    def __init__(self, url=None, token=None, timeout=None):
        self.url = url if url is not None else settings.MESSAGE_GATEWAY_URL
        self.token = token if token is not None else settings.MESSAGE_GATEWAY_TOKEN
        self.timeout = timeout if timeout is not None else settings.MESSAGE_GATEWAY_TIMEOUT
        self.opener = urllib.request.build_opener(_NoRedirects)

    def send(self, message: Message) -> None:
        if not self.url:
            raise DeliveryError("MESSAGE_GATEWAY_URL is not set.")
        payload = {"to": message.recipient, "channel": message.channel, "text": message.body, "id": message.key}
        request = urllib.request.Request(
            self.url,
            data=json.dumps(payload, ensure_ascii=False).encode("utf-8"),
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "Accept": "application/json",
                "Authorization": f"Bearer {self.token}",
            },
        )
        try:
            with self.opener.open(request, timeout=self.timeout) as response:
                status = response.status
                answer = response.read(500)
        except urllib.error.HTTPError as error:
            answer = error.read(200).decode("utf-8", "replace") if error.fp else ""
            raise DeliveryError(f"The gateway answered HTTP {error.code}: {answer}".strip()) from None
        except (urllib.error.URLError, TimeoutError, OSError) as error:
            reason = getattr(error, "reason", error)
            raise DeliveryError(f"The gateway could not be reached: {reason}") from None
        if not 200 <= status < 300:
            raise DeliveryError(f"The gateway answered HTTP {status}: {answer[:200].decode('utf-8', 'replace')}")


class RoutingBackend:
    """E-mail by SMTP, WhatsApp and SMS by the HTTP gateway."""

    def __init__(self):
        self.email = SmtpBackend()
        self.phone = HttpGatewayBackend()

    def send(self, message: Message) -> None:
        (self.email if message.channel == Message.Channel.EMAIL else self.phone).send(message)
