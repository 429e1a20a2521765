"""Refund decisions (how much, for which lines, why) kept apart from the money movements."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from aftersales.accounts.models import Shop
from aftersales.cases.models import Case
from aftersales.core.choices import PaymentRoute, PaymentStatus
from aftersales.core.fields import enum_choices

#: What a decision pays back: the refund of what was paid for the order, or the buyer's return freight
#: when the shop pays it (its own movement, its own totals on the case; never part of the refund).
REFUND, RETURN_FREIGHT = "refund", "return_freight"
DECISION_KINDS = (REFUND, RETURN_FREIGHT)


class RefundDecision(models.Model):
    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="refund_decisions")
    kind = models.CharField(max_length=16, choices=[(k, k) for k in DECISION_KINDS], default=REFUND,
                            db_default=REFUND)
    amount_fen = models.BigIntegerField()
    reason_code = models.CharField(max_length=64)
    per_line = models.JSONField(default=dict)  # order_line id -> fen; "freight": outbound freight paid back
    deductions = models.JSONField(default=list)  # [[code, fen], ...]: gifts kept, outbound freight
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor = models.CharField(max_length=16)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(amount_fen__gt=0), name="decision_positive")]

    def __str__(self) -> str:
        return f"decision {self.pk} {self.amount_fen}"


class RefundPayment(models.Model):
    """A money movement back through one payment route. The idempotency key stays the same on retry."""

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="refund_payments")
    decision = models.ForeignKey(RefundDecision, on_delete=models.PROTECT, related_name="payments")
    route = models.CharField(max_length=16, choices=enum_choices(PaymentRoute))
    amount_fen = models.BigIntegerField()
    idempotency_key = models.CharField(max_length=100)
    status = models.CharField(max_length=16, choices=enum_choices(PaymentStatus), default="pending")
    attempts = models.PositiveIntegerField(default=0)
    external_ref = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField()
    settled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["shop", "idempotency_key", "route"], name="uniq_refund_idempotency"
            ),
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="refund_payment_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.route} {self.amount_fen} {self.status}"
