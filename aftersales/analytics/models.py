"""Rollups of sales and returns, the facts they were computed from, the shop's settings, and alerts.

`Rollup` rows are derived data: the sum, per cube key and day / week / month, of every order's
contribution (`domain/facts.py`). They are kept current in the same transaction as the change that
moves them (`rollups.py`), and can be rebuilt from the source tables at any time
(`aftersales rebuild-rollups`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from aftersales.accounts.models import Shop
from aftersales.analytics.domain.facts import MEASURES
from aftersales.analytics.domain.jumps import DEFAULT_K_TENTHS, DEFAULT_WEEKS
from aftersales.analytics.domain.rates import DEFAULT_ALERT_BP, DEFAULT_GOOD_BP
from aftersales.orders.models import Order

KEY_FIELDS = ("cube", "grain", "start", "sku_id", "product_id", "category_id", "dim", "dim2", "reason")


class Rollup(models.Model):
    """One cube key in one day, week (starting Monday) or month (starting the 1st), Asia/Shanghai.

    Keys are plain integers and strings (0 / "" = none), not foreign keys: a rollup outlives nothing and
    is never joined for integrity. `_o` measures count returns on the order's day, `_c` on the case's.
    """

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="+")
    cube = models.CharField(max_length=8)
    grain = models.CharField(max_length=1)  # d, w, m
    start = models.DateField()
    sku_id = models.BigIntegerField(default=0)
    product_id = models.BigIntegerField(default=0)
    category_id = models.BigIntegerField(default=0)
    dim = models.CharField(max_length=64, default="", blank=True)  # province, platform or content id
    dim2 = models.CharField(max_length=100, default="", blank=True)  # channel or content author
    reason = models.CharField(max_length=24, default="", blank=True)

    sold_qty = models.BigIntegerField(default=0)
    sold_fen = models.BigIntegerField(default=0)
    orders = models.BigIntegerField(default=0)
    returned_qty_o = models.BigIntegerField(default=0)
    return_cases_o = models.BigIntegerField(default=0)
    refund_orders_o = models.BigIntegerField(default=0)
    refund_fen_o = models.BigIntegerField(default=0)
    writeoff_fen_o = models.BigIntegerField(default=0)
    freight_fen_o = models.BigIntegerField(default=0)
    compensation_fen_o = models.BigIntegerField(default=0)
    returned_qty_c = models.BigIntegerField(default=0)
    return_cases_c = models.BigIntegerField(default=0)
    refund_orders_c = models.BigIntegerField(default=0)
    refund_fen_c = models.BigIntegerField(default=0)
    writeoff_fen_c = models.BigIntegerField(default=0)
    freight_fen_c = models.BigIntegerField(default=0)
    compensation_fen_c = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["shop", *KEY_FIELDS], name="uniq_rollup_key"),
        ]
        indexes = [
            # Covers the return-rate questions: read from the index alone, never the table.
            models.Index(
                fields=["shop", *KEY_FIELDS, "sold_qty", "returned_qty_o", "returned_qty_c"],
                name="rollup_rates_covering",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cube} {self.grain} {self.start}"


assert tuple(f for f in MEASURES) == tuple(
    f.name for f in Rollup._meta.local_fields if f.name not in ("id", "shop", *KEY_FIELDS)
), "Rollup columns must follow domain.facts.MEASURES"


class OrderFacts(models.Model):
    """The facts an order's rollup contribution was last computed from (to subtract when it changes)."""

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="+")
    order = models.OneToOneField(Order, on_delete=models.CASCADE, related_name="+")
    facts = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"facts of order {self.order_id}"


class AnalyticsSettings(models.Model):
    """The shop's defaults: thresholds (a category may set its own), jump rule, freight estimate."""

    shop = models.OneToOneField(Shop, on_delete=models.CASCADE, related_name="analytics_settings")
    good_rate_bp = models.PositiveIntegerField(default=DEFAULT_GOOD_BP)
    alert_rate_bp = models.PositiveIntegerField(default=DEFAULT_ALERT_BP)
    jump_k_tenths = models.PositiveIntegerField(default=DEFAULT_K_TENTHS)  # k in tenths: 20 = 2.0
    jump_weeks = models.PositiveIntegerField(default=DEFAULT_WEEKS)
    alert_window_days = models.PositiveIntegerField(default=28)
    # What one return parcel costs the merchant when it pays the return freight (an estimate: the
    # carrier's bill is not in the system). Used for the cost of returns.
    return_freight_fen = models.BigIntegerField(default=1200)

    def __str__(self) -> str:
        return f"analytics settings of shop {self.shop_id}"


class Alert(models.Model):
    """A product, SKU or category that needs attention, kept so that it can be shown and sent.

    While an alert is live (open or acknowledged) evaluating again updates its figures instead of adding
    a row: `key` names the condition ("rate:sku:12", "jump:sku:12:2025-11-10").
    `notified_at` is for the notifications outbox: empty until a message about the alert was queued.
    """

    class Kind(models.TextChoices):
        RATE = "rate"  # the return rate's lower bound reached the alert threshold
        JUMP = "jump"  # the weekly rate jumped against the SKU's own history

    class Status(models.TextChoices):
        OPEN = "open"
        ACKNOWLEDGED = "acknowledged"
        RESOLVED = "resolved"  # no longer true at the last evaluation

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=120)
    kind = models.CharField(max_length=8, choices=Kind.choices)
    scope = models.CharField(max_length=8)  # sku, product, category
    subject_id = models.BigIntegerField()
    subject_label = models.CharField(max_length=200)
    category_id = models.BigIntegerField(default=0)
    period_start = models.DateField()
    period_end = models.DateField()
    basis = models.CharField(max_length=8, default="case")
    sold_qty = models.BigIntegerField()
    returned_qty = models.BigIntegerField()
    rate_bp = models.IntegerField(null=True)
    lower_bp = models.IntegerField(null=True)
    threshold_bp = models.IntegerField(null=True)  # the alert threshold, or the jump limit
    params = models.JSONField(default=dict, blank=True)  # everything the explanation needs
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["shop", "key"], condition=~models.Q(status="resolved"), name="uniq_live_alert"
            ),
        ]
        indexes = [models.Index(fields=["shop", "status", "created_at"])]
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.scope}:{self.subject_label} {self.period_start}"
