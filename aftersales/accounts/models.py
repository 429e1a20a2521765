"""Shops (tenants), their platform accounts, staff memberships with roles, and API tokens."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models

from aftersales.core.choices import Platform, Role
from aftersales.core.fields import enum_choices


class ShopQuerySet(models.QuerySet):
    """The query form of `Shop.is_training`: the one place a query tells training shops from real ones."""

    def real(self) -> ShopQuerySet:
        return self.filter(training_of__isnull=True)

    def training(self) -> ShopQuerySet:
        return self.filter(training_of__isnull=False)


class Shop(models.Model):
    """A merchant (tenant). Every other row belongs to exactly one shop."""

    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=100)
    # Monthly budget for goodwill compensation (coupons, red envelopes, gifts), in fen.
    compensation_budget_fen = models.BigIntegerField(default=0)
    # The most the shop reimburses for a buyer's return freight when the shop pays it without a receipt
    # (a higher claim needs the carrier's receipt among the case's evidence). ¥25 covers express in China.
    return_freight_cap_fen = models.BigIntegerField(default=2500, db_default=2500)
    # Buyer notifications: a webhook the shop sets, signed with HMAC-SHA256.
    webhook_url = models.URLField(blank=True)
    webhook_secret = models.CharField(max_length=64, blank=True)
    notify_email = models.BooleanField(default=False)
    reminder_hours = models.PositiveIntegerField(default=4)
    # A training shop (培训店) is a sandbox of a real shop: its cases are scenarios worked by trainees.
    # Every query is per shop, so nothing of it reaches the real shop; the side effects (outbox,
    # rollups, payment gateway) check `is_training` and do nothing real for it.
    training_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="training_shops"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ShopQuerySet.as_manager()

    def __str__(self) -> str:
        return self.name

    @property
    def is_training(self) -> bool:
        return self.training_of_id is not None


class PlatformAccount(models.Model):
    """One store of the shop on one platform (a shop may sell on several)."""

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="platform_accounts")
    platform = models.CharField(max_length=16, choices=enum_choices(Platform))
    name = models.CharField(max_length=100)
    external_id = models.CharField(max_length=64, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["shop", "platform", "name"], name="uniq_platform_account"),
        ]

    def __str__(self) -> str:
        return f"{self.platform}:{self.name}"


class Membership(models.Model):
    """A staff user's role in one shop. A user may belong to several shops."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=enum_choices(Role))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "shop"], name="uniq_membership")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.shop} ({self.role})"


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A bearer token scoped to one shop. Only its SHA-256 is stored; the raw token is shown once."""

    PREFIX = "ast_"

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, default="api")
    token_hash = models.CharField(max_length=64, unique=True)
    hint = models.CharField(max_length=12)
    role = models.CharField(max_length=16, choices=enum_choices(Role), default=Role.OWNER.value)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    @classmethod
    def issue(cls, shop: Shop, name: str = "api", role: str = Role.OWNER.value) -> tuple[ApiToken, str]:
        raw = cls.PREFIX + secrets.token_urlsafe(32)
        token = cls.objects.create(shop=shop, name=name, role=role, token_hash=hash_token(raw), hint=raw[-4:])
        return token, raw

    def __str__(self) -> str:
        return f"{self.name} …{self.hint}"
