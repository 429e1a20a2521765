import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from aftersales.core.errors import DomainError
from aftersales.refunds.domain.refundable import (
    OrderLineMoney,
    allocate_capped,
    assert_within_paid,
    breaks_free_shipping,
    bundle_reprice,
    freight_deduction,
    gift_deduction,
    line_refundable,
    plan_refund,
    split_over_payments,
    unit_shares,
)

THREE = OrderLineMoney("a", unit_price_fen=40, quantity=3, paid_fen=100)
# 满300减50: A ¥200 + B ¥150 = ¥350, paid ¥300 with the discount spread pro rata.
A = OrderLineMoney("A", unit_price_fen=20000, quantity=1, paid_fen=17143, bundle_id="deal")
B = OrderLineMoney("B", unit_price_fen=15000, quantity=1, paid_fen=12857, bundle_id="deal")
GIFT = OrderLineMoney("gift", unit_price_fen=1500, quantity=2, paid_fen=0, is_gift=True)
SOLO = OrderLineMoney("solo", unit_price_fen=5990, quantity=2, paid_fen=10000)


def test_unit_shares_by_largest_remainder():
    assert unit_shares(THREE) == [34, 33, 33]


def test_line_refundable_one_unit_at_a_time_adds_up_to_what_was_paid():
    assert line_refundable(THREE, 1) == 34
    assert line_refundable(THREE, 1, 34, units_already_returned=1) == 33
    assert line_refundable(THREE, 1, 67, units_already_returned=2) == 33
    assert line_refundable(THREE, 3) == 100
    assert line_refundable(THREE, 0) == 0


def test_line_refundable_after_a_partial_refund_carries_its_share():
    # ¥0.10 was refunded while the buyer kept all three: each unit carries its part of it.
    assert line_refundable(THREE, 1, 10) == 31
    assert line_refundable(THREE, 3, 10) == 90
    assert line_refundable(THREE, 2, 100) == 0  # never below zero
    assert line_refundable(THREE, 1, 95) == 2  # 34 less its third of 95


def test_line_refundable_refuses_more_units_than_the_line_has():
    with pytest.raises(DomainError) as err:
        line_refundable(THREE, 2, units_already_returned=2)
    assert err.value.code == "refund.quantity_exceeds_line"
    assert err.value.params == {"line_id": "a", "quantity": 2, "available": 1}
    with pytest.raises(DomainError) as err:
        line_refundable(THREE, -1)
    assert err.value.code == "refund.invalid_quantity"


def test_order_line_is_validated():
    with pytest.raises(DomainError):
        OrderLineMoney("x", unit_price_fen=100, quantity=0, paid_fen=100)
    with pytest.raises(DomainError) as err:
        OrderLineMoney("x", unit_price_fen=100, quantity=1, paid_fen=-1)
    assert err.value.code == "money.negative"


def test_bundle_reprice_values_kept_goods_at_original_prices():
    # Returning B refunds ¥300 − ¥200 (A alone costs its full price) = ¥100, not B's share ¥128.57.
    assert bundle_reprice([A, B], {"B": 1}) == 10000
    # Returning A afterwards refunds the rest: the whole deal comes back in full.
    assert bundle_reprice([A, B], {"A": 1}, previously_returned={"B": 1}, already_refunded_fen=10000) == 20000
    # When the kept goods still meet the deal, the buyer gets the paid share.
    assert bundle_reprice([A, B], {"B": 1}, deal_still_met=True) == 12857
    assert bundle_reprice([A, B], {"A": 1, "B": 1}) == 30000
    # Keeping goods worth more than was paid in total: nothing comes back, never a negative refund.
    cheap = OrderLineMoney("C", unit_price_fen=100, quantity=1, paid_fen=50, bundle_id="deal")
    assert bundle_reprice([A, B, cheap], {"C": 1}) == 0


def test_gifts_and_freight():
    assert gift_deduction([GIFT, SOLO], {"gift": 1}) == 1500
    assert gift_deduction([GIFT], {}) == 0
    with pytest.raises(DomainError) as err:
        gift_deduction([GIFT, SOLO], {"solo": 1})
    assert err.value.code == "refund.not_a_gift"
    assert freight_deduction(800, True) == 800
    assert freight_deduction(800, False) == 0


def test_plan_refund_puts_it_together():
    lines = [A, B, GIFT, SOLO]
    plan = plan_refund(
        lines,
        {"B": 1, "solo": 1},
        gifts_kept={"gift": 2},
        outbound_freight_fen=800,
        breaks_free_shipping=True,
    )
    gross = 10000 + 5000
    assert plan.gross_fen == gross
    assert plan.deductions == [
        ("refund.deduction.gift_kept", 3000),
        ("refund.deduction.outbound_freight", 800),
    ]
    assert plan.total_fen == gross - 3800
    assert sum(plan.per_line.values()) == plan.total_fen
    assert set(plan.per_line) == {"B", "solo"}
    assert all(plan.per_line[i] <= g for i, g in (("B", 10000), ("solo", 5000)))


def test_deductions_never_make_a_refund_negative():
    plan = plan_refund([GIFT, THREE], {"a": 1}, gifts_kept={"gift": 2})
    assert plan.total_fen == 0 and plan.deductions == [("refund.deduction.gift_kept", 34)]
    assert plan.per_line == {"a": 0}


def test_a_later_return_from_a_deal_spreads_over_the_deal():
    plan = plan_refund(
        [A, B], {"A": 1}, already_refunded_fen_by_line={"B": 10000}, units_already_returned_by_line={"B": 1}
    )
    # ¥200 is owed but A was only paid ¥171.43: the rest is booked on B, within what B was paid.
    assert plan.total_fen == 20000
    assert plan.per_line == {"A": 17143, "B": 2857}


@pytest.mark.parametrize(
    ("mapping", "code"),
    [({"zzz": 1}, "refund.unknown_line"), ({"a": 4}, "refund.quantity_exceeds_line")],
)
def test_plan_refund_refuses_bad_input(mapping, code):
    with pytest.raises(DomainError) as err:
        plan_refund([THREE], mapping)
    assert err.value.code == code
    with pytest.raises(DomainError) as err:
        plan_refund([THREE, THREE], {"a": 1})
    assert err.value.code == "refund.duplicate_line"


def test_split_over_payment_routes_pro_rata():
    assert split_over_payments(5000, [("alipay", 6000, 0), ("points", 4000, 0)]) == [
        ("alipay", 3000),
        ("points", 2000),
    ]
    # A route that has little left takes what it can; the others take the rest.
    assert split_over_payments(3000, [("alipay", 6000, 5500), ("wechat", 4000, 0)]) == [
        ("alipay", 500),
        ("wechat", 2500),
    ]
    assert split_over_payments(1, [("a", 1, 0), ("b", 1, 0)]) == [("a", 1), ("b", 0)]
    assert split_over_payments(0, []) == []
    with pytest.raises(DomainError) as err:
        split_over_payments(1, [])
    assert err.value.code == "refund.no_payment_routes"


def test_split_over_payments_exact_cap():
    with pytest.raises(DomainError) as err:
        split_over_payments(5001, [("alipay", 6000, 2000), ("wechat", 1000, 0)])
    assert (err.value.code, err.value.params) == (
        "refund.exceeds_refundable",
        {"requested": 5001, "refundable": 5000},
    )
    assert split_over_payments(5000, [("alipay", 6000, 2000), ("wechat", 1000, 0)]) == [
        ("alipay", 4000),
        ("wechat", 1000),
    ]


def test_assert_within_paid():
    assert assert_within_paid(100, 100) == 100
    with pytest.raises(DomainError) as err:
        assert_within_paid(101, 100)
    assert (err.value.code, err.value.params) == (
        "refund.exceeds_refundable",
        {"requested": 101, "refundable": 100},
    )


# --- Properties ------------------------------------------------------------------------------------------

fen = st.integers(min_value=0, max_value=10_000_000)


@given(total=fen, data=st.data())
def test_allocate_capped_sums_exactly_within_caps(total, data):
    n = data.draw(st.integers(1, 8))
    caps = data.draw(st.lists(fen, min_size=n, max_size=n))
    weights = data.draw(st.lists(fen, min_size=n, max_size=n))
    assume(total <= sum(caps))
    parts = allocate_capped(total, weights, caps)
    assert sum(parts) == total
    assert all(0 <= p <= c for p, c in zip(parts, caps, strict=True))


@given(data=st.data())
def test_split_over_payments_never_exceeds_a_route(data):
    routes = data.draw(
        st.lists(
            st.tuples(st.sampled_from(["alipay", "wechat", "card", "points"]), fen), min_size=1, max_size=4
        )
    )
    payments = [(r, paid, data.draw(st.integers(0, paid))) for r, paid in routes]
    left = sum(paid - done for _r, paid, done in payments)
    total = data.draw(st.integers(0, left))
    split = split_over_payments(total, payments)
    assert sum(f for _r, f in split) == total
    assert all(0 <= f <= paid - done for (_r, f), (_r2, paid, done) in zip(split, payments, strict=True))


@st.composite
def orders(draw):
    lines = []
    for i in range(draw(st.integers(1, 5))):
        quantity = draw(st.integers(1, 4))
        price = draw(st.integers(0, 50_000))
        paid = draw(st.integers(0, price * quantity))
        bundle = draw(st.sampled_from([None, "x", "y"]))
        lines.append(OrderLineMoney(f"l{i}", price, quantity, paid, bundle_id=bundle))
    return lines


@settings(max_examples=200, deadline=None)
@given(lines=orders(), data=st.data())
def test_refunds_never_exceed_what_was_paid_over_any_sequence(lines, data):
    paid = {line.line_id: line.paid_fen for line in lines}
    refunded = dict.fromkeys(paid, 0)
    returned = dict.fromkeys(paid, 0)
    for _step in range(data.draw(st.integers(1, 6))):
        line = data.draw(st.sampled_from(lines))
        if data.draw(st.booleans()):  # a partial refund, the buyer keeps the goods
            extra = data.draw(st.integers(0, paid[line.line_id] - refunded[line.line_id]))
            refunded[line.line_id] += extra
        else:
            left = line.quantity - returned[line.line_id]
            if left == 0:
                continue
            quantity = data.draw(st.integers(1, left))
            plan = plan_refund(
                lines,
                {line.line_id: quantity},
                already_refunded_fen_by_line=refunded,
                units_already_returned_by_line=returned,
            )
            assert sum(plan.per_line.values()) == plan.total_fen >= 0
            for line_id, amount in plan.per_line.items():
                assert amount >= 0
                refunded[line_id] += amount
            returned[line.line_id] += quantity
        for line_id in paid:
            assert refunded[line_id] <= paid[line_id]
    assert sum(refunded.values()) <= sum(paid.values())
    # Everything returned, nothing deducted: exactly what was paid has come back.
    rest = {
        line.line_id: line.quantity - returned[line.line_id]
        for line in lines
        if line.quantity > returned[line.line_id]
    }
    if rest:
        plan = plan_refund(
            lines, rest, already_refunded_fen_by_line=refunded, units_already_returned_by_line=returned
        )
        for line_id, amount in plan.per_line.items():
            refunded[line_id] += amount
    assert refunded == paid


def test_the_outbound_freight_comes_back_with_the_last_units_of_an_unshipped_order():
    from aftersales.refunds.domain.refundable import freight_back

    lines = [SOLO, GIFT]
    assert freight_back(lines, {"solo": 1}, shipped=False, freight_paid_fen=800) == 0  # one unit stays
    assert freight_back(lines, {"solo": 1}, {"solo": 1}, shipped=False, freight_paid_fen=800) == 800
    assert freight_back(lines, {"solo": 2}, shipped=True, freight_paid_fen=800) == 0  # it travelled
    # ... unless it comes back for the shop's fault: the whole sale is undone, transport included.
    assert freight_back(lines, {"solo": 2}, shipped=True, freight_paid_fen=800, merchant_fault=True) == 800
    assert freight_back(lines, {"solo": 1}, shipped=True, freight_paid_fen=800, merchant_fault=True) == 0
    plan = plan_refund(lines, {"solo": 2}, freight_back_fen=800)
    assert (plan.total_fen, plan.freight_fen, sum(plan.per_line.values())) == (10800, 800, 10000)


def test_gifts_are_kept_once_every_priced_unit_is_back():
    from aftersales.refunds.domain.refundable import gifts_kept_on_return

    lines = [SOLO, GIFT]
    assert gifts_kept_on_return(lines, {"solo": 1}, shipped=True) == {}
    assert gifts_kept_on_return(lines, {"solo": 2}, shipped=True) == {"gift": 2}
    assert gifts_kept_on_return(lines, {"solo": 2, "gift": 1}, shipped=True) == {"gift": 1}
    assert gifts_kept_on_return(lines, {"solo": 1}, {"solo": 1, "gift": 2}, shipped=True) == {}
    assert gifts_kept_on_return(lines, {"solo": 2}, shipped=False) == {}  # never reached the buyer


# 满200包邮: ¥150 + ¥80 shipped free; ¥10 of outbound freight was waived.
COAT = OrderLineMoney("coat", unit_price_fen=15000, quantity=1, paid_fen=15000)
SCARF = OrderLineMoney("scarf", unit_price_fen=4000, quantity=2, paid_fen=8000)
POUCH = OrderLineMoney("pouch", unit_price_fen=900, quantity=1, paid_fen=0, is_gift=True)


def test_a_return_that_leaves_the_kept_goods_below_the_threshold_breaks_free_shipping():
    lines = [COAT, SCARF, POUCH]
    assert breaks_free_shipping(lines, {"scarf": 2}, threshold_fen=20000) is True  # keeps ¥150
    assert breaks_free_shipping(lines, {"scarf": 1}, threshold_fen=20000) is True  # keeps ¥190
    assert breaks_free_shipping(lines, {"scarf": 1}, threshold_fen=19000) is False  # keeps exactly ¥190
    assert breaks_free_shipping(lines, {"coat": 1, "scarf": 2}, threshold_fen=20000) is False  # all back
    assert breaks_free_shipping(lines, {"scarf": 1}, {"scarf": 1}, threshold_fen=20000) is False  # already below
    assert breaks_free_shipping(lines, {"scarf": 2}, threshold_fen=0) is False  # no threshold
    plan = plan_refund(lines, {"scarf": 2}, outbound_freight_fen=1000,
                       breaks_free_shipping=breaks_free_shipping(lines, {"scarf": 2}, threshold_fen=20000))
    assert (plan.total_fen, plan.deductions) == (7000, [("refund.deduction.outbound_freight", 1000)])
