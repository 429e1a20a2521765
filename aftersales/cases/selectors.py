"""Reads of cases: always inside one shop."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from aftersales.accounts.models import Shop
from aftersales.cases.domain.states import TERMINAL
from aftersales.cases.models import Case, CaseLine
from aftersales.intelligence.reasons import agreement


def cases_of(shop: Shop) -> QuerySet[Case]:
    return Case.objects.filter(shop=shop)


def filter_cases(
    shop: Shop,
    *,
    status: str | None = None,
    kind: str | None = None,
    platform: str | None = None,
    reason: str | None = None,
    due_before: datetime | None = None,
    open_only: bool = False,
    tag: str | None = None,
    assignee_id: int | None = None,
    q: str | None = None,
    urgency_min: int | None = None,
    said: str | None = None,
    mismatch: bool = False,
) -> QuerySet[Case]:
    """The shop's cases by the inbox's and the API's filters. `urgency_min` keeps cases at least that
    urgent; `said`, those whose buyer's words read as that reason; `mismatch`, those whose words read
    as another reason than the one the buyer picked."""
    qs = cases_of(shop)
    if status:
        qs = qs.filter(status__in=status.split(","))
    if kind:
        qs = qs.filter(kind__in=kind.split(","))
    if platform:
        qs = qs.filter(platform__in=platform.split(","))
    if reason:
        qs = qs.filter(reason__in=reason.split(","))
    if due_before:
        qs = qs.filter(deadline_at__lte=due_before)
    if open_only:
        qs = qs.exclude(status__in=[s.value for s in TERMINAL])
    if tag:
        # Tags are a small JSON list; a containment filter that works on SQLite and PostgreSQL alike.
        qs = qs.filter(tags__icontains=f'"{tag}"')
    if assignee_id:
        qs = qs.filter(assignee_id=assignee_id)
    if urgency_min:
        qs = qs.filter(urgency__gte=urgency_min)
    if said:
        qs = qs.filter(suggested_reason__in=said.split(","))
    if mismatch:
        # The rule of `intelligence.reasons.agreement.reads_otherwise`, as a query.
        qs = (qs.exclude(suggested_reason__in=["", agreement.SERVICE]).exclude(suggested_reason=F("reason"))
              .filter(suggested_confidence__gte=agreement.MIN_CONFIDENCE))
    if q:
        qs = qs.filter(search_condition(q))
    return qs


def search_condition(q: str) -> Q:
    """What a workbench search matches: the case, order or return tracking number, the buyer's nick or
    name, the last four digits of the buyer's phone, or a product's title on the case."""
    condition = (Q(number__icontains=q) | Q(order__platform_order_id__icontains=q)
                 | Q(return_tracking_no__icontains=q) | Q(buyer__nick__icontains=q) | Q(buyer__name__icontains=q)
                 | Exists(CaseLine.objects.filter(case=OuterRef("pk"), order_line__title__icontains=q)))
    if len(q) == 4 and q.isdigit():
        condition |= Q(buyer__phone_last4=q)
    return condition


def case_detail(shop: Shop, case_id: int) -> Case:
    case = get_object_or_404(
        Case.objects.select_related("order", "buyer", "assignee", "exchange_sku").prefetch_related(
            "events",
            Prefetch("lines", queryset=CaseLine.objects.select_related("order_line").order_by("order_line_id")),
        ),
        shop=shop,
        pk=case_id,
    )
    case.shop = case.order.shop = shop  # the same row, already read: the advice and signals need it
    return case
