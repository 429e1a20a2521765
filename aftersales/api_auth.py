"""API authentication: `Authorization: Bearer <token>`, each token scoped to one shop and one role."""

from __future__ import annotations

from datetime import timedelta

from django.http import HttpRequest
from django.utils import translation
from ninja.security import HttpBearer

from aftersales.accounts.models import ApiToken, hash_token
from aftersales.core import clock
from aftersales.core.choices import Role

#: Which token roles may make which calls (`require_role(request, *MONEY)`).
STAFF = (Role.OWNER.value, Role.AGENT.value)
MONEY = (Role.OWNER.value, Role.AGENT.value)
WAREHOUSE = (Role.OWNER.value, Role.AGENT.value, Role.WAREHOUSE.value)


class ShopToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        if not token or len(token) > 200:
            return None
        found = (
            ApiToken.objects.select_related("shop")
            .filter(token_hash=hash_token(token), revoked_at__isnull=True)
            .first()
        )
        if found is None or found.role == Role.TRAINEE.value or found.shop.is_training:
            return None  # a trainee only trains, in the console; a training shop has no API
        now = clock.now()
        # Record use at most once a minute so that reads do not turn into writes.
        if found.last_used_at is None or now - found.last_used_at > timedelta(minutes=1):
            ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
        request.shop = found.shop
        request.api_role = found.role
        return found


def require_role(request: HttpRequest, *roles: str) -> None:
    """Refuse a call that the token's role may not make (a warehouse token cannot refund)."""
    from aftersales.core.errors import PermissionDeniedError

    if getattr(request, "api_role", None) not in roles:
        raise PermissionDeniedError("auth.role_not_allowed", role=getattr(request, "api_role", ""))


def request_language(request: HttpRequest) -> str:
    """The caller's language for API messages (Accept-Language; Simplified Chinese by default)."""
    return translation.get_language_from_request(request) or "zh-hans"
