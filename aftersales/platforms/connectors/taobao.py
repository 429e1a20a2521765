"""淘宝/天猫 TOP (Taobao Open Platform): signing, refunds list/detail, the seller's refund actions, TMC.

Request: POST `{gateway}/router/rest`, form-encoded: method, app_key, session, timestamp (Beijing
`YYYY-MM-DD HH:MM:SS`), format=json, v=2.0, sign_method, sign and the call's own parameters.
Sign: every parameter but `sign`, sorted by name, joined as name+value; md5: MD5(secret + that +
secret), hmac: HMAC-MD5 keyed with the secret, hmac-sha256 likewise; upper-case hex.
Answer: {"refunds_receive_get_response": {...}} or {"error_response": {"code", "msg", "sub_code",
"sub_msg"}}; code 7 is "App Call Limited", 27 "Invalid session", 25 "Invalid signature".
Files (byte[] parameters such as taobao.refund.refuse's refuse_proof) go as multipart/form-data
parts and are left out of the signature, as TOP's own SDKs do.
Push: TMC topics (taobao_refund_RefundCreated, …) are consumed with taobao.tmc.messages.consume each
worker cycle and confirmed with taobao.tmc.messages.confirm.
天猫 shares the API; it wants the proof (refuse_proof) with every refusal, whatever the reason.
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
    from_beijing_text,
    multipart_body,
    pick_refuse_reason,
)

#: Top-level error codes (TOP's published list) and the isv.* sub-codes of the refund calls.
ERROR_CODES = {"7": RATE_LIMITED, "27": TOKEN_EXPIRED, "26": TOKEN_EXPIRED, "25": AUTH_FAILED, "11": AUTH_FAILED,
               "10": UNAVAILABLE, "52": UNAVAILABLE}
SUB_CODES = {"isv.refund-cannot-refuse": FORBIDDEN, "isv.refund-version-not-match": CONFLICT,
             "isv.refund-proof-required": EVIDENCE_REQUIRED,
             "isv.refund-onweb": WEB_ONLY, "isv.refund-not-exist": NOT_FOUND}
REFUND_FIELDS = ("refund_id,tid,oid,status,dispute_type,refund_fee,payment,created,modified,reason,desc,title,"
                 "num,num_iid,outer_id,sku,has_good_return,good_status,refund_version,refund_phase,cs_status,"
                 "refund_remind_timeout,operation_contraint,company_name,sid,order_status,trade_created,pay_time,consign_time")
TRADE_FIELDS = ("tid,status,created,pay_time,consign_time,end_time,buyer_nick,receiver_state,receiver_city,"
                "receiver_district,receiver_address,post_fee,"
                "payment,orders.oid,orders.title,orders.num,orders.num_iid,orders.outer_iid,orders.outer_sku_id,"
                "orders.sku_properties_name,orders.price,orders.payment,orders.status")
REFUND_TOPICS = {"taobao_refund_RefundCreated", "taobao_refund_RefundSellerAgreeAgreement",
                 "taobao_refund_RefundSellerRefuseAgreement", "taobao_refund_RefundBuyerModifyAgreement",
                 "taobao_refund_RefundBuyerReturnGoods", "taobao_refund_RefundClosed", "taobao_refund_RefundSuccess",
                 "taobao_refund_TimeoutRemind"}


#: Our reject reasons (cases.services.REJECT_REASONS) in the words of the platform's refuse reasons:
#: the id is taken from the list taobao.refund.refusereason.get answers, by these words.
REFUSE_REASON_WORDS = {
    "evidence_insufficient": ("举证不足", "凭证不足"), "not_intact": ("影响二次销售",),
    "beyond_window": ("超过售后期限", "超过售后时效"), "exempt_category": ("不支持七天无理由",),
    "buyer_fault": ("人为损坏",), "duplicate_request": ("重复申请",), "inspection_failed": ("验货不通过",),
    "other": ("其他",),
}


def sign(app_secret: str, params: dict[str, str], sign_method: str = "md5") -> str:
    joined = "".join(f"{k}{params[k]}" for k in sorted(params) if k != "sign")
    if sign_method == "hmac":
        return hmac.new(app_secret.encode(), joined.encode(), hashlib.md5).hexdigest().upper()
    if sign_method == "hmac-sha256":
        return hmac.new(app_secret.encode(), joined.encode(), hashlib.sha256).hexdigest().upper()
    return hashlib.md5(f"{app_secret}{joined}{app_secret}".encode()).hexdigest().upper()


def response_key(method: str) -> str:
    """taobao.refunds.receive.get -> refunds_receive_get_response (the name of the answer's body)."""
    name = method.split(".", 1)[1] if method.startswith("taobao.") else method
    return name.replace(".", "_") + "_response"


def _amount(text: str | None) -> str:
    return text or ""


class Connector(BaseConnector):
    platform = "taobao"
    max_window = timedelta(hours=24)
    max_page_size = 100
    workbench_url = "https://myseller.taobao.com/home.htm/refund-manager/"
    #: The platform counts the return as received when the merchant refunds or refuses it.
    local_only = frozenset({"confirm_receipt"})
    #: 淘宝 wants refuse_proof where the refuse reason says so; 天猫 with every refusal.
    proof_with_every_refusal = False
    action_methods = {"agree_refund": "taobao.rp.refunds.agree", "refund": "taobao.rp.refunds.agree",
                      "agree_return": "taobao.rp.returngoods.agree", "refuse": "taobao.refund.refuse",
                      "refuse_after_return": "taobao.refund.refuse"}

    def build_request(self, method: str, params: dict[str, Any], *, with_token: bool = True) -> Request:
        creds = self.credentials
        form = {"method": method, "app_key": creds.app_key, "timestamp": beijing_text(clock.now()),
                "format": "json", "v": "2.0", "sign_method": "md5"}
        if with_token:
            form["session"] = creds.access_token
        files = {k: v for k, v in params.items() if isinstance(v, EvidenceFile)}
        form.update({k: v if isinstance(v, str) else json.dumps(v) if isinstance(v, dict | list) else str(v)
                     for k, v in params.items() if k not in files})
        form["sign"] = sign(creds.app_secret, form)  # the text parameters only: files are never signed
        url = f"{self.base_url}/router/rest"
        if files:
            body, content_type = multipart_body(form, files)
            return Request("POST", url, {}, body, {"Content-Type": content_type})
        return Request("POST", url, {}, urllib.parse.urlencode(form).encode(),
                       {"Content-Type": "application/x-www-form-urlencoded;charset=utf-8"})

    def unwrap(self, method: str, payload: Any) -> Any:
        if not isinstance(payload, dict):
            raise ApiError(BAD_RESPONSE, "", "not an object")
        if "error_response" in payload:
            error = payload["error_response"]
            code, sub = str(error.get("code", "")), str(error.get("sub_code", ""))
            kind = SUB_CODES.get(sub) or ERROR_CODES.get(code, REJECTED)
            raise ApiError(kind, sub or code, error.get("sub_msg") or error.get("msg") or "")
        body = payload.get(response_key(method))
        if body is None:
            raise ApiError(BAD_RESPONSE, "", "no response body")
        return body

    # -- pulling --

    def list_changed(self, start: datetime, end: datetime, page: int, page_size: int) -> Page:
        data = self.call("taobao.refunds.receive.get", {
            "fields": REFUND_FIELDS, "start_modified": beijing_text(start), "end_modified": beijing_text(end),
            "page_no": page, "page_size": min(page_size, self.max_page_size), "use_has_next": "true",
        })
        refunds = (data.get("refunds") or {}).get("refund") or []
        return Page([self.item(r) for r in refunds], bool(data.get("has_next")))

    def get_case(self, platform_case_id: str) -> CaseItem | None:
        try:
            data = self.call("taobao.refund.get", {"refund_id": platform_case_id, "fields": REFUND_FIELDS})
        except ApiError as exc:
            if exc.kind == NOT_FOUND:
                return None
            raise
        return self.item(data["refund"])

    def item(self, r: dict[str, Any]) -> CaseItem:
        timeout = (r.get("refund_remind_timeout") or {}).get("timeout", "")
        case_fields = {
            "platform_case_id": str(r["refund_id"]), "platform_order_id": str(r["tid"]),
            "platform_line_id": str(r.get("oid", "")), "status": r["status"], "kind": r.get("dispute_type", ""),
            "needs_return": "是" if r.get("has_good_return") else "否", "reason": r.get("reason", ""),
            "buyer_note": r.get("desc", ""), "requested_amount_fen": _amount(r.get("refund_fee")),
            "paid_fen": _amount(r.get("payment")), "requested_at": r.get("created", ""), "deadline_at": timeout,
            "return_tracking_no": r.get("sid", ""), "return_carrier": r.get("company_name", ""),
            "arbitration": str(r.get("cs_status", "")) if str(r.get("cs_status", "1")) != "1" else "",
            "goods_status": {"BUYER_NOT_RECEIVED": "买家未收到货", "BUYER_RECEIVED": "买家已收到货",
                             "BUYER_RETURNED_GOODS": "买家已退货"}.get(r.get("good_status", ""), ""),
            "product_title": r.get("title", ""), "sku_code": r.get("outer_id", ""),
            "platform_product_id": str(r.get("num_iid", "")),
        }
        line = {"platform_order_id": str(r["tid"]), "platform_line_id": str(r.get("oid", "")),
                "product_title": r.get("title", ""), "quantity": str(r.get("num", 1)),
                "platform_product_id": str(r.get("num_iid", "")), "sku_code": r.get("outer_id", ""),
                "paid_fen": _amount(r.get("payment")), "order_status": r.get("order_status", ""),
                "created_at": r.get("trade_created", ""), "paid_at": r.get("pay_time", ""),
                "shipped_at": r.get("consign_time", "")}
        return CaseItem(case_fields["platform_case_id"], case_fields["platform_order_id"],
                        from_beijing_text(r.get("modified", "")) or clock.now(), case_fields, [line], r,
                        quantity=int(r.get("num") or 1))

    # -- the order --

    order_method = "taobao.trade.fullinfo.get"

    def order_params(self, platform_order_id: str) -> dict[str, Any]:
        return {"tid": platform_order_id, "fields": TRADE_FIELDS}

    def order_lines(self, data: Any) -> list[dict[str, str]]:
        t = data["trade"]
        shared = {"platform_order_id": str(t["tid"]), "order_status": t.get("status", ""),
                  "created_at": t.get("created", ""), "paid_at": t.get("pay_time", ""),
                  "shipped_at": t.get("consign_time", ""), "completed_at": t.get("end_time", ""),
                  "buyer_nick": t.get("buyer_nick", ""), "freight_fen": _amount(t.get("post_fee")),
                  # As the export's 收货地址: the mapping splits it into province and city.
                  "address": " ".join(filter(None, (t.get(k, "") for k in (
                      "receiver_state", "receiver_city", "receiver_district", "receiver_address"))))}
        return [{**shared, "platform_line_id": str(o["oid"]), "product_title": o.get("title", ""),
                 "quantity": str(o.get("num", 1)), "platform_product_id": str(o.get("num_iid", "")),
                 "sku_code": o.get("outer_sku_id") or o.get("outer_iid", ""),
                 "sku_spec": o.get("sku_properties_name", ""), "unit_price_fen": _amount(o.get("price")),
                 "paid_fen": _amount(o.get("payment"))}
                for o in (t.get("orders") or {}).get("order") or []]

    # -- pushing --

    def refuse_reasons(self, refund_id: str) -> list[RefuseReason]:
        """The refuse reasons the platform offers for this refund (taobao.refund.refusereason.get)."""
        data = self.call("taobao.refund.refusereason.get", {"refund_id": refund_id,
                                                           "fields": "reason_id,reason_text,proof_required"})
        return [RefuseReason(str(r["reason_id"]), r.get("reason_text", ""), bool(r.get("proof_required")))
                for r in (data.get("reasons") or {}).get("reason") or []]

    def perform(self, action: str, item: CaseItem, kind: str, args: dict[str, Any],
                evidence: Sequence[EvidenceFile] = ()) -> None:
        method = self.action_methods.get(action)
        if method is None:
            raise ApiError(WEB_ONLY, "", "no API for this action")
        r = item.raw
        if action in ("refuse", "refuse_after_return") and r.get("operation_contraint") == "cannot_refuse":
            # The platform marks the refunds it forbids refusing (7天无理由, not shipped): do not even ask.
            raise ApiError(FORBIDDEN, "cannot_refuse", "the platform does not allow refusing this refund")
        version, phase = str(r.get("refund_version", "")), r.get("refund_phase", "aftersale")
        if method == "taobao.rp.refunds.agree":
            fee = int(round(float(r.get("refund_fee") or 0) * 100))
            params = {"refund_infos": f"{item.platform_case_id}|{fee}|{version}|{phase}"}
        elif method == "taobao.rp.returngoods.agree":
            params = {"refund_id": item.platform_case_id, "seller_address_id": args.get("return_address_id", ""),
                      "refund_version": version, "refund_phase": phase, "post_fee_bear_role": 0}
        else:
            reason = pick_refuse_reason(self.refuse_reasons(item.platform_case_id), args.get("reason_code", ""),
                                        REFUSE_REASON_WORDS)
            if (self.proof_with_every_refusal or reason.evidence_required) and not evidence:
                raise ApiError(EVIDENCE_REQUIRED, reason.code, f"{reason.text}: the platform wants a proof")
            params = {"refund_id": item.platform_case_id, "refuse_message": args.get("note") or reason.text,
                      "refund_version": version, "refund_phase": phase, "refuse_reason_id": reason.code}
            if evidence:
                # One image, uploaded as a file: the newest of the shop's photos of the case.
                params["refuse_proof"] = evidence[0]
        self.call(method, params)

    def refresh(self) -> Token:
        """TOP's OAuth refresh (`/token`, grant_type=refresh_token); answered without the envelope."""
        creds = self.credentials
        form = {"grant_type": "refresh_token", "client_id": creds.app_key, "client_secret": creds.app_secret,
                "refresh_token": creds.refresh_token}
        request = Request("POST", f"{self.base_url}/token", {}, urllib.parse.urlencode(form).encode(),
                          {"Content-Type": "application/x-www-form-urlencoded"})
        answer = self.transport.send(request, self.timeout).json()
        self.stats.calls += 1
        if "access_token" not in answer:
            self.stats.fail(AUTH_FAILED)
            raise ApiError(AUTH_FAILED, str(answer.get("error", "")), str(answer.get("error_description", "")))
        return Token(answer["access_token"], answer["refresh_token"],
                     clock.now() + timedelta(seconds=int(answer["expires_in"])))

    # -- TMC messages --

    def consume_messages(self, quantity: int = 100) -> list[tuple[str, str]]:
        """(message id, refund id) of the refund messages waiting in the app's TMC queue."""
        data = self.call("taobao.tmc.messages.consume", {"group_name": "default", "quantity": quantity})
        found = []
        for message in (data.get("messages") or {}).get("tmc_message") or []:
            if message.get("topic") in REFUND_TOPICS:
                content = json.loads(message.get("content") or "{}")
                if content.get("refund_id"):
                    found.append((str(message["id"]), str(content["refund_id"])))
        return found

    def confirm_messages(self, ids: list[str]) -> None:
        if ids:
            self.call("taobao.tmc.messages.confirm", {"group_name": "default", "s_message_ids": ",".join(ids)})


class TmallConnector(Connector):
    """天猫: Taobao's API, stricter about refusals (refuse_proof always)."""

    platform = "tmall"
    proof_with_every_refusal = True
