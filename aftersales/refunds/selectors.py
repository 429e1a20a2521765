"""Reads of the refund ledger. `ledger_differences` is the reconciliation: every case's granted and
refunded totals must equal the sum of its ledger rows, and every order's granted total the sum of its
cases'. `aftersales check-ledger` runs it on a live database; the tests run it after every path."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import IntegerField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from aftersales.cases.models import Case
from aftersales.core.choices import PaymentStatus
from aftersales.orders.models import Order
from aftersales.refunds.models import RefundDecision, RefundPayment


@dataclass(frozen=True)
class LedgerDifference:
    kind: str  # "case_granted", "case_refunded" or "order_granted"
    shop_id: int
    ref: str  # the case number or the platform order id
    recorded_fen: int  # the total kept on the case or order
    ledger_fen: int  # the sum of the ledger rows

    def __str__(self) -> str:
        return f"{self.kind} {self.ref}: recorded {self.recorded_fen} fen, ledger {self.ledger_fen} fen"



def ledger_differences(shop_id: int | None = None) -> list[LedgerDifference]:
    """Every case and order whose totals disagree with the ledger (empty when all reconcile)."""
    cases = Case.objects.all() if shop_id is None else Case.objects.filter(shop_id=shop_id)
    decided = (RefundDecision.objects.filter(case=OuterRef("pk")).order_by().values("case")
               .annotate(t=Sum("amount_fen")).values("t"))
    paid = (RefundPayment.objects.filter(case=OuterRef("pk"), status=PaymentStatus.SUCCEEDED.value)
            .order_by().values("case").annotate(t=Sum("amount_fen")).values("t"))
    rows = (cases.annotate(decided=Coalesce(Subquery(decided, output_field=IntegerField()), Value(0)),
                           paid=Coalesce(Subquery(paid, output_field=IntegerField()), Value(0)))
            .values_list("shop_id", "number", "refund_granted_fen", "decided", "refunded_fen", "paid")
            .order_by("pk"))
    found: list[LedgerDifference] = []
    for shop, number, granted, decided_fen, refunded, paid_fen in rows.iterator(chunk_size=2000):
        if granted != decided_fen:
            found.append(LedgerDifference("case_granted", shop, number, granted, decided_fen))
        if refunded != paid_fen:
            found.append(LedgerDifference("case_refunded", shop, number, refunded, paid_fen))
    orders = Order.objects.all() if shop_id is None else Order.objects.filter(shop_id=shop_id)
    of_cases = (Case.objects.filter(order=OuterRef("pk")).order_by().values("order")
                .annotate(t=Sum("refund_granted_fen")).values("t"))
    for shop, number, granted, of_cases_fen in (
        orders.annotate(of_cases=Coalesce(Subquery(of_cases, output_field=IntegerField()), Value(0)))
        .exclude(refund_granted_fen=0, of_cases=0)
        .values_list("shop_id", "platform_order_id", "refund_granted_fen", "of_cases").order_by("pk")
    ):
        if granted != of_cases_fen:
            found.append(LedgerDifference("order_granted", shop, number, granted, of_cases_fen))
    return found
