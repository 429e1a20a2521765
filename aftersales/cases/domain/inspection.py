"""Judging a returned parcel against the buyer's claim and the policy — pure, no Django.

An inspection answers two separate questions:

- the **verdict**: does what came back match what the buyer claimed and what the policy requires? It
  alone decides the buyer's outcome. A claim that the goods are at fault (a defect, not as described,
  damaged in transit, a wrong or missing item) passes when the goods came back — the fault is what the
  buyer claimed, so a cracked sole graded C is a confirmed claim, not a refusal. A return without fault
  (no reason, the size, anything else on the buyer's side) passes when the goods are intact by the
  category's checklist (办法 8–9: tags, seal, unused beyond what inspecting them needs).
- the **resale grade** (A restock, B B-stock, C/D write-off): what the shop can still sell. It feeds
  the analytics and the remedy advice, never the outcome.

An inspection fails only for one of `FailureReason` — each documented, each with at least one photo:
a buyer refused on the warehouse's word alone could not be defended before the platform.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from aftersales.core.choices import MERCHANT_FAULT_REASONS
from aftersales.core.errors import DomainError


class Verdict(StrEnum):
    MATCHES_CLAIM = "matches_claim"  # what the buyer claimed is what came back: passes
    INTACT = "intact"  # a return without fault came back intact: passes
    FAILED = "failed"  # for one of FailureReason, with photos


class FailureReason(StrEnum):
    NOT_OUR_ITEM = "not_our_item"  # another item, or an empty box (调包/空包)
    PARTS_KEPT = "parts_kept"  # accessories, parts or gifts kept back
    BUYER_DAMAGE = "buyer_damage"  # damaged by the buyer (人为损坏)
    USED = "used"  # used beyond inspecting it: fails a return without fault only


#: Failure reasons that only a return without fault can fail on: using goods that turned out faulty is
#: how a buyer finds the fault, so it never refuses a defect claim.
NO_FAULT_ONLY: frozenset[FailureReason] = frozenset({FailureReason.USED})


@dataclass(frozen=True)
class Judgement:
    verdict: Verdict
    failure_reason: str = ""

    @property
    def passed(self) -> bool:
        return self.verdict != Verdict.FAILED


def claims_a_fault(reason: str) -> bool:
    """Whether the buyer's reason says the goods (or their delivery) are at fault: the inspection then
    checks the claim, not whether the goods are intact."""
    return reason in MERCHANT_FAULT_REASONS


def failure_reasons_for(reason: str) -> tuple[FailureReason, ...]:
    """The reasons an inspection of a return with the buyer's `reason` may fail for, in display order."""
    fault = claims_a_fault(reason)
    return tuple(r for r in FailureReason if not (fault and r in NO_FAULT_ONLY))


def judge_return(
    reason: str,
    checklist: Mapping[str, bool],
    required: Iterable[str],
    *,
    failure_reason: str = "",
    photos: int = 0,
) -> Judgement:
    """The verdict on a returned parcel.

    `reason`: the buyer's reason on the case. `checklist`: the boxes the inspector ticked (an item left
    out counts as not ticked). `required`: the category's checklist, which a return without fault must
    meet. `failure_reason`: the inspector's documented reason to fail it, or "". `photos`: how many
    photos are kept with the inspection.

    Raises DomainError `inspection.unknown_failure_reason`, `inspection.failure_not_for_claim` (a
    defect claim cannot fail for use), `inspection.failure_needs_photo`, and
    `inspection.not_intact_needs_reason` (a return without fault with a box unticked is neither intact
    nor failed until the inspector says why it fails).
    """
    if failure_reason:
        try:
            why = FailureReason(failure_reason)
        except ValueError:
            raise DomainError("inspection.unknown_failure_reason", value=str(failure_reason)) from None
        if why not in failure_reasons_for(reason):
            raise DomainError("inspection.failure_not_for_claim", failure=why.value, reason=reason)
        if photos < 1:
            raise DomainError("inspection.failure_needs_photo")
        return Judgement(Verdict.FAILED, why.value)
    if claims_a_fault(reason):
        # An unconfirmed defect is no reason to refuse either: within six months the seller bears the
        # burden of proving the goods sound (消保法 23), so only the documented reasons above fail it.
        return Judgement(Verdict.MATCHES_CLAIM)
    unticked = [item for item in required if not checklist.get(item)]
    if unticked:
        raise DomainError("inspection.not_intact_needs_reason")
    return Judgement(Verdict.INTACT)


CODES = frozenset({
    "inspection.unknown_failure_reason",
    "inspection.failure_not_for_claim",
    "inspection.failure_needs_photo",
    "inspection.not_intact_needs_reason",
})
