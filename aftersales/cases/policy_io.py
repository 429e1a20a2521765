"""Between the database and the pure policy engine: build the facts and the rule set for a case."""

from __future__ import annotations

from dataclasses import fields as dc_fields
from datetime import datetime

from aftersales.accounts.models import Shop
from aftersales.cases.domain.policy import Decision, Facts, RuleSet, ShopRules, default_ruleset, evaluate
from aftersales.cases.domain.scopes import most_specific
from aftersales.catalog.models import Category, ReturnRule
from aftersales.orders.goods import line_times
from aftersales.orders.models import Order, OrderLine

_RULE_FIELDS = (
    "no_reason_days",
    "free_return_shipping",
    "exchange_days",
    "warranty_days",
    "allow_partial_refund",
)


def return_rule_for(shop: Shop, platform: str, category: Category | None) -> ReturnRule | None:
    """The most specific rule: platform + category, then category, then platform, then the shop's."""
    return _most_specific(ReturnRule.objects.filter(shop=shop), platform, category)


def _most_specific(rules, platform: str, category: Category | None) -> ReturnRule | None:
    return most_specific(rules, platform, category.pk if category else None,
                         platform_of=lambda rule: rule.platform, category_of=lambda rule: rule.category_id)


class RuleSets:
    """The shop's rule sets by platform and category, its return rules read once: for the lines of a
    request, or a page of cases opened together."""

    def __init__(self, shop: Shop) -> None:
        self.shop = shop
        self._rules: list[ReturnRule] | None = None
        self._sets: dict[tuple[str, int | None], RuleSet] = {}

    def __call__(self, platform: str, category: Category | None) -> RuleSet:
        key = (platform, category.pk if category else None)
        found = self._sets.get(key)
        if found is None:
            if self._rules is None:
                self._rules = list(ReturnRule.objects.filter(shop=self.shop))
            found = self._sets[key] = ruleset_for(self.shop, platform, category, self._rules)
        return found


def ruleset_for(shop: Shop, platform: str, category: Category | None,
                rules: list[ReturnRule] | None = None) -> RuleSet:
    """The rule set for a platform and category; `rules`: the shop's return rules, if already read."""
    rule = (return_rule_for(shop, platform, category) if rules is None
            else _most_specific(rules, platform, category))
    if rule is None:
        return default_ruleset(platform)
    known = {f.name for f in dc_fields(ShopRules)}
    shop_rules = ShopRules(**{name: getattr(rule, name) for name in _RULE_FIELDS if name in known})
    return RuleSet(version=f"shop{shop.pk}-rule{rule.pk}-v{rule.version}", shop=shop_rules, platform=platform)


def line_category(line: OrderLine) -> Category | None:
    if line.product_id is None:
        return None
    return line.product.category


def facts_for(
    order: Order,
    line: OrderLine,
    *,
    case_kind: str,
    reason: str,
    requested_at: datetime,
    goods: dict | None = None,
    buyer_confirmed_no_return_at_purchase: bool = False,
    breaks_free_shipping: bool = False,
) -> Facts:
    category = line_category(line)
    shipped_at, signed_at = line_times(order, line)  # this line's own parcel when shipped in parts
    return Facts.from_dict(
        {
            "platform": order.platform,
            "case_kind": case_kind,
            "reason": reason,
            "category": category.law_category if category else "other",
            "signed_at": signed_at,
            "requested_at": requested_at,
            "goods": goods or {},
            "buyer_confirmed_no_return_at_purchase": buyer_confirmed_no_return_at_purchase,
            "shipped": shipped_at is not None,
            "free_shipping": order.free_shipping,
            "partial_return_breaks_free_shipping": breaks_free_shipping,
            "freight_insurance": order.freight_insurance,
        }
    )


def decide(
    order: Order,
    line: OrderLine,
    *,
    case_kind: str,
    reason: str,
    requested_at: datetime,
    goods: dict | None = None,
    buyer_confirmed: bool = False,
    breaks_free_shipping: bool = False,
    rulesets: RuleSets | None = None,
) -> tuple[Decision, RuleSet]:
    category = line_category(line)
    rules = rulesets(order.platform, category) if rulesets else ruleset_for(order.shop, order.platform, category)
    facts = facts_for(
        order,
        line,
        case_kind=case_kind,
        reason=reason,
        requested_at=requested_at,
        goods=goods,
        buyer_confirmed_no_return_at_purchase=buyer_confirmed,
        breaks_free_shipping=breaks_free_shipping,
    )
    return evaluate(facts, rules, requested_at), rules
