"""A store connected by the platform's open API, the commands sent to it, the pushes it sent us.

Secrets (app secret, access and refresh tokens) are stored encrypted (see `sync.secrets`); their
fields end in `_enc` and are never rendered, exported or logged.
"""

from __future__ import annotations

from django.db import models

from aftersales.accounts.models import Shop


class StoreConnection(models.Model):
    """One store of a shop on one platform, reached through the shop's own app (自用型/自研应用)."""

    ACTIVE, PAUSED, AUTH_FAILED = "active", "paused", "auth_failed"
    STATES = [(s, s) for s in (ACTIVE, PAUSED, AUTH_FAILED)]
    PLATFORMS = [(p, p) for p in ("douyin", "taobao", "tmall", "jd", "pdd")]

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="store_connections")
    platform = models.CharField(max_length=16, choices=PLATFORMS)
    name = models.CharField(max_length=100)
    #: Where the platform's gateway answers: the public one, a contract simulator over HTTP, or
    #: `sim://NAME` for a simulator running in this process (tests, the demo).
    base_url = models.CharField(max_length=300)
    app_key = models.CharField(max_length=100)
    app_secret_enc = models.TextField()
    access_token_enc = models.TextField(blank=True)
    refresh_token_enc = models.TextField(blank=True)
    token_expires_at = models.DateTimeField(null=True, blank=True)
    #: The shop's return address id at the platform, sent when agreeing to a return.
    return_address_id = models.CharField(max_length=64, blank=True)
    state = models.CharField(max_length=16, choices=STATES, default=ACTIVE)
    #: Everything updated before this moment has been pulled (the next window starts here, minus overlap).
    synced_until = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    next_run_at = models.DateTimeField(null=True, blank=True)
    last_error_code = models.CharField(max_length=64, blank=True)
    last_error_message = models.CharField(max_length=300, blank=True)
    cases_pulled = models.PositiveIntegerField(default=0)
    calls_made = models.PositiveIntegerField(default=0)
    #: Calls failed by reason ({"rate_limited": 3, "token_expired": 1, …}).
    calls_failed = models.JSONField(default=dict, blank=True)
    rate_limit_waits = models.PositiveIntegerField(default=0)
    #: A worker holds the store until then (one pull at a time per store, across processes).
    lease_until = models.DateTimeField(null=True, blank=True)
    #: When the owner was last told the store is not syncing (one warning per stall).
    stall_warned_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["shop", "platform", "name"], name="uniq_store_connection")]

    def __str__(self) -> str:
        return f"{self.platform}:{self.name}"


class PlatformCommand(models.Model):
    """One merchant action to send to the platform (the push outbox).

    Written in the transaction of the case event it comes from (`event_id` unique: one event, one
    command), sent by the worker with retries; the platform's answer is kept and shown on the case.
    """

    PENDING, DONE, REJECTED, FAILED, UNSUPPORTED = "pending", "done", "rejected", "failed", "unsupported"
    STATES = [(s, s) for s in (PENDING, DONE, REJECTED, FAILED, UNSUPPORTED)]

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="+")
    connection = models.ForeignKey(StoreConnection, on_delete=models.CASCADE, related_name="commands")
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="platform_commands")
    event_id = models.BigIntegerField(unique=True)
    action = models.CharField(max_length=32)
    args = models.JSONField(default=dict, blank=True)
    #: The local status before the action: where the case goes back if the platform refuses.
    from_status = models.CharField(max_length=32)
    state = models.CharField(max_length=16, choices=STATES, default=PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    result_kind = models.CharField(max_length=32, blank=True)
    result_code = models.CharField(max_length=64, blank=True)
    result_message = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["state", "next_attempt_at"])]
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.action} case#{self.case_id} ({self.state})"


class PushedCase(models.Model):
    """A case a push message named, waiting to be fetched (one row per store and case)."""

    connection = models.ForeignKey(StoreConnection, on_delete=models.CASCADE, related_name="pushed")
    platform_case_id = models.CharField(max_length=64)
    received_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["connection", "platform_case_id"], name="uniq_pushed_case")]

    def __str__(self) -> str:
        return f"pushed {self.platform_case_id}"


class SyncedCase(models.Model):
    """What each case was when last written from a store: an overlapping window skips a case the
    platform answers exactly as before, without touching the order and case writers."""

    connection = models.ForeignKey(StoreConnection, on_delete=models.CASCADE, related_name="synced")
    platform_case_id = models.CharField(max_length=64)
    platform_updated_at = models.DateTimeField()
    #: SHA-1 of the case as the platform answered it: two changes within one second differ here.
    fingerprint = models.CharField(max_length=40, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["connection", "platform_case_id"], name="uniq_synced_case")]

    def __str__(self) -> str:
        return f"{self.platform_case_id} @ {self.platform_updated_at}"
