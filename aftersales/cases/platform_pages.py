"""A page of platform cases seen for the first time (a page of a pull, a batch of an import), opened and
brought to what their platform says together.

Each case takes the steps one case takes — opened by `services.open_in` (the policy, the refund rule,
the buyer's words: the rules of opening, for the buyer as reported), then brought to the platform's
status and facts by `platform_updates.follow_platform` — with the same rows and events as a result,
but in memory (`kernel.NewCases`): the page is then written in a fixed number of statements, and its
events reach the subscribers together. What the page reads is read once: its orders (locked, in the
order of their platform ids, as every writer locks them), their lines, the units their open cases
claim and the shop's return rules.

An order is a unit: its cases are opened in turn (the units of one count for the next), and when one
of them is refused — our rules would not open it as asked, the platform reports a move the state
machine refuses — none of that order's cases is opened here: the caller writes them one by one,
where each refusal is handled (a case recorded as reported, a row reported). Money is not booked
here either: the caller leaves the cases the platform granted money on to the one-by-one path, whose
booking goes through the refund ledger on the stored case.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import transaction
from django.db.models import DateTimeField

from aftersales.accounts.models import Shop
from aftersales.cases.domain.states import Actor, Status
from aftersales.cases.kernel import By, NewCases
from aftersales.cases.models import Case
from aftersales.cases.platform_updates import PlatformView, follow_platform
from aftersales.cases.policy_io import RuleSets
from aftersales.cases.services import open_in, units_claimed
from aftersales.core.errors import DomainError
from aftersales.orders.models import Order, OrderLine

BUYER = By(Actor.BUYER)
_TIMES = tuple(f.attname for f in Case._meta.concrete_fields if isinstance(f, DateTimeField))


@dataclass(frozen=True)
class NewPlatformCase:
    """A platform case not yet in the shop: what the buyer asked (one line of one order, at the time
    the platform says) and what the platform says of it now (`view`, applied at `now`)."""

    platform_case_id: str
    order_id: int
    line_id: int
    quantity: int
    kind: str
    reason: str
    buyer_note: str
    asked_at: datetime
    view: PlatformView
    now: datetime


@transaction.atomic(savepoint=False)  # the caller's savepoint undoes the page whole
def open_platform_cases(shop: Shop, reported: list[NewPlatformCase]) -> dict[str, Case]:
    """Open the page's new platform cases, the policy not enforced (the platform accepted them), each
    brought to what its platform says. Returns the cases opened by platform case id; the cases of an
    order left out (see the module's docstring) are the caller's to write one by one."""
    by_order: dict[int, list[NewPlatformCase]] = defaultdict(list)
    for one in reported:
        by_order[one.order_id].append(one)
    orders = {order.pk: order for order in Order.objects.select_for_update(no_key=True)
              .filter(shop=shop, pk__in=list(by_order)).order_by("platform_order_id")}
    lines: dict[int, list[OrderLine]] = defaultdict(list)
    for line in (OrderLine.objects.filter(order_id__in=list(orders)).select_related("product__category")
                 .order_by("pk")):
        lines[line.order_id].append(line)
    claimed = units_claimed([line.pk for order_lines in lines.values() for line in order_lines])
    rulesets = RuleSets(shop)
    page = NewCases()
    opened: dict[str, Case] = {}
    for order_id, asked in by_order.items():
        order = orders.get(order_id)
        if order is None:
            continue
        mark = page.mark()
        try:
            here = [_open_one(page, shop, order, lines[order_id], claimed, rulesets, one) for one in asked]
        except (DomainError, ValueError):
            page.undo(mark)  # the order's cases go the one-by-one way, where the refusal is handled
            continue
        opened.update((one.platform_case_id, case) for one, case in zip(asked, here, strict=True))
    page.write()
    return opened


def _as_read_back(case: Case) -> None:
    """Its times as the database gives them back (in UTC), as a case opened on its own is found when it
    is then brought to what its platform says: the same instants, written the same way in what the
    events record of a change."""
    for name in _TIMES:
        value = getattr(case, name)
        if value is not None:
            setattr(case, name, value.astimezone(UTC))


def _open_one(page: NewCases, shop: Shop, order: Order, order_lines: list[OrderLine], claimed: dict[int, int],
              rulesets: RuleSets, one: NewPlatformCase) -> Case:
    case = open_in(page, shop, order, order_lines, claimed, rulesets, lines=[(one.line_id, one.quantity)],
                   kind=one.kind, reason=one.reason, by=BUYER, buyer_note=one.buyer_note,
                   platform_case_id=one.platform_case_id, enforce_policy=False, now=one.asked_at)
    _as_read_back(case)
    follow_platform(shop, case, one.view, created=True, now=one.now)
    if case.status != Status.CLOSED.value:  # a closed case frees its units (`services.units_claimed`)
        for line in page.lines_of(case):
            claimed[line.order_line_id] = claimed.get(line.order_line_id, 0) + line.quantity
    return case
