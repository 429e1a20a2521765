"""Putting messages into the outbox, in the transaction of the change they report.

`on_case_events` is the first subscriber of every case event (`cases/subscribers.py`). Most
events concern nobody outside and cost nothing here; the others become one message per recipient and
channel, keyed by the event id so that one event can never make two of the same message.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef

from aftersales.accounts.models import Membership, Shop
from aftersales.cases.domain.events import EVENT_KINDS, STAFF_MESSAGES
from aftersales.cases.domain.return_address import one_line
from aftersales.cases.domain.states import TERMINAL
from aftersales.cases.models import Case, CaseEvent
from aftersales.core import clock, labels
from aftersales.core.choices import Role
from aftersales.core.fields import mask_phone
from aftersales.notifications.models import Audience, ChannelKind, Message, MessageStatus
from aftersales.notifications.rendering import render, yuan

logger = logging.getLogger("aftersales.notifications")

#: Staff are told in the shop's working language.
STAFF_LANGUAGE = "zh-hans"
#: A change older than this (an import of history, say) is not announced to the buyer any more.
BUYER_NEWS_MAX_AGE = timedelta(hours=int(getattr(settings, "AFTERSALES_NOTIFY_MAX_AGE_HOURS", 72)))
#: The daily progress message to buyers of flagged cases goes out from this hour (Beijing time).
FOLLOW_UP_HOUR = int(getattr(settings, "AFTERSALES_FOLLOW_UP_HOUR", 10))

Params = dict[str, object]


def display_time(moment: datetime | None) -> str:
    return clock.to_shanghai(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def _money(event: CaseEvent) -> str:
    payload = event.payload or {}
    if "refunded_fen" in payload:
        return yuan(payload["refunded_fen"])
    if "payments" in payload:
        return yuan(sum(fen for _route, fen in payload["payments"]))
    if "amount_fen" in payload:
        return yuan(payload["amount_fen"])
    case = event.case
    return yuan(case.refund_granted_fen or case.requested_fen)


def _reason(event: CaseEvent, lang: str) -> str:
    failure = (event.payload or {}).get("failure_reason") if event.action == "fail_inspection" else ""
    if failure:  # the inspection's documented reason says more than "failed inspection"
        return labels.label(labels.FAILURE, failure, lang)
    return labels.label(labels.DECISION_REASON, event.reason_code or "other", lang)


def _note(event: CaseEvent, lang: str) -> str:
    note = (event.note or "").strip()
    if not note:
        return ""
    return f"说明：{note}。" if lang != "en" else f"Note: {note}. "


def _approve(event: CaseEvent) -> str | None:
    return {"refunding": "case.approved_refund", "awaiting_return": "case.approved_return",
            "fulfilling": "case.approved_reship"}.get(event.to_status)


def _refund_succeeded(event: CaseEvent) -> str | None:
    # Settling the last payment writes `refund_settled` and then this move: tell the buyer once. A return
    # refunded before it arrived (极速退款) completes when it passes: the buyer was told of the money then.
    if (event.payload or {}).get("refunded_before_receipt"):
        return None
    before = (CaseEvent.objects.filter(case_id=event.case_id, id__lt=event.id)
              .order_by("-id").values_list("action", flat=True).first())
    return None if before == "refund_settled" else "refund.settled"


#: Kinds whose template depends on the event itself; the others send their kind's message as declared
#: in cases/domain/events.py (EVENT_KINDS), the one list of what each kind of event tells whom.
REFINE: dict[str, Callable[[CaseEvent], str | None]] = {
    "approve": _approve,
    "refund_succeeded": _refund_succeeded,
    "reply": lambda event: None if event.actor == "buyer" else "case.reply",  # staff's words (care.send_reply)
    # A refund the platform paid itself (an import or a sync): the platform has told the buyer already.
    "refund_settled": lambda event: None if event.actor == "platform" else "refund.settled",
}


def message_code(event: CaseEvent) -> str | None:
    """The template `event` sends, or None when it tells nobody."""
    spec = EVENT_KINDS.get(event.action)
    if spec is None or spec.message is None:
        return None
    refine = REFINE.get(event.action)
    return refine(event) if refine else spec.message


def on_case_events(events: list[CaseEvent], batch) -> None:
    """Subscriber of every case event (cases/subscribers.py): queue what the events mean to people."""
    lookups = batch.cache.get("outbox")
    if lookups is None:
        lookups = batch.cache["outbox"] = Lookups()
    enqueue_for_events(list(events), lookups)


def enqueue_for_event(event: CaseEvent) -> list[Message]:
    """Queue what `event` means to buyers or staff. Called inside the transaction that wrote it."""
    return enqueue_for_events([event])


def enqueue_for_events(events: list[CaseEvent], lookups: Lookups | None = None) -> list[Message]:
    """The same for many events at once (the deadline sweeper), with one insert for all messages."""
    lookups = lookups or Lookups()
    messages: list[Message] = []
    for event in events:
        messages.extend(_messages_for(event, lookups))
    return _save(messages)


def _messages_for(event: CaseEvent, lookups: Lookups) -> list[Message]:
    code = message_code(event)
    if code is None:
        return []
    if lookups.shop(event.case).is_training:
        return []  # a training case's buyer is simulated: no message, no e-mail, no webhook leaves
    if event.action in STAFF_MESSAGES:
        if not (event.payload or {}).get("notify_staff", True):
            return []  # e.g. a buyer's own deadline passing: the buyer hears of the move itself
        return _staff_messages(event, code, lookups)
    if event.created_at and event.created_at < clock.now() - BUYER_NEWS_MAX_AGE:
        return []
    return _buyer_messages(event, code, lookups)


class Lookups:
    """Shops and staff looked up once for a batch of events (within one transaction)."""

    def __init__(self) -> None:
        self.shops: dict[int, Shop] = {}
        self.owners: dict[int, list[tuple[object, str]]] = {}
        self.members: dict[tuple[int, int], tuple[object, str] | None] = {}

    def shop(self, case: Case) -> Shop:
        # The sweeper hands over cases with their shop attached; services do not, so look it up then.
        if Case.shop.is_cached(case):
            return case.shop
        if case.shop_id not in self.shops:
            self.shops[case.shop_id] = Shop.objects.get(pk=case.shop_id)
        return self.shops[case.shop_id]

    def owners_of(self, shop_id: int) -> list[tuple[object, str]]:
        if shop_id not in self.owners:
            owners = (Membership.objects.filter(shop_id=shop_id, role=Role.OWNER.value, user__is_active=True)
                      .select_related("user").order_by("user_id"))
            self.owners[shop_id] = [(m.user, m.role) for m in owners]
        return self.owners[shop_id]

    def member(self, shop_id: int, user_id: int) -> tuple[object, str] | None:
        key = (shop_id, user_id)
        if key not in self.members:
            found = (Membership.objects.filter(shop_id=shop_id, user_id=user_id, user__is_active=True)
                     .select_related("user").first())
            self.members[key] = (found.user, found.role) if found else None
        return self.members[key]


def buyer_params(event: CaseEvent, lang: str) -> Params:
    case = event.case
    payload = event.payload or {}
    return {
        "number": case.number,
        "amount": _money(event),
        "reason": _reason(event, lang),
        "note": _note(event, lang) if event.action in ("reject", "fail_inspection", "rule_for_merchant") else
        (event.note or "").strip(),
        "due": display_time(case.deadline_at),
        "carrier": payload.get("carrier", ""),
        "tracking_no": payload.get("tracking_no", ""),
        "status": labels.label(labels.STATUS, case.status, lang),
        "return_address": _return_address(event, lang),
    }


def _return_address(event: CaseEvent, lang: str) -> str:
    """Where to send the goods, whole (the buyer needs the phone to write on the parcel); the log of
    messages masks it like every phone. Only the approval of a return says it."""
    if event.action != "approve" or not event.case.return_address:
        return ""
    line = one_line(event.case.return_address, masked=False)
    return f"Return address: {line}." if lang == "en" else f"退货地址：{line}。"


def _case_data(case: Case) -> dict:
    order = case.order if Case.order.is_cached(case) else None
    return {
        "id": case.pk, "number": case.number, "platform": case.platform,
        "platform_case_id": case.platform_case_id or "", "status": case.status, "kind": case.kind,
        "platform_order_id": order.platform_order_id if order else "",
    }


def _event_data(event: CaseEvent) -> dict:
    return {
        "id": event.pk, "action": event.action, "actor": event.actor, "from_status": event.from_status,
        "to_status": event.to_status, "reason_code": event.reason_code,
        "created_at": event.created_at.isoformat() if event.created_at else "",
    }


def _buyer_messages(event: CaseEvent, code: str, lookups: Lookups) -> list[Message]:
    case = event.case
    shop = lookups.shop(case)
    buyer = case.buyer
    lang = labels.normalise_language(getattr(buyer, "language", "") or labels.DEFAULT_LANGUAGE)
    params = buyer_params(event, lang)
    rendered = render(code, lang, **params)
    who = buyer.nick or buyer.name or f"buyer#{buyer.pk}"
    masked = mask_phone(buyer.phone)
    recipient = f"{who} ({masked})" if masked else who
    data = {"case": _case_data(case), "event": _event_data(event),
            "buyer": {"id": buyer.pk, "nick": buyer.nick, "phone_masked": masked, "platform": buyer.platform},
            "params": {k: str(v) for k, v in params.items()}}
    email = (getattr(buyer, "email", "") or "").strip()
    return [
        _message(shop, case, event, Audience.BUYER, f"b{buyer.pk}", recipient, None, channel, email, code,
                 lang, rendered.subject, rendered.body, data)
        for channel in channels_for(shop)
    ]


def channels_for(shop: Shop) -> list[str]:
    """The shop's channels: its webhook and/or e-mail when set up, else the log."""
    channels = []
    if shop.webhook_url:
        channels.append(ChannelKind.WEBHOOK.value)
    if shop.notify_email:
        channels.append(ChannelKind.EMAIL.value)
    return channels or [ChannelKind.LOG.value]


def _message(shop, case, event, audience, who_key, recipient, user, channel, email, code, lang, subject, body,
             data, *, dedupe_key: str | None = None, now: datetime | None = None) -> Message:
    now = now or clock.now()
    message = Message(
        shop=shop, case=case, event_id=event.pk if event else None, audience=audience.value,
        recipient=(email if channel == ChannelKind.EMAIL and email else recipient)[:200], recipient_user=user,
        channel=channel, template=code, language=lang, subject=subject[:200], body=body, data=data,
        dedupe_key=dedupe_key or f"ev{event.pk}:{audience.value[0]}:{who_key}:{channel}",
        status=MessageStatus.PENDING.value, next_attempt_at=now, created_at=now,
    )
    if channel == ChannelKind.EMAIL and not email:
        # Nothing to send to: say so plainly instead of retrying for a day.
        message.status, message.next_attempt_at = MessageStatus.SKIPPED.value, None
        message.last_error = "no e-mail address known for this recipient"
    return message


def _save(messages: list[Message]) -> list[Message]:
    if messages:
        Message.objects.bulk_create(messages, ignore_conflicts=True)
    return messages


# Staff -----------------------------------------------------------------------------------------------

def staff_recipients(case: Case, action: str, lookups: Lookups | None = None,
                     payload: dict | None = None) -> list[tuple[object, str]]:
    """(user, role) to tell. A reminder goes to the assignee (the owners when nobody is assigned); an
    escalation or an overdue notice goes to the owners and the assignee; a compensation asked above an
    agent's limit to the owners, and its refusal to the agent who asked."""
    lookups = lookups or Lookups()
    owners = lookups.owners_of(case.shop_id)
    if action == "compensation_requested":
        return owners
    if action == "compensation_declined":
        asker = (payload or {}).get("requested_by")
        member = lookups.member(case.shop_id, asker) if asker else None
        return [member] if member else []
    assignee = lookups.member(case.shop_id, case.assignee_id) if case.assignee_id else None
    if action == "deadline_reminder":
        return [assignee] if assignee else owners
    if assignee and all(user.pk != assignee[0].pk for user, _role in owners):
        return owners + [assignee]
    return owners


def staff_params(event: CaseEvent, case: Case, assignee_name: str) -> Params:
    payload = event.payload or {}
    lang = STAFF_LANGUAGE
    due = payload.get("deadline_at")
    due_at = datetime.fromisoformat(due) if due else case.deadline_at
    return {
        "number": case.number,
        "platform": labels.label(labels.PLATFORM, case.platform, lang),
        "stage": labels.label(labels.STAGE, payload.get("stage", case.deadline_stage), lang),
        "due": display_time(due_at),
        "consequence": labels.label(labels.CONSEQUENCE, payload.get("on_expiry", "none"), lang),
        "assignee": assignee_name or "未分配",
        "outcome": payload.get("outcome_text", ""),
        "amount": yuan(payload.get("cost_fen", payload.get("amount_fen", 0)))
        if "cost_fen" in payload or "amount_fen" in payload else "",
        "note": (event.note or "").strip(),
    }


def _staff_messages(event: CaseEvent, code: str, lookups: Lookups) -> list[Message]:
    case = event.case
    shop = lookups.shop(case)
    targets = staff_recipients(case, event.action, lookups, event.payload)
    assignee = next((user for user, _role in targets if user.pk == case.assignee_id), None)
    params = staff_params(event, case, assignee.get_username() if assignee else "")
    rendered = render(code, STAFF_LANGUAGE, **params)
    data = {"case": _case_data(case), "event": _event_data(event),
            "params": {k: str(v) for k, v in params.items()},
            "timer": {k: v for k, v in (event.payload or {}).items() if k != "outcome_text"}}
    messages = []
    for user, role in targets or [(None, "")]:
        if user is None:  # a shop without owners: the log still shows it
            key, recipient, email, user_data = "shop", f"{shop.slug}", "", data
        else:
            name = user.get_username()
            key, email = f"u{user.pk}", user.email
            recipient = f"{name} ({labels.label(labels.ROLE, role, STAFF_LANGUAGE)})"
            user_data = {**data, "staff": {"username": name, "role": role}}
        for channel in channels_for(shop):
            messages.append(_message(shop, case, event, Audience.STAFF, key, recipient, user, channel, email,
                                     code, STAFF_LANGUAGE, rendered.subject, rendered.body, user_data))
    return messages


# Daily follow-ups --------------------------------------------------------------------------------------

def enqueue_follow_ups(now: datetime | None = None, *, batch: int = 500) -> int:
    """Tell the buyer of each flagged open case how it stands, once per Beijing day.

    Nothing is sent before FOLLOW_UP_HOUR, nor to a buyer who already heard about the case today.
    The dedupe key is per case per day, so running this every minute sends one message a day.
    """
    now = now or clock.now()
    local = clock.to_shanghai(now)
    if local.hour < FOLLOW_UP_HOUR:
        return 0
    day = local.date()
    start_of_day = local.replace(hour=0, minute=0, second=0, microsecond=0)
    told_today = Message.objects.filter(case=OuterRef("pk"), audience=Audience.BUYER.value,
                                        created_at__gte=start_of_day)
    flagged = (Case.objects.filter(follow_up=True).exclude(status__in=[s.value for s in TERMINAL])
               .exclude(Exists(told_today)).select_related("shop", "buyer", "order").order_by("pk"))
    created = 0
    last_pk = 0
    while True:
        chunk = list(flagged.filter(pk__gt=last_pk)[:batch])
        if not chunk:
            return created
        last_pk = chunk[-1].pk
        messages = [m for case in chunk for m in _follow_up_messages(case, day, now)]
        keys = [m.dedupe_key for m in messages]
        existing = set(Message.objects.filter(dedupe_key__in=keys).values_list("dedupe_key", flat=True))
        fresh = [m for m in messages if m.dedupe_key not in existing]
        _save(fresh)
        created += len(fresh)


def _follow_up_messages(case: Case, day, now: datetime) -> list[Message]:
    buyer = case.buyer
    lang = labels.normalise_language(getattr(buyer, "language", "") or labels.DEFAULT_LANGUAGE)
    params = {"number": case.number, "status": labels.label(labels.STATUS, case.status, lang),
              "due": display_time(case.deadline_at)}
    rendered = render("case.progress", lang, **params)
    masked = mask_phone(buyer.phone)
    who = buyer.nick or buyer.name or f"buyer#{buyer.pk}"
    recipient = f"{who} ({masked})" if masked else who
    data = {"case": _case_data(case), "buyer": {"id": buyer.pk, "nick": buyer.nick, "phone_masked": masked},
            "params": params, "day": day.isoformat()}
    email = (getattr(buyer, "email", "") or "").strip()
    return [
        _message(case.shop, case, None, Audience.BUYER, f"b{buyer.pk}", recipient, None, channel, email,
                 "case.progress", lang, rendered.subject, rendered.body, data,
                 dedupe_key=f"fu{case.pk}:{day:%Y%m%d}:{channel}", now=now)
        for channel in channels_for(case.shop)
    ]
