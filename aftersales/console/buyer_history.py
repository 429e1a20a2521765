"""The buyer's history on the case page (买家历史): their orders, earlier cases with how each ended, and
the ratings they gave — within the case's shop only, in a few small queries.

A buyer is the shop's record of one platform account (`orders.Buyer`, always of one shop), so nothing of
another shop can appear here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Avg, Count, Min, Sum

from aftersales.care.models import Satisfaction
from aftersales.cases.models import Case
from aftersales.orders.models import Order, OrderLine

#: How many of the latest orders and earlier cases the panel lists (the totals count them all).
SHOWN = 5


@dataclass
class BuyerHistory:
    orders: int = 0
    paid_fen: int = 0
    first_order_at: object = None
    cases: int = 0  # earlier cases: every case of the buyer but this one
    refunded_fen: int = 0
    ratings: int = 0
    average_rating: float | None = None
    latest_orders: list = field(default_factory=list)  # Order with .case_count and .first_title
    earlier_cases: list = field(default_factory=list)  # Case with .rating (Satisfaction or None)

    @property
    def is_new(self) -> bool:
        return self.orders <= 1 and self.cases == 0


def buyer_history(case: Case) -> BuyerHistory:
    """The history of `case`'s buyer in `case`'s shop (this case itself left out of the earlier cases)."""
    shop_id, buyer_id = case.shop_id, case.buyer_id
    orders = Order.objects.filter(shop_id=shop_id, buyer_id=buyer_id)
    totals = orders.aggregate(n=Count("pk"), goods=Sum("goods_fen"), freight=Sum("freight_fen"),
                              first=Min("paid_at"))
    history = BuyerHistory(orders=totals["n"] or 0, paid_fen=(totals["goods"] or 0) + (totals["freight"] or 0),
                           first_order_at=totals["first"])
    latest = list(orders.annotate(case_count=Count("cases")).order_by("-paid_at", "-pk")[:SHOWN])
    titles = {}
    for order_id, title in (OrderLine.objects.filter(order__in=[o.pk for o in latest])
                            .order_by("order_id", "pk").values_list("order_id", "title")):
        titles.setdefault(order_id, title)
    for order in latest:
        order.first_title = titles.get(order.pk, "")
    history.latest_orders = latest

    earlier = Case.objects.filter(shop_id=shop_id, buyer_id=buyer_id).exclude(pk=case.pk)
    case_totals = earlier.aggregate(n=Count("pk"), refunded=Sum("refunded_fen"))
    history.cases, history.refunded_fen = case_totals["n"] or 0, case_totals["refunded"] or 0
    shown = list(earlier.select_related("order").order_by("-created_at", "-pk")[:SHOWN])
    ratings = Satisfaction.objects.filter(shop_id=shop_id, case__buyer_id=buyer_id)
    rating_totals = ratings.aggregate(n=Count("pk"), avg=Avg("score"))
    history.ratings = rating_totals["n"] or 0
    history.average_rating = round(rating_totals["avg"], 1) if rating_totals["avg"] is not None else None
    by_case = {r.case_id: r for r in ratings.filter(case_id__in=[c.pk for c in shown])}
    for earlier_case in shown:
        earlier_case.rating = by_case.get(earlier_case.pk)
    history.earlier_cases = shown
    return history

