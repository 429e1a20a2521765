"""The receiving desk: parcels in (matched by tracking number, or kept as 无信息件), inspection out.

An inspection is judged against the buyer's claim (cases/domain/inspection.py): one that passes moves
the case on (refund, or ship the exchange or the repair); one that fails — only for a documented reason,
with photos — rejects it after return. The resale grade is recorded beside it and moves nothing.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from aftersales.accounts.models import Shop
from aftersales.cases.domain.inspection import judge_return
from aftersales.cases.domain.states import Status
from aftersales.cases.models import Case
from aftersales.cases.services import By, hold_case, receive_return, record_inspection
from aftersales.core import clock
from aftersales.core.choices import CHECKLIST_ITEMS, Grade
from aftersales.core.errors import ConflictError, DomainError, NotFoundError
from aftersales.core.tracking import normalise_tracking, parse_tracking
from aftersales.warehouse.models import Inspection, ReturnParcel

#: Grades that go back on the shelf (A as new, B as B-stock); C and D are written off.
RESTOCKABLE_GRADES = (Grade.A.value, Grade.B.value)
_RECEIVABLE = (Status.AWAITING_RETURN.value, Status.RETURN_IN_TRANSIT.value)


def find_case_by_tracking(shop: Shop, tracking_no: str) -> Case | None:
    tracking_no = normalise_tracking(tracking_no)
    if not tracking_no:
        return None
    return (
        Case.objects.filter(shop=shop, return_tracking_no=tracking_no, status__in=_RECEIVABLE)
        .order_by("-created_at")
        .first()
    )


def unmatched_parcel(shop: Shop, tracking_no: str, *, lock: bool = False) -> ReturnParcel | None:
    """The parcel with no information (无信息件) already registered under this tracking number, if any."""
    tracking_no = normalise_tracking(tracking_no)
    if not tracking_no:
        return None
    parcels = ReturnParcel.objects.filter(shop=shop, tracking_no=tracking_no, case__isnull=True)
    return (parcels.select_for_update() if lock else parcels).order_by("received_at").first()


@transaction.atomic
def receive_parcel(
    shop: Shop,
    by: By,
    *,
    tracking_no: str = "",
    carrier: str = "",
    note: str = "",
    case_id: int | None = None,
    now: datetime | None = None,
) -> ReturnParcel:
    """Register a parcel at the desk. It is matched to its case by tracking number (or the case given);
    a parcel that matches nothing is kept as a parcel with no information (无信息件)."""
    now = now or clock.now()
    tracking_no = parse_tracking(tracking_no, required=False)
    if not tracking_no and not note.strip() and case_id is None:
        raise DomainError("parcel.needs_tracking_or_note")
    if case_id is not None:
        case = hold_case(shop, case_id)
    else:
        found = find_case_by_tracking(shop, tracking_no)
        case = hold_case(shop, found.pk) if found else None
    # A scanner reads the same label twice, or a parcel kept with no information is scanned again once its
    # case has its tracking number: it is the same parcel, never a second one on the desk.
    kept = unmatched_parcel(shop, tracking_no, lock=True)
    if kept is not None and case is None:
        raise ConflictError("parcel.already_registered", tracking_no=tracking_no, received_at=kept.received_at)
    user = by.user if getattr(by.user, "is_authenticated", False) else None
    parcel = kept or ReturnParcel.objects.create(
        shop=shop,
        tracking_no=tracking_no,
        carrier=carrier.strip(),
        note=note.strip(),
        received_at=now,
        received_by=user,
    )
    if case is not None:
        _attach(parcel, case, by, now)
    return parcel


def _attach(parcel: ReturnParcel, case: Case, by: By, now: datetime) -> None:
    if case.status not in _RECEIVABLE:
        raise ConflictError("parcel.case_not_awaiting_return", status=case.status)
    parcel.case = case
    parcel.matched_at = now
    parcel.save(update_fields=["case", "matched_at"])
    receive_return(case.shop_id, case, by, parcel_id=parcel.pk, tracking_no=parcel.tracking_no, now=now)


@transaction.atomic
def match_parcel(
    shop: Shop, parcel_id: int, case_id: int, by: By, *, now: datetime | None = None
) -> ReturnParcel:
    """Match a parcel with no information to its case, once somebody has worked out whose it is."""
    parcel = ReturnParcel.objects.select_for_update().filter(shop=shop, pk=parcel_id).first()
    if parcel is None:
        raise NotFoundError("parcel.not_found", parcel_id=parcel_id)
    if parcel.case_id is not None:
        raise ConflictError("parcel.already_matched")
    _attach(parcel, hold_case(shop, case_id), by, now or clock.now())
    return parcel


def checklist_for(case: Case) -> list[str]:
    """What to check on this return: the checklists of its products' categories, in the standard order."""
    wanted: set[str] = set()
    for line in case.lines.all():
        product = line.order_line.product
        if product is not None and product.category is not None:
            wanted.update(product.category.inspection_checklist or [])
    items = [item for item in CHECKLIST_ITEMS if item in wanted]
    return items or list(CHECKLIST_ITEMS)


@transaction.atomic
def inspect_return(
    shop: Shop,
    case_id: int,
    by: By,
    *,
    grade: str,
    checklist: dict[str, bool],
    failure_reason: str = "",
    photos: int = 0,
    restock: bool = False,
    accepted_quantity: int | None = None,
    note: str = "",
    write_off_fen: int = 0,
    now: datetime | None = None,
) -> Inspection:
    """Judge the return against the buyer's claim (`judge_return`: the verdict alone moves the case) and
    record its resale grade. `photos`: how many photos the caller keeps with it in this transaction (a
    failure needs one; `inspection.inspect_with_photos` stores them)."""
    now = now or clock.now()
    if grade not in {g.value for g in Grade}:
        raise DomainError("input.invalid_choice", field="grade", value=str(grade))
    unknown = set(checklist) - set(CHECKLIST_ITEMS)
    if unknown:
        raise DomainError("input.invalid_choice", field="checklist", value=",".join(sorted(unknown)))
    if write_off_fen < 0:
        raise DomainError("money.negative", value=str(write_off_fen))
    case = hold_case(shop, case_id)
    if case.status != Status.RETURN_RECEIVED.value:
        raise ConflictError("inspection.case_not_received", status=case.status)
    judgement = judge_return(case.reason, checklist, checklist_for(case), failure_reason=failure_reason,
                             photos=photos)
    parcel = case.parcels.order_by("-received_at").first()
    received = sum(line.received_quantity for line in case.lines.all())
    accepted = received if accepted_quantity is None else accepted_quantity
    if not judgement.passed:
        accepted = 0 if accepted_quantity is None else accepted
    if not (0 <= accepted <= received):
        raise DomainError("inspection.invalid_quantity", accepted=accepted, received=received)
    if restock and grade not in RESTOCKABLE_GRADES:
        raise DomainError("inspection.cannot_restock_grade", grade=grade)
    user = by.user if getattr(by.user, "is_authenticated", False) else None
    inspection = Inspection.objects.create(
        shop=shop,
        parcel=parcel,
        case=case,
        checklist=checklist,
        verdict=judgement.verdict.value,
        failure_reason=judgement.failure_reason,
        grade=grade,
        passed=judgement.passed,
        restock=restock,
        received_quantity=received,
        accepted_quantity=accepted,
        write_off_fen=write_off_fen,
        note=note,
        inspector=user,
        created_at=now,
    )
    record_inspection(shop, case, by, inspection_id=inspection.pk, passed=judgement.passed,
                      verdict=judgement.verdict.value, accepted_quantity=accepted, grade=grade, checklist=checklist,
                      restock=restock, failure_reason=judgement.failure_reason, note=note, now=now)
    return inspection
