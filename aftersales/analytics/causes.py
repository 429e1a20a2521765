"""Why goods come back: content that oversells a product, buyers with unusual return habits, costs.

Content figures come from the rollups; a buyer's figures are read from the cases themselves (a few
buyers at a time, over their whole history with the shop).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Count, Q, Sum

from aftersales.analytics.domain.abuse import BuyerFigures, Signal, buyer_signals
from aftersales.analytics.domain.content import ContentFigures, ContentOutlier, content_outliers
from aftersales.analytics.domain.facts import COUNTED_KINDS, UNCOUNTED_STATUSES, Cube
from aftersales.analytics.selectors import RATE_MEASURES, breakdown, check_period, sums
from aftersales.cases.models import Case, CaseLine
from aftersales.core import clock
from aftersales.orders.models import Buyer, OrderLine
from aftersales.warehouse.models import Inspection


def aware_range(first: date, last: date) -> tuple[datetime, datetime]:
    """[first 00:00, the day after last 00:00) in Asia/Shanghai, as aware datetimes."""
    start = datetime.combine(first, datetime.min.time(), tzinfo=clock.SHANGHAI)
    end = datetime.combine(last + timedelta(days=1), datetime.min.time(), tzinfo=clock.SHANGHAI)
    return start, end


COUNTED = Q(kind__in=sorted(COUNTED_KINDS)) & ~Q(status__in=sorted(UNCOUNTED_STATUSES))


@dataclass
class ContentRow:
    figures: ContentOutlier
    top_reasons: list[tuple[str, int]]


def content_report(
    shop_id: int, first: date, last: date, *, basis: str = "order", min_sold: int = 10, limit: int = 50
) -> list[ContentRow]:
    """Products bought from a video or live session and returned more than the same product elsewhere."""
    rows = sums(
        shop_id,
        Cube.CONTENT_PRODUCT,
        first,
        last,
        group=("dim", "dim2", "product_id"),
        measures=RATE_MEASURES,
        basis=basis,
        nonzero=min_sold > 0,  # rows with fewer than `min_sold` units are left out anyway
    )
    totals = {
        r["product_id"]: (r["sold_qty"], r["returned_qty"])
        for r in sums(
            shop_id,
            Cube.PRODUCT,
            first,
            last,
            group=("product_id",),
            measures=RATE_MEASURES,
            basis=basis,
            nonzero=True,  # a product missing here counts as (0, 0) all the same
        )
    }
    judged = content_outliers(
        [
            ContentFigures(r["dim"], r["dim2"], r["product_id"], r["sold_qty"], r["returned_qty"])
            for r in rows
        ],
        totals,
        min_sold=min_sold,
    )[:limit]
    reasons = _content_reasons(shop_id, judged, first, last, basis)
    return [ContentRow(o, reasons.get((o.content_id, o.product_id), [])) for o in judged]


def _content_reasons(
    shop_id: int, rows: list[ContentOutlier], first: date, last: date, basis: str
) -> dict[tuple[str, int], list[tuple[str, int]]]:
    if not rows:
        return {}
    start, end = aware_range(first, last)
    when = (
        Q(case__order__paid_at__gte=start, case__order__paid_at__lt=end)
        if basis == "order"
        else Q(case__created_at__gte=start, case__created_at__lt=end)
    )
    counted = Q(case__kind__in=sorted(COUNTED_KINDS)) & ~Q(case__status__in=sorted(UNCOUNTED_STATUSES))
    found = (
        CaseLine.objects.filter(
            case__shop_id=shop_id,
            order_line__is_gift=False,
            case__order__content_id__in={r.content_id for r in rows},
        )
        .filter(when & counted)
        .values("case__order__content_id", "order_line__product_id", "case__reason")
        .annotate(units=Sum("quantity"))
    )
    out: dict[tuple[str, int], list[tuple[str, int]]] = {}
    for row in found:
        key = (row["case__order__content_id"], row["order_line__product_id"] or 0)
        out.setdefault(key, []).append((row["case__reason"], row["units"]))
    return {k: sorted(v, key=lambda rc: (-rc[1], rc[0]))[:3] for k, v in out.items()}


def costs(
    shop_id: int, by: str, first: date, last: date, *, basis: str = "order", filters: dict | None = None
) -> list[dict]:
    """The cost of returns per `by` key, largest first.

    Refunds, freight both ways, goods written off and compensation.
    """
    rows = [r for r in breakdown(shop_id, by, first, last, basis=basis, filters=filters) if r["cost_fen"]]
    rows.sort(key=lambda r: (-r["cost_fen"], -r["returned_qty"]))
    return rows


@dataclass
class BuyerRow:
    buyer: Buyer
    figures: BuyerFigures
    signals: list[Signal]


def buyer_report(
    shop_id: int, first: date, last: date, *, limit: int = 50, flagged_only: bool = True
) -> list[BuyerRow]:
    """Buyers with a return case opened in [first, last], judged on their whole history up to `last`."""
    check_period(first, last)
    start, end = aware_range(first, last)
    ids = set(
        Case.objects.filter(shop_id=shop_id, created_at__gte=start, created_at__lt=end)
        .filter(COUNTED)
        .values_list("buyer_id", flat=True)
    )
    if not ids:
        return []
    figures_by_buyer = buyer_figures(shop_id, ids, end)
    shop = sums(shop_id, Cube.CHANNEL, first, last, measures=RATE_MEASURES, basis="case")[0]
    buyers = {b.pk: b for b in Buyer.objects.filter(shop_id=shop_id, pk__in=ids)}
    out = []
    for buyer_id in ids:
        figures = figures_by_buyer[buyer_id]
        signals = buyer_signals(figures, shop["returned_qty"], shop["sold_qty"])
        if signals or not flagged_only:
            out.append(BuyerRow(buyers[buyer_id], figures, signals))
    out.sort(key=lambda r: (-len(r.signals), -r.figures.units_returned, r.buyer.pk))
    return out[:limit]


def buyer_figures(shop_id: int, ids: set[int], end: datetime) -> dict[int, BuyerFigures]:
    """Each buyer's figures over their whole history with the shop before `end` (a few buyers at a time)."""
    history = Case.objects.filter(shop_id=shop_id, buyer_id__in=ids, created_at__lt=end)
    per_case = {
        r["buyer_id"]: r
        for r in history.values("buyer_id").annotate(
            cases=Count("pk", filter=COUNTED),
            refund_only_after_delivery=Count("pk", filter=Q(kind="refund_only", goods_status="received")),
            not_received_but_signed=Count(
                "pk", filter=Q(reason="not_received", order__signed_at__isnull=False)
            ),
            failed=Count("pk", filter=Q(inspection_result="fail")),
        )
    }
    returned = dict(
        CaseLine.objects.filter(case__in=history.filter(COUNTED), order_line__is_gift=False)
        .values_list("case__buyer_id")
        .annotate(units=Sum("quantity"))
    )
    bought = dict(
        OrderLine.objects.filter(
            order__shop_id=shop_id, order__buyer_id__in=ids, order__paid_at__lt=end, is_gift=False
        )
        .values_list("order__buyer_id")
        .annotate(units=Sum("quantity"))
    )
    graded_d = dict(
        Inspection.objects.filter(shop_id=shop_id, case__buyer_id__in=ids, failure_reason="not_our_item",
                                  created_at__lt=end)
        .values_list("case__buyer_id")
        .annotate(n=Count("pk"))
    )
    out = {}
    for buyer_id in ids:
        c = per_case.get(buyer_id, {})
        out[buyer_id] = BuyerFigures(
            buyer_id,
            bought.get(buyer_id, 0),
            returned.get(buyer_id, 0),
            c.get("cases", 0),
            c.get("refund_only_after_delivery", 0),
            c.get("not_received_but_signed", 0),
            c.get("failed", 0),
            graded_d.get(buyer_id, 0),
        )
    return out
