"""Forms of the buyer portal."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from aftersales.cases.domain.states import Kind
from aftersales.console.labels import choices
from aftersales.core.choices import Reason
from aftersales.warehouse.forms import PhotosField

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

    def __init__(self, *args, lines=(), **kwargs):
        super().__init__(*args, **kwargs)
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
        return data


class TrackingForm(forms.Form):
    carrier = forms.CharField(max_length=32, label=_("Carrier"),
                              error_messages={"required": _("Enter the carrier.")})
    tracking_no = forms.CharField(max_length=40, label=_("Tracking number"),
                                  error_messages={"required": _("Enter the tracking number.")})

    def clean_tracking_no(self):
        value = "".join(self.cleaned_data["tracking_no"].split()).upper()
        if not (6 <= len(value) <= 40) or not value.isalnum():
            raise forms.ValidationError(_("A tracking number has 6 to 40 letters and digits."))
        return value


class RatingForm(forms.Form):
    score = forms.TypedChoiceField(coerce=int, choices=[(i, i) for i in range(1, 6)], label=_("Your rating"),
                                   widget=forms.RadioSelect,
                                   error_messages={"required": _("Choose a rating from 1 to 5 stars."),
                                                   "invalid_choice": _("Choose a rating from 1 to 5 stars.")})
    comment = forms.CharField(required=False, max_length=1000, label=_("Anything to tell us?"),
                              widget=forms.Textarea(attrs={"rows": 3}))


class PhotoForm(forms.Form):
    photos = PhotosField(required=True, label=_("Photos"))
