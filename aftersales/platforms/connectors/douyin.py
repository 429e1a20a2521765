"""抖店 (Douyin shop) open API: signing, after-sale list/detail/operate, token refresh, message push.

Request: POST `{gateway}/{method with / for .}` with query app_key, method, access_token, param_json,
timestamp (Beijing `YYYY-MM-DD HH:MM:SS`), v=2, sign_method, sign; the body is param_json.
Sign: `secret + "app_key" + key + "method" + method + "param_json" + json + "timestamp" + ts + "v" + "2"
+ secret`, HMAC-SHA256 keyed with the secret (hex), or MD5 of it (hex) for sign_method=md5; param_json
has its keys sorted and no spaces. Answer: {"code": 10000, "msg", "sub_code", "sub_msg", "data"}.
Push: header `event-sign` = md5(app_key + body + secret), header `app-id`; body is a list of
{"tag", "msg_id", "data"} with tags 200–207 for after-sales (platforms-and-law §1.1).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from aftersales.core import clock
from aftersales.platforms.connectors.base import (
    AUTH_FAILED,
    BAD_RESPONSE,
    CONFLICT,
    EVIDENCE_REQUIRED,
    FORBIDDEN,
    NOT_FOUND,
    RATE_LIMITED,
    REJECTED,
    TOKEN_EXPIRED,
    UNAVAILABLE,
    WEB_ONLY,
    ApiError,
    BaseConnector,
    CaseItem,
    EvidenceFile,
    Page,
    RefuseReason,
    Request,
    Token,
    beijing_text,
    compact_json,
    epoch,
    from_epoch,
    pick_refuse_reason,
    yuan_text,
)

SUCCESS = 10000
#: The platform's error codes by kind. 11001 (web backend only) is documented (§1.1); the others are
#: the codes the contract simulator answers with, to be checked against a live store.
ERROR_CODES = {
    "30001": TOKEN_EXPIRED, "30002": TOKEN_EXPIRED, "30004": AUTH_FAILED, "40004": AUTH_FAILED,
    "50002": RATE_LIMITED, "11001": WEB_ONLY, "11002": CONFLICT, "11003": FORBIDDEN, "11004": NOT_FOUND,
    "11007": EVIDENCE_REQUIRED, "20000": UNAVAILABLE,
}
PUSH_TAGS = {"200", "201", "202", "203", "204", "205", "206", "207"}
#: afterSale/operate `type` per push action and case kind (return: 1xx, refund only: 2xx, exchange: 3xx).
OPERATE_TYPES = {
    ("agree_refund", "refund_only"): 201, ("refuse", "refund_only"): 202,
    ("agree_return", "return_refund"): 101, ("refuse", "return_refund"): 102,
    ("refund", "return_refund"): 111, ("refuse_after_return", "return_refund"): 112,
    ("agree_return", "exchange"): 301, ("refuse", "exchange"): 302, ("ship_replacement", "exchange"): 311,
}


#: Our reject reasons (cases.services.REJECT_REASONS) in the words of the platform's refuse reasons:
#: the code is taken from the list afterSale.rejectReasonCodeList answers, by these words.
REFUSE_REASON_WORDS = {
    "evidence_insufficient": ("凭证不足", "举证不足"), "not_intact": ("影响二次销售", "不完好"),
    "beyond_window": ("超过售后时效", "超出售后期"), "exempt_category": ("不支持七天无理由",),
    "buyer_fault": ("人为损坏",), "duplicate_request": ("重复申请",), "inspection_failed": ("验货不通过",),
    "other": ("其他",),
}


def sign(app_secret: str, app_key: str, method: str, param_json: str, timestamp: str, *, v: str = "2",
         sign_method: str = "hmac-sha256") -> str:
    pattern = f"{app_secret}app_key{app_key}method{method}param_json{param_json}timestamp{timestamp}v{v}{app_secret}"
    if sign_method == "md5":
        return hashlib.md5(pattern.encode()).hexdigest()
    return hmac.new(app_secret.encode(), pattern.encode(), hashlib.sha256).hexdigest()


def push_sign(app_key: str, app_secret: str, body: bytes) -> str:
    return hashlib.md5(app_key.encode() + body + app_secret.encode()).hexdigest()


class Connector(BaseConnector):
    platform = "douyin"
    max_window = timedelta(hours=24)
    max_page_size = 100
    first_page = 0
    workbench_url = "https://fxg.jinritemai.com/ffa/aftersale/list"
    #: The platform counts the return as received when the merchant refunds or refuses it.
    local_only = frozenset({"confirm_receipt"})
    action_methods = {action: "afterSale.operate" for action, _kind in OPERATE_TYPES}

    def build_request(self, method: str, params: dict[str, Any], *, with_token: bool = True) -> Request:
        param_json = compact_json(params)
        timestamp = beijing_text(clock.now())
        creds = self.credentials
        query = {"app_key": creds.app_key, "method": method, "param_json": param_json, "timestamp": timestamp,
                 "v": "2", "sign_method": "hmac-sha256",
                 "sign": sign(creds.app_secret, creds.app_key, method, param_json, timestamp)}
        if with_token:
            query["access_token"] = creds.access_token
        return Request("POST", f"{self.base_url}/{method.replace('.', '/')}", query, param_json.encode(),
                       {"Content-Type": "application/json"})

    def unwrap(self, method: str, payload: Any) -> Any:
        if not isinstance(payload, dict) or "code" not in payload:
            raise ApiError(BAD_RESPONSE, "", "no code")
        code = str(payload["code"])
        if code == str(SUCCESS):
            return payload.get("data") or {}
        message = payload.get("sub_msg") or payload.get("msg") or ""
        raise ApiError(ERROR_CODES.get(code, REJECTED), code, message)

    # -- pulling --

    def list_changed(self, start: datetime, end: datetime, page: int, page_size: int) -> Page:
        data = self.call("afterSale.List", {
            "update_start_time": epoch(start), "update_end_time": epoch(end), "page": page,
            "size": min(page_size, self.max_page_size), "order_by": ["update_time asc"],
        })
        return Page([self.item(entry) for entry in data.get("items", [])], bool(data.get("has_more")))

    def get_case(self, platform_case_id: str) -> CaseItem | None:
        try:
            data = self.call("afterSale.Detail", {"after_sale_id": platform_case_id})
        except ApiError as exc:
            if exc.kind == NOT_FOUND:
                return None
            raise
        return self.item(data)

    def item(self, entry: dict[str, Any]) -> CaseItem:
        info, order = entry["aftersale_info"], entry["order_info"]
        line = (order.get("related_order_info") or [{}])[0]
        case_fields = {
            "platform_case_id": str(info["aftersale_id"]), "platform_order_id": str(order["shop_order_id"]),
            "platform_line_id": str(line.get("sku_order_id", "")), "kind": str(info["aftersale_type"]),
            "status": str(info["aftersale_status"]), "reason": info.get("reason_name", ""),
            "buyer_note": info.get("description", ""),
            "requested_amount_fen": yuan_text(info.get("refund_amount")),
            "requested_at": beijing_text(from_epoch(info.get("apply_time"))),
            "deadline_at": beijing_text(from_epoch(info.get("status_deadline"))),
            "return_tracking_no": info.get("return_logistics_code", ""),
            "return_carrier": info.get("return_logistics_company_name", ""),
            "arbitration": str(info["arbitrate_status"]) if info.get("arbitrate_status") else "",
            "product_title": line.get("product_name", ""), "sku_code": line.get("shop_sku_code", ""),
            "platform_product_id": str(line.get("product_id", "")),
        }
        lines = [{
            "platform_order_id": str(order["shop_order_id"]), "platform_line_id": str(item.get("sku_order_id", "")),
            "product_title": item.get("product_name", ""), "quantity": str(item.get("item_num", 1)),
            "platform_product_id": str(item.get("product_id", "")), "sku_code": item.get("shop_sku_code", ""),
            "unit_price_fen": yuan_text(item.get("price")), "paid_fen": yuan_text(item.get("pay_amount")),
            "order_status": str(order.get("order_status", "")),
            "created_at": beijing_text(from_epoch(order.get("create_time"))),
            "paid_at": beijing_text(from_epoch(order.get("pay_time"))),
            "shipped_at": beijing_text(from_epoch(order.get("ship_time"))),
        } for item in order.get("related_order_info") or []]
        return CaseItem(case_fields["platform_case_id"], case_fields["platform_order_id"],
                        from_epoch(info["update_time"]) or clock.now(), case_fields, lines, entry,
                        quantity=int(info.get("aftersale_num") or line.get("item_num") or 1))

    # -- pushing --

    def refuse_reasons(self) -> list[RefuseReason]:
        """The shop's refuse reasons as the platform publishes them (afterSale.rejectReasonCodeList)."""
        data = self.call("afterSale.rejectReasonCodeList", {})
        return [RefuseReason(str(r["reject_reason_code"]), r.get("reason", ""), r.get("evidence_need") == "Y")
                for r in data.get("items") or []]

    def perform(self, action: str, item: CaseItem, kind: str, args: dict[str, Any],
                evidence: Sequence[EvidenceFile] = ()) -> None:
        op = OPERATE_TYPES.get((action, kind)) or OPERATE_TYPES.get((action, "return_refund"))
        if op is None:
            raise ApiError(WEB_ONLY, "", "no operate type")
        entry: dict[str, Any] = {"aftersale_id": item.platform_case_id,
                                 "update_time": item.raw["aftersale_info"]["update_time"]}
        if action in ("refuse", "refuse_after_return"):
            reason = pick_refuse_reason(self.refuse_reasons(), args.get("reason_code", ""), REFUSE_REASON_WORDS)
            if reason.evidence_required and not evidence:
                raise ApiError(EVIDENCE_REQUIRED, reason.code, f"{reason.text}: the platform wants photos")
            entry.update(reject_reason_code=int(reason.code), reason=reason.text,
                         remark=args.get("note") or reason.text)
            if evidence:
                # The photos go first (afterSale.submitEvidence); the refusal names what it answered.
                proof = self.call("afterSale.submitEvidence", {
                    "aftersale_id": item.platform_case_id, "comment": args.get("note") or reason.text,
                    "evidence": [{"type": 1, "name": f.name, "data": base64.b64encode(f.data).decode()}
                                 for f in evidence]})
                entry["evidence"] = list(proof.get("evidence_ids") or [])
        if action == "agree_return":
            entry["logistics"] = {"receiver_address_id": args.get("return_address_id")}
        if action == "ship_replacement":
            entry["logistics"] = {"company_code": args.get("carrier", ""),
                                  "logistics_code": args.get("tracking_no", "")}
        self.call("afterSale.operate", {"type": op, "items": [entry]})

    def refresh(self) -> Token:
        data = self.call("token.refresh", {"refresh_token": self.credentials.refresh_token,
                                           "grant_type": "refresh_token"}, with_token=False)
        return Token(data["access_token"], data["refresh_token"],
                     clock.now() + timedelta(seconds=int(data["expires_in"])))

    # -- push messages --

    pushes = True

    @classmethod
    def pushed_case_ids(cls, app_key: str, app_secret: str, headers: dict[str, str], body: bytes) -> list[str] | None:
        """The after-sale ids a push message names; None when its signature does not hold."""
        lower = {k.lower(): v for k, v in headers.items()}
        expected = push_sign(app_key, app_secret, body)
        if lower.get("app-id") != app_key or not hmac.compare_digest(lower.get("event-sign", ""), expected):
            return None
        try:
            messages = json.loads(body.decode())
        except (UnicodeDecodeError, ValueError):
            return None
        ids = []
        for message in messages if isinstance(messages, list) else []:
            if str(message.get("tag")) in PUSH_TAGS:
                data = message.get("data")
                data = json.loads(data) if isinstance(data, str) else data or {}
                if data.get("aftersale_id"):
                    ids.append(str(data["aftersale_id"]))
        return ids
