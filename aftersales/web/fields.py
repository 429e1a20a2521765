"""Form fields every app's pages use: an amount typed in yuan, several photos at once."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from aftersales.core.errors import DomainError
from aftersales.core.money import yuan_to_fen

MAX_PHOTOS = settings.UPLOAD_MAX_FILES


class YuanField(forms.Field):
    """An amount typed in yuan ("12.50", "¥12.5", "1,234"), cleaned to integer fen."""

    widget = forms.TextInput

    def __init__(self, *, min_fen: int = 0, **kwargs):
        self.min_fen = min_fen
        super().__init__(**kwargs)
        self.widget.attrs.update({"inputmode": "decimal", "placeholder": "0.00", "maxlength": "20"})

    def to_python(self, value):
        text = str(value or "").strip()
        if not text:
            return None
        if len(text) > 20:
            raise ValidationError(_("Enter an amount in yuan, such as 12.50."), code="invalid")
        try:
            fen = yuan_to_fen(text)
        except DomainError:
            raise ValidationError(_("Enter an amount in yuan, such as 12.50."), code="invalid") from None
        if fen < self.min_fen:
            raise ValidationError(_("Enter an amount greater than zero."), code="min")
        return fen


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if not files and self.required:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        if len(files) > MAX_PHOTOS:
            raise forms.ValidationError(_("At most %(n)s photos at a time.") % {"n": MAX_PHOTOS})
        return [super(PhotosField, self).clean(f, initial) for f in files]
