"""`{% platform_sync_panel case %}`: on the case page, what the platform answered to the agents' actions.

Each command sent for the case with its state in the agent's language: sending, confirmed, or the
platform's refusal (a version conflict, "handle it in the web backend", a refusal its rules forbid)
with the platform's own words; where the platform has no API for the action, a link to its workbench.
"""

from __future__ import annotations

from django import template
from django.utils.translation import gettext_lazy as _

from aftersales.platforms.connectors import connector_for
from aftersales.platforms.sync.models import PlatformCommand, StoreConnection

register = template.Library()

ACTIONS = {
    "agree_refund": _("Agree to the refund"), "agree_return": _("Agree to the return"), "refuse": _("Refuse"),
    "confirm_receipt": _("Confirm the return arrived"), "refund": _("Refund after the return"),
    "refuse_after_return": _("Refuse after the return"), "ship_replacement": _("Ship the replacement"),
}
RESULTS = {
    "pending": _("Sent to the platform, awaiting its confirmation: the case moves when the platform confirms."),
    "ok": _("Confirmed by the platform."),
    "conflict": _("The case changed on the platform meanwhile (version conflict): it now shows the platform's "
                  "state; act again if still needed."),
    "web_only": _("The platform wants this case handled in its merchant backend."),
    "forbidden": _("The platform's rules do not allow this action (for example, refusing a 7-day no-reason "
                   "return). The case shows the platform's state."),
    "rejected": _("The platform refused the action. The case shows the platform's state."),
    "not_found": _("The platform does not know this case."),
    "unsupported": _("The platform has no API for this action: do it in the platform's merchant backend; the case "
                     "follows once the platform shows it."),
    "rate_limited": _("The platform kept answering that calls are too frequent; the action was not sent."),
    "unavailable": _("The platform could not be reached after several tries; the action was not sent."),
    "token_expired": _("The store's authorisation has expired: the owner must authorise it again."),
    "auth_failed": _("The store's authorisation was refused: the owner must authorise it again."),
    "bad_response": _("The platform's answer could not be read."),
    "evidence_required": _("The platform wants photos for this refuse reason: add the shop's photos to the case "
                           "and refuse again."),
    "no_reason_code": _("None of the platform's refuse reasons fits the reason chosen: refuse in the platform's "
                        "merchant backend, or choose another reason."),
}
LINK_TO_WORKBENCH = {"unsupported", "web_only", "no_reason_code"}
#: Why a store's pull failed, short, for the 平台授权 status table (the connector's kinds, as in RESULTS).
PULL_FAILURES = {
    "unavailable": _("Platform unreachable"), "rate_limited": _("Rate limited"),
    "token_expired": _("Authorisation expired"), "auth_failed": _("Authorisation refused"),
    "bad_response": _("Unreadable answer"),
}


@register.filter
def pull_failure(code) -> str:
    """`unavailable:` or `token.auth_failed` → 无法连接平台; a kind without a label stays as it is."""
    kind = str(code or "").split(":", 1)[0].removeprefix("token.")
    return str(PULL_FAILURES.get(kind, code))


@register.inclusion_tag("platforms/_case_platform.html")
def platform_sync_panel(case):
    if not case.platform_case_id:
        return {"show": False}
    connected = StoreConnection.objects.filter(shop_id=case.shop_id, platform=case.platform).exists()
    commands = list(PlatformCommand.objects.filter(case=case).order_by("-created_at", "-id")[:5])
    if not connected and not commands:
        return {"show": False}
    try:
        workbench = connector_for(case.platform).workbench_url
    except ValueError:
        workbench = ""
    rows = []
    for command in commands:
        kind = command.result_kind or ("pending" if command.state == PlatformCommand.PENDING else "ok")
        if command.state == PlatformCommand.PENDING and command.attempts:
            kind = "pending"
        rows.append({"command": command, "action": ACTIONS.get(command.action, command.action),
                     "text": RESULTS.get(kind, RESULTS["rejected"]), "kind": kind,
                     "refused": command.state in (PlatformCommand.REJECTED, PlatformCommand.FAILED,
                                                  PlatformCommand.UNSUPPORTED),
                     "workbench": workbench if kind in LINK_TO_WORKBENCH else ""})
    return {"show": True, "rows": rows, "connected": connected, "workbench": workbench, "case": case}
