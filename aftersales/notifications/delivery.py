"""Delivering the outbox: the log, e-mail, and webhooks signed with HMAC-SHA256.

A worker claims a due message with `SELECT … FOR UPDATE SKIP LOCKED`, sends it, and records the
result before it lets go of the row, in the same transaction: two workers never hold the same
message, and a message marked sent is never picked up again. Should a worker die after the receiver
got the POST but before the commit, the message goes out once more with the same
X-Aftersales-Delivery id, which is what the receiver deduplicates on.

Failed attempts are retried after 1m, 5m, 30m, 2h and 12h; then the message is dead.

A webhook goes only where `addresses` allows, checked at every attempt and on the connection itself
(never to the server's own network; see that module). A refused address makes the message dead at once:
retrying would not change the shop's setting. Webhooks go direct, never through a proxy from the
environment: through a proxy the address actually connected to could not be checked.
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q

from aftersales.core import clock
from aftersales.core.errors import DomainError
from aftersales.core.messages import translate
from aftersales.notifications import addresses
from aftersales.notifications.models import DELIVERABLE, ChannelKind, Message, MessageStatus
from aftersales.notifications.rendering import (
    DELIVERY_HEADER,
    EVENT_HEADER,
    SIGNATURE_HEADER,
    mask_phones,
    retry_delay,
    sign,
)
from aftersales.notifications.services import allow_private

logger = logging.getLogger("aftersales.notifications")

WEBHOOK_TIMEOUT = float(getattr(settings, "AFTERSALES_WEBHOOK_TIMEOUT", 10))
USER_AGENT = "aftersales-webhook/1"
#: Messages claimed per transaction: many for the log, one at a time where a network call is made.
BATCH = {ChannelKind.LOG.value: 200, ChannelKind.EMAIL.value: 1, ChannelKind.WEBHOOK.value: 1}


@dataclass(frozen=True)
class Result:
    status: str  # sent | retry | skipped | dead
    error: str = ""

    @classmethod
    def sent(cls) -> Result:
        return cls("sent")


# Channels ----------------------------------------------------------------------------------------------

def send_log(message: Message) -> Result:
    logger.info("notify [%s/%s] %s → %s: %s | %s", message.audience, message.template, message.pk,
                mask_phones(message.recipient), mask_phones(message.subject), mask_phones(message.body))
    return Result.sent()


def send_email(message: Message) -> Result:
    address = message.recipient if "@" in message.recipient else ""
    if not address:
        return Result("skipped", "no e-mail address known for this recipient")
    try:
        send_mail(message.subject, message.body, settings.DEFAULT_FROM_EMAIL, [address], fail_silently=False)
    except Exception as exc:  # SMTP errors come in many kinds; all of them mean "try later"
        return Result("retry", f"e-mail: {type(exc).__name__}: {exc}")
    return Result.sent()


def webhook_body(message: Message) -> bytes:
    """The exact bytes POSTed (and signed). Built from stored fields only, so a retry sends the same."""
    document = {
        "delivery": str(message.pk),
        "event": message.template,
        "shop": message.shop.slug,
        "audience": message.audience,
        "recipient": message.recipient,
        "language": message.language,
        "subject": message.subject,
        "body": message.body,
        "created_at": message.created_at.isoformat(),
        "data": message.data,
    }
    return json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):  # a redirect is a failure here
        return None


class _Guarded:
    """Opens every connection with `addresses.connect`: the host looked up once, each address vetted."""

    allow_private = False

    def do_open(self, http_class, req, **kwargs):
        def connection(*args, **kw):
            conn = http_class(*args, **kw)
            # http.client keeps this hook on the instance; the TLS handshake (SNI, certificate check
            # against the host name) and the Host header are unchanged.
            conn._create_connection = partial(addresses.connect, allow_private=self.allow_private)
            return conn

        return super().do_open(connection, req, **kwargs)


class _GuardedHTTP(_Guarded, urllib.request.HTTPHandler):
    """http:// through `addresses.connect`."""


class _GuardedHTTPS(_Guarded, urllib.request.HTTPSHandler):
    """https:// through `addresses.connect`."""


def _opener(private: bool) -> urllib.request.OpenerDirector:
    handlers = [urllib.request.ProxyHandler({}), _NoRedirect, _GuardedHTTP(), _GuardedHTTPS()]
    for handler in handlers[2:]:
        handler.allow_private = private
    return urllib.request.build_opener(*handlers)


def _refused(exc: DomainError) -> Result:
    reason = translate(exc.code, "en", **exc.params)
    kind = exc.params.get("kind")
    return Result("dead", f"webhook address refused: {reason}" + (f" ({kind})" if kind else ""))


def send_webhook(message: Message) -> Result:
    shop = message.shop
    url = shop.webhook_url
    if not url:
        return Result("skipped", "the shop has no webhook URL any more")
    if not shop.webhook_secret:
        return Result("skipped", "the shop has no webhook secret: nothing is sent unsigned")
    try:  # the URL may have been set before these checks, or elsewhere than the console
        target = addresses.check_url(url)
    except DomainError as exc:
        return _refused(exc)
    body = webhook_body(message)
    request = urllib.request.Request(target.url, data=body, method="POST", headers={
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        SIGNATURE_HEADER: sign(body, shop.webhook_secret),
        EVENT_HEADER: message.template,
        DELIVERY_HEADER: str(message.pk),
    })
    try:
        with _opener(allow_private()).open(request, timeout=WEBHOOK_TIMEOUT) as response:
            status = response.status
    except DomainError as exc:  # the host resolves to an address it must not reach (today)
        return _refused(exc)
    except urllib.error.HTTPError as exc:
        return Result("retry", f"HTTP {exc.code}")
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        return Result("retry", f"{type(exc).__name__}: {reason}")
    if 200 <= status < 300:
        return Result.sent()
    return Result("retry", f"HTTP {status}")


CHANNELS = {
    ChannelKind.LOG.value: send_log,
    ChannelKind.EMAIL.value: send_email,
    ChannelKind.WEBHOOK.value: send_webhook,
}


# The worker ------------------------------------------------------------------------------------------

@dataclass
class DeliveryReport:
    counts: Counter = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)

    @property
    def attempted(self) -> int:
        return sum(self.counts.values())

    def summary(self) -> str:
        return " ".join(f"{k}={v}" for k, v in sorted(self.counts.items())) or "nothing due"


def due_messages(now: datetime):
    return Message.objects.filter(status__in=DELIVERABLE, next_attempt_at__lte=now)


def deliver_due(now: datetime | None = None, *, limit: int = 1000) -> DeliveryReport:
    """Send what is due, oldest first, at most `limit` messages. Safe in several workers at once."""
    now = now or clock.now()
    report = DeliveryReport()
    after: tuple[datetime, int] | None = None
    while report.attempted < limit:
        candidates = due_messages(now)
        if after is not None:
            candidates = candidates.filter(
                Q(next_attempt_at__gt=after[0]) | Q(next_attempt_at=after[0], pk__gt=after[1]))
        ordered = candidates.order_by("next_attempt_at", "pk")
        head = list(ordered.values_list("pk", "next_attempt_at", "channel")[:200])
        if not head:
            break
        after = (head[-1][1], head[-1][0])
        for ids in _batches(head):
            _deliver_batch(ids, now, report)
            if report.attempted >= limit:
                break
    return report


def _batches(head: list[tuple[int, datetime, str]]):
    """Consecutive messages of one channel, in groups of that channel's batch size."""
    group: list[int] = []
    channel = None
    for pk, _when, kind in head:
        if group and (kind != channel or len(group) >= BATCH.get(channel, 1)):
            yield group
            group = []
        group.append(pk)
        channel = kind
    if group:
        yield group


def _deliver_batch(ids: list[int], now: datetime, report: DeliveryReport) -> None:
    with transaction.atomic():
        claimed = list(
            due_messages(now).filter(pk__in=ids).select_related("shop").order_by("pk")
            .select_for_update(skip_locked=True, of=("self",))
        )
        for message in claimed:  # rows another worker holds, or has already sent, are not here
            send = CHANNELS.get(message.channel)
            result = send(message) if send else Result("dead", f"unknown channel {message.channel}")
            _record(message, result, report)


def _record(message: Message, result: Result, report: DeliveryReport) -> None:
    at = clock.now()
    message.attempts += 1
    message.last_error = result.error[:500]
    if result.status == "sent":
        message.status, message.sent_at, message.next_attempt_at = MessageStatus.SENT.value, at, None
    elif result.status == "retry":
        delay = retry_delay(message.attempts)
        if delay is None:
            message.status, message.next_attempt_at = MessageStatus.DEAD.value, None
        else:
            message.status, message.next_attempt_at = MessageStatus.FAILED.value, at + delay
    else:  # skipped or dead: nothing more will be tried
        message.status, message.next_attempt_at = result.status, None
    message.save(update_fields=["attempts", "last_error", "status", "sent_at", "next_attempt_at"])
    report.counts[message.status] += 1
    if message.status != MessageStatus.SENT.value:
        line = f"message {message.pk} ({message.channel}): {message.status} {message.last_error}"
        report.errors.append(line)
        logger.warning("outbox %s", line)


def retry_now(message_id: int) -> bool:
    """Give a dead (or failed) message another go at once, e.g. after the receiver is fixed."""
    stuck = [MessageStatus.DEAD.value, MessageStatus.FAILED.value]
    updated = Message.objects.filter(pk=message_id, status__in=stuck).update(
        status=MessageStatus.PENDING.value, next_attempt_at=clock.now(), attempts=0)
    return bool(updated)
