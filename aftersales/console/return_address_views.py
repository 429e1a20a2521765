"""The shop's return addresses (店铺设置 → 退货地址, owners) and the pick of one when a return is approved.

The list shows each contact's phone masked, like every staff list; the buyer is given the whole address
of the case on the portal and in the approval message.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from aftersales.cases.domain.return_address import ID_PLATFORMS, full_address, one_line
from aftersales.cases.domain.states import Action, Actor, Kind, Status, next_status
from aftersales.cases.models import Case
from aftersales.cases.services import case_category_id
from aftersales.catalog import return_addresses as book
from aftersales.catalog.models import Category
from aftersales.console.return_address_forms import ReturnAddressForm
from aftersales.core.errors import DomainError
from aftersales.core.fields import mask_phone
from aftersales.web.access import OWNER, staff_view
from aftersales.web.errors import error_text


def approval_address(shop, case: Case, form) -> dict:
    """What the case page says about the return address: the copy the case keeps once approved; before
    that, whether approving sends the goods back, and the shop's addresses in the approval form with
    the default for the case picked (the field is dropped when nothing comes back)."""
    goes_back = False
    if case.status == Status.REQUESTED.value:
        try:
            target = next_status(Kind(case.kind), Status.REQUESTED, Action.APPROVE, Actor.MERCHANT)
            goes_back = target == Status.AWAITING_RETURN
        except DomainError:
            goes_back = False
    addresses = book.addresses_of(shop) if goes_back else []
    if goes_back and addresses:
        default = book.default_address(shop, case.platform, case_category_id(case), addresses)
        field = form.fields["return_address"]
        field.widget.choices = [(a.pk, _label(a)) for a in addresses]
        if not form.is_bound:
            form.initial["return_address"] = default.pk if default else None
    else:
        form.fields.pop("return_address", None)
    chosen = case.return_address or {}
    contact = f"{chosen.get('contact', '')} {mask_phone(chosen.get('phone', ''))}" if chosen else ""
    # A training shop has no warehouse: its trainees are not told to add one.
    none_yet = goes_back and not addresses and not shop.is_training
    return {"goes_back": goes_back, "none_yet": none_yet, "chosen": chosen,
            "place": full_address(chosen), "contact": contact}


def _label(address) -> str:
    return f"{address.name} · {one_line(book.snapshot(address), masked=True)}"


def _categories(shop):
    return list(Category.objects.filter(shop=shop).order_by("name"))


def _initial(address) -> dict:
    data = {key: getattr(address, key) for key in ("name", "contact", "phone", "province", "city", "district",
                                                    "detail", "postcode", "is_default", "platform")}
    data.update({"address_id": address.pk, "category": address.category_id})
    data.update({f"id_{p}": (address.platform_ids or {}).get(p, "") for p in ID_PLATFORMS})
    return data


def _render(request: HttpRequest, bound: ReturnAddressForm | None = None, error: str = "",
            status: int = 200) -> HttpResponse:
    shop = request.staff.shop
    categories = _categories(shop)
    rows = []
    for address in book.addresses_of(shop):
        form = ReturnAddressForm(prefix="addr", auto_id=f"id_a{address.pk}_%s", categories=categories,
                                 initial=_initial(address))
        if bound is not None and bound.data.get("addr-address_id") == str(address.pk):
            form = bound
        rows.append({"address": address, "form": form, "place": full_address(book.snapshot(address)),
                     "phone": mask_phone(address.phone),
                     "ids": {p: v for p, v in (address.platform_ids or {}).items() if v}})
    new = bound if bound is not None and not bound.data.get("addr-address_id") else \
        ReturnAddressForm(prefix="addr", categories=categories)
    return render(request, "console/return_addresses.html", {
        "nav": "settings", "rows": rows, "new_form": new, "error": error}, status=status)


@staff_view(OWNER)
def return_addresses(request: HttpRequest) -> HttpResponse:
    return _render(request)


@require_POST
@staff_view(OWNER)
def save_return_address(request: HttpRequest) -> HttpResponse:
    shop = request.staff.shop
    form = ReturnAddressForm(request.POST, prefix="addr", auto_id="id_err_%s", categories=_categories(shop))
    if not form.is_valid():
        return _render(request, form, _("Please correct the highlighted fields."), status=422)
    data = form.cleaned_data
    try:
        book.save_return_address(shop, address_id=data["address_id"], fields=form.address_fields(),
                                 platform_ids=form.platform_ids(), is_default=data["is_default"],
                                 platform=data["platform"], category_id=data["category"])
    except DomainError as exc:
        if exc.status == 404:
            raise Http404 from None
        return _render(request, form, error_text(exc), status=422)
    messages.success(request, _("Return address saved. Returns approved from now on use it; cases already "
                                "approved keep the address they were given."))
    return redirect("console:return_addresses")


@require_POST
@staff_view(OWNER)
def delete_return_address(request: HttpRequest, address_id: int) -> HttpResponse:
    try:
        book.delete_return_address(request.staff.shop, address_id)
    except DomainError:
        raise Http404 from None
    messages.success(request, _("Return address removed. Cases approved with it keep their copy."))
    return redirect("console:return_addresses")
