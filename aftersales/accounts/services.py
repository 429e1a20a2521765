"""Staff of a shop: add a person with a role, change a role. The shop always keeps an owner."""

from __future__ import annotations

import re

from django.contrib.auth import get_user_model
from django.db import transaction

from aftersales import natural_keys
from aftersales.accounts.models import Membership, Shop
from aftersales.core.choices import Role
from aftersales.core.errors import ConflictError, DomainError, NotFoundError

PASSWORD_MIN = 8
_USERNAME = re.compile(r"^[A-Za-z0-9._-]{3,30}$")


def _check_role(role: str) -> str:
    if role not in {r.value for r in Role}:
        raise DomainError("input.invalid_choice", field="role", value=role)
    return role


@transaction.atomic
def add_member(shop: Shop, *, username: str, role: str, full_name: str = "", password: str = "") -> Membership:
    """Give a person a role in the shop. A new user needs a password; an existing user keeps theirs."""
    _check_role(role)
    username = username.strip()
    if not _USERNAME.match(username):
        raise DomainError("staff.invalid_username")
    users = get_user_model()
    user = users.objects.filter(username=username).first()
    if user is None:
        if len(password) < PASSWORD_MIN:
            raise DomainError("staff.password_too_short", minimum=PASSWORD_MIN)
        user = users(username=username, first_name=full_name.strip()[:150])
        user.set_password(password)
        natural_keys.insert_or_conflict(user.save, lambda: ConflictError("staff.username_taken", username=username))
    elif Membership.objects.filter(shop=shop, user=user).exists():
        raise ConflictError("staff.already_member", username=username)
    elif password:
        # Setting a password for somebody else's existing account is not this form's business.
        raise ConflictError("staff.username_taken", username=username)
    return natural_keys.insert_or_conflict(lambda: Membership.objects.create(shop=shop, user=user, role=role),
                                           lambda: ConflictError("staff.already_member", username=username))


@transaction.atomic
def change_role(shop: Shop, membership_id: int, *, role: str) -> Membership:
    _check_role(role)
    # Lock the shop's memberships so two owners cannot demote each other at the same moment.
    members = list(Membership.objects.select_for_update().filter(shop=shop).order_by("pk"))
    membership = next((m for m in members if m.pk == membership_id), None)
    if membership is None:
        raise NotFoundError("staff.not_member")
    owners = [m for m in members if m.role == Role.OWNER.value]
    if membership.role == Role.OWNER.value and role != Role.OWNER.value and len(owners) <= 1:
        raise ConflictError("staff.last_owner")
    membership.role = role
    membership.save(update_fields=["role"])
    return membership
