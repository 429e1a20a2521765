"""The rules a shop may set, the law's floor under them, and the check that refuses an illegal rule.

A shop may be more generous than the law (a longer no-reason window, free return shipping, a longer
exchange period), never less. `validate_shop_rules` is what the settings page calls before saving;
`evaluate` additionally ignores any less generous value that got past it, so the law always holds.
"""

from __future__ import annotations

from dataclasses import dataclass

from aftersales.core.choices import LawCategory, Platform
from aftersales.core.errors import DomainError

#: Bumped whenever a law rule changes, so every decision can say which law it applied.
LAW_VERSION = "cn-2024.2"

#: 七日无理由 (消保法 25): the window, in Beijing days from the day after signing.
LAW_NO_REASON_DAYS = 7
#: Defects: return within 7 days, exchange within 15 (三包), then repair within the warranty.
LAW_DEFECT_RETURN_DAYS = 7
LAW_DEFECT_EXCHANGE_DAYS = 15
#: Beyond ten years a window is a typo, and the calendar arithmetic would overflow long before.
MAX_SHOP_DAYS = 3650

#: 办法 6 / 消保法 25: exempt by the law itself, whatever the buyer confirmed. Physical audio, video
#: and software are exempt once the buyer unsealed them (see policy_law.L2); the rest outright.
ABSOLUTE_EXEMPT: frozenset[str] = frozenset(
    {LawCategory.CUSTOM_MADE, LawCategory.FRESH, LawCategory.NEWSPAPER, LawCategory.DIGITAL_DOWNLOAD,
     LawCategory.PHYSICAL_MEDIA}
)
#: 办法 7: exempt only when the buyer confirmed at purchase, through a conspicuous step.
#:   food, cosmetics, medical — opening may harm health or change quality (拆封后影响人身安全或品质);
#:   electronics — activation or trial costs much of the value (激活或试用后价值贬损较大).
#: Near-expiry or flawed goods disclosed at sale (临期/瑕疵) are the third kind; that is a fact of the
#: sale (`Facts.sold_with_disclosed_flaw`), not a category.
CONDITIONAL_EXEMPT: frozenset[str] = frozenset(
    {LawCategory.FOOD, LawCategory.COSMETICS, LawCategory.MEDICAL, LawCategory.ELECTRONICS}
)
#: What a shop may list as "不支持七天无理由". Anything else widens the law (办法 20, 实施条例 19).
LAW_EXEMPTIBLE: frozenset[str] = ABSOLUTE_EXEMPT | CONDITIONAL_EXEMPT


@dataclass(frozen=True)
class ShopRules:
    no_reason_days: int = LAW_NO_REASON_DAYS  # 无理由退货天数 (≥ 7)
    free_return_shipping: bool = False  # 运费险 / 退货包运费: the merchant pays the return leg
    #: listed "不支持七天无理由"; binds only a buyer who confirmed at purchase
    extra_exempt_categories: tuple[str, ...] = ()
    exchange_days: int = LAW_DEFECT_EXCHANGE_DAYS  # defects: exchange within N days of signing (≥ 15)
    warranty_days: int = 90  # defects: repair within N days of signing (质保期)
    allow_partial_refund: bool = True  # merchant's fault: offer a partial refund, the buyer keeps the goods
    allow_exchange: bool = True  # no-reason: offer an exchange where a return is allowed


@dataclass(frozen=True)
class RuleSet:
    """Everything `evaluate` applies besides the law: the platform and the shop's own rules."""

    version: str  # stored with every decision made under it
    shop: ShopRules
    platform: str

    def __post_init__(self) -> None:
        if str(self.platform) not in {p.value for p in Platform}:
            raise DomainError("policy.invalid_field", field="platform", value=str(self.platform))


@dataclass(frozen=True)
class Violation:
    """One reason a shop rule is refused: translate `code` with `params` for the settings page."""

    field: str
    code: str
    params: dict


def default_ruleset(platform: str) -> RuleSet:
    """The law and the platform's rules, with nothing added by the shop."""
    return RuleSet(version=f"default-{LAW_VERSION}", shop=ShopRules(), platform=str(platform))


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_days(name: str, value: object, floor: int, floor_code: str) -> list[Violation]:
    if not _is_int(value):
        return [Violation(name, "shop_rule.invalid_value", {"value": str(value)})]
    if value < 0:
        return [Violation(name, "law.shop_rule.negative_days", {"days": value})]
    if value > MAX_SHOP_DAYS:
        return [Violation(name, "shop_rule.too_long", {"days": value, "maximum": MAX_SHOP_DAYS})]
    if value < floor:
        return [Violation(name, floor_code, {"days": value, "minimum": floor})]
    return []


def validate_shop_rules(shop: ShopRules) -> list[Violation]:
    """Every way `shop` falls below the law or is malformed; empty when it may be saved."""
    found = _check_days("no_reason_days", shop.no_reason_days, LAW_NO_REASON_DAYS,
                        "law.shop_rule.window_below_law")
    found += _check_days("exchange_days", shop.exchange_days, LAW_DEFECT_EXCHANGE_DAYS,
                         "law.shop_rule.exchange_below_law")
    found += _check_days("warranty_days", shop.warranty_days, 0, "law.shop_rule.negative_days")
    for name in ("free_return_shipping", "allow_partial_refund", "allow_exchange"):
        if not isinstance(getattr(shop, name), bool):
            found.append(Violation(name, "shop_rule.invalid_value", {"value": str(getattr(shop, name))}))
    categories = shop.extra_exempt_categories
    if isinstance(categories, str) or not isinstance(categories, tuple | list | frozenset | set):
        found.append(Violation("extra_exempt_categories", "shop_rule.invalid_value",
                               {"value": str(categories)}))
        return found
    for category in categories:
        if str(category) not in LAW_EXEMPTIBLE:
            found.append(Violation("extra_exempt_categories", "law.shop_rule.widened_exemption",
                                   {"category": str(category)}))
    return found


CODES = frozenset({
    "law.shop_rule.window_below_law", "law.shop_rule.exchange_below_law", "law.shop_rule.negative_days",
    "law.shop_rule.widened_exemption", "shop_rule.invalid_value", "shop_rule.too_long",
})
