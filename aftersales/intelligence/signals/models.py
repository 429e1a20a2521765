"""The owner's word on a buyer: trusted (signals are shown but ask for nothing) or watched."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from aftersales.accounts.models import Shop
from aftersales.orders.models import Buyer


class BuyerStanding(models.Model):
    class Standing(models.TextChoices):
        TRUSTED = "trusted", "trusted"
        WATCHED = "watched", "watched"

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="+")
    buyer = models.OneToOneField(Buyer, on_delete=models.CASCADE, related_name="standing")
    standing = models.CharField(max_length=8, choices=Standing.choices)
    note = models.CharField(max_length=200, blank=True)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["shop", "standing"])]

    def __str__(self) -> str:
        return f"{self.buyer_id}: {self.standing}"
