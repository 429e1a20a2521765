"""The merchant's return address (退货地址, rule L6): checking one, choosing the default, and the copy a
case keeps.

Pure: no Django. A case keeps a *snapshot* of the address it was approved with (a plain dict, the keys
of `SNAPSHOT_KEYS`), so that editing or removing the address later never rewrites what the buyer was
told. Pages, messages, exports and the platform push read the snapshot through the helpers here.
"""

from __future__ import annotations

import re

from aftersales.core.errors import DomainError
from aftersales.core.fields import mask_phone

#: Field limits (characters) of an address; the model's columns have the same lengths.
LIMITS = {"name": 40, "contact": 30, "phone": 20, "province": 20, "city": 20, "district": 20, "detail": 120,
          "postcode": 6}
REQUIRED = ("name", "contact", "phone", "province", "city", "detail")
#: Platforms that identify a return address by their own id when a return is agreed (抖店 receiver_address_id,
#: 淘宝 seller_address_id, 拼多多 return_address_id, 京东 address id).
ID_PLATFORMS = ("douyin", "taobao", "tmall", "jd", "pdd")

# A mainland mobile (11 digits from 1[3-9]) or a landline with its area code (021-12345678, 0755 1234567),
# optionally with an extension (-123); 400/800 service numbers too.
_PHONE = re.compile(r"^(?:1[3-9]\d{9}|0\d{2,3}[- ]?\d{7,8}(?:-\d{1,6})?|[48]00[- ]?\d{3}[- ]?\d{4})$")
_POSTCODE = re.compile(r"^\d{6}$")
_PLATFORM_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")

SNAPSHOT_KEYS = ("id", "name", "contact", "phone", "province", "city", "district", "detail", "postcode",
                 "platform_ids")


def clean_address(fields: dict[str, str], platform_ids: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """The address fields and per-platform ids, stripped and checked; a DomainError names the first
    field at fault (nothing is saved)."""
    cleaned = {key: str(fields.get(key) or "").strip() for key in LIMITS}
    for key in REQUIRED:
        if not cleaned[key]:
            raise DomainError("input.required", field=key)
    for key, limit in LIMITS.items():
        if len(cleaned[key]) > limit:
            raise DomainError("input.too_long", field=key, limit=limit)
    phone = cleaned["phone"].replace("（", "(").replace("）", ")")
    if not _PHONE.match(phone):
        raise DomainError("return_address.bad_phone", phone=cleaned["phone"])
    if cleaned["postcode"] and not _POSTCODE.match(cleaned["postcode"]):
        raise DomainError("return_address.bad_postcode", postcode=cleaned["postcode"])
    ids: dict[str, str] = {}
    for platform, value in (platform_ids or {}).items():
        value = str(value or "").strip()
        if not value:
            continue
        if platform not in ID_PLATFORMS:
            raise DomainError("input.invalid_choice", field="platform", value=str(platform))
        if not _PLATFORM_ID.match(value):
            raise DomainError("return_address.bad_platform_id", platform=platform)
        ids[platform] = value
    return cleaned, ids


def full_address(snapshot: dict) -> str:
    """'浙江省 杭州市 余杭区 仓前街道文一西路 1500 号' — the place, without the person."""
    if not snapshot:
        return ""
    parts = [snapshot.get(key, "") for key in ("province", "city", "district", "detail")]
    return " ".join(part for part in parts if part)


def one_line(snapshot: dict, *, masked: bool) -> str:
    """The address as the buyer writes it on the parcel: place, contact, phone. `masked` hides the phone
    (staff lists, exports, logs); the buyer is given it whole."""
    if not snapshot:
        return ""
    phone = snapshot.get("phone", "")
    phone = mask_phone(phone) if masked else phone
    postcode = f" {snapshot['postcode']}" if snapshot.get("postcode") else ""
    return f"{full_address(snapshot)}{postcode}，{snapshot.get('contact', '')} {phone}".strip()


def platform_address_id(snapshot: dict, platform: str) -> str:
    """The platform's own id of the address the case was approved with ('' when it has none)."""
    return str(((snapshot or {}).get("platform_ids") or {}).get(platform, ""))
