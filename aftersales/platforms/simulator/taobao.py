"""淘宝/天猫 TOP as the simulator plays it: /router/rest (refunds, TMC) and /token.

Rules it enforces: the signature and session of every call; pages of at most 100 (page_no from 1);
`refund_version` must match on every write; a refusal is forbidden for a 7-day no-reason refund and
for goods not shipped (taobao.refund.refuse: the API marks them `operation_contraint=cannot_refuse`);
a refusal names a reason of taobao.refund.refusereason.get, with its proof image where the reason wants one
(天猫: with every refusal). The proof is a file part of a multipart/form-data request — a JPEG, PNG or GIF
of at most 5 MB — and, like every file, is not part of the signature; a proof sent as text is refused.
"""

from __future__ import annotations

import email.parser
import email.policy
import json
import urllib.parse

from aftersales.core.clock import SHANGHAI
from aftersales.platforms.connectors import taobao
from aftersales.platforms.connectors.base import Request, Response, beijing_text, from_beijing_text
from aftersales.platforms.simulator.core import SimCase, SimError, SimOrder, Simulator, order_times, yuan

STATUS = {"requested": "WAIT_SELLER_AGREE", "awaiting_return": "WAIT_BUYER_RETURN_GOODS",
          "return_in_transit": "WAIT_SELLER_CONFIRM_GOODS", "return_received": "WAIT_SELLER_CONFIRM_GOODS",
          "rejected": "SELLER_REFUSE_BUYER", "rejected_after_return": "SELLER_REFUSE_BUYER",
          "completed": "SUCCESS", "closed": "CLOSED", "refunding": "WAIT_SELLER_AGREE",
          "arbitration": "WAIT_SELLER_AGREE", "fulfilling": "WAIT_SELLER_AGREE",
          "awaiting_buyer_receipt": "WAIT_SELLER_AGREE"}
DISPUTE = {"refund_only": "REFUND", "partial_refund": "REFUND", "return_refund": "REFUND_AND_RETURN",
           "exchange": "TAOBAO_EXCHANGE", "repair": "REPAIR", "reship": "RESHIPPING", "price_protection": "REFUND"}
#: The simulator's taobao.refund.refusereason.get: id -> (text, whether a proof image is required).
REFUSE_REASONS = {
    101: ("商品已影响二次销售", True), 102: ("买家申请超过售后期限", False), 103: ("该商品不支持七天无理由退换", False),
    104: ("买家举证不足", False), 105: ("买家人为损坏", True), 106: ("买家重复申请", False),
    107: ("退回商品验货不通过", True), 199: ("其他", True),
}
ERRORS = {"token_expired": ("27", "Invalid session", ""), "auth_failed": ("25", "Invalid signature", ""),
          "rate_limited": ("7", "App Call Limited", ""),
          "forbidden": ("15", "Remote service error", "isv.refund-cannot-refuse"),
          "conflict": ("15", "Remote service error", "isv.refund-version-not-match"),
          "web_only": ("15", "Remote service error", "isv.refund-onweb"),
          "not_found": ("15", "Remote service error", "isv.refund-not-exist"),
          "evidence_required": ("15", "Remote service error", "isv.refund-proof-required")}
ACTIONS = {"taobao.rp.returngoods.agree": "agree_return", "taobao.refund.refuse": "refuse"}
TOPICS = {"created": "taobao_refund_RefundCreated", "agree_return": "taobao_refund_RefundSellerAgreeAgreement",
          "refuse": "taobao_refund_RefundSellerRefuseAgreement", "buyer_shipped": "taobao_refund_RefundBuyerReturnGoods",
          "agree_refund": "taobao_refund_RefundSuccess", "refund": "taobao_refund_RefundSuccess"}


class TaobaoSimulator(Simulator):
    platform = "taobao"

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.tmc: list[dict] = []
        self.refusals: list[dict] = []  # what each refusal named (the tests read it)

    #: 天猫 wants a proof with every refusal (see TmallSimulator).
    proof_with_every_refusal = False

    def route(self, request: Request) -> Response:
        form, files = read_form(request)
        if request.url.endswith("/token"):
            if form.get("client_id") != self.app_key or form.get("client_secret") != self.app_secret:
                return self.json_response({"error": "invalid_client", "error_description": "bad client"}, 401)
            try:
                access, refresh, seconds = self.refresh(form.get("refresh_token", ""))
            except SimError:
                return self.json_response({"error": "invalid_grant", "error_description": "refresh_token invalid"},
                                          400)
            return self.json_response({"access_token": access, "refresh_token": refresh, "expires_in": seconds})
        if form.get("app_key") != self.app_key or form.get("sign") != taobao.sign(self.app_secret, form,
                                                                                   form.get("sign_method", "md5")):
            raise SimError("auth_failed", "sign")
        method = form.get("method", "")
        self.calls.append(method)
        self.check_rate()
        self.check_token(form.get("session", ""))
        if method == "taobao.refunds.receive.get":
            start = from_beijing_text(form["start_modified"])
            end = from_beijing_text(form["end_modified"])
            chunk, more = self.page_of(self.changed(start, end), int(form.get("page_no", 1)),
                                       int(form.get("page_size", 40)))
            return self.ok(method, {"refunds": {"refund": [self.render(c) for c in chunk]}, "has_next": more})
        if method == "taobao.refund.get":
            return self.ok(method, {"refund": self.render(self.find(form.get("refund_id", "")))})
        if method == "taobao.trade.fullinfo.get":
            return self.ok(method, {"trade": self.render_trade(self.find_order(form.get("tid", "")))})
        if method == "taobao.rp.refunds.agree":
            refund_id, _fee, version, _phase = form.get("refund_infos", "").split("|")
            case = self.checked(refund_id, version)
            self.apply(case, "agree_refund" if case.status == "requested" else "refund")
            return self.ok(method, {"msg": "success", "succ": True})
        if method == "taobao.refund.refusereason.get":
            self.find(form.get("refund_id", ""))
            return self.ok(method, {"reasons": {"reason": [
                {"reason_id": code, "reason_text": text, "proof_required": proof}
                for code, (text, proof) in REFUSE_REASONS.items()]}})
        if method == "taobao.refund.refuse":
            found = REFUSE_REASONS.get(int(form.get("refuse_reason_id") or 0))
            if found is None:
                raise SimError("rejected", "refuse_reason_id not offered by taobao.refund.refusereason.get")
            if "refuse_proof" in form:
                raise SimError("rejected", "refuse_proof must be uploaded as a file")
            proof = files.get("refuse_proof")
            if (found[1] or self.proof_with_every_refusal) and proof is None:
                raise SimError("evidence_required", f"{found[0]}: 需上传拒绝凭证")
            if proof is not None and not is_image(proof):
                raise SimError("rejected", "refuse_proof: 图片格式不正确或超过5M")
            self.refusals.append({"refund_id": form.get("refund_id", ""), "reason_id": int(form["refuse_reason_id"]),
                                  "proof": proof is not None, "proof_bytes": proof or b""})
        if method in ACTIONS:
            case = self.checked(form.get("refund_id", ""), form.get("refund_version", ""))
            self.apply(case, ACTIONS[method], return_address_id=form.get("seller_address_id"))
            return self.ok(method, {"is_success": True})
        if method == "taobao.tmc.messages.consume":
            messages, self.tmc = self.tmc[:int(form.get("quantity", 100))], self.tmc[int(form.get("quantity", 100)):]
            return self.ok(method, {"messages": {"tmc_message": messages}})
        if method == "taobao.tmc.messages.confirm":
            return self.ok(method, {"is_success": True})
        raise SimError("rejected", f"unknown method {method}")

    def checked(self, refund_id: str, version: str) -> SimCase:
        case = self.find(refund_id)
        if str(case.version) != version:
            raise SimError("conflict", "refund_version does not match")
        return case

    def check_rules(self, case: SimCase, action: str, args: dict) -> None:
        if action in ("refuse", "refuse_after_return") and (case.no_reason_7day or not case.shipped):
            raise SimError("forbidden", "7天无理由退货或未发货的退款不能拒绝")

    def render(self, case: SimCase) -> dict:
        return {
            "refund_id": case.case_id, "tid": case.order_id, "oid": case.line_id, "status": STATUS[case.status],
            "dispute_type": DISPUTE[case.kind], "refund_fee": f"{case.amount_fen / 100:.2f}",
            "payment": f"{case.paid_fen / 100:.2f}", "created": beijing_text(case.applied_at),
            "modified": beijing_text(case.updated_at), "reason": case.reason, "desc": case.note, "title": case.title,
            "num": case.quantity, "num_iid": case.product_id, "outer_id": case.sku_code,
            "has_good_return": case.kind in ("return_refund", "exchange", "repair"),
            "good_status": "BUYER_RECEIVED" if case.shipped else "BUYER_NOT_RECEIVED",
            "refund_version": case.version, "refund_phase": "aftersale", "cs_status": 1,
            "refund_remind_timeout": {"timeout": beijing_text(case.deadline_at), "exist_timeout": True},
            "operation_contraint": "cannot_refuse" if (case.no_reason_7day or not case.shipped) else "",
            "company_name": case.return_carrier, "sid": case.return_tracking_no,
            "order_status": "WAIT_BUYER_CONFIRM_GOODS" if case.shipped else "WAIT_SELLER_SEND_GOODS",
            **order_times(case),
        }

    def render_trade(self, order: SimOrder) -> dict:
        times = self.order_texts(order)
        return {
            "tid": order.order_id, "status": "WAIT_BUYER_CONFIRM_GOODS" if order.shipped else "WAIT_SELLER_SEND_GOODS",
            "created": times["created"], "pay_time": times["paid"], "consign_time": times["shipped"],
            "buyer_nick": order.buyer_nick, "receiver_state": order.province, "receiver_city": order.city,
            "receiver_district": "南山区", "receiver_address": "科技园路1号",
            "post_fee": yuan(order.freight_fen), "payment": yuan(order.paid_fen),
            "orders": {"order": [{"oid": line.line_id, "title": line.title, "num": line.quantity,
                                  "num_iid": line.product_id, "outer_sku_id": line.sku_code,
                                  "price": yuan(line.paid_fen // max(line.quantity, 1)), "payment": yuan(line.paid_fen)}
                                 for line in order.lines]},
        }

    def ok(self, method: str, body: dict) -> Response:
        return self.json_response({taobao.response_key(method): body})

    def error(self, exc: SimError) -> Response:
        code, msg, sub = ERRORS.get(exc.kind, ("15", "Remote service error", f"isv.{exc.kind}"))
        return self.json_response({"error_response": {"code": int(code), "msg": msg, "sub_code": sub,
                                                      "sub_msg": exc.message}})

    def push_message(self, case: SimCase, event: str):
        topic = TOPICS.get(event)
        if topic is not None:
            self.tmc.append({"id": f"{case.case_id}{case.version:04d}", "topic": topic,
                             "pub_time": case.updated_at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S"),
                             "content": json.dumps({"refund_id": case.case_id, "tid": case.order_id})})
        return None


class TmallSimulator(TaobaoSimulator):
    """天猫: the same API; a refusal without a proof image is refused whatever its reason."""

    platform = "tmall"
    proof_with_every_refusal = True


#: A proof image's first bytes (JPEG, PNG, GIF) and its size limit.
IMAGE_MAGIC = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF87a", b"GIF89a")
PROOF_LIMIT = 5 * 1024 * 1024


def is_image(data: bytes) -> bool:
    return 0 < len(data) <= PROOF_LIMIT and data.startswith(IMAGE_MAGIC)


def read_form(request: Request) -> tuple[dict[str, str], dict[str, bytes]]:
    """(text fields, files) of a TOP request: form-encoded, or multipart/form-data when it uploads files."""
    body = request.body or b""
    # Header names as sent over HTTP vary in case (urllib writes "Content-type").
    content_type = next((v for k, v in request.headers.items() if k.lower() == "content-type"), "")
    if not content_type.startswith("multipart/form-data"):
        pairs = urllib.parse.parse_qs(body.decode(), keep_blank_values=True)
        return {k: v[0] for k, v in pairs.items()}, {}
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + body)
    fields: dict[str, str] = {}
    files: dict[str, bytes] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        data = part.get_payload(decode=True) or b""
        if part.get_filename() is not None:
            files[name] = data
        else:
            fields[name] = data.decode(part.get_content_charset() or "utf-8")
    return fields, files
