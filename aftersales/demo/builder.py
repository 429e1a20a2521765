"""Build the demo shop through the same services the product uses, so every case has its events.

Deterministic (a seeded random), idempotent: running it again on a database that has the shop only
makes sure the staff logins exist.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from PIL import Image

from aftersales.accounts.models import Membership, PlatformAccount, Shop
from aftersales.cases import services as cases
from aftersales.cases.domain.inspection import failure_reasons_for
from aftersales.cases.domain.states import Actor
from aftersales.catalog import return_addresses
from aftersales.catalog.models import Category, Product, ReturnRule, Sku
from aftersales.core import clock
from aftersales.demo import data
from aftersales.orders.services import create_order
from aftersales.refunds import services as refunds
from aftersales.warehouse import services as warehouse
from aftersales.warehouse.inspection import inspect_with_photos

DEMO_SLUG = "demo"
LOGINS = [
    ("owner", "店长 王芳", "owner"),
    ("agent", "客服 小李", "agent"),
    ("warehouse", "仓管 老陈", "warehouse"),
    ("trainee", "新人 小周", "trainee"),  # may only train: 培训中心 at /training/
]
DEMO_PASSWORD = "aftersales-demo"

MERCHANT = cases.By(Actor.MERCHANT)
BUYER = cases.By(Actor.BUYER)
WAREHOUSE = cases.By(Actor.WAREHOUSE)
PLATFORM = cases.By(Actor.PLATFORM)

# How far down its road each demo case goes. Open stages are the most common, as in a real inbox.
JOURNEYS = [
    ("requested", 22),
    ("awaiting_return", 8),
    ("return_in_transit", 8),
    ("return_received", 5),
    ("refunding", 5),
    ("completed", 25),
    ("rejected", 5),
    ("rejected_after_return", 3),
    ("arbitration", 3),
    ("closed", 8),
    ("fulfilling", 4),
    ("awaiting_buyer_receipt", 4),
]


@dataclass
class DemoResult:
    shop: Shop
    created: bool
    orders: int = 0
    cases: int = 0
    by_status: dict[str, int] = field(default_factory=dict)


def weighted(rng: random.Random, pairs):
    return rng.choices([p[0] for p in pairs], weights=[p[1] for p in pairs])[0]


def ensure_staff(shop: Shop) -> None:
    user_model = get_user_model()
    for username, full_name, role in LOGINS:
        user, created = user_model.objects.get_or_create(
            username=username, defaults={"first_name": full_name}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        Membership.objects.get_or_create(user=user, shop=shop, defaults={"role": role})


def build_catalog(shop: Shop) -> list[Sku]:
    cats = {}
    for name, law, checklist in data.CATEGORIES:
        cats[name] = Category.objects.create(
            shop=shop, name=name, law_category=law, inspection_checklist=checklist
        )
    skus = []
    for cat, title, variants in data.PRODUCTS:
        product = Product.objects.create(shop=shop, category=cats[cat], title=title)
        for code, spec, price in variants:
            skus.append(Sku.objects.create(shop=shop, product=product, code=code, spec=spec, price_fen=price,
                                           stock=data.STOCK.get(code, data.DEFAULT_STOCK)))
    # The shop is more generous than the law for apparel: 15 days and free return shipping (运费险).
    ReturnRule.objects.create(shop=shop, category=cats["女装"], no_reason_days=15, free_return_shipping=True)
    # Where returns go: the main warehouse for everything, digital accessories to the Guangzhou one.
    for name, contact, phone, province, city, district, street, postcode, scope, ids in data.RETURN_ADDRESSES:
        platform, category = scope
        return_addresses.save_return_address(
            shop, fields={"name": name, "contact": contact, "phone": phone, "province": province, "city": city,
                          "district": district, "detail": street, "postcode": postcode},
            platform_ids=ids, is_default=True, platform=platform,
            category_id=cats[category].pk if category else None)
    return skus


def make_order(shop: Shop, rng: random.Random, skus: list[Sku], n: int, paid_at: datetime, delivered: bool,
               fits: tuple[str, ...] | None = None):
    """An order of one or two SKUs; with `fits`, the first (the one a case is about) is goods of those
    law categories."""
    platform = weighted(rng, data.PLATFORMS)
    province, city = rng.choice(data.PROVINCES)
    phone = f"1{rng.choice('3578')}{rng.randrange(10**8, 10**9)}"
    picked = rng.sample(skus, k=rng.choice([1, 1, 1, 2]))
    if fits:
        first = rng.choice([sku for sku in skus if sku.product.category.law_category in fits])
        picked = [first] + [sku for sku in picked if sku != first][: len(picked) - 1]
    lines = []
    for i, sku in enumerate(picked):
        qty = rng.choice([1, 1, 1, 2])
        discount = rng.choice([0, 0, 500, 1000]) if sku.price_fen > 5000 else 0
        lines.append(
            {
                "platform_line_id": f"{n:08d}{i}",
                "title": sku.product.title,
                "sku_code": sku.code,
                "spec": sku.spec,
                "quantity": qty,
                "unit_price_fen": sku.price_fen,
                "paid_fen": sku.price_fen * qty - discount * qty,
            }
        )
    goods = sum(x["paid_fen"] for x in lines)
    freight = 0 if goods >= 9900 else 800
    channel = weighted(rng, data.CHANNELS)
    author = rng.choice(data.AUTHORS) if channel in ("live_stream", "short_video") else ("", "")
    shipped_at = paid_at + timedelta(hours=rng.randint(4, 40))
    order = create_order(
        shop,
        {
            "platform": platform,
            "platform_order_id": f"{platform[:2].upper()}{paid_at:%y%m%d}{n:07d}",
            "buyer": {
                "nick": f"{rng.choice(data.SURNAMES)}{rng.choice(data.GIVEN)}{rng.randint(10, 99)}",
                "name": rng.choice(data.SURNAMES) + rng.choice(data.GIVEN),
                "phone": phone,
                "province": province,
                "city": city,
            },
            "channel": channel,
            "content_id": author[0],
            "content_author": author[1],
            "paid_at": paid_at,
            "shipped_at": shipped_at if delivered else None,
            "signed_at": shipped_at + timedelta(days=rng.randint(1, 3)) if delivered else None,
            "freight_fen": freight,
            "free_shipping": freight == 0,
            "lines": lines,
            "payments": [
                {"route": rng.choice(["alipay", "wechat", "platform"]), "amount_fen": goods + freight}
            ],
        },
    )
    return order


def tracking(rng: random.Random) -> str:
    return f"{rng.choice(['SF', 'ZT', 'YT', 'JD', 'YD'])}{rng.randrange(10**11, 10**12)}"


# What the warehouse finds when a return fails inspection, by the kind of goods (办法 9).
#: A failed inspection per kind of goods: the box left unticked, the documented reason, the note.
FAILED_INSPECTIONS = {
    "apparel": ("tags_intact", "used", "吊牌已剪，有明显穿着痕迹"),
    "shoes": ("not_used", "used", "鞋底有明显磨损，已穿着外出"),
    "bags": ("accessories_complete", "parts_kept", "防尘袋和肩带缺失"),
    "cosmetics": ("seal_intact", "used", "封口已拆，精华液已使用约三分之一"),
    "food": ("seal_intact", "parts_kept", "包装已拆封，缺少 6 包"),
    "electronics": ("not_activated", "buyer_damage", "设备已激活绑定账号，外壳有摔裂痕迹"),
    "textiles": ("not_washed", "used", "已洗涤，有明显缩水"),
    "other": ("not_used", "used", "商品有明显使用痕迹"),
}


def _inspection_photo(seed: int) -> bytes:
    """A small photo to keep with a failed inspection (a failure always has one)."""
    shade = 120 + seed % 100
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (shade, shade - 20, shade - 40)).save(buffer, format="PNG")
    return buffer.getvalue()


def _law_category(case) -> str:
    line = case.lines.select_related("order_line__product__category").first()
    product = line.order_line.product if line else None
    return product.category.law_category if product else "other"


def drive(shop: Shop, case, target: str, rng: random.Random, t: datetime, now: datetime) -> None:
    """Walk a freshly opened case to `target` through the real services, hours apart per step,
    never past `now`: a demo whose parcels arrive tomorrow would fool nobody."""
    step = [t]
    ceiling = now - timedelta(minutes=5)

    def at() -> datetime:
        step[0] = max(step[0], min(step[0] + timedelta(hours=rng.uniform(0.5, 20)), ceiling))
        return step[0]

    kind = case.kind
    cid = case.pk
    if target == "requested":
        return
    if target == "closed":
        cases.withdraw_case(shop, cid, BUYER, note="问题已解决，不用退了", now=at())
        return
    if target in ("rejected", "arbitration"):
        if kind == "refund_only" and case.goods_status == "not_shipped":
            cases.withdraw_case(shop, cid, BUYER, now=at())
            return
        cases.reject_case(
            shop, cid, MERCHANT, reason_code="evidence_insufficient", note="请补充商品问题照片", as_owner=True,
            now=at(),
        )
        if target == "arbitration":
            cases.escalate_case(shop, cid, BUYER, note="商家拒绝，申请平台介入", now=at())
        return
    cases.approve_case(shop, cid, MERCHANT, now=at())
    if kind in ("refund_only", "partial_refund", "price_protection"):
        if target != "refunding":
            _refund(shop, cid, at())
        return
    if kind == "reship":
        if target in ("awaiting_buyer_receipt", "completed"):
            cases.ship_replacement(
                shop, cid, WAREHOUSE, carrier=rng.choice(data.CARRIERS), tracking_no=tracking(rng), now=at()
            )
        if target == "completed":
            cases.confirm_receipt(shop, cid, BUYER, now=at())
        return
    # return_refund, exchange, repair: the goods come back first
    if target == "awaiting_return":
        return
    cases.record_return_shipment(
        shop, cid, BUYER, carrier=rng.choice(data.CARRIERS), tracking_no=tracking(rng), now=at()
    )
    if target == "return_in_transit":
        return
    case.refresh_from_db()
    warehouse.receive_parcel(shop, WAREHOUSE, tracking_no=case.return_tracking_no, now=at())
    if target == "return_received":
        return
    if target == "rejected_after_return":
        failed_item, why, note = FAILED_INSPECTIONS.get(_law_category(case), FAILED_INSPECTIONS["other"])
        if why not in failure_reasons_for(case.reason):  # a defect claim never fails for use
            why, note = "buyer_damage", "外观有明显人为损坏痕迹，与描述的质量问题不符"
        inspect_with_photos(shop, cid, WAREHOUSE, photos=[_inspection_photo(cid)], grade="C",
                            checklist={failed_item: False}, failure_reason=why, note=note, now=at())
        return
    warehouse.inspect_return(
        shop,
        cid,
        WAREHOUSE,
        grade=rng.choice("AAB"),
        checklist=dict.fromkeys(warehouse.checklist_for(case), True),
        restock=True,
        now=at(),
    )
    if kind == "return_refund":
        if target != "refunding":
            _refund(shop, cid, at())
        return
    if target in ("awaiting_buyer_receipt", "completed"):
        cases.ship_replacement(
            shop, cid, WAREHOUSE, carrier=rng.choice(data.CARRIERS), tracking_no=tracking(rng), now=at()
        )
    if target == "completed":
        cases.confirm_receipt(shop, cid, BUYER, now=at())


def _refund(shop: Shop, case_id: int, now: datetime) -> None:
    refunds.grant_refund(shop, case_id, MERCHANT, now=now)
    refunds.execute_refund(shop, case_id, MERCHANT, idempotency_key=f"demo-{shop.pk}-{case_id}", now=now)


def _partial_ask(line, rng: random.Random) -> int:
    """What a buyer keeping the goods asks back: a fifth to two fifths of what the line cost, in whole yuan
    (a partial refund is some of the money, never all of it)."""
    share = line.paid_fen * rng.randint(20, 40) // 100
    return max(100, share // 100 * 100)


def _fits(kind: str, target: str) -> bool:
    returns = kind in ("return_refund", "exchange", "repair")
    ships_out = kind in ("exchange", "reship", "repair")
    if target in ("awaiting_return", "return_in_transit", "return_received", "rejected_after_return"):
        return returns
    if target in ("fulfilling", "awaiting_buyer_receipt"):
        return ships_out
    if target == "refunding":
        return kind in ("refund_only", "partial_refund", "return_refund")
    return True


FINISHED = ("completed", "closed")
GOODS_KINDS = ("return_refund", "exchange", "repair", "partial_refund", "reship")


def pick_target(rng: random.Random, kind: str) -> str:
    """How far this case goes: a journey its kind can take, drawn with the usual weights."""
    for _ in range(10):
        target = weighted(rng, JOURNEYS)
        if _fits(kind, target):
            return target
    return "requested"


def _opened_at(rng: random.Random, start: datetime, target: str, now: datetime) -> datetime:
    """When the buyer asked. A finished case any time after delivery; an open one recently, so that a
    newcomer's inbox looks like a team's that keeps up: requests awaiting review mostly within the
    platform's 24–48 hours (one in ten already late, as happens), later stages a day or three ago."""
    earliest = min(start + timedelta(hours=2), now - timedelta(hours=1))
    if target in FINISHED:
        return min(start + timedelta(hours=rng.uniform(2, 96)), now)
    if target == "requested":
        hours = rng.uniform(30, 60) if rng.random() < 0.1 else rng.uniform(1, 20)
    else:
        hours = rng.uniform(12, 72)
    return max(earliest, now - timedelta(hours=hours))


def _exchange_sku(line, reason: str, skus: list[Sku]) -> int | None:
    """What an exchange asks for: the next size of the product for a size complaint, else the very SKU
    ordered (the right colour instead of the wrong one sent); none when it is out of stock."""
    same = [sku for sku in skus if sku.product_id == line.product_id]
    ordered = next((sku for sku in same if sku.code == line.sku_code), None)
    wanted = ordered
    if reason == "size_fit" and ordered is not None:
        bigger = same[same.index(ordered) + 1:]  # the variants are listed smallest first
        wanted = bigger[0] if bigger else None
    if wanted is None:
        return None
    wanted.refresh_from_db(fields=["stock"])
    return wanted.pk if (wanted.stock or 0) >= line.quantity else None


def portal_example(shop: Shop):
    """An order a newcomer can try the buyer portal with: signed for within the no-reason window, no
    request on it yet, the latest first. None when every such order already has a request."""
    since = clock.now() - timedelta(days=5)
    return (shop.orders.select_related("buyer")
            .filter(signed_at__gte=since, cases__isnull=True).exclude(buyer__phone_last4="")
            .order_by("-signed_at", "-pk").first())


def build_demo(orders: int = 400, seed: int = 20261122, now: datetime | None = None) -> DemoResult:
    shop = Shop.objects.filter(slug=DEMO_SLUG).first()
    if shop is not None:
        ensure_staff(shop)
        return DemoResult(shop=shop, created=False)
    rng = random.Random(seed)
    now = now or clock.now()
    with transaction.atomic():
        shop = Shop.objects.create(slug=DEMO_SLUG, name="小鹿优选旗舰店", compensation_budget_fen=500000)
        for platform, _ in data.PLATFORMS:
            PlatformAccount.objects.create(shop=shop, platform=platform, name=f"小鹿优选-{platform}")
        ensure_staff(shop)
        skus = build_catalog(shop)
    result = DemoResult(shop=shop, created=True)
    for n in range(orders):
        with_case = rng.random() < 0.3
        reason, kind, note, fits = rng.choice(data.REQUESTS)
        target = pick_target(rng, kind) if with_case else ""
        # A case still open is on a recent order (its deadlines are live in the inbox); a finished
        # one may be old. Orders without a case spread over four months.
        age_days = rng.uniform(4, 12) if target and target not in FINISHED else rng.uniform(0, 120)
        paid_at = now - timedelta(days=age_days)
        delivered = not (kind == "refund_only" and reason in ("no_reason", "late_delivery", "not_received"))
        if paid_at + timedelta(days=4) > now:
            delivered = False
        order = make_order(shop, rng, skus, n, paid_at, delivered, fits if with_case else None)
        result.orders += 1
        if not with_case or (kind in GOODS_KINDS and not order.signed_at):
            continue
        opened = _opened_at(rng, order.signed_at or order.paid_at, target, now)
        line = order.lines.first()
        if note in data.PICKED_NO_REASON_INSTEAD and n % 2 == 0:
            reason = "no_reason"  # the buyer describes a fault but picks 七天无理由, the quickest way back
        with transaction.atomic():
            case = cases.open_case(
                shop,
                order_id=order.pk,
                lines=[(line.pk, line.quantity)],
                kind=kind,
                reason=reason,
                by=BUYER,
                buyer_note=note,
                enforce_policy=False,
                exchange_sku_id=_exchange_sku(line, reason, skus) if kind == "exchange" else None,
                requested_fen=_partial_ask(line, rng) if kind == "partial_refund" else None,
                now=opened,
            )
            drive(shop, case, target, rng, opened, now)
        case.refresh_from_db()
        result.cases += 1
        result.by_status[case.status] = result.by_status.get(case.status, 0) + 1
    return result
