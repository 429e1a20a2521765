"""The merchant console: the inbox of cases and the bulk actions on it.

Views parse input, check the shop and the role (`staff_view`), call one service and render.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from aftersales.cases import bulk
from aftersales.console.forms import BulkForm, BulkRefundForm, InboxFilterForm
from aftersales.console.queries import inbox_cases, inbox_counts, shop_agents
from aftersales.core.money import format_fen as yuan
from aftersales.intelligence.present import advice_choices
from aftersales.refunds import bulk as bulk_refunds
from aftersales.web.access import CONSOLE_ROLES, TRAINEE, WAREHOUSE, resolve_staff, staff_view
from aftersales.web.errors import error_text

PAGE_SIZE = 50


def inbox_entry(request: HttpRequest) -> HttpResponse:
    """/console/: warehouse staff land on their desk, everyone else on the inbox."""
    if request.user.is_authenticated:
        staff = resolve_staff(request)
        if staff is not None and staff.role == WAREHOUSE:
            return redirect("warehouse:desk")
        if staff is not None and staff.role == TRAINEE:
            return redirect("training:home")  # a trainee may only train
    return inbox(request)


@staff_view(*CONSOLE_ROLES)
def inbox(request: HttpRequest) -> HttpResponse:
    staff = request.staff
    agents = shop_agents(staff.shop)
    form = InboxFilterForm(request.GET or None, assignees=agents)
    filters = form.cleaned_data if form.is_valid() else {}
    if request.GET and not form.is_valid():
        if "q" in form.errors:
            # An over-long search is refused with what a search can be, not silently widened.
            messages.error(request, form.errors["q"][0])
        else:
            messages.warning(request, _("Some filters were not understood and were ignored."))
    paginator = Paginator(inbox_cases(staff.shop, filters, staff.user), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    tab_query = request.GET.copy()
    for key in ("page", "tab", "status", "scope"):
        tab_query.pop(key, None)
    context = {"nav": "inbox", "form": form, "page": page, "agents": agents, "query": query.urlencode(),
               "counts": inbox_counts(staff.shop), "tab": filters.get("tab") or "",
               "tab_query": tab_query.urlencode(),
               "advice_choices": advice_choices(translation.get_language())}
    template = "console/_inbox_table.html" if request.htmx and request.htmx.target == "inbox-table" else \
        "console/inbox.html"
    return render(request, template, context)


@require_POST
@staff_view(*CONSOLE_ROLES)
def bulk_action(request: HttpRequest) -> HttpResponse:
    """Refund the selected cases (first the plan with its total, then on confirmation the money), or
    assign the selected cases."""
    staff = request.staff
    query = QueryDict(request.POST.get("query", "")).urlencode()
    back = redirect(reverse("console:inbox") + (f"?{query}" if query else ""))
    if request.POST.get("do") == "refund":
        return _bulk_refund(request, back)
    form = BulkForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return back
    ids = form.cleaned_data["case"]
    if request.POST.get("do") != "assign":
        plan = bulk_refunds.plan_bulk_refund(staff.shop, ids)
        _say_refused(request, plan.refused)
        if not plan.refunds:
            return back
        return render(request, "console/bulk_refund.html", {"nav": "inbox", "plan": plan, "query": query})
    assignee = None
    chosen = form.cleaned_data.get("assignee")  # None: nothing chosen; 0: "Nobody (unassign)"
    if chosen:
        assignee = next((u for u in shop_agents(staff.shop) if u.pk == chosen), None)
    if chosen is None or (chosen and assignee is None):
        messages.error(request, _("Choose an assignee from the list."))
        return back
    result = bulk.assign_many(staff.shop, ids, staff.by(), assignee=assignee)
    if result.done and assignee is None:
        messages.success(request, _("Unassigned %(count)d case(s).") % {"count": len(result.done)})
    elif result.done:
        messages.success(request, _("Assigned %(count)d case(s).") % {"count": len(result.done)})
    _say_refused(request, result.refused)
    return back


def _say_refused(request, refused) -> None:
    for case, error in refused:
        number = getattr(case, "number", f"#{case}")
        messages.error(request, _("%(number)s not changed: %(why)s") % {"number": number, "why": error_text(error)})


def _bulk_refund(request: HttpRequest, back) -> HttpResponse:
    """The confirmed plan: each case with the idempotency key chosen when the plan was shown."""
    form = BulkRefundForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return back
    results = bulk_refunds.refund_many(request.staff.shop, form.cleaned_data["plan"], request.staff.by())
    paid = [r for r in results if r.error is None]
    if paid:
        messages.success(request, _("Refunded %(count)d case(s), %(total)s in all.") % {
            "count": len(paid), "total": yuan(sum(r.paid_fen for r in paid))})
    for r in results:
        if r.error is not None:
            messages.error(request, _("%(number)s not refunded: %(why)s") % {
                "number": r.case.number or f"#{r.case.pk}", "why": error_text(r.error)})
        elif r.pending_fen:
            messages.warning(request, _("%(number)s: %(amount)s is still pending with the payment provider; "
                                        "open the case to send it again.") % {
                "number": r.case.number, "amount": yuan(r.pending_fen)})
        else:
            messages.info(request, _("%(number)s: %(amount)s refunded.") % {
                "number": r.case.number, "amount": yuan(r.paid_fen)})
    return back
