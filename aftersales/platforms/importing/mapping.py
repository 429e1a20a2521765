"""Mapping files: which heading holds which canonical field, and what the platform's texts mean.

One TOML file per platform and kind lives in `aftersales/platforms/mappings/`. A merchant whose
platform renamed a column adds the new heading to the list; nothing in the code changes. A directory
passed as `mappings_dir` overrides the packaged files of the same name. Every file is checked when
loaded, so a typo gives a clear error instead of a silently empty column. See README.md there.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from aftersales.platforms.importing.records import (
    CASE_KINDS,
    CASE_STATUSES,
    CHANNELS,
    ORDER_STATUSES,
    REASONS,
    ImportFileError,
)
from aftersales.platforms.importing.text import text_key

KINDS = ("orders", "cases")
PLATFORMS = ("douyin", "taobao", "jd", "pdd")

# Names a caller may use for a platform -> (the platform recorded, the mapping file's platform).
# Taobao and Tmall share one export format; the record keeps which one the shop is.
PLATFORM_ALIASES: dict[str, tuple[str, str]] = {
    **{n: ("douyin", "douyin") for n in ("douyin", "doudian", "抖店", "抖音")},
    **{n: ("taobao", "taobao") for n in ("taobao", "淘宝", "千牛")},
    **{n: ("tmall", "taobao") for n in ("tmall", "天猫")},
    **{n: ("jd", "jd") for n in ("jd", "jingdong", "京东", "京麦")},
    **{n: ("pdd", "pdd") for n in ("pdd", "pinduoduo", "拼多多")},
}

# Canonical fields and how their cells are parsed. The mapping files may only use these names.
ORDER_FIELDS: dict[str, str] = {
    "platform_order_id": "id",
    "platform_line_id": "id",
    "platform_product_id": "id",
    "platform_sku_id": "id",
    "product_title": "text",
    "sku_code": "text",
    "sku_spec": "text",
    "quantity": "quantity",
    "unit_price_fen": "amount",
    "goods_fen": "amount",
    "paid_fen": "amount",
    "freight_fen": "amount",
    # 满X包邮: the threshold the order reached and the outbound freight it waived (a shop's own column).
    "free_shipping_threshold_fen": "amount",
    "waived_freight_fen": "amount",
    "discount_fen": "amount",
    "order_status": "text",
    "aftersale_status": "text",
    "created_at": "datetime",
    "paid_at": "datetime",
    "shipped_at": "datetime",
    "completed_at": "datetime",
    "buyer_name": "text",
    "buyer_phone": "phone",
    "buyer_nick": "text",
    "province": "text",
    "city": "text",
    "district": "text",
    "street": "text",
    "address": "text",
    "tracking_no": "id",
    "carrier": "text",
    "logistics_info": "text",
    "channel": "text",
    "live_room": "text",
    "content_id": "id",
    "author": "text",
    "buyer_note": "text",
    "merchant_note": "text",
}
CASE_FIELDS: dict[str, str] = {
    "platform_case_id": "id",
    "platform_order_id": "id",
    "platform_line_id": "id",
    "kind": "text",
    "status": "text",
    "reason": "text",
    "buyer_note": "text",
    "requested_amount_fen": "amount",
    "refund_amount_fen": "amount",
    "paid_fen": "amount",
    "refund_freight_fen": "amount",
    "refund_discount_fen": "amount",
    "requested_at": "datetime",
    "deadline_at": "datetime",
    "agreed_at": "datetime",
    "return_shipped_at": "datetime",
    "refunded_at": "datetime",
    "closed_at": "datetime",
    "return_tracking_no": "id",
    "return_carrier": "text",
    "return_logistics_status": "text",
    "tracking_no": "id",
    "goods_status": "text",
    "arbitration": "text",
    "refund_method": "text",
    "needs_return": "text",
    "refund_scope": "text",
    "product_title": "text",
    "sku_code": "text",
    "sku_spec": "text",
    "platform_product_id": "id",
    "platform_sku_id": "id",
    "quantity": "quantity",
    "buyer_nick": "text",
    "merchant_note": "text",
}
FIELDS_BY_KIND = {"orders": ORDER_FIELDS, "cases": CASE_FIELDS}
# Fields without which a record cannot be built; each mapping must name headings for them.
ESSENTIAL = {
    "orders": ("platform_order_id", "product_title", "quantity"),
    "cases": ("platform_case_id", "platform_order_id", "status"),
}
# Value tables: name -> allowed canonical values.
VALUE_TABLES: dict[str, tuple[str, ...]] = {
    "order_status": ORDER_STATUSES,
    "case_kind": CASE_KINDS,
    "case_status": CASE_STATUSES,
    # A platform status that also covers a later step of ours (京东 10007 待处理: the return received,
    # or the exchange being fulfilled): a case already at that step stays there.
    "case_status_also": CASE_STATUSES,
    "needs_return": CASE_KINDS,
    "refund_scope": ("partial", "full"),
}
COMBINE = ("first", "sum", "join")


@dataclass(frozen=True, slots=True)
class FieldSpec:
    name: str
    headings: tuple[str, ...]
    keys: tuple[str, ...]
    parser: str
    required: bool = False
    #: first = the first heading (in the listed order) with a value; sum = add amounts; join = "a / b".
    combine: str = "first"
    #: For amounts: "error" refuses a negative value, "abs" keeps its size (退支付优惠 may be -5.00).
    negative: str = "error"


@dataclass(frozen=True, slots=True)
class HeaderMatch:
    """How one candidate row of a file lines up with a mapping."""

    columns: dict[str, tuple[int, ...]]
    missing_required: tuple[str, ...]

    @property
    def score(self) -> int:
        return len(self.columns)

    @property
    def complete(self) -> bool:
        return not self.missing_required


@dataclass(frozen=True)
class Mapping:
    """One platform's export of one kind, as its mapping file describes it (see mappings/README.md)."""

    platform: str
    kind: str
    name_zh: str
    name_en: str
    file_name: str
    fields: dict[str, FieldSpec]
    values: dict[str, dict[str, str]]
    arbitration_active: frozenset[str]
    reasons: tuple[tuple[str, tuple[str, ...]], ...]
    channels: tuple[tuple[str, tuple[str, ...]], ...]
    truthy: frozenset[str]
    #: Orders: keys of the quantity headings that count all the items of an order (千牛 订单报表's
    #: 宝贝总数量). A row read through one sums up its whole order (see parse.build_order).
    order_summary: frozenset[str] = frozenset()
    _known_keys: frozenset[str] = field(repr=False, default=frozenset())

    def match(self, cells: Sequence[str]) -> HeaderMatch:
        """Line up a row of cells with this mapping's headings (by name, never by position)."""
        first_at: dict[str, int] = {}
        for index, cell in enumerate(cells):
            key = text_key(cell)
            if key and key in self._known_keys:
                first_at.setdefault(key, index)
        columns: dict[str, tuple[int, ...]] = {}
        for name, spec in self.fields.items():
            found = tuple(first_at[k] for k in spec.keys if k in first_at)
            if found:
                columns[name] = found
        missing = tuple(s.headings[0] for n, s in self.fields.items() if s.required and n not in columns)
        return HeaderMatch(columns, missing)

    def recognised(self, cells: Sequence[str]) -> int:
        """How many of the row's headings this mapping knows — comparable between mappings."""
        return sum(1 for cell in cells if text_key(cell) in self._known_keys)

    def lookup(self, table: str, raw: str) -> str | None:
        return self.values.get(table, {}).get(text_key(raw))

    def classify(self, raw: str, rules: tuple[tuple[str, tuple[str, ...]], ...]) -> str | None:
        """The code of the first rule with a keyword inside `raw`; None when nothing matches."""
        key = text_key(raw)
        for code, keywords in rules:
            if any(k in key for k in keywords):
                return code
        return None


def resolve_platform(name: str) -> tuple[str, str]:
    """'tmall' -> ('tmall', 'taobao'): the platform to record and the mapping to read."""
    resolved = PLATFORM_ALIASES.get(text_key(name)) if isinstance(name, str) else None
    if resolved is None:
        raise ImportFileError("import.unknown_platform", platform=str(name))
    return resolved


def load_mapping(platform: str, kind: str, mappings_dir: str | os.PathLike[str] | None = None) -> Mapping:
    """The mapping for a platform ('douyin', 'tmall', '拼多多' …) and kind ('orders' / 'cases')."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
    _, mapping_platform = resolve_platform(platform)
    name = f"{mapping_platform}_{kind}.toml"
    path, common = _locate(name, mappings_dir), _locate("common.toml", mappings_dir)
    return _load_cached(str(path), _stamp(path), str(common), _stamp(common))


def all_mappings(mappings_dir: str | os.PathLike[str] | None = None) -> list[Mapping]:
    return [load_mapping(p, k, mappings_dir) for p in PLATFORMS for k in KINDS]


def _locate(name: str, mappings_dir: str | os.PathLike[str] | None) -> Path:
    if mappings_dir is not None and (Path(mappings_dir) / name).is_file():
        return Path(mappings_dir) / name
    return Path(str(resources.files("aftersales.platforms").joinpath("mappings", name)))


def _stamp(path: Path) -> tuple[int, int]:
    # Part of the cache key, so an edited file is read again without restarting the process.
    try:
        stat = path.stat()
    except OSError:
        return (0, 0)
    return (stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=64)
def _load_cached(
    path: str, _stamp: tuple[int, int], common_path: str, _common_stamp: tuple[int, int]
) -> Mapping:
    common = _read_toml(Path(common_path))
    return _build(_read_toml(Path(path)), common, Path(path).name)


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise ImportFileError("import.mapping_invalid", mapping_file=path.name, detail="文件不存在") from None
    except tomllib.TOMLDecodeError as exc:
        raise ImportFileError("import.mapping_invalid", mapping_file=path.name, detail=str(exc)) from None


def _invalid(file_name: str, detail: str) -> ImportFileError:
    return ImportFileError("import.mapping_invalid", mapping_file=file_name, detail=detail)


_TOP_LEVEL = frozenset(
    {"platform", "kind", "name_zh", "name_en", "fields", "arbitration", "reasons", "channels", "order_summary"}
)


def _table(data: dict[str, Any], name: str) -> dict[str, Any]:
    value = data.get(name, {})
    return value if isinstance(value, dict) else {}


def _build(data: dict[str, Any], common: dict[str, Any], file_name: str) -> Mapping:
    platform, kind = data.get("platform"), data.get("kind")
    unknown = set(data) - _TOP_LEVEL - set(VALUE_TABLES)
    if unknown:
        raise _invalid(file_name, f"unknown key(s) {', '.join(sorted(unknown))}")
    if platform not in PLATFORMS or kind not in KINDS or file_name != f"{platform}_{kind}.toml":
        raise _invalid(file_name, f"platform/kind {platform!r}/{kind!r} do not match the file name")
    fields = _build_fields(data.get("fields"), FIELDS_BY_KIND[kind], file_name)
    for essential in ESSENTIAL[kind]:
        if essential not in fields:
            raise _invalid(file_name, f"[fields] must name headings for {essential}")
        # No record without it: the column must exist and a row with it empty is refused.
        fields[essential] = replace(fields[essential], required=True)
    # One heading may feed two fields (退运费金额 is both part of the refund and the freight refunded).
    known = frozenset(key for spec in fields.values() for key in spec.keys)
    values = {t: _build_values(data.get(t, {}), t, allowed, file_name) for t, allowed in VALUE_TABLES.items()}
    return Mapping(
        platform=platform,
        kind=kind,
        name_zh=str(data.get("name_zh", file_name)),
        name_en=str(data.get("name_en", file_name)),
        file_name=file_name,
        fields=fields,
        values=values,
        arbitration_active=frozenset(
            text_key(s) for s in _strings(_table(data, "arbitration").get("active"))
        ),
        reasons=_build_rules(data.get("reasons", {}), common.get("reasons", {}), REASONS, file_name),
        channels=_build_rules(data.get("channels", {}), common.get("channels", {}), CHANNELS, file_name),
        truthy=frozenset(
            text_key(s) for s in _strings(common.get("truthy", ["是", "true", "1", "y", "yes"]))
        ),
        order_summary=_build_order_summary(data.get("order_summary"), kind, fields, file_name),
        _known_keys=known,
    )


def _build_fields(table: Any, allowed: dict[str, str], file_name: str) -> dict[str, FieldSpec]:
    if not isinstance(table, dict) or not table:
        raise _invalid(file_name, "a [fields] table is required")
    fields: dict[str, FieldSpec] = {}
    for name, entry in table.items():
        if name not in allowed:
            raise _invalid(file_name, f"unknown field {name!r} in [fields]")
        options = {"headings": entry} if isinstance(entry, list) else entry
        if not isinstance(options, dict) or set(options) - {"headings", "required", "combine", "negative"}:
            raise _invalid(file_name, f"field {name!r}: expected a list of headings or a table")
        headings = _unique_headings(_strings(options.get("headings")))
        combine, negative = options.get("combine", "first"), options.get("negative", "error")
        if not headings or combine not in COMBINE or negative not in ("error", "abs"):
            raise _invalid(file_name, f"field {name!r}: bad headings, combine or negative")
        if (combine == "sum" or negative == "abs") and allowed[name] != "amount":
            raise _invalid(file_name, f"field {name!r}: sum/abs only apply to amounts")
        if combine == "join" and allowed[name] != "text":
            raise _invalid(file_name, f"field {name!r}: join only applies to text")
        fields[name] = FieldSpec(
            name=name,
            headings=headings,
            keys=tuple(text_key(h) for h in headings),
            parser=allowed[name],
            required=bool(options.get("required", False)),
            combine=combine,
            negative=negative,
        )
    return fields


def _build_order_summary(value: Any, kind: str, fields: dict[str, FieldSpec], file_name: str) -> frozenset[str]:
    """`order_summary = ["宝贝总数量"]`: quantity headings of a one-row-per-order export."""
    if value is None:
        return frozenset()
    headings = list(_strings(value))
    if kind != "orders" or not headings or len(headings) != len(value):
        raise _invalid(file_name, "order_summary must be a list of quantity headings of an order export")
    keys = frozenset(text_key(h) for h in headings)
    if not keys <= set(fields["quantity"].keys):
        raise _invalid(file_name, "order_summary: every heading must also be listed for quantity in [fields]")
    return keys


def _unique_headings(headings: Iterable[str]) -> tuple[str, ...]:
    """The listed headings in order, once per comparison key ("商品id" and "商品ID" are one heading)."""
    first: dict[str, str] = {}
    for heading in headings:
        first.setdefault(text_key(heading), heading)
    return tuple(first.values())


def _build_values(table: Any, name: str, allowed: tuple[str, ...], file_name: str) -> dict[str, str]:
    if not isinstance(table, dict):
        raise _invalid(file_name, f"[{name}] must be a table of text = value")
    result: dict[str, str] = {}
    for raw, code in table.items():
        if code not in allowed:
            raise _invalid(
                file_name, f"[{name}] {raw!r} = {code!r}: value must be one of {', '.join(allowed)}"
            )
        result[text_key(raw)] = code
    return result


def _build_rules(
    own: Any, common: Any, allowed: tuple[str, ...], file_name: str
) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Keyword rules, the platform's own first (they know its wording), then the shared ones."""
    rules: list[tuple[str, tuple[str, ...]]] = []
    for table in (own, common):
        if not isinstance(table, dict):
            raise _invalid(file_name, "keyword tables must map a code to a list of keywords")
        for code, keywords in table.items():
            if code not in allowed:
                raise _invalid(file_name, f"unknown code {code!r}; use one of {', '.join(allowed)}")
            rules.append((code, tuple(text_key(k) for k in _strings(keywords) if text_key(k))))
    return tuple(rules)


def _strings(value: Any) -> Iterable[str]:
    if isinstance(value, str) or not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        return []
    return value
