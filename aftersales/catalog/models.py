"""Products, SKUs and categories with their return rules."""

from django.db import models

from aftersales.accounts.models import Shop
from aftersales.core.choices import LawCategory, Platform
from aftersales.core.fields import enum_choices


class Category(models.Model):
    """A shop's product category, tied to the kind of goods the law distinguishes."""

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="categories")
    name = models.CharField(max_length=100)
    law_category = models.CharField(max_length=32, choices=enum_choices(LawCategory))
    # What the warehouse checks on a return of this category (tags, seal, washed, used, accessories, activated).
    inspection_checklist = models.JSONField(default=list, blank=True)
    # Return-rate thresholds (basis points: 500 = 5%) used by analytics; null = the shop default.
    good_rate_bp = models.PositiveIntegerField(null=True, blank=True)
    alert_rate_bp = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["shop", "name"], name="uniq_category_name")]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name


class Product(models.Model):
    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="products")
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="products")
    title = models.CharField(max_length=200)
    platform_product_id = models.CharField(max_length=64, blank=True)

    def __str__(self) -> str:
        return self.title


class Sku(models.Model):
    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="skus")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="skus")
    code = models.CharField(max_length=64)
    spec = models.CharField(max_length=200, blank=True)
    price_fen = models.BigIntegerField()
    # Units on hand for exchanges: a buyer may pick this SKU as the replacement only while some are left,
    # and shipping the replacement takes them off in the same transaction. Null: the shop keeps no stock
    # figure here (a SKU only known from a platform's export), so it is neither offered nor counted.
    stock = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["shop", "code"], name="uniq_sku_code"),
            models.CheckConstraint(condition=models.Q(price_fen__gte=0), name="sku_price_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.spec}"


class ReturnRule(models.Model):
    """The shop's own return rules for a platform and/or category (blank = all).

    Checked against the law when saved: the shop may be more generous, never less. Each save makes a
    new version; cases keep the version their decision was made under.
    """

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="return_rules")
    platform = models.CharField(max_length=16, choices=enum_choices(Platform), blank=True)
    category = models.ForeignKey(Category, on_delete=models.CASCADE, null=True, blank=True)
    no_reason_days = models.PositiveIntegerField(default=7)
    free_return_shipping = models.BooleanField(default=False)  # 退货包运费: the shop pays the return freight
    exchange_days = models.PositiveIntegerField(default=15)
    warranty_days = models.PositiveIntegerField(default=90)
    allow_partial_refund = models.BooleanField(default=True)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["shop", "platform", "category"], name="uniq_return_rule"),
        ]

    def __str__(self) -> str:
        return f"{self.platform or '*'}/{self.category_id or '*'} v{self.version}"


class ReturnAddress(models.Model):
    """Where buyers send returns: one of the shop's warehouses, with the person and phone who receive them.

    `is_default` makes it the default for its scope — a platform and/or a category (blank = all), chosen
    like the return rules (the most specific first). `platform_ids` holds each platform's own id of this
    address (抖店 receiver_address_id, 淘宝 seller_address_id …), sent when a return is agreed there.
    A case keeps a copy of the address it was approved with (`Case.return_address`), so edits and
    removals here never change what a buyer was told.
    """

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="return_addresses")
    name = models.CharField(max_length=40)  # the warehouse: 杭州主仓
    contact = models.CharField(max_length=30)
    phone = models.CharField(max_length=20)
    province = models.CharField(max_length=20)
    city = models.CharField(max_length=20)
    district = models.CharField(max_length=20, blank=True)
    detail = models.CharField(max_length=120)  # street, building, door
    postcode = models.CharField(max_length=6, blank=True)
    platform_ids = models.JSONField(default=dict, blank=True)
    is_default = models.BooleanField(default=False)
    platform = models.CharField(max_length=16, choices=enum_choices(Platform), blank=True)
    category = models.ForeignKey(Category, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["shop", "name"], name="uniq_return_address_name")]

    def __str__(self) -> str:
        return self.name
