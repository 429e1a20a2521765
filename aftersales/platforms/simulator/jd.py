"""京东 JOS ASC as the simulator plays it: /routerjson (service orders) with token refresh.

Rules it enforces: the signature and token of every call; pages of at most 50 (pageNumber from 1);
an update window of at most 7 days; the service order's `version` on every write. Each change of a
service order is pushed to the receiver (JOS 消息推送, signed like a request).
"""

from __future__ import annotations

import json
from datetime import timedelta

from aftersales.platforms.connectors import jd
from aftersales.platforms.connectors.base import Request, Response, beijing_text, from_beijing_text
from aftersales.platforms.simulator.core import SimCase, SimError, SimOrder, Simulator, order_times, yuan

STATUS = {"requested": 10001, "rejected": 10004, "awaiting_return": 10005, "return_in_transit": 10005,
          "return_received": 10007, "refunding": 10041, "fulfilling": 12000, "awaiting_buyer_receipt": 10009,
          "completed": 10010, "closed": 10011, "rejected_after_return": 10004, "arbitration": 10001}
EXPECT = {"refund_only": 11, "partial_refund": 90, "return_refund": 10, "exchange": 20, "repair": 30, "reship": 80,
          "price_protection": 11}
ACTIONS = {"jingdong.asc.audit.compensate": "agree_refund", "jingdong.asc.audit.send": "agree_return",
           "jingdong.asc.audit.refuse": "refuse", "jingdong.asc.receive.register": "confirm_receipt",
           "jingdong.asc.process.renew": "ship_replacement"}
SYSTEM_ERRORS = {"token_expired": "19", "auth_failed": "14", "rate_limited": "67"}
BUSINESS_ERRORS = {"conflict": "ASC_VERSION", "forbidden": "ASC_FORBIDDEN", "web_only": "ASC_WEB_ONLY",
                   "not_found": "ASC_NOT_FOUND"}


class JdSimulator(Simulator):
    platform = "jd"
    page_limit = 50
    window_limit = timedelta(days=7)

    _method = ""

    def route(self, request: Request) -> Response:
        self._method = ""
        params = dict(request.params)
        if params.get("app_key") != self.app_key or params.get("sign") != jd.sign(self.app_secret, params):
            raise SimError("auth_failed", "sign")
        method = self._method = params.get("method", "")
        self.calls.append(method)
        self.check_rate()
        body = json.loads(params.get("360buy_param_json") or "{}")
        if method == "jingdong.pop.oauth.token.refresh":
            access, refresh, seconds = self.refresh(body.get("refresh_token", ""))
            return self.ok(method, {"access_token": access, "refresh_token": refresh, "expires_in": seconds})
        self.check_token(params.get("access_token", ""))
        if method == "jingdong.asc.query.list":
            found = self.changed(from_beijing_text(body["updateTimeBegin"]), from_beijing_text(body["updateTimeEnd"]))
            chunk, _more = self.page_of(found, int(body.get("pageNumber", 1)), int(body.get("pageSize", 10)))
            return self.ok(method, {"success": True, "data": [self.render(c) for c in chunk],
                                    "totalCount": len(found), "pageNumber": body.get("pageNumber", 1)})
        if method == "jingdong.asc.query.view":
            return self.ok(method, {"success": True, "data": self.render(self.find(str(body.get("serviceId"))))})
        if method == "jingdong.pop.order.get":
            order = self.find_order(str(body.get("order_id", "")))
            return self.ok(method, {"orderDetailInfo": {"orderInfo": self.render_order(order)}})
        if method in ACTIONS:
            case = self.find(str(body.get("serviceId")))
            if int(body.get("version", -1)) != case.version:
                raise SimError("conflict", "服务单已变更，请刷新")
            self.apply(case, ACTIONS[method], return_address_id=body.get("returnAddressId"),
                       tracking_no=body.get("expressCode"))
            return self.ok(method, {"success": True})
        raise SimError("rejected", f"unknown method {method}")

    def render(self, case: SimCase) -> dict:
        return {
            "serviceId": int(case.case_id), "orderId": int(case.order_id), "customerExpect": EXPECT[case.kind],
            # 12000 上门维修中 is a repair's; an exchange being sent stays at 10007 待处理 (§2).
            "serviceStatus": 10007 if case.status == "fulfilling" and case.kind != "repair" else STATUS[case.status],
            "questionDesc": case.reason, "applyDesc": case.note,
            "applyRefundFen": case.amount_fen, "paidFen": case.paid_fen, "applyTime": beijing_text(case.applied_at),
            "updateDate": beijing_text(case.updated_at), "expireTime": beijing_text(case.deadline_at),
            "expressCode": case.return_tracking_no, "expressCompany": case.return_carrier, "wareName": case.title,
            "skuId": int(case.product_id.lstrip("P") or 0), "skuNum": case.quantity, "version": case.version,
            "orderStatus": "WAIT_GOODS_RECEIVE_CONFIRM" if case.shipped else "WAIT_SELLER_STOCK_OUT",
            **order_times(case),
        }

    def render_order(self, order: SimOrder) -> dict:
        times = self.order_texts(order)
        return {
            "orderId": int(order.order_id),
            "orderState": "WAIT_GOODS_RECEIVE_CONFIRM" if order.shipped else "WAIT_SELLER_STOCK_OUT",
            "orderStartTime": times["created"], "paymentConfirmTime": times["paid"], "shipTime": times["shipped"],
            "pin": order.buyer_nick, "consigneeInfo": {"province": order.province, "city": order.city, "county": "南山区",
                                                      "fullAddress": "科技园路1号"},
            "freightPrice": yuan(order.freight_fen), "orderPayment": yuan(order.paid_fen),
            "itemInfoList": [{"skuId": int(line.product_id.lstrip("P") or 0), "skuName": line.title,
                              "outerSkuId": line.sku_code, "itemTotal": line.quantity,
                              "jdPrice": yuan(line.paid_fen // max(line.quantity, 1)), "payPrice": yuan(line.paid_fen)}
                             for line in order.lines],
        }

    def push_message(self, case: SimCase, event: str) -> tuple[dict[str, str], bytes] | None:
        """JOS 消息推送 to the receiver: the service order's id, signed like a request."""
        topic = "jingdong_asc_ServiceCreated" if event == "created" else "jingdong_asc_ServiceStatusChanged"
        message = {"app_key": self.app_key, "timestamp": beijing_text(self.now()), "topic": topic,
                   "content": json.dumps({"serviceId": int(case.case_id), "orderId": int(case.order_id),
                                          "serviceStatus": STATUS[case.status]})}
        message["sign"] = jd.sign(self.app_secret, message)
        return {"Content-Type": "application/json"}, json.dumps(message, ensure_ascii=False).encode()

    def ok(self, method: str, result: dict) -> Response:
        return self.json_response({jd.response_key(method): {"code": "0", "result": result}})

    def error(self, exc: SimError) -> Response:
        if exc.kind in SYSTEM_ERRORS or exc.kind.startswith("bad_") or not self._method:
            return self.json_response({"error_response": {"code": SYSTEM_ERRORS.get(exc.kind, "61"),
                                                          "zh_desc": exc.message, "en_desc": exc.message}})
        # A refused business call: the call's own body says success=false with its errorCode.
        return self.json_response({jd.response_key(self._method): {"code": "0", "result": {
            "success": False, "errorCode": BUSINESS_ERRORS.get(exc.kind, "ASC_REJECTED"), "errorMsg": exc.message}}})
