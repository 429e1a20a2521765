from collections import Counter, defaultdict
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from aftersales.analytics.domain.facts import (
    MEASURES,
    CaseFact,
    Cube,
    LineFact,
    M,
    OrderFact,
    by_grain,
    contributions,
    difference,
    dumps,
    is_counted,
    loads,
    total,
)

KINDS = ["refund_only", "return_refund", "exchange", "reship", "repair", "partial_refund", "price_protection"]
STATUSES = [
    "requested",
    "awaiting_return",
    "refunding",
    "completed",
    "closed",
    "rejected",
    "rejected_after_return",
    "arbitration",
]
REASONS = ["size_fit", "quality_defect", "no_reason"]


@st.composite
def orders(draw, order_id=None):
    oid = order_id if order_id is not None else draw(st.integers(1, 10**6))
    day = date(2025, 1, 1) + timedelta(days=draw(st.integers(0, 90)))
    n_lines = draw(st.integers(1, 3))
    lines = []
    for i in range(n_lines):
        qty = draw(st.integers(1, 4))
        sku = draw(st.integers(0, 3))
        lines.append(
            LineFact(
                oid * 10 + i,
                sku,
                sku // 2 + 1,
                sku % 2 + 1,
                qty,
                draw(st.integers(0, 20000)),
                draw(st.booleans()) if i else False,
            )
        )
    cases = []
    for c in range(draw(st.integers(0, 3))):
        picked = draw(
            st.lists(st.sampled_from(lines), min_size=1, max_size=n_lines, unique_by=lambda x: x.line_id)
        )
        cases.append(
            CaseFact(
                oid * 10 + c,
                day + timedelta(days=draw(st.integers(0, 40))),
                draw(st.sampled_from(KINDS)),
                draw(st.sampled_from(STATUSES)),
                draw(st.sampled_from(REASONS)),
                tuple((x.line_id, draw(st.integers(1, x.quantity))) for x in picked),
                refund_fen=draw(st.integers(0, 30000)),
                writeoff_fen=draw(st.integers(0, 500)),
                return_freight_fen=draw(st.sampled_from([0, 1000])),
                compensation_fen=draw(st.integers(0, 300)),
            )
        )
    return OrderFact(
        oid,
        day,
        draw(st.sampled_from(["douyin", "taobao"])),
        draw(st.sampled_from(["live_stream", "search"])),
        draw(st.sampled_from(["", "v1", "v2"])),
        "达人",
        draw(st.sampled_from(["广东省", "浙江", ""])),
        draw(st.integers(0, 1500)),
        tuple(lines),
        tuple(cases),
    )


def cube_sum(rows, cube, measure, key_index=None):
    out = Counter()
    for key, values in rows.items():
        if key[0] == cube:
            out[(key[1], key[key_index]) if key_index else key[1]] += values[M[measure]]
    return +out


@settings(max_examples=200, deadline=None)
@given(st.lists(orders(), min_size=1, max_size=6, unique_by=lambda o: o.order_id))
def test_contributions_equal_a_direct_count(batch):
    rows = total(batch)
    sold, ret_o, ret_c, refund, writeoff, orders_by_day = Counter(), Counter(), Counter(), 0, 0, Counter()
    for order in batch:
        lines = {x.line_id: x for x in order.lines}
        for x in order.lines:
            if not x.is_gift:
                sold[(order.day, x.sku_id)] += x.quantity
        orders_by_day[order.day] += 1
        for case in order.cases:
            if is_counted(case.kind, case.status):
                for line_id, qty in case.lines:
                    if not lines[line_id].is_gift:
                        ret_o[(order.day, lines[line_id].sku_id)] += qty
                        ret_c[(case.day, lines[line_id].sku_id)] += qty
            refund += case.refund_fen
            writeoff += case.writeoff_fen
    assert cube_sum(rows, Cube.SKU, "sold_qty", 2) == +sold
    assert cube_sum(rows, Cube.SKU, "returned_qty_o", 2) == +ret_o
    assert cube_sum(rows, Cube.SKU, "returned_qty_c", 2) == +ret_c
    for cube in (
        Cube.SKU,
        Cube.PRODUCT,
        Cube.CATEGORY,
        Cube.PROVINCE,
        Cube.PROVINCE_CATEGORY,
        Cube.CHANNEL,
        Cube.REASON,
    ):
        assert sum(v[M["refund_fen_o"]] for k, v in rows.items() if k[0] == cube) == refund
        assert sum(v[M["refund_fen_c"]] for k, v in rows.items() if k[0] == cube) == refund
        assert sum(v[M["writeoff_fen_c"]] for k, v in rows.items() if k[0] == cube) == writeoff
    assert sum(v[M["returned_qty_o"]] for k, v in rows.items() if k[0] == Cube.REASON) == sum(ret_o.values())
    # the channel cube is per order: every order counts once, paid amount is goods + freight exactly
    assert cube_sum(rows, Cube.CHANNEL, "orders") == +orders_by_day
    for order in batch:
        refunded = any(c.refund_fen > 0 for c in order.cases)
        paid = sum(x.paid_fen for x in order.lines if not x.is_gift) + (
            order.freight_fen if any(not x.is_gift for x in order.lines) else 0
        )
        mine = contributions(order)
        chan = [v for k, v in mine.items() if k[0] == Cube.CHANNEL]
        assert sum(v[M["refund_orders_o"]] for v in chan) == int(refunded)
        assert sum(v[M["refund_orders_c"]] for v in chan) == int(refunded)
        assert sum(v[M["sold_fen"]] for v in chan) == paid


@settings(max_examples=200, deadline=None)
@given(
    st.lists(orders(), min_size=0, max_size=4, unique_by=lambda o: o.order_id),
    orders(order_id=0),
    orders(order_id=0),
)
def test_adding_the_difference_is_the_same_as_recounting(others, before, after):
    start = total([*others, before])
    delta = difference(contributions(after), contributions(before))
    applied = defaultdict(lambda: [0] * len(MEASURES))
    for source in (start, delta):
        for key, values in source.items():
            applied[key] = [a + b for a, b in zip(applied[key], values, strict=True)]
    applied = {k: v for k, v in applied.items() if any(v)}
    assert applied == total([*others, after])


@settings(deadline=None)
@given(st.lists(orders(), min_size=1, max_size=4, unique_by=lambda o: o.order_id))
def test_every_grain_adds_up_to_the_same_totals(batch):
    days = total(batch)
    expected = [sum(v[i] for k, v in days.items() if k[0] == Cube.SKU) for i in range(len(MEASURES))]
    rows = by_grain(days)
    for grain in "dwm":
        sums = [0] * len(MEASURES)
        for key, values in rows.items():
            if key[0] == Cube.SKU and key[1] == grain:
                sums = [a + b for a, b in zip(sums, values, strict=True)]
        assert sums == expected


@settings(deadline=None)
@given(orders())
def test_facts_survive_storage(order):
    assert loads(order.order_id, dumps(order)) == order
    assert loads(1, None) is None


def test_a_refused_or_withdrawn_request_is_not_a_return_and_a_resubmitted_one_is():
    line = LineFact(1, 7, 3, 2, 2, 10000)
    base = dict(case_id=1, day=date(2025, 2, 3), kind="return_refund", reason="size_fit", lines=((1, 1),))
    for status, counted in [
        ("requested", 1),
        ("rejected", 0),
        ("closed", 0),
        ("rejected_after_return", 0),
        ("arbitration", 1),
        ("completed", 1),
    ]:
        order = OrderFact(
            1,
            date(2025, 2, 1),
            "douyin",
            "search",
            "",
            "",
            "广东省",
            0,
            (line,),
            (CaseFact(status=status, **base),),
        )
        rows = contributions(order)
        assert rows[(Cube.SKU, date(2025, 2, 1), 7, 3, 2, "", "", "")][M["returned_qty_o"]] == counted
        assert (Cube.PROVINCE_CATEGORY, date(2025, 2, 1), 0, 0, 2, "广东", "", "") in rows
    reship = OrderFact(
        1,
        date(2025, 2, 1),
        "douyin",
        "search",
        "",
        "",
        "",
        0,
        (line,),
        (CaseFact(status="completed", **{**base, "kind": "reship"}),),
    )
    assert all(v[M["returned_qty_o"]] == 0 for v in contributions(reship).values())


def test_outbound_freight_refunded_is_the_refund_above_the_goods():
    line = LineFact(1, 7, 3, 2, 1, 5000)
    case = CaseFact(
        1,
        date(2025, 2, 3),
        "refund_only",
        "completed",
        "no_reason",
        ((1, 1),),
        refund_fen=5800,
        return_freight_fen=0,
    )
    rows = contributions(OrderFact(1, date(2025, 2, 1), "jd", "search", "", "", "", 800, (line,), (case,)))
    sku = rows[(Cube.SKU, date(2025, 2, 1), 7, 3, 2, "", "", "")]
    assert sku[M["freight_fen_o"]] == 800 and sku[M["refund_fen_o"]] == 5800 and sku[M["sold_fen"]] == 5800
