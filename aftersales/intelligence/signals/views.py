"""The owner marks a buyer trusted or watched, from the case page."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from aftersales.cases.models import Case
from aftersales.core.errors import DomainError
from aftersales.intelligence.signals.services import set_standing
from aftersales.web.access import OWNER, staff_view
from aftersales.web.errors import error_text


@require_POST
@staff_view(OWNER)
def standing(request: HttpRequest, buyer_id: int) -> HttpResponse:
    staff = request.staff
    case_id = request.POST.get("case", "")
    case = None
    if case_id.isdigit():
        case = Case.objects.filter(shop=staff.shop, pk=int(case_id), buyer_id=buyer_id).first()
    if case is None:
        raise Http404
    try:
        set_standing(staff.shop, buyer_id, staff.by(), standing=request.POST.get("standing", ""))
    except DomainError as exc:
        if exc.status == 404:
            raise Http404 from None
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("The buyer's mark was saved."))
    return redirect("console:case", case_id=case.pk)
