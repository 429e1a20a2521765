"""Putting messages into the outbox, in the transaction of the change they report.

`enqueue_for_event(event)` is called by `cases.services.record_event` for every case event. Most
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
from aftersales.cases.domain.states import TERMINAL
from aftersales.cases.models import Case, CaseEvent
from aftersales.core import clock
from aftersales.core.choices import Role
from aftersales.core.fields import mask_phone
from aftersales.notifications import labels
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
    # Settling the last payment writes `refund_settled` and then this move: tell the buyer once.
    before = (CaseEvent.objects.filter(case_id=event.case_id, id__lt=event.id)
              .order_by("-id").values_list("action", flat=True).first())
    return None if before == "refund_settled" else "refund.settled"


#: Which buyer template a case event calls for; a callable decides from the event itself.
BUYER_TEMPLATES: dict[str, str | Callable[[CaseEvent], str | None]] = {
    "approve": _approve,
    "reject": "case.rejected",
    "fail_inspection": "case.rejected_after_return",
    "receive_return": "return.received",
    "execute_refund": "refund.executed",
    "refund_settled": "refund.settled",
    "refund_succeeded": _refund_succeeded,
    "ship_replacement": "replacement.shipped",
    "confirm_receipt": "case.completed",
    "close": "case.closed",
    "request_evidence": "evidence.requested",
    "rule_for_buyer": "arbitration.ruled_for_buyer",
    "rule_for_merchant": "arbitration.ruled_for_merchant",
    "reply": "case.reply",  # an agent's own words (care.send_reply)
}

#: Timer events for staff (written by cases.timers).
STAFF_TEMPLATES: dict[str, str] = {
    "deadline_reminder": "staff.deadline_reminder",
    "deadline_escalation": "staff.deadline_escalation",
    "deadline_passed": "staff.deadline_passed",
}


def enqueue_for_event(event: CaseEvent) -> list[Message]:
    """Queue what `event` means to buyers or staff. Called inside the transaction that wrote it."""
    action = event.action
    if action in STAFF_TEMPLATES:
        if not (event.payload or {}).get("notify_staff", True):
            return []  # e.g. a buyer's own deadline passing: the buyer hears of the move itself
        return _enqueue_staff(event, STAFF_TEMPLATES[action])
    choice = BUYER_TEMPLATES.get(action)
    if choice is None:
        return []
    if event.created_at and event.created_at < clock.now() - BUYER_NEWS_MAX_AGE:
        return []
    code = choice(event) if callable(choice) else choice
    if code is None:
        return []
    return _enqueue_buyer(event, code)


def _shop_of(case: Case) -> Shop:
    # The sweeper hands over cases with their shop attached; services do not, so look it up then.
    return case.shop if Case.shop.is_cached(case) else Shop.objects.get(pk=case.shop_id)


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
    }


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


def _enqueue_buyer(event: CaseEvent, code: str) -> list[Message]:
    case = event.case
    shop = _shop_of(case)
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
    messages = [
        _message(shop, case, event, Audience.BUYER, f"b{buyer.pk}", recipient, None, channel, email, code,
                 lang, rendered.subject, rendered.body, data)
        for channel in channels_for(shop)
    ]
    return _save(messages)


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

def staff_recipients(case: Case, action: str) -> list[tuple[object, str]]:
    """(user, role) to tell. A reminder goes to the assignee (the owners when nobody is assigned); an
    escalation or an overdue notice goes to the owners and the assignee."""
    memberships = Membership.objects.filter(shop_id=case.shop_id, role=Role.OWNER.value, user__is_active=True)
    owners = [(m.user, m.role) for m in memberships.select_related("user").order_by("user_id")]
    assignee = None
    if case.assignee_id:
        membership = Membership.objects.filter(shop_id=case.shop_id, user_id=case.assignee_id).select_related(
            "user").first()
        if membership is not None and membership.user.is_active:
            assignee = (membership.user, membership.role)
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
    }


def _enqueue_staff(event: CaseEvent, code: str) -> list[Message]:
    case = event.case
    shop = _shop_of(case)
    targets = staff_recipients(case, event.action)
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
    return _save(messages)


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
