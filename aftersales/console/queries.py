"""Reads for the console pages: the inbox page of cases and what a case page shows.

The inbox must stay fast with tens of thousands of open cases: one query for the page of cases
(with the order, the buyer and the assignee joined in), one for their first lines, one COUNT.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import Membership, Shop
from aftersales.care.models import Compensation, Satisfaction
from aftersales.cases.domain.deadlines import (
    BUYER_STAGES,
    PLATFORM_STAGES,
    WAITING_ON_BUYER,
    WAITING_ON_PLATFORM,
    WAITING_ON_US,
    waiting_on,
)
from aftersales.cases.domain.states import TERMINAL, Status
from aftersales.cases.models import Case, CaseLine, Evidence
from aftersales.cases.selectors import filter_cases
from aftersales.core import clock
from aftersales.core.choices import Role
from aftersales.orders.models import Order

INBOX_COLUMNS = (
    "id", "shop_id", "number", "platform", "kind", "status", "goods_status", "money_status", "reason",
    "requested_fen", "refund_granted_fen", "deadline_at", "deadline_stage", "urgency", "follow_up", "tags",
    "suggested_reason", "suggested_confidence", "created_at", "order_id", "buyer_id", "assignee_id",
    "return_tracking_no", "awaiting_platform", "refunded_before_receipt_at", "inspection_result", "order__platform_order_id",
    "buyer__nick", "assignee__username", "assignee__first_name",
)
FINISHED = [s.value for s in TERMINAL]
#: The inbox's order, most pressing deadline first; "next case" walks the same order.
INBOX_ORDER = (F("deadline_at").asc(nulls_last=True), "id")
#: The inbox sorted by urgency: the buyer threatening a complaint first, then by deadline.
URGENCY_ORDER = ("-urgency", *INBOX_ORDER)


@dataclass(frozen=True)
class InboxTab:
    key: str
    title: str
    statuses: tuple[str, ...]


#: The workbench's status tabs (as on 抖店's 售后工作台 and 千牛's 退款管理), each a set of statuses.
INBOX_TABS = (
    InboxTab("review", _("To review"), (Status.REQUESTED.value,)),
    InboxTab("awaiting_return", _("Awaiting buyer's return"), (Status.AWAITING_RETURN.value,)),
    InboxTab("to_receive", _("To receive"), (Status.RETURN_IN_TRANSIT.value, Status.RETURN_RECEIVED.value)),
    InboxTab("to_refund", _("To refund"), (Status.REFUNDING.value,)),
    InboxTab("to_ship", _("To ship"), (Status.FULFILLING.value, Status.AWAITING_BUYER_RECEIPT.value)),
    InboxTab("arbitration", _("In arbitration"), (Status.ARBITRATION.value,)),
    # Refused but still open (the buyer may still appeal to the platform): without a tab they showed
    # only under 全部进行中, whose count the tabs then did not add up to.
    InboxTab("rejected", _("Rejected"), (Status.REJECTED.value, Status.REJECTED_AFTER_RETURN.value)),
    InboxTab("finished", _("Finished"), tuple(FINISHED)),
)
TABS = {tab.key: tab for tab in INBOX_TABS}


@dataclass(frozen=True)
class TabCount:
    tab: InboxTab
    count: int


@dataclass(frozen=True)
class InboxCounts:
    tabs: list[TabCount]
    waiting_on_us: int
    waiting_on_buyer: int
    waiting_on_platform: int
    follow_up: int


def inbox_counts(shop: Shop) -> InboxCounts:
    """How many cases each tab holds, and whose move the open ones wait for (us, the buyer, the
    platform): one GROUP BY over the shop's cases."""
    rows = (Case.objects.filter(shop=shop).values("status", "deadline_stage", "awaiting_platform", "follow_up")
            .annotate(n=Count("id")).order_by())
    by_status: dict[str, int] = {}
    whose = dict.fromkeys((WAITING_ON_US, WAITING_ON_BUYER, WAITING_ON_PLATFORM), 0)
    follow = 0
    for row in rows:
        by_status[row["status"]] = by_status.get(row["status"], 0) + row["n"]
        if row["status"] in FINISHED:
            continue
        whose[waiting_on(row["deadline_stage"], row["awaiting_platform"])] += row["n"]
        follow += row["n"] if row["follow_up"] else 0
    tabs = [TabCount(tab, sum(by_status.get(s, 0) for s in tab.statuses)) for tab in INBOX_TABS]
    return InboxCounts(tabs=tabs, waiting_on_us=whose[WAITING_ON_US], waiting_on_buyer=whose[WAITING_ON_BUYER],
                       waiting_on_platform=whose[WAITING_ON_PLATFORM], follow_up=follow)


def waiting_q(who: str) -> Q:
    """The cases whose move is `who`'s: the SQL form of `deadlines.waiting_on`."""
    platform = Q(deadline_stage__in=[str(s) for s in PLATFORM_STAGES]) | ~Q(awaiting_platform="")
    if who == WAITING_ON_PLATFORM:
        return platform
    buyer = Q(deadline_stage__in=[str(s) for s in BUYER_STAGES])
    return buyer & ~platform if who == WAITING_ON_BUYER else ~buyer & ~platform


def inbox_cases(shop: Shop, filters: dict, user) -> QuerySet[Case]:
    """The shop's cases matching the inbox filters, most pressing deadline first."""
    scope = filters.get("scope") or "open"
    assignee = filters.get("assignee") or ""
    search = (filters.get("q") or "").strip()
    exact = exact_matches(shop, search) if search else set()
    tab = TABS.get(filters.get("tab") or "")
    status = ",".join(tab.statuses) if tab and not filters.get("status") else filters.get("status")
    qs = filter_cases(
        shop,
        status=status or None,
        kind=filters.get("kind") or None,
        platform=filters.get("platform") or None,
        reason=filters.get("reason") or None,
        tag=(filters.get("tag") or "").strip() or None,
        q=search if search and not exact else None,
        open_only=scope == "open" and not status,
        urgency_min=3 if filters.get("urgent") else int(filters.get("urgency") or 0),
        said=filters.get("said") or None,
        mismatch=bool(filters.get("mismatch")),
    )
    if exact:
        qs = qs.filter(pk__in=exact)
    if scope == "finished" and not status:
        qs = qs.filter(status__in=FINISHED)
    now = clock.now()
    if filters.get("waiting") in (WAITING_ON_US, WAITING_ON_BUYER, WAITING_ON_PLATFORM):
        qs = qs.filter(waiting_q(filters["waiting"]))
    if filters.get("follow_up"):
        qs = qs.filter(follow_up=True)
    if filters.get("due_hours"):
        qs = qs.filter(deadline_at__lte=now + timedelta(hours=filters["due_hours"]))
    if filters.get("overdue"):
        # Our own lateness only: a buyer who has not sent the parcel back, or a platform still ruling,
        # is not the shop overdue.
        qs = qs.filter(waiting_q(WAITING_ON_US), deadline_at__lt=now)
    if filters.get("signals"):
        qs = qs.filter(pk__in=_with_signals(shop, filters["signals"]))
    if assignee == "me":
        qs = qs.filter(assignee=user)
    elif assignee == "none":
        qs = qs.filter(assignee__isnull=True)
    elif assignee.isdigit():
        qs = qs.filter(assignee_id=int(assignee))
    first_lines = CaseLine.objects.select_related("order_line").only(
        "id", "case_id", "quantity", "order_line__title", "order_line__spec")
    return (
        qs.select_related("order", "buyer", "assignee")
        .only(*INBOX_COLUMNS)
        .prefetch_related(Prefetch("lines", queryset=first_lines))
        .order_by(*(URGENCY_ORDER if filters.get("sort") == "urgency" else INBOX_ORDER))
    )


def next_open_case(shop: Shop, case: Case) -> int | None:
    """The id of the open case after `case` in the inbox's order (most pressing deadline first), wrapping
    round to the first: where an agent goes when this one is done. None when no other case is open."""
    open_cases = Case.objects.filter(shop=shop).exclude(status__in=FINISHED).exclude(pk=case.pk)
    if case.deadline_at is None:
        later = open_cases.filter(deadline_at__isnull=True, pk__gt=case.pk)
    else:
        later = open_cases.filter(
            Q(deadline_at__gt=case.deadline_at) | Q(deadline_at=case.deadline_at, pk__gt=case.pk)
            | Q(deadline_at__isnull=True)
        )
    found = later.order_by(*INBOX_ORDER).values_list("pk", flat=True).first()
    if found is None:
        found = open_cases.order_by(*INBOX_ORDER).values_list("pk", flat=True).first()
    return found


def exact_matches(shop: Shop, search: str) -> set[int]:
    """Cases whose number, order number or return tracking number is exactly `search`: the usual search,
    answered from indexes. Anything else falls back to a substring search."""
    key = "".join(search.split())
    if len(key) < 6:
        return set()
    ids = set(Case.objects.filter(shop=shop, number=key.upper()).values_list("pk", flat=True))
    ids |= set(Case.objects.filter(shop=shop, return_tracking_no=key.upper()).values_list("pk", flat=True))
    orders = Order.objects.filter(shop=shop, platform_order_id=key).values("pk")
    ids |= set(Case.objects.filter(shop=shop, order__in=orders).values_list("pk", flat=True))
    return ids


def shop_agents(shop: Shop) -> list:
    """The people a case can be assigned to: the shop's owners and agents."""
    memberships = (Membership.objects.filter(shop=shop, role__in=[Role.OWNER.value, Role.AGENT.value])
                   .select_related("user").order_by("user__username"))
    return [m.user for m in memberships]


@dataclass
class CasePage:
    case: Case
    evidence: list[Evidence]
    compensations: list[Compensation]
    satisfaction: Satisfaction | None
    pending_key: str  # the idempotency key of a payment still pending or unknown: a retry must reuse it


def case_page(shop: Shop, case_id: int) -> CasePage:
    from django.shortcuts import get_object_or_404

    case = get_object_or_404(
        Case.objects.select_related("order", "buyer", "assignee", "exchange_sku")
        .prefetch_related("events__actor_user", "lines__order_line__product__category", "order__lines"),
        shop=shop, pk=case_id,
    )
    evidence = list(case.evidence.order_by("created_at", "id"))
    compensations = list(case.compensations.select_related("granted_by"))
    satisfaction = Satisfaction.objects.filter(case=case).first()
    pending_key = (case.refund_payments.filter(status__in=("pending", "unknown"))
                   .values_list("idempotency_key", flat=True).first()) or ""
    return CasePage(case=case, evidence=evidence, compensations=compensations, satisfaction=satisfaction,
                    pending_key=pending_key)


def _with_signals(shop: Shop, which: str) -> set[int]:
    """Open cases that raise an abuse signal ("flagged"), or whose buyer the owner watches ("watched")."""
    from aftersales.intelligence.signals.selectors import flagged_case_ids, watched_case_ids

    return watched_case_ids(shop) if which == "watched" else flagged_case_ids(shop)
