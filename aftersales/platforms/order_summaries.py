"""An order stored as one summary row (千牛 订单报表), and the item lines that replace it.

The classic 订单报表 has one row per order: its items under one title, 宝贝总数量 units, the order's
payment. The 宝贝报表 has one row per item (标题, 价格, 购买数量, 商家编码) and no payment. Merchants
export both, and each alone would make lines of the same goods. So a summary row becomes one line
with the id `summary_line_id(order)`, and the order writer asks this module, batch by batch:

- **Item rows for an order that holds its summary line** replace it, in the batch's transaction: the
  item lines are written and the summary line deleted. Item rows without a paid amount of their own
  (classic 宝贝报表) share what the summary line was paid, by their list amounts (价格 × 购买数量,
  largest remainder), so what the order was paid does not move; rows with one (exports with
  子订单编号) keep it, as everywhere.
- **A summary row for an order stored item by item** writes no line: it only updates the order (status,
  times, shipments, freight). So importing the 订单报表 again never brings the summary line back.
- **Item rows without a paid amount, all of whose lines are stored**, share what those lines were paid,
  the same way: importing the 宝贝报表 again changes nothing.
- **Cases on the summary line.** A case line points at the summary line (the 退款报表 was imported
  before the 宝贝报表), and so may a refund decision's `per_line`. They move to the item line the
  summary stands for: the only item of the order, else the one item with the summary's 商家编码,
  else the one with its title (and spec). The move is refused when that item cannot hold the cases —
  fewer units than they claim, or less paid than they were granted (plus the freight when it is the
  only item: a whole-order refund may include it). A case's refund cap is lowered to what its new
  line can refund. Refused or ambiguous: the summary line stays, the order's item rows are not
  imported, and each is reported — a wrong guess would put a refund on goods it was not for.
  A moved case gets one `order_line_replaced` event (actor: platform) saying from which line to which.
"""

from __future__ import annotations

from dataclasses import dataclass

from aftersales.cases.domain.states import Actor, Status
from aftersales.cases.models import Case, CaseLine
from aftersales.cases.services import By, order_line_replaced
from aftersales.core import clock
from aftersales.core.money import allocate
from aftersales.orders.models import Order, OrderLine
from aftersales.platforms.importing import summary_line_id
from aftersales.platforms.order_plans import LinePlan, OrderPlan
from aftersales.platforms.report import WARNING, persist_entry
from aftersales.platforms.writing import Columns, yuan
from aftersales.refunds.models import RefundDecision

PLATFORM = By(Actor.PLATFORM)


@dataclass(frozen=True, slots=True)
class Use:
    """A case line on a summary line, with what its case claims."""

    case_id: int
    number: str
    status: str
    quantity: int
    granted_fen: int


def summary_uses(plans: list[OrderPlan], existing: dict, old_lines: dict) -> dict[int, list[Use]]:
    """Summary line id (pk) → the case lines on it, for the stored summary lines that item rows name.

    The orders concerned are locked first, then the cases on their summary lines — the order in which
    refunds and new cases take them — so no case is opened on, or refunded from, a summary line while
    it is being replaced.
    """
    held: dict[int, int] = {}
    for plan in plans:
        order = existing.get(plan.order_id)
        if order is None or plan.summary:
            continue
        line = old_lines[order.pk].get(summary_line_id(plan.order_id))
        if line is not None:
            held[line.pk] = order.pk
    if not held:
        return {}
    list(Order.objects.select_for_update(no_key=True).filter(pk__in=set(held.values())).order_by("pk")
         .values_list("pk", flat=True))
    rows = list(CaseLine.objects.filter(order_line_id__in=list(held)).values_list("order_line_id", "case_id",
                                                                                   "quantity"))
    if not rows:
        return {}
    cases = {
        pk: (number, status, granted)
        for pk, number, status, granted in Case.objects.select_for_update(no_key=True)
        .filter(pk__in={case_id for _, case_id, _ in rows}).order_by("pk")
        .values_list("pk", "number", "status", "refund_granted_fen")
    }
    uses: dict[int, list[Use]] = {}
    for line_id, case_id, quantity in rows:
        number, status, granted = cases[case_id]
        uses.setdefault(line_id, []).append(Use(case_id, number, status, quantity, granted))
    return uses


def settle(plan: OrderPlan, stored: dict, uses: dict[int, list[Use]], freight_fen: int) -> tuple[str, dict] | None:
    """Decide how `plan` meets the order's stored lines (see the module notes); set it on the plan.

    Returns None, or the report code and parameters for refusing the plan's rows.
    """
    plan.replaces, plan.moves_to, plan.write_lines = None, None, True  # a batch retried order by order comes back
    summary_id = summary_line_id(plan.order_id)
    if plan.summary:
        if any(key != summary_id for key in stored):
            plan.write_lines = False
        return None
    held = stored.get(summary_id)
    _share_what_was_paid(plan, stored, held)
    if held is None:
        return None
    plan.replaces = held
    on_it = uses.get(held.pk)
    if not on_it:
        return None
    numbers = "、".join(sorted({use.number for use in on_it}))
    target = _item_of(held, plan.lines)
    if target is None:
        return "import.summary_line_unmatched", {"cases": numbers, "title": held.title}
    room = target.paid_fen + (freight_fen if len(plan.lines) == 1 else 0)
    # Units: what the cases still open claim together, and what any one case ever claimed.
    claimed = max(sum(use.quantity for use in on_it if use.status != Status.CLOSED.value),
                  *(use.quantity for use in on_it))
    granted = sum({use.case_id: use.granted_fen for use in on_it}.values())
    if claimed > target.quantity or granted > room:
        return "import.summary_line_too_small", {
            "cases": numbers, "title": target.title, "quantity": target.quantity, "paid": yuan(room),
            "claimed": claimed, "granted": yuan(granted),
        }
    plan.moves_to = (target, room)
    return None


def _share_what_was_paid(plan: OrderPlan, stored: dict, held) -> None:
    """Item rows without a paid amount share what is stored for them: the summary line's payment when
    they replace it, else their own lines' when all are stored; by list amount, largest remainder."""
    if any(line.record.paid_fen is not None for line in plan.lines):
        return
    known = [stored[line.line_id] for line in plan.lines if line.line_id in stored]
    if held is not None:
        total = held.paid_fen
    elif len(known) == len(plan.lines):
        total = sum(line.paid_fen for line in known)
    else:
        return  # new lines and nothing paid to share: they count at their list amounts
    weights = [line.record.goods_fen or 0 for line in plan.lines]  # 价格 × 购买数量
    for line, share in zip(plan.lines, allocate(total, weights), strict=True):
        line.paid_fen = share


def _item_of(held, lines: list[LinePlan]) -> LinePlan | None:
    """The item line the summary line stands for, when there is exactly one."""
    if len(lines) == 1:
        return lines[0]
    if held.sku_code:
        found = [line for line in lines if line.sku_code == held.sku_code]
        if len(found) == 1:
            return found[0]
    found = [line for line in lines if line.title == held.title]
    if len(found) > 1 and held.spec:
        found = [line for line in found if line.spec == held.spec]
    return found[0] if len(found) == 1 else None


def replace(plans: list[OrderPlan], orders: dict, col: Columns) -> tuple[int, int, list[dict]]:
    """After the item lines are written: move the cases, delete the summary lines they replace.

    Returns (summary lines deleted, cases moved, report notes).
    """
    replacing = [plan for plan in plans if plan.replaces is not None]
    if not replacing:
        return 0, 0, []
    moving = [plan for plan in replacing if plan.moves_to is not None]
    moved, notes = 0, []
    if moving:
        wanted = {(orders[plan.order_id].pk, plan.moves_to[0].line_id) for plan in moving}
        new_ids = {
            (order_id, line_id): pk
            for pk, order_id, line_id in OrderLine.objects.filter(
                order_id__in={order_id for order_id, _ in wanted}).values_list("pk", "order_id", "platform_line_id")
            if (order_id, line_id) in wanted
        }
        for plan in moving:
            target, room = plan.moves_to
            numbers = _move(plan.replaces, new_ids[orders[plan.order_id].pk, target.line_id], target, room)
            moved += len(numbers)
            notes.append(persist_entry(WARNING, target.record.row_number, col("product_title"), target.title,
                                       "import.summary_cases_moved", order=plan.order_id, cases="、".join(numbers)))
    OrderLine.objects.filter(pk__in=[plan.replaces.pk for plan in replacing]).delete()
    return len(replacing), moved, notes


def _move(held, target_pk: int, target: LinePlan, room: int) -> list[str]:
    """Point the cases and refund decisions on the summary line at the item line; one event per case."""
    cases = list(Case.objects.filter(lines__order_line_id=held.pk).distinct().order_by("pk"))
    CaseLine.objects.filter(order_line_id=held.pk).update(order_line_id=target_pk)
    old_key, new_key = str(held.pk), str(target_pk)
    for decision in RefundDecision.objects.filter(case__in=cases).order_by("pk"):
        if old_key in decision.per_line:
            decision.per_line = {new_key if key == old_key else key: fen for key, fen in decision.per_line.items()}
            decision.save(update_fields=["per_line"])
    now = clock.now()
    for case in cases:
        order_line_replaced(
            case.shop_id, case, PLATFORM, refundable_fen=room, now=now,
            old_line={"id": held.pk, "title": held.title, "quantity": held.quantity, "paid_fen": held.paid_fen},
            new_line={"id": target_pk, "title": target.title, "sku_code": target.sku_code, "spec": target.spec,
                      "quantity": target.quantity, "paid_fen": target.paid_fen})
    return [case.number for case in cases]
