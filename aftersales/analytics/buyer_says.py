"""Reads for "what buyers say": the cases of a period whose buyers left words, by product and category.

Quotes are the buyers' own words with every phone number masked (`notifications.rendering.mask_phones`,
the one home of that rule), the buyer's name and nick hidden and e-mail addresses removed.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from aftersales.cases.models import Case
from aftersales.core import clock
from aftersales.intelligence.reasons.themes import ReasonsSaid, Said, Theme, reasons_said, themes
from aftersales.notifications.rendering import mask_phones

#: The most cases one summary reads (the most recent of the period): enough for any shop's month.
MAX_CASES = 50_000


@dataclass
class GroupSays:
    key: int  # product or category id
    name: str
    reasons: ReasonsSaid
    themes: list[Theme]


@dataclass
class BuyersSay:
    first: date
    last: date
    cases: int  # cases with words in the period (and the filter)
    themes: list[Theme]
    reasons: ReasonsSaid
    products: list[GroupSays]
    categories: list[GroupSays]
    capped: bool  # more than MAX_CASES matched: only the most recent were read


def _mask(text: str, *names: str) -> str:
    text = mask_phones(text)
    for name in sorted({n.strip() for n in names if n and len(n.strip()) >= 2}, key=len, reverse=True):
        text = text.replace(name, name[0] + "*" * (len(name) - 1))
    return text


def _period(first: date, last: date) -> tuple[datetime, datetime]:
    start = datetime.combine(first, datetime.min.time(), tzinfo=clock.SHANGHAI)
    return start, datetime.combine(last + timedelta(days=1), datetime.min.time(), tzinfo=clock.SHANGHAI)


def what_buyers_say(shop_id: int, first: date, last: date, *, category_id: int | None = None,
                    product_id: int | None = None, groups: int = 10) -> BuyersSay:
    start, end = _period(first, last)
    qs = Case.objects.filter(shop_id=shop_id, created_at__gte=start, created_at__lt=end).exclude(buyer_note="")
    if product_id:
        qs = qs.filter(lines__order_line__product_id=product_id)
    if category_id:
        qs = qs.filter(lines__order_line__product__category_id=category_id)
    ids = list(qs.order_by("-created_at", "-id").values_list("pk", flat=True).distinct()[: MAX_CASES + 1])
    capped = len(ids) > MAX_CASES
    ids = ids[:MAX_CASES]
    rows = (Case.objects.filter(pk__in=ids)
            .values_list("pk", "created_at", "buyer_note", "buyer_tags", "reason", "suggested_reason",
                         "suggested_confidence", "buyer__name", "buyer__nick", "lines__order_line__product_id",
                         "lines__order_line__product__title", "lines__order_line__product__category_id",
                         "lines__order_line__product__category__name"))
    said: dict[int, Said] = {}
    by_product: dict[int, dict[int, Said]] = defaultdict(dict)
    by_category: dict[int, dict[int, Said]] = defaultdict(dict)
    names: dict[tuple[str, int], str] = {}
    for pk, created, note, tags, picked, suggested, sure, name, nick, product, title, category, cat_name in rows:
        one = said.get(pk) or Said(pk, clock.shanghai_date(created), _mask(note, name, nick), tuple(tags or ()),
                                   picked, suggested, sure)
        said[pk] = one
        if product:
            by_product[product][pk] = one
            names["p", product] = title
        if category:
            by_category[category][pk] = one
            names["c", category] = cat_name

    def summarise(kind: str, grouped: dict[int, dict[int, Said]]) -> list[GroupSays]:
        biggest = sorted(grouped.items(), key=lambda item: (-len(item[1]), item[0]))[:groups]
        return [GroupSays(key, names[kind, key], reasons_said(cases.values()),
                          themes(cases.values(), first, last, quotes=1)[:5]) for key, cases in biggest]

    everything = list(said.values())
    return BuyersSay(first, last, len(everything), themes(everything, first, last), reasons_said(everything),
                     summarise("p", by_product), summarise("c", by_category), capped)
