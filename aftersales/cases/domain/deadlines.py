"""Deadlines of each step of a case, and what happens when one passes.

The platform's own deadline always wins (DY `status_deadline`, TB `refund_remind_timeout.timeout`,
Tmall `time_out`, PDD `expire_time`): platforms change their timers often, and only they know about
holiday extensions. The fallback table below is used only when a platform gives none, and for the
merchant's own shop, where these numbers are the shop's promise (modelled on Taobao's).

Sources: platforms-and-law §1 and §3. Numbers marked "inferred" are not published by the platform;
they are chosen on the early side, so that staff are reminded before the platform acts, never after.
Hour timers run on the clock; legal timers count whole Beijing days from the day after (clock.days_after).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from aftersales.cases.domain.states import TERMINAL, Action, Kind, Status
from aftersales.core.choices import Platform
from aftersales.core.clock import days_after, require_aware
from aftersales.core.errors import DomainError


class Stage(StrEnum):
    """Whose move it is, and so which clock runs."""

    MERCHANT_REVIEW = "merchant_review"  # 商家审核 (first review)
    BUYER_RETURN_SHIPMENT = "buyer_return_shipment"  # 买家退货寄回
    MERCHANT_CONFIRM_RECEIPT = "merchant_confirm_receipt"  # 商家确认收货
    LEGAL_REFUND_AFTER_RECEIPT = "legal_refund_after_receipt"  # 收到退货后七日内退款 (消保法 25)
    ARBITRATION_EVIDENCE = "arbitration_evidence"  # 平台介入, 商家举证
    BUYER_CONFIRM_RECEIPT = "buyer_confirm_receipt"  # 买家确认收到换货/补寄
    BUYER_RESPOND_TO_REJECTION = "buyer_respond_to_rejection"  # 被拒后买家修改或申请介入
    MERCHANT_SHIP_REPLACEMENT = "merchant_ship_replacement"  # 商家发出换货/补寄/维修件
    REFUND_PAYOUT = "refund_payout"  # 退款到账


class DefaultAction(StrEnum):
    """What the platform does by itself when the deadline passes."""

    AUTO_APPROVE = "auto_approve"  # 超时自动同意
    AUTO_CLOSE = "auto_close"  # 超时关闭 (the buyer did not act)
    AUTO_REFUND = "auto_refund"  # 超时自动退款
    AUTO_CONFIRM = "auto_confirm"  # 超时自动确认收货
    NONE = "none"  # nothing automatic: remind and escalate to staff


@dataclass(frozen=True)
class Timer:
    """How long a stage may last when the platform has given no deadline."""

    after: timedelta | None = None  # clock time from entering the stage
    unshipped: timedelta | None = None  # used instead of `after` when the goods never shipped
    legal_days: int | None = None  # whole Beijing days, counted from the day after (law)
    after_return_signed: timedelta | None = None  # cut short once the return parcel is signed for

    def due(self, entered_at: datetime, *, shipped: bool, returned_signed_at: datetime | None) -> datetime:
        if self.legal_days is not None:
            # The law counts from receipt of the returned goods, not from when we noticed the status.
            return days_after(returned_signed_at or entered_at, self.legal_days)
        span = self.unshipped if (not shipped and self.unshipped is not None) else self.after
        if span is None:  # pragma: no cover - every Timer in the table has a span
            raise ValueError("timer without a span")
        due = entered_at + span
        if self.after_return_signed is not None and returned_signed_at is not None:
            due = min(due, returned_signed_at + self.after_return_signed)
        return due


H, D = timedelta(hours=1), timedelta(days=1)
P = Stage

#: Stages common to all platforms, unless a platform says otherwise below.
_COMMON: dict[Stage, Timer] = {
    P.BUYER_RETURN_SHIPMENT: Timer(after=7 * D),  # DY/TB/WeChat: the buyer ships within 7 days
    P.LEGAL_REFUND_AFTER_RECEIPT: Timer(legal_days=7),  # 消保法 25, 办法 13
    P.REFUND_PAYOUT: Timer(legal_days=7),  # the same legal clock, while the money is on its way
    P.ARBITRATION_EVIDENCE: Timer(after=24 * H),  # JD: answer a 纠纷单 in 24h; others inferred
    P.MERCHANT_SHIP_REPLACEMENT: Timer(after=72 * H),  # JD: re-ship ≤72h after the return arrives
    P.BUYER_CONFIRM_RECEIPT: Timer(after=7 * D),  # inferred
    P.BUYER_RESPOND_TO_REJECTION: Timer(after=7 * D),  # §3 row 4; WeChat: escalate within 7 days
    P.MERCHANT_CONFIRM_RECEIPT: Timer(after=7 * D),  # inferred (PDD's number)
}

_TAOBAO: dict[Stage, Timer] = {
    # 48h while unshipped (then auto-refund), 5 days once shipped (then auto-agree).
    P.MERCHANT_REVIEW: Timer(after=5 * D, unshipped=48 * H),
    P.MERCHANT_CONFIRM_RECEIPT: Timer(after=10 * D),  # express; 平邮 would be 30 days
    P.BUYER_CONFIRM_RECEIPT: Timer(after=10 * D),  # Taobao's express auto-confirm
}

_OVERRIDES: dict[str, dict[Stage, Timer]] = {
    Platform.DOUYIN: {P.MERCHANT_REVIEW: Timer(after=48 * H)},
    Platform.TAOBAO: _TAOBAO,
    Platform.TMALL: _TAOBAO,
    Platform.OWN: _TAOBAO,
    Platform.JD: {
        P.MERCHANT_REVIEW: Timer(after=72 * H, unshipped=24 * H),
        P.BUYER_RESPOND_TO_REJECTION: Timer(after=15 * D),  # JD: intervention ≤15 days after a rejection
    },
    Platform.PDD: {
        # 48h; for unshipped refund-only the sources say 24h or 36h, so we take the earlier.
        P.MERCHANT_REVIEW: Timer(after=48 * H, unshipped=24 * H),
        # 7 days after the buyer ships, cut to 24h once the return is signed for.
        P.MERCHANT_CONFIRM_RECEIPT: Timer(after=7 * D, after_return_signed=24 * H),
    },
}

FALLBACK: dict[tuple[str, Stage], Timer] = {
    (platform.value, stage): _OVERRIDES[platform].get(stage) or _COMMON[stage]
    for platform in Platform
    for stage in Stage
}

#: Stages where the next move is the buyer's: a deadline passing there is not the shop's lateness
#: (never a red 已超时); the platform's timer closes or confirms the case by itself.
BUYER_STAGES: frozenset[Stage] = frozenset({
    P.BUYER_RETURN_SHIPMENT, P.BUYER_RESPOND_TO_REJECTION, P.BUYER_CONFIRM_RECEIPT,
})
#: Stages where the platform has the case (平台介入): it rules, so a deadline passing there is not the
#: shop's lateness either.
PLATFORM_STAGES: frozenset[Stage] = frozenset({P.ARBITRATION_EVIDENCE})
WAITING_ON_US, WAITING_ON_BUYER, WAITING_ON_PLATFORM = "us", "buyer", "platform"
#: The case as the platform last reported it is out of date (`behind_platform`): 平台状态待同步.
PLATFORM_TO_SYNC = "sync"
WAITING = (WAITING_ON_US, WAITING_ON_BUYER, WAITING_ON_PLATFORM, PLATFORM_TO_SYNC)


def behind_platform(deadline_at: datetime | None, platform_seen_at: datetime | None) -> bool:
    """Whether the case's deadline had already passed when we last took the platform's word for it (an
    export of old cases, a pull that lags the platform's timer). The platform's timer has acted on it
    by itself — approved, closed, refunded — before the shop had the case: its stored status is the
    platform's as it was, nobody's lateness here, and only the platform's newer word (a fresh export,
    a pull) says where it stands. A deadline the shop's own move set afterwards is live again."""
    return deadline_at is not None and platform_seen_at is not None and deadline_at <= platform_seen_at


def waiting_on(stage: str | None, awaiting_platform: str = "", behind: bool = False) -> str:
    """Whose move a case waits for: "platform" while the platform arbitrates or has still to confirm a
    decision the shop pushed to it (`awaiting_platform`, the action sent); "sync" when the platform's
    state we hold is behind it (`behind`, from `behind_platform`); "buyer" at a buyer's stage; else
    "us" (the shop). Only "us" can be late."""
    if awaiting_platform:
        return WAITING_ON_PLATFORM
    if behind:
        return PLATFORM_TO_SYNC
    if stage in PLATFORM_STAGES:
        return WAITING_ON_PLATFORM
    return WAITING_ON_BUYER if stage in BUYER_STAGES else WAITING_ON_US


_BUYER_SIDE_ACTIONS: dict[Stage, DefaultAction] = {
    P.BUYER_RETURN_SHIPMENT: DefaultAction.AUTO_CLOSE,
    P.BUYER_RESPOND_TO_REJECTION: DefaultAction.AUTO_CLOSE,
    P.BUYER_CONFIRM_RECEIPT: DefaultAction.AUTO_CONFIRM,
}
_PLATFORM_ACTIONS: dict[Stage, DefaultAction] = {
    **_BUYER_SIDE_ACTIONS,
    P.MERCHANT_REVIEW: DefaultAction.AUTO_APPROVE,
    P.MERCHANT_CONFIRM_RECEIPT: DefaultAction.AUTO_REFUND,
    P.LEGAL_REFUND_AFTER_RECEIPT: DefaultAction.AUTO_REFUND,
}


def _actions_for(platform: Platform) -> dict[Stage, DefaultAction]:
    if platform == Platform.OWN:
        # No platform stands behind an own-shop case: a late buyer closes the case, but a late
        # merchant is escalated to staff, never paid out by a timer.
        return dict(_BUYER_SIDE_ACTIONS)
    if platform == Platform.JD:
        # JD auto-approves the first review; after receipt it rules on the evidence (no auto-refund).
        return {**_BUYER_SIDE_ACTIONS, P.MERCHANT_REVIEW: DefaultAction.AUTO_APPROVE}
    return dict(_PLATFORM_ACTIONS)


DEFAULT_ACTIONS: dict[tuple[str, Stage], DefaultAction] = {
    (platform.value, stage): _actions_for(platform).get(stage, DefaultAction.NONE)
    for platform in Platform
    for stage in Stage
}


@dataclass(frozen=True)
class Deadline:
    due_at: datetime
    stage: Stage
    source: str  # "platform" | "fallback"
    action: DefaultAction = DefaultAction.NONE  # what happens when it passes


def _platform(platform: str) -> str:
    try:
        return Platform(platform).value
    except ValueError:
        raise DomainError("deadline.unknown_platform", platform=str(platform)) from None


_STAGE_OF_STATUS: dict[Status, Stage] = {
    Status.REQUESTED: P.MERCHANT_REVIEW,
    Status.REJECTED: P.BUYER_RESPOND_TO_REJECTION,
    Status.REJECTED_AFTER_RETURN: P.BUYER_RESPOND_TO_REJECTION,
    Status.AWAITING_RETURN: P.BUYER_RETURN_SHIPMENT,
    Status.RETURN_IN_TRANSIT: P.MERCHANT_CONFIRM_RECEIPT,
    Status.REFUNDING: P.REFUND_PAYOUT,
    Status.FULFILLING: P.MERCHANT_SHIP_REPLACEMENT,
    Status.AWAITING_BUYER_RECEIPT: P.BUYER_CONFIRM_RECEIPT,
    Status.ARBITRATION: P.ARBITRATION_EVIDENCE,
}


def stage_for(status: Status | str, kind: Kind | str) -> Stage | None:
    """The clock that runs while a case of `kind` is in `status`; None once it is final."""
    status, kind = Status(status), Kind(kind)
    if status in TERMINAL:
        return None
    if status == Status.RETURN_RECEIVED:
        # A refund is due by law; an exchange or repair is due back to the buyer.
        return P.LEGAL_REFUND_AFTER_RECEIPT if kind == Kind.RETURN_REFUND else P.MERCHANT_SHIP_REPLACEMENT
    return _STAGE_OF_STATUS[status]


def default_action(platform: str, stage: Stage | str) -> DefaultAction:
    """What `platform` does by itself when `stage`'s deadline passes."""
    return DEFAULT_ACTIONS[(_platform(platform), Stage(stage))]


def fallback_timer(platform: str, stage: Stage | str) -> Timer:
    return FALLBACK[(_platform(platform), Stage(stage))]


def next_deadline(
    platform: str,
    status: Status | str,
    kind: Kind | str,
    entered_at: datetime,
    *,
    shipped: bool,
    platform_deadline: datetime | None = None,
    returned_signed_at: datetime | None = None,
) -> Deadline | None:
    """The deadline of the step a case has just entered, or None when the case is final.

    `entered_at`: when the case entered `status`. `shipped`: whether the goods ever left the
    warehouse (changes the review timer on TB/JD/PDD). `returned_signed_at`: when the return parcel
    was signed for — the legal refund clock (and PDD's 24h cut) run from it, so pass it once known.
    """
    require_aware(entered_at, "entered_at")
    stage = stage_for(status, kind)
    if stage is None:
        return None
    platform = _platform(platform)
    action = default_action(platform, stage)
    if platform_deadline is not None:
        return Deadline(require_aware(platform_deadline, "platform_deadline"), stage, "platform", action)
    if returned_signed_at is not None:
        require_aware(returned_signed_at, "returned_signed_at")
    timer = fallback_timer(platform, stage)
    due = timer.due(entered_at, shipped=shipped, returned_signed_at=returned_signed_at)
    return Deadline(due, stage, "fallback", action)


def timer_actions(action: DefaultAction | str, status: Status | str, kind: Kind | str) -> tuple[Action, ...]:
    """The moves (made by `Actor.SYSTEM`) that carry out `action` on a case in `status`.

    Empty when there is nothing to do automatically: the sweeper then only reminds and escalates.
    """
    action, status, kind = DefaultAction(action), Status(status), Kind(kind)
    if status in TERMINAL:
        return ()
    if action == DefaultAction.AUTO_CLOSE:
        return (Action.CLOSE,)
    if action == DefaultAction.AUTO_APPROVE and status == Status.REQUESTED:
        return (Action.APPROVE,)
    if action == DefaultAction.AUTO_CONFIRM and status == Status.AWAITING_BUYER_RECEIPT:
        return (Action.CONFIRM_RECEIPT,)
    if action == DefaultAction.AUTO_REFUND:
        return _auto_refund_steps(status, kind)
    return ()


def _auto_refund_steps(status: Status, kind: Kind) -> tuple[Action, ...]:
    if status == Status.REQUESTED and kind in (Kind.REFUND_ONLY, Kind.PARTIAL_REFUND, Kind.PRICE_PROTECTION):
        return (Action.APPROVE,)
    if kind != Kind.RETURN_REFUND:  # exchanges and repairs are never turned into money by a timer
        return ()
    if status == Status.RETURN_IN_TRANSIT:
        return (Action.RECEIVE_RETURN, Action.PASS_INSPECTION)
    if status == Status.RETURN_RECEIVED:
        return (Action.PASS_INSPECTION,)
    return ()


CODES = frozenset({"deadline.unknown_platform", "time.naive"})
