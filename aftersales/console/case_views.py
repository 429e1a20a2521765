"""The case page (售后单详情) and every action an agent takes on it.

Each action is a form and one service call. A refusal re-renders the page with the form as typed and
the reason in the page's language (status 422); nothing has been written.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from aftersales.care import services as care
from aftersales.care.domain.ladder import LADDER, suggest_rung
from aftersales.care.models import Compensation
from aftersales.care.selectors import approvals_of_case, filled_templates, rungs_given
from aftersales.care.services import budget_of, limits_of
from aftersales.cases import services as cases
from aftersales.cases.domain.refusal import lawful_no_reason
from aftersales.cases.domain.states import PLATFORM_DECIDED, Action, Actor, Kind, Status, allowed_actions
from aftersales.cases.evidence import add_evidence
from aftersales.cases.models import Case, Evidence
from aftersales.console import forms as f
from aftersales.console.exchange import SwitchRemedyForm
from aftersales.console.queries import case_page, next_open_case, shop_agents
from aftersales.console.return_address_views import approval_address
from aftersales.core.errors import DomainError
from aftersales.core.money import fen_to_yuan
from aftersales.refunds import freight
from aftersales.refunds import services as refunds
from aftersales.training import services as training_services
from aftersales.warehouse import services as warehouse
from aftersales.web.access import CONSOLE_ROLES, OWNER, staff_view
from aftersales.web.errors import error_text


@dataclass(frozen=True)
class CaseAction:
    form: type
    run: Callable  # (staff, case_id, cleaned_data, request) -> object
    done: str | Callable  # the success message, or (what run returned) -> the message
    title: str = ""


def _assign(staff, case_id, data, request):
    assignee = None
    if data.get("assignee"):
        assignee = next((u for u in shop_agents(staff.shop) if u.pk == data["assignee"]), None)
        if assignee is None:
            raise DomainError("case.assignee_not_in_shop")
    return cases.assign_case(staff.shop, case_id, staff.by(), assignee=assignee)


def _evidence(staff, case_id, data, request):
    upload = data["photo"]
    return add_evidence(staff.shop, case_id, staff.by(), data=upload.read())


def _receipts(case_id: int) -> list[tuple[int, str]]:
    return [(pk, f"#{pk}") for pk in Evidence.objects.filter(case_id=case_id).order_by("pk").values_list("pk", flat=True)]


class _ReturnFreightForm(f.ReturnFreightForm):
    """The form bound to a case's own photos (its receipt must be one of them)."""

    def __init__(self, *args, case_id: int | None = None, **kwargs):
        super().__init__(*args, receipts=_receipts(case_id) if case_id else [], **kwargs)


def _reimburse_freight(staff, case_id, data, request):
    return freight.reimburse_return_freight(
        staff.shop, case_id, staff.by(), amount_fen=data["amount"], idempotency_key=data["idempotency_key"],
        receipt_evidence_id=data.get("receipt"), note=data["note"])


def _switch_remedy(staff, case_id, data, request):
    kind = data["kind"]
    return cases.switch_remedy(
        staff.shop, case_id, staff.by(), kind=kind,
        requested_fen=data["amount"] if kind == Kind.PARTIAL_REFUND.value else None,
        exchange_sku_id=data["exchange_sku"] if kind == Kind.EXCHANGE.value else None,
        buyer_agreed=data["buyer_agreed"], note=data["note"])


ACTIONS: dict[str, CaseAction] = {
    "approve": CaseAction(f.ApproveForm, lambda s, c, d, r: cases.approve_case(
        s.shop, c, s.by(), note=d["note"], return_address_id=d.get("return_address")),
        _("Request approved."), _("Approve")),
    "reject": CaseAction(f.RejectForm, lambda s, c, d, r: cases.reject_case(
        s.shop, c, s.by(), reason_code=d["reason_code"], note=d["note"], as_owner=s.role == OWNER),
        _("Request rejected."), _("Reject")),
    "request_evidence": CaseAction(f.NoteRequiredForm, lambda s, c, d, r: cases.request_evidence(
        s.shop, c, s.by(), note=d["note"]), _("The buyer has been asked for evidence."), _("Ask for evidence")),
    "ship_return": CaseAction(f.ShipForm, lambda s, c, d, r: cases.record_return_shipment(
        s.shop, c, s.by(), carrier=d["carrier"], tracking_no=d["tracking_no"]),
        _("Return tracking number recorded."), _("Enter the return tracking number for the buyer")),
    "receive_return": CaseAction(f.NoteOptionalForm, lambda s, c, d, r: warehouse.receive_parcel(
        s.shop, s.by(), case_id=c, note=d["note"]), _("Return marked as received."), _("Mark the return received")),
    "ship_replacement": CaseAction(f.ShipForm, lambda s, c, d, r: cases.ship_replacement(
        s.shop, c, s.by(), carrier=d["carrier"], tracking_no=d["tracking_no"]),
        _("Shipment recorded."), _("Ship the replacement / reship")),
    "escalate": CaseAction(f.NoteOptionalForm, lambda s, c, d, r: cases.escalate_case(
        s.shop, c, s.by(), note=d["note"]), _("Platform arbitration requested."), _("Ask the platform to arbitrate")),
    "close": CaseAction(f.CloseForm, lambda s, c, d, r: cases.close_case(
        s.shop, c, s.by(), reason_code=d["reason_code"], note=d["note"]), _("Case closed."), _("Close the case")),
    "ruling": CaseAction(f.RulingForm, lambda s, c, d, r: cases.record_ruling(
        s.shop, c, for_buyer=d["for_buyer"], note=d["note"]), _("Platform ruling recorded."),
        _("Record the platform's ruling")),
    "grant_refund": CaseAction(f.GrantForm, lambda s, c, d, r: refunds.grant_refund(
        s.shop, c, s.by(), amount_fen=d["amount"], reason_code=d["reason_code"], note=d["note"]),
        _("Refund granted. Send it to the buyer next."), _("Grant a refund")),
    "execute_refund": CaseAction(f.ExecuteForm, lambda s, c, d, r: refunds.execute_refund(
        s.shop, c, s.by(), idempotency_key=d["idempotency_key"]),
        _("The refund has been sent back through the original payment route."), _("Send the refund")),
    "note": CaseAction(f.NoteRequiredForm, lambda s, c, d, r: cases.add_note(
        s.shop, c, s.by(), note=d["note"]), _("Note added."), _("Internal note")),
    "tags": CaseAction(f.TagsForm, lambda s, c, d, r: cases.set_tags(
        s.shop, c, s.by(), tags=d["tags"]), _("Tags saved."), _("Tags")),
    "correct_reason": CaseAction(f.ReasonCorrectionForm, lambda s, c, d, r: cases.correct_reason(
        s.shop, c, s.by(), reason=d["reason"]), _("Reason corrected. The shop keeps it to learn from."),
        _("Correct the reason")),
    "follow_up": CaseAction(f.FollowUpForm, lambda s, c, d, r: cases.set_follow_up(
        s.shop, c, s.by(), follow_up=d["follow_up"]), _("Follow-up flag saved."), _("Follow-up")),
    "assign": CaseAction(f.AssignForm, _assign, _("Assignee saved."), _("Assignee")),
    "reply": CaseAction(f.ReplyForm, lambda s, c, d, r: care.send_reply(
        s.shop, c, s.by(), body=d["body"], template_id=d.get("template")), _("Reply sent."), _("Reply")),
    "compensate": CaseAction(f.CompensationForm, lambda s, c, d, r: care.grant_compensation(
        s.shop, c, s.by(), rung=d["rung"], cost_fen=d["amount"], note=d["note"], reason=d["reason"],
        as_owner=s.role == OWNER),
        lambda given: _("Compensation recorded.") if isinstance(given, Compensation) else
        _("This is above your limit: nothing is given yet. The owner has been asked to approve it."),
        _("Compensation")),
    "evidence": CaseAction(f.EvidenceForm, _evidence, _("Photo added."), _("Add a photo")),
    "switch_remedy": CaseAction(SwitchRemedyForm, _switch_remedy, _("Remedy changed with the buyer's agreement."),
                                _("Change the remedy")),
    "reimburse_return_freight": CaseAction(_ReturnFreightForm, _reimburse_freight,
                                           _("The buyer's return freight has been reimbursed."),
                                           _("Reimburse the return freight")),
}

#: State-machine actions → the forms that carry them, in the order they are offered.
_FOR_ACTION = {
    Action.APPROVE: "approve", Action.REQUEST_EVIDENCE: "request_evidence", Action.REJECT: "reject",
    Action.SHIP_RETURN: "ship_return", Action.RECEIVE_RETURN: "receive_return",
    Action.SHIP_REPLACEMENT: "ship_replacement", Action.ESCALATE: "escalate", Action.CLOSE: "close",
}


def _offered(case, role: str) -> dict:
    """Which action forms the page shows, from what the state machine allows the merchant now."""
    allowed = allowed_actions(Kind(case.kind), Status(case.status), Actor.MERCHANT)
    if case.awaiting_platform:  # one decision at a time: the platform has not answered the last one
        allowed = [a for a in allowed if a not in PLATFORM_DECIDED]
    keys = [_FOR_ACTION[a] for a in allowed if a in _FOR_ACTION]
    platform_may = allowed_actions(Kind(case.kind), Status(case.status), Actor.PLATFORM)
    return {
        "keys": keys,
        "ruling": Action.RULE_FOR_BUYER in platform_may or Action.RULE_FOR_MERCHANT in platform_may,
        "refund": case.status == Status.REFUNDING.value,
        "inspect": Action.PASS_INSPECTION in allowed and role == OWNER,
        "await_inspection": Action.PASS_INSPECTION in allowed,
    }


def _new_key(case) -> str:
    return f"{case.number}-{uuid.uuid4().hex[:16]}"


def _render_case(request: HttpRequest, case_id: int, bound: dict | None = None, status: int = 200,
                 error: str = "") -> HttpResponse:
    staff = request.staff
    # A training case: the simulated buyer and platform answer what was done before the page is drawn.
    training = training_services.case_banner(staff.shop, case_id) if staff.shop.is_training else None
    page = case_page(staff.shop, case_id)
    case = page.case
    bound = bound or {}
    offered = _offered(case, staff.role)
    forms = {key: bound.get(key) or ACTIONS[key].form(prefix=key) for key in ACTIONS if key != "reimburse_return_freight"}
    forms["reimburse_return_freight"] = bound.get("reimburse_return_freight") or _ReturnFreightForm(
        prefix="reimburse_return_freight", case_id=case.pk, initial={
            "amount": str(fen_to_yuan(min(case.return_freight_claimed_fen, staff.shop.return_freight_cap_fen)))
            if case.return_freight_claimed_fen else "",
            "idempotency_key": f"{case.number}-freight"})
    if "grant_refund" not in bound:
        forms["grant_refund"] = f.GrantForm(prefix="grant_refund", initial={
            "amount": str(fen_to_yuan(refunds.refundable_now(case)))})
    if "execute_refund" not in bound:
        # A payment left pending (the provider did not answer) is retried with its own key, never a new one.
        key = page.pending_key or _new_key(case)
        forms["execute_refund"] = f.ExecuteForm(prefix="execute_refund", initial={"idempotency_key": key})
    if "tags" not in bound:
        forms["tags"] = f.TagsForm(prefix="tags", initial={"tags": ", ".join(case.tags)})
    if "correct_reason" not in bound:
        forms["correct_reason"] = f.ReasonCorrectionForm(
            prefix="correct_reason", initial={"reason": case.suggested_reason or case.reason})
    return_address = approval_address(staff.shop, case, forms["approve"])
    given = rungs_given(case)
    suggested = suggest_rung(case.urgency, given)
    if "compensate" not in bound and suggested:
        # The form starts on the rung the card suggests, not on the ladder's first (a coupon).
        forms["compensate"] = f.CompensationForm(prefix="compensate", initial={"rung": suggested})
    decision = case.policy_decision or {}
    events = list(case.events.all())
    request_words = case.buyer_note
    if training:
        # The simulated buyer's and platform's words in the reader's language (shown, never saved).
        lines = training_services.scripted_lines(training["scenario"], events,
                                                 translation.get_language() or "zh-hans")
        for event in events:
            if event.pk in lines:
                event.note = lines[event.pk]
                if event.action == "open":
                    request_words = lines[event.pk]
    context = {
        "nav": "inbox", "case": case, "page": page, "offered": offered, "forms": forms, "error": error,
        "actions": [(key, ACTIONS[key].title, forms[key]) for key in offered["keys"]],
        "decision": decision,
        "rules_applied": [r for r in decision.get("rules", []) if r.get("outcome") != "not_applicable"],
        "rules_other": [r for r in decision.get("rules", []) if r.get("outcome") == "not_applicable"],
        "events": events,
        # 极速退款: the move names the rule that refunded before the return arrived.
        "fast_refund": next((e for e in events if e.action == Action.FAST_REFUND.value), None),
        "templates": filled_templates(staff.shop, case, translation.get_language() or "zh-hans"),
        "budget": budget_of(staff.shop),
        "limits": limits_of(staff.shop),
        "approvals": approvals_of_case(case),
        "ladder": [[r for r in step] for step in LADDER],
        "given": given,
        "suggested": suggested,
        "agents": shop_agents(staff.shop),
        "refundable": refunds.refundable_now(case),
        "lawful_no_reason": lawful_no_reason(case.policy_decision),
        "may_refuse_lawful": staff.role == OWNER,
        "owed": case.refund_granted_fen - case.refunded_fen,
        "next_case": next_open_case(staff.shop, case),
        "training": training,
        "request_words": request_words,
        "return_address": return_address,
        "freight_reimbursable": freight.reimbursable(case),
        "freight_cap": staff.shop.return_freight_cap_fen,
    }
    return render(request, "console/case.html", context, status=status)


@staff_view(*CONSOLE_ROLES)
def case_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    return _render_case(request, case_id)


@require_POST
@staff_view(*CONSOLE_ROLES)
def case_action(request: HttpRequest, case_id: int, action: str) -> HttpResponse:
    spec = ACTIONS.get(action)
    if spec is None:
        raise Http404
    staff = request.staff
    if not Case.objects.filter(shop=staff.shop, pk=case_id).exists():
        raise Http404  # a case of another shop: not found, before anything else
    extra = {"case_id": case_id} if action == "reimburse_return_freight" else {}
    form = spec.form(request.POST, request.FILES, prefix=action, **extra)
    if not form.is_valid():
        return _render_case(request, case_id, {action: form}, status=422,
                            error=str(_("Please correct the highlighted fields.")))
    try:
        result = spec.run(staff, case_id, form.cleaned_data, request)
    except DomainError as exc:
        if exc.status == 404:
            raise Http404 from None
        return _render_case(request, case_id, {action: form}, status=422, error=error_text(exc))
    if Case.objects.filter(shop=staff.shop, pk=case_id).exclude(awaiting_platform="").exists():
        # The platform decides this one: nothing is done until it confirms (see the case's platform panel).
        messages.success(request, _("Sent to the platform: the case moves once the platform confirms it."))
    else:
        messages.success(request, spec.done(result) if callable(spec.done) else spec.done)
    return redirect("console:case", case_id=case_id)


@staff_view()
def evidence_file(request: HttpRequest, case_id: int, evidence_id: int) -> HttpResponse:
    """A photo of a case, served only to staff of the case's shop (never a public media URL)."""
    evidence = Evidence.objects.filter(shop=request.staff.shop, case_id=case_id, pk=evidence_id).first()
    if evidence is None:
        raise Http404
    response = FileResponse(evidence.file.open("rb"), content_type=evidence.content_type)
    response["Cache-Control"] = "private, max-age=3600"
    return response
