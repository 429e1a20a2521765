"""What the demo shop sells and who buys from it: realistic, Chinese, and varied enough that every
kind of case and every analytics view has something to show."""

CATEGORIES = [
    # name, law category, inspection checklist
    ("女装", "apparel", ["tags_intact", "not_washed", "not_used"]),
    ("男鞋", "shoes", ["tags_intact", "not_used"]),
    ("箱包", "bags", ["tags_intact", "not_used", "accessories_complete"]),
    ("美妆护肤", "cosmetics", ["seal_intact"]),
    ("休闲零食", "food", ["seal_intact"]),
    ("数码配件", "electronics", ["not_activated", "accessories_complete", "not_used"]),
    ("家纺", "textiles", ["tags_intact", "not_washed"]),
    ("生鲜水果", "fresh", []),
    ("定制礼品", "custom_made", []),
]

PRODUCTS = [
    # category, title, [(sku code, spec, price in fen)]
    (
        "女装",
        "法式碎花连衣裙 夏季收腰显瘦",
        [
            ("QZ-1001-S", "S 碎花蓝", 15900),
            ("QZ-1001-M", "M 碎花蓝", 15900),
            ("QZ-1001-L", "L 碎花蓝", 15900),
        ],
    ),
    (
        "女装",
        "高腰阔腿牛仔裤 垂感直筒",
        [("NZ-2002-26", "26码 浅蓝", 12900), ("NZ-2002-28", "28码 浅蓝", 12900)],
    ),
    ("女装", "羊毛混纺双面呢大衣", [("DY-3003-M", "M 驼色", 59900), ("DY-3003-L", "L 驼色", 59900)]),
    (
        "男鞋",
        "透气飞织运动鞋 男款",
        [
            ("XZ-4004-41", "41码 黑白", 23900),
            ("XZ-4004-42", "42码 黑白", 23900),
            ("XZ-4004-43", "43码 黑白", 23900),
        ],
    ),
    ("箱包", "真皮通勤托特包 大容量", [("BB-5005-BK", "黑色", 39900)]),
    ("美妆护肤", "玻尿酸补水精华液 30ml", [("MZ-6006-30", "30ml", 16800)]),
    ("美妆护肤", "氨基酸洁面乳 120g", [("MZ-6007-120", "120g", 6900)]),
    ("休闲零食", "每日坚果礼盒 30包", [("LS-7007-30", "30包装", 8990)]),
    ("数码配件", "65W 氮化镓快充充电器", [("SM-8008-65", "白色 65W", 12900)]),
    ("数码配件", "主动降噪蓝牙耳机", [("SM-8009-BK", "曜石黑", 29900), ("SM-8009-WH", "珍珠白", 29900)]),
    ("家纺", "60支长绒棉四件套", [("JF-9009-18", "1.8m床 米白", 45900)]),
    ("生鲜水果", "赣南脐橙 5斤装", [("SX-1010-5", "5斤 中果", 3990)]),
    ("定制礼品", "刻字保温杯 定制", [("DZ-1111-500", "500ml 刻字", 9900)]),
]

PROVINCES = [
    ("广东省", "广州市"),
    ("广东省", "深圳市"),
    ("浙江省", "杭州市"),
    ("江苏省", "南京市"),
    ("江苏省", "苏州市"),
    ("上海市", "上海市"),
    ("北京市", "北京市"),
    ("四川省", "成都市"),
    ("湖北省", "武汉市"),
    ("山东省", "青岛市"),
    ("河南省", "郑州市"),
    ("福建省", "厦门市"),
    ("湖南省", "长沙市"),
    ("陕西省", "西安市"),
    ("重庆市", "重庆市"),
]

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
GIVEN = [
    "晓明",
    "丽娜",
    "静",
    "伟",
    "芳",
    "婷婷",
    "浩然",
    "子涵",
    "雨欣",
    "俊杰",
    "思远",
    "佳怡",
    "梓萱",
    "一鸣",
]

PLATFORMS = [("douyin", 40), ("taobao", 20), ("tmall", 10), ("jd", 15), ("pdd", 10), ("own", 5)]
CHANNELS = [("live_stream", 35), ("short_video", 25), ("search", 20), ("shop_page", 15), ("other", 5)]
AUTHORS = [
    ("DR10086", "穿搭小鹿"),
    ("DR20417", "数码老张"),
    ("DR30991", "美妆阿May"),
    ("LIVE-0618", "店铺自播间"),
]
CARRIERS = ["顺丰速运", "中通快递", "圆通速递", "韵达快递", "京东物流", "极兔速递"]

# Units on hand per SKU for exchanges (the rest: 40). A few sizes run low or out, as in any shop.
STOCK = {"QZ-1001-L": 2, "NZ-2002-28": 1, "DY-3003-L": 0, "XZ-4004-43": 0, "SM-8009-WH": 3}
DEFAULT_STOCK = 40

# The kinds of goods a complaint can be about (law categories); None: any goods.
WEARABLE = ("apparel", "shoes")
HAS_COLOURS = ("apparel", "shoes", "bags", "electronics", "textiles")
SEWN = ("apparel", "shoes", "bags", "textiles")
NON_EXEMPT = ("apparel", "shoes", "bags", "cosmetics", "food", "electronics", "textiles")

# (reason, kind, what the buyer wrote, the goods it is said of): a size complaint is about clothes or
# shoes, never headphones.
REQUESTS = [
    ("size_fit", "return_refund", "尺码偏小，穿不上，想退货", WEARABLE),
    ("size_fit", "exchange", "小了一码，麻烦换大一码", WEARABLE),
    ("no_reason", "return_refund", "不喜欢，七天无理由退货", NON_EXEMPT),
    ("no_reason", "refund_only", "拍错了，还没发货的话直接退款吧", None),
    ("not_as_described", "return_refund", "颜色和直播间看到的差太多了，色差严重", HAS_COLOURS + ("cosmetics",)),
    ("quality_defect", "return_refund", "收到就开线了，质量太差", SEWN),
    ("quality_defect", "repair", "用了没几天就没反应了，能修吗", ("electronics",)),
    ("wrong_item", "exchange", "发错货了，我买的颜色不是这个", HAS_COLOURS),
    ("missing_item", "reship", "少发了一件，包裹里只有一件", None),
    ("damaged_in_transit", "partial_refund", "外包装压坏了，东西有点变形，给点补偿就不退了", None),
    ("not_received", "refund_only", "物流三天没更新了，到底什么时候到？再不到我就投诉了", None),
    ("late_delivery", "refund_only", "说好48小时发货，一周了还没发，不要了", None),
    ("quality_defect", "return_refund", "用了一次就坏了，假货吧？不处理我就去12315投诉，给差评",
     ("electronics", "cosmetics", "bags", "shoes")),
]

#: Buyers often pick 七天无理由 for speed while their words describe a fault: every other buyer who writes
#: one of these picks it (chosen by the order's number, not drawn, so the rest of the demo stays as it
#: is), and the inbox and the case page show their words reading otherwise.
PICKED_NO_REASON_INSTEAD = ("收到就开线了，质量太差",)

RETURN_ADDRESSES = [
    # warehouse, contact, phone, province, city, district, street, postcode, default for (platform, category),
    # the platform address ids (the connected demo stores know "1001")
    ("杭州主仓", "仓管 老陈", "0571-88886666", "浙江省", "杭州市", "余杭区", "仓前街道良睦路 1399 号 3 号库", "311121",
     ("", None), {"douyin": "1001", "taobao": "1001", "jd": "1001", "pdd": "1001"}),
    ("广州数码仓", "售后 阿强", "13922223333", "广东省", "广州市", "白云区", "太和镇大源北路 88 号 B 栋", "510540",
     ("", "数码配件"), {}),
]
