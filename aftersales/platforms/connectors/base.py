"""What every platform client shares: requests, answers, errors, retries, rate limits, call logs.

A connector signs a request its platform's way, sends it through a `Transport` (HTTP in production,
the contract simulator in process in tests), and turns the platform's envelope into data or an
`ApiError` with a kind the sync understands. Calls are logged with the method, the outcome and the
time taken — never the secret, a token or a signature.
"""

from __future__ import annotations

import json
import logging
import time
import urllib.error
import urllib.parse
import urllib.request
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from urllib3.filepost import encode_multipart_formdata

from aftersales.core.clock import SHANGHAI

logger = logging.getLogger("aftersales.platforms.calls")

#: What a merchant can do on a platform case, in the platform-neutral words of the push.
#: agree_refund: 同意仅退款 · agree_return: 同意退货 (with the shop's return address) · refuse: 拒绝
#: (first review) · confirm_receipt: 确认收到退货 · refund: 退货后同意退款 · refuse_after_return: 二次拒绝
#: · ship_replacement: 换货/补寄发货.
ACTIONS = ("agree_refund", "agree_return", "refuse", "confirm_receipt", "refund", "refuse_after_return",
           "ship_replacement")

#: Kinds of failure. The sync retries the first two; the others are the platform's answer.
RATE_LIMITED, UNAVAILABLE = "rate_limited", "unavailable"
TOKEN_EXPIRED, AUTH_FAILED = "token_expired", "auth_failed"
CONFLICT, WEB_ONLY, FORBIDDEN, REJECTED, NOT_FOUND = "conflict", "web_only", "forbidden", "rejected", "not_found"
BAD_RESPONSE = "bad_response"
#: A refusal whose reason the platform wants proven by photos, sent without any; or a reject reason
#: of ours that matches none in the platform's list.
EVIDENCE_REQUIRED, NO_REASON_CODE = "evidence_required", "no_reason_code"
ERROR_KINDS = (RATE_LIMITED, UNAVAILABLE, TOKEN_EXPIRED, AUTH_FAILED, CONFLICT, WEB_ONLY, FORBIDDEN, REJECTED,
               NOT_FOUND, BAD_RESPONSE, EVIDENCE_REQUIRED, NO_REASON_CODE)
RETRYABLE = frozenset({RATE_LIMITED, UNAVAILABLE})


class ApiError(Exception):
    """A call that did not succeed: `kind` for the program, the platform's own code and message kept."""

    def __init__(self, kind: str, platform_code: str = "", message: str = "") -> None:
        super().__init__(f"{kind}: {platform_code} {message}".strip())
        self.kind, self.platform_code, self.message = kind, str(platform_code), message

    @property
    def retryable(self) -> bool:
        return self.kind in RETRYABLE


@dataclass
class Credentials:
    """A store's app (自用型应用) and its authorisation; lives only in memory, never logged."""

    app_key: str
    app_secret: str
    access_token: str = ""
    refresh_token: str = ""
    token_expires_at: datetime | None = None

    def __repr__(self) -> str:  # a stray repr() in a log line must not show the secret
        return f"Credentials(app_key={self.app_key!r}, app_secret='***', access_token='***')"


@dataclass(frozen=True)
class Token:
    access_token: str
    refresh_token: str
    expires_at: datetime


@dataclass
class Request:
    method: str
    url: str
    params: dict[str, str] = field(default_factory=dict)  # query string
    body: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Response:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)

    def json(self) -> Any:
        try:
            return json.loads(self.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise ApiError(BAD_RESPONSE, str(self.status), "not JSON") from None


class Transport(Protocol):
    def send(self, request: Request, timeout: float) -> Response: ...


class HttpTransport:
    """Plain HTTPS with the standard library: one request, a timeout, no redirects followed blindly."""

    def send(self, request: Request, timeout: float) -> Response:
        url = request.url
        if request.params:
            url += ("&" if "?" in url else "?") + urllib.parse.urlencode(request.params)
        http_request = urllib.request.Request(url, data=request.body, headers=request.headers,
                                              method=request.method)
        try:
            with urllib.request.urlopen(http_request, timeout=timeout) as answer:  # noqa: S310 - https only
                return Response(answer.status, answer.read(), dict(answer.headers))
        except urllib.error.HTTPError as exc:
            return Response(exc.code, exc.read() or b"", dict(exc.headers or {}))
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise ApiError(UNAVAILABLE, "", type(exc).__name__) from None


@dataclass
class CaseItem:
    """One after-sale case as a platform lists it, already in the import mappings' words.

    `case_fields` and each of `order_lines` hold canonical field names with texts as an export would
    show them (amounts in yuan, times as Beijing time, codes as the platform writes them), so that the
    same mapping file and record builders read them. `raw` is the platform's JSON (kept for the
    version fields a write must send back: 抖店 update_time, 天猫 refund_version).
    """

    platform_case_id: str
    platform_order_id: str
    updated_at: datetime
    case_fields: dict[str, str]
    order_lines: list[dict[str, str]]
    raw: dict[str, Any]
    quantity: int | None = None
    platform_sku_id: str = ""


@dataclass(frozen=True)
class RefuseReason:
    """One entry of a platform's published list of refuse reasons (抖店 rejectReasonCodeList, 淘宝
    taobao.refund.refusereason.get): its code, its text, whether the platform wants photos with it."""

    code: str
    text: str
    evidence_required: bool = False


@dataclass(frozen=True)
class EvidenceFile:
    """A photo of the shop's (the agent's or the warehouse's) sent with a refusal."""

    name: str
    content_type: str
    data: bytes


def multipart_body(fields: dict[str, str], files: dict[str, EvidenceFile]) -> tuple[bytes, str]:
    """(body, Content-Type) of a multipart/form-data upload: the text fields, then each file as a part
    with its name and type (TOP's byte[] parameters such as taobao.refund.refuse's refuse_proof)."""
    parts: dict[str, Any] = dict(fields)
    parts.update({name: (f.name, f.data, f.content_type) for name, f in files.items()})
    return encode_multipart_formdata(parts)


def pick_refuse_reason(reasons: list[RefuseReason], ours: str,
                       keywords: dict[str, tuple[str, ...]]) -> RefuseReason:
    """The platform's reason for one of our reject reasons (cases.services.REJECT_REASONS): the first in
    the platform's list whose text holds one of our reason's keywords, else its "other" reason.

    The platform's codes are read from its list, never kept here: only the texts are matched, so a
    renumbered list still works. ApiError NO_REASON_CODE when nothing fits."""
    for wanted in (ours, "other"):
        for reason in reasons:
            if any(word in reason.text for word in keywords.get(wanted, ())):
                return reason
    raise ApiError(NO_REASON_CODE, "", f"no refuse reason of the platform fits {ours!r}")


@dataclass
class Page:
    items: list[CaseItem]
    has_more: bool


@dataclass
class CallStats:
    """What the sync status page shows: calls by outcome, time spent waiting for rate limits."""

    calls: int = 0
    failed: dict[str, int] = field(default_factory=dict)
    rate_limit_waits: int = 0

    def fail(self, kind: str) -> None:
        self.failed[kind] = self.failed.get(kind, 0) + 1


Sleep = Callable[[float], None]


class BaseConnector(ABC):
    """Signing, sending, retrying and logging; a platform module fills in the rest."""

    platform = ""
    #: Widest update-time window one list call may ask for, and the biggest page.
    max_window = timedelta(hours=24)
    max_page_size = 100
    #: The number of the first page (抖店 counts from 0, the others from 1).
    first_page = 1
    #: Calls per second this client allows itself (the platforms' per-app limits are higher).
    calls_per_second = 20.0
    timeout = 10.0
    attempts = 4
    backoff = 0.5
    #: Where a merchant does what the API cannot (shown on the case page).
    workbench_url = ""
    #: push action -> API method; an action missing here has no API on this platform.
    action_methods: dict[str, str] = {}
    #: Actions that are no step at all on this platform (nothing to send, nothing to do by hand).
    local_only: frozenset[str] = frozenset()

    def __init__(self, base_url: str, credentials: Credentials, transport: Transport | None = None, *,
                 sleep: Sleep = time.sleep, stats: CallStats | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.credentials = credentials
        self.transport = transport or HttpTransport()
        self.sleep = sleep
        self.stats = stats or CallStats()
        self._next_call_at = 0.0

    # -- what each platform defines --

    @abstractmethod
    def build_request(self, method: str, params: dict[str, Any], *, with_token: bool = True) -> Request:
        """The signed request of `method` (each platform signs its own way)."""

    @abstractmethod
    def unwrap(self, method: str, payload: Any) -> Any:
        """The data of a successful answer, or ApiError with the platform's code classified."""

    #: Whether the platform POSTs push messages to the store's receiver URL (/stores/push/ID); 淘宝's
    #: TMC is consumed by the worker instead.
    pushes = False

    @classmethod
    def pushed_case_ids(cls, app_key: str, app_secret: str, headers: dict[str, str], body: bytes) -> list[str] | None:
        """The after-sale ids a push message names; None when its signature does not hold."""
        return None

    #: The method that answers one order with all its lines, buyer and freight ("" where the after-sale
    #: answer already carries its order: 抖店's order_info).
    order_method = ""

    def get_order(self, platform_order_id: str) -> list[dict[str, str]] | None:
        """The order's lines in the orders mapping's field texts (one dict per line, the order's own
        fields on each), or None when the platform does not know it or has no order call."""
        if not self.order_method:
            return None
        try:
            data = self.call(self.order_method, self.order_params(platform_order_id))
        except ApiError as exc:
            if exc.kind == NOT_FOUND:
                return None
            raise
        return self.order_lines(data)

    def order_params(self, platform_order_id: str) -> dict[str, Any]:
        raise NotImplementedError(f"{self.platform} has no order call")

    def order_lines(self, data: Any) -> list[dict[str, str]]:
        raise NotImplementedError(f"{self.platform} has no order call")

    def supports(self, action: str) -> bool:
        return action in self.action_methods

    # -- one call, with pacing, retries and a log line --

    def call(self, method: str, params: dict[str, Any], *, with_token: bool = True) -> Any:
        delay = self.backoff
        for attempt in range(1, self.attempts + 1):
            self._pace()
            started = time.monotonic()
            try:
                request = self.build_request(method, params, with_token=with_token)
                answer = self.transport.send(request, self.timeout)
                if answer.status >= 500:
                    raise ApiError(UNAVAILABLE, str(answer.status), "server error")
                data = self.unwrap(method, answer.json())
            except ApiError as exc:
                self.stats.calls += 1
                self.stats.fail(exc.kind)
                self._log(method, attempt, started, exc.kind, exc.platform_code)
                if not exc.retryable or attempt == self.attempts:
                    raise
                if exc.kind == RATE_LIMITED:
                    self.stats.rate_limit_waits += 1
                self.sleep(delay)
                delay *= 2
                continue
            self.stats.calls += 1
            self._log(method, attempt, started, "ok", "")
            return data
        raise AssertionError("unreachable")  # pragma: no cover

    def _pace(self) -> None:
        if self.calls_per_second <= 0:
            return
        moment = time.monotonic()
        if moment < self._next_call_at:
            self.sleep(self._next_call_at - moment)
            moment = self._next_call_at
        self._next_call_at = moment + 1.0 / self.calls_per_second

    def _log(self, method: str, attempt: int, started: float, outcome: str, code: str) -> None:
        # Only the method and the outcome: parameters may carry tokens, addresses or phone numbers.
        logger.info("%s %s attempt=%d outcome=%s code=%s ms=%d", self.platform, method, attempt, outcome,
                    code, (time.monotonic() - started) * 1000)


# ---- texts as the export files write them, for the mappings --------------------------------------


def beijing_text(moment: datetime | None) -> str:
    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S") if moment else ""


def from_beijing_text(text: str) -> datetime | None:
    if not text:
        return None
    return datetime.strptime(text[:19], "%Y-%m-%d %H:%M:%S").replace(tzinfo=SHANGHAI)


def from_epoch(seconds: int | str | None) -> datetime | None:
    if seconds in (None, "", 0, "0"):
        return None
    return datetime.fromtimestamp(int(seconds), UTC)


def epoch(moment: datetime) -> int:
    return int(moment.timestamp())


def yuan_text(fen: int | None) -> str:
    """Fen as the yuan text an export shows ("12.30"); "" when absent."""
    if fen is None:
        return ""
    sign = "-" if fen < 0 else ""
    fen = abs(int(fen))
    return f"{sign}{fen // 100}.{fen % 100:02d}"


def compact_json(value: Any) -> str:
    """JSON with keys sorted and no spaces — what 抖店 and 京东 sign."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
