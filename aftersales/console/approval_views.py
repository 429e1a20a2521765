"""Compensation approvals (补偿审批, owners only): the compensations agents asked for above their limit,
each approved (it is given, with the approver recorded) or declined (the agent is told)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from aftersales.care import services as care
from aftersales.care.selectors import decided_approvals, pending_approvals
from aftersales.core.errors import DomainError
from aftersales.web.access import OWNER, staff_view
from aftersales.web.errors import error_text


class DecisionForm(forms.Form):
    note = forms.CharField(required=False, max_length=200, label=gettext_lazy("Note to the agent"))


@staff_view(OWNER)
def approvals(request: HttpRequest) -> HttpResponse:
    shop = request.staff.shop
    return render(request, "console/approvals.html", {
        "nav": "approvals", "pending": pending_approvals(shop), "decided": decided_approvals(shop),
    })


@require_POST
@staff_view(OWNER)
def decide(request: HttpRequest, approval_id: int, decision: str) -> HttpResponse:
    staff = request.staff
    form = DecisionForm(request.POST)
    if decision not in ("approve", "decline"):
        raise Http404
    if not form.is_valid():
        messages.error(request, _("Please correct the highlighted fields."))
        return redirect("console:approvals")
    try:
        if decision == "approve":
            care.approve_compensation(staff.shop, approval_id, staff.by())
            messages.success(request, _("Approved: the compensation has been given."))
        else:
            care.decline_compensation(staff.shop, approval_id, staff.by(), note=form.cleaned_data["note"])
            messages.success(request, _("Declined: nothing was given, and the agent has been told."))
    except DomainError as exc:
        if exc.status == 404:
            raise Http404 from None
        messages.error(request, error_text(exc))
    return redirect("console:approvals")
