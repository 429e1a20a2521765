"""Forms of the merchant console. They parse and check input; the services decide."""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from aftersales.care.models import Rung
from aftersales.cases.domain.states import Kind
from aftersales.cases.services import CLOSE_REASONS, REJECT_REASONS
from aftersales.console.queries import TABS
from aftersales.core.choices import Platform, Reason
from aftersales.core.errors import DomainError
from aftersales.core.tracking import parse_tracking
from aftersales.refunds.services import GRANT_REASONS
from aftersales.web.fields import YuanField
from aftersales.web.labels import choices

NOTE_LIMIT = 2000


def _blank(label):
    return [("", label)]


class InboxFilterForm(forms.Form):
    """The inbox filters. Every field is optional; a bad value is ignored with a message."""

    SCOPES = (("open", _("Open")), ("all", _("All")), ("finished", _("Finished")))

    WAITING = (("us", _("Waiting on us")), ("buyer", _("Waiting on the buyer")),
               ("platform", _("Waiting on the platform")), ("sync", _("Platform status to sync")))

    q = forms.CharField(required=False, max_length=64, label=_("Search"),
                        error_messages={"max_length": _("Search for at most %(limit_value)d characters: a case, "
                                                        "order or tracking number, a buyer, 4 phone digits or a "
                                                        "product.")})
    tab = forms.ChoiceField(required=False, choices=[(k, k) for k in TABS])
    waiting = forms.ChoiceField(required=False, choices=WAITING, label=_("Whose move"))
    follow_up = forms.BooleanField(required=False, label=_("Daily follow-up"))
    scope = forms.ChoiceField(required=False, choices=SCOPES, label=_("Cases"))
    status = forms.ChoiceField(required=False, label=_("Status"),
                               choices=lambda: _blank(_("Any status")) + choices("status"))
    platform = forms.ChoiceField(required=False, label=_("Platform"),
                                 choices=lambda: _blank(_("Any platform")) + choices("platform", [p.value for p in Platform]))
    kind = forms.ChoiceField(required=False, label=_("Kind"),
                             choices=lambda: _blank(_("Any kind")) + choices("kind", [k.value for k in Kind]))
    reason = forms.ChoiceField(required=False, label=_("Reason"),
                               choices=lambda: _blank(_("Any reason")) + choices("reason", [r.value for r in Reason]))
    tag = forms.CharField(required=False, max_length=20, label=_("Tag"))
    assignee = forms.CharField(required=False, max_length=12, label=_("Assignee"))
    due_hours = forms.IntegerField(required=False, min_value=1, max_value=24 * 30, label=_("Due within (hours)"))
    overdue = forms.BooleanField(required=False, label=_("Overdue only"))
    urgent = forms.BooleanField(required=False, label=_("Threatens complaint"))  # = urgency 3 (older links)
    urgency = forms.ChoiceField(required=False, label=_("Urgency"), choices=lambda: [
        ("", _("Any urgency")), ("1", _("Impatient or worse")), ("2", _("Angry or worse")),
        ("3", _("Threatens a complaint or a bad review"))])
    said = forms.ChoiceField(required=False, label=_("In the buyer's words"), choices=lambda: _blank(
        _("Any reason")) + choices("reason", [*(r.value for r in Reason), "service"]))
    mismatch = forms.BooleanField(required=False, label=_("Picked reason ≠ buyer's words"))
    sort = forms.ChoiceField(required=False, label=_("Sort by"), choices=lambda: [
        ("", _("Deadline first")), ("urgency", _("Most urgent first"))])
    signals = forms.ChoiceField(required=False, label=_("Signals"), choices=(
        ("", _("Any")), ("flagged", _("Signals: any")), ("watched", _("Watched buyers"))))

    def __init__(self, *args, assignees=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].widget = forms.Select(
            choices=[("", _("Anyone")), ("me", _("Me")), ("none", _("Unassigned"))]
            + [(str(u.pk), u.get_full_name() or u.get_username()) for u in assignees]
        )

    def clean_assignee(self):
        value = self.cleaned_data.get("assignee") or ""
        if value and value not in ("me", "none") and not value.isdigit():
            raise ValidationError(_("Choose an assignee from the list."))
        return value


class IdListField(forms.Field):
    """A list of ids posted as repeated fields (checkboxes named alike)."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        if not value:
            return []
        try:
            ids = [int(v) for v in value]
        except (TypeError, ValueError):
            raise ValidationError(_("Select cases from the list."), code="invalid") from None
        return list(dict.fromkeys(ids))


class BulkForm(forms.Form):
    case = IdListField(error_messages={"required": _("Select at least one case.")})
    assignee = forms.IntegerField(required=False)

    def clean_case(self):
        ids = self.cleaned_data["case"]
        if len(ids) > 200:
            raise ValidationError(_("Select at most 200 cases at a time."))
        return ids


class BulkRefundForm(forms.Form):
    """The confirmed bulk refund: `case_id:idempotency_key` per case, as the plan page wrote them."""

    plan = forms.Field(widget=forms.MultipleHiddenInput,
                       error_messages={"required": _("Select at least one case.")})

    def clean_plan(self):
        planned = []
        for item in self.data.getlist("plan"):
            case_id, _sep, key = str(item).partition(":")
            if not case_id.isdigit() or not re.fullmatch(r"[A-Za-z0-9._-]{8,80}", key):
                raise ValidationError(_("Select cases from the list."), code="invalid")
            planned.append((int(case_id), key))
        if len(planned) > 200:
            raise ValidationError(_("Select at most 200 cases at a time."))
        return list(dict.fromkeys(planned))


# -- case actions ---------------------------------------------------------------------------------

class NoteOptionalForm(forms.Form):
    note = forms.CharField(required=False, max_length=NOTE_LIMIT, widget=forms.Textarea(attrs={"rows": 2}),
                           label=_("Note"))


class ApproveForm(NoteOptionalForm):
    """Approving a return says where the goods go back (rule L6): one of the shop's return addresses, the
    default for the case preselected. The page fills the choices; the service refuses an id that is not
    one of the shop's (and without one it takes the default)."""

    return_address = forms.IntegerField(required=False, min_value=1, label=_("Return address"),
                                        widget=forms.Select)
    field_order = ["return_address", "note"]


class NoteRequiredForm(forms.Form):
    note = forms.CharField(max_length=NOTE_LIMIT, widget=forms.Textarea(attrs={"rows": 2}), label=_("Note"))


class RejectForm(forms.Form):
    """A refusal names its reason, tells the buyer why in words, and is confirmed: never one click."""

    reason_code = forms.ChoiceField(label=_("Reason"), error_messages={"required": _("Choose the reason.")},
                                    choices=lambda: _blank(_("Choose…")) + choices("reject", REJECT_REASONS))
    note = forms.CharField(max_length=NOTE_LIMIT, widget=forms.Textarea(attrs={"rows": 3}),
                           label=_("Message to the buyer"),
                           error_messages={"required": _("Tell the buyer why the request is refused.")})
    confirm = forms.BooleanField(label=_("I have checked the request and refuse it"),
                                 error_messages={"required": _("Confirm the refusal: tick the box.")})


class CloseForm(forms.Form):
    reason_code = forms.ChoiceField(label=_("Reason"), choices=lambda: choices("close", CLOSE_REASONS))
    note = forms.CharField(required=False, max_length=NOTE_LIMIT, widget=forms.Textarea(attrs={"rows": 2}),
                           label=_("Note"))


class ShipForm(forms.Form):
    carrier = forms.CharField(max_length=32, label=_("Carrier"))
    tracking_no = forms.CharField(max_length=40, label=_("Tracking number"))

    def clean_tracking_no(self):
        try:
            return parse_tracking(self.cleaned_data["tracking_no"])
        except DomainError:
            raise ValidationError(_("A tracking number has 6 to 40 letters and digits.")) from None


class RulingForm(forms.Form):
    for_buyer = forms.TypedChoiceField(
        coerce=lambda v: v == "buyer", label=_("The platform ruled for"),
        choices=(("buyer", _("the buyer")), ("merchant", _("the merchant"))),
    )
    note = forms.CharField(required=False, max_length=NOTE_LIMIT, widget=forms.Textarea(attrs={"rows": 2}),
                           label=_("Note"))


class GrantForm(forms.Form):
    """The amount is always typed (the page offers what is refundable now) and the reason always chosen:
    an empty amount must never mean "everything", least of all for a partial refund."""

    amount = YuanField(min_fen=1, label=_("Amount (yuan)"),
                       error_messages={"required": _("Enter the amount to refund.")})
    reason_code = forms.ChoiceField(label=_("Reason"), error_messages={"required": _("Choose the reason.")},
                                    choices=lambda: _blank(_("Choose…")) + choices("grant", GRANT_REASONS))
    note = forms.CharField(required=False, max_length=NOTE_LIMIT, label=_("Note"))


class ExecuteForm(forms.Form):
    idempotency_key = forms.RegexField(regex=r"^[A-Za-z0-9._:-]{8,100}$", widget=forms.HiddenInput)


class ReturnFreightForm(forms.Form):
    """The buyer's return freight, reimbursed by the shop: the amount typed (the page offers what the
    buyer claimed, within the shop's cap), a receipt among the case's photos for more than the cap."""

    amount = YuanField(min_fen=1, label=_("Amount (yuan)"),
                       error_messages={"required": _("Enter the return freight to reimburse.")})
    receipt = forms.TypedChoiceField(required=False, coerce=int, empty_value=None, label=_("Carrier's receipt"))
    note = forms.CharField(required=False, max_length=NOTE_LIMIT, label=_("Note"))
    idempotency_key = forms.RegexField(regex=r"^[A-Za-z0-9._:-]{8,100}$", widget=forms.HiddenInput)

    def __init__(self, *args, receipts: list[tuple[int, str]] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["receipt"].choices = [("", _("None (within the shop's limit)")), *(receipts or [])]


class TagsForm(forms.Form):
    tags = forms.CharField(required=False, max_length=400, label=_("Tags"),
                           help_text=_("Separate tags with commas."))

    def clean_tags(self):
        raw = self.cleaned_data["tags"].replace("，", ",")
        tags = [t.strip() for t in raw.split(",") if t.strip()]
        if any(len(t) > 20 for t in tags) or len(tags) > 20:
            raise ValidationError(_("At most 20 tags of at most 20 characters each."))
        return tags


class ReasonCorrectionForm(forms.Form):
    reason = forms.ChoiceField(label=_("The buyer's words mean"), choices=lambda: choices(
        "reason", [*(r.value for r in Reason), "service"]))


class FollowUpForm(forms.Form):
    follow_up = forms.BooleanField(required=False)


class AssignForm(forms.Form):
    assignee = forms.IntegerField(required=False, label=_("Assignee"))


class ReplyForm(forms.Form):
    template = forms.IntegerField(required=False, widget=forms.HiddenInput)
    body = forms.CharField(max_length=NOTE_LIMIT, widget=forms.Textarea(attrs={"rows": 5}), label=_("Reply"))


class CompensationForm(forms.Form):
    rung = forms.ChoiceField(label=_("Compensation"), choices=lambda: choices("rung", Rung.values))
    amount = YuanField(min_fen=1, label=_("Cost to the shop (yuan)"))
    note = forms.CharField(required=False, max_length=200, label=_("Note"))
    reason = forms.CharField(
        required=False, max_length=200, label=_("Reason (when skipping a rung or going over a limit)"),
        help_text=_("Required when this skips a rung of the ladder, goes beyond it or over a limit; "
                    "recorded on the case."))


class EvidenceForm(forms.Form):
    photo = forms.FileField(label=_("Photo"))


