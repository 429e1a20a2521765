"""The buyer portal (no account): find the order, see the policy and why, ask for a return, follow it,
send the tracking number, rate the service. The session holds access to one order only."""

from __future__ import annotations

import re

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from aftersales.care import services as care
from aftersales.care.models import Satisfaction
from aftersales.cases import services as cases
from aftersales.cases.domain.states import Action, Actor, Kind, Status, allowed_actions
from aftersales.core.errors import DomainError
from aftersales.portal import selectors
from aftersales.portal.forms import FindOrderForm, PhotoForm, RatingForm, RequestForm, TrackingForm
from aftersales.portal.services import BUYER, add_photos_to_case, submit_request
from aftersales.serving.client_address import client_address
from aftersales.serving.throttle import Guard
from aftersales.web.errors import error_text
from aftersales.web.labels import join

SESSION_KEY = "portal_order_id"


def _lookup_guard() -> Guard:
    """Buyers guessing order numbers and phone digits: the client is stopped, the order only slowed."""
    return Guard("portal", settings.PORTAL_LOOKUP_FAILURES, settings.PORTAL_LOOKUP_WINDOW)


def _order(request: HttpRequest):
    return selectors.order_for_buyer(request.session.get(SESSION_KEY))


#: Where a buyer may be sent back to after finding the order again: one of their requests, nothing else.
_CASE_PATH = re.compile(r"^/portal/cases/(\d+)/$")


def _back_to(order, wanted: str) -> str | None:
    """The request page the buyer asked for before finding the order, if it is one of this order's."""
    match = _CASE_PATH.match(wanted or "")
    if match and selectors.buyer_case(order, int(match.group(1))) is not None:
        return wanted
    return None


def find(request: HttpRequest) -> HttpResponse:
    """Find the order by its number and the last four digits of the phone."""
    form = FindOrderForm(request.POST or None)
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    wanted = wanted if _CASE_PATH.match(wanted) else ""
    status = 200
    if request.method == "POST":
        guard = _lookup_guard()
        ip, order_no = client_address(request), request.POST.get("order_no", "").strip().upper()
        if guard.client_blocked(ip):
            form.is_valid()
            form.add_error(None, error_text("portal.rate_limited", minutes=guard.window // 60))
            return render(request, "portal/find.html", {"form": form, "next": wanted}, status=429)
        guard.slow_down(order_no)
        if form.is_valid():
            order = selectors.find_order(form.cleaned_data["order_no"], form.cleaned_data["last4"])
            if order is not None:
                request.session.cycle_key()
                request.session[SESSION_KEY] = order.pk
                return redirect(_back_to(order, wanted) or "portal:order")
            guard.failed(ip, order_no)
            form.add_error(None, error_text("portal.not_found"))
        status = 422
    return render(request, "portal/find.html", {"form": form, "next": wanted}, status=status)


@require_POST
def leave(request: HttpRequest) -> HttpResponse:
    request.session.pop(SESSION_KEY, None)
    return redirect("portal:find")


def order_page(request: HttpRequest) -> HttpResponse:
    order = _order(request)
    if order is None:
        return redirect("portal:find")
    policies = selectors.line_policies(order)
    return render(request, "portal/order.html", {
        "order": order, "policies": policies, "requestable": any(p.available for p in policies),
        "cases": list(selectors.cases_of_order(order).prefetch_related("lines__order_line")),
    })


def new_request(request: HttpRequest) -> HttpResponse:
    order = _order(request)
    if order is None:
        return redirect("portal:find")
    policies = selectors.line_policies(order)
    if not any(p.available for p in policies):
        messages.info(request, _("Every item of this order already has a request."))
        return redirect("portal:order")
    default_kind = Kind.REFUND_ONLY.value if order.shipped_at is None else Kind.RETURN_REFUND.value
    exchange = {"exchange_skus": selectors.exchange_skus_of(order),
                "ordered_skus": {line.sku_id for line in order.lines.all()}}
    if request.method != "POST":
        form = RequestForm(lines=policies, initial={"kind": default_kind}, **exchange)
        return _request_page(request, order, policies, form)
    form = RequestForm(request.POST, request.FILES, lines=policies, **exchange)
    if not form.is_valid():
        return _request_page(request, order, policies, form, 422)
    d = form.cleaned_data
    try:
        case = submit_request(order, lines=d["lines"], kind=d["kind"], reason=d["reason"], note=d["note"],
                              photos=[f.read() for f in d["photos"]], email=d["email"],
                              exchange_sku_id=d["exchange_sku"])
    except DomainError as exc:
        return _request_page(request, order, policies, form, 422, error_text(exc))
    messages.success(request, _("Your request %(number)s has been sent. The shop will answer soon.")
                     % {"number": case.number})
    left_out = [v["title"] for v in case.policy_decision.get("lines", []) if not v["opened"]]
    if left_out:
        messages.warning(request, _("Not included, as the rules do not allow it for them: %(items)s. "
                                    "The reasons are on the request.") % {"items": join(left_out)})
    return redirect("portal:case", case_id=case.pk)


def _request_page(request, order, policies, form, status=200, error=""):
    rows = [(p, form[f"qty_{p.line.pk}"]) for p in policies]
    return render(request, "portal/request.html", {"order": order, "rows": rows, "form": form, "error": error},
                  status=status)


def _case_or_404(request: HttpRequest, case_id: int):
    order = _order(request)
    case = selectors.buyer_case(order, case_id)
    if case is None:
        raise Http404
    return order, case


def case_page(request: HttpRequest, case_id: int, *, forms: dict | None = None, error: str = "",
              status: int = 200) -> HttpResponse:
    order, case = _case_or_404(request, case_id)
    forms = forms or {}
    allowed = allowed_actions(Kind(case.kind), Status(case.status), Actor.BUYER)
    rated = Satisfaction.objects.filter(case=case).first()
    return render(request, "portal/case.html", {
        "order": order, "case": case, "events": selectors.buyer_events(case), "error": error,
        "can_ship": Action.SHIP_RETURN in allowed, "can_confirm": Action.CONFIRM_RECEIPT in allowed,
        # A return refunded before it arrived cannot be taken back (services.withdraw_case).
        "can_withdraw": Action.WITHDRAW in allowed and case.refunded_before_receipt_at is None,
        "can_rate": not case.is_open and rated is None,
        "rating": rated, "is_open": case.is_open,
        "tracking_form": forms.get("tracking") or TrackingForm(),
        "rating_form": forms.get("rating") or RatingForm(),
        "photo_form": forms.get("photo") or PhotoForm(),
    }, status=status)


def case_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    if _order(request) is None:
        # A bookmarked request, or the browser closed since: find the order again, then come back here
        # (it answered "not found", a dead end for the buyer's own request).
        return redirect(f"{reverse('portal:find')}?next={request.path}")
    return case_page(request, case_id)


@require_POST
def ship(request: HttpRequest, case_id: int) -> HttpResponse:
    order, case = _case_or_404(request, case_id)
    form = TrackingForm(request.POST)
    if not form.is_valid():
        return case_page(request, case_id, forms={"tracking": form}, status=422)
    try:
        cases.record_return_shipment(order.shop, case.pk, BUYER, carrier=form.cleaned_data["carrier"],
                                     tracking_no=form.cleaned_data["tracking_no"],
                                     freight_fen=form.cleaned_data.get("freight"))
    except DomainError as exc:
        return case_page(request, case_id, forms={"tracking": form}, error=error_text(exc), status=422)
    messages.success(request, _("Thank you: the shop can now follow your parcel."))
    return redirect("portal:case", case_id=case.pk)


@require_POST
def rate(request: HttpRequest, case_id: int) -> HttpResponse:
    order, case = _case_or_404(request, case_id)
    form = RatingForm(request.POST)
    if not form.is_valid():
        return case_page(request, case_id, forms={"rating": form}, status=422)
    try:
        care.rate_case(order.shop, case.pk, BUYER, score=form.cleaned_data["score"],
                       comment=form.cleaned_data["comment"])
    except DomainError as exc:
        return case_page(request, case_id, forms={"rating": form}, error=error_text(exc), status=422)
    messages.success(request, _("Thank you for your rating!"))
    return redirect("portal:case", case_id=case.pk)


@require_POST
def add_photos(request: HttpRequest, case_id: int) -> HttpResponse:
    order, case = _case_or_404(request, case_id)
    form = PhotoForm(request.POST, request.FILES)
    if not form.is_valid():
        return case_page(request, case_id, forms={"photo": form}, status=422)
    try:
        add_photos_to_case(order, case.pk, photos=[f.read() for f in form.cleaned_data["photos"]])
    except DomainError as exc:
        return case_page(request, case_id, forms={"photo": form}, error=error_text(exc), status=422)
    messages.success(request, _("Photos added."))
    return redirect("portal:case", case_id=case.pk)


@require_POST
def buyer_action(request: HttpRequest, case_id: int, action: str) -> HttpResponse:
    """Confirm receipt of the replacement, or withdraw the request."""
    order, case = _case_or_404(request, case_id)
    run = {"confirm": cases.confirm_receipt, "withdraw": cases.withdraw_case}.get(action)
    if run is None:
        raise Http404
    try:
        run(order.shop, case.pk, BUYER)
    except DomainError as exc:
        return case_page(request, case_id, error=error_text(exc), status=422)
    messages.success(request, _("Done."))
    return redirect("portal:case", case_id=case.pk)


def evidence_file(request: HttpRequest, case_id: int, evidence_id: int) -> HttpResponse:
    _order_obj, case = _case_or_404(request, case_id)
    evidence = case.evidence.filter(pk=evidence_id).first()
    if evidence is None:
        raise Http404
    response = FileResponse(evidence.file.open("rb"), content_type=evidence.content_type)
    response["Cache-Control"] = "private, max-age=3600"
    return response
