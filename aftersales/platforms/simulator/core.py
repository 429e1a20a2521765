"""The contract simulator's platform-neutral half: cases, tokens, limits, pushes, the state rules.

A `Simulator` plays one platform's open API for one store: it checks every request's signature and
token, answers a rate-limit error when told to (or when called too fast), serves the changed cases
of a time window page by page within the platform's limits, applies the merchant's actions by the
platform's rules, and sends push messages to a receiver. A platform module (douyin.py, …) supplies
the wire format: routes, envelopes, codes. Nothing here imports Django: tests run it in process
(`SimTransport`) and `aftersales platform-sim` serves it over HTTP.
"""

from __future__ import annotations

import itertools
import json
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from aftersales.platforms.connectors.base import Request, Response

REFUND_KINDS = {"refund_only", "partial_refund", "price_protection"}
RETURN_KINDS = {"return_refund", "exchange", "repair"}


class SimError(Exception):
    """An answer the platform gives instead of data: `kind` is looked up in the module's code table."""

    def __init__(self, kind: str, message: str = "") -> None:
        super().__init__(kind)
        self.kind, self.message = kind, message


@dataclass
class SimCase:
    """One after-sale case as the platform keeps it (statuses in canonical words; the module encodes)."""

    case_id: str
    order_id: str
    line_id: str
    kind: str = "refund_only"
    status: str = "requested"
    amount_fen: int = 1000
    paid_fen: int = 1000
    quantity: int = 1
    title: str = "纯棉短袖T恤"
    sku_code: str = "TS-01"
    product_id: str = "P1001"
    reason: str = "不想要了"
    note: str = ""
    no_reason_7day: bool = False
    shipped: bool = True
    applied_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    updated_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    deadline_at: datetime | None = None
    return_tracking_no: str = ""
    return_carrier: str = ""
    outbound_tracking_no: str = ""
    version: int = 1
    history: list[dict] = field(default_factory=list)

    @property
    def update_epoch(self) -> int:
        return int(self.updated_at.timestamp())


@dataclass
class SimLine:
    """One line of an order as the platform keeps it."""

    line_id: str
    title: str = "纯棉短袖T恤"
    sku_code: str = "TS-01"
    product_id: str = "P1001"
    quantity: int = 1
    paid_fen: int = 1000


@dataclass
class SimOrder:
    """An order (its lines, buyer and freight) as the platform's order call answers it."""

    order_id: str
    lines: list[SimLine]
    placed_at: datetime
    shipped: bool = True
    freight_fen: int = 0
    buyer_nick: str = "买家小王"
    province: str = "浙江省"
    city: str = "杭州市"

    @property
    def paid_fen(self) -> int:
        return sum(line.paid_fen for line in self.lines) + self.freight_fen


#: action -> (statuses it may start from, status it leads to); kinds are checked apart.
MOVES = {
    "agree_refund": ({"requested"}, "completed"),
    "agree_return": ({"requested"}, "awaiting_return"),
    "refuse": ({"requested"}, "rejected"),
    "confirm_receipt": ({"awaiting_return", "return_in_transit"}, "return_received"),
    "refund": ({"awaiting_return", "return_in_transit", "return_received"}, "completed"),
    "refuse_after_return": ({"return_in_transit", "return_received"}, "rejected_after_return"),
    "ship_replacement": ({"return_received", "fulfilling", "return_in_transit"}, "awaiting_buyer_receipt"),
}


def yuan(fen: int) -> str:
    return f"{fen / 100:.2f}"


def order_times(case: SimCase) -> dict[str, str]:
    """The order's times as Beijing texts, served with each after-sale as a convenience; the connectors
    read the order itself from its own call (taobao.trade.fullinfo.get, jingdong.pop.order.get,
    pdd.order.information.get) when a case arrives for an order the shop does not have yet."""
    from aftersales.platforms.connectors.base import beijing_text

    placed = case.applied_at - timedelta(days=3)
    return {"trade_created": beijing_text(placed), "pay_time": beijing_text(placed + timedelta(minutes=1)),
            "consign_time": beijing_text(placed + timedelta(days=1)) if case.shipped else ""}


class Simulator(ABC):
    """One store on one platform. Thread-safe: the HTTP server handles requests in threads."""

    platform = ""
    page_limit = 100
    window_limit = timedelta(hours=24)
    token_lifetime = timedelta(hours=8)

    def __init__(self, app_key: str = "sim-app", app_secret: str = "sim-secret", *,
                 now: Callable[[], datetime] | None = None, calls_per_second: float = 0) -> None:
        self.app_key, self.app_secret = app_key, app_secret
        self._now = now or (lambda: datetime.now(UTC))
        self.cases: dict[str, SimCase] = {}
        self.orders: dict[str, SimOrder] = {}
        self.lock = threading.RLock()
        self.access_tokens: dict[str, datetime] = {}
        self.refresh_tokens: set[str] = set()
        self._serial = itertools.count(1)
        self.rate_limit_next = 0  # answer this many calls with the rate-limit error
        self.calls_per_second = calls_per_second
        self._last_call: datetime | None = None
        self.calls: list[str] = []  # methods called, in order (tests read it)
        self.pushed: list[tuple[dict[str, str], bytes]] = []
        self.receiver: Callable[[dict[str, str], bytes], None] | None = None
        self.return_address_ids = {"1001"}
        self.issue_token()

    # -- time, tokens, limits --

    def now(self) -> datetime:
        """The platform's clock, in whole seconds as the platforms keep their times."""
        return self._now().replace(microsecond=0)

    def issue_token(self) -> tuple[str, str]:
        n = next(self._serial)
        access, refresh = f"at-{self.platform}-{n}", f"rt-{self.platform}-{n}"
        self.access_tokens[access] = self.now() + self.token_lifetime
        self.refresh_tokens.add(refresh)
        return access, refresh

    @property
    def token(self) -> tuple[str, str]:
        """The newest access and refresh token (what the owner pastes when connecting the store)."""
        return max(self.access_tokens, key=lambda t: int(t.rsplit("-", 1)[1])), sorted(
            self.refresh_tokens, key=lambda t: int(t.rsplit("-", 1)[1]))[-1]

    def expire_tokens(self) -> None:
        for token in self.access_tokens:
            self.access_tokens[token] = self.now() - timedelta(seconds=1)

    def refresh(self, refresh_token: str) -> tuple[str, str, int]:
        if refresh_token not in self.refresh_tokens:
            raise SimError("auth_failed", "refresh_token invalid")
        self.refresh_tokens.discard(refresh_token)
        access, refresh = self.issue_token()
        return access, refresh, int(self.token_lifetime.total_seconds())

    def check_token(self, token: str) -> None:
        expires = self.access_tokens.get(token)
        if expires is None:
            raise SimError("auth_failed", "access_token invalid")
        if expires <= self.now():
            raise SimError("token_expired", "access_token expired")

    def check_rate(self) -> None:
        if self.rate_limit_next > 0:
            self.rate_limit_next -= 1
            raise SimError("rate_limited", "call limit reached")
        moment = self.now()
        if self.calls_per_second and self._last_call is not None:
            if (moment - self._last_call).total_seconds() < 1.0 / self.calls_per_second:
                self._last_call = moment
                raise SimError("rate_limited", "call limit reached")
        self._last_call = moment

    # -- the store's data --

    def add_case(self, **values) -> SimCase:
        with self.lock:
            n = next(self._serial)
            values.setdefault("case_id", f"{7000000 + n}")
            values.setdefault("order_id", f"{5000000 + n}")
            values.setdefault("line_id", f"{values['order_id']}01")
            values.setdefault("applied_at", self.now())
            values["updated_at"] = values.get("updated_at") or self.now()
            values.setdefault("deadline_at", values["applied_at"] + timedelta(hours=48))
            case = SimCase(**values)
            self.cases[case.case_id] = case
            order = self.orders.get(case.order_id)
            if order is None:
                self.orders[case.order_id] = SimOrder(
                    case.order_id, [SimLine(case.line_id, case.title, case.sku_code, case.product_id, case.quantity,
                                            case.paid_fen)], case.applied_at - timedelta(days=3), case.shipped)
            elif not any(line.line_id == case.line_id for line in order.lines):
                order.lines.append(SimLine(case.line_id, case.title, case.sku_code, case.product_id, case.quantity,
                                           case.paid_fen))
            self.push(case, "created")
            return case

    def add_order(self, order_id: str, lines: list[SimLine], **values) -> SimOrder:
        """An order of several lines (a case added for it afterwards names one of them by `line_id`)."""
        with self.lock:
            values.setdefault("placed_at", self.now() - timedelta(days=3))
            order = self.orders[order_id] = SimOrder(order_id, lines, **values)
            return order

    def find_order(self, order_id: str) -> SimOrder:
        order = self.orders.get(str(order_id))
        if order is None:
            raise SimError("not_found", "order not found")
        return order

    def order_texts(self, order: SimOrder) -> dict[str, str]:
        """The order's times as Beijing texts."""
        from aftersales.platforms.connectors.base import beijing_text

        return {"created": beijing_text(order.placed_at), "paid": beijing_text(order.placed_at + timedelta(minutes=1)),
                "shipped": beijing_text(order.placed_at + timedelta(days=1)) if order.shipped else ""}

    def touch(self, case: SimCase, event: str) -> None:
        case.updated_at = max(self.now(), case.updated_at + timedelta(seconds=1))
        case.version += 1
        case.history.append({"event": event, "status": case.status, "at": case.updated_at.isoformat()})
        self.push(case, event)

    def buyer_ships_return(self, case_id: str, carrier: str = "中通快递", tracking_no: str = "ZT123456789") -> None:
        with self.lock:
            case = self.cases[case_id]
            case.return_carrier, case.return_tracking_no = carrier, tracking_no
            case.status = "return_in_transit"
            self.touch(case, "buyer_shipped")

    def changed(self, start: datetime, end: datetime) -> list[SimCase]:
        """Cases updated in [start, end), oldest change first (ties by id: a stable paging order)."""
        if end - start > self.window_limit:
            raise SimError("bad_window", "time window too wide")
        with self.lock:
            found = [c for c in self.cases.values() if start <= c.updated_at < end]
        return sorted(found, key=lambda c: (c.updated_at, c.case_id))

    def page_of(self, cases: list[SimCase], page: int, size: int, *, first_page: int = 1) -> tuple[list, bool]:
        if size > self.page_limit or size <= 0:
            raise SimError("bad_page_size", f"page size above {self.page_limit}")
        index = page - first_page
        if index < 0:
            raise SimError("bad_page", "page out of range")
        chunk = cases[index * size:(index + 1) * size]
        return chunk, (index + 1) * size < len(cases)

    def find(self, case_id: str) -> SimCase:
        case = self.cases.get(str(case_id))
        if case is None:
            raise SimError("not_found", "after-sale not found")
        return case

    # -- the merchant's actions, by the platform's rules --

    def apply(self, case: SimCase, action: str, **args) -> None:
        """Apply an action or raise SimError; the platform's own rules come first (`check_rules`)."""
        if case.status in ("completed", "closed"):
            raise SimError("forbidden", "after-sale already final")
        self.check_rules(case, action, args)
        sources, target = MOVES[action]
        if case.status not in sources:
            raise SimError("rejected", f"cannot {action} in status {case.status}")
        if action == "agree_return" and str(args.get("return_address_id") or "") not in self.return_address_ids:
            raise SimError("rejected", "return address unknown")
        if action == "agree_refund" and case.kind not in REFUND_KINDS:
            raise SimError("rejected", "not a refund-only after-sale")
        if action == "agree_return" and case.kind not in RETURN_KINDS:
            raise SimError("rejected", "not a return after-sale")
        if action == "refund" and case.kind == "exchange":
            target = "fulfilling"
        if action == "ship_replacement":
            case.outbound_tracking_no = str(args.get("tracking_no") or "")
        case.status = target
        self.touch(case, action)

    def check_rules(self, case: SimCase, action: str, args: dict) -> None:  # noqa: B027 - optional hook
        """A platform module adds its own refusals here."""

    # -- push messages --

    def push(self, case: SimCase, event: str) -> None:
        message = self.push_message(case, event)
        if message is None:
            return
        headers, body = message
        self.pushed.append((headers, body))
        if self.receiver is not None:
            self.receiver(headers, body)

    def push_message(self, case: SimCase, event: str) -> tuple[dict[str, str], bytes] | None:
        return None

    # -- the wire --

    def handle(self, request: Request) -> Response:
        with self.lock:
            try:
                return self.route(request)
            except SimError as exc:
                return self.error(exc)

    @abstractmethod
    def route(self, request: Request) -> Response:
        """This platform's answer to `request` (its methods, its envelope)."""

    @abstractmethod
    def error(self, exc: SimError) -> Response:
        """A refusal in this platform's own error envelope."""

    @staticmethod
    def json_response(payload: dict, status: int = 200) -> Response:
        return Response(status, json.dumps(payload, ensure_ascii=False).encode(),
                        {"Content-Type": "application/json"})

    def snapshot(self) -> list[dict]:
        """Every case as a plain dict (the control API and the tests read it)."""
        with self.lock:
            return [{"case_id": c.case_id, "order_id": c.order_id, "kind": c.kind, "status": c.status,
                     "amount_fen": c.amount_fen, "updated_at": c.updated_at.isoformat(),
                     "history": list(c.history)} for c in self.cases.values()]


class SimTransport:
    """The connectors' transport, answered by a simulator in this process (no sockets)."""

    def __init__(self, simulator: Simulator) -> None:
        self.simulator = simulator

    def send(self, request: Request, timeout: float) -> Response:
        return self.simulator.handle(request)
