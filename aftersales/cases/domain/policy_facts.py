"""The facts the policy engine judges: what was bought, what happened, what the buyer asks for.

`Facts.from_dict` is the door from the outside world (API bodies, imports, the simulator): it
refuses unknown keys, unknown enum values, wrong types and naive datetimes with
`policy.invalid_field` / `policy.unknown_field` / `policy.missing_field`, so the rules never see junk.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import datetime

from aftersales.cases.domain.states import Kind
from aftersales.core import choices
from aftersales.core.choices import LawCategory, Platform, Reason
from aftersales.core.errors import DomainError

#: The remedies a buyer can ask the policy engine about, in the canonical order of `Decision.remedies`.
#: A partial refund with the goods kept is `refund_only` after signing; price protection is not a return.
REMEDY_ORDER: tuple[str, ...] = (
    Kind.REFUND_ONLY, Kind.RETURN_REFUND, Kind.EXCHANGE, Kind.RESHIP, Kind.REPAIR,
)
#: Remedies where goods travel back to the merchant, so someone pays the return freight.
RETURN_LEG_KINDS: frozenset[str] = frozenset({Kind.RETURN_REFUND, Kind.EXCHANGE, Kind.REPAIR})

#: The merchant is at fault (消保法 24): one list for the whole product, kept with the reasons themselves.
MERCHANT_FAULT_REASONS = choices.MERCHANT_FAULT_REASONS
#: Defects judged on the 7 / 15 days / warranty ladder (三包: 退 → 换 → 修). Goods not as described are
#: judged like a wrong item (policy_law._FAULT_REMEDIES): no repair makes them what was sold.
DEFECT_REASONS: frozenset[str] = frozenset({Reason.QUALITY_DEFECT})
#: Reasons that are the buyer's own choice: only the seven-day no-reason law opens a return.
#: A late delivery that was still signed for is a change of mind on the buyer's side.
BUYER_SIDE_REASONS: frozenset[str] = frozenset(
    {Reason.NO_REASON, Reason.SIZE_FIT, Reason.OTHER, Reason.LATE_DELIVERY}
)


@dataclass(frozen=True)
class Goods:
    """The state of the goods the buyer wants to send back (商品完好, 办法 8–9). Defaults: intact."""

    tags_intact: bool = True  # 吊牌完好
    seal_intact: bool = True  # 一次性密封包装完好
    used: bool = False  # used beyond reasonable trying or testing
    washed: bool = False
    accessories_complete: bool = True  # 配件、说明书齐全
    activated: bool = False  # 已激活 (electronics, digital)
    opened_for_inspection: bool = False  # 拆封查验: allowed, does not make goods not intact

    def __post_init__(self) -> None:
        for f in fields(self):
            _require_bool(getattr(self, f.name), f"goods.{f.name}")


_BOOL_FIELDS = (
    "buyer_confirmed_no_return_at_purchase", "free_shipping", "partial_return_breaks_free_shipping",
    "sold_with_disclosed_flaw", "gift_included", "gift_returned", "in_bundle", "freight_insurance",
)
_REQUIRED_FIELDS = ("platform", "case_kind", "reason", "category", "requested_at")


@dataclass(frozen=True, kw_only=True)
class Facts:
    platform: str
    case_kind: str
    reason: str
    category: str
    signed_at: datetime | None  # None: the buyer has not signed for the goods
    requested_at: datetime
    goods: Goods = field(default_factory=Goods)
    #: The buyer confirmed "不支持七天无理由" at purchase through a conspicuous step (办法 7, 20).
    buyer_confirmed_no_return_at_purchase: bool = False
    shipped: bool | None = None  # None: shipped exactly when signed for
    free_shipping: bool = True  # the order shipped free (包邮)
    partial_return_breaks_free_shipping: bool = False  # the kept part no longer reaches the threshold
    sold_with_disclosed_flaw: bool = False  # sold as near-expiry or flawed, disclosed (办法 7(三))
    gift_included: bool = False  # a gift (赠品) came with the goods
    gift_returned: bool = True  # ...and comes back with them
    in_bundle: bool = False  # part of a bundle / 满减 deal comes back (办法 17)
    freight_insurance: bool = False  # 运费险 on the order: the insurer pays a return leg the buyer owes
    paid_fen: int | None = None  # what the buyer actually paid for the goods concerned
    requested_refund_fen: int | None = None  # what the buyer asks back
    card_fee_fen: int | None = None  # a credit-card / instalment fee the buyer paid (办法 16)

    def __post_init__(self) -> None:
        _require_choice(self.platform, Platform, "platform")
        _require_choice(self.case_kind, REMEDY_ORDER, "case_kind")
        _require_choice(self.reason, Reason, "reason")
        _require_choice(self.category, LawCategory, "category")
        _require_aware(self.requested_at, "requested_at")
        if self.signed_at is not None:
            _require_aware(self.signed_at, "signed_at")
        if not isinstance(self.goods, Goods):
            raise DomainError("policy.invalid_field", field="goods", value=type(self.goods).__name__)
        for name in _BOOL_FIELDS:
            _require_bool(getattr(self, name), name)
        for name in ("paid_fen", "requested_refund_fen", "card_fee_fen"):
            _require_fen(getattr(self, name), name)
        if self.shipped is None:
            object.__setattr__(self, "shipped", self.signed_at is not None)
        _require_bool(self.shipped, "shipped")
        if self.signed_at is not None and not self.shipped:  # cannot sign for what never left
            raise DomainError("policy.invalid_field", field="shipped", value="false")

    @property
    def delivered(self) -> bool:
        return self.signed_at is not None

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Facts:
        """Build facts from plain data (JSON or form input); datetimes may be ISO 8601 strings."""
        if not isinstance(data, Mapping):
            raise DomainError("policy.invalid_field", field="facts", value=type(data).__name__)
        known = {f.name for f in fields(cls)}
        for key in data:
            if key not in known:
                raise DomainError("policy.unknown_field", field=str(key))
        for name in _REQUIRED_FIELDS:
            if name not in data:
                raise DomainError("policy.missing_field", field=name)
        values = dict(data)
        values["signed_at"] = _parse_time(values.get("signed_at"), "signed_at")
        values["requested_at"] = _parse_time(values["requested_at"], "requested_at")
        values["goods"] = _parse_goods(values.get("goods"))
        for name in ("platform", "case_kind", "reason", "category"):
            values[name] = _as_choice_text(values[name], name)
        return cls(**values)


def _as_choice_text(value: object, name: str) -> str:
    if not isinstance(value, str):
        raise DomainError("policy.invalid_field", field=name, value=str(value))
    return str(value.value) if hasattr(value, "value") else value  # StrEnum members → plain str


def _parse_goods(value: object) -> Goods:
    if value is None:
        return Goods()
    if isinstance(value, Goods):
        return value
    if not isinstance(value, Mapping):
        raise DomainError("policy.invalid_field", field="goods", value=type(value).__name__)
    known = {f.name for f in fields(Goods)}
    for key in value:
        if key not in known:
            raise DomainError("policy.unknown_field", field=f"goods.{key}")
    return Goods(**value)


def _parse_time(value: object, name: str) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            raise DomainError("policy.invalid_field", field=name, value=value) from None
    if not isinstance(value, datetime):
        raise DomainError("policy.invalid_field", field=name, value=str(value))
    return _require_aware(value, name)


def _require_aware(value: object, name: str) -> datetime:
    if not isinstance(value, datetime):
        raise DomainError("policy.invalid_field", field=name, value=str(value))
    if value.tzinfo is None or value.utcoffset() is None:
        # A naive time cannot be placed on Beijing's calendar, and the law counts Beijing days.
        raise DomainError("policy.invalid_field", field=name, value=value.isoformat())
    return value


def _require_bool(value: object, name: str) -> None:
    if not isinstance(value, bool):
        raise DomainError("policy.invalid_field", field=name, value=str(value))


def _require_fen(value: object, name: str) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise DomainError("policy.invalid_field", field=name, value=str(value))


def _require_choice(value: object, allowed, name: str) -> None:
    values = {str(v) for v in allowed}
    if not isinstance(value, str) or str(value) not in values:
        raise DomainError("policy.invalid_field", field=name, value=str(value))


CODES = frozenset({"policy.invalid_field", "policy.unknown_field", "policy.missing_field"})
