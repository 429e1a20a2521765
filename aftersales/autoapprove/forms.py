"""The form of one auto-approve rule on its settings page."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from aftersales.autoapprove.domain.rules import FAST_REFUND
from aftersales.web.fields import YuanField
from aftersales.web.labels import choices, label


def remedy_label(remedy: str) -> str:
    """What a rule does, in the page's language: the kind of request it agrees to, or 极速退款."""
    return str(_("Fast refund (before the return arrives)")) if remedy == FAST_REFUND else label("kind", remedy)


def _remedies() -> list[tuple[str, str]]:
    return choices("kind", ["refund_only", "return_refund"]) + [(FAST_REFUND, remedy_label(FAST_REFUND))]


TRUST_CHOICES = [("anyone", _("Anyone the shop does not watch")), ("trusted", _("Only buyers marked trusted"))]


class RuleForm(forms.Form):
    rule_id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    name = forms.CharField(max_length=60, label=_("Rule name"))
    remedy = forms.ChoiceField(label=_("Kind of request"), choices=_remedies)
    goods_status = forms.ChoiceField(
        required=False, label=_("State of the goods"),
        choices=lambda: [("", _("Any"))] + choices("goods", ["not_shipped", "in_transit", "received"]))
    max_amount = YuanField(min_fen=1, label=_("Up to (yuan)"))
    trust = forms.ChoiceField(label=_("Buyers"), choices=TRUST_CHOICES)
    active = forms.BooleanField(required=False, initial=True, label=_("On"))

    def clean_max_amount(self):
        value = self.cleaned_data["max_amount"]
        if value is None:
            raise forms.ValidationError(_("Enter an amount in yuan, such as 12.50."))
        return value


class FastRefundRuleForm(RuleForm):
    """A new 极速退款 rule: the same rule, its kind fixed and trusted buyers only unless the owner says
    otherwise (the money leaves before the goods are back)."""

    remedy = forms.ChoiceField(choices=[(FAST_REFUND, FAST_REFUND)], initial=FAST_REFUND, widget=forms.HiddenInput)
    goods_status = forms.CharField(required=False, initial="", widget=forms.HiddenInput)
    max_amount = YuanField(min_fen=1, label=_("Refund at once up to (yuan)"),
                           help_text=_("Above this amount the return waits for the warehouse as usual."))
    trust = forms.ChoiceField(label=_("Buyers"), choices=TRUST_CHOICES, initial="trusted",
                              help_text=_("Buyers the shop watches are never refunded early."))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_fast_%s")
        super().__init__(*args, **kwargs)

    def clean_goods_status(self):
        return ""  # any state of the goods: what matters is that they are on their way back
