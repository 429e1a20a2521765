"""Forms of the receiving desk."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from aftersales.cases.domain.inspection import failure_reasons_for
from aftersales.core.choices import Grade
from aftersales.core.errors import DomainError
from aftersales.core.tracking import parse_tracking
from aftersales.web.fields import PhotosField, YuanField
from aftersales.web.labels import choices


class ScanForm(forms.Form):
    tracking_no = forms.CharField(max_length=40, label=_("Tracking number"),
                                  error_messages={"required": _("Scan or type the tracking number on the parcel.")})

    def clean_tracking_no(self):
        try:
            return parse_tracking(self.cleaned_data["tracking_no"])
        except DomainError:
            raise forms.ValidationError(_("A tracking number has 6 to 40 letters and digits.")) from None


class ReceiveForm(forms.Form):
    tracking_no = forms.CharField(max_length=40, required=False, label=_("Tracking number"))
    carrier = forms.CharField(max_length=32, required=False, label=_("Carrier"))
    note = forms.CharField(max_length=500, required=False, label=_("What is written on or found in the parcel"),
                           widget=forms.Textarea(attrs={"rows": 2}))
    case = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        try:
            data["tracking_no"] = parse_tracking(data.get("tracking_no"), required=False)
        except DomainError:
            self.add_error("tracking_no", _("A tracking number has 6 to 40 letters and digits."))
            return data
        if not data["tracking_no"] and not (data.get("note") or "").strip() and not data.get("case"):
            raise forms.ValidationError(_("Enter the tracking number, or describe the parcel."))
        return data


class MatchForm(forms.Form):
    number = forms.CharField(max_length=32, label=_("Case number"))


class InspectForm(forms.Form):
    """The verdict on the buyer's claim (pass, or fail for a documented reason) and, apart from it, the
    resale grade."""

    failure_reason = forms.ChoiceField(label=_("Fails for"), required=False, widget=forms.RadioSelect)
    grade = forms.ChoiceField(label=_("Resale grade"), widget=forms.RadioSelect,
                              choices=lambda: choices("grade", [g.value for g in Grade]),
                              error_messages={"required": _("Choose a grade.")})
    restock = forms.BooleanField(required=False, label=_("Put back into stock"))
    accepted_quantity = forms.IntegerField(required=False, min_value=0, label=_("Accepted quantity"))
    write_off = YuanField(required=False, label=_("Value written off (yuan)"))
    note = forms.CharField(max_length=1000, required=False, label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}))
    photos = PhotosField(required=False, label=_("Photos"))

    def __init__(self, *args, checklist=(), claim_reason: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.checklist = list(checklist)
        # The reasons this claim may fail for (a defect claim never fails for use), and "it passes".
        reasons = [r.value for r in failure_reasons_for(claim_reason)]
        self.fields["failure_reason"].choices = [("", _("It passes")), *choices("failure", reasons)]
        self.fields["failure_reason"].initial = ""
        for item in self.checklist:
            self.fields[f"check_{item}"] = forms.BooleanField(required=False, label=choices("check", [item])[0][1])

    def checklist_result(self) -> dict[str, bool]:
        return {item: bool(self.cleaned_data.get(f"check_{item}")) for item in self.checklist}

    def check_fields(self):
        return [self[f"check_{item}"] for item in self.checklist]
