"""Return parcels (including those with no information, 无信息件) and their inspections."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from aftersales.accounts.models import Shop
from aftersales.cases.domain.inspection import FailureReason, Verdict
from aftersales.cases.models import Case
from aftersales.core.choices import Grade
from aftersales.core.fields import enum_choices


class ReturnParcel(models.Model):
    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="+")
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.PROTECT, related_name="parcels")
    tracking_no = models.CharField(max_length=64, blank=True, db_index=True)
    carrier = models.CharField(max_length=32, blank=True)
    note = models.TextField(blank=True)  # what is written on or found in a parcel with no information
    received_at = models.DateTimeField()
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    matched_at = models.DateTimeField(null=True, blank=True)

    @property
    def is_unmatched(self) -> bool:
        return self.case_id is None

    def __str__(self) -> str:
        return self.tracking_no or f"parcel {self.pk}"


class Inspection(models.Model):
    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="+")
    parcel = models.ForeignKey(ReturnParcel, on_delete=models.PROTECT, related_name="inspections")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="inspections")
    checklist = models.JSONField(default=dict)  # {"tags_intact": true, "washed": false, ...}
    #: The answer to the buyer's claim (cases/domain/inspection.py): it alone decides the outcome.
    verdict = models.CharField(max_length=16, choices=enum_choices(Verdict))
    failure_reason = models.CharField(max_length=16, blank=True, choices=enum_choices(FailureReason))
    #: What the shop can still sell (A restock, B B-stock, C/D write-off): analytics and advice only.
    grade = models.CharField(max_length=1, choices=enum_choices(Grade))
    passed = models.BooleanField()  # verdict != failed, kept for the queries that count passes
    restock = models.BooleanField(default=False)
    received_quantity = models.PositiveIntegerField()
    accepted_quantity = models.PositiveIntegerField()
    write_off_fen = models.BigIntegerField(default=0)  # value of goods that cannot be resold
    note = models.TextField(blank=True)
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(accepted_quantity__lte=models.F("received_quantity")),
                name="accepted_within_received",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.grade}"
