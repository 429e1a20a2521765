"""The owner's unit costs and thresholds for the remedy advice (one row per shop, defaults until saved)."""

from __future__ import annotations

from django.db import models

from aftersales.accounts.models import Shop


class AdviceSettings(models.Model):
    """Fen and basis points (1 bp = 0.01%). Field defaults are `advice.domain.CostSettings`'s."""

    shop = models.OneToOneField(Shop, on_delete=models.CASCADE, related_name="advice_settings")
    handling_fen = models.PositiveIntegerField(default=300)
    return_handling_fen = models.PositiveIntegerField(default=500)
    repair_fen = models.PositiveIntegerField(default=3000)
    goods_cost_bp = models.PositiveIntegerField(default=5000)
    grade_a_value_bp = models.PositiveIntegerField(default=10_000)
    grade_b_value_bp = models.PositiveIntegerField(default=6000)
    grade_c_value_bp = models.PositiveIntegerField(default=1000)
    grade_d_value_bp = models.PositiveIntegerField(default=0)
    partial_refund_bp = models.PositiveIntegerField(default=3000)
    waive_return_max_fen = models.PositiveIntegerField(default=10_000)
    decline_bp = models.PositiveIntegerField(default=5000)
    dispute_chance_bp = models.PositiveIntegerField(default=2000)
    arbitration_penalty_fen = models.PositiveIntegerField(default=5000)
    # What each rung of the compensation ladder (care.domain.ladder.LADDER) costs the shop when it is given.
    coupon_fen = models.PositiveIntegerField(default=500)
    member_discount_fen = models.PositiveIntegerField(default=500)
    points_fen = models.PositiveIntegerField(default=300)
    red_envelope_fen = models.PositiveIntegerField(default=1000)
    gift_fen = models.PositiveIntegerField(default=2000)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"advice settings of shop {self.shop_id}"
