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
from aftersales.console.access import CONSOLE_ROLES, WAREHOUSE, resolve_staff, staff_view
from aftersales.console.errors import error_text
from aftersales.console.forms import BulkForm, InboxFilterForm
from aftersales.console.queries import inbox_cases, shop_agents
from aftersales.intelligence.present import advice_choices

PAGE_SIZE = 50


def inbox_entry(request: HttpRequest) -> HttpResponse:
    """/console/: warehouse staff land on their desk, everyone else on the inbox."""
    if request.user.is_authenticated:
        staff = resolve_staff(request)
        if staff is not None and staff.role == WAREHOUSE:
            return redirect("warehouse:desk")
    return inbox(request)


@staff_view(*CONSOLE_ROLES)
def inbox(request: HttpRequest) -> HttpResponse:
    staff = request.staff
    agents = shop_agents(staff.shop)
    form = InboxFilterForm(request.GET or None, assignees=agents)
    filters = form.cleaned_data if form.is_valid() else {}
    if request.GET and not form.is_valid():
        messages.warning(request, _("Some filters were not understood and were ignored."))
    paginator = Paginator(inbox_cases(staff.shop, filters, staff.user), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"nav": "inbox", "form": form, "page": page, "agents": agents, "query": query.urlencode(),
               "advice_choices": advice_choices(translation.get_language())}
    template = "console/_inbox_table.html" if request.htmx and request.htmx.target == "inbox-table" else \
        "console/inbox.html"
    return render(request, template, context)


@require_POST
@staff_view(*CONSOLE_ROLES)
def bulk_action(request: HttpRequest) -> HttpResponse:
    """Approve the selected refund-only requests on unshipped orders, or assign the selected cases."""
    staff = request.staff
    form = BulkForm(request.POST)
    query = QueryDict(request.POST.get("query", "")).urlencode()
    back = redirect(reverse("console:inbox") + (f"?{query}" if query else ""))
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return back
    ids = form.cleaned_data["case"]
    if request.POST.get("do") == "assign":
        assignee = None
        if form.cleaned_data.get("assignee"):
            assignee = next((u for u in shop_agents(staff.shop) if u.pk == form.cleaned_data["assignee"]), None)
            if assignee is None:
                messages.error(request, _("Choose an assignee from the list."))
                return back
        result = bulk.assign_many(staff.shop, ids, staff.by(), assignee=assignee)
        done_text = _("Assigned %(count)d case(s).")
    else:
        result = bulk.approve_unshipped_refunds(staff.shop, ids, staff.by())
        done_text = _("Approved %(count)d refund(s): %(numbers)s.")
    if result.done:
        messages.success(request, done_text % {"count": len(result.done),
                                               "numbers": ", ".join(c.number for c in result.done)})
    for case, error in result.refused:
        number = getattr(case, "number", f"#{case}")
        messages.error(request, _("%(number)s not changed: %(why)s") % {"number": number, "why": error_text(error)})
    return back
