"""Human labels for the codes stored in the database, in the language of the request.

The pages of the console, the warehouse desk and the portal all read their labels from here. The
case's own vocabulary — statuses, kinds, reasons, actors and event kinds — comes from the product's
one catalogue (`aftersales/core/messages.toml`), the same words the API, the exports and the buyer's
messages use; the tables below that only pages need are translated with Django's i18n.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from django.utils import translation
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from aftersales.care.domain.limits import Why
from aftersales.cases.domain.events import EventKind
from aftersales.cases.domain.inspection import FailureReason, Verdict
from aftersales.cases.domain.states import Actor, Kind, Status
from aftersales.core import labels as core_labels
from aftersales.core import messages
from aftersales.core.choices import CHECKLIST_ITEMS, PLATFORM_LABELS, Grade, Reason


def catalogue_label(group: str, code: str) -> str:
    """The catalogue's word for `code` in the active language, capitalised to stand on its own."""
    return core_labels.standalone(group, code, translation.get_language() or messages.ZH)


def join(parts) -> str:
    """A list as the active language writes one (core.messages.join): 换货、维修 / Exchange, Repair."""
    return messages.join(parts, translation.get_language() or messages.ZH)


_lazy_label = lazy(catalogue_label, str)


class CatalogueTable(Mapping):
    """A table of labels read from the catalogue, translated when shown (like gettext_lazy)."""

    def __init__(self, group: str, codes: list[str]) -> None:
        self.group, self.codes = group, tuple(codes)

    def __getitem__(self, code: str):
        if code not in self.codes:
            raise KeyError(code)
        return _lazy_label(self.group, code)

    def __iter__(self) -> Iterator[str]:
        return iter(self.codes)

    def __len__(self) -> int:
        return len(self.codes)


STATUS = CatalogueTable("status", [s.value for s in Status])
KIND = CatalogueTable("kind", [k.value for k in Kind])
#: The case reasons, and "service": read from the buyer's words only (the complaint is the shop).
REASON = CatalogueTable("reason", [*(r.value for r in Reason), "service"])

#: How urgent a buyer's words are (cases.Case.urgency), keyed by the level as text.
URGENCY = {
    "0": _("Calm"),
    "1": _("Impatient"),
    "2": _("Angry"),
    "3": _("Threatens a complaint or a bad review"),
}

GOODS_STATUS = {
    "not_shipped": _("Not shipped"),
    "in_transit": _("In transit"),
    "received": _("Received by buyer"),
}

MONEY_STATUS = {
    "none": _("No refund yet"),
    "pending": _("Refund granted"),
    "refunding": _("Refund on its way"),
    "refunded": _("Refunded"),
    "partially_refunded": _("Partly refunded"),
    "failed": _("Refund failed"),
}

#: The timeline's words for each case event kind (cases/domain/events.py).
ACTION = CatalogueTable("event", [k.value for k in EventKind])
ACTOR = CatalogueTable("actor", [a.value for a in Actor])

#: Why staff refuse a request, close a case or grant a refund: the catalogue's words, as the exports use them.
REJECT_REASON = CatalogueTable("reject_reason", messages.codes("reject_reason"))
CLOSE_REASON = CatalogueTable("close_reason", messages.codes("close_reason"))
GRANT_REASON = CatalogueTable("grant_reason", messages.codes("grant_reason"))

#: The resale grade of what came back: what the shop can still sell, never the buyer's outcome.
GRADE = CatalogueTable("grade", [g.value for g in Grade])
#: An inspection's answer to the buyer's claim, and why one failed (cases/domain/inspection.py).
VERDICT = CatalogueTable("verdict", [v.value for v in Verdict])
FAILURE = CatalogueTable("failure", [f.value for f in FailureReason])

#: What the warehouse ticks on an inspection.
CHECKLIST = CatalogueTable("check", list(CHECKLIST_ITEMS))

RUNG = {
    "coupon": _("Coupon"),
    "member_discount": _("Member discount"),
    "points": _("Points"),
    "red_envelope": _("Red envelope (cash)"),
    "gift": _("Gift"),
}

TEMPLATE_KIND = {
    "apology": _("Apology"),
    "solution": _("Proposed solution"),
    "progress": _("Progress update"),
    "other": pgettext_lazy("template", "Other"),
}

ROLE = {
    "owner": _("Owner"),
    "agent": _("Agent"),
    "warehouse": _("Warehouse"),
    "trainee": _("Trainee"),
}

LAW_CATEGORY = {
    "apparel": _("Apparel"), "shoes": _("Shoes"), "bags": _("Bags"), "toys": _("Toys"),
    "textiles": _("Home textiles"), "food": _("Food"), "cosmetics": _("Cosmetics"), "medical": _("Medical"),
    "electronics": _("Electronics"), "digital_download": _("Digital downloads"),
    "physical_media": _("Audio, video and software (physical)"),
    "custom_made": _("Custom-made"), "fresh": _("Fresh produce"), "newspaper": _("Newspapers and magazines"),
    "furniture": _("Furniture"), "jewelry": _("Jewellery"), "other": pgettext_lazy("category", "Other"),
}

TABLES = {
    "status": STATUS, "kind": KIND, "reason": REASON, "goods": GOODS_STATUS, "money": MONEY_STATUS,
    "action": ACTION, "actor": ACTOR, "reject": REJECT_REASON, "close": CLOSE_REASON, "grant": GRANT_REASON,
    "grade": GRADE, "verdict": VERDICT, "failure": FAILURE, "check": CHECKLIST, "rung": RUNG,
    "template": TEMPLATE_KIND, "role": ROLE, "law": LAW_CATEGORY, "urgency": URGENCY,
    # Why a compensation needed a reason or the owner, and where its approval stands (core/messages.toml).
    "guard": CatalogueTable("guard", [w.value for w in Why]),
    "approval": CatalogueTable("approval", ["pending", "approved", "declined"]),
    # Who pays the return freight (policy_decision["return_freight_payer"]).
    "payer": CatalogueTable("payer", ["buyer", "merchant", "insurer", "none"]),
    # What the buyer's words complain of (Case.buyer_tags, the themes of 买家怎么说): stored in Chinese.
    "cause": CatalogueTable("cause_tag", messages.codes("cause_tag")),
}


def platform_label(code: str) -> str:
    names = PLATFORM_LABELS.get(code)
    if not names:
        return code
    return names[0] if (translation.get_language() or "zh-hans").startswith("zh") else names[1]


def label(table: str, code: str) -> str:
    """The translated label of `code` in `table`; the code itself if it has none."""
    if table == "platform":
        return platform_label(code)
    found = TABLES.get(table, {}).get(code)
    return str(found) if found is not None else str(code)


def choices(table: str, codes=None) -> list[tuple[str, str]]:
    """(code, label) pairs for a select; all of the table's codes unless `codes` is given."""
    if table == "platform":
        return [(c, platform_label(c)) for c in (codes or PLATFORM_LABELS)]
    source = TABLES[table]
    return [(c, str(source.get(c, c))) for c in (codes or source)]
