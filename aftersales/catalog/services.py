"""Writes to the catalogue: the shop's own return rules, checked against the law before they are saved."""

from __future__ import annotations

from django.db import transaction

from aftersales import natural_keys
from aftersales.accounts.models import Shop
from aftersales.cases.domain.policy import ShopRules, validate_shop_rules
from aftersales.catalog.models import Category, ReturnRule
from aftersales.core.choices import Platform
from aftersales.core.errors import ConflictError, DomainError, NotFoundError


class RuleRefused(DomainError):
    """The rule falls below the law or is malformed; `violations` lists every reason (nothing saved)."""

    def __init__(self, violations) -> None:
        first = violations[0]
        super().__init__(first.code, **first.params)
        self.violations = list(violations)


@transaction.atomic
def save_return_rule(shop: Shop, *, rule_id: int | None = None, platform: str = "", category_id: int | None = None,
                     no_reason_days: int, free_return_shipping: bool, exchange_days: int, warranty_days: int,
                     allow_partial_refund: bool) -> ReturnRule:
    """Create or change one of the shop's return rules. Each save of an existing rule bumps its version."""
    if platform and platform not in {p.value for p in Platform}:
        raise DomainError("input.invalid_choice", field="platform", value=platform)
    category = None
    if category_id is not None:
        category = Category.objects.filter(shop=shop, pk=category_id).first()
        if category is None:
            raise DomainError("input.invalid_choice", field="category", value=str(category_id))
    violations = validate_shop_rules(ShopRules(
        no_reason_days=no_reason_days, free_return_shipping=free_return_shipping, exchange_days=exchange_days,
        warranty_days=warranty_days, allow_partial_refund=allow_partial_refund,
    ))
    if violations:
        raise RuleRefused(violations)
    if rule_id is None:
        rule = ReturnRule(shop=shop, version=1)
    else:
        rule = ReturnRule.objects.select_for_update().filter(shop=shop, pk=rule_id).first()
        if rule is None:
            raise NotFoundError("rule.not_found", rule_id=rule_id)
        rule.version += 1
    clash = ReturnRule.objects.filter(shop=shop, platform=platform, category=category)
    if rule.pk:
        clash = clash.exclude(pk=rule.pk)
    if clash.exists():
        raise ConflictError("rule.duplicate")
    rule.platform, rule.category = platform, category
    rule.no_reason_days, rule.free_return_shipping = no_reason_days, free_return_shipping
    rule.exchange_days, rule.warranty_days = exchange_days, warranty_days
    rule.allow_partial_refund = allow_partial_refund
    natural_keys.insert_or_conflict(rule.save, lambda: ConflictError("rule.duplicate"))
    return rule
