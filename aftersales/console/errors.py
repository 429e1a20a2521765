"""Error codes to sentences in the page's language.

The domain's codes are rendered by `core.messages.translate`; the few codes that belong to the pages
themselves (care, staff, portal) are translated here with Django's gettext, so that every refusal a
person sees is a sentence in their language, never a code.
"""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext_lazy as _

from aftersales.core.errors import DomainError

PAGE_MESSAGES = {
    "staff.username_taken": _("The user name “%(username)s” is taken by a user of another shop."),
    "staff.already_member": _("%(username)s is already a member of this shop."),
    "staff.last_owner": _("The shop must keep at least one owner."),
    "staff.not_member": _("This person is not a member of this shop."),
    "staff.password_too_short": _("The password must have at least %(minimum)s characters."),
    "staff.invalid_username": _("A user name has 3 to 30 letters, digits or . _ - characters."),
    "rule.duplicate": _("A rule for this platform and category already exists; edit it instead."),
    "rule.not_found": _("This return rule does not exist."),
    "portal.rate_limited": _("Too many attempts. For your security, please wait %(minutes)s minutes "
                             "and try again."),
    "portal.not_found": _("No order matches this order number and phone number. Check both and try again."),
    "portal.photo_required": _("Please add at least one photo of the problem."),
    "case.bulk_not_unshipped_refund": _("%(number)s: only refund-only requests on orders not yet shipped "
                                        "can be approved in bulk."),
    "case.bulk_not_awaiting_review": _("%(number)s is no longer awaiting review."),
    "parcel.choose_case": _("Choose the request this parcel belongs to."),
}


def _params(params: dict) -> dict:
    return {k: str(v) for k, v in params.items()}


def error_text(error: DomainError | str, **params) -> str:
    """The sentence for a refusal, in the active language."""
    if isinstance(error, DomainError):
        code, params = error.code, {**error.params, **params}
    else:
        code = error
    page = PAGE_MESSAGES.get(code)
    if page is not None:
        try:
            return str(page) % _params(params)
        except (KeyError, ValueError, TypeError):
            return str(page)
    from aftersales.core.messages import translate

    return translate(code, translation.get_language() or "zh-hans", **params)
