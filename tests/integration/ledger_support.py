"""The reconciliation every money path ends with: case and order totals equal their ledger rows."""

from aftersales.refunds.selectors import ledger_differences


def assert_ledger_reconciles(shop_id: int | None = None) -> None:
    differences = [str(d) for d in ledger_differences(shop_id)]
    assert not differences, differences
