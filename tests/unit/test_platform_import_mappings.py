"""The mapping files: they load, they cover the platforms' real texts, and a merchant can edit them."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from aftersales.platforms.importing import (
    CASE_STATUSES,
    ImportFileError,
    load_mapping,
    parse_cases,
    parse_orders,
    resolve_platform,
)
from aftersales.platforms.importing.mapping import KINDS, PLATFORMS
from aftersales.platforms.importing.text import text_key
from tests.unit import platform_fixtures as fx

MAPPINGS = Path(__file__).resolve().parents[2] / "aftersales" / "platforms" / "mappings"

REAL_HEADINGS = {
    ("douyin", "orders"): fx.DOUYIN_ORDER_A,
    ("douyin", "cases"): fx.DOUYIN_CASES,
    ("taobao", "orders"): fx.TAOBAO_ORDERS,
    ("taobao", "cases"): fx.TAOBAO_REFUNDS,
    ("jd", "orders"): fx.JD_ORDERS,
    ("jd", "cases"): fx.JD_CASES,
    ("pdd", "orders"): fx.PDD_ORDERS,
    ("pdd", "cases"): fx.PDD_CASES,
}


@pytest.mark.parametrize(("platform", "kind"), [(p, k) for p in PLATFORMS for k in KINDS])
def test_every_mapping_loads_and_fits_the_real_headings(platform, kind):
    mapping = load_mapping(platform, kind)
    assert (mapping.platform, mapping.kind, mapping.file_name) == (platform, kind, f"{platform}_{kind}.toml")
    assert mapping.match(REAL_HEADINGS[platform, kind]).complete
    others = [k for k in REAL_HEADINGS if k != (platform, kind) and k[0] == platform]
    assert not any(mapping.match(REAL_HEADINGS[k]).complete for k in others)


def test_alternate_taobao_layouts_fit_the_taobao_mapping():
    orders = load_mapping("taobao", "orders")
    new_qianniu = fx._headings(
        "订单编号,支付单号,买家应付货款,买家应付邮费,总金额,买家实付金额,订单状态,收货地址,运送方式,订单创建时间,商品标题,"
        "宝贝种类,物流单号,物流公司,备注标签,商家备注,宝贝总数量,开票信息,手机订单,商品属性SKU,发货时间"
    )
    item_list = fx._headings(
        "子订单编号,主订单编号,标题,价格,购买数量,外部系统编号,商品属性,套餐信息,备注,订单状态,商家编码,支付单号,"
        "买家应付货款,买家实际支付金额,退款状态,退款金额,订单创建时间,订单付款时间"
    )
    for headings in (new_qianniu, item_list, fx.TAOBAO_DETAIL):
        assert orders.match(headings).complete


@pytest.mark.parametrize("platform", ["tmall", "天猫", "TMALL"])
def test_tmall_uses_the_taobao_mapping(platform):
    assert resolve_platform(platform) == ("tmall", "taobao")
    assert load_mapping(platform, "cases").platform == "taobao"


@pytest.mark.parametrize(
    ("name", "resolved"),
    [
        ("douyin", "douyin"),
        ("抖店", "douyin"),
        ("jd", "jd"),
        ("京东", "jd"),
        ("拼多多", "pdd"),
        ("PDD", "pdd"),
    ],
)
def test_platform_aliases(name, resolved):
    assert resolve_platform(name)[0] == resolved


# The values the research note saw in real files; each must map somewhere.
SEEN_STATUSES = {
    "douyin": ["同意退款，退款成功", "售后关闭", "换货成功", "待商家处理", "待商家收货", "待买家退货",
               "拒绝售后申请"],
    "taobao": ["买家已经申请退款，等待卖家同意", "卖家已经同意退款，等待买家退货",
               "买家已经退货，等待卖家确认收货", "卖家拒绝退款", "退款关闭", "退款成功", "WAIT_SELLER_AGREE",
               "SUCCESS"],
    "jd": ["待审核", "待客户反馈", "审核关闭", "待收货", "待处理", "待用户确认", "完成", "取消", "10041"],
    "pdd": ["待商家处理", "待商家收货", "待消费者发货", "平台处理中", "退款成功", "退款关闭", "换货/补寄成功",
            "换货/补寄关闭", "维修成功", "维修关闭", "10"],
}  # fmt: skip
SEEN_KINDS = {
    "douyin": ["退货退款", "未发货退款", "已发货退款", "换货", "0", "7"],
    "taobao": ["仅退款", "退货退款", "换货", "REFUND_AND_RETURN"],
    "jd": ["退货", "换货", "维修", "补发", "售前退款", "80"],
    "pdd": ["退款", "退款退货", "退货退款", "换货", "补寄", "维修"],
}
SEEN_ORDER_STATUSES = {
    "douyin": ["已完成", "已关闭"],
    "taobao": ["买家已付款，等待卖家发货", "卖家已发货，等待买家确认", "交易成功", "交易关闭"],
    "jd": ["等待出库", "(锁定)等待出库", "（删除）等待出库", "等待确认收货", "完成", "已取消"],
    "pdd": ["已发货，待收货", "已收货"],
}


@pytest.mark.parametrize("platform", PLATFORMS)
def test_the_texts_seen_in_real_exports_are_all_mapped(platform):
    cases, orders = load_mapping(platform, "cases"), load_mapping(platform, "orders")
    assert all(cases.lookup("case_status", s) in CASE_STATUSES for s in SEEN_STATUSES[platform])
    assert all(cases.lookup("case_kind", k) for k in SEEN_KINDS[platform])
    assert all(orders.lookup("order_status", s) for s in SEEN_ORDER_STATUSES[platform])


@pytest.mark.parametrize(
    ("platform", "text", "code"),
    [
        ("pdd", "七天无理由退货", "no_reason"),
        ("pdd", "质量问题", "quality_defect"),
        ("pdd", "商品描述不符", "not_as_described"),
        ("pdd", "发货履约原因", "late_delivery"),
        ("pdd", "少件", "missing_item"),
        ("pdd", "疑似假货", "not_as_described"),
        ("pdd", "其他原因", "other"),
        ("douyin", "多拍/拍错/不想要", "no_reason"),
        ("douyin", "尺码拍错", "size_fit"),
        ("douyin", "少件/漏发", "missing_item"),
        ("douyin", "商品破损/包装破损", "damaged_in_transit"),
        ("douyin", "发错货", "wrong_item"),
        ("douyin", "快递一直未送达", "not_received"),
        ("douyin", "未按约定时间发货", "late_delivery"),
        ("taobao", "7天无理由退换货", "no_reason"),
        ("taobao", "大小/尺寸与商品描述不符", "size_fit"),
        ("taobao", "颜色/款式与商品描述不符", "not_as_described"),
        ("taobao", "未收到货", "not_received"),
        ("jd", "空包裹", "missing_item"),
        ("jd", "想换个颜色", None),  # nothing matches: the parser records "other"
    ],
)
def test_reason_keywords(platform, text, code):
    mapping = load_mapping(platform, "cases")
    assert mapping.classify(text, mapping.reasons) == code


# ---- a merchant edits a mapping -----------------------------------------------------------------


def renamed_export() -> bytes:
    """Douyin renamed 选购商品 to 商品名称规格 (the kind of change a merchant must absorb)."""
    headings = ["商品名称规格" if h == "选购商品" else h for h in fx.DOUYIN_ORDER_A]
    rows = [
        {("商品名称规格" if k == "选购商品" else k): v for k, v in row.items()}
        for row in fx.DOUYIN_ORDER_ROWS
    ]
    return fx.csv_text(headings, rows).encode("utf-8-sig")


def test_a_renamed_column_is_fixed_by_editing_the_mapping_file(tmp_path):
    with pytest.raises(ImportFileError) as err:
        parse_orders("douyin", "订单.csv", renamed_export())
    assert err.value.code == "import.missing_columns"
    assert err.value.params["missing"] == ["选购商品"]

    own = tmp_path / "douyin_orders.toml"
    text = (MAPPINGS / "douyin_orders.toml").read_text(encoding="utf-8")
    own.write_text(
        text.replace('headings = ["选购商品", ', 'headings = ["选购商品", "商品名称规格", '), encoding="utf-8"
    )
    titles = [
        r.product_title for r in parse_orders("douyin", "订单.csv", renamed_export(), mappings_dir=tmp_path)
    ]
    assert titles[0] == "纯棉短袖T恤男夏季宽松圆领"


def test_an_edited_file_is_read_again(tmp_path):
    own = tmp_path / "pdd_cases.toml"
    shutil.copy(MAPPINGS / "pdd_cases.toml", own)
    assert load_mapping("pdd", "cases", tmp_path).lookup("case_status", "待平台审核") is None
    text = own.read_text(encoding="utf-8").replace(
        "[case_status]\n", '[case_status]\n"待平台审核" = "requested"\n'
    )
    own.write_text(text + "\n", encoding="utf-8")
    assert load_mapping("pdd", "cases", tmp_path).lookup("case_status", "待平台审核") == "requested"


@pytest.mark.parametrize(
    ("edit", "detail"),
    [
        (("quantity = {", "quantity_typo = {"), "quantity_typo"),
        (('"已完成" = "completed"', '"已完成" = "done"'), "done"),
        (('[order_status]', '[order_status'), "douyin_orders.toml"),
        (('platform = "douyin"', 'platform = "pdd"'), "file name"),
        (('[order_status]', 'extra = 1\n[order_status]'), "extra"),
        (('order_status = ["订单状态"]', 'order_status = { headings = ["订单状态"], combine = "sum" }'),
         "sum/abs"),
    ],
)  # fmt: skip
def test_a_broken_mapping_file_is_refused_clearly(tmp_path, edit, detail):
    text = (MAPPINGS / "douyin_orders.toml").read_text(encoding="utf-8")
    assert edit[0] in text
    (tmp_path / "douyin_orders.toml").write_text(text.replace(edit[0], edit[1], 1), encoding="utf-8")
    with pytest.raises(ImportFileError) as err:
        load_mapping("douyin", "orders", tmp_path)
    assert err.value.code == "import.mapping_invalid"
    assert detail in err.value.message_zh


@pytest.mark.parametrize(
    ("edit", "detail"),
    [
        (('order_summary = ["宝贝总数量"]', 'order_summary = ["订单编号"]'), "order_summary"),
        (('order_summary = ["宝贝总数量"]', 'order_summary = "宝贝总数量"'), "order_summary"),
    ],
)  # fmt: skip
def test_order_summary_headings_must_be_quantity_headings(tmp_path, edit, detail):
    assert load_mapping("taobao", "orders").order_summary == {"宝贝总数量"}
    assert load_mapping("douyin", "orders").order_summary == frozenset()
    text = (MAPPINGS / "taobao_orders.toml").read_text(encoding="utf-8")
    assert edit[0] in text
    (tmp_path / "taobao_orders.toml").write_text(text.replace(edit[0], edit[1], 1), encoding="utf-8")
    with pytest.raises(ImportFileError) as err:
        load_mapping("taobao", "orders", tmp_path)
    assert err.value.code == "import.mapping_invalid"
    assert detail in err.value.message_zh


def test_the_reading_layer_needs_no_django():
    code = (
        "import sys; from aftersales.platforms.importing import parse_orders; "
        "from tests.unit.platform_fixtures import pdd_orders_csv; "
        "assert len(list(parse_orders('pdd', 'a.csv', pdd_orders_csv()))) == 2; "
        "assert not [m for m in sys.modules if m.split('.')[0] == 'django'], 'django was imported'"
    )
    root = Path(__file__).resolve().parents[2]
    subprocess.run([sys.executable, "-c", code], cwd=root, check=True, env={"PATH": "/usr/bin:/bin"})


def test_the_newer_qianniu_and_refund_headings_are_all_known():
    """Research note 2c (the 千牛 xlsx's renamed headings, the 销售明细 sheet) and 2d (the newer refund xlsx)."""
    orders, cases = load_mapping("taobao", "orders"), load_mapping("taobao", "cases")
    read_as = {
        "买家实付金额": "paid_fen", "商品标题": "product_title", "商品属性SKU": "sku_spec", "子订单编号": "platform_line_id",
        "主订单编号": "platform_order_id", "商品价格": "unit_price_fen", "买家应付货款": "goods_fen",
        "退款状态": "aftersale_status",
    }  # fmt: skip
    for heading, name in read_as.items():
        assert orders.match([heading]).columns == {name: (0,)}, heading
    refunds = {
        "退款申请时间": "requested_at", "售后类型": "kind", "退款总额": "requested_amount_fen",
        "退给买家金额": "refund_amount_fen", "退给平台金额": "refund_discount_fen", "部分退款/全额退款": "refund_scope",
        "客服介入状态": "arbitration",
    }  # fmt: skip
    for heading, name in refunds.items():
        assert cases.match([heading]).columns == {name: (0,)}, heading
    assert cases.lookup("refund_scope", "全额退款") == "full" and cases.lookup("refund_scope", "部分退款") == "partial"
    assert text_key("无客服介入") not in cases.arbitration_active


def test_the_newer_refund_xlsx_reads_what_goes_to_the_buyer_and_to_the_platform():
    headings = ["订单编号", "退款编号", "退款申请时间", "售后类型", "退款总额", "退给买家金额", "退给平台金额", "退款状态",
                "客服介入状态", "部分退款/全额退款"]
    row = {"订单编号": "A1", "退款编号": "R1", "退款申请时间": "2026-05-22 08:00:00", "售后类型": "仅退款", "退款总额": "20.00",
           "退给买家金额": "18.00", "退给平台金额": "2.00", "退款状态": "买家已经申请退款，等待卖家同意",
           "客服介入状态": "无客服介入", "部分退款/全额退款": "部分退款"}
    (case,) = parse_cases("taobao", "退款.xlsx", fx.xlsx_bytes(headings, [row]))
    assert (case.kind, case.status, case.requested_amount_fen, case.refund_amount_fen, case.refund_discount_fen) == (
        "partial_refund", "requested", 2000, 1800, 200)
