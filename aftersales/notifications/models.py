"""The outbox: every message to a buyer or to staff is a row, written in the same transaction as the
change it reports, and delivered later by a worker (log, e-mail, or a signed webhook)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from aftersales.accounts.models import Shop
from aftersales.cases.models import Case


class Audience(models.TextChoices):
    BUYER = "buyer"
    STAFF = "staff"


class ChannelKind(models.TextChoices):
    LOG = "log"  # written to the log (phones masked): the default when nothing else is set up
    EMAIL = "email"  # Django's e-mail backend
    WEBHOOK = "webhook"  # POST to Shop.webhook_url, signed with Shop.webhook_secret


class MessageStatus(models.TextChoices):
    PENDING = "pending"  # waiting for its first attempt
    FAILED = "failed"  # an attempt failed; retried at next_attempt_at
    SENT = "sent"
    DEAD = "dead"  # every retry failed; needs a person
    SKIPPED = "skipped"  # could not be sent at all (no address known); last_error says why


#: Statuses a worker still has to deliver.
DELIVERABLE = (MessageStatus.PENDING, MessageStatus.FAILED)


class Message(models.Model):
    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="+")
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.CASCADE, related_name="messages")
    event_id = models.BigIntegerField(null=True, blank=True)  # the CaseEvent it reports, if any
    audience = models.CharField(max_length=8, choices=Audience.choices)
    recipient = models.CharField(max_length=200, blank=True)  # who it is for (never a full phone number)
    recipient_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    channel = models.CharField(max_length=8, choices=ChannelKind.choices)
    template = models.CharField(max_length=48)  # template code, also the webhook's event name
    language = models.CharField(max_length=8, default="zh-hans")
    subject = models.CharField(max_length=200)
    body = models.TextField()
    data = models.JSONField(default=dict, blank=True)  # structured facts sent with a webhook
    # One message per (event, audience, recipient, channel): a retried or replayed enqueue adds nothing.
    dedupe_key = models.CharField(max_length=120, unique=True)
    status = models.CharField(max_length=8, choices=MessageStatus.choices, default=MessageStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["next_attempt_at"], name="msg_due",
                         condition=Q(status__in=["pending", "failed"])),
            models.Index(fields=["shop", "created_at"], name="msg_shop_created"),
            models.Index(fields=["case", "created_at"], name="msg_case_created"),
        ]

    def __str__(self) -> str:
        return f"{self.template} → {self.recipient or self.audience} ({self.channel}, {self.status})"
