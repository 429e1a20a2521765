"""The advice on the console: applied in one click on the case page, in bulk from the inbox, and the
owner's unit costs and thresholds. Views parse, check shop and role, call one service, redirect."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from aftersales.cases.models import Case
from aftersales.core.errors import DomainError
from aftersales.core.messages import translate
from aftersales.intelligence.advice import services
from aftersales.intelligence.advice.domain import OPTION_ORDER
from aftersales.intelligence.advice.selectors import settings_of
from aftersales.intelligence.present import advice_summaries
from aftersales.web.access import CONSOLE_ROLES, OWNER, staff_view
from aftersales.web.errors import error_text

#: (field, label, unit): "fen" fields are typed in yuan, "bp" fields in percent.
SETTINGS = (
    ("handling_fen", _lazy("Handling per case (agent time)"), "fen"),
    ("return_handling_fen", _lazy("Receiving and inspecting one return"), "fen"),
    ("repair_fen", _lazy("One repair"), "fen"),
    ("goods_cost_bp", _lazy("Cost of the goods, as a share of the list price"), "bp"),
    ("grade_a_value_bp", _lazy("A returned unit graded A is worth (share of its cost)"), "bp"),
    ("grade_b_value_bp", _lazy("… graded B"), "bp"),
    ("grade_c_value_bp", _lazy("… graded C"), "bp"),
    ("grade_d_value_bp", _lazy("… graded D"), "bp"),
    ("partial_refund_bp", _lazy("A partial refund offers (share of the refund)"), "bp"),
    ("waive_return_max_fen", _lazy("Waive the return only for refunds up to"), "fen"),
    ("decline_bp", _lazy("Chance a buyer declines an offer"), "bp"),
    ("dispute_chance_bp", _lazy("Chance a buyer offered something else asks the platform to step in"), "bp"),
    ("arbitration_penalty_fen", _lazy("What losing a platform arbitration costs beyond the remedy"), "fen"),
    ("coupon_fen", _lazy("Ladder: a coupon costs"), "fen"),
    ("member_discount_fen", _lazy("Ladder: a member discount costs"), "fen"),
    ("points_fen", _lazy("Ladder: points cost"), "fen"),
    ("red_envelope_fen", _lazy("Ladder: a red envelope costs"), "fen"),
    ("gift_fen", _lazy("Ladder: a gift costs"), "fen"),
)


class SettingsForm(forms.Form):
    """Yuan with at most two decimals, percentages with at most two decimals (basis points)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, label, unit in SETTINGS:
            suffix = "¥" if unit == "fen" else "%"
            self.fields[name] = forms.DecimalField(
                label=f"{label} ({suffix})", min_value=0, max_value=100 if unit == "bp" else 1_000_000,
                decimal_places=2, max_digits=12)

    @staticmethod
    def initial_from(row) -> dict:
        return {name: getattr(row, name) / 100 for name, _label, _unit in SETTINGS}

    def values(self) -> dict[str, int]:
        return {name: int(self.cleaned_data[name] * 100) for name, _label, _unit in SETTINGS}


@require_POST
@staff_view(*CONSOLE_ROLES)
def apply(request: HttpRequest, case_id: int) -> HttpResponse:
    """One click on the case page: carry out the recommended remedy through the case verbs."""
    staff = request.staff
    if not Case.objects.filter(shop=staff.shop, pk=case_id).exists():
        raise Http404
    remedy = request.POST.get("remedy", "")
    label = translate(f"advice.option.{remedy}", translation.get_language() or "zh-hans") \
        if remedy in OPTION_ORDER else remedy
    note = _("Applied the advice: %(remedy)s") % {"remedy": label}
    if request.POST.get("agreed"):
        note = _("The buyer agreed. %(note)s") % {"note": note}
    try:
        services.apply_advice(staff.shop, case_id, staff.by(), remedy=remedy, note=note,
                              buyer_agreed=bool(request.POST.get("agreed")))
    except DomainError as exc:
        if exc.status == 404:
            raise Http404 from None
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("The advice was applied."))
    return redirect("console:case", case_id=case_id)


@require_POST
@staff_view(*CONSOLE_ROLES)
def bulk_apply(request: HttpRequest) -> HttpResponse:
    """The inbox's "apply the advice" on the ticked cases whose advice is the chosen remedy."""
    staff = request.staff
    query = QueryDict(request.POST.get("query", "")).urlencode()
    back = redirect(reverse("console:inbox") + (f"?{query}" if query else ""))
    remedy = request.POST.get("remedy", "")
    try:
        ids = [int(v) for v in request.POST.getlist("case")][:500]
    except ValueError:
        ids = []
    if not ids or remedy not in OPTION_ORDER:
        messages.error(request, _("Tick the cases and choose the remedy to apply."))
        return back
    result = services.apply_advice_many(staff.shop, ids, staff.by(), remedy=remedy)
    if result.done:
        messages.success(request, _("Advice applied to %(count)d case(s): %(numbers)s.") % {
            "count": len(result.done), "numbers": ", ".join(c.number for c in result.done)})
    for case, error in result.refused:
        number = getattr(case, "number", f"#{case}")
        messages.error(request, _("%(number)s not changed: %(why)s") % {"number": number, "why": error_text(error)})
    return back


@staff_view(*CONSOLE_ROLES)
def inbox_column(request: HttpRequest) -> HttpResponse:
    """The inbox's advice column for the cases of one page, swapped into their rows out of band."""
    ids = [int(v) for v in request.GET.getlist("case") if v.isdigit()][:200]
    cases = Case.objects.filter(shop=request.staff.shop, pk__in=ids).select_related("order", "buyer")
    summaries = advice_summaries(request.staff.shop, cases, translation.get_language())
    return render(request, "intelligence/inbox_column.html", {"ids": ids, "advice": summaries})


@staff_view(OWNER)
def settings_page(request: HttpRequest) -> HttpResponse:
    staff = request.staff
    row = settings_of(staff.shop)
    form = SettingsForm(request.POST or None, initial=SettingsForm.initial_from(row))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.save_settings(staff.shop, **form.values())
            except DomainError as exc:
                messages.error(request, error_text(exc))
            else:
                messages.success(request, _("Unit costs and thresholds saved."))
                return redirect("advice:settings")
        status = 422
    return render(request, "intelligence/settings.html", {"nav": "settings", "form": form}, status=status)
