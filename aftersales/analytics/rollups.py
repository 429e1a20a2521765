"""Keep the rollups current, in the same transaction as the change that moves them.

The services call one function when something that the figures depend on changes:

* `order_changed(order)` — an order was created (`orders.services.create_order`);
* `on_case_events(events, batch)` — a subscriber of every case event (`cases/subscribers.py`): after
  the events in `FIGURE_EVENTS` (a case opened, moved, granted a refund or a compensation, synced from
  a platform) the rollups of its order are refreshed. Inspections and parcels move the case, so they
  are covered.

Each call recomputes the facts of the whole order from the source tables, compares its contribution
with the one stored last time, and adds only the difference to the rollup rows (one multi-row
`INSERT … ON CONFLICT … DO UPDATE SET x = x + excluded.x`, on SQLite and PostgreSQL alike). The
order's facts row is locked first, so two changes to one order never interleave.

`rebuild(shop)` recomputes everything from nothing (after a bulk import that bypassed the services).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator

from django.db import connection, transaction
from django.db.models import BigIntegerField, Exists, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from aftersales.accounts.models import Shop
from aftersales.analytics.domain import facts as F
from aftersales.analytics.models import KEY_FIELDS, AnalyticsSettings, OrderFacts, Rollup
from aftersales.cases.domain.states import Action
from aftersales.cases.models import Case, CaseLine
from aftersales.core import clock
from aftersales.orders.models import Order, OrderLine
from aftersales.row_updates import set_columns
from aftersales.warehouse.models import Inspection, ReturnParcel

BATCH_ROWS = 400  # rows per upsert statement (each row binds 27 parameters)
MERCHANT_PAYS = "merchant"


# -- hooks ----------------------------------------------------------------------------------------


def order_changed(order: Order) -> None:
    """Bring the rollups up to date with `order` and all its cases. Call inside the change's transaction."""
    if not _in_training_shop(order):
        refresh_orders(order.shop_id, [order.pk])


def case_changed(case: Case) -> None:
    if not _in_training_shop(case):
        refresh_orders(case.shop_id, [case.order_id])


def _in_training_shop(row: Order | Case) -> bool:
    """A training shop's practice orders and cases are no part of any figure."""
    if type(row).shop.is_cached(row):
        return row.shop.is_training
    return Shop.objects.training().filter(pk=row.shop_id).exists()


#: Case events after which the figures of the case's order may differ: the case was opened, moved,
#: granted money or compensation, or rewritten by a platform import. Notes, tags, replies, ratings,
#: payments and deadline notices change no figure.
FIGURE_EVENTS = frozenset({
    *(action.value for action in Action),
    "open", "grant_refund", "compensation", "ready_to_refund", "platform_sync", "order_line_replaced",
    "switch_remedy",
})


def on_case_events(events, batch) -> None:
    """Subscriber of every case event (cases/subscribers.py): refresh the rollups of the orders touched."""
    touched: dict[int, set[int]] = defaultdict(set)
    training: dict[int, bool] = {}
    for event in events:
        if event.action in FIGURE_EVENTS:
            case = event.case
            if case.shop_id not in training:
                training[case.shop_id] = _in_training_shop(case)
            touched[case.shop_id].add(case.order_id)
    for shop_id, order_ids in touched.items():
        if not training[shop_id]:  # a training shop's practice cases are no part of any figure
            refresh_orders(shop_id, sorted(order_ids))


# -- facts from the source tables -------------------------------------------------------------------


def _sum_per_case(queryset, column: str):
    """Per case row: the sum of `column` over `queryset`'s rows of that case (0 when none)."""
    total = queryset.filter(case_id=OuterRef("pk")).order_by().values("case_id").annotate(s=Sum(column)).values("s")
    return Coalesce(Subquery(total, output_field=BigIntegerField()), Value(0))


def return_freight_estimate(shop_id: int) -> int:
    found = (
        AnalyticsSettings.objects.filter(shop_id=shop_id).values_list("return_freight_fen", flat=True).first()
    )
    return AnalyticsSettings._meta.get_field("return_freight_fen").default if found is None else found


def load_facts(shop_id: int, order_ids: list[int]) -> dict[int, F.OrderFact]:
    """The facts of these orders of the shop, as they are in the database now."""
    if not order_ids:
        return {}
    orders = Order.objects.filter(shop_id=shop_id, pk__in=order_ids).values(
        "pk", "paid_at", "platform", "channel", "content_id", "content_author", "province", "freight_fen"
    )
    lines: dict[int, list[F.LineFact]] = defaultdict(list)
    for row in (
        OrderLine.objects.filter(order_id__in=order_ids)
        .values(
            "pk",
            "order_id",
            "sku_id",
            "product_id",
            "product__category_id",
            "sku__product_id",
            "sku__product__category_id",
            "quantity",
            "paid_fen",
            "is_gift",
        )
        .order_by("pk")
    ):
        product = row["product_id"] or row["sku__product_id"] or 0
        category = row["product__category_id"] or row["sku__product__category_id"] or 0
        lines[row["order_id"]].append(
            F.LineFact(
                row["pk"],
                row["sku_id"] or 0,
                product,
                category,
                row["quantity"],
                row["paid_fen"],
                row["is_gift"],
            )
        )
    from aftersales.care.models import Compensation  # goodwill compensation, from the care app

    # What came back, was written off and given as compensation, in the same statement as the cases.
    cases = list(
        Case.objects.filter(order_id__in=order_ids)
        .annotate(
            writeoff_fen=_sum_per_case(Inspection.objects, "write_off_fen"),
            came_back=Exists(ReturnParcel.objects.filter(case_id=OuterRef("pk"))),
            compensation_fen=_sum_per_case(Compensation.objects, "cost_fen"),
        )
        .values(
            "pk",
            "order_id",
            "created_at",
            "kind",
            "status",
            "reason",
            "refund_granted_fen",
            "policy_decision__return_freight_payer",
            "writeoff_fen",
            "came_back",
            "compensation_fen",
        )
        .order_by("pk")
    )
    case_ids = [c["pk"] for c in cases]
    case_lines: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for row in (
        CaseLine.objects.filter(case_id__in=case_ids)
        .values("case_id", "order_line_id", "quantity")
        .order_by("pk")
    ):
        case_lines[row["case_id"]].append((row["order_line_id"], row["quantity"]))
    freight_each = return_freight_estimate(shop_id) if any(c["came_back"] for c in cases) else 0
    by_order: dict[int, list[F.CaseFact]] = defaultdict(list)
    for c in cases:
        merchant_pays = c["policy_decision__return_freight_payer"] == MERCHANT_PAYS
        by_order[c["order_id"]].append(
            F.CaseFact(
                case_id=c["pk"],
                day=clock.shanghai_date(c["created_at"]),
                kind=c["kind"],
                status=c["status"],
                reason=c["reason"],
                lines=tuple(case_lines[c["pk"]]),
                refund_fen=c["refund_granted_fen"],
                writeoff_fen=c["writeoff_fen"],
                return_freight_fen=freight_each if merchant_pays and c["came_back"] else 0,
                compensation_fen=c["compensation_fen"],
            )
        )
    return {
        o["pk"]: F.OrderFact(
            order_id=o["pk"],
            day=clock.shanghai_date(o["paid_at"]),
            platform=o["platform"],
            channel=o["channel"],
            content_id=o["content_id"],
            author=o["content_author"],
            province=o["province"],
            freight_fen=o["freight_fen"],
            lines=tuple(lines[o["pk"]]),
            cases=tuple(by_order[o["pk"]]),
        )
        for o in orders
    }


# -- incremental ----------------------------------------------------------------------------------


def refresh_orders(shop_id: int, order_ids: list[int]) -> int:
    """Recompute these orders' contributions and apply the differences. Returns rollup rows touched."""
    with transaction.atomic(savepoint=False):
        OrderFacts.objects.bulk_create(
            [OrderFacts(shop_id=shop_id, order_id=pk) for pk in order_ids], ignore_conflicts=True
        )
        stored = {
            row.order_id: row
            for row in OrderFacts.objects.select_for_update().filter(shop_id=shop_id, order_id__in=order_ids)
        }
        current = load_facts(shop_id, order_ids)
        delta: dict[F.DayKey, list[int]] = {}
        changed: list[OrderFacts] = []
        for order_id, row in stored.items():
            now = current.get(order_id)
            before = F.loads(order_id, row.facts)
            if now == before:
                continue
            new = F.contributions(now) if now is not None else {}
            old = F.contributions(before) if before is not None else {}
            _merge(delta, F.difference(new, old))
            row.facts = F.dumps(now) if now is not None else {}
            changed.append(row)
        if changed:
            set_columns(OrderFacts, changed, ["facts", "updated_at"])
        return apply(shop_id, F.by_grain(delta))


def _merge(into: dict, rows: dict) -> None:
    for key, values in rows.items():
        acc = into.get(key)
        if acc is None:
            into[key] = list(values)
        else:
            for i, value in enumerate(values):
                acc[i] += value


def _upsert_sql(n_rows: int) -> str:
    table = connection.ops.quote_name(Rollup._meta.db_table)
    columns = ["shop_id", *KEY_FIELDS, *F.MEASURES]
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    updates = ", ".join(f"{m} = {table}.{m} + excluded.{m}" for m in F.MEASURES)
    return (
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES {', '.join([one] * n_rows)} "
        f"ON CONFLICT (shop_id, {', '.join(KEY_FIELDS)}) DO UPDATE SET {updates}"
    )


#: The rollup columns' types, for PostgreSQL's arrays (`_upsert_arrays_sql`).
_TEXT_KEYS = {"cube", "grain", "dim", "dim2", "reason"}


def _upsert_arrays_sql() -> str:
    """PostgreSQL: the rows as one array per column (`unnest`): a statement of a few parameters,
    planned at once, where a VALUES list of thousands costs more to plan and to send than to run."""
    table = connection.ops.quote_name(Rollup._meta.db_table)
    columns = ["shop_id", *KEY_FIELDS, *F.MEASURES]
    kinds = {"start": "date", **dict.fromkeys(_TEXT_KEYS, "text")}
    arrays = ", ".join(f"%s::{kinds.get(column, 'bigint')}[]" for column in columns)
    updates = ", ".join(f"{m} = {table}.{m} + excluded.{m}" for m in F.MEASURES)
    return (
        f"INSERT INTO {table} ({', '.join(columns)}) SELECT * FROM unnest({arrays}) "
        f"ON CONFLICT (shop_id, {', '.join(KEY_FIELDS)}) DO UPDATE SET {updates}"
    )


def apply(shop_id: int, rows: dict[F.RowKey, list[int]]) -> int:
    """Add `rows` to the rollup table. Keys are sorted so concurrent writers lock rows in one order."""
    items = sorted(rows.items(), key=lambda kv: (kv[0][0], kv[0][1], kv[0][2], *kv[0][3:]))
    if not items:
        return 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            columns = [[shop_id] * len(items), *map(list, zip(*(key for key, _v in items), strict=True)),
                       *map(list, zip(*(values for _k, values in items), strict=True))]
            cursor.execute(_upsert_arrays_sql(), columns)
            return len(items)
        for chunk in _chunks(items, BATCH_ROWS):
            params: list = []
            for key, values in chunk:
                params.append(shop_id)
                params.extend(key)
                params.extend(values)
            cursor.execute(_upsert_sql(len(chunk)), params)
    return len(items)


def _chunks(items: list, size: int) -> Iterator[list]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


# -- full rebuild ---------------------------------------------------------------------------------


def _order_ids(shop_id: int, batch: int) -> Iterable[list[int]]:
    last = 0
    while True:
        ids = list(
            Order.objects.filter(shop_id=shop_id, pk__gt=last)
            .order_by("pk")
            .values_list("pk", flat=True)[:batch]
        )
        if not ids:
            return
        yield ids
        last = ids[-1]


@transaction.atomic
def rebuild(shop_id: int, *, batch: int = 2000) -> dict[str, int]:
    """Forget every rollup row and stored fact of the shop and compute them again from the source tables."""
    Rollup.objects.filter(shop_id=shop_id).delete()
    OrderFacts.objects.filter(shop_id=shop_id).delete()
    orders = rows = 0
    if Shop.objects.training().filter(pk=shop_id).exists():
        return {"orders": 0, "rows": 0, "upserts": 0}  # practice cases are no part of any figure
    for ids in _order_ids(shop_id, batch):
        found = load_facts(shop_id, ids)
        OrderFacts.objects.bulk_create(
            [OrderFacts(shop_id=shop_id, order_id=pk, facts=F.dumps(fact)) for pk, fact in found.items()]
        )
        rows += apply(shop_id, F.by_grain(F.total(found.values())))
        orders += len(found)
    return {"orders": orders, "rows": Rollup.objects.filter(shop_id=shop_id).count(), "upserts": rows}
