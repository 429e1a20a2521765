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
from aftersales.refunds.models import REFUND, RETURN_FREIGHT, RefundDecision, RefundPayment

#: The case totals checked against the ledger, in the order `ledger_differences` reads them.
_CASE_TOTALS = ("case_granted", "case_refunded", "case_freight_granted", "case_freight_paid")


@dataclass(frozen=True)
class LedgerDifference:
    kind: str  # one of _CASE_TOTALS, or "order_granted"
    shop_id: int
    ref: str  # the case number or the platform order id
    recorded_fen: int  # the total kept on the case or order
    ledger_fen: int  # the sum of the ledger rows

    def __str__(self) -> str:
        return f"{self.kind} {self.ref}: recorded {self.recorded_fen} fen, ledger {self.ledger_fen} fen"



def ledger_differences(shop_id: int | None = None) -> list[LedgerDifference]:
    """Every case and order whose totals disagree with the ledger (empty when all reconcile): a case's
    refund totals against its refund rows, its return-freight totals against its return-freight rows
    (`refunds.freight`), an order's granted total against its cases'."""
    cases = Case.objects.all() if shop_id is None else Case.objects.filter(shop_id=shop_id)

    def decided(kind: str) -> Coalesce:
        rows = (RefundDecision.objects.filter(case=OuterRef("pk"), kind=kind).order_by().values("case")
                .annotate(t=Sum("amount_fen")).values("t"))
        return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))

    def paid(kind: str) -> Coalesce:
        rows = (RefundPayment.objects.filter(case=OuterRef("pk"), decision__kind=kind,
                                             status=PaymentStatus.SUCCEEDED.value)
                .order_by().values("case").annotate(t=Sum("amount_fen")).values("t"))
        return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))

    rows = (cases.annotate(decided=decided(REFUND), paid=paid(REFUND), freight_decided=decided(RETURN_FREIGHT),
                           freight_paid=paid(RETURN_FREIGHT))
            .values_list("shop_id", "number", "refund_granted_fen", "decided", "refunded_fen", "paid",
                         "return_freight_granted_fen", "freight_decided", "return_freight_paid_fen", "freight_paid")
            .order_by("pk"))
    found: list[LedgerDifference] = []
    for shop, number, *totals in rows.iterator(chunk_size=2000):
        for kind, recorded, ledger in zip(_CASE_TOTALS, totals[::2], totals[1::2], strict=True):
            if recorded != ledger:
                found.append(LedgerDifference(kind, shop, number, recorded, ledger))
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
