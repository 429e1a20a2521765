"""The owner's form to connect a store (店铺设置 → 平台授权). Secrets are password fields, never echoed."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from aftersales.platforms.sync.connections import PLATFORMS
from aftersales.web.labels import choices


def platform_choices() -> list[tuple[str, str]]:
    """The platforms a store connects to, named in the page's language (evaluated at each rendering)."""
    return choices("platform", PLATFORMS)


class ConnectForm(forms.Form):
    platform = forms.ChoiceField(label=_("Platform"), choices=platform_choices)
    name = forms.CharField(label=_("Store name"), max_length=100)
    base_url = forms.CharField(label=_("API gateway"), max_length=300,
                               help_text=_("The platform's open-API address, or a contract simulator's."))
    app_key = forms.CharField(label=_("App key"), max_length=100)
    app_secret = forms.CharField(label=_("App secret"), max_length=200, widget=forms.PasswordInput)
    access_token = forms.CharField(label=_("Access token"), max_length=500, widget=forms.PasswordInput)
    refresh_token = forms.CharField(label=_("Refresh token"), max_length=500, required=False,
                                    widget=forms.PasswordInput)
    return_address_id = forms.CharField(label=_("Return address id"), max_length=64, required=False,
                                        help_text=_("Sent to the platform when a return is agreed."))
