"""Who may train, and who sees the progress of trainees.

Everybody on the staff may train (owners and agents too); a `trainee` may do nothing else. The
training pages always speak of the REAL shop: reached from a training shop, they resolve to the shop
it trains for, with the user's role there.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from aftersales.accounts.models import Membership
from aftersales.web.access import OWNER, Staff, resolve_staff


def training_view(*, owner_only: bool = False) -> Callable:
    def decorator(view):
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            staff = resolve_staff(request)
            if staff is None:
                raise PermissionDenied
            if staff.shop.is_training:
                real = Membership.objects.filter(user=request.user, shop_id=staff.shop.training_of_id) \
                    .select_related("shop").first()
                if real is None:
                    raise PermissionDenied
                request.trainer_staff = staff
                staff = Staff(user=staff.user, shop=real.shop, role=real.role, memberships=staff.memberships)
            if owner_only and staff.role != OWNER:
                raise PermissionDenied
            request.staff = staff
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
