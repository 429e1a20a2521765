"""The law cases of tests/unit/test_policy_law_cases.py, asked through `POST /api/v1/policy/evaluate`:
the dry run must give the answer the engine gives, for every fact the engine judges, and write nothing."""

import pytest

from aftersales.cases.models import Case
from aftersales.catalog.models import ReturnRule
from tests.unit.test_policy_law_cases import CASES, check, facts_of

pytestmark = pytest.mark.django_db


def test_every_law_case_through_the_api(api, shop):
    for case in CASES:
        ReturnRule.objects.filter(shop=shop).delete()
        if case.shop:
            ReturnRule.objects.create(shop=shop, platform="", category=None, **case.shop)
        response = api.post("/api/v1/policy/evaluate", facts_of(case))
        assert response.status_code == 200, (case.id, response.json())
        body = response.json()
        try:
            check(case, body)
        except AssertionError as failure:
            raise AssertionError(f"{case.id}: {failure}") from failure
        assert body["message"].startswith(("可以申请", "不能申请")), (case.id, body["message"])
    assert Case.objects.count() == 0


def test_the_explanation_follows_the_language(api):
    body = {**facts_of(CASES[0]), "partial_return_breaks_free_shipping": True, "freight_insurance": True}
    zh = api.post("/api/v1/policy/evaluate", body).json()
    assert zh["return_freight_payer"] == "insurer" and zh["outbound_freight_deducted"] is True
    assert zh["message"].endswith("部分退货后剩余商品不再满足包邮条件，退款时可以扣除发货运费。")
    en = api.post("/api/v1/policy/evaluate", body, headers={"Accept-Language": "en"}).json()
    assert en["message"].endswith(
        "What the buyer keeps no longer reaches the free-shipping threshold, so the outbound freight may be "
        "deducted from the refund."
    )


@pytest.mark.parametrize(
    "extra",
    [
        {"shiped": True},  # a misspelt fact is refused, not dropped (it would have read as "not shipped")
        {"goods": {"tags_on": True}},
        {"shipped": "yes"},
        {"paid_fen": -1},
        {"paid_fen": 1.5},
        {"freight_insurance": 1},
    ],
)
def test_an_unknown_or_malformed_fact_is_refused(api, extra):
    body = {**facts_of(CASES[0]), **extra}
    response = api.post("/api/v1/policy/evaluate", body)
    assert response.status_code == 422 and response.json()["code"] == "input.invalid"
    assert Case.objects.count() == 0


def test_signed_for_without_having_shipped_is_refused(api):
    body = {**facts_of(CASES[0]), "shipped": False}
    response = api.post("/api/v1/policy/evaluate", body)
    assert response.status_code == 422 and response.json()["code"] == "policy.invalid_field"
