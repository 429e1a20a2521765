"""The owner's auto-approve rules (autoapprove.domain.rules reads them)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from aftersales.accounts.models import Shop
from aftersales.autoapprove.domain import rules


class AutoApproveRule(models.Model):
    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="auto_approve_rules")
    name = models.CharField(max_length=rules.NAME_LIMIT)
    remedy = models.CharField(max_length=24, choices=[(r, r) for r in rules.REMEDIES])
    goods_status = models.CharField(max_length=16, blank=True, choices=[(g, g or "any") for g in rules.GOODS])
    max_fen = models.BigIntegerField()
    trust = models.CharField(max_length=8, choices=[(t, t) for t in rules.TRUST], default="anyone")
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["shop", "name"], name="uniq_auto_approve_rule_name"),
            models.CheckConstraint(condition=Q(max_fen__gt=0), name="auto_approve_rule_cap_positive"),
        ]
        indexes = [models.Index(fields=["shop", "active"])]

    def __str__(self) -> str:
        return self.name

    def as_rule(self) -> rules.Rule:
        return rules.Rule(id=self.pk, name=self.name, remedy=self.remedy, goods_status=self.goods_status,
                          max_fen=self.max_fen, trust=self.trust)
