"""The shop a signed-in user works in: kept in the session, chosen only among the user's own shops.

The sign-in pages switch it here; the pages' access check (`web.access.resolve_staff`) reads it and
always resolves it among the user's memberships, so a shop id planted in the session never reaches
another tenant's data.
"""

from __future__ import annotations

from django.http import HttpRequest

from aftersales.accounts.models import Membership

SESSION_KEY = "current_shop_id"


def choose_shop(request: HttpRequest, shop_id: int) -> bool:
    """Switch the session to another of the user's shops; False if the user is not a member of it."""
    if not request.user.is_authenticated:
        return False
    if not Membership.objects.filter(user=request.user, shop_id=shop_id).exists():
        return False
    request.session[SESSION_KEY] = shop_id
    return True
