"""Customer care, one verb each: replies from templates, the compensation ladder, the buyer's rating.

Every write is one transaction; those that touch a case write a CaseEvent in the same transaction.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Sum

from aftersales import natural_keys
from aftersales.accounts.models import Shop
from aftersales.care.defaults import DEFAULT_TEMPLATES
from aftersales.care.domain.ladder import step_of
from aftersales.care.domain.limits import Limits, check_limits, judge
from aftersales.care.models import (
    ApprovalStatus,
    Compensation,
    CompensationApproval,
    CompensationLimits,
    ReplyTemplate,
    Satisfaction,
    TemplateKind,
)
from aftersales.cases.domain.states import TERMINAL, Status
from aftersales.cases.models import Case
from aftersales.cases.services import (
    By,
    hold_case,
    record_compensation,
    record_compensation_declined,
    record_compensation_requested,
    record_rating,
    record_reply,
)
from aftersales.core import clock
from aftersales.core.errors import ConflictError, DomainError, NotFoundError
from aftersales.core.money import check_fen, format_fen

# ---------------------------------------------------------------------------------------------
# Reply templates

PLACEHOLDERS = ("case_number", "buyer_nick", "order_number", "requested_amount", "refund_amount",
                "refunded_amount", "deadline", "status", "shop_name", "product")
_PLACEHOLDER = re.compile(r"\{(\w+)\}")
BODY_LIMIT = 2000


def ensure_default_templates(shop: Shop) -> None:
    """Give a shop that has no reply templates the built-in ones (Chinese and English)."""
    if ReplyTemplate.objects.filter(shop=shop).exists():
        return
    with transaction.atomic():
        for position, (kind, language, name, body) in enumerate(DEFAULT_TEMPLATES):
            ReplyTemplate.objects.get_or_create(shop=shop, language=language, name=name,
                                                defaults={"kind": kind, "body": body, "position": position})


def _check_template(kind: str, language: str, name: str, body: str) -> None:
    from django.conf import settings

    if kind not in TemplateKind.values:
        raise DomainError("input.invalid_choice", field="kind", value=kind)
    if language not in dict(settings.LANGUAGES):
        raise DomainError("input.invalid_choice", field="language", value=language)
    if not name.strip():
        raise DomainError("input.required", field="name")
    if len(name) > 60:
        raise DomainError("input.too_long", field="name", limit=60)
    if not body.strip():
        raise DomainError("input.required", field="body")
    if len(body) > BODY_LIMIT:
        raise DomainError("input.too_long", field="body", limit=BODY_LIMIT)
    unknown = sorted({m for m in _PLACEHOLDER.findall(body) if m not in PLACEHOLDERS})
    if unknown:
        raise DomainError("care.unknown_placeholder", names=", ".join(f"{{{u}}}" for u in unknown))


@transaction.atomic
def save_template(shop: Shop, *, template_id: int | None = None, kind: str, language: str, name: str,
                  body: str) -> ReplyTemplate:
    name, body = name.strip(), body.strip()
    _check_template(kind, language, name, body)
    if template_id is None:
        template = ReplyTemplate(shop=shop)
    else:
        template = ReplyTemplate.objects.select_for_update().filter(shop=shop, pk=template_id).first()
        if template is None:
            raise NotFoundError("care.template_not_found", template_id=template_id)
    if ReplyTemplate.objects.filter(shop=shop, language=language, name=name).exclude(pk=template.pk).exists():
        raise ConflictError("care.duplicate_template_name", name=name)
    template.kind, template.language, template.name, template.body = kind, language, name, body
    natural_keys.insert_or_conflict(template.save, lambda: ConflictError("care.duplicate_template_name", name=name))
    return template


@transaction.atomic
def delete_template(shop: Shop, template_id: int) -> None:
    deleted, _ = ReplyTemplate.objects.filter(shop=shop, pk=template_id).delete()
    if not deleted:
        raise NotFoundError("care.template_not_found", template_id=template_id)


def fill_template(body: str, values: dict[str, str]) -> str:
    """Replace each {placeholder} with its value; anything unknown is left as written."""
    return _PLACEHOLDER.sub(lambda m: str(values.get(m.group(1), m.group(0))), body)


@transaction.atomic
def send_reply(shop: Shop, case_id: int, by: By, *, body: str, template_id: int | None = None,
               now: datetime | None = None) -> Case:
    """Send a reply to the buyer (the text as finally edited by the agent) and record it on the case."""
    body = body.strip()
    if not body:
        raise DomainError("input.required", field="body")
    if len(body) > BODY_LIMIT:
        raise DomainError("input.too_long", field="body", limit=BODY_LIMIT)
    if template_id is not None and not ReplyTemplate.objects.filter(shop=shop, pk=template_id).exists():
        raise NotFoundError("care.template_not_found", template_id=template_id)
    return record_reply(shop, case_id, by, body=body, template_id=template_id, now=now)


# ---------------------------------------------------------------------------------------------
# Compensation ladder (补偿阶梯): the rungs and their order are in care/domain/ladder.py


def month_start(now: datetime) -> datetime:
    local = clock.to_shanghai(now)
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


@dataclass(frozen=True)
class Budget:
    budget_fen: int
    used_fen: int

    @property
    def left_fen(self) -> int:
        return max(0, self.budget_fen - self.used_fen)


def budget_of(shop: Shop, now: datetime | None = None) -> Budget:
    used = (Compensation.objects.filter(shop=shop, created_at__gte=month_start(now or clock.now()))
            .aggregate(total=Sum("cost_fen"))["total"]) or 0
    return Budget(budget_fen=shop.compensation_budget_fen, used_fen=used)


def limits_of(shop: Shop) -> Limits:
    """The shop's compensation limits (the defaults until the owner sets them)."""
    row = CompensationLimits.objects.filter(shop=shop).first()
    return row.as_limits() if row else Limits()


@transaction.atomic
def set_compensation_limits(shop: Shop, *, agent_fen: int, case_fen: int, owner_fen: int) -> Limits:
    for value in (agent_fen, case_fen, owner_fen):
        check_fen(value)
    limits = check_limits(agent_fen=agent_fen, case_fen=case_fen, owner_fen=owner_fen)
    CompensationLimits.objects.update_or_create(shop=shop, defaults={
        "agent_limit_fen": agent_fen, "case_limit_fen": case_fen, "owner_limit_fen": owner_fen})
    return limits


def _user(by: By):
    return by.user if getattr(by.user, "is_authenticated", False) else None


def _check_budget(shop: Shop, cost_fen: int, now: datetime) -> None:
    budget = budget_of(shop, now)
    if budget.used_fen + cost_fen > budget.budget_fen:
        raise ConflictError("care.over_budget", cost=format_fen(cost_fen), left=format_fen(budget.left_fen),
                            budget=format_fen(budget.budget_fen))


def _give(shop: Shop, case: Case, by: By, *, rung: str, cost_fen: int, note: str, reason: str, why: list[str],
          now: datetime, granted_by=None, approval: CompensationApproval | None = None) -> Compensation:
    """Make the grant and its event on a locked shop and case (the budget already checked)."""
    approver = _user(by) if approval is not None else None
    grant = Compensation.objects.create(shop=shop, case=case, rung=rung, cost_fen=cost_fen, note=note,
                                        reason=reason, granted_by=granted_by, approved_by=approver,
                                        created_at=now)
    record_compensation(shop, case, by, compensation_id=grant.pk, rung=rung, cost_fen=cost_fen, note=note,
                        reason=reason, why=why, approval_id=approval.pk if approval is not None else None,
                        approved_by=approver.get_username() if approver else "", now=now)
    return grant


@transaction.atomic
def grant_compensation(shop: Shop, case_id: int, by: By, *, rung: str, cost_fen: int, note: str = "",
                       reason: str = "", as_owner: bool = False,
                       now: datetime | None = None) -> Compensation | CompensationApproval:
    """Give the buyer a goodwill compensation, guarded by the ladder and the owner's limits
    (care.domain.limits): a skipped rung, a grant beyond the ladder or over a limit needs `reason`; an
    agent's grant over the agent's or the case's limit gives nothing yet and becomes a pending approval on
    the owners' list (returned instead of the grant). `as_owner`: the person giving holds the owner role.
    Refused when it would exceed this month's budget."""
    now = now or clock.now()
    step_of(rung)
    check_fen(cost_fen)
    note, reason = note.strip(), reason.strip()
    if len(note) > 200:
        raise DomainError("input.too_long", field="note", limit=200)
    # The shop row is the lock that keeps two grants from spending the same budget twice.
    locked = Shop.objects.select_for_update().get(pk=shop.pk)
    case = hold_case(locked, case_id)
    given = list(Compensation.objects.filter(case=case).order_by("created_at", "pk").values_list("rung", "cost_fen"))
    verdict = judge(rung=rung, cost_fen=cost_fen, is_owner=as_owner, urgency=case.urgency, given=given,
                    limits=limits_of(locked), reason=reason)
    _check_budget(locked, cost_fen, now)
    why = [w.value for w in verdict.why]
    if verdict.needs_owner:
        approval = CompensationApproval.objects.create(
            shop=locked, case=case, rung=rung, cost_fen=cost_fen, note=note, reason=reason, why=why,
            requested_by=_user(by), requested_at=now)
        record_compensation_requested(locked, case, by, approval_id=approval.pk, rung=rung, cost_fen=cost_fen,
                                      why=why, reason=reason, note=note, now=now)
        return approval
    return _give(locked, case, by, rung=rung, cost_fen=cost_fen, note=note, reason=reason if why else "",
                 why=why, now=now, granted_by=_user(by))


def _pending(shop: Shop, approval_id: int) -> CompensationApproval:
    approval = (CompensationApproval.objects.select_for_update(of=("self",)).select_related("requested_by")
                .filter(shop=shop, pk=approval_id).first())
    if approval is None:
        raise NotFoundError("care.approval_not_found", approval_id=approval_id)
    if approval.status != ApprovalStatus.PENDING:
        raise ConflictError("care.approval_decided", status=approval.status)
    return approval


@transaction.atomic
def approve_compensation(shop: Shop, approval_id: int, by: By, *, now: datetime | None = None) -> Compensation:
    """The owner approves a pending compensation: it is given as asked, with the approver recorded."""
    now = now or clock.now()
    locked = Shop.objects.select_for_update().get(pk=shop.pk)
    approval = _pending(locked, approval_id)
    case = hold_case(locked, approval.case_id)
    owner_cap = limits_of(locked).owner_fen
    if owner_cap and approval.cost_fen > owner_cap:  # the owner lowered the cap since it was asked
        raise ConflictError("care.over_owner_limit", cost=approval.cost_fen, limit=owner_cap)
    _check_budget(locked, approval.cost_fen, now)
    grant = _give(locked, case, by, rung=approval.rung, cost_fen=approval.cost_fen, note=approval.note,
                  reason=approval.reason, why=list(approval.why), now=now, granted_by=approval.requested_by,
                  approval=approval)
    approval.status, approval.decided_by, approval.decided_at = ApprovalStatus.APPROVED, _user(by), now
    approval.compensation = grant
    approval.save(update_fields=["status", "decided_by", "decided_at", "compensation"])
    return grant


@transaction.atomic
def decline_compensation(shop: Shop, approval_id: int, by: By, *, note: str = "",
                         now: datetime | None = None) -> CompensationApproval:
    """The owner declines a pending compensation: nothing is given, and the agent who asked is told."""
    now = now or clock.now()
    note = note.strip()
    if len(note) > 200:
        raise DomainError("input.too_long", field="note", limit=200)
    approval = _pending(shop, approval_id)
    case = hold_case(shop, approval.case_id)
    approval.status, approval.decided_by, approval.decided_at = ApprovalStatus.DECLINED, _user(by), now
    approval.decision_note = note
    approval.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    asker = approval.requested_by
    record_compensation_declined(shop, case, by, approval_id=approval.pk, rung=approval.rung,
                                 cost_fen=approval.cost_fen, requested_by=asker.pk if asker else None, note=note,
                                 now=now)
    return approval


@transaction.atomic
def set_compensation_budget(shop: Shop, *, budget_fen: int) -> Shop:
    check_fen(budget_fen)
    locked = Shop.objects.select_for_update().get(pk=shop.pk)
    locked.compensation_budget_fen = budget_fen
    locked.save(update_fields=["compensation_budget_fen"])
    return locked


# ---------------------------------------------------------------------------------------------
# Satisfaction (满意度)

COMMENT_LIMIT = 1000


@transaction.atomic
def rate_case(shop: Shop, case_id: int, by: By, *, score: int, comment: str = "",
              now: datetime | None = None) -> Satisfaction:
    """The buyer rates the service once the case is finished (completed or closed)."""
    if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
        raise DomainError("care.invalid_score")
    comment = comment.strip()
    if len(comment) > COMMENT_LIMIT:
        raise DomainError("input.too_long", field="comment", limit=COMMENT_LIMIT)
    case = hold_case(shop, case_id)
    if Status(case.status) not in TERMINAL:
        raise ConflictError("care.case_not_finished")
    if Satisfaction.objects.filter(case=case).exists():
        raise ConflictError("care.already_rated")
    now = now or clock.now()
    rating = Satisfaction.objects.create(shop=shop, case=case, score=score, comment=comment, created_at=now)
    record_rating(shop, case, by, score=score, comment=comment, now=now)
    return rating
