from django.shortcuts import get_object_or_404
from ninja import Router, Status
from ninja.pagination import paginate

from aftersales.api_auth import require_role
from aftersales.core.pagination import Page
from aftersales.orders.models import Order
from aftersales.orders.schemas import OrderIn, OrderOut
from aftersales.orders.services import create_order_once

router = Router(tags=["orders"])


@router.get("", response=list[OrderOut])
@paginate(Page)
def list_orders(request, platform: str | None = None, platform_order_id: str | None = None):
    qs = Order.objects.filter(shop=request.shop).select_related("buyer").prefetch_related("lines")
    if platform:
        qs = qs.filter(platform=platform)
    if platform_order_id:
        qs = qs.filter(platform_order_id=platform_order_id)
    return qs.order_by("-paid_at", "-id")


@router.get("/{int:order_id}", response=OrderOut)
def get_order(request, order_id: int):
    return get_object_or_404(Order.objects.select_related("buyer"), shop=request.shop, pk=order_id)


@router.post("", response={201: OrderOut, 200: OrderOut})
def post_order(request, payload: OrderIn):
    """201 with the new order; 200 with the existing one when the same order is posted again (a retry);
    409 `order.exists` when another order already has this platform order id."""
    require_role(request, "owner", "agent")
    order, created = create_order_once(request.shop, payload.model_dump())
    return Status(201 if created else 200, order)
