"""Shop settings (owner only): return rules checked against the law, reply templates, the
compensation budget, buyer notifications (webhook and e-mail), and the staff."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from aftersales.accounts import services as staff_services
from aftersales.accounts.models import Membership
from aftersales.care import services as care
from aftersales.care.models import ReplyTemplate
from aftersales.care.services import PLACEHOLDERS, budget_of, limits_of
from aftersales.catalog import services as catalog
from aftersales.catalog.models import Category, ReturnRule
from aftersales.console.settings_forms import (
    BudgetForm,
    FreightCapForm,
    LimitsForm,
    MemberForm,
    NotifyForm,
    RoleForm,
    RuleForm,
    TemplateForm,
)
from aftersales.core.errors import DomainError
from aftersales.core.money import format_fen
from aftersales.notifications import services as notify
from aftersales.refunds import freight
from aftersales.web.access import OWNER, staff_view
from aftersales.web.errors import error_text

#: A webhook secret just made, kept in the session only until the next settings page shows it.
SECRET_ONCE = "webhook_secret_once"


def _render(request: HttpRequest, bound: dict | None = None, errors: list[str] | None = None,
            status: int = 200) -> HttpResponse:
    shop = request.staff.shop
    bound = bound or {}
    care.ensure_default_templates(shop)
    categories = list(Category.objects.filter(shop=shop).order_by("name"))
    rules = list(ReturnRule.objects.filter(shop=shop).select_related("category").order_by("platform", "category__name"))
    templates = list(ReplyTemplate.objects.filter(shop=shop).order_by("-language", "position", "pk"))
    members = list(Membership.objects.filter(shop=shop).select_related("user").order_by("user__username"))
    secret_once = request.session.pop(SECRET_ONCE, None)
    context = {
        "nav": "settings",
        "errors": errors or [],
        "section": next(iter(bound), ""),
        "rules": [(r, RuleForm(prefix="rule", auto_id=f"id_r{r.pk}_%s", categories=categories, initial={
            "rule_id": r.pk, "platform": r.platform, "category": r.category_id, "no_reason_days": r.no_reason_days,
            "free_return_shipping": r.free_return_shipping, "exchange_days": r.exchange_days,
            "warranty_days": r.warranty_days, "allow_partial_refund": r.allow_partial_refund,
        })) for r in rules],
        "new_rule": RuleForm(prefix="rule", categories=categories),
        "templates": [(t, TemplateForm(prefix="tpl", auto_id=f"id_t{t.pk}_%s", initial={
            "template_id": t.pk, "name": t.name, "kind": t.kind, "language": t.language, "body": t.body,
        })) for t in templates],
        "new_template": TemplateForm(prefix="tpl"),
        "placeholders": [f"{{{p}}}" for p in PLACEHOLDERS],
        "budget": budget_of(shop),
        "budget_form": BudgetForm(prefix="budget", initial={
            "amount": format_fen(shop.compensation_budget_fen, symbol="").replace(",", "")}),
        "limits_form": _limits_form(shop),
        "freight_cap_form": FreightCapForm(prefix="freight_cap", initial={"amount": _yuan(shop.return_freight_cap_fen)}),
        "members": [(m, RoleForm(prefix="m", auto_id=f"id_m{m.pk}_%s", initial={"role": m.role})) for m in members],
        "member_form": MemberForm(prefix="member"),
        "notify_form": NotifyForm(prefix="notify", initial={
            "webhook_url": shop.webhook_url, "notify_email": shop.notify_email}),
        "webhook": {"url": shop.webhook_url, "secret_hint": notify.secret_hint(shop.webhook_secret),
                    "secret_once": secret_once},
    }
    # A refused form is shown again as it was typed, in place of its blank twin.
    for key, form in bound.items():
        form.auto_id = "id_err_%s"
        if key == "rule":
            form_id = form.data.get(f"{form.prefix}-rule_id")
            context["rules"] = [(r, form if str(r.pk) == form_id else f) for r, f in context["rules"]]
            if not form_id:
                context["new_rule"] = form
        elif key == "template":
            form_id = form.data.get(f"{form.prefix}-template_id")
            context["templates"] = [(t, form if str(t.pk) == form_id else f) for t, f in context["templates"]]
            if not form_id:
                context["new_template"] = form
        elif key == "member":
            context["member_form"] = form
        elif key == "budget":
            context["budget_form"] = form
        elif key == "freight_cap":
            context["freight_cap_form"] = form
        elif key == "notify":
            context["notify_form"] = form
        elif key == "limits":
            context["limits_form"] = form
    response = render(request, "console/settings.html", context, status=status)
    if secret_once:
        response["Cache-Control"] = "no-store"  # the page with the secret is not kept by the browser
    return response


def _yuan(fen: int) -> str:
    return format_fen(fen, symbol="").replace(",", "")


def _limits_form(shop) -> LimitsForm:
    limits = limits_of(shop)
    return LimitsForm(prefix="limits", initial={
        "agent": _yuan(limits.agent_fen), "case": _yuan(limits.case_fen), "owner": _yuan(limits.owner_fen)})


def _refused(request, key, form, exc: DomainError | None = None) -> HttpResponse:
    errors = []
    if exc is not None:
        violations = getattr(exc, "violations", None)
        errors = [error_text(v.code, **v.params) for v in violations] if violations else [error_text(exc)]
    elif key == "role":
        # The role is changed from a one-line form in the staff table, which shows no field errors itself.
        errors = [message for messages_ in form.errors.values() for message in messages_]
    else:
        errors = [_("Please correct the highlighted fields.")]
    return _render(request, {key: form}, errors=errors, status=422)


def _save(request, key: str, form, save: Callable[[dict], object], done: Callable[[object], str]) -> HttpResponse:
    """The round of every settings form: check `form`, `save(cleaned_data)` through a service, then say
    `done(what save returned)` and go back to the page. A refusal shows the page again as typed."""
    if not form.is_valid():
        return _refused(request, key, form)
    try:
        result = save(form.cleaned_data)
    except DomainError as exc:
        if exc.status == 404:
            raise Http404 from None
        return _refused(request, key, form, exc)
    messages.success(request, done(result))
    return redirect("console:settings")


@staff_view(OWNER)
def settings_home(request: HttpRequest) -> HttpResponse:
    return _render(request)


@require_POST
@staff_view(OWNER)
def save_rule(request: HttpRequest) -> HttpResponse:
    shop = request.staff.shop
    return _save(
        request, "rule", RuleForm(request.POST, prefix="rule", categories=Category.objects.filter(shop=shop)),
        lambda d: catalog.save_return_rule(
            shop, rule_id=d["rule_id"], platform=d["platform"], category_id=d["category"],
            no_reason_days=d["no_reason_days"], free_return_shipping=d["free_return_shipping"],
            exchange_days=d["exchange_days"], warranty_days=d["warranty_days"],
            allow_partial_refund=d["allow_partial_refund"],
        ),
        lambda _rule: _("Return rule saved. New requests are judged by it from now on."),
    )


@require_POST
@staff_view(OWNER)
def save_template(request: HttpRequest) -> HttpResponse:
    return _save(
        request, "template", TemplateForm(request.POST, prefix="tpl"),
        lambda d: care.save_template(request.staff.shop, template_id=d["template_id"], kind=d["kind"],
                                     language=d["language"], name=d["name"], body=d["body"]),
        lambda _template: _("Reply template saved."),
    )


@require_POST
@staff_view(OWNER)
def delete_template(request: HttpRequest, template_id: int) -> HttpResponse:
    try:
        care.delete_template(request.staff.shop, template_id)
    except DomainError as exc:
        messages.error(request, error_text(exc))
        return redirect("console:settings")
    messages.success(request, _("Reply template deleted."))
    return redirect("console:settings")


@require_POST
@staff_view(OWNER)
def save_budget(request: HttpRequest) -> HttpResponse:
    return _save(
        request, "budget", BudgetForm(request.POST, prefix="budget"),
        lambda d: care.set_compensation_budget(request.staff.shop, budget_fen=d["amount"]),
        lambda _budget: _("Compensation budget saved."),
    )


@require_POST
@staff_view(OWNER)
def save_freight_cap(request: HttpRequest) -> HttpResponse:
    return _save(
        request, "freight_cap", FreightCapForm(request.POST, prefix="freight_cap"),
        lambda d: freight.set_return_freight_cap(request.staff.shop, cap_fen=d["amount"]),
        lambda _shop: _("Return freight limit saved."),
    )


@require_POST
@staff_view(OWNER)
def save_limits(request: HttpRequest) -> HttpResponse:
    return _save(
        request, "limits", LimitsForm(request.POST, prefix="limits"),
        lambda d: care.set_compensation_limits(request.staff.shop, agent_fen=d["agent"], case_fen=d["case"],
                                               owner_fen=d["owner"]),
        lambda _limits: _("Compensation limits saved."),
    )


@require_POST
@staff_view(OWNER)
def save_notifications(request: HttpRequest) -> HttpResponse:
    def done(saved: notify.Saved) -> str:
        if saved.secret:
            request.session[SECRET_ONCE] = saved.secret
            return _("Buyer notifications saved. The webhook's signing secret is shown below "
                     "this once: copy it to the receiver now.")
        if saved.shop.webhook_url:
            return _("Buyer notifications saved.")
        return _("Buyer notifications saved. The webhook is off.")

    return _save(
        request, "notify", NotifyForm(request.POST, prefix="notify"),
        lambda d: notify.save_buyer_notifications(request.staff.shop, webhook_url=d["webhook_url"],
                                                  notify_email=d["notify_email"], user=request.user),
        done,
    )


@require_POST
@staff_view(OWNER)
def rotate_secret(request: HttpRequest) -> HttpResponse:
    saved = notify.rotate_webhook_secret(request.staff.shop, user=request.user)
    request.session[SECRET_ONCE] = saved.secret
    messages.success(request, _("New signing secret made; the old one no longer works. It is shown below "
                                "this once: copy it to the receiver now."))
    return redirect("console:settings")


@require_POST
@staff_view(OWNER)
def add_member(request: HttpRequest) -> HttpResponse:
    form = MemberForm(request.POST, prefix="member")
    return _save(
        request, "member", form,
        lambda d: staff_services.add_member(request.staff.shop, username=d["username"], role=d["role"],
                                            full_name=d["full_name"], password=d["password"]),
        lambda _member: _("%(username)s can now sign in to this shop.") % {"username": form.cleaned_data["username"]},
    )


@require_POST
@staff_view(OWNER)
def change_role(request: HttpRequest, membership_id: int) -> HttpResponse:
    return _save(
        request, "role", RoleForm(request.POST, prefix="m"),
        lambda d: staff_services.change_role(request.staff.shop, membership_id, role=d["role"]),
        lambda _membership: _("Role changed."),
    )
