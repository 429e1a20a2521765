"""Actions on many cases at once. Each case goes through the single-case service in its own
transaction, so one refusal never undoes the others; the result says what happened to each."""

from __future__ import annotations

from dataclasses import dataclass, field

from aftersales.accounts.models import Shop
from aftersales.cases import services
from aftersales.cases.domain.states import Kind, Status
from aftersales.cases.models import Case
from aftersales.core.choices import GoodsStatus
from aftersales.core.errors import DomainError


@dataclass
class BulkResult:
    done: list[Case] = field(default_factory=list)
    refused: list[tuple[Case | int, DomainError]] = field(default_factory=list)


def unshipped_refund_refusal(case: Case) -> DomainError | None:
    """Why `case` cannot be approved in bulk, or None: only refund-only requests (仅退款) on orders not yet
    shipped, still awaiting review, are safe to approve without reading them one by one."""
    if case.kind != Kind.REFUND_ONLY.value or case.goods_status != GoodsStatus.NOT_SHIPPED.value:
        return DomainError("case.bulk_not_unshipped_refund", number=case.number)
    if case.status != Status.REQUESTED.value:
        return DomainError("case.bulk_not_awaiting_review", number=case.number)
    return None


def assign_many(shop: Shop, case_ids: list[int], by: services.By, *, assignee) -> BulkResult:
    result = BulkResult()
    found = {c.pk: c for c in Case.objects.filter(shop=shop, pk__in=case_ids)}
    for case_id in case_ids:
        case = found.get(case_id)
        if case is None:
            result.refused.append((case_id, DomainError("case.not_found", case_id=case_id)))
            continue
        try:
            result.done.append(services.assign_case(shop, case.pk, by, assignee=assignee))
        except DomainError as exc:
            result.refused.append((case, exc))
    return result
