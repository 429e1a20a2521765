"""The warehouse receiving desk: scan a parcel, match it, inspect and grade the return.

Warehouse staff (and owners) only; they see parcels and inspections, never refunds.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from aftersales.cases.domain.inspection import claims_a_fault
from aftersales.cases.domain.states import Actor
from aftersales.core.errors import DomainError
from aftersales.warehouse import selectors
from aftersales.warehouse import services as warehouse
from aftersales.warehouse.forms import InspectForm, MatchForm, ReceiveForm, ScanForm
from aftersales.warehouse.inspection import inspect_with_photos
from aftersales.web.access import DESK_ROLES, staff_view
from aftersales.web.errors import error_text


def _desk(request: HttpRequest, *, scan_form=None, receive_form=None, error: str = "", status: int = 200,
          waiting=None, received=None, kept=None, scanned: str = "") -> HttpResponse:
    shop = request.staff.shop
    context = {
        "nav": "desk", "error": error, "scanned": scanned,
        "scan_form": scan_form or ScanForm(), "receive_form": receive_form or ReceiveForm(prefix="parcel"),
        "waiting": waiting, "received": received, "kept": kept,
        "to_inspect": list(selectors.awaiting_inspection(shop)),
        "unmatched": list(selectors.unmatched_parcels(shop)),
        "recent": list(selectors.recent_parcels(shop)),
    }
    return render(request, "warehouse/desk.html", context, status=status)


@staff_view(*DESK_ROLES)
def desk(request: HttpRequest) -> HttpResponse:
    """The desk; with ?tracking_no=… it shows what the scanned parcel belongs to."""
    if "tracking_no" not in request.GET:
        return _desk(request)
    form = ScanForm(request.GET)
    if not form.is_valid():
        return _desk(request, scan_form=form, status=422)
    tracking_no = form.cleaned_data["tracking_no"]
    waiting, received = selectors.scan(request.staff.shop, tracking_no)
    kept = None if waiting or received else selectors.registered_unmatched(request.staff.shop, tracking_no)
    return _desk(request, scan_form=form, waiting=waiting, received=received, scanned=tracking_no, kept=kept,
                 receive_form=ReceiveForm(prefix="parcel", initial={"tracking_no": tracking_no}))


@require_POST
@staff_view(*DESK_ROLES)
def receive(request: HttpRequest) -> HttpResponse:
    staff = request.staff
    form = ReceiveForm(request.POST, prefix="parcel")
    if not form.is_valid():
        return _desk(request, receive_form=form, status=422, error=_("Please correct the highlighted fields."))
    d = form.cleaned_data
    try:
        parcel = warehouse.receive_parcel(staff.shop, staff.by(Actor.WAREHOUSE), tracking_no=d["tracking_no"],
                                          carrier=d["carrier"], note=d["note"], case_id=d["case"])
    except DomainError as exc:
        if exc.status == 404:
            raise Http404 from None
        return _desk(request, receive_form=form, status=422, error=error_text(exc))
    if parcel.case_id:
        messages.success(request, _("Parcel received for %(number)s. Inspect it now.") % {"number": parcel.case.number})
        return redirect("warehouse:inspect", case_id=parcel.case_id)
    messages.warning(request, _("No case waits for this parcel: it is kept as a parcel with no information "
                                "until it is matched."))
    return redirect("warehouse:desk")


@require_POST
@staff_view(*DESK_ROLES)
def match(request: HttpRequest, parcel_id: int) -> HttpResponse:
    staff = request.staff
    form = MatchForm(request.POST)
    case = selectors.case_by_number(staff.shop, form.data.get("number", "")) if form.is_valid() else None
    if case is None:
        # A number typed wrong is named back, so the keeper sees the slip of the finger ("choose" said nothing).
        typed = form.cleaned_data["number"].strip().upper() if form.is_valid() else ""
        messages.error(request, error_text("parcel.unknown_case", number=typed) if typed
                       else error_text("parcel.choose_case"))
        return redirect("warehouse:desk")
    try:
        warehouse.match_parcel(staff.shop, parcel_id, case.pk, staff.by(Actor.WAREHOUSE))
    except DomainError as exc:
        if exc.status == 404:
            raise Http404 from None
        messages.error(request, error_text(exc))
        return redirect("warehouse:desk")
    messages.success(request, _("Parcel matched to %(number)s. Inspect it now.") % {"number": case.number})
    return redirect("warehouse:inspect", case_id=case.pk)


def _inspect_page(request, case, form, status=200, error=""):
    context = {
        "nav": "desk", "case": case, "form": form, "error": error,
        "received": sum(x.received_quantity for x in case.lines.all()),
        # The claim the inspector judges against: the buyer's reason, words and photos.
        "claims_fault": claims_a_fault(case.reason),
        "buyer_photos": [e for e in case.evidence.all() if e.uploaded_by == Actor.BUYER.value],
        "other_photos": [e for e in case.evidence.all() if e.uploaded_by != Actor.BUYER.value],
    }
    return render(request, "warehouse/inspect.html", context, status=status)


@staff_view(*DESK_ROLES)
def inspect(request: HttpRequest, case_id: int) -> HttpResponse:
    staff = request.staff
    case = selectors.inspection_case(staff.shop, case_id)
    if case is None:
        raise Http404
    checklist = warehouse.checklist_for(case)
    if request.method != "POST":
        # Every box starts unticked: each is ticked by someone who looked at the item, never by default.
        return _inspect_page(request, case, InspectForm(checklist=checklist, claim_reason=case.reason))
    form = InspectForm(request.POST, request.FILES, checklist=checklist, claim_reason=case.reason)
    if not form.is_valid():
        return _inspect_page(request, case, form, 422, _("Please correct the highlighted fields."))
    d = form.cleaned_data
    try:
        photos = [f.read() for f in d["photos"]]
        inspect_with_photos(staff.shop, case.pk, staff.by(Actor.WAREHOUSE), photos=photos, grade=d["grade"],
                            checklist=form.checklist_result(), failure_reason=d["failure_reason"],
                            restock=d["restock"],
                            accepted_quantity=d["accepted_quantity"], note=d["note"],
                            write_off_fen=d["write_off"] or 0)
    except DomainError as exc:
        return _inspect_page(request, case, form, 422, error_text(exc))
    messages.success(request, _("Inspection of %(number)s saved.") % {"number": case.number})
    return redirect("warehouse:desk")
