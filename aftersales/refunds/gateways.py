"""Payment-route adapters: how money actually goes back to the buyer.

A gateway is called after the refund payment row has been committed as `pending`, with an idempotency
key that stays the same on every retry, so the payment provider never pays twice. The built-in
`SimulatedGateway` settles at once; real adapters (WeChat Pay, Alipay, the platforms' refund APIs)
implement the same `refund` call.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Protocol

from aftersales.core.choices import PaymentStatus


@dataclass(frozen=True)
class GatewayResult:
    status: PaymentStatus  # succeeded, failed, or unknown (timed out: ask again with the same key)
    external_ref: str = ""


class Gateway(Protocol):
    def refund(
        self, *, route: str, amount_fen: int, idempotency_key: str, order_ref: str
    ) -> GatewayResult: ...


class SimulatedGateway:
    """Settles every refund at once; the reference is derived from the key, so a retry gets the same one."""

    def refund(self, *, route: str, amount_fen: int, idempotency_key: str, order_ref: str) -> GatewayResult:
        ref = hashlib.sha256(f"{route}:{idempotency_key}".encode()).hexdigest()[:20]
        return GatewayResult(PaymentStatus.SUCCEEDED, f"SIM{ref}")


_SIMULATED = SimulatedGateway()
_gateway: Gateway = _SIMULATED


def get_gateway(shop=None) -> Gateway:
    """The gateway that moves `shop`'s money. A training shop's never moves real money: it always
    settles through the simulated gateway, whatever provider the real shops use."""
    if shop is not None and getattr(shop, "is_training", False):
        return _SIMULATED
    return _gateway


def set_gateway(gateway: Gateway) -> Gateway:
    """Swap the gateway (tests, or a real provider at start-up); returns the previous one."""
    global _gateway
    previous, _gateway = _gateway, gateway
    return previous
