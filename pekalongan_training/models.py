"""The message log and the opt-outs of the message service (pekalongan_training.messaging).

Every message the system sends to a person is a row here before it leaves: to whom, what (the
rendered text), why (the template and what it is about), and what became of it. The log is the
answer to "was I told?" and "did the gateway take it?"; it never holds a full NIK.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


def mask_address(address: str) -> str:
    """A phone number or e-mail address shown without most of it: 0812*****890, s***@example.com."""
    if not address:
        return ""
    if "@" in address:
        local, _at, domain = address.partition("@")
        return f"{local[:1]}***@{domain}"
    if len(address) <= 7:
        return "*" * len(address)
    return address[:4] + "*" * (len(address) - 7) + address[-3:]


class Message(models.Model):
    """One message to one person: queued, then sent or failed (with retries), or held back by an opt-out.

    `key` names the event the message is about ("selection-result:<enrollment>:<decided at>"): the
    same event never makes a second message, however often its caller runs.
    """

    class Channel(models.TextChoices):
        WHATSAPP = "whatsapp", _("WhatsApp")
        SMS = "sms", _("SMS")
        EMAIL = "email", _("E-mail")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Being sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Delivery failed")
        OPTED_OUT = "opted_out", _("Not sent: opted out")

    PHONE_CHANNELS = (Channel.WHATSAPP, Channel.SMS)

    key = models.CharField(_("key"), max_length=200, unique=True)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    recipient = models.CharField(
        _("recipient"), max_length=254, help_text=_("A phone number as 081234567890, or an e-mail address.")
    )
    template = models.CharField(_("template"), max_length=100)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("text"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    # What the message is about, as a model label and a primary key (no foreign key: the log stays
    # as it was when the record it names changes or goes).
    about_kind = models.CharField(_("about (kind)"), max_length=60, blank=True)
    about_id = models.PositiveBigIntegerField(_("about (id)"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        indexes = [
            models.Index(fields=["recipient"], name="pekalongan_message_to_idx"),
            models.Index(fields=["about_kind", "about_id"], name="pekalongan_message_about_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["queued", "sending", "sent", "failed", "opted_out"]),
                name="pekalongan_training_message_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(channel__in=["whatsapp", "sms", "email"]),
                name="pekalongan_training_message_channel_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status="sent") | Q(sent_at__isnull=False),
                name="pekalongan_training_message_sent_has_time",
            ),
        ]

    def __str__(self):
        return f"{self.template} · {mask_address(self.recipient)}"

    @property
    def masked_recipient(self) -> str:
        return mask_address(self.recipient)


class OptOut(models.Model):
    """A phone number or e-mail address that asked not to get messages: nothing is sent to it."""

    address = models.CharField(
        _("phone number or e-mail address"),
        max_length=254,
        unique=True,
        help_text=_("Stored as 081234567890 or in lower case; messages to it are logged but not sent."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    note = models.TextField(_("note"), blank=True, help_text=_("How and when the person asked, for example by phone."))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="message_opt_outs",
        verbose_name=_("created by"),
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("message opt-out")
        verbose_name_plural = _("message opt-outs")

    def __str__(self):
        return mask_address(self.address)
