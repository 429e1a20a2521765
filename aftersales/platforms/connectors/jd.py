"""京东 POP (JOS) after-sale service orders (ASC 售后服务单): signing, list/view, audit, receipt.

Request: POST `{gateway}/routerjson` with query method, access_token, app_key, timestamp, v=2.0,
360buy_param_json (the call's parameters as JSON), sign. Sign: every parameter but `sign`, sorted by
name, joined as name+value, MD5(secret + that + secret), upper-case hex.
Answer: {"jingdong_asc_query_list_responce": {"code": "0", "result": {...}}} or {"error_response":
{"code", "zh_desc", "en_desc"}}; a refused business call answers `result.success = false` with its
own `errorCode`.
"""

from __future__ import annotations

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
    beijing_text,
    compact_json,
    from_beijing_text,
    yuan_text,
)

#: System codes ("19": invalid or expired access_token, "14"/"15": signature) and the business
#: errorCodes the contract simulator answers with (to be checked against a live store).
ERROR_CODES = {"19": TOKEN_EXPIRED, "14": AUTH_FAILED, "15": AUTH_FAILED, "67": RATE_LIMITED, "66": UNAVAILABLE}
BUSINESS_CODES = {"ASC_VERSION": CONFLICT, "ASC_FORBIDDEN": FORBIDDEN, "ASC_WEB_ONLY": WEB_ONLY,
                  "ASC_NOT_FOUND": NOT_FOUND}


ORDER_FIELDS = ("orderId,orderState,orderStartTime,paymentConfirmTime,shipTime,pin,consigneeInfo,freightPrice,"
                "itemInfoList")


#: The after-sale topics of JOS 消息推送 the sync listens to (service order created, its status changed).
PUSH_TOPICS = {"jingdong_asc_ServiceCreated", "jingdong_asc_ServiceStatusChanged"}


def _json_object(body: bytes) -> dict | None:
    try:
        value = json.loads(body.decode())
    except (UnicodeDecodeError, ValueError):
        return None
    return value if isinstance(value, dict) else None


def sign(app_secret: str, params: dict[str, str]) -> str:
    joined = "".join(f"{k}{params[k]}" for k in sorted(params) if k != "sign")
    return hashlib.md5(f"{app_secret}{joined}{app_secret}".encode()).hexdigest().upper()


def response_key(method: str) -> str:
    """jingdong.asc.query.list -> jingdong_asc_query_list_responce (sic: JOS spells it so)."""
    return method.replace(".", "_") + "_responce"


class Connector(BaseConnector):
    platform = "jd"
    max_window = timedelta(days=7)
    max_page_size = 50
    workbench_url = "https://shop.jd.com/"
    action_methods = {"agree_refund": "jingdong.asc.audit.compensate", "agree_return": "jingdong.asc.audit.send",
                      "refuse": "jingdong.asc.audit.refuse", "confirm_receipt": "jingdong.asc.receive.register",
                      "ship_replacement": "jingdong.asc.process.renew"}

    def build_request(self, method: str, params: dict[str, Any], *, with_token: bool = True) -> Request:
        creds = self.credentials
        query = {"method": method, "app_key": creds.app_key, "v": "2.0",
                 "timestamp": beijing_text(clock.now()), "360buy_param_json": compact_json(params)}
        if with_token:
            query["access_token"] = creds.access_token
        query["sign"] = sign(creds.app_secret, query)
        return Request("POST", f"{self.base_url}/routerjson", query, b"", {})

    def unwrap(self, method: str, payload: Any) -> Any:
        if not isinstance(payload, dict):
            raise ApiError(BAD_RESPONSE, "", "not an object")
        if "error_response" in payload:
            error = payload["error_response"]
            code = str(error.get("code", ""))
            raise ApiError(ERROR_CODES.get(code, REJECTED), code, error.get("zh_desc") or error.get("en_desc") or "")
        body = payload.get(response_key(method))
        if body is None:
            raise ApiError(BAD_RESPONSE, "", "no response body")
        result = body.get("result") or {}
        if result.get("success") is False:
            code = str(result.get("errorCode", ""))
            raise ApiError(BUSINESS_CODES.get(code, REJECTED), code, result.get("errorMsg", ""))
        return result

    def list_changed(self, start: datetime, end: datetime, page: int, page_size: int) -> Page:
        data = self.call("jingdong.asc.query.list", {
            "updateTimeBegin": beijing_text(start), "updateTimeEnd": beijing_text(end), "pageNumber": page,
            "pageSize": min(page_size, self.max_page_size)})
        rows = data.get("data") or []
        total = int(data.get("totalCount") or 0)
        return Page([self.item(r) for r in rows], page * min(page_size, self.max_page_size) < total)

    def get_case(self, platform_case_id: str) -> CaseItem | None:
        try:
            data = self.call("jingdong.asc.query.view", {"serviceId": int(platform_case_id)})
        except ApiError as exc:
            if exc.kind == NOT_FOUND:
                return None
            raise
        return self.item(data["data"])

    def item(self, r: dict[str, Any]) -> CaseItem:
        case_fields = {
            "platform_case_id": str(r["serviceId"]), "platform_order_id": str(r["orderId"]),
            "kind": str(r["customerExpect"]), "status": str(r["serviceStatus"]), "reason": r.get("questionDesc", ""),
            "buyer_note": r.get("applyDesc", ""), "requested_amount_fen": yuan_text(r.get("applyRefundFen")),
            "requested_at": r.get("applyTime", ""), "deadline_at": r.get("expireTime", ""),
            "return_tracking_no": r.get("expressCode", ""), "return_carrier": r.get("expressCompany", ""),
            "product_title": r.get("wareName", ""), "platform_sku_id": str(r.get("skuId", "")),
        }
        line = {"platform_order_id": str(r["orderId"]), "platform_line_id": f"{r['orderId']}-{r.get('skuId', '')}",
                "platform_sku_id": str(r.get("skuId", "")), "product_title": r.get("wareName", ""),
                "quantity": str(r.get("skuNum", 1)), "paid_fen": yuan_text(r.get("paidFen")),
                "order_status": r.get("orderStatus", ""), "created_at": r.get("trade_created", ""),
                "paid_at": r.get("pay_time", "")}
        return CaseItem(case_fields["platform_case_id"], case_fields["platform_order_id"],
                        from_beijing_text(r.get("updateDate", "")) or clock.now(), case_fields, [line], r,
                        quantity=int(r.get("skuNum") or 1), platform_sku_id=str(r.get("skuId", "")))

    # -- the order --

    order_method = "jingdong.pop.order.get"

    def order_params(self, platform_order_id: str) -> dict[str, Any]:
        return {"order_id": int(platform_order_id), "optional_fields": ORDER_FIELDS}

    def order_lines(self, data: Any) -> list[dict[str, str]]:
        o = (data.get("orderDetailInfo") or {}).get("orderInfo") or {}
        if not o:
            return []
        consignee = o.get("consigneeInfo") or {}
        shared = {"platform_order_id": str(o["orderId"]), "order_status": o.get("orderState", ""),
                  "created_at": o.get("orderStartTime", ""), "paid_at": o.get("paymentConfirmTime", ""),
                  "shipped_at": o.get("shipTime", ""), "buyer_nick": o.get("pin", ""),
                  "freight_fen": o.get("freightPrice", ""),
                  # As the export's 客户地址: the mapping splits it into province and city.
                  "address": " ".join(filter(None, (consignee.get(k, "") for k in (
                      "province", "city", "county", "fullAddress"))))}
        return [{**shared, "platform_line_id": f"{o['orderId']}-{i.get('skuId', '')}",
                 "platform_sku_id": str(i.get("skuId", "")), "product_title": i.get("skuName", ""),
                 "sku_code": i.get("outerSkuId", ""), "quantity": str(i.get("itemTotal", 1)),
                 "unit_price_fen": i.get("jdPrice", ""), "paid_fen": i.get("payPrice", "")}
                for i in o.get("itemInfoList") or []]

    def perform(self, action: str, item: CaseItem, kind: str, args: dict[str, Any],
                evidence: Sequence[EvidenceFile] = ()) -> None:
        method = self.action_methods.get(action)
        if method is None:
            raise ApiError(WEB_ONLY, "", "no API for this action")
        params: dict[str, Any] = {"serviceId": int(item.platform_case_id), "version": item.raw.get("version", 0),
                                  "operatePin": "aftersales", "operateRemark": args.get("note", "")}
        if action == "refuse":
            # asc.audit.refuse takes the merchant's words only (no reason list is published for it).
            params["operateRemark"] = args.get("note") or args.get("reason_text", "") or "商家拒绝"
        if action == "agree_return":
            params["returnAddressId"] = args.get("return_address_id", "")
        if action == "ship_replacement":
            params.update(expressCompany=args.get("carrier", ""), expressCode=args.get("tracking_no", ""))
        self.call(method, params)

    # -- push messages --

    pushes = True

    @classmethod
    def pushed_case_ids(cls, app_key: str, app_secret: str, headers: dict[str, str], body: bytes) -> list[str] | None:
        """JOS 消息推送: a JSON object {app_key, timestamp, topic, content, sign}, signed by the request
        rule (MD5(secret + sorted name+value + secret), upper-case); `content` names the serviceId."""
        message = _json_object(body)
        if message is None or message.get("app_key") != app_key:
            return None
        fields = {k: str(v) for k, v in message.items() if k != "sign"}
        if not hmac.compare_digest(str(message.get("sign", "")), sign(app_secret, fields)):
            return None
        if message.get("topic") not in PUSH_TOPICS:
            return []
        content = _json_object(str(message.get("content") or "").encode()) or {}
        return [str(content["serviceId"])] if content.get("serviceId") else []

    def refresh(self) -> Token:
        data = self.call("jingdong.pop.oauth.token.refresh", {"refresh_token": self.credentials.refresh_token},
                         with_token=False)
        return Token(data["access_token"], data["refresh_token"],
                     clock.now() + timedelta(seconds=int(data["expires_in"])))
