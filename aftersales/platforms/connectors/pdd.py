"""拼多多 open platform: signing, the refund increment list, refund detail, agree calls, token refresh.

Request: POST `{gateway}/api/router`, form-encoded: type (the method), client_id, access_token,
timestamp (Unix seconds), data_type=JSON, version=V1, sign and the call's own parameters. Sign: every
parameter but `sign`, sorted by name, joined as name+value, MD5(secret + that + secret), upper-case.
Answer: {"refund_increment_get_response": {...}} or {"error_response": {"error_code", "error_msg",
"sub_code", "sub_msg"}}. pdd.refund.list.increment.get takes an update window of at most 30 minutes
and pages of at most 100. There is no refuse API: a refusal is made in the merchant backend.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import urllib.parse
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from aftersales.core import clock
from aftersales.platforms.connectors.base import (
    AUTH_FAILED,
    BAD_RESPONSE,
    CONFLICT,
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
    Request,
    Token,
    epoch,
    from_beijing_text,
    yuan_text,
)

#: error_code -> kind. 10019 (access_token expired) and 70031 (call frequency) as the platform's
#: published list has them; the business refusals are the contract simulator's.
ERROR_CODES = {"10019": TOKEN_EXPIRED, "10035": AUTH_FAILED, "10016": AUTH_FAILED, "70031": RATE_LIMITED,
               "70032": RATE_LIMITED, "50000": UNAVAILABLE, "52101": CONFLICT, "52102": FORBIDDEN,
               "52103": WEB_ONLY, "52104": NOT_FOUND}
RESPONSE_KEYS = {"pdd.refund.list.increment.get": "refund_increment_get_response",
                 "pdd.refund.information.get": "refund_information_get_response",
                 "pdd.refund.agree": "refund_agree_response",
                 "pdd.refund.returngoods.agree": "refund_returngoods_agree_response",
                 "pdd.refund.exchange.shipping": "refund_exchange_shipping_response",
                 "pdd.pop.auth.token.refresh": "pop_auth_token_refresh_response",
                 "pdd.order.information.get": "order_info_get_response"}


#: pdd.order.information.get's order_status (1 待发货, 2 已发货待签收, 3 已签收) in the export's words,
#: which the orders mapping reads.
ORDER_STATUS_TEXTS = {1: "待发货", 2: "已发货，待签收", 3: "已签收"}


#: The refund message types of 拼多多消息服务 the sync listens to.
PUSH_TYPES = {"pdd_refund_RefundCreated", "pdd_refund_RefundAgreeAgreement", "pdd_refund_RefundBuyerReturnGoods",
              "pdd_refund_RefundRefuseAgreement", "pdd_refund_RefundSuccess", "pdd_refund_RefundClosed"}


def sign(client_secret: str, params: dict[str, str]) -> str:
    joined = "".join(f"{k}{params[k]}" for k in sorted(params) if k != "sign")
    return hashlib.md5(f"{client_secret}{joined}{client_secret}".encode()).hexdigest().upper()


class Connector(BaseConnector):
    platform = "pdd"
    max_window = timedelta(minutes=30)
    max_page_size = 100
    workbench_url = "https://mms.pinduoduo.com/aftersales/aftersale_list"
    #: The platform counts the return as received when the merchant refunds or refuses it.
    local_only = frozenset({"confirm_receipt"})
    action_methods = {"agree_refund": "pdd.refund.agree", "refund": "pdd.refund.agree",
                      "agree_return": "pdd.refund.returngoods.agree", "ship_replacement": "pdd.refund.exchange.shipping"}

    def build_request(self, method: str, params: dict[str, Any], *, with_token: bool = True) -> Request:
        creds = self.credentials
        form = {"type": method, "client_id": creds.app_key, "timestamp": str(epoch(clock.now())),
                "data_type": "JSON", "version": "V1"}
        if with_token:
            form["access_token"] = creds.access_token
        form.update({k: json.dumps(v, ensure_ascii=False) if isinstance(v, dict | list) else str(v)
                     for k, v in params.items()})
        form["sign"] = sign(creds.app_secret, form)
        return Request("POST", f"{self.base_url}/api/router", {}, urllib.parse.urlencode(form).encode(),
                       {"Content-Type": "application/x-www-form-urlencoded"})

    def unwrap(self, method: str, payload: Any) -> Any:
        if not isinstance(payload, dict):
            raise ApiError(BAD_RESPONSE, "", "not an object")
        if "error_response" in payload:
            error = payload["error_response"]
            code = str(error.get("error_code", ""))
            raise ApiError(ERROR_CODES.get(code, REJECTED), code, error.get("sub_msg") or error.get("error_msg") or "")
        body = payload.get(RESPONSE_KEYS.get(method, ""))
        if body is None:
            raise ApiError(BAD_RESPONSE, "", "no response body")
        return body

    def list_changed(self, start: datetime, end: datetime, page: int, page_size: int) -> Page:
        size = min(page_size, self.max_page_size)
        data = self.call("pdd.refund.list.increment.get", {
            "start_updated_at": epoch(start), "end_updated_at": epoch(end), "page": page, "page_size": size,
            "after_sales_status": 1, "after_sales_type": 1})
        rows = data.get("refund_list") or []
        return Page([self.item(r) for r in rows], page * size < int(data.get("total_count") or 0))

    def get_case(self, platform_case_id: str) -> CaseItem | None:
        try:
            data = self.call("pdd.refund.information.get", {"after_sales_id": platform_case_id})
        except ApiError as exc:
            if exc.kind == NOT_FOUND:
                return None
            raise
        return self.item(data)

    def item(self, r: dict[str, Any]) -> CaseItem:
        case_fields = {
            "platform_case_id": str(r["id"]), "platform_order_id": str(r["order_sn"]),
            # The detail's type codes (1 仅退款 …) differ from the list filter's: the texts are mapped.
            "kind": {1: "仅退款", 2: "退货退款", 3: "换货", 4: "补寄", 5: "维修"}.get(int(r["after_sales_type"]), ""),
            "status": str(r["after_sales_status"]), "reason": r.get("after_sales_reason", ""),
            "requested_amount_fen": yuan_text(r.get("refund_amount")), "requested_at": r.get("created_time", ""),
            "deadline_at": r.get("expire_time", ""), "return_tracking_no": r.get("tracking_number", ""),
            "product_title": r.get("goods_name", ""), "platform_product_id": str(r.get("goods_id", "")),
            "quantity": str(r.get("goods_number", 1)),
        }
        line = {"platform_order_id": str(r["order_sn"]), "platform_line_id": f"{r['order_sn']}-{r.get('sku_id', '')}",
                "platform_sku_id": str(r.get("sku_id", "")), "platform_product_id": str(r.get("goods_id", "")),
                "product_title": r.get("goods_name", ""), "quantity": str(r.get("goods_number", 1)),
                "paid_fen": yuan_text(r.get("order_amount")), "order_status": r.get("order_status_text", ""),
                "created_at": r.get("trade_created", ""), "paid_at": r.get("pay_time", ""),
                "shipped_at": r.get("consign_time", "")}
        return CaseItem(case_fields["platform_case_id"], case_fields["platform_order_id"],
                        from_beijing_text(r.get("updated_time", "")) or clock.now(), case_fields, [line], r,
                        quantity=int(r.get("goods_number") or 1), platform_sku_id=str(r.get("sku_id", "")))

    # -- the order --

    order_method = "pdd.order.information.get"

    def order_params(self, platform_order_id: str) -> dict[str, Any]:
        return {"order_sn": platform_order_id}

    def order_lines(self, data: Any) -> list[dict[str, str]]:
        o = data.get("order_info") or {}
        if not o:
            return []
        shared = {"platform_order_id": str(o["order_sn"]),
                  "order_status": ORDER_STATUS_TEXTS.get(int(o.get("order_status") or 0), ""),
                  "created_at": o.get("created_time", ""), "paid_at": o.get("pay_time", ""),
                  "shipped_at": o.get("shipping_time", ""), "completed_at": o.get("receive_time", ""),
                  "province": o.get("province", ""), "city": o.get("city", ""),
                  "freight_fen": str(o.get("postage", ""))}
        return [{**shared, "platform_line_id": f"{o['order_sn']}-{i.get('sku_id', '')}",
                 "platform_sku_id": str(i.get("sku_id", "")), "platform_product_id": str(i.get("goods_id", "")),
                 "product_title": i.get("goods_name", ""), "sku_code": i.get("outer_id", ""),
                 "sku_spec": i.get("goods_spec", ""), "quantity": str(i.get("goods_count", 1)),
                 "unit_price_fen": str(i.get("goods_price", "")), "paid_fen": str(i.get("goods_amount", ""))}
                for i in o.get("item_list") or []]

    def perform(self, action: str, item: CaseItem, kind: str, args: dict[str, Any],
                evidence: Sequence[EvidenceFile] = ()) -> None:
        method = self.action_methods.get(action)
        if method is None:
            raise ApiError(WEB_ONLY, "", "no API for this action: use the merchant backend")
        params: dict[str, Any] = {"after_sales_id": int(item.platform_case_id), "order_sn": item.platform_order_id,
                                  "version": item.raw.get("version", 0)}
        if method == "pdd.refund.returngoods.agree":
            params["return_address_id"] = args.get("return_address_id", "")
        if method == "pdd.refund.exchange.shipping":
            params.update(shipping_name=args.get("carrier", ""), tracking_number=args.get("tracking_no", ""))
        self.call(method, params)

    # -- push messages --

    pushes = True

    @classmethod
    def pushed_case_ids(cls, app_key: str, app_secret: str, headers: dict[str, str], body: bytes) -> list[str] | None:
        """拼多多消息服务: a JSON object {client_id, timestamp, type, content, sign}, signed by the request
        rule (MD5(secret + sorted name+value + secret), upper-case); `content` names the refund_id."""
        try:
            message = json.loads(body.decode())
        except (UnicodeDecodeError, ValueError):
            return None
        if not isinstance(message, dict) or message.get("client_id") != app_key:
            return None
        fields = {k: str(v) for k, v in message.items() if k != "sign"}
        if not hmac.compare_digest(str(message.get("sign", "")), sign(app_secret, fields)):
            return None
        if message.get("type") not in PUSH_TYPES:
            return []
        try:
            content = json.loads(str(message.get("content") or "{}"))
        except ValueError:
            return []
        return [str(content["refund_id"])] if isinstance(content, dict) and content.get("refund_id") else []

    def refresh(self) -> Token:
        data = self.call("pdd.pop.auth.token.refresh", {"refresh_token": self.credentials.refresh_token},
                         with_token=False)
        return Token(data["access_token"], data["refresh_token"],
                     clock.now() + timedelta(seconds=int(data["expires_in"])))
