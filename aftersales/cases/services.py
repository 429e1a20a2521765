"""Business operations on a case: one verb each, one transaction each, each writing an event.

Every function takes the shop first and finds the case inside it, so a case of another shop is simply
not found. The case row is locked (`select_for_update`) for the length of the transaction; an illegal
move raises a coded DomainError before anything is written.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import F, Sum

from aftersales import natural_keys
from aftersales.accounts.models import Shop
from aftersales.cases import kernel
from aftersales.cases.buyer_words import read_words
from aftersales.cases.domain.refusal import lawful_no_reason
from aftersales.cases.domain.states import (
    Action,
    Actor,
    Kind,
    Status,
    gives_what_was_asked,
    next_status,
)
from aftersales.cases.kernel import SYSTEM, By  # noqa: F401  (who acts: named by every caller of the verbs)
from aftersales.cases.models import Case, CaseEvent, CaseLine
from aftersales.cases.policy_io import RuleSets, decide
from aftersales.cases.refund_rule import (  # noqa: F401  (money_of: callers)
    cap_for_new_case,
    money_of,
    threshold_broken_by,
)
from aftersales.catalog.models import Sku
from aftersales.catalog.return_addresses import address_for_approval
from aftersales.catalog.return_addresses import snapshot as address_snapshot
from aftersales.core import clock
from aftersales.core.choices import (
    ArbitrationStatus,
    GoodsStatus,
    MoneyStatus,
    PaymentStatus,
    Reason,
    ReturnLogistics,
)
from aftersales.core.errors import ConflictError, DomainError, NotFoundError
from aftersales.core.money import check_fen
from aftersales.core.tracking import parse_tracking
from aftersales.orders.goods import furthest, line_goods_status
from aftersales.orders.models import Order, OrderLine


def acting_for_token(role: str) -> By:
    """Who acts for an API token of `role`: the warehouse for a warehouse token, else the merchant."""
    return By(Actor.WAREHOUSE if role == "warehouse" else Actor.MERCHANT)


#: Why a merchant may refuse a request. A refusal without one of these is refused itself.
REJECT_REASONS = (
    "evidence_insufficient",
    "not_intact",
    "beyond_window",
    "exempt_category",
    "buyer_fault",
    "duplicate_request",
    "inspection_failed",
    "other",
)
CLOSE_REASONS = ("resolved_offline", "duplicate_request", "buyer_unreachable", "timeout", "other")


def confirm_platform_move(shop: Shop | int, case: Case | int, submitted: CaseEvent, *, command_id: int,
                          now: datetime | None = None) -> CaseEvent | None:
    """The platform confirmed the move `submitted` sent it: make it now, as the person who decided it.

    In the caller's transaction. If the case has moved meanwhile (the platform's own sync got there
    first) and the move no longer applies, only the mark is cleared: the case already shows the
    platform's state."""
    case = kernel.locked(shop, case)
    case.awaiting_platform = ""
    action = Action(submitted.payload["action"])
    by = By(Actor(submitted.actor), submitted.actor_user)
    payload = {**(submitted.payload.get("payload") or {}), "platform_command": command_id}
    try:
        target = next_status(Kind(case.kind), Status(case.status), action, by.actor)
    except DomainError:
        case.save(update_fields=["awaiting_platform", "updated_at"])
        return None
    return kernel.make_move(case, action, target, by, reason_code=submitted.reason_code, note=submitted.note,
                      payload=payload, now=now or clock.now())


def platform_refused_move(shop: Shop | int, case: Case | int, *, action: str, kind: str, code: str, message: str,
                          command_id: int, now: datetime | None = None) -> CaseEvent:
    """The platform refused (or could not be sent) the move awaiting it: the case stays where it is. In the
    caller's transaction."""
    case = kernel.locked(shop, case)
    case.awaiting_platform = ""
    case.save(update_fields=["awaiting_platform", "updated_at"])
    return kernel.record_event(case, By(Actor.PLATFORM), "platform_refused", from_status=case.status, reason_code=kind,
                        note=message[:300], payload={"command": command_id, "action": action, "platform_code": code},
                        now=now)


def quantity_already_claimed(line: OrderLine) -> int:
    """Units of a line already in other cases that are not closed (a closed case frees its units)."""
    claimed = CaseLine.objects.filter(order_line=line).exclude(case__status=Status.CLOSED.value)
    return sum(cl.quantity for cl in claimed)


def units_claimed(line_ids: list[int]) -> dict[int, int]:
    """`quantity_already_claimed` for several lines, in one query."""
    rows = (CaseLine.objects.filter(order_line_id__in=line_ids).exclude(case__status=Status.CLOSED.value)
            .values("order_line_id").annotate(units=Sum("quantity")))
    return {row["order_line_id"]: row["units"] for row in rows}


def _validate_choice(value: str, allowed, field: str) -> str:
    values = {str(v.value) if hasattr(v, "value") else str(v) for v in allowed}
    if value not in values:
        raise DomainError("input.invalid_choice", field=field, value=str(value))
    return value


@transaction.atomic
def _open_new_case(shop: Shop, *, order_id: int, now: datetime | None = None, **request) -> Case:
    """Open an after-sale case (售后申请) on some lines of an order, with the policy decision attached
    (what is asked: `open_in`'s arguments)."""
    _checked_request(request)  # before anything is read, as every refusal of the request itself
    order = Order.objects.select_for_update(no_key=True).filter(shop=shop, pk=order_id).first()
    if order is None:
        raise NotFoundError("order.not_found", order_id=order_id)
    order_lines = list(order.lines.select_related("product__category").order_by("pk"))
    claimed = units_claimed([line.pk for line in order_lines])
    page = kernel.NewCases()
    case = open_in(page, shop, order, order_lines, claimed, RuleSets(shop), now=now or clock.now(), **request)
    page.write()
    return case


def _checked_request(request: dict) -> str:
    """Refuse a request whose kind, reason, remedy or words are not ours to take; the remedy wanted."""
    kind = request.get("kind")
    _validate_choice(kind, Kind, "kind")
    _validate_choice(request.get("reason"), Reason, "reason")
    wanted_remedy = _validate_choice(request.get("wanted_remedy") or kind, Kind, "wanted_remedy")
    if len(request.get("buyer_note") or "") > 2000:
        raise DomainError("input.too_long", field="buyer_note", limit=2000)
    return wanted_remedy


def open_in(
    page: kernel.NewCases,
    shop: Shop,
    order: Order,
    order_lines: list[OrderLine],
    claimed: dict[int, int],
    rulesets: RuleSets,
    *,
    lines: list[tuple[int, int]],
    kind: str,
    reason: str,
    by: By,
    now: datetime,
    buyer_note: str = "",
    wanted_remedy: str | None = None,
    requested_fen: int | None = None,
    goods: dict | None = None,
    buyer_confirmed_no_return_at_purchase: bool = False,
    platform_case_id: str | None = None,
    enforce_policy: bool | None = None,
    exchange_sku_id: int | None = None,
) -> Case:
    """Open a case in memory, in `page` (written by `page.write()`): the rules of opening, for one case
    (`open_case`) and for a page of platform cases (`platform_pages`) alike. `order` is locked, with its
    lines (in id order, products and categories read) and the units of each already `claimed` by open
    cases; `rulesets` reads the shop's return rules once for many cases.

    A buyer may only ask for a remedy the policy allows; staff may be more generous and are only told.
    An exchange may name the SKU wanted instead (`exchange_sku_id`, see `_exchange_sku`).
    """
    wanted_remedy = _checked_request({"kind": kind, "reason": reason, "wanted_remedy": wanted_remedy,
                                      "buyer_note": buyer_note})
    order.shop = shop  # the same row: the policy reads the shop's rules without fetching it again
    if not lines:
        raise DomainError("case.no_lines")
    picked: list[tuple[OrderLine, int]] = []
    by_id = {line.pk: line for line in order_lines}
    seen: set[int] = set()
    for line_id, quantity in lines:
        line = by_id.get(line_id)
        if line is None:
            raise NotFoundError("order.line_not_found", line_id=line_id)
        if line_id in seen:
            raise DomainError("case.duplicate_line", line_id=line_id)
        seen.add(line_id)
        if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity <= 0:
            raise DomainError("case.invalid_quantity", line_id=line_id, quantity=str(quantity))
        free = line.quantity - claimed.get(line_id, 0)
        if quantity > free:
            raise ConflictError(
                "case.quantity_exceeds_order", line_id=line_id, quantity=quantity, available=free
            )
        picked.append((line, quantity))
    exchange_sku = _exchange_sku(shop, exchange_sku_id, kind, picked)

    # Every picked line is judged on its own (its category, the goods' state, whether it is a gift or
    # part of a bundle): a mixed request is opened for the lines the rules allow and refused, with the
    # reasons, for the others. Staff may be more generous and keep every line; they are only told.
    wanted = _policy_kind(kind)
    breaks = threshold_broken_by(order, picked, kind=kind, reason=reason, lines=order_lines)  # 满X包邮
    judged = [
        (line, quantity, *decide(
            order, line, case_kind=wanted, reason=reason, requested_at=now, goods=goods,
            buyer_confirmed=buyer_confirmed_no_return_at_purchase, breaks_free_shipping=breaks, rulesets=rulesets,
        ))
        for line, quantity in picked
    ]
    must_follow_policy = by.actor == Actor.BUYER if enforce_policy is None else enforce_policy
    allowed = [j for j in judged if wanted in j[2].remedies]
    if must_follow_policy and not allowed:
        first = judged[0][2]
        raise DomainError("case.remedy_not_allowed", kind=kind, reasons=",".join(first.reason_codes))
    kept = allowed if must_follow_policy else judged
    opened = {line.pk for line, _q, _d, _r in kept}
    refused = [j for j in judged if j[0].pk not in opened]
    picked = [(line, quantity) for line, quantity, _d, _r in kept]
    _line, _quantity, decision, ruleset = kept[0]
    policy_decision = {
        **decision.to_dict(),
        "eligible": all(wanted in d.remedies for _l, _q, d, _r in kept),
        "lines": [_line_verdict(order, line, q, d, wanted, opened=line.pk in opened) for line, q, d, _r in judged],
    }

    goods_status = furthest(_v["goods_status"] for _v in policy_decision["lines"] if _v["opened"])
    cap = cap_for_new_case(order, picked, kind=kind, reason=reason, lines=order_lines)  # the refund rule
    if requested_fen is None:
        requested_fen = cap if kind in _REFUND_KINDS else 0
    check_fen(requested_fen)
    if requested_fen > cap:
        raise DomainError("refund.exceeds_refundable", requested=requested_fen, refundable=cap)

    case = Case(
        shop=shop,
        order=order,
        buyer_id=order.buyer_id,
        platform=order.platform,
        platform_case_id=platform_case_id,
        kind=kind,
        status=Status.REQUESTED.value,
        goods_status=goods_status.value,
        reason=reason,
        buyer_note=buyer_note,
        wanted_remedy=wanted_remedy,
        requested_fen=requested_fen,
        refund_cap_fen=cap,
        exchange_sku=exchange_sku,
        policy_decision=policy_decision,
        policy_version=ruleset.version,
        **read_words(buyer_note),
        created_at=now,
    )
    kernel.refresh_deadline(case, now)
    page.add(case, [
        CaseLine(case=case, order_line=line, quantity=q, goods_status=line_goods_status(order, line).value)
        for line, q in picked
    ])
    kernel.record_event(
        case,
        by,
        "open",
        to_status=Status.REQUESTED.value,
        note=buyer_note,
        now=now,
        payload={
            "lines": [[line.pk, q] for line, q in picked],
            "requested_fen": requested_fen,
            **({"exchange_sku": exchange_sku.code} if exchange_sku else {}),
            "eligible": policy_decision["eligible"],
            "policy_version": ruleset.version,
            "refused_lines": [[line.pk, q, list(d.reason_codes[:3])] for line, q, d, _r in refused],
        },
    )
    return case


def _exchange_sku(shop: Shop, sku_id: int | None, kind: str, picked: list[tuple[OrderLine, int]]) -> Sku | None:
    """The SKU an exchange asks for: another size or colour of the very product returned, with enough
    units in stock for the units exchanged (the stock is taken when the replacement ships)."""
    if sku_id is None:
        return None
    if kind != Kind.EXCHANGE.value:
        raise DomainError("case.exchange_sku_not_exchange", kind=kind)
    sku = Sku.objects.filter(shop=shop, pk=sku_id).first() if isinstance(sku_id, int) else None
    if sku is None:
        raise DomainError("input.invalid_choice", field="exchange_sku", value=str(sku_id))
    if any(line.product_id != sku.product_id for line, _q in picked):
        raise DomainError("case.exchange_sku_other_product", sku=sku.code)
    units = sum(q for _line, q in picked)
    if sku.stock is None or sku.stock < units:
        raise ConflictError("case.exchange_out_of_stock", sku=sku.code, spec=sku.spec, stock=sku.stock or 0)
    return sku


def _line_verdict(order: Order, line: OrderLine, quantity: int, decision, wanted: str, *, opened: bool) -> dict:
    """One line's own policy answer, kept on the case for the portal, the console and the API: where its
    goods are, whether the remedy asked for is allowed for it, whether it is in the case, and why (codes
    with parameters)."""
    params = {rule["code"]: rule["params"] for rule in reversed(decision.to_dict()["rules"])}
    return {
        "line_id": line.pk,
        "title": line.title,
        "quantity": quantity,
        "goods_status": line_goods_status(order, line).value,
        "allowed": wanted in decision.remedies,
        "opened": opened,
        "remedies": list(decision.remedies),
        # A rule's own parameters (as stored, JSON-ready), else the decision's (`policy.kind_not_offered`).
        "reasons": [{"code": code, "params": params[code] if code in params else dict(decision.params_for(code))}
                    for code in decision.reason_codes[:3]],
    }


def open_case(shop: Shop, **request) -> Case:
    """Open an after-sale case (售后申请); the same platform case posted again answers the one that exists
    (see `open_case_once`, whose arguments it takes)."""
    return open_case_once(shop, **request)[0]


def _same_case(case: Case, order_id: int, request: dict) -> bool:
    """Whether `request` asks for what `case` was opened with: its order, lines, kind, reason and words."""
    lines = sorted((line.order_line_id, line.quantity) for line in case.lines.all())
    asked = request.get("requested_fen")
    return (case.order_id == order_id and lines == sorted(tuple(x) for x in request["lines"]) and case.kind == request["kind"]
            and case.reason == request["reason"] and case.buyer_note == request.get("buyer_note", "")
            and (asked is None or asked == case.requested_fen))


@transaction.atomic
def open_case_once(shop: Shop, *, order_id: int, platform_case_id: str | None = None, **request) -> tuple[Case, bool]:
    """(the case, whether it is new). The platform's case id is the natural key: a retry of the same
    request answers the case (whatever became of it since), another request under that id is a 409."""
    if not platform_case_id:
        return _open_new_case(shop, order_id=order_id, **request), True
    order = Order.objects.select_for_update(no_key=True).filter(shop=shop, pk=order_id).first()
    if order is None:
        raise NotFoundError("order.not_found", order_id=order_id)
    key = {"shop": shop, "platform": order.platform, "platform_case_id": platform_case_id}
    return natural_keys.create_once(
        lambda: Case.objects.filter(**key).first(),
        lambda: _open_new_case(shop, order_id=order_id, platform_case_id=platform_case_id, **request),
        same=lambda case: _same_case(case, order_id, request),
        conflict=lambda: ConflictError("case.exists", platform_case_id=platform_case_id),
    )


_REFUND_KINDS = {
    Kind.REFUND_ONLY.value,
    Kind.RETURN_REFUND.value,
    Kind.PARTIAL_REFUND.value,
    Kind.PRICE_PROTECTION.value,
}


def _policy_kind(kind: str) -> str:
    """The policy engine knows the five remedies; a partial refund or price protection is a refund only."""
    return (
        Kind.REFUND_ONLY.value if kind in (Kind.PARTIAL_REFUND.value, Kind.PRICE_PROTECTION.value) else kind
    )


@transaction.atomic
def approve_case(shop: Shop, case_id: int, by: By, *, note: str = "", return_address_id: int | None = None,
                 now: datetime | None = None) -> Case:
    """Approve a request. When the goods are to come back, the case keeps a copy of the return address
    (rule L6): the one picked (`return_address_id`, one of the shop's) or the shop's default for the
    case's platform and category; it goes to the buyer's page, the message and the platform."""
    case = kernel.lock_case(shop, case_id)
    payload = {}
    if case.kind in (Kind.RETURN_REFUND.value, Kind.EXCHANGE.value, Kind.REPAIR.value):
        payload["return_freight_payer"] = case.policy_decision.get("return_freight_payer")
    target = next_status(Kind(case.kind), Status(case.status), Action.APPROVE, by.actor)
    if target == Status.AWAITING_RETURN:
        address = address_for_approval(shop, return_address_id, case.platform, case_category_id(case))
        case.return_address = address_snapshot(address)
        if address is not None:
            payload["return_address_id"] = address.pk
    kernel.move(case, Action.APPROVE, by, note=note, payload=payload, now=now)
    return case


def case_category_id(case: Case) -> int | None:
    """The category of the case's goods (of its first line), for the shop's per-category settings."""
    return (CaseLine.objects.filter(case=case, order_line__product__isnull=False).order_by("pk")
            .values_list("order_line__product__category_id", flat=True).first())


def remedies_to_switch_to(case: Case) -> list[str]:
    """What a request under review may be changed to: a remedy the policy allowed when it was opened; a
    return the policy allowed may become a refund without return once the goods are with the buyer (the
    shop waives the return: the same money, nothing sent back); and once they have the goods, a partial
    refund (协商部分退款: the law does not give it, but the buyer may accept it instead of what it does)."""
    allowed = set(case.policy_decision.get("remedies") or [])
    received = case.goods_status == GoodsStatus.RECEIVED.value
    out = []
    for kind in Kind:
        waiver = kind == Kind.REFUND_ONLY and Kind.RETURN_REFUND.value in allowed and received
        if kind == Kind.PARTIAL_REFUND:
            ok = received
        else:
            ok = kind != Kind.PRICE_PROTECTION and (_policy_kind(kind.value) in allowed or waiver)
        if ok:
            out.append(kind.value)
    return out


@transaction.atomic
def switch_remedy(
    shop: Shop,
    case_id: int,
    by: By,
    *,
    kind: str,
    requested_fen: int | None = None,
    exchange_sku_id: int | None = None,
    buyer_agreed: bool = False,
    note: str = "",
    now: datetime | None = None,
) -> Case:
    """Change the remedy of a request still under review (改为换货 / 补发 / 仅退款不退货 / 部分退款), or the
    size/colour of an exchange not yet shipped (the one asked for is out of stock).

    Only to one of `remedies_to_switch_to`. Anything but what the buyer asked for (or more) is an offer,
    and so is another SKU: it needs the buyer's agreement (`buyer_agreed`, how they agreed in `note`),
    which the event records.
    """
    _validate_choice(kind, Kind, "kind")
    if len(note) > 2000:
        raise DomainError("input.too_long", field="note", limit=2000)
    case = kernel.lock_case(shop, case_id)
    other_sku = kind == Kind.EXCHANGE.value and exchange_sku_id is not None and exchange_sku_id != case.exchange_sku_id
    # Once the return is in, an exchange can still change its size/colour before the replacement ships.
    fulfilling_exchange = (case.status == Status.FULFILLING.value and case.kind == kind == Kind.EXCHANGE.value
                           and other_sku)
    if case.status != Status.REQUESTED.value and not fulfilling_exchange:
        raise ConflictError("case.switch_not_in_review", status=case.status)
    if not fulfilling_exchange and kind not in remedies_to_switch_to(case):
        allowed = sorted(case.policy_decision.get("remedies") or [])
        raise DomainError("case.remedy_not_allowed", kind=kind, reasons=",".join(allowed))
    if requested_fen is None:
        requested_fen = case.refund_cap_fen if kind in _REFUND_KINDS else 0
    check_fen(requested_fen)
    if requested_fen > case.refund_cap_fen:
        raise DomainError("refund.exceeds_refundable", requested=requested_fen, refundable=case.refund_cap_fen)
    if kind == Kind.EXCHANGE.value:
        sku = _exchange_sku(shop, exchange_sku_id, kind, [(cl.order_line, cl.quantity) for cl in
                                                         case.lines.select_related("order_line")])
        sku = sku if exchange_sku_id is not None else case.exchange_sku
    else:
        sku = None
    if (other_sku or not gives_what_was_asked(kind, case.wanted_remedy)) and not buyer_agreed:
        raise DomainError("case.switch_needs_agreement", kind=kind)
    before = {"kind": case.kind, "requested_fen": case.requested_fen}
    after = {"kind": kind, "requested_fen": requested_fen}
    if case.exchange_sku_id or sku:
        before["exchange_sku"] = case.exchange_sku.code if case.exchange_sku_id else ""
        after["exchange_sku"] = sku.code if sku else ""
    case.kind, case.requested_fen, case.exchange_sku = kind, requested_fen, sku
    case.version += 1
    case.save(update_fields=["kind", "requested_fen", "exchange_sku", "version", "updated_at"])
    kernel.record_event(case, by, "switch_remedy", from_status=case.status, note=note.strip(), now=now,
                 payload={"before": before, "after": after, "buyer_agreed": buyer_agreed})
    return case


@transaction.atomic
def reject_case(
    shop: Shop, case_id: int, by: By, *, reason_code: str, note: str = "", as_owner: bool = False,
    now: datetime | None = None,
) -> Case:
    """Refuse a request. `as_owner`: the person refusing holds the shop's owner role, the only one who
    may refuse a request the policy found lawful as a no-reason return."""
    if reason_code not in REJECT_REASONS:
        raise DomainError("case.reject_reason_required", allowed=",".join(REJECT_REASONS))
    case = kernel.lock_case(shop, case_id)
    # Platforms do not let a merchant refuse a refund of goods that were never shipped (TB refuse API).
    if case.kind == Kind.REFUND_ONLY.value and case.goods_status == GoodsStatus.NOT_SHIPPED.value:
        raise ConflictError("case.cannot_reject_unshipped_refund")
    if not as_owner and lawful_no_reason(case.policy_decision):
        raise ConflictError("case.reject_lawful_no_reason_owner_only")
    kernel.move(case, Action.REJECT, by, reason_code=reason_code, note=note, now=now)
    return case


@transaction.atomic
def request_evidence(shop: Shop, case_id: int, by: By, *, note: str, now: datetime | None = None) -> Case:
    if not note.strip():
        raise DomainError("input.required", field="note")
    case = kernel.lock_case(shop, case_id)
    kernel.move(case, Action.REQUEST_EVIDENCE, by, note=note, now=now)
    return case


@transaction.atomic
def resubmit_case(shop: Shop, case_id: int, by: By, *, note: str = "", now: datetime | None = None) -> Case:
    case = kernel.lock_case(shop, case_id)
    kernel.move(case, Action.RESUBMIT, by, note=note, now=now)
    return case


@transaction.atomic
def record_return_shipment(
    shop: Shop, case_id: int, by: By, *, carrier: str, tracking_no: str, freight_fen: int | None = None,
    now: datetime | None = None,
) -> Case:
    """The buyer's return parcel; `freight_fen`: what the buyer says it cost, kept for the shop to
    reimburse when the shop pays the return freight (`refunds.freight`)."""
    carrier, tracking_no = carrier.strip(), parse_tracking(tracking_no)
    if not carrier:
        raise DomainError("input.required", field="carrier")
    if freight_fen is not None:
        check_fen(freight_fen)
    case = kernel.lock_case(shop, case_id)
    case.return_carrier, case.return_tracking_no = carrier, tracking_no
    case.return_logistics = ReturnLogistics.SHIPPED.value
    payload = {"carrier": carrier, "tracking_no": tracking_no}
    if freight_fen:
        case.return_freight_claimed_fen = freight_fen
        payload["freight_fen"] = freight_fen
    kernel.move(case, Action.SHIP_RETURN, by, payload=payload, now=now)
    return case


@transaction.atomic
def ship_replacement(
    shop: Shop, case_id: int, by: By, *, carrier: str, tracking_no: str, now: datetime | None = None
) -> Case:
    """Ship the exchange, reshipment or repaired item. An exchange for another SKU takes its units off
    that SKU's stock in the same transaction; with too few left nothing is written (the agent may then
    switch the remedy with the buyer's agreement)."""
    carrier, tracking_no = carrier.strip(), parse_tracking(tracking_no)
    if not carrier:
        raise DomainError("input.required", field="carrier")
    case = kernel.lock_case(shop, case_id)
    next_status(Kind(case.kind), Status(case.status), Action.SHIP_REPLACEMENT, by.actor)  # refused before stock moves
    payload = {"carrier": carrier, "tracking_no": tracking_no}
    if case.exchange_sku_id is not None and case.kind == Kind.EXCHANGE.value:
        units = sum(case.lines.values_list("quantity", flat=True))
        taken = Sku.objects.filter(pk=case.exchange_sku_id, stock__gte=units).update(stock=F("stock") - units)
        if not taken:
            sku = Sku.objects.get(pk=case.exchange_sku_id)
            raise ConflictError("case.exchange_out_of_stock", sku=sku.code, spec=sku.spec, stock=sku.stock or 0)
        payload.update(sku=case.exchange_sku.code, units=units)
    case.outbound_tracking_no = tracking_no
    kernel.move(case, Action.SHIP_REPLACEMENT, by, payload=payload, now=now)
    return case


@transaction.atomic
def confirm_receipt(shop: Shop, case_id: int, by: By, *, now: datetime | None = None) -> Case:
    case = kernel.lock_case(shop, case_id)
    kernel.move(case, Action.CONFIRM_RECEIPT, by, now=now)
    return case


@transaction.atomic
def withdraw_case(shop: Shop, case_id: int, by: By, *, note: str = "", now: datetime | None = None) -> Case:
    case = kernel.lock_case(shop, case_id)
    # As once a refund is being paid (the state machine's rule for `refunding`): a return refunded before
    # it arrived cannot be taken back, or the money would be kept with no return left to receive.
    if case.refunded_before_receipt_at is not None:
        raise ConflictError("case.withdraw_after_fast_refund")
    kernel.move(case, Action.WITHDRAW, by, reason_code="withdrawn", note=note, now=now)
    return case


@transaction.atomic
def escalate_case(shop: Shop, case_id: int, by: By, *, note: str = "", now: datetime | None = None) -> Case:
    """平台介入: the platform's customer service now decides."""
    case = kernel.lock_case(shop, case_id)
    case.arbitration_status = ArbitrationStatus.REQUESTED.value
    kernel.move(case, Action.ESCALATE, by, note=note, now=now)
    return case


@transaction.atomic
def record_ruling(
    shop: Shop, case_id: int, *, for_buyer: bool, note: str = "", now: datetime | None = None
) -> Case:
    case = kernel.lock_case(shop, case_id)
    if for_buyer:
        case.arbitration_status = ArbitrationStatus.RULED_FOR_BUYER.value
        kernel.move(case, Action.RULE_FOR_BUYER, By(Actor.PLATFORM), note=note, now=now)
    else:
        case.arbitration_status = ArbitrationStatus.RULED_FOR_MERCHANT.value
        kernel.move(
            case,
            Action.RULE_FOR_MERCHANT,
            By(Actor.PLATFORM),
            reason_code="ruled_for_merchant",
            note=note,
            now=now,
        )
    return case


@transaction.atomic
def close_case(
    shop: Shop, case_id: int, by: By, *, reason_code: str, note: str = "", now: datetime | None = None
) -> Case:
    if reason_code not in CLOSE_REASONS:
        raise DomainError("case.close_reason_required", allowed=",".join(CLOSE_REASONS))
    case = kernel.lock_case(shop, case_id)
    kernel.move(case, Action.CLOSE, by, reason_code=reason_code, note=note, now=now)
    return case


# Bookkeeping that is not a change of status still writes an event: who did what, when.


@transaction.atomic
def add_note(shop: Shop, case_id: int, by: By, *, note: str, payload: dict | None = None,
             now: datetime | None = None) -> CaseEvent:
    """A note on the case; `payload` keeps what a generated note was made from (a training line's code)."""
    note = note.strip()
    if not note:
        raise DomainError("input.required", field="note")
    if len(note) > 2000:
        raise DomainError("input.too_long", field="note", limit=2000)
    case = kernel.lock_case(shop, case_id)
    return kernel.record_event(case, by, "note", from_status=case.status, note=note, payload=payload, now=now)


@transaction.atomic
def set_tags(shop: Shop, case_id: int, by: By, *, tags: list[str], now: datetime | None = None) -> Case:
    clean = sorted({t.strip() for t in tags if t and t.strip()})
    if any(len(t) > 20 for t in clean) or len(clean) > 20:
        raise DomainError("case.invalid_tags")
    case = kernel.lock_case(shop, case_id)
    before = list(case.tags)
    case.tags = clean
    case.version += 1
    case.save(update_fields=["tags", "version", "updated_at"])
    kernel.record_event(
        case, by, "tags", from_status=case.status, payload={"before": before, "after": clean}, now=now
    )
    return case


#: What the buyer's words may be read as: the case reasons, or the shop's service.
WORD_REASONS = frozenset([*(r.value for r in Reason), "service"])


@transaction.atomic
def correct_reason(shop: Shop, case_id: int, by: By, *, reason: str, now: datetime | None = None) -> Case:
    """Staff say what the buyer's words really mean. The buyer's picked reason stays as it is (the policy
    decided on it); the suggestion becomes the agent's, and the pair is kept as the shop's training data
    (by the intelligence app's subscriber of the event)."""
    if reason not in WORD_REASONS:
        raise DomainError("input.invalid_choice", field="reason", value=reason)
    case = kernel.lock_case(shop, case_id)
    if not case.buyer_note.strip():
        raise DomainError("case.no_buyer_words")
    now = now or clock.now()
    before = case.suggested_reason
    case.suggested_reason, case.suggested_by, case.suggested_confidence = reason, "agent", 1.0
    case.version += 1
    case.save(update_fields=["suggested_reason", "suggested_by", "suggested_confidence", "version", "updated_at"])
    kernel.record_event(case, by, "correct_reason", from_status=case.status, now=now,
                 payload={"before": before, "after": reason, "picked": case.reason})
    return case


@transaction.atomic
def set_follow_up(shop: Shop, case_id: int, by: By, *, follow_up: bool, now: datetime | None = None) -> Case:
    case = kernel.lock_case(shop, case_id)
    case.follow_up = follow_up
    case.version += 1
    case.save(update_fields=["follow_up", "version", "updated_at"])
    kernel.record_event(case, by, "follow_up_on" if follow_up else "follow_up_off", from_status=case.status, now=now)
    return case


@transaction.atomic
def assign_case(shop: Shop, case_id: int, by: By, *, assignee, now: datetime | None = None) -> Case:
    """Give the case to an agent of the same shop (or to nobody)."""
    if assignee is not None and not assignee.memberships.filter(shop=shop).exists():
        raise DomainError("case.assignee_not_in_shop")
    case = kernel.lock_case(shop, case_id)
    case.assignee = assignee
    case.version += 1
    case.save(update_fields=["assignee", "version", "updated_at"])
    kernel.record_event(
        case,
        by,
        "assign",
        from_status=case.status,
        payload={"assignee": assignee.get_username() if assignee else None},
        now=now,
    )
    return case


# What the other apps report about a case. Refunds, the receiving desk, care, the platform sync and the
# training simulator never lock, move or record a case themselves (the kernel is the cases app's own):
# they call these verbs, inside their own transaction, after writing their own rows (a refund decision,
# a payment, a parcel, an inspection, a compensation). Each verb takes the case by id, or the case the
# caller holds from `hold_case` in this transaction (then it is neither locked nor read again), checks
# the move with the state machine and writes the event, which the subscribers follow. They run in the
# caller's transaction, never one of their own (a verb called outside one is refused), so a refusal
# leaves the caller's transaction as the old direct calls did: its own `atomic` decides.


def hold_case(shop: Shop, case_id: int) -> Case:
    """Lock the case for the rest of the caller's transaction and read it, for a caller that checks it
    before acting through a verb (what is still refundable, whether a parcel is awaited): what it read
    stays true until it acts. Changes nothing. Refuses a case of another shop (`case.not_found`)."""
    return kernel.lock_case(shop, case_id)


def record_reply(shop: Shop, case: Case | int, by: By, *, body: str, template_id: int | None = None,
                 now: datetime | None = None) -> Case:
    """A reply was sent to the buyer (the text as finally sent)."""
    case = kernel.locked(shop, case)
    kernel.record_event(case, by, "reply", from_status=case.status, note=body,
                 payload={"template": template_id} if template_id else {}, now=now)
    return case


def record_compensation(shop: Shop | int, case: Case | int, by: By, *, compensation_id: int, rung: str,
                        cost_fen: int, note: str = "", reason: str = "", why: list[str] | None = None,
                        approval_id: int | None = None, approved_by: str = "",
                        now: datetime | None = None) -> CaseEvent:
    """A goodwill compensation was given to the buyer (care's row `compensation_id`); with the reason
    the ladder or the limits asked for (`why`), and the owner's approval it waited for, if any."""
    case = kernel.locked(shop, case)
    payload = {"compensation": compensation_id, "rung": rung, "cost_fen": cost_fen}
    if reason:
        payload.update(reason=reason, why=list(why or []))
    if approval_id is not None:
        payload.update(approval=approval_id, approved_by=approved_by)
    return kernel.record_event(case, by, "compensation", from_status=case.status, note=note, payload=payload,
                               now=now)


def record_compensation_requested(shop: Shop | int, case: Case | int, by: By, *, approval_id: int, rung: str,
                                  cost_fen: int, why: list[str], reason: str, note: str = "",
                                  now: datetime | None = None) -> CaseEvent:
    """A compensation beyond the agent's limits waits for an owner (care's approval `approval_id`)."""
    case = kernel.locked(shop, case)
    return kernel.record_event(case, by, "compensation_requested", from_status=case.status, note=reason, now=now,
                               payload={"approval": approval_id, "rung": rung, "cost_fen": cost_fen, "why": why,
                                        "reason": reason, "note": note})


def record_compensation_declined(shop: Shop | int, case: Case | int, by: By, *, approval_id: int, rung: str,
                                 cost_fen: int, requested_by: int | None, note: str = "",
                                 now: datetime | None = None) -> CaseEvent:
    """An owner declined a pending compensation: nothing was given; the agent who asked is told."""
    case = kernel.locked(shop, case)
    return kernel.record_event(case, by, "compensation_declined", from_status=case.status, note=note, now=now,
                               payload={"approval": approval_id, "rung": rung, "cost_fen": cost_fen,
                                        "requested_by": requested_by})


def record_rating(shop: Shop, case: Case | int, by: By, *, score: int, comment: str = "",
                  now: datetime | None = None) -> CaseEvent:
    """The buyer rated the service."""
    case = kernel.locked(shop, case)
    return kernel.record_event(case, by, "rating", from_status=case.status, note=comment, payload={"score": score},
                        now=now)


def refund_granted(shop: Shop, case: Case | int, by: By, *, decision_id: int, amount_fen: int,
                   refundable_fen: int, reason_code: str, note: str = "", now: datetime | None = None) -> Case:
    """A refund of `amount_fen` was decided (refunds' decision `decision_id`) while `refundable_fen` was
    still refundable by the refund rule: the case's cap follows the rule as the order stands now."""
    case = kernel.locked(shop, case)
    case.refund_cap_fen = case.refund_granted_fen + refundable_fen
    case.refund_granted_fen += amount_fen
    case.money_status = MoneyStatus.PENDING.value
    case.version += 1
    case.save(update_fields=["refund_cap_fen", "refund_granted_fen", "money_status", "version", "updated_at"])
    kernel.record_event(case, by, "grant_refund", from_status=case.status, reason_code=reason_code, note=note,
                 payload={"decision": decision_id, "amount_fen": amount_fen}, now=now)
    return case


def refund_executing(shop: Shop, case: Case | int, by: By, *, idempotency_key: str,
                     payments: list[list], now: datetime | None = None) -> Case:
    """The money granted is on its way: `payments` ([route, fen] each) were sent under the key."""
    case = kernel.locked(shop, case)
    case.money_status = MoneyStatus.REFUNDING.value
    case.version += 1
    case.save(update_fields=["money_status", "version", "updated_at"])
    kernel.record_event(case, by, "execute_refund", from_status=case.status,
                 payload={"idempotency_key": idempotency_key, "payments": payments}, now=now)
    return case


def refund_payment_result(shop: Shop, case: Case | int, by: By, *, payment_id: int, amount_fen: int,
                          status: str, now: datetime | None = None) -> Case:
    """The gateway answered for one payment of the case. Paid back in full: the refund is settled and
    a case in `refunding` is completed. Failed: the case says so. Still open: only the version moves."""
    case = kernel.locked(shop, case)
    now = now or clock.now()
    if status == PaymentStatus.SUCCEEDED:
        case.refunded_fen += amount_fen
    if status == PaymentStatus.SUCCEEDED and case.refunded_fen >= case.refund_granted_fen:
        case.money_status = MoneyStatus.REFUNDED.value
        kernel.record_event(case, by, "refund_settled", from_status=case.status,
                     payload={"refunded_fen": case.refunded_fen}, now=now)
        if case.status == Status.REFUNDING.value:
            kernel.move(case, Action.REFUND_SUCCEEDED, by, now=now)
            return case
    elif status == PaymentStatus.FAILED:
        case.money_status = MoneyStatus.FAILED.value
        kernel.record_event(case, by, "refund_failed", from_status=case.status, payload={"payment": payment_id}, now=now)
    case.version += 1
    case.save()
    return case


def platform_refund_paid(shop: Shop, case: Case | int, by: By, *, paid_fen: int, route: str,
                         reference: str = "", now: datetime | None = None) -> Case:
    """The platform reports `paid_fen` more paid back on the case (booked by refunds as a settled
    payment over `route`)."""
    case = kernel.locked(shop, case)
    case.refunded_fen += paid_fen
    case.money_status = (MoneyStatus.REFUNDED.value if case.refunded_fen >= case.refund_granted_fen
                         else MoneyStatus.PARTIALLY_REFUNDED.value)
    case.version += 1
    case.save(update_fields=["refunded_fen", "money_status", "version", "updated_at"])
    kernel.record_event(case, by, "refund_settled", from_status=case.status, note=reference,
                 payload={"refunded_fen": case.refunded_fen, "payments": [[route, paid_fen]]}, now=now)
    return case


def return_freight_granted(shop: Shop | int, case: Case | int, by: By, *, decision_id: int, amount_fen: int,
                           idempotency_key: str, receipt_id: int | None, note: str = "",
                           now: datetime | None = None) -> Case:
    """The shop reimburses the buyer's return freight (refunds' decision `decision_id`, `receipt_id`: the
    carrier's receipt among the case's photos, if any)."""
    case = kernel.locked(shop, case)
    case.return_freight_granted_fen = amount_fen
    case.version += 1
    case.save(update_fields=["return_freight_granted_fen", "version", "updated_at"])
    kernel.record_event(case, by, "reimburse_return_freight", from_status=case.status, note=note.strip(), now=now,
                        payload={"decision": decision_id, "amount_fen": amount_fen, "idempotency_key": idempotency_key,
                                 "receipt": receipt_id, "claimed_fen": case.return_freight_claimed_fen})
    return case


def return_freight_payment_result(shop: Shop | int, case: Case | int, by: By, *, payment_id: int, amount_fen: int,
                                  route: str, status: str, now: datetime | None = None) -> Case:
    """The gateway answered for the return freight's payment: paid, failed, or still open (then only the
    version moves)."""
    case = kernel.locked(shop, case)
    if status == PaymentStatus.SUCCEEDED:
        case.return_freight_paid_fen += amount_fen
        kernel.record_event(case, by, "return_freight_paid", from_status=case.status, now=now,
                            payload={"amount_fen": amount_fen, "route": route})
    elif status == PaymentStatus.FAILED:
        kernel.record_event(case, by, "refund_failed", from_status=case.status, now=now,
                            payload={"payment": payment_id, "kind": "return_freight"})
    case.version += 1
    case.save(update_fields=["return_freight_paid_fen", "version", "updated_at"])
    return case


def refund_before_receipt(shop: Shop | int, case: Case | int, by: By, *, rule_id: int, rule_name: str,
                          now: datetime | None = None) -> Case:
    """极速退款: the shop's rule `rule_id` refunds a return it agreed to before the parcel arrives (the
    refunds app books the grant in the same transaction, by the refund rule). Only once the buyer sent
    it with a tracking number, once per case, and never on a platform's case (the platform pays its own
    fast refunds). The case keeps its status and its deadline: it still waits for the parcel, which is
    received and inspected as usual (`record_inspection` then neither refunds again nor leaves a failed
    return unnoticed)."""
    case = kernel.locked(shop, case)
    kernel.check_move(case, Action.FAST_REFUND, by)
    if case.platform_case_id or case.awaiting_platform:
        raise ConflictError("case.fast_refund_platform_case")
    if not case.return_tracking_no:
        raise ConflictError("case.fast_refund_needs_tracking")
    if case.refunded_before_receipt_at is not None or case.refund_granted_fen:
        raise ConflictError("refund.already_granted")
    now = now or clock.now()
    case.refunded_before_receipt_at = now
    case.version += 1
    case.save(update_fields=["refunded_before_receipt_at", "version", "updated_at"])
    # Not `kernel.move`: the status stays, and so does the deadline of the step (receiving the parcel).
    kernel.record_event(case, by, Action.FAST_REFUND.value, from_status=case.status, now=now,
                        payload={"rule": rule_id, "rule_name": rule_name})
    return case


def receive_return(shop: Shop, case: Case | int, by: By, *, parcel_id: int, tracking_no: str,
                   now: datetime | None = None) -> Case:
    """The returned parcel (the desk's `parcel_id`) arrived: every unit of the case is received."""
    case = kernel.locked(shop, case)
    kernel.check_move(case, Action.RECEIVE_RETURN, by)
    case.return_logistics = ReturnLogistics.SIGNED.value
    for line in case.lines.all():
        line.received_quantity = line.quantity
        line.save(update_fields=["received_quantity"])
    kernel.move(case, Action.RECEIVE_RETURN, by, payload={"parcel": parcel_id, "tracking_no": tracking_no}, now=now)
    return case


def record_inspection(shop: Shop | int, case: Case | int, by: By, *, inspection_id: int, passed: bool,
                      verdict: str, accepted_quantity: int, grade: str, checklist: dict, restock: bool,
                      failure_reason: str = "", note: str = "", now: datetime | None = None) -> Case:
    """The returned goods were inspected (the desk's `inspection_id`, its `verdict`): the accepted units
    are spread over the case's lines in order; a pass moves the case on (a return to refund is then ready
    to refund), a failure (with its `failure_reason`) rejects it after return."""
    case = kernel.locked(shop, case)
    kernel.check_move(case, Action.PASS_INSPECTION if passed else Action.FAIL_INSPECTION, by)
    remaining = accepted_quantity
    for line in case.lines.all():
        line.accepted_quantity = min(line.received_quantity, remaining)
        remaining -= line.accepted_quantity
        line.save(update_fields=["accepted_quantity"])
    case.inspection_result = "pass" if passed else "fail"
    payload = {"inspection": inspection_id, "verdict": verdict, "grade": grade, "checklist": checklist,
               "restock": restock}
    if passed:
        kernel.move(case, Action.PASS_INSPECTION, by, payload=payload, now=now)
    else:
        payload["failure_reason"] = failure_reason
        kernel.move(case, Action.FAIL_INSPECTION, by, reason_code="inspection_failed", note=note, payload=payload,
                    now=now)
    if case.refunded_before_receipt_at is not None:
        _after_refund_before_receipt(case, by, passed=passed, failure_reason=failure_reason,
                                     inspection_id=inspection_id, now=now)
    elif passed and case.kind == Kind.RETURN_REFUND.value:
        kernel.record_event(case, by, "ready_to_refund", from_status=case.status, now=now)
    return case


def _after_refund_before_receipt(case: Case, by: By, *, passed: bool, failure_reason: str, inspection_id: int,
                                 now: datetime | None) -> None:
    """The inspection of a return refunded before it arrived (极速退款). Passed: nothing is refunded
    again; the case completes once the money has arrived (or when it does, `refund_payment_result`).
    Failed: the money is gone already, so the case is marked for the owner's follow-up (the buyer, the
    platform or the carrier to claim it back from) and the owners are told."""
    if passed:
        complete_if_refunded_before_receipt(case, now=now)
        return
    kernel.record_event(case, by, "fast_refund_inspection_failed", from_status=case.status, now=now,
                        payload={"inspection": inspection_id, "amount_fen": case.refund_granted_fen,
                                 "refunded_fen": case.refunded_fen, "failure_reason": failure_reason})


def complete_if_refunded_before_receipt(case: Case, *, now: datetime | None = None) -> None:
    """A return refunded before it arrived has passed (by the desk, or the platform's timer): once all
    the money granted has arrived, the refund step is already done and the case completes, without a
    second refund or a second message to the buyer. On a locked case, in the caller's transaction."""
    settled = case.refund_granted_fen > 0 and case.refunded_fen >= case.refund_granted_fen
    if case.refunded_before_receipt_at is not None and case.status == Status.REFUNDING.value and settled:
        kernel.move(case, Action.REFUND_SUCCEEDED, SYSTEM, payload={"refunded_before_receipt": True}, now=now)


def order_line_replaced(shop: Shop, case: Case | int, by: By, *, old_line: dict, new_line: dict,
                        refundable_fen: int, now: datetime | None = None) -> Case:
    """The platform's item rows replaced the order line the case was on (`old_line` and `new_line`: the
    lines as the import describes them, `old_line["id"]`/`new_line["id"]` their keys); the case's cap is
    lowered to what the new line can refund."""
    case = kernel.locked(shop, case)
    changes: dict[str, list] = {"order_line": [old_line["id"], new_line["id"]]}
    if case.refund_cap_fen > refundable_fen:
        changes["refund_cap_fen"] = [case.refund_cap_fen, refundable_fen]
        case.refund_cap_fen = refundable_fen
    case.version += 1
    case.save(update_fields=["refund_cap_fen", "version", "updated_at"])
    now = now or clock.now()
    kernel.record_event(case, by, "order_line_replaced", from_status=case.status, reason_code="order_items_imported",
                 payload={"changes": changes,
                          "from": {k: v for k, v in old_line.items() if k != "id"},
                          "to": {k: v for k, v in new_line.items() if k != "id"}},
                 now=max(now, case.created_at))
    return case
