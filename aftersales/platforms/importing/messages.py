"""Messages for import problems, in Chinese for the merchant and in English.

The codes are what the rest of the system stores and tests against; the texts are only for people.
Row messages always name the row as the spreadsheet shows it and the column as the file spells it,
so the merchant can find the cell at once.
"""

from __future__ import annotations

from collections.abc import Mapping

# code -> (Chinese, English). Placeholders are filled with str.format_map.
FILE_MESSAGES: dict[str, tuple[str, str]] = {
    "import.empty_file": (
        "文件「{file_name}」是空的，没有任何内容。",
        "The file {file_name} is empty.",
    ),
    "import.old_xls": (
        "「{file_name}」是旧版 Excel（.xls）文件，暂不支持。"
        "请用 Excel 或 WPS 另存为 .xlsx 或 .csv 后再导入。",
        "{file_name} is an old Excel (.xls) workbook. Save it as .xlsx or .csv and import that.",
    ),
    "import.html_table": (
        "「{file_name}」其实是网页格式的表格，不是真正的 Excel 文件。"
        "请用 Excel 或 WPS 打开后另存为 .xlsx 或 .csv。",
        "{file_name} is an HTML page saved with a spreadsheet name. Save it as .xlsx or .csv first.",
    ),
    "import.binary_file": (
        "「{file_name}」不是表格文件（看起来是图片、压缩包或其他二进制文件）。"
        "请上传平台导出的 .csv 或 .xlsx 文件。",
        "{file_name} is not a spreadsheet (it looks like an image, an archive or other binary data).",
    ),
    "import.corrupt_xlsx": (
        "「{file_name}」已损坏或下载不完整，无法作为 Excel 文件打开。请重新从平台下载后再导入。",
        "{file_name} is damaged or incompletely downloaded and cannot be opened as an Excel workbook.",
    ),
    "import.undecodable": (
        "无法识别「{file_name}」的文字编码。请用 Excel 或 WPS 另存为 UTF-8 或 GBK 编码的 CSV 后再导入。",
        "The text encoding of {file_name} could not be recognised. Save it as UTF-8 or GBK CSV.",
    ),
    "import.decode_failed": (
        "「{file_name}」第 {row} 行附近有无法按 {encoding} 编码读取的内容，"
        "文件可能已损坏或混用了多种编码，导入已停止。",
        "{file_name} has bytes near row {row} that are not valid {encoding}; the file may be damaged. "
        "The import stopped.",
    ),
    "import.csv_malformed": (
        "「{file_name}」第 {row} 行的格式有误，无法继续读取，导入已停止。",
        "{file_name} is malformed at row {row} ({detail}); the import stopped.",
    ),
    "import.no_header": (
        "在「{file_name}」的前 {scanned} 行里没有找到{export_zh}的表头。请确认选择的平台和文件类型是否正确。",
        "No {export_en} header was found in the first {scanned} rows of {file_name}. "
        "Check the platform and file type you chose.",
    ),
    "import.wrong_file": (
        "「{file_name}」看起来是{detected_zh}，而不是{export_zh}。请重新选择平台和文件类型。",
        "{file_name} looks like a {detected_en}, not a {export_en}. Choose the matching platform and type.",
    ),
    "import.missing_columns": (
        "「{file_name}」缺少{export_zh}必需的列：{columns}。"
        "如果平台改了列名，可以在映射文件 {mapping_file} 里加上新列名。",
        "{file_name} lacks columns a {export_en} needs: {columns}. If the platform renamed them, "
        "add the new headings to {mapping_file}.",
    ),
    "import.unknown_platform": (
        "不支持的平台「{platform}」。支持：抖店、淘宝/天猫、京东、拼多多。",
        "Unsupported platform {platform!r}. Supported: douyin, taobao/tmall, jd, pdd.",
    ),
    "import.mapping_invalid": (
        "映射文件 {mapping_file} 有误：{detail}",
        "The mapping file {mapping_file} is invalid: {detail}",
    ),
}

_CELL = "第 {row} 行「{column}」的值「{value}」无效："
_CELL_EN = "Row {row}, column {column}: the value {value!r} is invalid: "

ROW_MESSAGES: dict[str, tuple[str, str]] = {
    "import.required_missing": (
        "第 {row} 行「{column}」是空的：这一列必须有值。",
        "Row {row}: column {column} is empty but required.",
    ),
    "money.invalid": (_CELL + "不是有效的金额。", _CELL_EN + "not an amount of money."),
    "money.sub_fen": (_CELL + "金额最多只能有两位小数。", _CELL_EN + "more than two decimal places."),
    "money.negative": (_CELL + "金额不能是负数。", _CELL_EN + "an amount cannot be negative."),
    "money.too_large": (_CELL + "金额大得不合理。", _CELL_EN + "the amount is implausibly large."),
    "import.quantity_invalid": (
        _CELL + "数量必须是正整数。",
        _CELL_EN + "a quantity must be a positive whole number.",
    ),
    "import.datetime_invalid": (
        _CELL + "无法识别的日期时间（应类似 2026-05-18 10:00:00）。",
        _CELL_EN + "not a date and time (expected like 2026-05-18 10:00:00).",
    ),
    "import.phone_invalid": (_CELL + "不是电话号码。", _CELL_EN + "not a phone number."),
    "import.id_scientific": (
        _CELL
        + "编号被 Excel 改成了科学计数法，后面的数字已经丢失。请从平台重新导出，不要用 Excel 打开后再保存。",
        _CELL_EN + "Excel turned the id into scientific notation and lost digits. Export the file again "
        "and do not re-save it in Excel.",
    ),
    "import.unknown_kind": (
        _CELL + "无法识别的售后类型。可以在映射文件 {mapping_file} 的 [case_kind] 里加上它。",
        _CELL_EN + "unknown after-sale type. Add it to [case_kind] in {mapping_file}.",
    ),
    "import.unknown_status": (
        _CELL + "无法识别的售后状态。可以在映射文件 {mapping_file} 的 [case_status] 里加上它。",
        _CELL_EN + "unknown after-sale status. Add it to [case_status] in {mapping_file}.",
    ),
    # A sheet of a workbook that is not imported (the others are): one line in the report, no row.
    "import.sheet_skipped": (
        "工作表「{sheet}」里没有找到{export_zh}的表头，这个工作表没有导入。",
        "Sheet {sheet} has no {export_en} header; it was not imported.",
    ),
    "import.sheet_other_export": (
        "工作表「{sheet}」看起来是{detected_zh}，不是{export_zh}，这个工作表没有导入。",
        "Sheet {sheet} looks like a {detected_en}, not a {export_en}; it was not imported.",
    ),
    "import.duplicate_row": (
        "第 {row} 行与第 {kept_row} 行的「{column}」都是「{value}」，"
        "以后面的第 {kept_row} 行为准，第 {row} 行不导入。",
        "Rows {row} and {kept_row} have the same {column} {value!r}; row {kept_row} is kept and row {row} "
        "is ignored.",
    ),
}


class _Lenient(dict):
    """A format map that leaves unknown placeholders visible instead of failing."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def render(
    catalogue: Mapping[str, tuple[str, str]], code: str, params: Mapping[str, object]
) -> tuple[str, str]:
    """(Chinese, English) for `code`; an unknown code still yields a readable line."""
    zh, en = catalogue.get(code, ("导入出错（{code}）。", "Import problem ({code})."))
    values = _Lenient({"code": code, **params})
    return zh.format_map(values), en.format_map(values)
