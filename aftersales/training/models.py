"""The training centre (培训中心): sandboxes, attempts with their scores, course assignments, the
owner's pass level, and scenarios the owner made from the shop's own closed cases.

A trainee works in a training shop (`Shop.training_of` = the real shop): one per trainee and real shop,
so trainees never see each other's cases and nothing of it appears in the real shop's inbox, figures,
outbox or ledger. Everything here hangs off the real shop, where the owner sees it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from aftersales.accounts.models import Shop
from aftersales.cases.models import Case


class Sandbox(models.Model):
    """The training shop where one trainee practises for one real shop."""

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    training_shop = models.OneToOneField(Shop, on_delete=models.CASCADE, related_name="sandbox")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["shop", "user"], name="uniq_training_sandbox")]

    def __str__(self) -> str:
        return f"{self.training_shop_id} for {self.user_id} @ {self.shop_id}"


class Attempt(models.Model):
    """One trainee working one scenario: the training case, what happened on it, and the scores."""

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="training_attempts")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    scenario_key = models.CharField(max_length=80)
    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="training_attempt")
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    # Every step in simulated minutes: the trainee's (read from the case's events) and the simulated
    # buyer's and platform's (applied to the case through the same services).
    history = models.JSONField(default=list, blank=True)
    last_event_id = models.BigIntegerField(default=0)  # the case events already turned into steps
    lawful_request = models.BooleanField(default=True)  # the policy engine's decision on the request
    # The advice engine's expected cost (fen) of each remedy giving the buyer what was asked, when the
    # case opened: the cost criterion measures the trainee's remedy against the cheapest of them.
    advice = models.JSONField(default=dict, blank=True)
    scores = models.JSONField(default=dict, blank=True)  # criterion → 0–100
    reasons = models.JSONField(default=list, blank=True)  # [[criterion, code, params, [[code, params]…]]…]
    passed = models.BooleanField(default=False)
    pass_level = models.PositiveSmallIntegerField(default=80)
    cost_fen = models.BigIntegerField(default=0)
    ideal_cost_fen = models.BigIntegerField(default=0)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["shop", "user", "started_at"])]

    def __str__(self) -> str:
        return f"{self.scenario_key} by {self.user_id}"

    @property
    def is_open(self) -> bool:
        return self.finished_at is None


class CourseAssignment(models.Model):
    """The owner asks a trainee to take a course; passing every scenario of it marks them ready."""

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    course = models.CharField(max_length=40)
    assigned_at = models.DateTimeField()
    passed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["assigned_at", "id"]
        constraints = [models.UniqueConstraint(fields=["shop", "user", "course"], name="uniq_course_assignment")]

    def __str__(self) -> str:
        return f"{self.course} for {self.user_id}"


class TrainingSettings(models.Model):
    """The owner's choices for the shop's training: the level each criterion must reach to pass."""

    shop = models.OneToOneField(Shop, on_delete=models.CASCADE, related_name="training_settings")
    pass_level = models.PositiveSmallIntegerField(default=80)

    def __str__(self) -> str:
        return f"pass at {self.pass_level}"


class ShopScenario(models.Model):
    """A scenario the owner made from one of the shop's closed cases (buyer data masked): TOML text in
    the library's own format, loaded and checked by the same code."""

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="training_scenarios")
    key = models.CharField(max_length=80)
    source = models.TextField()
    source_case_number = models.CharField(max_length=32, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["shop", "key"], name="uniq_shop_scenario_key")]

    def __str__(self) -> str:
        return self.key
