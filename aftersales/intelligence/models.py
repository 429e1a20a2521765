"""What staff taught the reasons classifier: each correction is a labelled text of that shop."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from aftersales.accounts.models import Shop


class ReasonCorrection(models.Model):
    """An agent's verdict on what a buyer's words mean, kept per shop as training data. The text is
    copied: the pair stays a training example whatever later happens to the case."""

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="reason_corrections")
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="reason_corrections")
    text = models.TextField()
    picked_reason = models.CharField(max_length=24)  # what the buyer picked
    suggested_reason = models.CharField(max_length=24, blank=True)  # what the words were read as before
    corrected_reason = models.CharField(max_length=24)  # what the agent says they mean
    corrected_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["shop", "created_at"])]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.suggested_reason} → {self.corrected_reason}"
