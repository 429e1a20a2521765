"""Error codes to sentences in the page's language.

Every code a service raises is rendered by `core.messages.translate`; the few codes that only the pages
use (the portal's look-up answers, the desk's matching) are translated here with Django's gettext, so
that every refusal a person sees is a sentence in their language, never a code.
"""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext_lazy as _

from aftersales.core.errors import DomainError

PAGE_MESSAGES = {
    "portal.rate_limited": _("Too many attempts. For your security, please wait %(minutes)s minutes "
                             "and try again."),
    "portal.not_found": _("No order matches this order number and phone number. Check both and try again."),
    "parcel.choose_case": _("Choose the request this parcel belongs to."),
    "parcel.unknown_case": _("There is no request %(number)s in this shop: check the number on the parcel's "
                             "slip or in the inbox and enter it again."),
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
