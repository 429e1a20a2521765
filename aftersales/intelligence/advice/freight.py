"""What one parcel costs the shop, by carrier and province: the default table. Pure.

Contract prices of the big carriers for a parcel of up to about 1 kg between provinces (首重), as a
merchant with modest volume pays them; remote provinces add a surcharge. The shop's own estimate of
a return parcel (analytics settings, 退货运费估算) stands in for a carrier the table does not know.
"""

from __future__ import annotations

#: Carrier name as written in exports and tracking pages (lower-cased, any of the spellings) → fen.
CARRIER_FEN: dict[str, int] = {
    "顺丰": 2200, "sf": 2200, "sf express": 2200, "shunfeng": 2200,
    "京东": 1800, "jd": 1800, "京东物流": 1800, "jdl": 1800,
    "ems": 1800, "邮政": 1200, "中国邮政": 1200, "邮政快递包裹": 1200,
    "中通": 1000, "zto": 1000, "圆通": 1000, "yto": 1000, "申通": 1000, "sto": 1000,
    "韵达": 1000, "yunda": 1000, "极兔": 900, "j&t": 900, "jt": 900, "百世": 1000, "德邦": 1500,
}
#: Provinces far from the warehouses most shops ship from (偏远地区) and what they add, in fen.
REMOTE_SURCHARGE_FEN: dict[str, int] = {
    "新疆": 1500, "西藏": 1500, "青海": 800, "内蒙古": 500, "甘肃": 500, "宁夏": 500, "海南": 300,
}


def carrier_fen(carrier: str, default_fen: int) -> int:
    """The table's price for `carrier`, or `default_fen` when the carrier is unknown or not given."""
    name = (carrier or "").strip().lower()
    if not name:
        return default_fen
    if name in CARRIER_FEN:
        return CARRIER_FEN[name]
    for known, fen in CARRIER_FEN.items():  # "顺丰速运", "中通快递", "圆通速递"
        if len(known) >= 2 and not known.isascii() and name.startswith(known):
            return fen
    return default_fen


def province_surcharge_fen(province: str) -> int:
    """A remote province's surcharge ("新疆维吾尔自治区" → 新疆); 0 elsewhere or when unknown."""
    name = (province or "").strip()
    return next((fen for key, fen in REMOTE_SURCHARGE_FEN.items() if name.startswith(key)), 0)


def parcel_fen(carrier: str, province: str, default_fen: int) -> int:
    """One parcel between the shop and a buyer in `province` with `carrier`."""
    return carrier_fen(carrier, default_fen) + province_surcharge_fen(province)
