"""Forms of the shop settings page (owner only)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from aftersales.care.models import TemplateKind
from aftersales.core.choices import Platform, Role
from aftersales.web.fields import YuanField
from aftersales.web.labels import choices


class RuleForm(forms.Form):
    rule_id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    platform = forms.ChoiceField(required=False, label=_("Platform"),
                                 choices=lambda: [("", _("All platforms"))] + choices("platform", [p.value for p in Platform]))
    category = forms.TypedChoiceField(required=False, coerce=int, empty_value=None, label=_("Category"))
    no_reason_days = forms.IntegerField(label=_("No-reason return days"), max_value=100000, initial=7)
    free_return_shipping = forms.BooleanField(required=False, label=_("Free returns: the shop pays the return freight"))
    exchange_days = forms.IntegerField(label=_("Exchange days for defects"), max_value=100000, initial=15)
    warranty_days = forms.IntegerField(label=_("Warranty (repair) days"), max_value=100000, initial=90)
    allow_partial_refund = forms.BooleanField(required=False, initial=True,
                                              label=_("Offer a partial refund with the goods kept"))

    def __init__(self, *args, categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", _("All categories"))] + [(c.pk, c.name) for c in categories]


class TemplateForm(forms.Form):
    template_id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    name = forms.CharField(max_length=60, label=_("Name"))
    kind = forms.ChoiceField(label=_("Kind"), choices=lambda: choices("template", TemplateKind.values))
    language = forms.ChoiceField(label=_("Language"), choices=(("zh-hans", "简体中文"), ("en", "English")))
    body = forms.CharField(max_length=2000, label=_("Text"), widget=forms.Textarea(attrs={"rows": 4}))


class LimitsForm(forms.Form):
    """The owner's compensation limits (care.domain.limits); 0 means no limit."""

    agent = YuanField(label=_("An agent gives alone up to (yuan per grant)"),
                      help_text=_("Above this the owner approves it."))
    case = YuanField(label=_("One case receives up to (yuan in all)"), help_text=_("0: no limit."))
    owner = YuanField(label=_("No single grant above (yuan, the owner's too)"), help_text=_("0: no limit."))

    def clean(self):
        data = super().clean()
        for name in ("agent", "case", "owner"):
            if name in data and data[name] is None:
                self.add_error(name, _("Enter an amount in yuan, such as 12.50."))
        return data


class FreightCapForm(forms.Form):
    amount = YuanField(label=_("Return freight reimbursed without a receipt, at most (yuan)"),
                       error_messages={"required": _("Enter an amount in yuan, such as 12.50.")})


class BudgetForm(forms.Form):
    amount = YuanField(label=_("Monthly compensation budget (yuan)"))

    def clean_amount(self):
        value = self.cleaned_data["amount"]
        if value is None:
            raise forms.ValidationError(_("Enter an amount in yuan, such as 12.50."))
        return value


class OwnerConfirmation(forms.Form):
    """The owner role gives every power (refunds, settings, staff): it is never the default, and giving it
    is confirmed with a tick. The least role, agent, is what a new member gets unless told otherwise."""

    role = forms.ChoiceField(label=_("Role"), initial=Role.AGENT.value,
                             choices=lambda: choices("role", [r.value for r in Role]))
    confirm_owner = forms.BooleanField(
        required=False, label=_("I confirm: the owner role may refund, change the shop settings and manage staff"))

    def clean(self):
        data = super().clean()
        if data.get("role") == Role.OWNER.value and not data.get("confirm_owner"):
            self.add_error("confirm_owner", _("Giving the owner role needs your confirmation: tick the box."))
        return data


class MemberForm(OwnerConfirmation):
    username = forms.CharField(max_length=30, label=_("User name"))
    full_name = forms.CharField(max_length=60, required=False, label=_("Display name"))
    password = forms.CharField(required=False, max_length=128, widget=forms.PasswordInput, label=_("Password"),
                               help_text=_("For a new user. Leave empty to add an existing user."))
    field_order = ["username", "full_name", "password", "role", "confirm_owner"]


class RoleForm(OwnerConfirmation):
    pass


class NotifyForm(forms.Form):
    webhook_url = forms.CharField(
        required=False, max_length=200, label=_("Webhook URL"),
        widget=forms.URLInput(attrs={"placeholder": "https://hooks.example.com/aftersales", "autocomplete": "off"}),
        help_text=_("Each message to a buyer is POSTed here as JSON, signed with HMAC-SHA256. Only public "
                    "https or http addresses. Leave empty to turn the webhook off."))
    notify_email = forms.BooleanField(required=False, label=_("Also send messages by e-mail (to buyers and "
                                                              "staff whose e-mail address is known)"))
