"""Cases of an after-sale export (售后单 / 退款单 / 服务单) or of a pull → Case, CaseLine, CaseEvent.

For a platform case the platform is the source of truth, and the case follows it through the cases
verbs, with the platform as the actor. A case seen for the first time is opened through the normal path
(`cases.services.open_case_once`, policy not enforced, at the time the buyer asked; the platform's
case id is its natural key, so two imports of one file at once open it once), then brought to what the
platform says by `cases.platform_updates.follow_platform`: the state machine's moves from `requested`
to the platform's status (`states.platform_route`: requested → completed is an approval, then the
refund's success, each its own event), and one `platform_sync` event with the other facts that changed
and the platform's raw texts. A case seen again is compared with the file the same way; if nothing
changed nothing is written, so importing the same file twice adds no event.

A batch (a page of a pull) is written in one transaction. Its new cases take those very steps
together, in memory, and are written in a fixed number of statements (`cases.platform_pages`); the
others, each in a savepoint of its own. Money goes through the refund ledger, never straight into
the case: what the platform granted and paid back is booked by `refunds.services.record_platform_refund`
(a refund decision and a settled payment by the platform, actor `platform`), within the refund rule; a
larger platform figure is reported, not booked. Amounts already granted or refunded are never lowered
by an import.
"""

from __future__ import annotations

from datetime import datetime

from django.db import DatabaseError, transaction
from django.db.models import Prefetch

from aftersales.accounts.models import Shop
from aftersales.cases.buyer_words import read_ahead
from aftersales.cases.domain.states import MONEY_KINDS, Actor, Kind, Status
from aftersales.cases.models import Case
from aftersales.cases.platform_pages import NewPlatformCase, open_platform_cases
from aftersales.cases.platform_updates import PlatformView, follow_platform, open_reported_case
from aftersales.cases.services import By, open_case_once
from aftersales.cases.subscribers import Hold, held
from aftersales.core import clock
from aftersales.core.choices import GoodsStatus
from aftersales.core.errors import DomainError
from aftersales.core.tracking import normalise_tracking
from aftersales.orders.models import Order, OrderLine
from aftersales.platforms.importing import CaseRecord, derive_line_id
from aftersales.platforms.report import Report
from aftersales.platforms.writing import CREATED, SKIPPED, UNCHANGED, UPDATED, Columns, Tally, cut, yuan
from aftersales.refunds.services import record_platform_refund

BATCH_CASES = 200
BUYER = By(Actor.BUYER)
_MONEY_KINDS = {k.value for k in MONEY_KINDS}
#: Kinds whose amount pays back whole units of the goods (`units_claimed`).
_UNITS_BY_AMOUNT = {Kind.REFUND_ONLY.value, Kind.RETURN_REFUND.value}


class CaseWriter:
    def __init__(self, shop: Shop, platform: str, report: Report, col: Columns, *, file_name: str = "",
                 run_id: int | None = None, batch: int = BATCH_CASES) -> None:
        self.shop, self.platform, self.report, self.col = shop, platform, report, col
        self.file_name, self.run_id, self.batch = file_name, run_id, batch
        self.tally = Tally()
        self._pending: dict[str, CaseRecord] = {}
        self._known: dict[str, int] = {}  # the batch's cases already stored: platform case id → id
        self._orders: dict[str, Order] = {}  # the batch's orders, with their lines
        #: Orders a case was written on (opened or changed): its events brought their analytics up to date.
        self.orders_written: set[int] = set()

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
        """Write the batch in one transaction: its new cases together (`_open_new`), the others each in
        a savepoint of its own (a failed case is reported and leaves the others whole). The subscribers
        run once for the batch, at its end (`cases.subscribers.held`): the analytics of all its orders
        are refreshed together and are current when it commits. The batch's orders are locked first,
        in one statement, by ascending platform order id, so two writers at once lock them in one
        sequence and never wait on each other in a circle."""
        records = sorted(self._pending.values(), key=lambda r: (r.platform_order_id, r.row_number))
        self._pending.clear()
        if not records:
            return
        read_ahead(cut(r.buyer_note, 2000) for r in records)  # the buyers' words, in one call of the model
        with transaction.atomic(), held() as hold:
            # The orders first, locked in one sequence; then the cases, which a writer that held them
            # before us has committed by now.
            self._orders = {o.platform_order_id: o for o in Order.objects.select_for_update(no_key=True).filter(
                shop=self.shop, platform=self.platform,
                platform_order_id__in={r.platform_order_id for r in records} - {""},
            ).order_by("platform_order_id").prefetch_related(Prefetch("lines", queryset=OrderLine.objects.order_by("pk")))}
            self._known = dict(Case.objects.filter(
                shop=self.shop, platform=self.platform,
                platform_case_id__in=[r.platform_case_id for r in records]).values_list("platform_case_id", "pk"))
            for record in self._open_new(records, hold):
                self._write_one(record, hold)

    def _open_new(self, records: list[CaseRecord], hold: Hold) -> list[CaseRecord]:
        """Open the batch's new cases together (`cases.platform_pages`); returns the records left to
        write one by one: cases seen before, cases with money the platform granted (booked through the
        ledger on the stored case), those refused as asked — and all of them if the database refuses
        the page (a concurrent writer opened one of its cases first): one by one, that is handled."""
        new = {}
        for record in records:
            reported = self._new_case(record)
            if reported is not None:
                new[record.platform_case_id] = reported
        if not new:
            return records
        try:
            with hold.savepoint(), transaction.atomic():
                opened = open_platform_cases(self.shop, list(new.values()))
        except DatabaseError:
            return records
        self.tally.row(CREATED, len(opened))
        self.tally.wrote("cases", CREATED, len(opened))
        self.orders_written.update(new[key].order_id for key in opened)
        return [record for record in records if record.platform_case_id not in opened]

    def _new_case(self, record: CaseRecord) -> NewPlatformCase | None:
        """The record as a new case for the page, or None when it is to be written on its own."""
        order = self._orders.get(record.platform_order_id)
        if (order is None or record.platform_case_id in self._known or len(record.platform_case_id) > 64
                or self._reports_money(record)):
            return None
        try:
            return self._asked(record, order)
        except DomainError:  # an order without lines: reported on its own
            return None

    def _asked(self, record: CaseRecord, order: Order) -> NewPlatformCase:
        """What the buyer asked, on which line of the order, and what the platform says of it now."""
        line = match_line(order, record)
        return NewPlatformCase(
            platform_case_id=record.platform_case_id, order_id=order.pk, line_id=line.pk,
            quantity=units_claimed(record, line), kind=record.kind,
            reason=record.reason or "other", buyer_note=cut(record.buyer_note, 2000),
            asked_at=record.requested_at or clock.now(), view=self._view(record), now=clock.now(),
        )

    def _write_one(self, record: CaseRecord, hold: Hold) -> None:
        try:
            with hold.savepoint(), transaction.atomic():
                outcome = self._write(record)
        except (DatabaseError, DomainError, ValueError) as exc:
            detail = getattr(exc, "code", None) or str(exc).splitlines()[0][:200]
            self.report.error(record.row_number, self.col("platform_case_id"), record.platform_case_id,
                              "import.row_failed", detail=detail)
            outcome = SKIPPED
        self.tally.row(outcome)
        if outcome in (CREATED, UPDATED):
            self.tally.wrote("cases", outcome)
            order = self._orders.get(record.platform_order_id)
            if order is not None:
                self.orders_written.add(order.pk)

    def _write(self, record: CaseRecord) -> str:
        if len(record.platform_case_id) > 64:
            self.report.error(record.row_number, self.col("platform_case_id"), record.platform_case_id,
                              "import.id_too_long", limit=64)
            return SKIPPED
        case_id = self._known.get(record.platform_case_id)
        created = False
        if case_id is None:
            order = self._orders.get(record.platform_order_id)
            if order is None:
                self.report.error(record.row_number, self.col("platform_order_id"), record.platform_order_id,
                                  "import.order_missing")
                return SKIPPED
            case_id, created = self._open(record, order)
        now = clock.now()
        book = (lambda: self._money(case_id, record, now)) if self._reports_money(record) else None
        changed = follow_platform(self.shop, case_id, self._view(record), created=created, now=now, book_money=book)
        if created:
            return CREATED
        return UPDATED if changed else UNCHANGED

    # -- a new case --

    def _open(self, record: CaseRecord, order: Order) -> tuple[int, bool]:
        """(the case's id, whether this import opened it). Created once: when a concurrent import of
        the same case wrote it first, its case is the one (and is brought up to date like any other)."""
        asked = self._asked(record, order)
        try:  # the verb's own savepoint undoes what it began when it refuses
            case, created = open_case_once(
                self.shop, order_id=order.pk, lines=[(asked.line_id, asked.quantity)], kind=asked.kind,
                reason=asked.reason, by=BUYER, buyer_note=asked.buyer_note,
                platform_case_id=record.platform_case_id, enforce_policy=False, now=asked.asked_at,
            )
            return case.pk, created
        except DomainError as exc:
            if exc.code == "case.exists":  # opened meanwhile by another import, since changed
                return self._existing(record), False
            # The platform accepted what our rules would not (units already in another open case …):
            # it is recorded as reported, and the merchant told.
            self.report.warning(record.row_number, self.col("platform_case_id"), record.platform_case_id,
                                "import.case_recorded_as_is", detail=exc.code)
        case, created = open_reported_case(
            self.shop, order_id=order.pk, line_id=asked.line_id, quantity=asked.quantity, kind=asked.kind,
            reason=asked.reason, buyer_note=asked.buyer_note, platform_case_id=record.platform_case_id,
            asked_at=asked.asked_at,
        )
        return case.pk, created

    def _existing(self, record: CaseRecord) -> int:
        return Case.objects.values_list("pk", flat=True).get(
            shop=self.shop, platform=self.platform, platform_case_id=record.platform_case_id)

    # -- bringing a case to what the platform says --

    def _view(self, record: CaseRecord) -> PlatformView:
        return PlatformView(
            status=record.status, status_raw=cut(record.status_raw, 64), status_also=record.status_also, kind=record.kind,
            kind_raw=cut(record.kind_raw, 64), reason=record.reason or "", reason_raw=cut(record.reason_raw, 200),
            requested_fen=record.requested_amount_fen,
            return_tracking_no=cut(normalise_tracking(record.return_tracking_no), 64) if record.return_tracking_no
            else "",
            return_carrier=cut(record.return_carrier, 32), goods_status=goods_status_from_text(record.goods_status),
            deadline_at=record.deadline_at, entered_at=_entered_at(record),
            closed_at=_ended_at(record), payload=self._payload(record),
        )

    @staticmethod
    def _reports_money(record: CaseRecord) -> bool:
        """Whether the platform reports money granted (or paid back) on the case."""
        if record.kind not in _MONEY_KINDS:
            return False
        amount = record.refund_amount_fen if record.refund_amount_fen is not None else record.requested_amount_fen
        granted = record.status in (Status.REFUNDING.value, Status.COMPLETED.value) or record.refunded_at is not None
        return amount is not None and granted

    def _money(self, case_id: int, record: CaseRecord, now: datetime) -> bool:
        """Book what the platform granted and paid back through the refund ledger (a decision and a
        settled payment by the platform, `refunds.services.record_platform_refund`), within the refund
        rule: a larger platform figure is reported, not booked. Returns whether anything was booked."""
        amount = record.refund_amount_fen if record.refund_amount_fen is not None else record.requested_amount_fen
        paid_back = record.refunded_at is not None or record.status == Status.COMPLETED.value
        booked = record_platform_refund(
            self.shop, case_id, granted_fen=amount, refunded_fen=amount if paid_back else 0,
            reference=f"{self.platform}:{record.platform_case_id}", now=now,
        )
        if booked.refused_fen:
            self.report.warning(record.row_number, self.col("refund_amount_fen") if record.refund_amount_fen
                                is not None else self.col("requested_amount_fen"), yuan(amount),
                                "import.refund_clamped", amount=yuan(amount),
                                cap=yuan(amount - booked.refused_fen))
        return bool(booked.granted_fen or booked.paid_fen)

    def _payload(self, record: CaseRecord) -> dict:
        raw = {
            "status": record.status_raw, "type": record.kind_raw, "reason": record.reason_raw,
            "requested_fen": record.requested_amount_fen, "refund_fen": record.refund_amount_fen,
            "deadline_at": _plain(record.deadline_at), "refunded_at": _plain(record.refunded_at),
            "arbitration": record.arbitration, "return_tracking_no": record.return_tracking_no,
        }
        return {"platform": {k: v for k, v in raw.items() if v not in ("", None)},
                "import_run": self.run_id, "file": self.file_name, "row": record.row_number}


def match_line(order: Order, record: CaseRecord) -> OrderLine:
    """The order line a case is about: by sub-order id, by SKU id or code, by title, else the first."""
    lines = sorted(order.lines.all(), key=lambda line: line.pk)  # prefetched with the batch's orders
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


def units_claimed(record: CaseRecord, line: OrderLine) -> int:
    """The units of `line` the case is about: the file's quantity; else, for a refund of goods (仅退款,
    退货退款: 拼多多 and 千牛 退款 exports carry no quantity), as many units as its amount pays for at the
    line's unit paid price, rounded up — ¥29.90 of a line of two at ¥29.90 is one unit, and the other
    can still be asked for; else the whole line (an exchange or a repair names no amount, and a partial
    refund's or a price protection's amount is a part of the price, not a count of units). Always at
    least 1 and at most the line's quantity."""
    if record.quantity:
        return max(1, min(record.quantity, line.quantity))
    amount = record.refund_amount_fen if record.refund_amount_fen is not None else record.requested_amount_fen
    if record.kind not in _UNITS_BY_AMOUNT or not amount or amount < 0 or line.paid_fen <= 0:
        return line.quantity
    units = -(-amount * line.quantity // line.paid_fen)  # amount ÷ (paid ÷ quantity), rounded up
    return max(1, min(units, line.quantity))


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


def _latest(record: CaseRecord) -> datetime | None:
    """The latest moment of the case's progress the row shows (申请, 同意, 退货寄出)."""
    moments = [m for m in (record.requested_at, record.agreed_at, record.return_shipped_at) if m is not None]
    return max(moments) if moments else None


def _entered_at(record: CaseRecord) -> datetime:
    """When the case entered its current status, as far as the file tells."""
    return _latest(record) or clock.now()


def _ended_at(record: CaseRecord) -> datetime | None:
    """When a finished case ended, as far as the file tells: its finish time (完结 / 关闭 / 退款完结),
    else the latest moment the row shows (退款同意, 退货寄出, 申请 — 京东 服务单 and 拼多多 exports carry no
    finish time). Never the import's moment: an export of last year's cases would all end today."""
    return record.closed_at or record.refunded_at or _latest(record)


def _plain(value):
    if isinstance(value, datetime):
        return value.isoformat()
    return value

