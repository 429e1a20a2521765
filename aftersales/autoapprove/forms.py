"""The form of one auto-approve rule on its settings page."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from aftersales.web.fields import YuanField
from aftersales.web.labels import choices


class RuleForm(forms.Form):
    rule_id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    name = forms.CharField(max_length=60, label=_("Rule name"))
    remedy = forms.ChoiceField(label=_("Kind of request"),
                               choices=lambda: choices("kind", ["refund_only", "return_refund"]))
    goods_status = forms.ChoiceField(
        required=False, label=_("State of the goods"),
        choices=lambda: [("", _("Any"))] + choices("goods", ["not_shipped", "in_transit", "received"]))
    max_amount = YuanField(min_fen=1, label=_("Up to (yuan)"))
    trust = forms.ChoiceField(label=_("Buyers"), choices=[
        ("anyone", _("Anyone the shop does not watch")), ("trusted", _("Only buyers marked trusted"))])
    active = forms.BooleanField(required=False, initial=True, label=_("On"))

    def clean_max_amount(self):
        value = self.cleaned_data["max_amount"]
        if value is None:
            raise forms.ValidationError(_("Enter an amount in yuan, such as 12.50."))
        return value
