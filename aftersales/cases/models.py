"""The after-sale case (售后单), its lines, its immutable events, and its evidence."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from aftersales.accounts.models import Shop
from aftersales.cases.domain.states import Kind, Status
from aftersales.core.choices import (
    ArbitrationStatus,
    GoodsStatus,
    MoneyStatus,
    Platform,
    Reason,
    ReturnLogistics,
)
from aftersales.core.fields import enum_choices
from aftersales.core.jsontext import TextJSONEncoder
from aftersales.orders.models import Buyer, Order, OrderLine


class Case(models.Model):
    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="cases")
    number = models.CharField(max_length=32)  # shown to people: AS + date + sequence
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="cases")
    buyer = models.ForeignKey(Buyer, on_delete=models.PROTECT, related_name="cases")
    platform = models.CharField(max_length=16, choices=enum_choices(Platform))
    # For a platform case the platform is the source of truth; its id and raw status are kept.
    platform_case_id = models.CharField(max_length=64, null=True, blank=True)
    platform_status_raw = models.CharField(max_length=64, blank=True)
    platform_type_raw = models.CharField(max_length=64, blank=True)

    kind = models.CharField(max_length=24, choices=enum_choices(Kind))
    status = models.CharField(max_length=32, choices=enum_choices(Status), default=Status.REQUESTED.value)
    goods_status = models.CharField(max_length=16, choices=enum_choices(GoodsStatus))
    money_status = models.CharField(max_length=24, choices=enum_choices(MoneyStatus), default="none")
    return_logistics = models.CharField(max_length=16, choices=enum_choices(ReturnLogistics), default="none")
    arbitration_status = models.CharField(
        max_length=24, choices=enum_choices(ArbitrationStatus), default="none"
    )
    inspection_result = models.CharField(max_length=8, blank=True)  # "", pass, fail
    # 极速退款: when the shop refunded the return before it arrived (services.refund_before_receipt). The
    # case still waits for the parcel; an inspection that fails after it is the owner's to follow up,
    # the money being gone already (`needs_owner_follow_up`).
    refunded_before_receipt_at = models.DateTimeField(null=True, blank=True)

    reason = models.CharField(max_length=24, choices=enum_choices(Reason))
    reason_raw = models.CharField(max_length=200, blank=True)
    buyer_note = models.TextField(blank=True)  # the buyer's own words
    wanted_remedy = models.CharField(max_length=24, choices=enum_choices(Kind))
    requested_fen = models.BigIntegerField(default=0)
    refund_cap_fen = models.BigIntegerField(default=0)  # most this case may refund (paid for its lines)
    refund_granted_fen = models.BigIntegerField(default=0)  # decided to refund
    refunded_fen = models.BigIntegerField(default=0)  # money that has actually gone back
    # The buyer's return freight, when the shop pays it (`refunds.freight`): what the buyer says it
    # cost, what the shop decided to reimburse and what has been paid. Not part of the refund: it is
    # money beyond what was paid for the order, kept on its own ledger rows.
    return_freight_claimed_fen = models.BigIntegerField(default=0, db_default=0)
    return_freight_granted_fen = models.BigIntegerField(default=0, db_default=0)
    return_freight_paid_fen = models.BigIntegerField(default=0, db_default=0)

    return_carrier = models.CharField(max_length=32, blank=True)
    return_tracking_no = models.CharField(max_length=64, blank=True, db_index=True)
    outbound_tracking_no = models.CharField(max_length=64, blank=True)  # exchange / reship
    # Where the buyer sends the goods back (rule L6): a copy of the shop's return address taken when the
    # return was approved, so that later edits of the address book never change what the buyer was told
    # (keys: cases/domain/return_address.SNAPSHOT_KEYS; {} when no address was given).
    return_address = models.JSONField(default=dict, blank=True, encoder=TextJSONEncoder)
    # 换货: the size/colour the buyer asked for instead (a SKU of the same product); the replacement
    # shipped is this SKU and its stock goes down when it ships.
    exchange_sku = models.ForeignKey("catalog.Sku", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")

    # A staff move sent to the platform and not yet confirmed by it (the action, e.g. "approve"; "" when
    # none): the case stays in its status until the platform answers (states.PLATFORM_DECIDED).
    awaiting_platform = models.CharField(max_length=24, blank=True)

    # The deadline of the current step: the platform's own when it gives one, else the fallback table.
    deadline_at = models.DateTimeField(null=True, blank=True)
    deadline_stage = models.CharField(max_length=40, blank=True)
    deadline_source = models.CharField(max_length=16, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    # When what the platform says of the case was last applied to it (an import or a pull that changed
    # it). A deadline already passed by then was the platform's own timer's, and it has acted: the
    # case shows the platform's state as it was (`deadlines.behind_platform`), not our lateness.
    platform_seen_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)

    policy_decision = models.JSONField(default=dict, blank=True)
    policy_version = models.CharField(max_length=64, blank=True)

    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    tags = models.JSONField(default=list, blank=True, encoder=TextJSONEncoder)
    follow_up = models.BooleanField(default=False)  # flagged: follow up daily, tell the buyer daily
    urgency = models.PositiveSmallIntegerField(default=0)  # 0 calm … 3 threatens complaint
    # What the buyer's own words say (intelligence.reasons), beside the reason they picked: the
    # suggested reason (the taxonomy or "service"), how sure, the product-cause tags and the deciding
    # words. `suggested_by` is "model", or "agent" once staff corrected it (the correction is kept as
    # the shop's training data).
    suggested_reason = models.CharField(max_length=24, blank=True)
    suggested_confidence = models.FloatField(default=0)
    suggested_by = models.CharField(max_length=8, blank=True)
    buyer_tags = models.JSONField(default=list, blank=True)
    reason_evidence = models.JSONField(default=list, blank=True)

    created_at = models.DateTimeField()
    updated_at = models.DateTimeField(auto_now=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)  # bumped on each change; optimistic checks

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["shop", "number"], name="uniq_case_number"),
            models.UniqueConstraint(
                fields=["shop", "platform", "platform_case_id"],
                condition=Q(platform_case_id__isnull=False),
                name="uniq_platform_case",
            ),
            models.CheckConstraint(
                condition=Q(refund_granted_fen__gte=0) & Q(refunded_fen__gte=0) & Q(requested_fen__gte=0),
                name="case_amounts_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(refund_granted_fen__lte=F("refund_cap_fen")), name="case_refund_within_cap"
            ),
            models.CheckConstraint(
                condition=Q(refunded_fen__lte=F("refund_granted_fen")), name="case_paid_within_granted"
            ),
            models.CheckConstraint(
                condition=Q(return_freight_claimed_fen__gte=0) & Q(return_freight_paid_fen__gte=0)
                & Q(return_freight_paid_fen__lte=F("return_freight_granted_fen")),
                name="case_return_freight_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["shop", "status", "deadline_at"]),
            models.Index(fields=["shop", "deadline_at"]),
            models.Index(fields=["shop", "created_at"]),
            models.Index(fields=["deadline_at"]),
            models.Index(fields=["shop", "urgency"]),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def needs_owner_follow_up(self) -> bool:
        """Refunded before the return arrived, and the return failed its inspection: the money is gone
        and only the owner can get it back (the buyer, the platform, the carrier)."""
        return self.refunded_before_receipt_at is not None and self.inspection_result == "fail"

    @property
    def is_open(self) -> bool:
        return self.status not in (Status.COMPLETED, Status.CLOSED)


class CaseLine(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey(OrderLine, on_delete=models.PROTECT, related_name="case_lines")
    quantity = models.PositiveIntegerField()
    received_quantity = models.PositiveIntegerField(default=0)
    accepted_quantity = models.PositiveIntegerField(default=0)
    # Where this line's goods were when the case was opened (`orders.goods`); the case's own
    # `goods_status` is the furthest of its lines'.
    goods_status = models.CharField(max_length=16, choices=enum_choices(GoodsStatus), default="not_shipped")

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="case_line_quantity_positive"),
            models.UniqueConstraint(fields=["case", "order_line"], name="uniq_case_line"),
        ]

    def __str__(self) -> str:
        return f"{self.order_line_id} ×{self.quantity}"


class CaseEvent(models.Model):
    """One row per change, never updated or deleted (电子商务法 §62: original records are kept)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="+")
    action = models.CharField(max_length=32)
    actor = models.CharField(max_length=16)
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    from_status = models.CharField(max_length=32, blank=True)
    to_status = models.CharField(max_length=32, blank=True)
    reason_code = models.CharField(max_length=64, blank=True)
    note = models.TextField(blank=True)
    payload = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["case", "created_at"])]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("case events are immutable")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("case events are immutable")

    def __str__(self) -> str:
        return f"{self.case_id}:{self.action}"


def evidence_path(instance: Evidence, filename: str) -> str:
    # Content-addressed: the same photo uploaded twice is stored once, and names never collide.
    return f"evidence/{instance.shop_id}/{instance.sha256[:2]}/{instance.sha256}.{instance.extension}"


class Evidence(models.Model):
    """A photo attached to a case: by the buyer, an agent, or the warehouse at inspection."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="evidence")
    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="+")
    file = models.FileField(upload_to=evidence_path, max_length=200)
    sha256 = models.CharField(max_length=64)
    content_type = models.CharField(max_length=32)
    extension = models.CharField(max_length=8)
    size = models.PositiveIntegerField()
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    uploaded_by = models.CharField(max_length=16)  # actor
    inspection = models.ForeignKey(
        "warehouse.Inspection", null=True, blank=True, on_delete=models.SET_NULL, related_name="photos"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "sha256"], name="uniq_case_evidence")]

    def __str__(self) -> str:
        return self.sha256[:12]
