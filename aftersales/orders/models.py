"""Buyers, orders, order lines (what was actually paid), payments and shipments."""

from django.db import models
from django.db.models import F, Q

from aftersales.accounts.models import Shop
from aftersales.catalog.models import Product, Sku
from aftersales.core.choices import Channel, PaymentRoute, Platform
from aftersales.core.fields import enum_choices, mask_email, mask_phone


class Buyer(models.Model):
    """A buyer of the shop. The phone is stored for matching but only ever shown masked."""

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="buyers")
    platform = models.CharField(max_length=16, choices=enum_choices(Platform))
    nick = models.CharField(max_length=100, blank=True)
    name = models.CharField(max_length=100, blank=True)
    phone = models.CharField(max_length=32, blank=True)
    phone_last4 = models.CharField(max_length=4, blank=True, db_index=True)
    # Given by the buyer on the portal (or with the order) to follow the case by e-mail; shown masked.
    email = models.EmailField(blank=True)
    province = models.CharField(max_length=32, blank=True)
    city = models.CharField(max_length=32, blank=True)

    class Meta:
        # An import finds the buyer of each new order by nick (千牛 买家会员名) in batches of hundreds.
        # (Not by phone: exports mask phones, and an index of random masked numbers costs a big
        # import more than the rare lookup of an unmasked one saves.)
        indexes = [models.Index(fields=["shop", "platform", "nick"], name="buyer_shop_nick")]

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)

    @property
    def masked_email(self) -> str:
        return mask_email(self.email)

    def save(self, *args, **kwargs):
        digits = "".join(ch for ch in self.phone if ch.isdigit())
        self.phone_last4 = digits[-4:] if len(digits) >= 4 else ""
        super().save(*args, **kwargs)

    def __str__(self) -> str:  # never the phone
        return self.nick or self.name or f"buyer#{self.pk}"


class Order(models.Model):
    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="orders")
    platform = models.CharField(max_length=16, choices=enum_choices(Platform))
    platform_order_id = models.CharField(max_length=64)
    buyer = models.ForeignKey(Buyer, on_delete=models.PROTECT, related_name="orders")
    status_raw = models.CharField(max_length=64, blank=True)
    channel = models.CharField(max_length=16, choices=enum_choices(Channel), default=Channel.OTHER.value)
    content_id = models.CharField(max_length=64, blank=True)  # the video or live session
    content_author = models.CharField(max_length=100, blank=True)  # 达人
    province = models.CharField(max_length=32, blank=True)
    city = models.CharField(max_length=32, blank=True)
    paid_at = models.DateTimeField()
    shipped_at = models.DateTimeField(null=True, blank=True)  # the first parcel, when shipped in parts
    signed_at = models.DateTimeField(null=True, blank=True)
    # 拆单发货: the lines went out in separate parcels, each line with its own times (`orders.goods`).
    ships_in_parts = models.BooleanField(default=False, db_default=False)
    goods_fen = models.BigIntegerField(default=0)  # sum of what was paid for the lines
    freight_fen = models.BigIntegerField(default=0)  # outbound freight the buyer paid
    free_shipping = models.BooleanField(default=True)
    # 满X包邮: the goods amount from which the order shipped free (0: none), and the outbound freight the
    # shop waived because the order reached it — owed back when a return leaves the kept goods below
    # the threshold (L12, `refunds.domain.refundable.breaks_free_shipping`).
    free_shipping_threshold_fen = models.BigIntegerField(default=0, db_default=0)
    waived_freight_fen = models.BigIntegerField(default=0, db_default=0)
    # 运费险: the order carries return-freight insurance (bought by the buyer or given by the shop): on a
    # return the buyer is not at fault for, the insurer pays the return freight, not the shop.
    freight_insurance = models.BooleanField(default=False, db_default=False)
    # Every refund granted on this order, over all its cases. A constraint keeps it within what was paid.
    refund_granted_fen = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["shop", "platform", "platform_order_id"], name="uniq_platform_order"
            ),
            models.CheckConstraint(
                condition=Q(goods_fen__gte=0) & Q(freight_fen__gte=0) & Q(refund_granted_fen__gte=0),
                name="order_amounts_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(free_shipping_threshold_fen__gte=0) & Q(waived_freight_fen__gte=0),
                name="order_free_shipping_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(refund_granted_fen__lte=F("goods_fen") + F("freight_fen")),
                name="order_refund_within_paid",
            ),
        ]
        indexes = [models.Index(fields=["shop", "paid_at"])]

    @property
    def paid_fen(self) -> int:
        return self.goods_fen + self.freight_fen

    def __str__(self) -> str:
        return f"{self.platform}:{self.platform_order_id}"


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="+")
    platform_line_id = models.CharField(max_length=64)
    sku = models.ForeignKey(Sku, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    product = models.ForeignKey(Product, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    title = models.CharField(max_length=200)
    sku_code = models.CharField(max_length=64, blank=True)
    spec = models.CharField(max_length=200, blank=True)
    quantity = models.PositiveIntegerField()
    unit_price_fen = models.BigIntegerField()  # list price of one unit
    paid_fen = models.BigIntegerField()  # what was actually paid for the whole line after discounts
    is_gift = models.BooleanField(default=False)
    bundle_id = models.CharField(max_length=64, blank=True)  # lines bought together under one deal
    # Only for an order shipped in parts (`Order.ships_in_parts`): this line's parcel; None: not shipped
    # (signed for) yet. Lines of an order shipped whole follow the order's times.
    shipped_at = models.DateTimeField(null=True, blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["order", "platform_line_id"], name="uniq_order_line"),
            models.CheckConstraint(
                condition=Q(quantity__gt=0) & Q(unit_price_fen__gte=0) & Q(paid_fen__gte=0),
                name="order_line_amounts_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ×{self.quantity}"


class Payment(models.Model):
    """How the order was paid; refunds go back the same routes, pro rata (原路退回)."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="payments")
    route = models.CharField(max_length=16, choices=enum_choices(PaymentRoute))
    amount_fen = models.BigIntegerField()

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(amount_fen__gt=0), name="payment_positive")]

    def __str__(self) -> str:
        return f"{self.route} {self.amount_fen}"


class Shipment(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="shipments")
    carrier = models.CharField(max_length=32)
    tracking_no = models.CharField(max_length=64, db_index=True)
    shipped_at = models.DateTimeField()
    signed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.carrier} {self.tracking_no}"
