"""The shop's return addresses: saving and removing them (owners), the default for a case, and the copy
a case keeps when a return is approved (rule L6)."""

from __future__ import annotations

from django.db import transaction

from aftersales import natural_keys
from aftersales.accounts.models import Shop
from aftersales.cases.domain.return_address import SNAPSHOT_KEYS, clean_address
from aftersales.cases.domain.scopes import most_specific
from aftersales.catalog.models import Category, ReturnAddress
from aftersales.core.choices import Platform
from aftersales.core.errors import ConflictError, DomainError, NotFoundError


def addresses_of(shop: Shop) -> list[ReturnAddress]:
    return list(ReturnAddress.objects.filter(shop=shop).select_related("category").order_by("name", "pk"))


def default_address(shop: Shop, platform: str, category_id: int | None,
                    addresses: list[ReturnAddress] | None = None) -> ReturnAddress | None:
    """The address a return of this platform and category is sent to unless the agent picks another:
    the most specific default, else — a shop with addresses but no default — the first one saved."""
    addresses = addresses_of(shop) if addresses is None else addresses
    chosen = most_specific([a for a in addresses if a.is_default], platform, category_id,
                           platform_of=lambda a: a.platform, category_of=lambda a: a.category_id)
    return chosen or min(addresses, key=lambda a: a.pk, default=None)


def address_for_approval(shop: Shop, address_id: int | None, platform: str,
                         category_id: int | None) -> ReturnAddress | None:
    """The address picked on approval (one of this shop's, else a coded refusal), or the default."""
    if address_id is None:
        return default_address(shop, platform, category_id)
    address = ReturnAddress.objects.filter(shop=shop, pk=address_id).first()
    if address is None:  # another shop's address is as unknown as one that never existed
        raise DomainError("return_address.unknown", address_id=address_id)
    return address


def snapshot(address: ReturnAddress | None) -> dict:
    """The copy a case keeps (see cases/domain/return_address.py)."""
    if address is None:
        return {}
    data = {key: getattr(address, key) for key in SNAPSHOT_KEYS if key not in ("id",)}
    data["id"] = address.pk
    data["platform_ids"] = dict(address.platform_ids or {})
    return data


@transaction.atomic
def save_return_address(shop: Shop, *, address_id: int | None = None, fields: dict[str, str],
                        platform_ids: dict[str, str] | None = None, is_default: bool = False,
                        platform: str = "", category_id: int | None = None) -> ReturnAddress:
    """Add or change one of the shop's return addresses. Made the default of its scope, it takes the
    place of the address that was the default there (one default per platform and category)."""
    cleaned, ids = clean_address(fields, platform_ids or {})
    if platform and platform not in {p.value for p in Platform}:
        raise DomainError("input.invalid_choice", field="platform", value=platform)
    category = None
    if category_id is not None:
        category = Category.objects.filter(shop=shop, pk=category_id).first()
        if category is None:
            raise DomainError("input.invalid_choice", field="category", value=str(category_id))
    # The shop row is the lock: two owners saving defaults at once cannot both end up the default.
    Shop.objects.select_for_update().filter(pk=shop.pk).first()
    if address_id is None:
        address = ReturnAddress(shop=shop)
    else:
        address = ReturnAddress.objects.filter(shop=shop, pk=address_id).first()
        if address is None:
            raise NotFoundError("return_address.not_found", address_id=address_id)
    if ReturnAddress.objects.filter(shop=shop, name=cleaned["name"]).exclude(pk=address.pk).exists():
        raise ConflictError("return_address.duplicate", name=cleaned["name"])
    for key, value in cleaned.items():
        setattr(address, key, value)
    address.platform_ids = ids
    address.is_default, address.platform, address.category = is_default, platform, category
    if is_default:
        (ReturnAddress.objects.filter(shop=shop, is_default=True, platform=platform, category=category)
         .exclude(pk=address.pk).update(is_default=False))
    natural_keys.insert_or_conflict(
        address.save, lambda: ConflictError("return_address.duplicate", name=cleaned["name"]))
    return address


@transaction.atomic
def delete_return_address(shop: Shop, address_id: int) -> None:
    """Remove an address. Cases approved with it keep their copy."""
    deleted, _ = ReturnAddress.objects.filter(shop=shop, pk=address_id).delete()
    if not deleted:
        raise NotFoundError("return_address.not_found", address_id=address_id)
