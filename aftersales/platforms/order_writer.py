"""Order lines of an export → Order, OrderLine, Buyer, Payment, Shipment, and links to the catalog.

Lines are grouped by order (主订单) and written in batches of `batch_orders` orders. For each batch
the rows already there are read with a few queries, the differences worked out in Python, and
written with bulk inserts and updates, in one transaction. So an order is never half written: its
batch commits whole or not at all. When a batch fails (the database refuses some row), it is tried
again one order per transaction, so that only the bad order is skipped and reported. (One commit
per order would be the plainer rule, but costs a commit and a dozen queries per order — too slow for
a million-line export; a batch keeps every order whole and reports failures per order all the same.
The price: progress shows batch by batch, and an interrupted import leaves whole batches behind,
which importing the file again completes.)

Re-importing is safe: orders are matched on (shop, platform, 主订单号) and lines on (order, 子订单号),
a row whose values did not change writes nothing, and an empty cell never erases a known value
(exports of one platform differ in which columns they carry). How a line's money is read from the
file: see order_plans. A 千牛 订单报表 row (one per order) and the 宝贝报表 rows of the same order (one
per item) are reconciled so that the goods count once: see order_summaries.

Catalog: a line is linked to the shop's Sku with the same 商家编码. An unknown code gets a Product
(named after the line's title, in the category 未分类 / law category "other") and a Sku; a line
without a code gets the Product of its title. Analytics can then count by product at once; the
merchant sorts products into real categories later.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace

from django.db import DatabaseError, transaction

from aftersales.accounts.models import Shop
from aftersales.analytics import rollups
from aftersales.catalog.models import Category, Product, Sku
from aftersales.core import clock
from aftersales.core.choices import PaymentRoute
from aftersales.core.errors import DomainError
from aftersales.orders.models import Buyer, Order, OrderLine, Payment, Shipment
from aftersales.platforms import order_summaries
from aftersales.platforms.bulk import insert
from aftersales.platforms.importing import OrderLineRecord
from aftersales.platforms.order_plans import LinePlan, OrderPlan, plan_order
from aftersales.platforms.report import ERROR, Report, persist_entry
from aftersales.platforms.writing import (
    CREATED,
    DELETED,
    SKIPPED,
    UNCHANGED,
    UPDATED,
    Columns,
    Tally,
    cut,
    yuan,
)

BATCH_ORDERS = 500
UNCATEGORISED = "未分类"
PLATFORM_ROUTE = PaymentRoute.PLATFORM.value


# ---- the writer ---------------------------------------------------------------------------------


class OrderWriter:
    """Takes records as they stream from the file; writes them order batch by order batch."""

    def __init__(self, shop: Shop, platform: str, report: Report, col: Columns, *,
                 batch_orders: int = BATCH_ORDERS, refresh_rollups: bool = True) -> None:
        self.shop, self.platform, self.report, self.col = shop, platform, report, col
        self.batch_orders = batch_orders
        self.refresh_rollups = refresh_rollups
        self.tally = Tally()
        self.touched_orders: list[int] = []
        self._pending: dict[str, dict[str, OrderLineRecord]] = {}
        self._category_id: int | None = None
        # The catalog entries already looked up or made ('sku:<code>', 'title:<title>', as _catalog
        # returns them): most batches name the same few thousand SKUs. Forgotten when a batch fails
        # (what it made was rolled back).
        self._known: dict[str, tuple[int | None, int]] = {}

    def add(self, record: OrderLineRecord) -> None:
        lines = self._pending.get(record.platform_order_id)
        if lines is None:
            if len(self._pending) >= self.batch_orders:
                self.flush(keep_last=True)
            lines = self._pending[record.platform_order_id] = {}
        lines[record.platform_line_id] = record

    def superseded(self, earlier_row: int, key: str) -> None:
        """The reader found a later row with the same line id: the earlier row is not imported.

        While the earlier row still waits in the batch it is dropped here and counted as skipped; if
        its batch is already written, the later row simply updates what it wrote.
        """
        for lines in self._pending.values():
            record = lines.get(key)
            if record is not None and record.row_number == earlier_row:
                del lines[key]
                self.tally.row(SKIPPED)
                return

    def flush(self, keep_last: bool = False) -> None:
        keys = list(self._pending)
        if keep_last and keys:
            keys = keys[:-1]  # its lines may continue on the next rows
        groups = [(k, list(self._pending.pop(k).values())) for k in keys]
        plans = []
        for order_id, records in groups:
            if not records:
                continue
            plan = plan_order(order_id, records, self.report, self.col)
            if plan is None:
                self.tally.row(SKIPPED, len(records))
            else:
                plans.append(plan)
        if plans:
            self._write_safely(plans)

    # -- writing, all-or-nothing per batch, else per order --

    def _write_safely(self, plans: list[OrderPlan]) -> None:
        try:
            with transaction.atomic():
                tally, touched, notes = self._write(plans)
        except (DatabaseError, DomainError, ValueError):
            self._forget()  # what the batch rolled back made is gone
            for plan in plans:
                self._write_one(plan)
            return
        self._done(tally, touched, notes)

    def _done(self, tally: Tally, touched: list[int], notes: list[dict]) -> None:
        """After the commit: count, and report what the batch refused."""
        self.tally.merge(tally)
        self.touched_orders.extend(touched)
        for entry in notes:
            self.report.add(entry)

    def _write_one(self, plan: OrderPlan) -> None:
        try:
            with transaction.atomic():
                tally, touched, notes = self._write([plan])
        except (DatabaseError, DomainError, ValueError) as exc:
            self._forget()
            detail = getattr(exc, "code", None) or str(exc).splitlines()[0][:200]
            for line in plan.lines:
                self.report.error(line.record.row_number, self.col("platform_order_id"), plan.order_id,
                                  "import.row_failed", detail=detail)
            self.tally.row(SKIPPED, len(plan.lines))
            return
        self._done(tally, touched, notes)

    def _write(self, plans: list[OrderPlan]) -> tuple[Tally, list[int], list[dict]]:
        tally, notes = Tally(), []
        existing = {
            o.platform_order_id: o
            for o in stored_rows(Order.objects.filter(shop=self.shop, platform=self.platform,
                                                      platform_order_id__in=[p.order_id for p in plans]),
                                 ("platform_order_id", "refund_granted_fen", *ORDER_FIELDS))
        }
        old_lines: dict[int, dict[str, Stored]] = defaultdict(dict)
        if existing:
            lines = OrderLine.objects.filter(order_id__in=[o.pk for o in existing.values()])
            for line in stored_rows(lines, ("order_id", "platform_line_id", *LINE_FIELDS)):
                old_lines[line.order_id][line.platform_line_id] = line
        uses = order_summaries.summary_uses(plans, existing, old_lines)
        plans = [p for p in plans if self._levels(p, existing.get(p.order_id), old_lines, uses, tally, notes)
                 and self._acceptable(p, existing.get(p.order_id), old_lines, tally, notes)]
        catalog = self._catalog(plans, tally)
        buyers = self._buyers([p for p in plans if p.order_id not in existing], tally)
        orders, changed_orders = self._orders(plans, existing, old_lines, buyers, tally)
        changed_lines = self._lines(plans, orders, old_lines, catalog, tally)
        changed_orders |= self._payments(plans, orders, existing, tally)
        changed_orders |= self._shipments(plans, orders, existing, tally)
        replaced, moved, moved_notes = order_summaries.replace(plans, orders, self.col)
        tally.wrote("lines", DELETED, replaced)
        tally.wrote("cases", UPDATED, moved)
        notes.extend(moved_notes)
        touched = []
        for plan in plans:
            order = orders[plan.order_id]
            if plan.order_id not in existing:
                tally.row(CREATED, len(plan.lines))
                touched.append(order.pk)
                continue
            order_changed = order.pk in changed_orders
            if order_changed or any(line.line_id in changed_lines[order.pk] for line in plan.lines):
                touched.append(order.pk)
            for line in plan.lines:
                outcome = changed_lines[order.pk].get(line.line_id)
                tally.row(outcome or (UPDATED if order_changed else UNCHANGED))
        if touched and self.refresh_rollups:
            rollups.refresh_orders(self.shop.pk, touched)
        return tally, touched, notes

    def _levels(self, plan: OrderPlan, order: Stored | None, old_lines, uses, tally: Tally, notes: list) -> bool:
        """A summary row against item lines, or item rows against a summary line (order_summaries)."""
        if order is None:
            return True
        refused = order_summaries.settle(plan, old_lines[order.pk], uses, order.freight_fen)
        if refused is None:
            return True
        code, params = refused
        notes.extend(persist_entry(ERROR, row, self.col("platform_order_id"), plan.order_id, code, **params)
                     for row in plan.rows)
        tally.row(SKIPPED, len(plan.lines))
        return False

    def _acceptable(self, plan: OrderPlan, order: Stored | None, old_lines, tally: Tally, notes: list) -> bool:
        """A new order needs a time; an update may not bring an order below the refunds granted on it."""
        if order is None and plan.paid_at is None:
            notes.extend(persist_entry(ERROR, row, self.col("paid_at"), plan.order_id, "import.paid_at_missing")
                         for row in plan.rows)
        elif order is not None and order.refund_granted_fen:
            goods = _goods_total(plan, old_lines[order.pk])
            freight = plan.freight_fen if plan.freight_fen is not None else order.freight_fen
            if goods + freight >= order.refund_granted_fen:
                return True
            notes.extend(persist_entry(ERROR, row, self.col("paid_fen"), plan.order_id, "import.below_refunded",
                                       paid=yuan(goods + freight), refunded=yuan(order.refund_granted_fen))
                         for row in plan.rows)
        else:
            return True
        tally.row(SKIPPED, len(plan.lines))
        return False

    # -- catalog --

    def _forget(self) -> None:
        self._category_id = None
        self._known = {}

    def _category(self) -> int:
        if self._category_id is None:
            category, _ = Category.objects.get_or_create(
                shop=self.shop, name=UNCATEGORISED, defaults={"law_category": "other"}
            )
            self._category_id = category.pk
        return self._category_id

    def _catalog(self, plans: list[OrderPlan], tally: Tally) -> dict[str, tuple[int | None, int]]:
        """'sku:<code>' → (sku id, product id) and 'title:<title>' → (None, product id) for every line."""
        lines = [line for plan in plans if plan.write_lines for line in plan.lines]
        found = self._known
        codes = {line.sku_code for line in lines if line.sku_code and f"sku:{line.sku_code}" not in found}
        if codes:
            for pk, code, product in Sku.objects.filter(shop=self.shop, code__in=codes).values_list(
                    "pk", "code", "product_id"):
                found[f"sku:{code}"] = (pk, product)
        wanted = [line for line in lines if not line.sku_code or f"sku:{line.sku_code}" not in found]
        if not wanted:
            return found
        titles = {line.title for line in wanted if f"title:{line.title}" not in found}
        if titles:
            for pk, title in (Product.objects.filter(shop=self.shop, title__in=titles).order_by("-pk")
                              .values_list("pk", "title")):
                found[f"title:{title}"] = (None, pk)  # the oldest product of that title wins (ordered last)
        new_products = {}
        for line in wanted:
            if f"title:{line.title}" not in found and line.title not in new_products:
                new_products[line.title] = Product(shop=self.shop, category_id=self._category(), title=line.title,
                                                   platform_product_id=cut(line.record.platform_product_id, 64))
        if new_products:
            Product.objects.bulk_create(new_products.values())
            tally.wrote("products", CREATED, len(new_products))
            for title, product in new_products.items():
                found[f"title:{title}"] = (None, product.pk)
        self._new_skus(wanted, found, tally)
        return found

    def _new_skus(self, wanted: list[LinePlan], found: dict, tally: Tally) -> None:
        new_skus = {}
        for line in wanted:
            if line.sku_code and line.sku_code not in new_skus:
                product = found[f"title:{line.title}"][1]
                new_skus[line.sku_code] = Sku(shop=self.shop, product_id=product, code=line.sku_code,
                                              spec=line.spec, price_fen=line.unit_price_fen)
        if not new_skus:
            return
        # ignore_conflicts: another import of the same shop may have created the code meanwhile.
        Sku.objects.bulk_create(new_skus.values(), ignore_conflicts=True)
        tally.wrote("skus", CREATED, len(new_skus))
        for pk, code, product in Sku.objects.filter(shop=self.shop, code__in=list(new_skus)).values_list(
                "pk", "code", "product_id"):
            found[f"sku:{code}"] = (pk, product)

    # -- buyers (find by nick, then by an unmasked phone; else a new buyer) --

    def _buyers(self, plans: list[OrderPlan], tally: Tally) -> dict[str, int]:
        """order id → buyer id, for orders that are new."""
        nicks = {p.buyer["nick"] for p in plans if p.buyer["nick"]}
        phones = {p.buyer["phone"] for p in plans if _matchable_phone(p.buyer["phone"])}
        by_nick, by_phone = {}, {}
        base = Buyer.objects.filter(shop=self.shop, platform=self.platform)
        # The oldest buyer of a nick or phone wins. Chosen here rather than by ORDER BY: sorted by id,
        # SQLite would read the shop's buyers in id order instead of the (shop, platform, nick) index.
        if nicks:
            for pk, nick in base.filter(nick__in=nicks).values_list("pk", "nick"):
                if pk < by_nick.get(nick, pk + 1):
                    by_nick[nick] = pk
        if phones:
            for pk, phone in base.filter(phone__in=phones).values_list("pk", "phone"):
                if pk < by_phone.get(phone, pk + 1):
                    by_phone[phone] = pk
        result: dict[str, int] = {}
        new: dict[str, tuple] = {}
        waiting: list[tuple[str, str]] = []
        for plan in plans:
            b = plan.buyer
            pk = by_nick.get(b["nick"]) if b["nick"] else None
            if pk is None and _matchable_phone(b["phone"]):
                pk = by_phone.get(b["phone"])
            if pk is not None:
                result[plan.order_id] = pk
                continue
            if b["nick"]:
                key = f"n:{b['nick']}"
            else:
                key = f"p:{b['phone']}" if _matchable_phone(b["phone"]) else f"o:{plan.order_id}"
            if key not in new:
                new[key] = (self.shop.pk, self.platform, b["nick"], b["name"], b["phone"], _last4(b["phone"]),
                            b["province"], b["city"], "")
            waiting.append((plan.order_id, key))
        ids = dict(zip(new, insert(Buyer, BUYER_COLUMNS, list(new.values()), returning=True), strict=True))
        tally.wrote("buyers", CREATED, len(ids))
        for order_id, key in waiting:
            result[order_id] = ids[key]
        return result

    # -- orders and lines --

    def _orders(self, plans, existing, old_lines, buyers, tally) -> tuple[dict[str, Stored | Saved], set[int]]:
        orders: dict[str, Stored | Saved] = {}
        new_plans, new_rows, changed = [], [], []
        now = clock.now()
        for plan in plans:
            order = existing.get(plan.order_id)
            goods = _goods_total(plan, old_lines[order.pk] if order is not None else {})
            values = _order_values(plan, goods)
            if order is None:
                freight = plan.freight_fen or 0
                new_plans.append(plan)
                f = plan.fields
                new_rows.append((
                    self.shop.pk, self.platform, plan.order_id, buyers[plan.order_id], f["status_raw"],
                    f["channel"] or "other", f["content_id"], f["content_author"], f["province"], f["city"],
                    plan.paid_at, plan.shipped_at, plan.signed_at, goods, freight, freight == 0, 0, now, now,
                    f["free_shipping_threshold_fen"] or 0, f["waived_freight_fen"] or 0,
                ))
                orders[plan.order_id] = Saved(0, goods, freight, plan.paid_at)
            else:
                for name in plan.stand_ins:
                    if getattr(order, name) is not None:
                        del values[name]  # the file does not give it: the stored time stays
                if _apply(order, values):
                    order.free_shipping = order.freight_fen == 0
                    order.updated_at = now
                    changed.append(order)
                orders[plan.order_id] = order
        for plan, pk in zip(new_plans, insert(Order, ORDER_COLUMNS, new_rows, returning=True), strict=True):
            orders[plan.order_id].pk = pk
        tally.wrote("orders", CREATED, len(new_rows))
        if changed:
            fields = [*ORDER_FIELDS, "free_shipping", "updated_at"]
            Order.objects.bulk_update([as_model(Order, row, fields) for row in changed], fields)
            tally.wrote("orders", UPDATED, len(changed))
        return orders, {o.pk for o in changed}

    def _lines(self, plans, orders, old_lines, catalog, tally) -> dict[int, dict[str, str]]:
        """Writes the lines; returns order pk → {line id: CREATED | UPDATED} for lines that changed."""
        changes: dict[int, dict[str, str]] = defaultdict(dict)
        new, changed = [], []
        for plan in plans:
            if not plan.write_lines:
                continue
            order = orders[plan.order_id]
            stored = old_lines.get(order.pk, {})
            for line in plan.lines:
                sku_id, product_id = catalog.get(f"sku:{line.sku_code}") or catalog[f"title:{line.title}"]
                old = stored.get(line.line_id)
                if old is None:
                    new.append((order.pk, self.shop.pk, line.line_id, sku_id, product_id, line.title, line.sku_code,
                                line.spec, line.quantity, line.unit_price_fen, line.paid_fen, False, ""))
                    changes[order.pk][line.line_id] = CREATED
                    continue
                values = {"title": line.title, "sku_code": line.sku_code, "spec": line.spec,
                          "quantity": line.quantity, "unit_price_fen": line.unit_price_fen,
                          "paid_fen": line.paid_fen}
                if old.sku_id is None or old.sku_code != line.sku_code:
                    values["sku_id"] = sku_id
                if old.product_id is None or old.sku_code != line.sku_code:
                    values["product_id"] = product_id
                if _apply(old, values, keep_empty=False):
                    changed.append(old)
                    changes[order.pk][line.line_id] = UPDATED
        insert(OrderLine, LINE_COLUMNS, new)
        tally.wrote("lines", CREATED, len(new))
        if changed:
            OrderLine.objects.bulk_update([as_model(OrderLine, row, LINE_FIELDS) for row in changed], LINE_FIELDS)
            tally.wrote("lines", UPDATED, len(changed))
        return changes

    # -- payments and shipments --

    def _payments(self, plans, orders, existing, tally) -> set[int]:
        """One 'platform' payment of what was paid; an order paid by other routes is left alone."""
        known = {o.pk for o in existing.values()}
        stored: dict[int, list[Stored]] = defaultdict(list)
        if known:
            for payment in stored_rows(Payment.objects.filter(order_id__in=known), ("order_id", "route", "amount_fen")):
                stored[payment.order_id].append(payment)
        new, changed, gone, touched = [], [], [], set()
        for plan in plans:
            order = orders[plan.order_id]
            payments = stored.get(order.pk, [])
            if any(p.route != PLATFORM_ROUTE for p in payments):
                continue
            amount = order.goods_fen + order.freight_fen
            current = payments[0] if payments else None
            if current is None and amount > 0:
                new.append((order.pk, PLATFORM_ROUTE, amount))
            elif current is not None and amount <= 0:
                gone.append(current.pk)
            elif current is not None and current.amount_fen != amount:
                current.amount_fen = amount
                changed.append(current)
            else:
                continue
            touched.add(order.pk)
        insert(Payment, ("order", "route", "amount_fen"), new)
        tally.wrote("payments", CREATED, len(new))
        if changed:
            Payment.objects.bulk_update([as_model(Payment, row, ["amount_fen"]) for row in changed], ["amount_fen"])
            tally.wrote("payments", UPDATED, len(changed))
        if gone:
            Payment.objects.filter(pk__in=gone).delete()
        return touched & known

    def _shipments(self, plans, orders, existing, tally) -> set[int]:
        known = {o.pk for o in existing.values()}
        fields = ["carrier", "shipped_at", "signed_at"]
        stored = {(s.order_id, s.tracking_no): s for s in stored_rows(
            Shipment.objects.filter(order_id__in=known), ("order_id", "tracking_no", *fields))} if known else {}
        new, changed, touched = [], [], set()
        for plan in plans:
            order = orders[plan.order_id]
            for tracking, (carrier, shipped_at) in plan.shipments.items():
                shipped_at = shipped_at or order.paid_at
                old = stored.get((order.pk, tracking))
                if old is None:
                    new.append((order.pk, carrier, tracking, shipped_at, plan.signed_at))
                    touched.add(order.pk)
                elif _apply(old, {"carrier": carrier, "shipped_at": shipped_at, "signed_at": plan.signed_at}):
                    changed.append(old)
                    touched.add(order.pk)
        insert(Shipment, ("order", "carrier", "tracking_no", "shipped_at", "signed_at"), new)
        tally.wrote("shipments", CREATED, len(new))
        if changed:
            Shipment.objects.bulk_update([as_model(Shipment, row, fields) for row in changed], fields)
            tally.wrote("shipments", UPDATED, len(changed))
        return touched & known


@dataclass(slots=True)
class Saved:
    """A just-inserted order: what the payment and shipment steps need of it, without a model instance."""

    pk: int
    goods_fen: int
    freight_fen: int
    paid_at: datetime | None


# The exports carry no e-mail: a buyer gives one with a request (portal).
BUYER_COLUMNS = ("shop", "platform", "nick", "name", "phone", "phone_last4", "province", "city", "email")
ORDER_COLUMNS = ("shop", "platform", "platform_order_id", "buyer", "status_raw", "channel", "content_id",
                 "content_author", "province", "city", "paid_at", "shipped_at", "signed_at", "goods_fen",
                 "freight_fen", "free_shipping", "refund_granted_fen", "created_at", "updated_at",
                 "free_shipping_threshold_fen", "waived_freight_fen")
LINE_COLUMNS = ("order", "shop", "platform_line_id", "sku", "product", "title", "sku_code", "spec", "quantity",
                "unit_price_fen", "paid_fen", "is_gift", "bundle_id")
ORDER_FIELDS = ["status_raw", "channel", "content_id", "content_author", "province", "city", "paid_at",
                "shipped_at", "signed_at", "goods_fen", "freight_fen", "free_shipping_threshold_fen", "waived_freight_fen"]
LINE_FIELDS = ["title", "sku_code", "spec", "quantity", "unit_price_fen", "paid_fen", "sku_id", "product_id"]


class Stored(SimpleNamespace):
    """A stored row read as plain values: reading thousands of model instances per batch is most of a
    re-import's time, and most rows turn out unchanged. `as_model` makes the instance to update."""


def stored_rows(queryset, fields: tuple[str, ...]) -> list[Stored]:
    names = ("pk", *fields)
    return [Stored(**dict(zip(names, values, strict=True))) for values in queryset.values_list(*names)]


def as_model(model, row: Stored, fields: list[str]):
    return model(pk=row.pk, **{name: getattr(row, name) for name in fields})


def _goods_total(plan: OrderPlan, stored: dict[str, Stored]) -> int:
    """What was paid for the goods of the order: the file's lines, plus stored lines the file lacks
    (less a summary line the file's lines replace; only the stored lines when the file's are not written)."""
    if not plan.write_lines:
        return sum(line.paid_fen for line in stored.values())
    in_file = {line.line_id for line in plan.lines}
    gone = plan.replaces.platform_line_id if plan.replaces is not None else None
    return sum(line.paid_fen for line in plan.lines) + sum(
        line.paid_fen for key, line in stored.items() if key not in in_file and key != gone
    )


def _order_values(plan: OrderPlan, goods: int) -> dict[str, object]:
    return {**plan.fields, "paid_at": plan.paid_at, "shipped_at": plan.shipped_at, "signed_at": plan.signed_at,
            "goods_fen": goods, "freight_fen": plan.freight_fen}


def _apply(obj, values: dict[str, object], *, keep_empty: bool = True) -> bool:
    """Set the values that differ; with keep_empty, an empty value ("" or None) never erases one."""
    changed = False
    for name, value in values.items():
        if keep_empty and (value is None or value == ""):
            continue
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


def _matchable_phone(phone: str) -> bool:
    return bool(phone) and "*" not in phone


def _last4(phone: str) -> str:
    digits = phone.replace("*", "")  # as parse_phone leaves it: digits, and the mask of a masked one
    if not digits.isdigit():
        digits = "".join(ch for ch in phone if ch.isdigit())
    return digits[-4:] if len(digits) >= 4 else ""
