"""`POST /api/v1/policy/evaluate`: a dry run of the policy engine. It writes nothing."""

from ninja import Router

from aftersales.api_auth import request_language
from aftersales.cases.domain.policy import Facts, default_ruleset, evaluate, explain
from aftersales.cases.policy_io import ruleset_for
from aftersales.cases.schemas import PolicyIn
from aftersales.core import clock

router = Router(tags=["policy"])


@router.post("/evaluate", response=dict)
def evaluate_policy(request, payload: PolicyIn):
    data = payload.model_dump(mode="python")
    data["platform"] = payload.platform.value
    data["case_kind"] = payload.case_kind.value
    data["reason"] = payload.reason.value
    data["category"] = payload.category.value
    facts = Facts.from_dict(data)
    shop_rules = ruleset_for(request.shop, facts.platform, None) if getattr(request, "shop", None) else None
    decision = evaluate(
        facts, shop_rules or default_ruleset(facts.platform), payload.requested_at or clock.now()
    )
    body = decision.to_dict()
    body["message"] = explain(decision, request_language(request))
    return body
