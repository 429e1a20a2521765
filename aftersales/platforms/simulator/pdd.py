"""拼多多 as the simulator plays it: /api/router (refund increments, detail, agree calls, token refresh).

Rules it enforces: the signature and token of every call; an update window of at most 30 minutes and
pages of at most 100 (page from 1) on pdd.refund.list.increment.get; the after-sale's `version` on
every write; no refuse method at all (the merchant refuses in the backend). Each change of a refund is
pushed to the receiver (拼多多消息服务, signed like a request).
"""

from __future__ import annotations

import json
import urllib.parse
from datetime import UTC, datetime, timedelta

from aftersales.platforms.connectors import pdd
from aftersales.platforms.connectors.base import Request, Response, beijing_text
from aftersales.platforms.simulator.core import SimCase, SimError, SimOrder, Simulator, order_times, yuan

STATUS = {"requested": 2, "rejected": 6, "awaiting_return": 7, "return_in_transit": 7, "return_received": 3,
          "refunding": 4, "fulfilling": 32, "awaiting_buyer_receipt": 18, "completed": 10, "closed": 11,
          "rejected_after_return": 6, "arbitration": 8}
TYPES = {"refund_only": 1, "partial_refund": 1, "price_protection": 1, "return_refund": 2, "exchange": 3,
         "reship": 4, "repair": 5}
ACTIONS = {"pdd.refund.returngoods.agree": "agree_return", "pdd.refund.exchange.shipping": "ship_replacement"}
#: Which message each change sends (拼多多消息服务's refund types).
PUSH_TYPES = {"created": "pdd_refund_RefundCreated", "agree_refund": "pdd_refund_RefundAgreeAgreement",
              "agree_return": "pdd_refund_RefundAgreeAgreement", "buyer_shipped": "pdd_refund_RefundBuyerReturnGoods",
              "refund": "pdd_refund_RefundSuccess", "closed": "pdd_refund_RefundClosed"}
ERRORS = {"token_expired": 10019, "auth_failed": 10035, "rate_limited": 70031, "conflict": 52101,
          "forbidden": 52102, "web_only": 52103, "not_found": 52104}


class PddSimulator(Simulator):
    platform = "pdd"
    window_limit = timedelta(minutes=30)

    def route(self, request: Request) -> Response:
        form = {k: v[0] for k, v in urllib.parse.parse_qs((request.body or b"").decode(), keep_blank_values=True).items()}
        if form.get("client_id") != self.app_key or form.get("sign") != pdd.sign(self.app_secret, form):
            raise SimError("auth_failed", "sign")
        method = form.get("type", "")
        self.calls.append(method)
        self.check_rate()
        if method == "pdd.pop.auth.token.refresh":
            access, refresh, seconds = self.refresh(form.get("refresh_token", ""))
            return self.ok(method, {"access_token": access, "refresh_token": refresh, "expires_in": seconds})
        self.check_token(form.get("access_token", ""))
        if method == "pdd.refund.list.increment.get":
            start = datetime.fromtimestamp(int(form["start_updated_at"]), UTC)
            end = datetime.fromtimestamp(int(form["end_updated_at"]), UTC)
            found = self.changed(start, end)
            chunk, _more = self.page_of(found, int(form.get("page", 1)), int(form.get("page_size", 10)))
            return self.ok(method, {"total_count": len(found), "refund_list": [self.render(c) for c in chunk]})
        if method == "pdd.refund.information.get":
            return self.ok(method, self.render(self.find(form.get("after_sales_id", ""))))
        if method == "pdd.order.information.get":
            return self.ok(method, {"order_info": self.render_order(self.find_order(form.get("order_sn", "")))})
        if method == "pdd.refund.agree" or method in ACTIONS:
            case = self.find(form.get("after_sales_id", ""))
            if int(form.get("version", -1)) != case.version:
                raise SimError("conflict", "售后单已更新")
            action = ACTIONS.get(method) or ("agree_refund" if case.status == "requested" else "refund")
            self.apply(case, action, return_address_id=form.get("return_address_id"),
                       tracking_no=form.get("tracking_number"))
            return self.ok(method, {"result": {"succ": True}})
        raise SimError("rejected", f"unknown method {method}")

    def render(self, case: SimCase) -> dict:
        return {
            "id": int(case.case_id), "order_sn": case.order_id, "after_sales_type": TYPES[case.kind],
            "after_sales_status": STATUS[case.status], "refund_amount": case.amount_fen,
            "order_amount": case.paid_fen, "goods_name": case.title, "goods_id": case.product_id,
            "sku_id": case.sku_code, "goods_number": case.quantity, "after_sales_reason": case.reason,
            "created_time": beijing_text(case.applied_at), "updated_time": beijing_text(case.updated_at),
            "expire_time": beijing_text(case.deadline_at) if case.status == "requested" else "",
            "tracking_number": case.return_tracking_no, "version": case.version,
            "order_status_text": "已发货，待签收" if case.shipped else "待发货",
            **order_times(case),
        }

    def render_order(self, order: SimOrder) -> dict:
        times = self.order_texts(order)
        return {
            "order_sn": order.order_id, "order_status": 2 if order.shipped else 1,
            "created_time": times["created"], "pay_time": times["paid"], "shipping_time": times["shipped"],
            "province": order.province, "city": order.city, "postage": yuan(order.freight_fen),
            "pay_amount": yuan(order.paid_fen),
            "item_list": [{"goods_id": line.product_id, "sku_id": line.sku_code, "goods_name": line.title,
                           "outer_id": line.sku_code, "goods_count": line.quantity,
                           "goods_price": yuan(line.paid_fen // max(line.quantity, 1)),
                           "goods_amount": yuan(line.paid_fen)} for line in order.lines],
        }

    def push_message(self, case: SimCase, event: str) -> tuple[dict[str, str], bytes] | None:
        """拼多多消息服务 to the receiver: the refund's id, signed like a request."""
        kind = PUSH_TYPES.get(event)
        if kind is None:
            return None
        message = {"client_id": self.app_key, "timestamp": str(int(self.now().timestamp())), "type": kind,
                   "content": json.dumps({"refund_id": int(case.case_id), "tid": case.order_id})}
        message["sign"] = pdd.sign(self.app_secret, message)
        return {"Content-Type": "application/json"}, json.dumps(message, ensure_ascii=False).encode()

    def ok(self, method: str, body: dict) -> Response:
        return self.json_response({pdd.RESPONSE_KEYS[method]: body})

    def error(self, exc: SimError) -> Response:
        return self.json_response({"error_response": {"error_code": ERRORS.get(exc.kind, 50001),
                                                      "error_msg": exc.message, "sub_msg": exc.message}})
