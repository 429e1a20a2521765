"""抖店 as the simulator plays it: routes /afterSale/List|Detail|operate and /token/refresh.

Rules it enforces: the signature and token of every call; pages of at most 100, numbered from 0, and
no deeper than 10,000 cases into a window (page × size); a write must carry the case's current
`update_time` (a stale one is refused); a batch of at most 20 cases; a refusal names a code of its
rejectReasonCodeList, with photos (afterSale.submitEvidence) where the code wants them.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from aftersales.platforms.connectors import douyin
from aftersales.platforms.connectors.base import Request, Response
from aftersales.platforms.simulator.core import SimCase, SimError, Simulator

STATUS_CODES = {"requested": 6, "awaiting_return": 7, "return_in_transit": 7, "return_received": 11,
                "fulfilling": 8, "awaiting_buyer_receipt": 3, "completed": 12, "rejected": 27,
                "rejected_after_return": 29, "closed": 28, "arbitration": 6}
KIND_CODES = {"return_refund": 0, "exchange": 3, "price_protection": 6, "reship": 7, "repair": 8}
ERROR_CODES = {"token_expired": 30002, "auth_failed": 40004, "rate_limited": 50002, "web_only": 11001,
               "conflict": 11002, "forbidden": 11003, "not_found": 11004, "rejected": 11005, "evidence_required": 11007,
               "bad_window": 11006, "bad_page_size": 11006, "bad_page": 11006}
#: operate type -> push action
OPERATE_ACTIONS = {code: action for (action, _kind), code in douyin.OPERATE_TYPES.items()}
#: which push tag each event sends (§1.1): 200 applied, 201 refund agreed, 202 return agreed, …
PUSH_TAGS = {"created": 200, "agree_refund": 201, "refund": 201, "agree_return": 202, "buyer_shipped": 203,
             "refuse": 204, "refuse_after_return": 205, "closed": 207}
DEEPEST = 10_000
#: The simulator's afterSale.rejectReasonCodeList: code -> (text, whether photos are wanted).
REJECT_REASONS = {
    1: ("商品已影响二次销售", True), 2: ("买家超过售后时效申请", False), 3: ("定制类商品不支持七天无理由退货", False),
    4: ("买家凭证不足，无法证明商品问题", False), 5: ("买家人为损坏商品", True), 6: ("买家重复申请售后", False),
    7: ("退回商品验货不通过", True), 99: ("其他原因", True),
}


class DouyinSimulator(Simulator):
    platform = "douyin"

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.evidence: dict[str, list[str]] = {}  # after-sale id -> ids of the photos submitted for it

    def route(self, request: Request) -> Response:
        path = request.url.split("?", 1)[0]
        method = path.rsplit("/", 2)[-2] + "." + path.rsplit("/", 1)[-1]
        params = request.params
        param_json = (request.body or b"").decode()
        if params.get("param_json") != param_json or params.get("app_key") != self.app_key:
            raise SimError("auth_failed", "param_json or app_key mismatch")
        expected = douyin.sign(self.app_secret, self.app_key, params.get("method", ""), param_json,
                               params.get("timestamp", ""), sign_method=params.get("sign_method", "hmac-sha256"))
        if params.get("sign") != expected or params.get("method") != method:
            raise SimError("auth_failed", "sign error")
        self.calls.append(method)
        self.check_rate()
        body = json.loads(param_json or "{}")
        if method == "token.refresh":
            access, refresh, seconds = self.refresh(body.get("refresh_token", ""))
            return self.ok({"access_token": access, "refresh_token": refresh, "expires_in": seconds})
        self.check_token(params.get("access_token", ""))
        if method == "afterSale.List":
            return self.list_(body)
        if method == "afterSale.Detail":
            return self.ok(self.render(self.find(body.get("after_sale_id", ""))))
        if method == "afterSale.rejectReasonCodeList":
            return self.ok({"items": [{"reject_reason_code": code, "reason": text, "evidence_need": "Y" if photos else "N"}
                                      for code, (text, photos) in REJECT_REASONS.items()]})
        if method == "afterSale.submitEvidence":
            case = self.find(body.get("aftersale_id", ""))
            images = [e for e in body.get("evidence") or [] if e.get("type") == 1 and e.get("data")]
            if not images:
                raise SimError("rejected", "no evidence image")
            ids = [f"ev-{case.case_id}-{len(self.evidence.setdefault(case.case_id, [])) + i}" for i in range(len(images))]
            self.evidence[case.case_id].extend(ids)
            return self.ok({"evidence_ids": ids})
        if method == "afterSale.operate":
            return self.operate(body)
        raise SimError("rejected", f"unknown method {method}")

    def list_(self, body: dict) -> Response:
        start = datetime.fromtimestamp(int(body["update_start_time"]), UTC)
        end = datetime.fromtimestamp(int(body["update_end_time"]), UTC)
        page, size = int(body.get("page", 0)), int(body.get("size", 10))
        if (page + 1) * size > DEEPEST:
            raise SimError("bad_page", "page too deep: narrow the time window")
        chunk, more = self.page_of(self.changed(start, end), page, size, first_page=0)
        return self.ok({"items": [self.render(c) for c in chunk], "has_more": more, "page": page, "size": size})

    def operate(self, body: dict) -> Response:
        items = body.get("items") or []
        action = OPERATE_ACTIONS.get(int(body.get("type", 0)))
        if action is None or not items or len(items) > 20:
            raise SimError("rejected", "bad operate type or items")
        # All or nothing: one failing case fails the batch.
        cases = [self.find(item.get("aftersale_id", "")) for item in items]
        for case, item in zip(cases, items, strict=True):
            if int(item.get("update_time", 0)) != case.update_epoch:
                raise SimError("conflict", "update_time is stale: fetch the after-sale again")
        if action in ("refuse", "refuse_after_return"):
            for case, item in zip(cases, items, strict=True):
                self.check_reject_reason(case, item)
        for case, item in zip(cases, items, strict=True):
            logistics = item.get("logistics") or {}
            self.apply(case, action, return_address_id=logistics.get("receiver_address_id"),
                       tracking_no=logistics.get("logistics_code"))
        return self.ok({})

    def check_reject_reason(self, case: SimCase, item: dict) -> None:
        """A refusal names a code of the published list, with photos submitted where the code wants them."""
        found = REJECT_REASONS.get(int(item.get("reject_reason_code") or 0))
        if found is None:
            raise SimError("rejected", "reject_reason_code not in rejectReasonCodeList")
        wanted = set(item.get("evidence") or [])
        if found[1] and (not wanted or not wanted <= set(self.evidence.get(case.case_id, []))):
            raise SimError("evidence_required", f"{found[0]}: 需上传凭证")
        case.history.append({"event": "reject_reason", "code": int(item["reject_reason_code"]),
                             "evidence": sorted(wanted)})

    def check_rules(self, case: SimCase, action: str, args: dict) -> None:
        if case.status == "arbitration":
            raise SimError("web_only", "platform arbitration: handle it in the web backend")

    def render(self, case: SimCase) -> dict:
        kind = KIND_CODES.get(case.kind, 1 if case.shipped else 2)
        return {
            "aftersale_info": {
                "aftersale_id": case.case_id, "aftersale_type": kind, "aftersale_status": STATUS_CODES[case.status],
                "arbitrate_status": 1 if case.status == "arbitration" else 0, "refund_amount": case.amount_fen,
                "apply_time": int(case.applied_at.timestamp()), "update_time": case.update_epoch,
                "status_deadline": int(case.deadline_at.timestamp()) if case.deadline_at else 0,
                "reason_name": case.reason, "description": case.note, "aftersale_num": case.quantity,
                "return_logistics_code": case.return_tracking_no,
                "return_logistics_company_name": case.return_carrier,
            },
            "order_info": {
                "shop_order_id": case.order_id, "order_status": 3 if case.shipped else 2,
                "create_time": int(case.applied_at.timestamp()) - 86400 * 3,
                "pay_time": int(case.applied_at.timestamp()) - 86400 * 3 + 60,
                "ship_time": int(case.applied_at.timestamp()) - 86400 * 2 if case.shipped else 0,
                "related_order_info": [{
                    "sku_order_id": case.line_id, "product_name": case.title, "product_id": case.product_id,
                    "shop_sku_code": case.sku_code, "item_num": case.quantity,
                    "price": case.paid_fen // max(case.quantity, 1), "pay_amount": case.paid_fen,
                }],
            },
        }

    def ok(self, data: dict) -> Response:
        return self.json_response({"code": 10000, "msg": "success", "sub_code": "", "sub_msg": "", "data": data})

    def error(self, exc: SimError) -> Response:
        return self.json_response({"code": ERROR_CODES.get(exc.kind, 11005), "msg": exc.message,
                                   "sub_code": f"isv.{exc.kind}", "sub_msg": exc.message, "data": {}})

    def push_message(self, case: SimCase, event: str) -> tuple[dict[str, str], bytes] | None:
        tag = PUSH_TAGS.get(event)
        if tag is None:
            return None
        body = json.dumps([{"tag": str(tag), "msg_id": f"{case.case_id}-{case.version}",
                            "data": json.dumps({"aftersale_id": case.case_id, "aftersale_status":
                                                STATUS_CODES[case.status]})}]).encode()
        return {"app-id": self.app_key, "event-sign": douyin.push_sign(self.app_key, self.app_secret, body),
                "Content-Type": "application/json"}, body
