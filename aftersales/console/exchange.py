"""The exchange on the case page: the size/colour the buyer asked for, its stock, and changing the
remedy (another size, reship, partial refund …) once the buyer agreed."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from aftersales.cases.domain.states import Kind, Status
from aftersales.cases.services import remedies_to_switch_to
from aftersales.catalog.selectors import exchange_skus
from aftersales.console.forms import NOTE_LIMIT
from aftersales.web.fields import YuanField
from aftersales.web.labels import choices, label

#: What an agent may change a request to from the case page.
SWITCH_KINDS = [Kind.EXCHANGE.value, Kind.RETURN_REFUND.value, Kind.REFUND_ONLY.value, Kind.RESHIP.value,
                Kind.REPAIR.value, Kind.PARTIAL_REFUND.value]


class SwitchRemedyForm(forms.Form):
    """The remedy the buyer agreed to, and how they agreed: the agreement is part of the record."""

    kind = forms.ChoiceField(label=_("Change to"), choices=lambda: choices("kind", SWITCH_KINDS),
                             error_messages={"required": _("Choose the new remedy.")})
    exchange_sku = forms.TypedChoiceField(required=False, coerce=int, empty_value=None, choices=(),
                                          label=_("Size or colour to send"))
    amount = YuanField(required=False, min_fen=1, label=_("Partial refund (yuan)"))
    buyer_agreed = forms.BooleanField(label=_("The buyer agreed"),
                                      error_messages={"required": _("Tick it once the buyer has agreed.")})
    note = forms.CharField(max_length=NOTE_LIMIT, widget=forms.Textarea(attrs={"rows": 2}),
                           label=_("How the buyer agreed"),
                           error_messages={"required": _("Say how the buyer agreed (chat, phone …).")})

    def __init__(self, *args, skus=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Bound by the generic action view without the case: any whole number; the service checks it.
        field = self.fields["exchange_sku"]
        if skus is None:
            field.choices = []
            field.valid_value = lambda value: True
        else:
            field.choices = [("", _("Keep the size or colour"))] + [
                (s.pk, _("%(spec)s (%(stock)s in stock)") % {"spec": s.spec or s.code, "stock": s.stock})
                for s in skus]

    def clean(self):
        data = super().clean()
        if data.get("kind") == Kind.PARTIAL_REFUND.value and not data.get("amount") and "amount" not in self.errors:
            self.add_error("amount", _("Enter the amount of the partial refund."))
        return data


def exchange_panel(case) -> dict:
    """What the page shows about the exchange, and whether it offers a change of remedy."""
    sku = case.exchange_sku
    units = sum(line.quantity for line in case.lines.all())
    out_of_stock = bool(sku and case.kind == Kind.EXCHANGE.value and (sku.stock or 0) < units)
    product_ids = [line.order_line.product_id for line in case.lines.all()]
    in_stock = [s for s in exchange_skus(case.shop, product_ids) if s.stock >= units]
    switchable = case.status == Status.REQUESTED.value or (
        case.status == Status.FULFILLING.value and case.kind == Kind.EXCHANGE.value)
    kinds = remedies_to_switch_to(case) if case.status == Status.REQUESTED.value else [Kind.EXCHANGE.value]
    return {"sku": sku, "units": units, "out_of_stock": out_of_stock, "in_stock": in_stock,
            "switchable": switchable, "is_exchange": case.kind == Kind.EXCHANGE.value,
            "kinds": [(k, label("kind", k)) for k in SWITCH_KINDS if k in kinds]}
