from __future__ import annotations

from datetime import datetime

from ninja import Schema


class RefundPaymentOut(Schema):
    id: int
    case_id: int
    route: str
    amount_fen: int
    idempotency_key: str
    status: str
    external_ref: str
    created_at: datetime
    settled_at: datetime | None
