"""The form of a return address in the shop settings (owner only)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from aftersales.cases.domain.return_address import ID_PLATFORMS, LIMITS
from aftersales.core.choices import Platform
from aftersales.web.labels import choices


def _text(label, key: str, *, required: bool = True, **attrs) -> forms.CharField:
    return forms.CharField(label=label, max_length=LIMITS[key], required=required,
                           widget=forms.TextInput(attrs=attrs) if attrs else None)


class ReturnAddressForm(forms.Form):
    address_id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    name = _text(_("Warehouse"), "name", placeholder="杭州主仓")
    contact = _text(_("Contact"), "contact")
    phone = _text(_("Contact phone"), "phone", inputmode="tel", placeholder="13800000000 / 0571-88886666")
    province = _text(_("Province"), "province")
    city = _text(_("City"), "city")
    district = _text(_("District"), "district", required=False)
    detail = _text(_("Street address"), "detail")
    postcode = _text(_("Postcode"), "postcode", required=False, inputmode="numeric")
    is_default = forms.BooleanField(required=False, label=_("Default return address for the platform and "
                                                            "category below"))
    platform = forms.ChoiceField(required=False, label=_("Platform"), choices=lambda: [
        ("", _("All platforms"))] + choices("platform", [p.value for p in Platform]))
    category = forms.TypedChoiceField(required=False, coerce=int, empty_value=None, label=_("Category"))

    def __init__(self, *args, categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", _("All categories"))] + [(c.pk, c.name) for c in categories]
        # The platforms' own ids of this address, sent when a return is agreed on a connected store.
        for platform in ID_PLATFORMS:
            self.fields[f"id_{platform}"] = forms.CharField(
                required=False, max_length=64, label=_("Address id at %(platform)s") % {
                    "platform": dict(choices("platform", [platform]))[platform]})

    def platform_ids(self) -> dict[str, str]:
        return {p: self.cleaned_data.get(f"id_{p}", "") for p in ID_PLATFORMS}

    def address_fields(self) -> dict[str, str]:
        return {key: self.cleaned_data.get(key, "") for key in LIMITS}
