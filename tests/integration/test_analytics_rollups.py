"""The figures follow every change, and equal a count from scratch over random histories.

Random histories go through the real services (orders, cases, moves, refunds, parcels, inspections,
compensation). After each history the rollups kept incrementally must equal (1) a full rebuild and
(2) a direct count over the orders and cases, for every dimension, period and basis.
"""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aftersales.accounts.models import Shop
from aftersales.analytics import rollups, selectors
from aftersales.analytics.domain.facts import MEASURES, is_counted
from aftersales.analytics.domain.periods import week_start
from aftersales.analytics.domain.rates import Thresholds, judge, rate_bp, wilson_lower_bp
from aftersales.analytics.domain.regions import normalise_province
from aftersales.analytics.models import Rollup
from aftersales.care.services import grant_compensation
from aftersales.cases import services as cs
from aftersales.cases.domain.states import Actor
from aftersales.cases.models import Case
from aftersales.catalog.models import Category, Product, Sku
from aftersales.core import clock
from aftersales.core.clock import SHANGHAI
from aftersales.core.errors import DomainError
from aftersales.orders.models import Order
from aftersales.orders.services import create_order
from aftersales.refunds import services as rs
from aftersales.warehouse import services as ws

pytestmark = pytest.mark.django_db(transaction=False)

BASE = datetime(2025, 1, 27, 21, 30, tzinfo=SHANGHAI)  # late evening: UTC and Beijing disagree on the day
MERCHANT, BUYER, WAREHOUSE = cs.By(Actor.MERCHANT), cs.By(Actor.BUYER), cs.By(Actor.WAREHOUSE)
KINDS = ["refund_only", "return_refund", "exchange", "reship", "repair", "partial_refund", "price_protection"]
REASONS = ["size_fit", "quality_defect", "no_reason", "not_received"]
ACTIONS = [
    "approve",
    "reject",
    "resubmit",
    "withdraw",
    "close",
    "ship",
    "receive",
    "pass",
    "fail",
    "grant",
    "escalate",
    "rule_buyer",
    "rule_merchant",
    "compensate",
]
_shops = itertools.count()


def build_shop() -> tuple[Shop, list[str]]:
    shop = Shop.objects.create(slug=f"hist{next(_shops)}", name="历史店", compensation_budget_fen=10**9)
    dress = Category.objects.create(
        shop=shop, name="女装", law_category="apparel", good_rate_bp=800, alert_rate_bp=1500
    )
    phones = Category.objects.create(shop=shop, name="数码", law_category="electronics")
    p1 = Product.objects.create(shop=shop, category=dress, title="连衣裙")
    p2 = Product.objects.create(shop=shop, category=dress, title="衬衫")
    p3 = Product.objects.create(shop=shop, category=phones, title="耳机")
    codes = []
    for product, code, price in [
        (p1, "D-M", 15900),
        (p1, "D-L", 15900),
        (p2, "S-1", 9900),
        (p3, "E-1", 29900),
    ]:
        Sku.objects.create(shop=shop, product=product, code=code, price_fen=price)
        codes.append(code)
    return shop, codes + ["UNKNOWN"]


def make_order(shop, codes, n: int, seed: int):
    day = seed % 45
    paid = BASE + timedelta(days=day, hours=(seed // 45) % 5)
    lines = []
    for i in range(1 + seed % 3):
        code = codes[(seed // (7 + i)) % len(codes)]
        qty = 1 + (seed // (3 + i)) % 3
        gift = i > 0 and (seed // 11) % 5 == 0
        lines.append(
            {
                "platform_line_id": f"L{n}-{i}",
                "title": code,
                "sku_code": code,
                "quantity": qty,
                "unit_price_fen": 10000,
                "paid_fen": 0 if gift else 10000 * qty - (seed % 7) * 10,
                "is_gift": gift,
            }
        )
    create_order(
        shop,
        {
            "platform": ["douyin", "taobao"][seed % 2],
            "platform_order_id": f"O{n}",
            "buyer": {"nick": f"b{seed % 4}", "province": ["广东省", "广东", "浙江", ""][(seed // 2) % 4]},
            "channel": ["live_stream", "short_video", "search"][seed % 3],
            "content_id": ["", "V1", "V2"][(seed // 5) % 3],
            "content_author": "达人",
            "paid_at": paid,
            "shipped_at": paid + timedelta(hours=3) if seed % 4 else None,
            "signed_at": paid + timedelta(days=1) if seed % 4 else None,
            "freight_fen": [0, 600][(seed // 13) % 2],
            "lines": lines,
        },
    )


def open_random_case(shop, seed: int) -> None:
    orders = list(Order.objects.filter(shop=shop).order_by("pk"))
    if not orders:
        return
    order = orders[seed % len(orders)]
    picked = []
    for i, line in enumerate(order.lines.order_by("pk")):
        free = line.quantity - cs.quantity_already_claimed(line)
        if free > 0 and (seed >> i) % 2 == 0:
            picked.append((line.pk, 1 + seed % free))
    if not picked:
        return
    cs.open_case(
        shop,
        order_id=order.pk,
        lines=picked,
        kind=KINDS[seed % len(KINDS)],
        reason=REASONS[(seed // 3) % len(REASONS)],
        by=MERCHANT,
        enforce_policy=False,
        now=order.paid_at + timedelta(days=(seed // 7) % 20, hours=5),
    )


def act(shop, seed: int) -> None:
    cases = list(Case.objects.filter(shop=shop).order_by("pk"))
    if not cases:
        return
    case = cases[seed % len(cases)]
    action = ACTIONS[(seed // 5) % len(ACTIONS)]
    calls = {
        "approve": lambda: cs.approve_case(shop, case.pk, MERCHANT),
        "reject": lambda: cs.reject_case(shop, case.pk, MERCHANT, reason_code="other", as_owner=True),
        "resubmit": lambda: cs.resubmit_case(shop, case.pk, BUYER),
        "withdraw": lambda: cs.withdraw_case(shop, case.pk, BUYER),
        "close": lambda: cs.close_case(shop, case.pk, MERCHANT, reason_code="other"),
        "ship": lambda: cs.record_return_shipment(
            shop, case.pk, BUYER, carrier="SF", tracking_no=f"SF{case.pk:08d}"
        ),
        "receive": lambda: ws.receive_parcel(
            shop, WAREHOUSE, tracking_no=f"SF{case.pk:08d}", case_id=case.pk
        ),
        "pass": lambda: ws.inspect_return(
            shop, case.pk, WAREHOUSE, grade="A", checklist=dict.fromkeys(ws.CHECKLIST_ITEMS, True),
            write_off_fen=seed % 300,
        ),
        # A failure is kept with its photo (counted here: the rollups never read the photos).
        "fail": lambda: ws.inspect_return(
            shop, case.pk, WAREHOUSE, grade="C", checklist={"tags_intact": False}, failure_reason="buyer_damage",
            photos=1, write_off_fen=seed % 500,
        ),
        "grant": lambda: rs.grant_refund(
            shop, case.pk, MERCHANT, amount_fen=None if seed % 2 else max(1, case.refund_cap_fen // 2)
        ),
        "escalate": lambda: cs.escalate_case(shop, case.pk, BUYER),
        "rule_buyer": lambda: cs.record_ruling(shop, case.pk, for_buyer=True),
        "rule_merchant": lambda: cs.record_ruling(shop, case.pk, for_buyer=False),
        "compensate": lambda: grant_compensation(
            shop, case.pk, MERCHANT, rung="coupon", cost_fen=100 + seed % 900
        ),
    }
    try:
        calls[action]()
    except DomainError:
        pass  # an illegal move changes nothing, the figures included


def run_history(ops) -> Shop:
    shop, codes = build_shop()
    for n, (op, seed) in enumerate(ops):
        if op == "order":
            make_order(shop, codes, n, seed)
        elif op == "case":
            open_random_case(shop, seed)
        else:
            act(shop, seed)
    return shop


# -- the count from scratch ------------------------------------------------------------------------


def day_of(moment: datetime) -> date:
    return clock.shanghai_date(moment)


def line_keys(order: Order, line) -> dict[str, object]:
    product = line.product or (line.sku.product if line.sku else None)
    return {
        "sku": line.sku_id or 0,
        "product": product.pk if product else 0,
        "category": product.category_id if product else 0,
        "province": normalise_province(order.province),
        "platform": order.platform,
        "channel": order.channel,
        "content": order.content_id or None,
    }


def count_from_scratch(shop: Shop, first: date, last: date, basis: str, dim: str) -> dict:
    out: dict[object, Counter] = defaultdict(Counter)
    orders_in: dict[object, set] = defaultdict(set)
    cases_in: dict[object, set] = defaultdict(set)
    refunded_in: dict[object, set] = defaultdict(set)
    for order in Order.objects.filter(shop=shop).prefetch_related("lines__product", "lines__sku__product"):
        lines = [line for line in order.lines.all() if not line.is_gift]
        if dim != "reason" and first <= day_of(order.paid_at) <= last:
            for line in lines:
                key = line_keys(order, line)[dim]
                if key is None:
                    continue
                out[key]["sold_qty"] += line.quantity
                orders_in[key].add(order.pk)
                if dim in ("platform", "channel"):
                    out[key]["sold_fen"] += line.paid_fen
            if dim in ("platform", "channel") and lines:
                out[line_keys(order, lines[0])[dim]]["sold_fen"] += order.freight_fen
    for case in (
        Case.objects.filter(shop=shop)
        .select_related("order")
        .prefetch_related(
            "lines__order_line__product", "lines__order_line__sku__product", "inspections", "compensations"
        )
    ):
        when = day_of(case.order.paid_at) if basis == "order" else day_of(case.created_at)
        if not first <= when <= last:
            continue
        keys = {
            line_keys(case.order, cl.order_line)[dim] if dim != "reason" else case.reason
            for cl in case.lines.all()
        } - {None}
        if is_counted(case.kind, case.status):
            for cl in case.lines.all():
                if cl.order_line.is_gift:
                    continue
                key = case.reason if dim == "reason" else line_keys(case.order, cl.order_line)[dim]
                if key is not None:
                    out[key]["returned_qty"] += cl.quantity
                    cases_in[key].add(case.pk)
        if dim in ("platform", "channel") and keys:
            (key,) = keys
            out[key]["refund_fen"] += case.refund_granted_fen
            out[key]["writeoff_fen"] += sum(i.write_off_fen for i in case.inspections.all())
            out[key]["compensation_fen"] += sum(c.cost_fen for c in case.compensations.all())
    if dim in ("platform", "channel"):
        for order in Order.objects.filter(shop=shop):
            days = [day_of(c.created_at) for c in order.cases.all() if c.refund_granted_fen > 0]
            if days:
                when = day_of(order.paid_at) if basis == "order" else min(days)
                if first <= when <= last:
                    refunded_in[getattr(order, dim)].add(order.pk)
    for key, found in orders_in.items():
        out[key]["orders"] = len(found)
    for key, found in cases_in.items():
        out[key]["return_cases"] = len(found)
    for key, found in refunded_in.items():
        out[key]["refund_orders"] = len(found)
    return {k: +v for k, v in out.items() if +v}


KEY_OF_ROW = {
    "sku": lambda r: r["sku_id"],
    "product": lambda r: r["product_id"],
    "category": lambda r: r["category_id"],
    "province": lambda r: r["dim"],
    "platform": lambda r: r["dim"],
    "channel": lambda r: r["dim2"],
    "content": lambda r: r["dim"],
    "reason": lambda r: r["reason"],
}
COMPARED = {
    "sku": ("sold_qty", "returned_qty", "orders", "return_cases"),
    "product": ("sold_qty", "returned_qty", "orders", "return_cases"),
    "category": ("sold_qty", "returned_qty", "orders", "return_cases"),
    "province": ("sold_qty", "returned_qty", "orders", "return_cases"),
    "content": ("sold_qty", "returned_qty", "orders", "return_cases"),
    "platform": (
        "sold_qty",
        "sold_fen",
        "returned_qty",
        "orders",
        "return_cases",
        "refund_fen",
        "refund_orders",
        "writeoff_fen",
        "compensation_fen",
    ),
    "channel": (
        "sold_qty",
        "sold_fen",
        "returned_qty",
        "orders",
        "return_cases",
        "refund_fen",
        "refund_orders",
        "writeoff_fen",
        "compensation_fen",
    ),
    "reason": ("returned_qty", "return_cases"),
}
PERIODS = [
    (date(2025, 1, 20), date(2025, 4, 30)),
    (date(2025, 1, 28), date(2025, 3, 3)),
    (date(2025, 2, 9), date(2025, 2, 9)),
    (date(2025, 2, 3), date(2025, 2, 23)),
    # read as February and March less 1-3 February and 28-31 March (`periods.cover` subtracts rows)
    (date(2025, 2, 4), date(2025, 3, 27)),
]
RATE_DIMS = ("sku", "product", "category", "province", "platform", "channel")


def figures_of(shop: Shop, first: date, last: date, basis: str, dim: str) -> dict:
    rows = selectors.breakdown(shop.pk, dim, first, last, basis=basis)
    names = COMPARED[dim]
    out = {KEY_OF_ROW[dim](r): Counter({n: r[n] for n in names}) for r in rows}
    return {k: +v for k, v in out.items() if +v}


def rates_of(shop: Shop, first: date, last: date, basis: str, dim: str) -> dict:
    """`return_rates`, checked for its bounds, verdicts and order; as {key: (sold, returned)}."""
    rows = selectors.return_rates(shop.pk, dim, first, last, basis=basis)
    default = Thresholds()
    own = {
        c.pk: Thresholds.of(c.good_rate_bp, c.alert_rate_bp, default)
        for c in Category.objects.filter(shop=shop)
    }
    for r in rows:
        assert r.rate_bp == rate_bp(r.returned_qty, r.sold_qty)
        assert r.lower_bp == wilson_lower_bp(r.returned_qty, r.sold_qty)
        thresholds = own.get(r.key.get("category_id"), default)
        assert r.verdict == judge(r.returned_qty, r.sold_qty, thresholds)
    ranked = [(-(r.lower_bp or 0), -r.returned_qty, r.values) for r in rows]
    assert ranked == sorted(ranked)
    return {KEY_OF_ROW[dim](r.key): (r.sold_qty, r.returned_qty) for r in rows}


def rollup_table(shop: Shop) -> list[tuple]:
    fields = [f.attname for f in Rollup._meta.local_fields if f.name not in ("id",)]
    rows = Rollup.objects.filter(shop=shop).values_list(*fields)
    return sorted(r for r in rows if any(r[-len(MEASURES) :]))


def check_history(shop: Shop) -> None:
    for first, last in PERIODS:
        for basis in ("order", "case"):
            for dim in COMPARED:
                expected = count_from_scratch(shop, first, last, basis, dim)
                expected = {k: Counter({n: v[n] for n in COMPARED[dim]}) for k, v in expected.items()}
                expected = {k: +v for k, v in expected.items() if +v}
                assert figures_of(shop, first, last, basis, dim) == expected, (first, last, basis, dim)
                if dim in RATE_DIMS:
                    pairs = {k: (v["sold_qty"], v["returned_qty"]) for k, v in expected.items()}
                    pairs = {k: v for k, v in pairs.items() if any(v)}
                    assert rates_of(shop, first, last, basis, dim) == pairs, (first, last, basis, dim)
    weekly = selectors.trend(shop.pk, "week", date(2025, 1, 22), date(2025, 4, 2), basis="case")
    by_week = Counter()
    for case in Case.objects.filter(shop=shop).prefetch_related("lines__order_line"):
        if is_counted(case.kind, case.status) and date(2025, 1, 22) <= day_of(case.created_at) <= date(
            2025, 4, 2
        ):
            by_week[week_start(day_of(case.created_at))] += sum(
                cl.quantity for cl in case.lines.all() if not cl.order_line.is_gift
            )
    assert {r["bucket"]: r["returned_qty"] for r in weekly if r["returned_qty"]} == +by_week
    incremental = rollup_table(shop)
    rollups.rebuild(shop.pk)
    assert rollup_table(shop) == incremental


OPS = st.lists(
    st.tuples(
        st.sampled_from(["order", "order", "case", "act", "act", "act"]),
        st.integers(min_value=0, max_value=10**6),
    ),
    min_size=1,
    max_size=45,
)


@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
@given(OPS)
def test_random_histories_equal_a_count_from_scratch_and_a_rebuild(ops):
    check_history(run_history([("order", 1), ("order", 2), *ops]))


def test_a_long_fixed_history():
    ops = [
        (["order", "order", "case", "act", "act", "act", "act"][i % 7], (i * 7919 + 13) % 10**6)
        for i in range(160)
    ]
    check_history(run_history(ops))


def test_every_change_moves_the_figures_at_once(shop, order):
    period = (date(2026, 11, 1), date(2026, 11, 30))

    def sku_rows():
        return {
            r.key["sku_id"]: (r.sold_qty, r.returned_qty)
            for r in selectors.return_rates(shop.pk, "sku", *period)
        }

    m, lg = order.lines.order_by("pk")
    assert sku_rows() == {m.sku_id: (2, 0), lg.sku_id: (1, 0)}
    case = cs.open_case(
        shop,
        order_id=order.pk,
        lines=[(m.pk, 1)],
        kind="return_refund",
        reason="size_fit",
        by=MERCHANT,
        now=order.paid_at + timedelta(days=3),
    )
    assert sku_rows()[m.sku_id] == (2, 1)
    cs.reject_case(shop, case.pk, MERCHANT, reason_code="other", as_owner=True)
    assert sku_rows()[m.sku_id] == (2, 0)
    cs.resubmit_case(shop, case.pk, BUYER)
    cs.approve_case(shop, case.pk, MERCHANT)
    assert sku_rows()[m.sku_id] == (2, 1)
    cs.withdraw_case(shop, case.pk, BUYER)
    assert sku_rows()[m.sku_id] == (2, 0)
    refund = cs.open_case(
        shop,
        order_id=order.pk,
        lines=[(lg.pk, 1)],
        kind="refund_only",
        reason="quality_defect",
        by=MERCHANT,
        now=order.paid_at + timedelta(days=4),
    )
    cs.approve_case(shop, refund.pk, MERCHANT)
    rs.grant_refund(shop, refund.pk, MERCHANT)
    (row,) = [r for r in selectors.breakdown(shop.pk, "platform", *period)]
    assert (row["refund_orders"], row["refund_fen"], row["orders"]) == (1, 14900, 1)
    assert row["refund_order_rate_bp"] == 10_000 and row["refund_amount_rate_bp"] == 14900 * 10_000 // 44700
