"""The auto-approve rules page (店铺设置 → 自动同意规则, owners only)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from aftersales.autoapprove import services
from aftersales.autoapprove.domain.rules import FAST_REFUND
from aftersales.autoapprove.forms import FastRefundRuleForm, RuleForm, remedy_label
from aftersales.autoapprove.models import AutoApproveRule
from aftersales.core.errors import DomainError
from aftersales.core.money import format_fen
from aftersales.web.access import OWNER, staff_view
from aftersales.web.errors import error_text


def _form_of(rule: AutoApproveRule) -> RuleForm:
    return RuleForm(prefix="rule", auto_id=f"id_r{rule.pk}_%s", initial={
        "rule_id": rule.pk, "name": rule.name, "remedy": rule.remedy, "goods_status": rule.goods_status,
        "max_amount": format_fen(rule.max_fen, symbol="").replace(",", ""), "trust": rule.trust,
        "active": rule.active})


#: The page's form for a new 极速退款 rule says so (a hidden field), so that a refusal comes back in it.
FAST_FORM = "fast"


def _render(request: HttpRequest, bound: RuleForm | None = None, error: str = "", status: int = 200):
    shop = request.staff.shop
    rules = list(AutoApproveRule.objects.filter(shop=shop).order_by("pk"))
    bound_id = bound.data.get("rule-rule_id") if bound is not None else None
    rows = [(r, bound if bound is not None and bound_id == str(r.pk) else _form_of(r), remedy_label(r.remedy))
            for r in rules]
    fast = isinstance(bound, FastRefundRuleForm)
    new = bound if bound is not None and not bound_id and not fast else RuleForm(prefix="rule")
    new_fast = bound if fast else FastRefundRuleForm(prefix="rule")
    return render(request, "autoapprove/settings.html", {
        "nav": "settings", "rows": rows, "new_rule": new, "new_fast_rule": new_fast, "fast_form": FAST_FORM,
        "error": error}, status=status)


@staff_view(OWNER)
def rules_page(request: HttpRequest) -> HttpResponse:
    return _render(request)


@require_POST
@staff_view(OWNER)
def save(request: HttpRequest) -> HttpResponse:
    form_class = FastRefundRuleForm if request.POST.get("form") == FAST_FORM else RuleForm
    form = form_class(request.POST, prefix="rule")
    if not form.is_valid():
        return _render(request, form, _("Please correct the highlighted fields."), 422)
    d = form.cleaned_data
    try:
        services.save_rule(request.staff.shop, rule_id=d["rule_id"], name=d["name"], remedy=d["remedy"],
                           goods_status=d["goods_status"] or "", max_fen=d["max_amount"], trust=d["trust"],
                           active=d["active"], user=request.user)
    except DomainError as exc:
        if exc.status == 404:
            raise Http404 from None
        return _render(request, form, error_text(exc), 422)
    if d["remedy"] == FAST_REFUND:
        messages.success(request, _("Rule saved. Within a minute the worker refunds the returns it fits that "
                                    "are on their way back."))
    else:
        messages.success(request, _("Rule saved. The worker applies it to requests awaiting review within a minute."))
    return redirect("autoapprove:rules")


@require_POST
@staff_view(OWNER)
def delete(request: HttpRequest, rule_id: int) -> HttpResponse:
    try:
        services.delete_rule(request.staff.shop, rule_id)
    except DomainError:
        raise Http404 from None
    messages.success(request, _("Rule deleted."))
    return redirect("autoapprove:rules")
