"""The import report: the rows that were refused or warned about, and its CSV / XLSX downloads.

The reader's own problems (a bad amount, an unknown status …) come with their messages. The
messages below are for what only the persisting step can see: an order that is not there yet, a
refund above what was paid, a row the database refused, cases on an order report's summary line.
"""

from __future__ import annotations

from collections.abc import Iterable

from aftersales.core import spreadsheets
from aftersales.core.fields import mask_phone
from aftersales.platforms.importing import RowError, RowWarning, SkippedSheet
from aftersales.platforms.importing.messages import ROW_MESSAGES, render

ERROR, WARNING = "error", "warning"
#: Entries kept on the ImportRun row; beyond this they are only counted (a broken file of a million
#: rows would otherwise store a million messages).
REPORT_LIMIT = 10_000

PERSIST_MESSAGES: dict[str, tuple[str, str]] = {
    "import.order_missing": (
        "第 {row} 行：订单「{value}」不存在，请先导入订单。",
        "Row {row}: order {value} does not exist; import the orders first.",
    ),
    "import.unpaid_order": (
        "第 {row} 行：订单「{order}」未付款（订单状态「{value}」），不导入。",
        "Row {row}: order {order} was never paid (order status {value}) and is not imported.",
    ),
    "import.paid_at_missing": (
        "第 {row} 行：订单「{value}」还没有导入过，而这个文件里没有它的付款时间或下单时间，无法新建。"
        "请先导入带付款时间的订单报表。",
        "Row {row}: order {value} is not stored yet and this file gives neither its payment time nor its "
        "order time. Import the order report with payment times first.",
    ),
    "import.id_too_long": (
        "第 {row} 行「{column}」的值「{value}」太长（最多 {limit} 个字符）。",
        "Row {row}, column {column}: the value {value!r} is too long (at most {limit} characters).",
    ),
    "import.below_refunded": (
        "第 {row} 行：订单「{value}」的新金额 {paid} 元低于已退款的 {refunded} 元，这一单没有更新。",
        "Row {row}: the new amount of order {value} ({paid} yuan) is below what was already refunded "
        "({refunded} yuan); the order was not updated.",
    ),
    "import.refund_clamped": (
        "第 {row} 行：平台退款金额 {amount} 元超过了这笔订单还能退的 {cap} 元，已按 {cap} 元记录。",
        "Row {row}: the platform's refund of {amount} yuan is more than the {cap} yuan the order can "
        "still refund; {cap} yuan was recorded.",
    ),
    "import.case_recorded_as_is": (
        "第 {row} 行：售后单「{value}」无法按常规流程建立（{detail}），已按平台数据直接记录。",
        "Row {row}: case {value} could not be opened the usual way ({detail}); it was recorded as the "
        "platform reports it.",
    ),
    "import.summary_line_unmatched": (
        "第 {row} 行：订单「{value}」之前从订单报表导入为一行汇总（「{title}」），售后单 {cases} 挂在这行上，"
        "但无法确定它对应哪一件宝贝。为了不弄错金额，这一单的宝贝明细没有导入：汇总行保留，订单金额和售后单都没有改动。",
        "Row {row}: order {value} was imported from the order report as one summary line ({title}) and "
        "cases {cases} refer to it, but it is not clear which item they are about. To keep the money "
        "right, this order's item rows were not imported: the summary line stays, and neither the order's "
        "amounts nor the cases changed.",
    ),
    "import.summary_line_too_small": (
        "第 {row} 行：订单「{value}」的售后单 {cases} 挂在订单报表的汇总行上，对应的宝贝「{title}」只有 "
        "{quantity} 件、最多可退 {paid} 元，容不下售后单的 {claimed} 件、已同意退款 {granted} 元。"
        "为了不弄错金额，这一单的宝贝明细没有导入：汇总行保留，订单金额和售后单都没有改动。",
        "Row {row}: cases {cases} of order {value} are on the order report's summary line; the item "
        "they are about ({title}) has {quantity} units and at most {paid} yuan to refund, less than "
        "the cases' {claimed} units and {granted} yuan granted. To keep the money right, this order's "
        "item rows were not imported: the summary line stays, and neither the order's amounts nor the "
        "cases changed.",
    ),
    "import.summary_cases_moved": (
        "第 {row} 行：订单「{order}」的售后单 {cases} 原来挂在订单报表的汇总行上，现已改挂到宝贝「{value}」。",
        "Row {row}: cases {cases} of order {order} were on the order report's summary line and now "
        "refer to the item {value}.",
    ),
    "import.row_failed": (
        "第 {row} 行保存失败，已跳过：{detail}",
        "Row {row} could not be saved and was skipped: {detail}",
    ),
}


def entry_of(item: RowError | RowWarning) -> dict:
    level = ERROR if isinstance(item, RowError) else WARNING
    value, zh, en = item.value, item.message_zh, item.message_en
    if item.code == "import.phone_invalid":
        # A phone is never shown whole, not even a malformed one.
        value = mask_phone(value)
        params = {"row": item.row_number, "column": item.column, "value": value, **getattr(item, "params", {})}
        zh, en = render(ROW_MESSAGES, item.code, params)
    return {
        "row": item.row_number,
        "column": item.column,
        "value": value,
        "code": item.code,
        "level": level,
        "message_zh": zh,
        "message_en": en,
    }


def persist_entry(level: str, row: int, column: str, value: str, code: str, **params: object) -> dict:
    zh, en = render(PERSIST_MESSAGES, code, {"row": row, "column": column, "value": value, **params})
    return {
        "row": row,
        "column": column,
        "value": value,
        "code": code,
        "level": level,
        "message_zh": zh,
        "message_en": en,
    }


def skipped_sheet_entry(skipped: SkippedSheet) -> dict:
    """The report's one line for a sheet of a workbook that was left out (no row of it was read)."""
    zh, en = render(ROW_MESSAGES, skipped.code, skipped.params)
    return {"row": None, "column": "", "value": skipped.sheet, "code": skipped.code, "level": WARNING,
            "sheet": skipped.sheet, "message_zh": zh, "message_en": en}


def in_sheet(entry: dict, sheet: str) -> dict:
    """The entry of a row of one sheet among several: it names the sheet, so 第 5 行 is found."""
    en = entry["message_en"]
    en = f"Sheet {sheet}, r{en[1:]}" if en.startswith("Row ") else f"Sheet {sheet}: {en}"
    return {**entry, "sheet": sheet, "message_zh": f"工作表「{sheet}」{entry['message_zh']}", "message_en": en}


class Report:
    """Collects entries in row order of arrival; keeps at most REPORT_LIMIT of them.

    While `sheet` is set (a workbook with several sheets imported), each entry names it.
    """

    def __init__(self, limit: int = REPORT_LIMIT) -> None:
        self.entries: list[dict] = []
        self.dropped = 0
        self.errors = 0
        self.warnings = 0
        self.sheet: str | None = None
        self._limit = limit

    def add(self, entry: dict) -> None:
        if self.sheet is not None and "sheet" not in entry:
            entry = in_sheet(entry, self.sheet)
        if entry["level"] == ERROR:
            self.errors += 1
        else:
            self.warnings += 1
        if len(self.entries) < self._limit:
            self.entries.append(entry)
        else:
            self.dropped += 1

    def error(self, row: int, column: str, value: str, code: str, **params: object) -> None:
        self.add(persist_entry(ERROR, row, column, value, code, **params))

    def warning(self, row: int, column: str, value: str, code: str, **params: object) -> None:
        self.add(persist_entry(WARNING, row, column, value, code, **params))


# ---- downloads ----------------------------------------------------------------------------------

#: The downloaded report in the reader's language: its headings, its words for the level, its sheet.
HEADINGS = {
    "zh-hans": ("行号", "列", "值", "类型", "代码", "说明"),
    "en": ("Row", "Column", "Value", "Type", "Code", "Message"),
}
LEVELS = {
    "zh-hans": {ERROR: "错误（未导入）", WARNING: "提示"},
    "en": {ERROR: "Error (not imported)", WARNING: "Note"},
}
#: The first column of a report on a workbook whose entries name their sheet.
SHEET_HEADING = {"zh-hans": "工作表", "en": "Sheet"}
REPORT_NAME = {"zh-hans": "导入报告", "en": "Import report"}


def _cells(entry: dict, sheets: bool, lang: str) -> list:
    level = entry.get("level", "")
    return [
        *([entry.get("sheet", "")] if sheets else []),
        entry.get("row"),
        entry.get("column", ""),
        entry.get("value", ""),  # the file's own text: the writer keeps it from running as a formula
        LEVELS[lang].get(level, level),
        entry.get("code", ""),
        entry.get("message_en" if lang == "en" else "message_zh", ""),
    ]


def report_sheet(entries: Iterable[dict], lang: str = "zh-hans") -> spreadsheets.Sheet:
    """The run's report as a spreadsheet in `lang` (zh-hans or en): each entry's message in that language."""
    lang = "en" if lang.startswith("en") else "zh-hans"
    entries = list(entries)
    sheets = any(e.get("sheet") for e in entries)
    widths = (8, 18, 24, 14, 24, 80)
    columns = [spreadsheets.Column(h, spreadsheets.NUMBER if i == 0 else spreadsheets.TEXT, w)
               for i, (h, w) in enumerate(zip(HEADINGS[lang], widths, strict=True))]
    if sheets:
        columns.insert(0, spreadsheets.Column(SHEET_HEADING[lang], spreadsheets.TEXT, 16))
    return spreadsheets.Sheet(REPORT_NAME[lang], columns, (_cells(e, sheets, lang) for e in entries))


def report_csv(entries: Iterable[dict], lang: str = "zh-hans") -> bytes:
    """UTF-8 with a BOM, so that Excel opens the Chinese text right."""
    return spreadsheets.to_bytes(report_sheet(entries, lang), "csv")
