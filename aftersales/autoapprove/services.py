"""Auto-approve rules: the owner saves them; the worker (tasks.auto_approve, every minute) applies them.

Applying a rule goes through the case verbs as the SYSTEM actor, like the deadline sweeper: the request
is approved, with a staff note naming the rule beside it (the case page shows "自动同意：规则「…」"; the
buyer's page does not show the shop's rules), and a refund-only
request is then granted by the one refund rule and paid with an idempotency key made of the case and the
rule, so that a retried sweep never pays twice. Training shops are skipped: their cases are a trainee's
to decide.

A 极速退款 rule reads the returns on their way back instead (agreed to, with the buyer's tracking number,
nothing granted yet): it grants what the refund rule says is refundable now through
`refunds.grant_fast_refund` (the case's event names the rule) and pays it with the key
"<case>-fast-<rule>"; the case keeps waiting for the parcel.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from datetime import datetime

from django.db import transaction
from django.db.models import Exists, OuterRef, Q

from aftersales import natural_keys
from aftersales.accounts.models import Shop
from aftersales.autoapprove.domain.rules import (
    AWAITED_STATUS,
    CASE_KIND,
    FAST_REFUND,
    Request,
    Rule,
    check_rule,
    pick,
)
from aftersales.autoapprove.models import AutoApproveRule
from aftersales.cases import services as cases
from aftersales.cases.domain.states import Status
from aftersales.cases.models import Case, CaseEvent
from aftersales.core import clock
from aftersales.core.errors import ConflictError, DomainError, NotFoundError
from aftersales.core.money import check_fen, format_fen
from aftersales.intelligence.signals.selectors import standings
from aftersales.refunds import services as refunds

logger = logging.getLogger("aftersales.autoapprove")

#: Requests looked at per shop and sweep (the oldest first); the rest wait for the next minute.
BATCH = 200


# ---------------------------------------------------------------------------------------------
# The owner's rules


@transaction.atomic
def save_rule(shop: Shop, *, rule_id: int | None = None, name: str, remedy: str, goods_status: str,
              max_fen: int, trust: str, active: bool = True, user=None) -> AutoApproveRule:
    name = name.strip()
    check_fen(max_fen)
    check_rule(name=name, remedy=remedy, goods_status=goods_status, max_fen=max_fen, trust=trust)
    if rule_id is None:
        rule = AutoApproveRule(shop=shop, created_by=user if getattr(user, "is_authenticated", False) else None)
    else:
        rule = AutoApproveRule.objects.select_for_update().filter(shop=shop, pk=rule_id).first()
        if rule is None:
            raise NotFoundError("autoapprove.rule_not_found", rule_id=rule_id)
    if AutoApproveRule.objects.filter(shop=shop, name=name).exclude(pk=rule.pk).exists():
        raise ConflictError("autoapprove.duplicate_name", name=name)
    rule.name, rule.remedy, rule.goods_status, rule.max_fen, rule.trust, rule.active = (
        name, remedy, goods_status, max_fen, trust, active)
    natural_keys.insert_or_conflict(rule.save, lambda: ConflictError("autoapprove.duplicate_name", name=name))
    return rule


@transaction.atomic
def delete_rule(shop: Shop, rule_id: int) -> None:
    deleted, _ = AutoApproveRule.objects.filter(shop=shop, pk=rule_id).delete()
    if not deleted:
        raise NotFoundError("autoapprove.rule_not_found", rule_id=rule_id)


def active_rules(shop: Shop) -> list[Rule]:
    return [r.as_rule() for r in AutoApproveRule.objects.filter(shop=shop, active=True).order_by("pk")]


# ---------------------------------------------------------------------------------------------
# The worker's sweep


@dataclass
class Applied:
    case_id: int
    number: str
    rule: str
    refunded_fen: int = 0


@dataclass
class Report:
    applied: list[Applied] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return f"auto-approved={len(self.applied)} errors={len(self.errors)}"


def note_for(rule: Rule) -> str:
    """The note on the approval: it names the rule that made the decision."""
    return f"自动同意：规则「{rule.name}」（{format_fen(rule.max_fen)} 以内）"


def request_of(case: Case, standing: str, evidence_asked: bool) -> Request:
    refundable = refunds.refundable_now(case)
    amount = min(case.requested_fen or refundable, refundable)
    return Request(kind=case.kind, status=case.status, goods_status=case.goods_status, amount_fen=amount,
                   standing=standing, decision=case.policy_decision or {},
                   platform_decides=bool(case.platform_case_id) or bool(case.awaiting_platform),
                   evidence_asked=evidence_asked, return_tracked=bool(case.return_tracking_no),
                   granted_fen=case.refund_granted_fen)


def _candidates(shop: Shop, rules: list[Rule]):
    """The shop's own cases some rule may read: requests awaiting review of a kind a rule agrees to, and
    (with a 极速退款 rule) returns on their way back with a tracking number and nothing granted yet."""
    asked = CaseEvent.objects.filter(case=OuterRef("pk"), action="request_evidence")
    wanted = Q(pk__in=[])
    for status in {AWAITED_STATUS[r.remedy] for r in rules}:
        kinds = {CASE_KIND[r.remedy] for r in rules if AWAITED_STATUS[r.remedy] == status}
        where = Q(status=status, kind__in=kinds)
        if status == Status.RETURN_IN_TRANSIT.value:
            where &= ~Q(return_tracking_no="") & Q(refund_granted_fen=0)
        wanted |= where
    return (Case.objects.filter(wanted, shop=shop)
            .filter(Q(platform_case_id__isnull=True) | Q(platform_case_id=""), awaiting_platform="")
            .annotate(evidence_asked=Exists(asked)).select_related("order").order_by("created_at", "pk"))


def apply_rules(now: datetime | None = None, *, shop: Shop | None = None) -> Report:
    """One pass over every real shop's requests awaiting review: each one an active rule agrees to is
    approved (and, for a refund-only request, refunded). Safe to run again: a decided case is no longer
    awaiting review, and its payment's key is the same."""
    now = now or clock.now()
    report = Report()
    shops = Shop.objects.real().filter(auto_approve_rules__active=True).distinct()
    if shop is not None:
        shops = shops.filter(pk=shop.pk)
    for each in shops.order_by("pk"):
        rules = active_rules(each)
        found = list(_candidates(each, rules)[:BATCH])
        trust = standings(each, [c.buyer_id for c in found])
        for case in found:
            rule = pick(rules, request_of(case, trust.get(case.buyer_id, ""), case.evidence_asked))
            if rule is None:
                continue  # left for a person: a rule never refuses
            try:
                report.applied.append(_apply(each, case.pk, rule, now))
            except DomainError as exc:  # someone acted first, or the money changed: leave it to them
                logger.info("auto-approve rule %s not applied to case %s: %s", rule.id, case.pk, exc.code)
                report.errors.append(f"{case.number}: {exc.code}")
    return report


def _apply(shop: Shop, case_id: int, rule: Rule, now: datetime) -> Applied:
    if rule.remedy == FAST_REFUND:
        return _apply_fast_refund(shop, case_id, rule, now)
    with transaction.atomic():
        case = Case.objects.select_related("order").get(shop=shop, pk=case_id)
        request = _request_now(shop, case)
        if pick([rule], request) is None:
            raise ConflictError("autoapprove.no_longer_fits", rule=rule.name)
        # The verb takes the case's lock and refuses if someone moved the case meanwhile; what the rule
        # read is checked again under that lock, and anything changed undoes the approval.
        case = cases.approve_case(shop, case_id, cases.SYSTEM, now=now)
        if pick([rule], _request_now(shop, case, status="requested")) is None:
            raise ConflictError("autoapprove.no_longer_fits", rule=rule.name)
        # The rule that decided, for staff only (a note): the buyer reads the approval, not the shop's rules.
        cases.add_note(shop, case_id, cases.SYSTEM, note=note_for(rule), now=now)
        granted = 0
        if case.status == Status.REFUNDING.value:
            refunds.grant_refund(shop, case_id, cases.SYSTEM, amount_fen=request.amount_fen,
                                 reason_code="approved_request", now=now)
            granted = request.amount_fen
    refunded = 0
    if granted:
        # After the grant commits: the money moves with a key the next sweep would use again.
        payments = refunds.execute_refund(shop, case_id, cases.SYSTEM, idempotency_key=f"{case.number}-auto-{rule.id}",
                                          now=now)
        refunded = sum(p.amount_fen for p in payments if p.status == "succeeded")
    return Applied(case_id, case.number, rule.name, refunded)


def _apply_fast_refund(shop: Shop, case_id: int, rule: Rule, now: datetime) -> Applied:
    """极速退款: grant (by the refund rule, within the rule's cap) and pay a return on its way back."""
    with transaction.atomic():
        case = Case.objects.select_related("order").get(shop=shop, pk=case_id)
        if pick([rule], _request_now(shop, case)) is None:
            raise ConflictError("autoapprove.no_longer_fits", rule=rule.name)
        # The grant locks the order and the case and refuses a case that moved meanwhile; what the rule
        # read is checked again under those locks (as before the grant), and a change undoes the grant.
        decision = refunds.grant_fast_refund(shop, case_id, cases.SYSTEM, rule_id=rule.id, rule_name=rule.name,
                                             max_fen=rule.max_fen, now=now)
        case = Case.objects.select_related("order").get(shop=shop, pk=case_id)
        before = replace(_request_now(shop, case), granted_fen=0, amount_fen=decision.amount_fen)
        if pick([rule], before) is None:
            raise ConflictError("autoapprove.no_longer_fits", rule=rule.name)
    payments = refunds.execute_refund(shop, case_id, cases.SYSTEM, idempotency_key=fast_refund_key(case, rule),
                                      now=now)
    refunded = sum(p.amount_fen for p in payments if p.status == "succeeded")
    return Applied(case_id, case.number, rule.name, refunded)


def fast_refund_key(case: Case, rule: Rule) -> str:
    """The idempotency key of a fast refund's payment: the same for the same case and rule, always."""
    return f"{case.number}-fast-{rule.id}"


def _request_now(shop: Shop, case: Case, status: str | None = None) -> Request:
    asked = CaseEvent.objects.filter(case=case, action="request_evidence").exists()
    standing = standings(shop, [case.buyer_id]).get(case.buyer_id, "")
    request = request_of(case, standing, asked)
    if status is not None:  # as it was read before the approval moved it
        request = replace(request, status=status)
    return request
