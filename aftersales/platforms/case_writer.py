"""Cases of an after-sale export (售后单 / 退款单 / 服务单) → Case, CaseLine, CaseEvent.

For a platform case the platform is the source of truth. A case seen for the first time is opened
through the normal path (`cases.services.open_case`, policy not enforced, at the time the buyer
asked), then brought to the platform's status, amounts and deadline directly — without our state
machine, which describes our own moves, not the platform's — and that sync always writes one
`platform_sync` event (actor: platform) with what changed and the platform's raw texts. A case seen
again is compared with the file: if anything changed it is updated with one `platform_sync` event,
if nothing changed nothing is written, so importing the same file twice adds no event.

Each case is written in its own transaction. Money goes through the refund ledger, never straight into
the case: what the platform granted and paid back is booked by `refunds.services.record_platform_refund`
(a refund decision and a settled payment by the platform, actor `platform`), within the refund rule; a
larger platform figure is reported, not booked. Amounts already granted or refunded are never lowered
by an import. The status is the platform's own and is set as it says (our state machine describes our
own moves, not the platform's), with one `platform_sync` event.
"""

from __future__ import annotations

from datetime import datetime

from django.db import DatabaseError, transaction

from aftersales.accounts.models import Shop
from aftersales.cases.buyer_words import read_words
from aftersales.cases.domain.states import MONEY_KINDS, TERMINAL, Actor, Status
from aftersales.cases.models import Case, CaseLine
from aftersales.cases.refund_rule import cap_for_new_case
from aftersales.cases.services import By, goods_status_of, open_case, record_event, refresh_deadline
from aftersales.core import clock
from aftersales.core.choices import ArbitrationStatus, GoodsStatus, ReturnLogistics
from aftersales.core.errors import DomainError
from aftersales.core.tracking import normalise_tracking
from aftersales.orders.models import Order, OrderLine
from aftersales.platforms.importing import CaseRecord, derive_line_id
from aftersales.platforms.report import Report
from aftersales.platforms.writing import CREATED, SKIPPED, UNCHANGED, UPDATED, Columns, Tally, cut, yuan
from aftersales.refunds.services import record_platform_refund

BATCH_CASES = 200
PLATFORM = By(Actor.PLATFORM)
BUYER = By(Actor.BUYER)
_MONEY_KINDS = {k.value for k in MONEY_KINDS}
_TERMINAL = {s.value for s in TERMINAL}

#: What a platform sync compares and, when it differs, overwrites.
SYNC_FIELDS = (
    "status", "platform_status_raw", "platform_type_raw", "kind", "reason", "reason_raw", "requested_fen",
    "return_tracking_no",
    "return_carrier", "return_logistics", "arbitration_status", "deadline_at", "deadline_stage",
    "deadline_source", "closed_at", "goods_status",
)  # fmt: skip


class CaseWriter:
    def __init__(self, shop: Shop, platform: str, report: Report, col: Columns, *, file_name: str = "",
                 run_id: int | None = None, batch: int = BATCH_CASES) -> None:
        self.shop, self.platform, self.report, self.col = shop, platform, report, col
        self.file_name, self.run_id, self.batch = file_name, run_id, batch
        self.tally = Tally()
        self._pending: dict[str, CaseRecord] = {}

    def add(self, record: CaseRecord) -> None:
        if record.platform_case_id not in self._pending and len(self._pending) >= self.batch:
            self.flush()
        self._pending[record.platform_case_id] = record

    def superseded(self, earlier_row: int, key: str) -> None:
        record = self._pending.get(key)
        if record is not None and record.row_number == earlier_row:
            del self._pending[key]
            self.tally.row(SKIPPED)

    def flush(self) -> None:
        records = sorted(self._pending.values(), key=lambda r: r.row_number)
        self._pending.clear()
        for record in records:
            self._write_one(record)

    def _write_one(self, record: CaseRecord) -> None:
        try:
            with transaction.atomic():
                outcome = self._write(record)
        except (DatabaseError, DomainError, ValueError) as exc:
            detail = getattr(exc, "code", None) or str(exc).splitlines()[0][:200]
            self.report.error(record.row_number, self.col("platform_case_id"), record.platform_case_id,
                              "import.row_failed", detail=detail)
            outcome = SKIPPED
        self.tally.row(outcome)
        if outcome in (CREATED, UPDATED):
            self.tally.wrote("cases", outcome)

    def _write(self, record: CaseRecord) -> str:
        if len(record.platform_case_id) > 64:
            self.report.error(record.row_number, self.col("platform_case_id"), record.platform_case_id,
                              "import.id_too_long", limit=64)
            return SKIPPED
        case = (Case.objects.select_for_update().select_related("order")
                .filter(shop=self.shop, platform=self.platform, platform_case_id=record.platform_case_id).first())
        created = case is None
        if created:
            order = Order.objects.filter(shop=self.shop, platform=self.platform,
                                         platform_order_id=record.platform_order_id).first()
            if order is None:
                self.report.error(record.row_number, self.col("platform_order_id"), record.platform_order_id,
                                  "import.order_missing")
                return SKIPPED
            case = self._open(record, order)
        changed = self._sync(case, record, created)
        if created:
            return CREATED
        return UPDATED if changed else UNCHANGED

    # -- a new case --

    def _open(self, record: CaseRecord, order: Order) -> Case:
        line = match_line(order, record)
        quantity = min(record.quantity or line.quantity, line.quantity)
        asked_at = record.requested_at or clock.now()
        try:
            with transaction.atomic():
                return open_case(
                    self.shop, order_id=order.pk, lines=[(line.pk, quantity)], kind=record.kind,
                    reason=record.reason or "other", by=BUYER, buyer_note=cut(record.buyer_note, 2000),
                    platform_case_id=record.platform_case_id, enforce_policy=False, now=asked_at,
                )
        except DomainError as exc:
            # The platform accepted what our rules would not (units already in another open case …):
            # it is recorded as reported, and the merchant told.
            self.report.warning(record.row_number, self.col("platform_case_id"), record.platform_case_id,
                                "import.case_recorded_as_is", detail=exc.code)
            return self._record_as_is(record, order, line, quantity, asked_at)

    def _record_as_is(self, record: CaseRecord, order: Order, line: OrderLine, quantity: int,
                      asked_at: datetime) -> Case:
        order = Order.objects.select_for_update(no_key=True).get(pk=order.pk)
        goods_status = goods_status_of(order)
        cap = cap_for_new_case(order, [(line, quantity)], kind=record.kind,  # the refund rule
                               reason=record.reason or "other")
        case = Case.objects.create(
            shop=self.shop, number=f"tmp-{clock.now().timestamp()}-{order.pk}", order=order, buyer_id=order.buyer_id,
            platform=order.platform, platform_case_id=record.platform_case_id, kind=record.kind,
            status=Status.REQUESTED.value, goods_status=goods_status.value, reason=record.reason or "other",
            buyer_note=cut(record.buyer_note, 2000), wanted_remedy=record.kind, requested_fen=0,
            refund_cap_fen=cap, created_at=asked_at, **read_words(cut(record.buyer_note, 2000)),
        )
        case.number = f"AS{clock.shanghai_date(asked_at):%y%m%d}{case.pk:06d}"
        refresh_deadline(case, asked_at)
        case.save()
        CaseLine.objects.create(case=case, order_line=line, quantity=quantity)
        record_event(case, BUYER, "open", to_status=Status.REQUESTED.value, note=case.buyer_note, now=asked_at,
                     payload={"lines": [[line.pk, quantity]], "as_reported": True})
        return case

    # -- bringing a case to what the platform says --

    def _sync(self, case: Case, record: CaseRecord, created: bool) -> bool:
        before = {name: getattr(case, name) for name in SYNC_FIELDS}
        status_changed = record.status != case.status
        case.status = record.status
        case.platform_status_raw = cut(record.status_raw, 64)
        case.platform_type_raw = cut(record.kind_raw, 64)
        case.kind = record.kind
        if record.reason:
            case.reason, case.reason_raw = record.reason, cut(record.reason_raw, 200)
        if record.requested_amount_fen is not None:
            case.requested_fen = record.requested_amount_fen
        if record.return_tracking_no:
            case.return_tracking_no = cut(normalise_tracking(record.return_tracking_no), 64)
            case.return_carrier = cut(record.return_carrier, 32) or case.return_carrier
            if case.return_logistics == ReturnLogistics.NONE.value:
                case.return_logistics = ReturnLogistics.SHIPPED.value
        if case.status == Status.ARBITRATION.value and case.arbitration_status == ArbitrationStatus.NONE.value:
            case.arbitration_status = ArbitrationStatus.REQUESTED.value
        if created:
            case.goods_status = goods_status_from_text(record.goods_status) or case.goods_status
        self._close_and_deadline(case, record, status_changed)
        changes = {name: [_plain(old), _plain(getattr(case, name))]
                   for name, old in before.items() if getattr(case, name) != old}
        now = max(clock.now(), case.created_at)
        if changes:
            case.version += 1
            case.save()
            record_event(case, PLATFORM, "platform_sync", from_status=before["status"], to_status=case.status,
                         reason_code="platform_status", payload=self._payload(record, changes), now=now)
        return self._money(case, record, now) or bool(changes)

    def _close_and_deadline(self, case: Case, record: CaseRecord, status_changed: bool) -> None:
        if case.status in _TERMINAL:
            if status_changed or case.closed_at is None:
                case.closed_at = record.closed_at or record.refunded_at or clock.now()
        else:
            case.closed_at = None
        platform_deadline = record.deadline_at if case.status not in _TERMINAL else None
        new_platform_deadline = platform_deadline is not None and (
            case.deadline_source != "platform" or case.deadline_at != platform_deadline
        )
        if status_changed or new_platform_deadline:
            # Without a platform deadline the fallback table runs from when the case entered the status.
            refresh_deadline(case, _entered_at(record), platform_deadline)

    def _money(self, case: Case, record: CaseRecord, now: datetime) -> bool:
        """Book what the platform granted and paid back through the refund ledger (a decision and a
        settled payment by the platform, `refunds.services.record_platform_refund`), within the refund
        rule: a larger platform figure is reported, not booked. Returns whether anything was booked."""
        if case.kind not in _MONEY_KINDS:
            return False
        amount = record.refund_amount_fen if record.refund_amount_fen is not None else record.requested_amount_fen
        granted = record.status in (Status.REFUNDING.value, Status.COMPLETED.value) or record.refunded_at is not None
        if amount is None or not granted:
            return False
        paid_back = record.refunded_at is not None or record.status == Status.COMPLETED.value
        booked = record_platform_refund(
            self.shop, case.pk, granted_fen=amount, refunded_fen=amount if paid_back else 0,
            reference=f"{self.platform}:{record.platform_case_id}", now=now,
        )
        if booked.refused_fen:
            self.report.warning(record.row_number, self.col("refund_amount_fen") if record.refund_amount_fen
                                is not None else self.col("requested_amount_fen"), yuan(amount),
                                "import.refund_clamped", amount=yuan(amount),
                                cap=yuan(amount - booked.refused_fen))
        case.refresh_from_db()
        return bool(booked.granted_fen or booked.paid_fen)

    def _payload(self, record: CaseRecord, changes: dict) -> dict:
        raw = {
            "status": record.status_raw, "type": record.kind_raw, "reason": record.reason_raw,
            "requested_fen": record.requested_amount_fen, "refund_fen": record.refund_amount_fen,
            "deadline_at": _plain(record.deadline_at), "refunded_at": _plain(record.refunded_at),
            "arbitration": record.arbitration, "return_tracking_no": record.return_tracking_no,
        }
        return {"changes": changes, "platform": {k: v for k, v in raw.items() if v not in ("", None)},
                "import_run": self.run_id, "file": self.file_name, "row": record.row_number}


def match_line(order: Order, record: CaseRecord) -> OrderLine:
    """The order line a case is about: by sub-order id, by SKU id or code, by title, else the first."""
    lines = list(order.lines.order_by("pk"))
    if not lines:
        raise DomainError("order.no_lines", order=order.platform_order_id)
    oid = order.platform_order_id
    wanted_ids = [record.platform_line_id] if record.platform_line_id else []
    wanted_ids += [derive_line_id(oid, key, record.product_title)
                   for key in (record.platform_sku_id, record.sku_code) if key]
    if not (record.platform_sku_id or record.sku_code) and record.product_title:
        wanted_ids.append(derive_line_id(oid, "", record.product_title))
    for wanted in wanted_ids:
        for line in lines:
            if line.platform_line_id == wanted:
                return line
    for attribute, value in (("sku_code", record.sku_code), ("title", cut(record.product_title, 200))):
        if value:
            for line in lines:
                if getattr(line, attribute) == value:
                    return line
    return lines[0]


def goods_status_from_text(text: str) -> str | None:
    """The goods' whereabouts from the platform's words (未发货, 买家已收到货 …); None when unsure."""
    if not text:
        return None
    if "未发货" in text or "未出库" in text:
        return GoodsStatus.NOT_SHIPPED.value
    if "未收到" in text:
        return GoodsStatus.IN_TRANSIT.value
    if any(word in text for word in ("已收到", "已收货", "已签收", "已退货")):
        return GoodsStatus.RECEIVED.value
    return None


def _entered_at(record: CaseRecord) -> datetime:
    """When the case entered its current status, as far as the file tells."""
    moments = [m for m in (record.requested_at, record.agreed_at, record.return_shipped_at) if m is not None]
    return max(moments) if moments else clock.now()


def _plain(value):
    if isinstance(value, datetime):
        return value.isoformat()
    return value

