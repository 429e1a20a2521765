"""Our four signing rules agree with the platforms' SDKs published on PyPI.

The expected values were computed once by the SDKs themselves, with the same inputs, and are kept
here as known answers (the SDKs are unmaintained and not installed with the project):

- 抖店: `doudian` 0.6, `DouDian._sign` (HMAC-SHA256, hex) and the push check of `DouDian.callback`
  (MD5 of app_key + body + secret);
- 京东: `jd-sdk` 1.1.1, `jd.api.base.sign`;
- 拼多多: `pdd-sdk` 1.0.8, `pdd_sdk.api.base.sign`;
- 淘宝 TOP: `alitop` 0.2, `top.api.base.sign` (a Python 2 module: run with its dict keys sorted and
  its MD5 fed UTF-8 bytes, which is what it does under Python 2).
"""

from __future__ import annotations

import urllib.parse

from aftersales.platforms.connectors import douyin, jd, pdd, taobao
from aftersales.platforms.connectors.base import Credentials, compact_json


def test_douyin_sign_matches_the_doudian_sdk():
    param_json = compact_json({"update_start_time": 1764806400, "update_end_time": 1764810000, "page": 0,
                               "size": 100, "order_by": ["update_time asc"]})
    assert param_json == ('{"order_by":["update_time asc"],"page":0,"size":100,'
                          '"update_end_time":1764810000,"update_start_time":1764806400}')
    assert douyin.sign("a1b2c3d4-secret", "7012345678901234567", "afterSale.List", param_json,
                       "2026-12-04 12:00:00") == "b77c061a6a88a9c4f0804e77dd225b30848d8abd98dcb26cf2bb35f7fae1032d"


def test_douyin_push_signature_matches_the_doudian_sdk():
    body = b'[{"tag":"200","msg_id":"1","data":"{\\"aftersale_id\\":\\"7000001\\"}"}]'
    assert douyin.push_sign("7012345678901234567", "a1b2c3d4-secret", body) == "cd1f95c32c2d1491a0897cab39e9496f"
    headers = {"app-id": "7012345678901234567", "event-sign": "cd1f95c32c2d1491a0897cab39e9496f"}
    assert douyin.Connector.pushed_case_ids("7012345678901234567", "a1b2c3d4-secret", headers, body) == ["7000001"]
    forged = {**headers, "event-sign": "0" * 32}
    assert douyin.Connector.pushed_case_ids("7012345678901234567", "a1b2c3d4-secret", forged, body) is None


def test_jd_sign_matches_the_jd_sdk():
    params = {"method": "jingdong.asc.query.list", "app_key": "JDAPPKEY01", "v": "2.0",
              "timestamp": "2026-12-04 12:00:00", "access_token": "jd-token-1",
              "360buy_param_json": '{"pageNumber":1,"pageSize":50,"updateTimeBegin":"2026-12-04 11:00:00",'
                                   '"updateTimeEnd":"2026-12-04 12:00:00"}'}
    assert jd.sign("jd-secret-9", params) == "C256A5F4159E0A5317C5EF9A3BF88F08"
    assert jd.sign("jd-secret-9", {**params, "sign": "ignored"}) == "C256A5F4159E0A5317C5EF9A3BF88F08"


def test_pdd_sign_matches_the_pdd_sdk():
    params = {"type": "pdd.refund.list.increment.get", "client_id": "pddclient01", "timestamp": "1764820800",
              "data_type": "JSON", "version": "V1", "access_token": "pdd-token-1", "start_updated_at": "1764819000",
              "end_updated_at": "1764820800", "page": "1", "page_size": "100", "after_sales_status": "1",
              "after_sales_type": "1"}
    assert pdd.sign("pdd-secret-7", params) == "6B75EB57D7C6FBFC64DE889C4AFADE20"


def test_taobao_sign_matches_the_top_sdk():
    params = {"method": "taobao.refunds.receive.get", "app_key": "12345678", "session": "tb-session-1",
              "timestamp": "2026-12-04 12:00:00", "format": "json", "v": "2.0", "sign_method": "md5",
              "fields": "refund_id,tid,status", "start_modified": "2026-12-04 11:00:00",
              "end_modified": "2026-12-04 12:00:00", "page_no": "1", "page_size": "100", "use_has_next": "true"}
    assert taobao.sign("tb-secret-3", params) == "425D684DBCB88DE040A3181C66DCEF14"


def test_requests_carry_a_signature_over_what_they_send_and_no_secret():
    creds = Credentials("key-1", "secret-1", "token-1")
    for module, method in ((taobao, "taobao.refund.get"), (pdd, "pdd.refund.information.get")):
        request = module.Connector("https://gw.example", creds).build_request(method, {"refund_id": "9"})
        form = dict(urllib.parse.parse_qsl(request.body.decode()))
        assert form["sign"] == module.sign("secret-1", form)
        assert "secret-1" not in request.body.decode() and "secret-1" not in str(request.params)
    request = jd.Connector("https://gw.example", creds).build_request("jingdong.asc.query.view", {"serviceId": 9})
    assert request.params["sign"] == jd.sign("secret-1", request.params)
    request = douyin.Connector("https://gw.example", creds).build_request("afterSale.Detail", {"after_sale_id": "9"})
    q = request.params
    assert q["sign"] == douyin.sign("secret-1", "key-1", "afterSale.Detail", q["param_json"], q["timestamp"])
    assert request.url == "https://gw.example/afterSale/Detail"
    assert "secret-1" not in repr(creds)


def test_taobao_upload_sends_the_proof_as_a_file_part_left_out_of_the_signature():
    from aftersales.platforms.connectors.base import EvidenceFile, Request
    from aftersales.platforms.simulator.taobao import read_form

    photo = EvidenceFile("proof.png", "image/png", b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    request = taobao.Connector("https://gw.example", Credentials("key-1", "secret-1", "token-1")).build_request(
        "taobao.refund.refuse", {"refund_id": "9", "refuse_message": "吊牌已剪", "refuse_proof": photo})
    assert request.headers["Content-Type"].startswith("multipart/form-data; boundary=")
    fields, files = read_form(Request("POST", request.url, {}, request.body, {"content-type": request.headers[
        "Content-Type"]}))
    assert files == {"refuse_proof": photo.data}  # the bytes themselves, not a base64 text
    assert "refuse_proof" not in fields and fields["refuse_message"] == "吊牌已剪"
    assert fields["sign"] == taobao.sign("secret-1", fields)  # over the text fields only
    assert b'filename="proof.png"' in request.body and b"Content-Type: image/png" in request.body
    assert b"secret-1" not in request.body


def test_tmall_has_its_own_connector_that_wants_a_proof_with_every_refusal():
    from aftersales.platforms.connectors import connector_for

    assert connector_for("tmall").proof_with_every_refusal is True
    assert connector_for("taobao").proof_with_every_refusal is False
    assert issubclass(connector_for("tmall"), connector_for("taobao"))
