"""The abuse signals of cases, read from the database and judged by `signals.domain`.

    signals_for_case(case)            # one case
    signals_for_cases(shop, cases)    # many cases of one shop: a handful of grouped queries
    flagged_buyer_ids(shop)           # buyers of open cases that raise a buyer signal (inbox filter)
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db.models import Count

from aftersales.accounts.models import Shop
from aftersales.analytics.causes import buyer_figures
from aftersales.cases.domain.inspection import FailureReason
from aftersales.cases.domain.states import TERMINAL
from aftersales.cases.models import Case
from aftersales.core import clock
from aftersales.intelligence.shop_stats import shop_stats
from aftersales.intelligence.signals.domain import CaseClaim, Signals, signals_of
from aftersales.intelligence.signals.models import BuyerStanding
from aftersales.orders.models import Buyer
from aftersales.warehouse.models import Inspection


def standings(shop: Shop, buyer_ids: Iterable[int]) -> dict[int, str]:
    return dict(BuyerStanding.objects.filter(shop=shop, buyer_id__in=set(buyer_ids))
                .values_list("buyer_id", "standing"))


def _phones_shared(shop: Shop, buyers: list[Buyer]) -> dict[int, int]:
    """Buyer id → how many buyer accounts of the shop have the same (full) phone number."""
    phones = {b.phone for b in buyers if b.phone and "*" not in b.phone}
    counts = dict(Buyer.objects.filter(shop=shop, phone__in=phones).values_list("phone")
                  .annotate(n=Count("pk")))
    return {b.pk: counts.get(b.phone, 1) for b in buyers if b.phone in counts}


def _claims(cases: list[Case]) -> dict[int, CaseClaim]:
    inspections: dict[int, list[Inspection]] = {}
    for inspection in Inspection.objects.filter(case_id__in=[c.pk for c in cases]):
        inspections.setdefault(inspection.case_id, []).append(inspection)
    out = {}
    for case in cases:
        signed = case.order.signed_at
        hours = int((case.created_at - signed).total_seconds() // 3600) if signed else None
        done = inspections.get(case.pk, [])
        # Only a failed inspection speaks against the buyer: a defect claim passes with boxes unticked.
        failed = sorted({name for i in done if not i.passed for name, ok in (i.checklist or {}).items()
                         if ok is False})
        out[case.pk] = CaseClaim(
            hours_after_signing=hours,
            value_fen=case.refund_cap_fen,
            reason_picked=case.reason,
            # The reason read from the buyer's own words, where cases carry one (`suggested_reason`).
            reason_suggested=getattr(case, "suggested_reason", "") or None,
            suggestion_confidence=float(getattr(case, "suggested_confidence", 1.0) or 0.0),
            failed_checks=tuple(failed),
            graded_d=any(i.failure_reason == FailureReason.NOT_OUR_ITEM for i in done),
        )
    return out


def signals_for_cases(shop: Shop, cases: Iterable[Case], now: datetime | None = None) -> dict[int, Signals]:
    """Signals of each case (buyer's history, shared phone, the owner's standing, the case itself)."""
    cases = [c for c in cases if c.shop_id == shop.pk]
    if not cases:
        return {}
    now = now or clock.now()
    buyers = {c.buyer.pk: c.buyer for c in cases}
    figures = buyer_figures(shop.pk, set(buyers), now)
    stats = shop_stats(shop, now)  # the shop's own return rate, a year of it, at most a minute old
    returned, sold = stats.returned_units, stats.sold_units
    sharing = _phones_shared(shop, list(buyers.values()))
    standing = standings(shop, buyers)
    claims = _claims(cases)
    return {
        c.pk: signals_of(figures.get(c.buyer_id), returned, sold, claims[c.pk],
                         accounts_sharing_phone=sharing.get(c.buyer_id, 1), standing=standing.get(c.buyer_id, ""))
        for c in cases
    }


def signals_for_case(case: Case, now: datetime | None = None) -> Signals:
    return signals_for_cases(case.shop, [case], now)[case.pk]


def flagged_case_ids(shop: Shop, now: datetime | None = None) -> set[int]:
    """Open cases of the shop that raise at least one signal (the inbox's "signals" filter).

    Trusted buyers' cases are left out: their signals ask for nothing.
    """
    open_cases = list(
        Case.objects.filter(shop=shop).exclude(status__in=[s.value for s in TERMINAL])
        .select_related("order", "buyer")
    )
    found = signals_for_cases(shop, open_cases, now)
    return {case_id for case_id, s in found.items() if s.items and s.standing != "trusted"}


def watched_case_ids(shop: Shop) -> set[int]:
    """Open cases of buyers the owner marked as watched."""
    watched = BuyerStanding.objects.filter(shop=shop, standing=BuyerStanding.Standing.WATCHED).values("buyer_id")
    return set(Case.objects.filter(shop=shop, buyer_id__in=watched).exclude(status__in=[s.value for s in TERMINAL])
               .values_list("pk", flat=True))
