"""Customer care: reply templates, the compensation ladder, and the buyer's rating of the service."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from aftersales.accounts.models import Shop
from aftersales.care.domain import limits
from aftersales.cases.models import Case


class TemplateKind(models.TextChoices):
    APOLOGY = "apology", "apology"  # 致歉安抚
    SOLUTION = "solution", "solution"  # 解决方案
    PROGRESS = "progress", "progress"  # 进度告知 (daily follow-up)
    OTHER = "other", "other"


class ReplyTemplate(models.Model):
    """A reply an agent sends to a buyer, with placeholders filled from the case ({case_number} …)."""

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="reply_templates")
    kind = models.CharField(max_length=16, choices=TemplateKind.choices, default=TemplateKind.OTHER)
    language = models.CharField(max_length=8, choices=settings.LANGUAGES, default="zh-hans")
    name = models.CharField(max_length=60)
    body = models.TextField()
    position = models.PositiveSmallIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["shop", "language", "name"], name="uniq_reply_template_name"),
        ]

    def __str__(self) -> str:
        return self.name


class Rung(models.TextChoices):
    """The compensation ladder, cheapest first (优惠券 → 会员折扣/积分 → 红包 → 赠品)."""

    COUPON = "coupon", "coupon"
    MEMBER_DISCOUNT = "member_discount", "member_discount"
    POINTS = "points", "points"
    RED_ENVELOPE = "red_envelope", "red_envelope"
    GIFT = "gift", "gift"


class Compensation(models.Model):
    """One goodwill grant to a buyer on a case; its cost counts against the shop's monthly budget."""

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="compensations")
    rung = models.CharField(max_length=24, choices=Rung.choices)
    cost_fen = models.BigIntegerField()  # what it costs the shop (face value of a coupon, cash, a gift's cost)
    note = models.CharField(max_length=200, blank=True)
    # Why a rung was skipped, the ladder left behind or a limit passed (care.domain.limits); else blank.
    reason = models.CharField(max_length=200, blank=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The owner who approved it, when it was above what its asker may give alone.
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.CheckConstraint(condition=Q(cost_fen__gt=0), name="compensation_positive")]
        indexes = [models.Index(fields=["shop", "created_at"])]

    def __str__(self) -> str:
        return f"{self.rung} {self.cost_fen} fen on case {self.case_id}"


class CompensationLimits(models.Model):
    """The owner's limits on compensation (care.domain.limits.Limits); a shop without a row has the defaults."""

    shop = models.OneToOneField(Shop, on_delete=models.CASCADE, related_name="compensation_limits")
    agent_limit_fen = models.BigIntegerField(default=limits.DEFAULT_AGENT_LIMIT_FEN)
    case_limit_fen = models.BigIntegerField(default=limits.DEFAULT_CASE_LIMIT_FEN)
    owner_limit_fen = models.BigIntegerField(default=limits.DEFAULT_OWNER_LIMIT_FEN)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.CheckConstraint(
            condition=Q(agent_limit_fen__gte=0) & Q(case_limit_fen__gte=0) & Q(owner_limit_fen__gte=0),
            name="compensation_limits_not_negative")]

    def __str__(self) -> str:
        return f"limits of shop {self.shop_id}"

    def as_limits(self) -> limits.Limits:
        return limits.Limits(agent_fen=self.agent_limit_fen, case_fen=self.case_limit_fen,
                             owner_fen=self.owner_limit_fen)


class ApprovalStatus(models.TextChoices):
    PENDING = "pending", "pending"
    APPROVED = "approved", "approved"
    DECLINED = "declined", "declined"


class CompensationApproval(models.Model):
    """A compensation an agent asked for above their limit: nothing is given until an owner approves it
    (then the Compensation is made, with the approver) or declines it (the agent is told)."""

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="compensation_approvals")
    rung = models.CharField(max_length=24, choices=Rung.choices)
    cost_fen = models.BigIntegerField()
    note = models.CharField(max_length=200, blank=True)
    reason = models.CharField(max_length=200)
    why = models.JSONField(default=list)  # care.domain.limits.Why values
    status = models.CharField(max_length=10, choices=ApprovalStatus.choices, default=ApprovalStatus.PENDING)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(max_length=200, blank=True)
    compensation = models.OneToOneField(
        Compensation, null=True, blank=True, on_delete=models.SET_NULL, related_name="approval"
    )

    class Meta:
        ordering = ["requested_at", "id"]
        constraints = [models.CheckConstraint(condition=Q(cost_fen__gt=0), name="compensation_approval_positive")]
        indexes = [models.Index(fields=["shop", "status", "requested_at"])]

    def __str__(self) -> str:
        return f"{self.rung} {self.cost_fen} fen on case {self.case_id} ({self.status})"


class Satisfaction(models.Model):
    """The buyer's rating of how the case was handled (1–5), once it is finished. One per case."""

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="+")
    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="satisfaction")
    score = models.PositiveSmallIntegerField()
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(score__gte=1) & Q(score__lte=5), name="satisfaction_score_1_5"),
        ]

    def __str__(self) -> str:
        return f"{self.score}/5 on case {self.case_id}"
