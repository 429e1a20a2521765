"""Orders enter through the API, an import, or the demo. One transaction per order."""

from __future__ import annotations

from functools import cache

from django.db import transaction
from django.utils.module_loading import import_string

from aftersales import natural_keys
from aftersales.accounts.models import Shop
from aftersales.catalog.models import Sku
from aftersales.core.errors import ConflictError, DomainError
from aftersales.orders.models import Buyer, Order, OrderLine, Payment


def find_or_create_buyer(
    shop: Shop,
    platform: str,
    *,
    nick: str = "",
    name: str = "",
    phone: str = "",
    province: str = "",
    city: str = "",
    email: str = "",
) -> Buyer:
    buyer = None
    if nick:
        buyer = Buyer.objects.filter(shop=shop, platform=platform, nick=nick).first()
    if buyer is None and phone and "*" not in phone:
        buyer = Buyer.objects.filter(shop=shop, platform=platform, phone=phone).first()
    if buyer is None:
        buyer = Buyer.objects.create(
            shop=shop, platform=platform, nick=nick, name=name, phone=phone, province=province, city=city,
            email=email,
        )
    elif email and not buyer.email:
        buyer.email = email
        buyer.save(update_fields=["email"])
    return buyer


def create_order(shop: Shop, data: dict) -> Order:
    """Create an order with its lines and payments (or answer the same order posted before)."""
    return create_order_once(shop, data)[0]


_LINE_FACTS = ("platform_line_id", "title", "sku_code", "spec", "quantity", "unit_price_fen", "paid_fen", "is_gift",
               "bundle_id", "shipped_at", "signed_at")
_LINE_DEFAULTS = {"sku_code": "", "spec": "", "is_gift": False, "bundle_id": "", "shipped_at": None, "signed_at": None}


def _same_order(order: Order, data: dict) -> bool:
    """Whether `data` describes `order` as it was created: its times, amounts, lines and payments."""
    mine = (order.paid_at, order.shipped_at, order.signed_at, order.freight_fen, order.free_shipping,
            order.channel, order.content_id, order.content_author, order.free_shipping_threshold_fen,
            order.waived_freight_fen, order.freight_insurance)
    theirs = (data["paid_at"], data.get("shipped_at"), data.get("signed_at"), data.get("freight_fen", 0),
              data.get("free_shipping", True), data.get("channel") or "other", data.get("content_id", ""),
              data.get("content_author", ""), data.get("free_shipping_threshold_fen", 0),
              data.get("waived_freight_fen", 0), data.get("freight_insurance", False))
    if mine != theirs:
        return False
    lines = sorted(tuple(getattr(line, f) for f in _LINE_FACTS) for line in order.lines.all())
    wanted = sorted(tuple(x.get(f, _LINE_DEFAULTS.get(f)) for f in _LINE_FACTS) for x in data["lines"])
    payments = sorted((p.route, p.amount_fen) for p in order.payments.all())
    return lines == wanted and payments == sorted((p["route"], p["amount_fen"]) for p in data.get("payments") or [])


@transaction.atomic
def create_order_once(shop: Shop, data: dict) -> tuple[Order, bool]:
    """(the order, whether it is new). `data` is validated input (see OrderIn). The platform's order id
    is the natural key: the same order again is answered, a different one under its id is a conflict."""
    key = {"shop": shop, "platform": data["platform"], "platform_order_id": data["platform_order_id"]}
    return natural_keys.create_once(
        lambda: Order.objects.filter(**key).first(),
        lambda: _insert_order(shop, data),
        same=lambda order: _same_order(order, data),
        conflict=lambda: ConflictError("order.exists", platform_order_id=data["platform_order_id"]),
    )


def _insert_order(shop: Shop, data: dict) -> Order:
    lines = data["lines"]
    if len({line["platform_line_id"] for line in lines}) != len(lines):
        raise DomainError("order.duplicate_line_id")
    for line in lines:
        if line["paid_fen"] > line["unit_price_fen"] * line["quantity"]:
            raise DomainError("order.paid_above_price", line=line["platform_line_id"])
    for times in (data, *lines):  # the order's parcel, or each line's in an order shipped in parts
        for moment in ("shipped_at", "signed_at"):
            if times.get(moment) and times[moment] < data["paid_at"]:
                raise DomainError("order.time_order", field=moment)
        if times.get("signed_at") and not times.get("shipped_at"):
            raise DomainError("order.signed_without_shipment")
    # 拆单发货: once any line carries its own ship time, every line has its own (none: not shipped yet),
    # and the order's times are its first parcel's.
    in_parts = any(line.get("shipped_at") for line in lines)
    shipped_at, signed_at = data.get("shipped_at"), data.get("signed_at")
    if in_parts:
        shipped_at = shipped_at or min(x["shipped_at"] for x in lines if x.get("shipped_at"))
        signed = [x["signed_at"] for x in lines if x.get("signed_at")]
        signed_at = signed_at or (min(signed) if signed else None)
    goods = sum(line["paid_fen"] for line in lines)
    threshold, waived = data.get("free_shipping_threshold_fen", 0), data.get("waived_freight_fen", 0)
    if waived and not (threshold and goods >= threshold and data.get("free_shipping", True)):
        # A freight waived by 满X包邮 needs the X, reached by the goods, and the order shipped free.
        raise DomainError("order.waived_freight_without_threshold")
    payments = data.get("payments") or []
    if payments and sum(p["amount_fen"] for p in payments) != goods + data.get("freight_fen", 0):
        raise DomainError("order.payments_do_not_add_up")
    b = data["buyer"]
    buyer = find_or_create_buyer(shop, data["platform"], **b)
    order = Order.objects.create(
        shop=shop,
        platform=data["platform"],
        platform_order_id=data["platform_order_id"],
        buyer=buyer,
        channel=data.get("channel") or "other",
        content_id=data.get("content_id", ""),
        content_author=data.get("content_author", ""),
        province=b.get("province", ""),
        city=b.get("city", ""),
        paid_at=data["paid_at"],
        shipped_at=shipped_at,
        signed_at=signed_at,
        ships_in_parts=in_parts,
        goods_fen=goods,
        freight_fen=data.get("freight_fen", 0),
        free_shipping=data.get("free_shipping", True),
        free_shipping_threshold_fen=threshold,
        waived_freight_fen=waived,
        freight_insurance=data.get("freight_insurance", False),
    )
    codes = [x.get("sku_code", "") for x in lines]
    skus = {
        s.code: s
        for s in Sku.objects.filter(shop=shop, code__in=[c for c in codes if c]).select_related("product")
    }
    order_lines = []
    for x, code in zip(lines, codes, strict=True):
        sku = skus.get(code)
        order_lines.append(
            OrderLine(
                order=order,
                shop=shop,
                platform_line_id=x["platform_line_id"],
                title=x["title"],
                sku_code=code,
                spec=x.get("spec", ""),
                quantity=x["quantity"],
                unit_price_fen=x["unit_price_fen"],
                paid_fen=x["paid_fen"],
                is_gift=x.get("is_gift", False),
                bundle_id=x.get("bundle_id", ""),
                shipped_at=x.get("shipped_at") if in_parts else None,
                signed_at=x.get("signed_at") if in_parts else None,
                sku=sku,
                product=sku.product if sku else None,
            )
        )
    OrderLine.objects.bulk_create(order_lines)
    Payment.objects.bulk_create(
        [Payment(order=order, route=p["route"], amount_fen=p["amount_fen"]) for p in payments]
    )
    for subscriber in _order_subscribers():
        subscriber(order)
    return order


#: What follows a new order, in order, in its transaction (as cases/subscribers.py does for case events).
#: Dotted paths, resolved on first use, so that orders does not import the apps that read it.
ORDER_SUBSCRIBERS: tuple[tuple[str, str], ...] = (
    ("aftersales.analytics.rollups.order_changed", "the analytics rollups count the order when it commits"),
)


@cache
def _order_subscribers():
    return tuple(import_string(path) for path, _why in ORDER_SUBSCRIBERS)
