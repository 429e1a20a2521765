"""Who is asking, for which shop, in which role: every staff page goes through `staff_view`.

The current shop is kept in the session (`accounts.current_shop`) and is always resolved among the
user's own memberships, so a shop id planted in the session or a URL never reaches another tenant's data.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from aftersales.accounts.current_shop import SESSION_KEY
from aftersales.accounts.models import Membership, Shop
from aftersales.cases.domain.states import Actor
from aftersales.cases.services import By
from aftersales.core.choices import Role

OWNER, AGENT, WAREHOUSE = Role.OWNER.value, Role.AGENT.value, Role.WAREHOUSE.value
TRAINEE = Role.TRAINEE.value  # may only train: none of the role lists below admits a trainee
CONSOLE_ROLES = (OWNER, AGENT)
DESK_ROLES = (OWNER, WAREHOUSE)


@dataclass(frozen=True)
class Staff:
    user: object
    shop: Shop
    role: str
    memberships: tuple[Membership, ...]

    @property
    def is_owner(self) -> bool:
        return self.role == OWNER

    def by(self, actor: Actor = Actor.MERCHANT) -> By:
        return By(actor, self.user)


def resolve_staff(request: HttpRequest) -> Staff | None:
    """The user's membership for the shop chosen in the session (or their first shop), or None."""
    user = request.user
    if not user.is_authenticated:
        return None
    memberships = tuple(Membership.objects.filter(user=user).select_related("shop").order_by("shop__name", "pk"))
    if not memberships:
        return None
    wanted = request.session.get(SESSION_KEY)
    current = next((m for m in memberships if m.shop_id == wanted), memberships[0])
    if wanted != current.shop_id:
        request.session[SESSION_KEY] = current.shop_id
    return Staff(user=user, shop=current.shop, role=current.role, memberships=memberships)


def staff_view(*roles: str) -> Callable:
    """Require a signed-in member of the current shop with one of `roles`; sets `request.staff`."""
    allowed = roles or (OWNER, AGENT, WAREHOUSE)

    def decorator(view):
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            staff = resolve_staff(request)
            if staff is None or staff.role not in allowed:
                raise PermissionDenied
            request.staff = staff
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
