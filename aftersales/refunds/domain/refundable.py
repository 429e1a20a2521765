"""How much may be refunded, and how a refund splits — integer fen, pure.

The law (七日无理由退货暂行办法 12, 14–18) and DESIGN §4:
- a line's refundable amount is what was actually paid for it, spread over its units by largest
  remainder (L11), never more than what is left after earlier refunds;
- a partial return out of a bundle or a spend-X-save-Y (满减) deal re-prices what the buyer keeps at
  the original prices (L11, `bundle_reprice`);
- a gift that does not come back costs its pre-stated price, and never blocks the return (L7);
- the outbound freight is deducted when the return breaks a free-shipping threshold (L12);
- the money goes back over the original payment routes, pro rata (L9, `split_over_payments`).
Whatever the inputs, the sum refunded never exceeds the sum paid, per line and in total.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field

from aftersales.core.errors import DomainError
from aftersales.core.money import allocate, check_fen


@dataclass(frozen=True)
class OrderLineMoney:
    line_id: str
    unit_price_fen: int  # the original (list) price of one unit; for a gift, its pre-stated price
    quantity: int
    paid_fen: int  # actually paid for the whole line, after every discount
    is_gift: bool = False
    bundle_id: str | None = None  # lines bought together in a bundle / 满减 deal share an id

    def __post_init__(self) -> None:
        check_fen(self.unit_price_fen)
        check_fen(self.paid_fen)
        if isinstance(self.quantity, bool) or not isinstance(self.quantity, int) or self.quantity < 1:
            raise DomainError("refund.invalid_quantity", line_id=self.line_id, quantity=str(self.quantity))


@dataclass(frozen=True)
class RefundPlan:
    total_fen: int
    per_line: dict[str, int]  # line_id -> fen; sums to total_fen − freight_fen
    deductions: list[tuple[str, int]] = field(default_factory=list)  # (code, fen actually deducted)
    gross_fen: int = 0  # before deductions
    freight_fen: int = 0  # outbound freight paid back (nothing was shipped), not on any line


def unit_shares(line: OrderLineMoney) -> list[int]:
    """What each unit of the line cost, by largest remainder: ¥1.00 over 3 units → 34, 33, 33 fen."""
    return allocate(line.paid_fen, [1] * line.quantity)


def _check_quantity(line: OrderLineMoney, quantity: int, before: int) -> None:
    for value in (quantity, before):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise DomainError("refund.invalid_quantity", line_id=line.line_id, quantity=str(value))
    if before + quantity > line.quantity:
        raise DomainError("refund.quantity_exceeds_line", line_id=line.line_id, quantity=quantity,
                          available=max(line.quantity - before, 0))


def line_refundable(
    line: OrderLineMoney, quantity: int, already_refunded_fen: int = 0, *, units_already_returned: int = 0
) -> int:
    """The refund for returning `quantity` more units of `line`.

    Units are priced by `unit_shares`, taken in order after the `units_already_returned`. Money
    already refunded beyond those returned units (a partial refund while the buyer kept the goods)
    is spread over the units still held, and this return carries its part of it. Never below 0,
    never above what is left of the line: paid − already refunded.

    Three units paid ¥1.00: returned one by one they refund 34, 33, 33. After a ¥0.10 partial
    refund, returning one unit refunds 34 − 3 = 31, and all three 100 − 10 = 90.
    """
    check_fen(already_refunded_fen)
    _check_quantity(line, quantity, units_already_returned)
    shares = unit_shares(line)
    before = units_already_returned
    share = sum(shares[before : before + quantity])
    held = line.quantity - before
    kept_compensation = max(0, already_refunded_fen - sum(shares[:before]))
    carried = allocate(kept_compensation, [quantity, held - quantity])[0] if held else 0
    return max(0, min(share - carried, line.paid_fen - already_refunded_fen))


def bundle_reprice(
    lines_in_bundle: Sequence[OrderLineMoney],
    returned: Mapping[str, int],
    *,
    previously_returned: Mapping[str, int] | None = None,
    already_refunded_fen: int = 0,
    deal_still_met: bool = False,
) -> int:
    """L11 (办法 17): the refund for a partial return out of a bundle or 满减 deal.

    Over the life of the deal the buyer gets back: total paid − value of what they keep, where the
    kept goods are valued at their ORIGINAL prices (the deal no longer holds for them) — or, when the
    caller knows the kept goods still meet the deal (`deal_still_met`), at the share they were paid.
    This call returns that target minus what was already refunded on the bundle, never below 0 and
    never above what is left of the bundle. Gift lines are left out: `gift_deduction` handles them.

    满300减50: A ¥200 (paid ¥171.43) + B ¥150 (paid ¥128.57), paid ¥300. Returning B refunds
    ¥300 − ¥200 = ¥100.00, not B's share ¥128.57: alone, A costs ¥200. Returning A later refunds
    the remaining ¥200.00, so the whole deal comes back in full.
    """
    check_fen(already_refunded_fen)
    before = previously_returned or {}
    priced = [line for line in lines_in_bundle if not line.is_gift]
    ids = {line.line_id for line in priced}
    for line_id in (*returned, *before):
        if line_id not in ids:
            raise DomainError("refund.unknown_line", line_id=str(line_id))
    paid_total = sum(line.paid_fen for line in priced)
    kept_value = 0
    for line in priced:
        gone, now = before.get(line.line_id, 0), returned.get(line.line_id, 0)
        _check_quantity(line, now, gone)
        kept = line.quantity - gone - now
        if deal_still_met:
            kept_value += sum(unit_shares(line)[line.quantity - kept :])
        else:
            kept_value += line.unit_price_fen * kept
    target = max(0, paid_total - kept_value)
    return max(0, min(target - already_refunded_fen, paid_total - already_refunded_fen))


def gift_deduction(lines: Sequence[OrderLineMoney], gifts_kept: Mapping[str, int]) -> int:
    """L7 / 淘宝 §61: each gift unit the buyer keeps costs its pre-stated price. It never blocks the
    return — the caller deducts this from the refund instead of refusing."""
    by_id = {line.line_id: line for line in lines}
    total = 0
    for line_id, kept in gifts_kept.items():
        line = by_id.get(line_id)
        if line is None:
            raise DomainError("refund.unknown_line", line_id=str(line_id))
        if not line.is_gift:
            raise DomainError("refund.not_a_gift", line_id=str(line_id))
        _check_quantity(line, kept, 0)
        total += line.unit_price_fen * kept
    return total


def freight_deduction(outbound_freight_fen: int, breaks_free_shipping: bool) -> int:
    """L12 (办法 18): the outbound freight the shop waived, owed back when the return leaves the
    rest of the order below the free-shipping threshold."""
    check_fen(outbound_freight_fen)
    return outbound_freight_fen if breaks_free_shipping else 0


def breaks_free_shipping(
    lines: Sequence[OrderLineMoney], returned: Mapping[str, int], units_before: Mapping[str, int] | None = None,
    *, threshold_fen: int,
) -> bool:
    """L12 / 淘宝 §53 (满X包邮): whether this return takes the priced goods the buyer keeps from at or
    above the free-shipping threshold to below it, with something still kept. Goods count at what was
    paid for them (`unit_shares`); gifts do not count. Once an earlier return went below, a later one
    breaks nothing more (the waived freight is owed once); a return of everything breaks nothing (the
    order is undone as a whole, and a free-shipping order's outbound freight stays the shop's)."""
    check_fen(threshold_fen)
    if not threshold_fen or not returned:
        return False
    before = units_before or {}
    held_before = held_after = 0
    for line in lines:
        if line.is_gift:
            continue
        gone, now = before.get(line.line_id, 0), returned.get(line.line_id, 0)
        _check_quantity(line, now, gone)
        shares = unit_shares(line)
        held_before += sum(shares[gone:])
        held_after += sum(shares[gone + now:])
    return 0 < held_after < threshold_fen <= held_before


def allocate_capped(total: int, weights: Sequence[int], caps: Sequence[int]) -> list[int]:
    """Split `total` in proportion to `weights` by largest remainder, no part above its cap.

    What a capped part cannot take goes to the others, again by weight (by room left once all the
    weighted parts are full). Raises `refund.exceeds_refundable` if the caps cannot hold `total`.
    """
    check_fen(total)
    caps = [max(0, c) for c in caps]
    if total > sum(caps):
        raise DomainError("refund.exceeds_refundable", requested=total, refundable=sum(caps))
    parts = [0] * len(caps)
    left = total
    active = [i for i, cap in enumerate(caps) if cap > 0]
    while left > 0:
        basis = [weights[i] for i in active]
        if sum(basis) == 0:
            basis = [caps[i] - parts[i] for i in active]
        shares, left, still = allocate(left, basis), 0, []
        for i, share in zip(active, shares, strict=True):
            take = min(share, caps[i] - parts[i])
            parts[i] += take
            left += share - take
            if parts[i] < caps[i]:
                still.append(i)
        active = still
    return parts


def _index(lines: Sequence[OrderLineMoney]) -> dict[str, OrderLineMoney]:
    by_id: dict[str, OrderLineMoney] = {}
    for line in lines:
        if line.line_id in by_id:
            raise DomainError("refund.duplicate_line", line_id=line.line_id)
        by_id[line.line_id] = line
    return by_id


def _returned_share(line: OrderLineMoney, before: int, quantity: int) -> int:
    return sum(unit_shares(line)[before : before + quantity])


def _gross_per_line(
    by_id: dict[str, OrderLineMoney], returned: Mapping[str, int], refunded: Mapping[str, int],
    units_before: Mapping[str, int], deals_still_met: frozenset[str],
) -> dict[str, int]:
    gross: dict[str, int] = {}
    bundles: dict[str, list[OrderLineMoney]] = {}
    for line in by_id.values():
        if line.bundle_id and not line.is_gift:
            bundles.setdefault(line.bundle_id, []).append(line)
    for line_id, quantity in returned.items():
        line = by_id[line_id]
        if not line.bundle_id or line.is_gift:
            gross[line_id] = line_refundable(line, quantity, refunded.get(line_id, 0),
                                             units_already_returned=units_before.get(line_id, 0))
    for bundle_id, members in bundles.items():
        now = {m.line_id: returned[m.line_id] for m in members if returned.get(m.line_id)}
        if not now:
            continue
        amount = bundle_reprice(
            members, now, previously_returned={m.line_id: units_before.get(m.line_id, 0) for m in members},
            already_refunded_fen=sum(refunded.get(m.line_id, 0) for m in members),
            deal_still_met=bundle_id in deals_still_met,
        )
        # Spread over the returned lines by their paid share; what they cannot hold (a later return
        # from the same deal) goes to the deal's other lines, so no line ever exceeds its paid amount.
        weights = [_returned_share(m, units_before.get(m.line_id, 0), now.get(m.line_id, 0)) for m in members]
        caps = [max(0, m.paid_fen - refunded.get(m.line_id, 0)) for m in members]
        parts = allocate_capped(min(amount, sum(caps)), weights, caps)
        for member, part in zip(members, parts, strict=True):
            if part or member.line_id in now:
                gross[member.line_id] = gross.get(member.line_id, 0) + part
    return gross


def plan_refund(
    lines: Sequence[OrderLineMoney],
    returned: Mapping[str, int],
    *,
    already_refunded_fen_by_line: Mapping[str, int] | None = None,
    gifts_kept: Mapping[str, int] | None = None,
    outbound_freight_fen: int = 0,
    breaks_free_shipping: bool = False,
    units_already_returned_by_line: Mapping[str, int] | None = None,
    deals_still_met: frozenset[str] = frozenset(),
    freight_back_fen: int = 0,
) -> RefundPlan:
    """The refund for returning `returned` (line_id → units) out of an order's `lines`.

    Lines priced alone refund by `line_refundable`; lines of one bundle together by `bundle_reprice`
    (`deals_still_met`: bundle ids whose deal the kept goods still meet). Then the kept gifts and the
    outbound freight are deducted, each no further than down to zero. `freight_back_fen` (the outbound
    freight paid back, see `freight_back`) is added last. `per_line` sums to `total_fen − freight_fen`
    and no line gets more than it has left.
    """
    check_fen(freight_back_fen)
    by_id = _index(lines)
    refunded = dict(already_refunded_fen_by_line or {})
    units_before = dict(units_already_returned_by_line or {})
    for mapping in (returned, refunded, units_before, gifts_kept or {}):
        for line_id in mapping:
            if line_id not in by_id:
                raise DomainError("refund.unknown_line", line_id=str(line_id))
    for fen in refunded.values():
        check_fen(fen)
    gross = _gross_per_line(by_id, returned, refunded, units_before, frozenset(deals_still_met))
    gross_total = sum(gross.values())
    left, deductions = gross_total, []
    for code, wanted in (
        ("refund.deduction.gift_kept", gift_deduction(lines, gifts_kept or {})),
        ("refund.deduction.outbound_freight", freight_deduction(outbound_freight_fen, breaks_free_shipping)),
    ):
        if wanted:
            applied = min(wanted, left)
            deductions.append((code, applied))
            left -= applied
    ids = list(gross)
    parts = allocate(left, [gross[i] for i in ids]) if ids else []
    return RefundPlan(total_fen=left + freight_back_fen, per_line=dict(zip(ids, parts, strict=True)),
                      deductions=deductions, gross_fen=gross_total, freight_fen=freight_back_fen)


def _all_priced_units_back(
    lines: Sequence[OrderLineMoney], returned: Mapping[str, int], units_before: Mapping[str, int]
) -> bool:
    return all(
        units_before.get(line.line_id, 0) + returned.get(line.line_id, 0) >= line.quantity
        for line in lines if not line.is_gift
    )


def freight_back(
    lines: Sequence[OrderLineMoney], returned: Mapping[str, int], units_before: Mapping[str, int] | None = None,
    *, shipped: bool, freight_paid_fen: int, merchant_fault: bool = False,
) -> int:
    """The outbound freight the buyer paid comes back when this request takes the order's last priced
    units (earlier requests took the rest) and either nothing was shipped, or the goods travelled but
    come back for the shop's fault (defect, wrong or missing item, not as described, transit damage:
    消保法 24 puts the transport costs of such a return on the shop, and the whole sale is undone).
    A no-reason return of shipped goods refunds only the goods' price (消保法 25, 办法 13)."""
    check_fen(freight_paid_fen)
    if (shipped and not merchant_fault) or not returned:
        return 0
    return freight_paid_fen if _all_priced_units_back(lines, returned, units_before or {}) else 0


def gifts_kept_on_return(
    lines: Sequence[OrderLineMoney], returned: Mapping[str, int], units_before: Mapping[str, int] | None = None,
    *, shipped: bool, unshipped: Collection[str] = (),
) -> dict[str, int]:
    """L7: once every priced unit is back, each gift unit the buyer still holds is kept (and its price
    deducted, `gift_deduction`). A gift that was never shipped — nothing was (`shipped` false), or its
    own line was not (`unshipped`: line ids of an order shipped in parts) — is not with the buyer."""
    before = units_before or {}
    if not shipped or not returned or not _all_priced_units_back(lines, returned, before):
        return {}
    kept = {
        line.line_id: line.quantity - before.get(line.line_id, 0) - returned.get(line.line_id, 0)
        for line in lines if line.is_gift and line.line_id not in unshipped
    }
    return {line_id: units for line_id, units in kept.items() if units > 0}


def split_over_payments(total_fen: int, payments: Sequence[tuple[str, int, int]]) -> list[tuple[str, int]]:
    """L9 (办法 14–15): split a refund over the original payment routes (route, paid, already refunded),
    in proportion to what each paid, by largest remainder, no route above what it has left.

    Routes come back in the given order, including those that get 0.
    """
    check_fen(total_fen)
    if not payments:
        if total_fen:
            raise DomainError("refund.no_payment_routes")
        return []
    for _route, paid, refunded in payments:
        check_fen(paid)
        check_fen(refunded)
    caps = [paid - refunded for _route, paid, refunded in payments]
    parts = allocate_capped(total_fen, [paid for _route, paid, _refunded in payments], caps)
    return [(route, part) for (route, _paid, _refunded), part in zip(payments, parts, strict=True)]


def assert_within_paid(requested_fen: int, refundable_fen: int) -> int:
    """Refuse a refund above what may still be refunded; returns `requested_fen` when it fits."""
    check_fen(requested_fen)
    if requested_fen > refundable_fen:
        raise DomainError("refund.exceeds_refundable", requested=requested_fen, refundable=refundable_fen)
    return requested_fen


CODES = frozenset({
    "refund.exceeds_refundable", "refund.invalid_quantity", "refund.quantity_exceeds_line",
    "refund.unknown_line",
    "refund.not_a_gift", "refund.duplicate_line", "refund.no_payment_routes", "refund.deduction.gift_kept",
    "refund.deduction.outbound_freight",
})
