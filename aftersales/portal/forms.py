"""Forms of the buyer portal."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from aftersales.cases.domain.states import Kind
from aftersales.core.choices import Reason
from aftersales.core.errors import DomainError
from aftersales.core.tracking import parse_tracking
from aftersales.web.fields import PhotosField, YuanField
from aftersales.web.labels import choices

BUYER_KINDS = [Kind.REFUND_ONLY.value, Kind.RETURN_REFUND.value, Kind.EXCHANGE.value, Kind.RESHIP.value,
               Kind.REPAIR.value, Kind.PARTIAL_REFUND.value]


class FindOrderForm(forms.Form):
    order_no = forms.CharField(max_length=64, label=_("Order number"),
                               error_messages={"required": _("Enter your order number.")})
    last4 = forms.RegexField(regex=r"^\d{4}$", max_length=4, label=_("Last 4 digits of your phone"),
                             error_messages={"invalid": _("Enter the last 4 digits of the phone number on the order."),
                                             "required": _("Enter the last 4 digits of the phone number on the order.")})


class RequestForm(forms.Form):
    kind = forms.ChoiceField(label=_("What would you like?"), choices=lambda: choices("kind", BUYER_KINDS),
                             error_messages={"required": _("Choose what you would like.")})
    reason = forms.ChoiceField(label=_("Reason"), choices=lambda: [("", _("Choose a reason"))]
                               + choices("reason", [r.value for r in Reason]),
                               error_messages={"required": _("Choose a reason.")})
    note = forms.CharField(required=False, max_length=2000, label=_("Describe the problem"),
                           widget=forms.Textarea(attrs={"rows": 3}))
    photos = PhotosField(required=False, label=_("Photos"))
    email = forms.EmailField(required=False, max_length=254, label=_("E-mail for progress updates (optional)"),
                             error_messages={"invalid": _("Enter a valid e-mail address, or leave it empty.")})

    exchange_sku = forms.TypedChoiceField(required=False, coerce=int, empty_value=None,
                                          label=_("Exchange for which size or colour?"),
                                          error_messages={"invalid_choice": _("That size or colour is no longer in "
                                                                              "stock; choose another.")})

    def __init__(self, *args, lines=(), exchange_skus=(), ordered_skus=frozenset(), **kwargs):
        super().__init__(*args, **kwargs)
        # Grouped by product (an exchange is for another size or colour of the same product).
        groups: dict[str, list] = {}
        for sku in exchange_skus:
            # The size already bought is offered too (the right colour for a wrong one, a sound one for a
            # faulty one) and said to be the same, so nobody swaps an M for an M by mistake.
            text = (_("%(spec)s (the one you have, %(stock)s in stock)") if sku.pk in ordered_skus
                    else _("%(spec)s (%(stock)s in stock)"))
            groups.setdefault(sku.product.title, []).append(
                (sku.pk, text % {"spec": sku.spec or sku.code, "stock": sku.stock}))
        self.fields["exchange_sku"].choices = [("", _("Choose a size or colour"))] + list(groups.items())
        self.exchange_offered = bool(groups)
        if self.is_bound and self.data.get("kind") != Kind.EXCHANGE.value:
            # A size left picked in the hidden field before a change of mind: not checked, not sent.
            self.fields["exchange_sku"].valid_value = lambda value: True
        self.line_ids = []
        open_lines = [p for p in lines if p.available > 0]
        for policy in lines:
            name = f"qty_{policy.line.pk}"
            self.line_ids.append(policy.line.pk)
            # A single item that can still be returned is what the request is about: one of it, not zero.
            initial = 1 if len(open_lines) == 1 and policy is open_lines[0] else 0
            self.fields[name] = forms.IntegerField(min_value=0, max_value=policy.available, required=False,
                                                   initial=initial, label=policy.line.title)

    def clean(self):
        data = super().clean()
        picked = [(pk, data.get(f"qty_{pk}") or 0) for pk in self.line_ids]
        picked = [(pk, q) for pk, q in picked if q > 0]
        if not picked and not any(f"qty_{pk}" in self.errors for pk in self.line_ids):
            raise forms.ValidationError(_("Choose at least one item and how many."))
        data["lines"] = picked
        if (data.get("kind") == Kind.EXCHANGE.value and self.exchange_offered and not data.get("exchange_sku")
                and "exchange_sku" not in self.errors):
            self.add_error("exchange_sku", _("Choose the size or colour you want instead."))
        if data.get("kind") != Kind.EXCHANGE.value:
            data["exchange_sku"] = None  # kept in the form for a change of mind, not sent with another remedy
        return data


class TrackingForm(forms.Form):
    carrier = forms.CharField(max_length=32, label=_("Carrier"),
                              error_messages={"required": _("Enter the carrier.")})
    tracking_no = forms.CharField(max_length=40, label=_("Tracking number"),
                                  error_messages={"required": _("Enter the tracking number.")})
    # What the parcel cost, when the shop pays the return freight: the shop reimburses it (refunds.freight).
    freight = YuanField(required=False, label=_("What the return parcel cost (yuan)"))

    def clean_tracking_no(self):
        try:
            return parse_tracking(self.cleaned_data["tracking_no"])
        except DomainError:
            raise forms.ValidationError(_("A tracking number has 6 to 40 letters and digits.")) from None


class RatingForm(forms.Form):
    score = forms.TypedChoiceField(coerce=int, choices=[(i, i) for i in range(1, 6)], label=_("Your rating"),
                                   widget=forms.RadioSelect,
                                   error_messages={"required": _("Choose a rating from 1 to 5 stars."),
                                                   "invalid_choice": _("Choose a rating from 1 to 5 stars.")})
    comment = forms.CharField(required=False, max_length=1000, label=_("Anything to tell us?"),
                              widget=forms.Textarea(attrs={"rows": 3}))


class PhotoForm(forms.Form):
    photos = PhotosField(required=True, label=_("Photos"))
