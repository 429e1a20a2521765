"""The inspection's verdict: judged against the buyer's claim and the policy, never by the resale grade."""

import pytest

from aftersales.cases.domain.inspection import (
    FailureReason,
    Judgement,
    Verdict,
    failure_reasons_for,
    judge_return,
)
from aftersales.core.choices import Reason
from aftersales.core.errors import DomainError

FAULT_CLAIMS = ["quality_defect", "not_as_described", "wrong_item", "missing_item", "damaged_in_transit"]
NO_FAULT = ["no_reason", "size_fit", "not_received", "late_delivery", "other"]
APPAREL = ("tags_intact", "not_washed")


def test_every_reason_is_either_a_fault_claim_or_not():
    assert sorted(FAULT_CLAIMS + NO_FAULT) == sorted(r.value for r in Reason)


@pytest.mark.parametrize("reason", FAULT_CLAIMS)
def test_a_fault_claim_passes_with_every_box_unticked(reason):
    # The sole came unglued: graded C, nothing ticked — it is what the buyer said, so it passes.
    judgement = judge_return(reason, {"tags_intact": False, "not_washed": False}, APPAREL)
    assert judgement == Judgement(Verdict.MATCHES_CLAIM, "")
    assert judgement.passed is True


@pytest.mark.parametrize("reason", NO_FAULT)
def test_a_return_without_fault_passes_when_intact(reason):
    judgement = judge_return(reason, {"tags_intact": True, "not_washed": True}, APPAREL)
    assert judgement == Judgement(Verdict.INTACT, "") and judgement.passed


@pytest.mark.parametrize("reason", NO_FAULT)
@pytest.mark.parametrize("checklist", [{"tags_intact": False, "not_washed": True}, {"tags_intact": True}, {}])
def test_a_return_without_fault_that_is_not_intact_needs_a_reason_to_fail(reason, checklist):
    with pytest.raises(DomainError) as caught:
        judge_return(reason, checklist, APPAREL)
    assert caught.value.code == "inspection.not_intact_needs_reason"


@pytest.mark.parametrize("reason", NO_FAULT)
@pytest.mark.parametrize("why", [r.value for r in FailureReason])
def test_a_return_without_fault_fails_for_every_documented_reason_with_a_photo(reason, why):
    judgement = judge_return(reason, {"tags_intact": False}, APPAREL, failure_reason=why, photos=1)
    assert judgement == Judgement(Verdict.FAILED, why) and judgement.passed is False


@pytest.mark.parametrize("reason", FAULT_CLAIMS)
@pytest.mark.parametrize("why", ["not_our_item", "parts_kept", "buyer_damage"])
def test_a_fault_claim_fails_for_another_item_parts_kept_or_damage_by_the_buyer(reason, why):
    assert judge_return(reason, {}, APPAREL, failure_reason=why, photos=2) == Judgement(Verdict.FAILED, why)


@pytest.mark.parametrize("reason", FAULT_CLAIMS)
def test_a_fault_claim_never_fails_for_use(reason):
    with pytest.raises(DomainError) as caught:
        judge_return(reason, {}, APPAREL, failure_reason="used", photos=1)
    assert caught.value.code == "inspection.failure_not_for_claim"
    assert caught.value.params == {"failure": "used", "reason": reason}


@pytest.mark.parametrize("reason", ["quality_defect", "no_reason"])
def test_a_failure_needs_a_photo(reason):
    with pytest.raises(DomainError) as caught:
        judge_return(reason, {"tags_intact": False}, APPAREL, failure_reason="buyer_damage", photos=0)
    assert caught.value.code == "inspection.failure_needs_photo"


def test_an_unknown_failure_reason_is_refused():
    with pytest.raises(DomainError) as caught:
        judge_return("no_reason", {}, APPAREL, failure_reason="ugly", photos=1)
    assert caught.value.code == "inspection.unknown_failure_reason" and caught.value.params == {"value": "ugly"}


def test_the_reasons_offered_follow_the_claim():
    assert failure_reasons_for("quality_defect") == (
        FailureReason.NOT_OUR_ITEM, FailureReason.PARTS_KEPT, FailureReason.BUYER_DAMAGE)
    assert failure_reasons_for("no_reason") == (
        FailureReason.NOT_OUR_ITEM, FailureReason.PARTS_KEPT, FailureReason.BUYER_DAMAGE, FailureReason.USED)


def test_only_the_category_checklist_counts_for_intactness():
    # An electronics return is not judged on tags; a box outside its checklist changes nothing.
    judgement = judge_return("no_reason", {"seal_intact": True, "not_activated": True, "tags_intact": False},
                             ("seal_intact", "not_activated"))
    assert judgement.verdict == Verdict.INTACT
