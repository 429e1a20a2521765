"""The upload form of the imports page."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from aftersales.web.labels import platform_label

PLATFORMS = ("douyin", "taobao", "tmall", "jd", "pdd")
#: The largest file the page takes (a 1,000,000-line 抖店 export is about 400 MB).
MAX_BYTES = settings.AFTERSALES_IMPORT_MAX_BYTES
EXTENSIONS = (".csv", ".xlsx", ".txt")


class ImportForm(forms.Form):
    platform = forms.ChoiceField(label=_("Platform"))
    kind = forms.ChoiceField(
        label=_("What the file holds"),
        choices=[("orders", _("Orders (the order export)")), ("cases", _("After-sale cases (the after-sale export)"))],
    )
    file = forms.FileField(
        label=_("Export file"),
        help_text=_("The .csv or .xlsx file exactly as the platform exported it. Importing it again is safe."),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(EXTENSIONS)}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["platform"].choices = [(code, platform_label(code)) for code in PLATFORMS]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(
                _("The file is too large (at most %(mb)s MB)."), params={"mb": MAX_BYTES // (1024 * 1024)}
            )
        return upload
