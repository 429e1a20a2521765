"""Sending the merchant's decisions to the platform, through an outbox, and bringing back its answer.

On a connected store's case, a staff move the platform decides (cases/domain/states.PLATFORM_DECIDED)
is not made at once: `cases.kernel.move` asks `platform_gate` and, when the platform has an API for
it, writes a `platform_submitted` event and marks the case as awaiting the platform (等平台确认).
`command_for_event` — one of the subscribers, in that transaction — turns the event into one
`PlatformCommand` (keyed by the event: never two for one decision). The worker sends it with
`deliver_commands()`: it fetches the case first (the platform wants the current `update_time` /
`refund_version`), calls the action and, when the platform confirms, makes the move in the same
transaction (`confirm_platform_move`: the move's event, and so the buyer's message, only then); then
the case is written again from the platform, the source of truth. If the platform refuses (a version
conflict, "handle it in the web backend", a refusal its rules forbid), the command keeps the answer and
the case, never moved, gets a `platform_refused` event: the local case never claims a state the
platform rejected. Network failures and rate limits are retried with backoff; after MAX_ATTEMPTS the
command fails the same way. An action the platform has no API for is marked `unsupported` at once, the
case does not move, and the case page links to the platform's workbench.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction

from aftersales.cases.domain.return_address import platform_address_id
from aftersales.cases.models import Case, CaseEvent, Evidence
from aftersales.cases.services import confirm_platform_move, platform_refused_move
from aftersales.core import clock
from aftersales.core.labels import DECISION_REASON, label
from aftersales.platforms.connectors import ApiError, EvidenceFile, connector_for
from aftersales.platforms.sync.clients import session
from aftersales.platforms.sync.models import PlatformCommand, StoreConnection
from aftersales.platforms.sync.records import write_items

logger = logging.getLogger("aftersales.platforms.push")

MAX_ATTEMPTS = 6
STAFF_ACTORS = {"merchant", "warehouse"}
#: How many of the shop's photos go with a refusal (the platforms take a handful).
MAX_EVIDENCE = 5
REFUSALS = frozenset({"refuse", "refuse_after_return"})


def push_action(action: str, target: str) -> str | None:
    """Which platform action a move of the state machine is, or None (not every move concerns the platform)."""
    if action == "approve":
        return {"refunding": "agree_refund", "awaiting_return": "agree_return"}.get(target)
    if action == "reject":
        return "refuse"
    if action == "receive_return":
        return "confirm_receipt"
    if action == "pass_inspection":
        # Passing an exchange's or repair's return is ours alone: the platform took the receipt when the
        # return arrived (京东 asc.receive.register; the others count it with the next step).
        return "refund" if target == "refunding" else None
    if action == "fail_inspection":
        return "refuse_after_return"
    if action == "ship_replacement":
        return "ship_replacement"
    return None


def _plan(case: Case, action: str, target: str) -> tuple[StoreConnection, str, bool] | None:
    """(connection, platform action, whether it has an API) for a staff move on a connected store's
    case; None when the move is ours alone (no connected store, a training shop, a step the platform
    does not take)."""
    if not case.platform_case_id or case.shop.is_training:
        return None  # a training shop's case never reaches a platform
    platform_action = push_action(action, target)
    if platform_action is None:
        return None
    connection = (StoreConnection.objects.filter(shop_id=case.shop_id, platform=case.platform)
                  .exclude(state=StoreConnection.PAUSED).order_by("pk").first())
    if connection is None:
        return None
    connector = connector_for(connection.platform)
    if platform_action in connector.local_only:
        return None
    return connection, platform_action, connector.action_methods.get(platform_action) is not None


def platform_gate(case: Case, action: str, target: str) -> str:
    """The cases' gate (cases/subscribers.PLATFORM_GATE): "send", "no_api" or "" (ours to make)."""
    plan = _plan(case, action, target)
    if plan is None:
        return ""
    return "send" if plan[2] else "no_api"


def on_case_events(events, batch) -> None:
    """Subscriber of every case event (cases/subscribers.py): one command per decision handed to the platform."""
    for event in events:
        command_for_event(event)


def command_for_event(event: CaseEvent) -> PlatformCommand | None:
    """A `platform_submitted` event (a staff move the platform decides) becomes one command, in its transaction."""
    if event.action != "platform_submitted" or event.actor not in STAFF_ACTORS:
        return None
    case = event.case
    plan = _plan(case, event.payload.get("action", ""), event.payload.get("target", ""))
    if plan is None:
        return None
    connection, action, supported = plan
    now = clock.now()
    moved = event.payload.get("payload") or {}
    args = {"note": event.note[:200], "reason_code": event.reason_code,
            "reason_text": label(DECISION_REASON, event.reason_code, "zh-hans"),
            "return_address_id": return_address_id(case, connection),
            "carrier": moved.get("carrier", ""), "tracking_no": moved.get("tracking_no", "")}
    command, _ = PlatformCommand.objects.get_or_create(event_id=event.pk, defaults=dict(
        shop_id=case.shop_id, connection=connection, case=case, action=action, args=args,
        from_status=event.from_status, created_at=now, next_attempt_at=now,
        state=PlatformCommand.PENDING if supported else PlatformCommand.UNSUPPORTED,
        result_kind="" if supported else "unsupported", finished_at=None if supported else now,
    ))
    if supported:
        transaction.on_commit(_kick)
    return command


def return_address_id(case: Case, connection: StoreConnection) -> str:
    """The platform's id of the address the return goes to: the one the case was approved with when the
    shop gave that address an id on this platform, else the store's own."""
    return platform_address_id(case.return_address, connection.platform) or connection.return_address_id


def _kick() -> None:
    """Send soon rather than at the next minute: the worker takes it if one runs (huey)."""
    try:
        from aftersales.platforms.sync.tasks import send_platform_commands

        send_platform_commands()
    except Exception:  # noqa: BLE001 - the periodic run sends it anyway
        logger.debug("could not queue the platform commands task", exc_info=True)


@dataclass
class DeliveryReport:
    attempted: int = 0
    done: int = 0
    refused: int = 0
    retrying: int = 0

    def summary(self) -> str:
        return f"{self.attempted} sent: {self.done} done, {self.refused} refused, {self.retrying} to retry"


def deliver_commands(limit: int = 100) -> DeliveryReport:
    report = DeliveryReport()
    ids = list(PlatformCommand.objects.filter(state=PlatformCommand.PENDING, next_attempt_at__lte=clock.now())
               .order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:limit])
    for command_id in ids:
        outcome = deliver_one(command_id)
        if outcome is None:
            continue
        report.attempted += 1
        setattr(report, outcome, getattr(report, outcome) + 1)
    return report


def deliver_one(command_id: int) -> str | None:
    """Send one command; 'done', 'refused' or 'retrying'. The row is locked while it is sent."""
    with transaction.atomic():
        command = (PlatformCommand.objects.select_for_update(skip_locked=True)
                   .select_related("connection__shop", "case").filter(pk=command_id, state=PlatformCommand.PENDING)
                   .first())
        if command is None:
            return None
        command.attempts += 1
        store = session(command.connection)
        try:
            item = store.run(lambda c: c.get_case(command.case.platform_case_id))
            if item is None:
                raise ApiError("not_found", "", "the platform does not know this case")
            evidence = shop_evidence(command.case) if command.action in REFUSALS else []
            store.run(lambda c: c.perform(command.action, item, command.case.kind, command.args, evidence))
        except ApiError as exc:
            store.record_stats()
            if exc.retryable and command.attempts < MAX_ATTEMPTS:
                command.next_attempt_at = clock.now() + timedelta(seconds=30 * 2 ** (command.attempts - 1))
                command.result_kind, command.result_code = exc.kind, exc.platform_code
                command.result_message = exc.message[:300]
                command.save()
                return "retrying"
            _refused(command, exc)
            resync(command.connection, command.case.platform_case_id)
            return "refused"
        store.record_stats()
        command.state, command.finished_at = PlatformCommand.DONE, clock.now()
        command.result_kind = "ok"
        command.save()
        # Confirmed: the move is made now, in the command's transaction (its buyer message with it).
        submitted = CaseEvent.objects.select_related("actor_user").get(pk=command.event_id)
        confirm_platform_move(command.shop_id, command.case_id, submitted, command_id=command.pk)
    resync(command.connection, command.case.platform_case_id)
    return "done"


def shop_evidence(case: Case) -> list[EvidenceFile]:
    """The shop's own photos of the case (the agents' and the warehouse's, newest first), for a refusal
    whose reason the platform wants proven; the buyer's photos are the buyer's, never sent back."""
    files = []
    for photo in (Evidence.objects.filter(case=case, uploaded_by__in=sorted(STAFF_ACTORS))
                  .order_by("-created_at", "-pk")[:MAX_EVIDENCE]):
        with photo.file.open("rb") as handle:
            files.append(EvidenceFile(f"{photo.sha256[:16]}.{photo.extension}", photo.content_type, handle.read()))
    return files


def _refused(command: PlatformCommand, exc: ApiError) -> None:
    command.state = PlatformCommand.REJECTED if not exc.retryable else PlatformCommand.FAILED
    command.result_kind, command.result_code = exc.kind, exc.platform_code
    command.result_message, command.finished_at = exc.message[:300], clock.now()
    command.save()
    platform_refused_move(command.shop_id, command.case_id, action=command.action, kind=exc.kind,
                          code=exc.platform_code, message=exc.message, command_id=command.pk)


def resync(connection: StoreConnection, platform_case_id: str) -> None:
    """Write the case as the platform has it now (after an action, whichever way it went)."""
    store = session(connection)
    try:
        item = store.run(lambda c: c.get_case(platform_case_id))
    except ApiError as exc:
        logger.warning("re-reading case %s after a push failed: %s", platform_case_id, exc.kind)
        return
    finally:
        store.record_stats()
    if item is not None:
        write_items(connection.shop, connection.platform, [item], source=f"push:{connection.pk}",
                    connection_id=connection.pk, force=True)
