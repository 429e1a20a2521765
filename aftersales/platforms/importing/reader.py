"""Reading a platform export: bytes or a binary file + its name → a header and a stream of rows.

CSV and XLSX are both read lazily (a CSV through a text decoder over the byte stream, an XLSX
through openpyxl's read-only mode), so a 1,000,000-row export never sits in memory at once.

Choosing the encoding and finding the header are one step: for each plausible encoding (BOM,
UTF-8, GB18030, then charset-normalizer's guesses) and delimiter, the first rows are decoded and
searched for a row that carries the mapping's required headings. A wrong guess (Big5 read as
GB18030 "decodes" into nonsense) never finds the headings, so nonsense is never imported: either a
guess yields the real header, or the merchant gets a clear file error.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from tempfile import SpooledTemporaryFile
from typing import IO, Any

import charset_normalizer

from aftersales.platforms.importing.mapping import HeaderMatch, Mapping
from aftersales.platforms.importing.records import ImportFileError
from aftersales.platforms.importing.text import clean_cell, clean_heading, text_key

SCAN_ROWS = 10  # the header is looked for in this many rows (JD 服务单 has a group row above it)
HEAD_BYTES = 256 * 1024  # how much of a CSV is decoded up front to choose the encoding
DELIMITERS = (",", "\t")  # comma; tab for Excel's "Unicode text" (UTF-16) saves

Source = bytes | bytearray | memoryview | IO[bytes]


@dataclass
class Table:
    """A file whose header was found. Iterate `rows()` once; it streams from the file."""

    file_name: str
    format: str  # "csv" or "xlsx"
    encoding: str | None
    sheet: str | None
    header_row: int  # 1-based
    headings: tuple[str, ...]
    match: HeaderMatch
    _rows: Iterator[tuple[int, Sequence[str]]] = field(repr=False)

    def rows(self) -> Iterator[tuple[int, Sequence[str]]]:
        """(row number as the spreadsheet shows it, raw cell texts) for each non-blank data row."""
        header_row = self.header_row
        for number, cells in self._rows:
            if number <= header_row:
                continue
            # The first cell (an order or case id) is almost always filled: no need to look further.
            if (cells and (first := cells[0]) and not first.isspace()) or any(
                c and not c.isspace() for c in cells
            ):
                yield number, cells

    def dict_rows(self) -> Iterator[tuple[int, dict[str, str]]]:
        """(row number, {heading: cleaned cell}) — the generic view; parse.py uses `rows()`."""
        for number, cells in self.rows():
            yield number, {h: clean_cell(c) for h, c in zip(self.headings, cells, strict=False) if h}


@dataclass(frozen=True)
class SkippedSheet:
    """A sheet of a workbook that is not imported: `code` and `params` say why, for the report."""

    sheet: str
    code: str  # import.sheet_skipped (no header of this export) / import.sheet_other_export
    params: dict[str, str]


@dataclass
class Tables:
    """Every sheet of a file that holds the export, in the order to import them (a CSV: one), and the
    sheets left out. Read the tables one after the other, each to its end: they share the workbook."""

    tables: list[Table]
    skipped: list[SkippedSheet]


def open_tables(
    source: Source, file_name: str, mapping: Mapping, alternatives: Sequence[Mapping] = ()
) -> Tables:
    """As `open_table`, but a workbook gives every sheet with `mapping`'s header (see _find_sheets)."""
    return _open(source, file_name, mapping, alternatives, every_sheet=True)


def open_table(
    source: Source, file_name: str, mapping: Mapping, alternatives: Sequence[Mapping] = ()
) -> Table:
    """Open `source`, find `mapping`'s header, and return the table positioned after it.

    `alternatives` are the other platforms' and kinds' mappings: when the header is missing they tell
    "this is a PDD order file, not a Douyin case file" apart from "this is not an export at all".
    """
    return _open(source, file_name, mapping, alternatives, every_sheet=False)


def _open(
    source: Source, file_name: str, mapping: Mapping, alternatives: Sequence[Mapping], *, every_sheet: bool
) -> Any:
    stream = _binary_stream(source)
    start = stream.tell() if _seekable(stream) else 0
    head = stream.read(HEAD_BYTES)
    if not isinstance(head, bytes):
        raise TypeError("open the file in binary mode ('rb')")
    if not head.strip(b" \t\r\n\x00" + codecs.BOM_UTF8):
        raise ImportFileError("import.empty_file", file_name=file_name)
    _refuse_non_tables(head, file_name)
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):  # a zip: .xlsx (or something that is not a table)
        return _open_xlsx(_rewound(stream, start, head), file_name, mapping, alternatives, every_sheet=every_sheet)
    table = _open_csv(head, stream, file_name, mapping, alternatives)
    return Tables([table], []) if every_sheet else table


# ---- recognising what the bytes are -------------------------------------------------------------

_BINARY_MAGIC = (b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"7z\xbc\xaf", b"Rar!", b"\x1f\x8b")


def _refuse_non_tables(head: bytes, file_name: str) -> None:
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):  # OLE2: .xls (or an encrypted .xlsx)
        raise ImportFileError("import.old_xls", file_name=file_name)
    if head.startswith(_BINARY_MAGIC):
        raise ImportFileError("import.binary_file", file_name=file_name)
    # Some back-ends (JD's old ones among them) hand out an HTML table or Excel 2003 XML named .xls.
    lowered = head[:256].lstrip(codecs.BOM_UTF8 + b" \t\r\n").lower()
    if lowered.startswith((b"<html", b"<!doctype", b"<table", b"<meta", b"<?xml")):
        raise ImportFileError("import.html_table", file_name=file_name)


def _binary_stream(source: Source) -> IO[bytes]:
    if isinstance(source, bytes):
        return io.BytesIO(source)  # shares the buffer until written to: no copy
    if isinstance(source, bytearray | memoryview):
        return io.BytesIO(bytes(source))
    if hasattr(source, "read"):
        return source
    raise TypeError(f"expected bytes or a binary file, not {type(source).__name__}")


def _seekable(stream: IO[bytes]) -> bool:
    try:
        return stream.seekable()
    except (AttributeError, OSError, ValueError):
        return False


def _rewound(stream: IO[bytes], start: int, head: bytes) -> IO[bytes]:
    """A seekable file holding the whole source: openpyxl needs to jump around in the zip."""
    if _seekable(stream) and start == 0:
        stream.seek(0)
        return stream
    spool: IO[bytes] = SpooledTemporaryFile(max_size=64 * 1024 * 1024)  # on disk beyond 64 MiB
    spool.write(head)
    while chunk := stream.read(1024 * 1024):
        spool.write(chunk)
    spool.seek(0)
    return spool


# ---- CSV ----------------------------------------------------------------------------------------


@dataclass
class _Attempt:
    encoding: str
    delimiter: str
    rows: list[list[str]]


def _open_csv(
    head: bytes, stream: IO[bytes], file_name: str, mapping: Mapping, alts: Sequence[Mapping]
) -> Table:
    at_eof = len(head) < HEAD_BYTES
    attempts: list[_Attempt] = []
    for encoding in _candidate_encodings(head, at_eof):
        text = _decode_head(head, encoding, at_eof)
        if text is None:
            continue
        for delimiter in DELIMITERS:
            rows = _head_rows(text, delimiter, at_eof)
            if rows is None:
                continue
            found = _find_header(rows, mapping)
            if found is not None:
                index, match = found
                _refuse_ambiguous(file_name, rows[index], mapping, alts)
                lines = _csv_rows(_Chained(head, stream), encoding, delimiter, file_name)
                headings = tuple(clean_heading(c) for c in rows[index])
                return Table(file_name, "csv", encoding, None, index + 1, headings, match, lines)
            attempts.append(_Attempt(encoding, delimiter, rows))
    if not attempts:
        code = "import.binary_file" if _looks_binary_bytes(head) else "import.undecodable"
        raise ImportFileError(code, file_name=file_name)
    raise _header_error(file_name, mapping, alts, [a.rows for a in attempts])


def _candidate_encodings(head: bytes, at_eof: bool) -> Iterator[str]:
    """BOM first (it is unambiguous); then UTF-8, GB18030 (a superset of GBK/GB2312); then guesses."""
    if head.startswith(codecs.BOM_UTF8):
        yield "utf-8-sig"
        return
    if head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        yield "utf-32"
        return
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        yield "utf-16"
        return
    tried = {"utf_8", "gb18030"}
    yield "utf-8"
    yield "gb18030"
    # Only now pay for the statistical guess: Big5, Shift-JIS, UTF-16 without a BOM …
    sample = head if at_eof else head[: 64 * 1024]
    for guess in itertools.islice(charset_normalizer.from_bytes(sample), 5):
        try:
            name = codecs.lookup(guess.encoding).name.replace("-", "_")
        except LookupError:
            continue
        if name not in tried:
            tried.add(name)
            yield guess.encoding


def _decode_head(head: bytes, encoding: str, at_eof: bool) -> str | None:
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    try:
        text = decoder.decode(head, final=at_eof)
    except (UnicodeDecodeError, LookupError):
        return None
    return None if _looks_binary_text(text) else text


def _looks_binary_text(text: str) -> bool:
    """NULs or many control characters: the bytes decoded, but they are not text."""
    sample = text[:65536]
    controls = sum(1 for c in sample if c < " " and c not in "\t\r\n")
    return "\x00" in sample or controls > len(sample) // 100


def _looks_binary_bytes(head: bytes) -> bool:
    sample = head[:65536]
    controls = sum(1 for b in sample if b < 0x20 and b not in (9, 10, 13))
    return b"\x00" in sample or controls > len(sample) // 100


def _head_rows(text: str, delimiter: str, at_eof: bool) -> list[list[str]] | None:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        rows = list(itertools.islice(reader, SCAN_ROWS + 1))
    except csv.Error:
        return None
    if not at_eof and len(rows) > SCAN_ROWS:
        rows = rows[:SCAN_ROWS]  # the last row read may have been cut by HEAD_BYTES
    return rows


class _Chained(io.RawIOBase):
    """The bytes already read for sniffing, then the rest of the stream, as one raw stream."""

    def __init__(self, head: bytes, rest: IO[bytes]) -> None:
        self._head = memoryview(head)
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._head:
            n = min(len(buffer), len(self._head))
            buffer[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        data = self._rest.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def _csv_rows(
    raw: _Chained, encoding: str, delimiter: str, file_name: str
) -> Iterator[tuple[int, list[str]]]:
    text = io.TextIOWrapper(
        io.BufferedReader(raw, 1024 * 1024), encoding=encoding, errors="strict", newline=""
    )
    number = 0
    try:
        for number, row in enumerate(csv.reader(text, delimiter=delimiter), start=1):  # noqa: B007
            yield number, row
    except UnicodeDecodeError:
        raise ImportFileError(
            "import.decode_failed", file_name=file_name, row=number + 1, encoding=encoding
        ) from None
    except csv.Error as exc:
        raise ImportFileError(
            "import.csv_malformed", file_name=file_name, row=number + 1, detail=str(exc)
        ) from None


# ---- XLSX ---------------------------------------------------------------------------------------


def _open_xlsx(
    stream: IO[bytes], file_name: str, mapping: Mapping, alts: Sequence[Mapping], *, every_sheet: bool = False
) -> Table | Tables:
    from openpyxl import load_workbook  # imported here: reading a CSV should not pay for openpyxl

    try:
        with zipfile.ZipFile(stream) as archive:
            names = set(archive.namelist())
        stream.seek(0)
        if "xl/workbook.xml" not in names:  # a zip, but not a workbook (a .docx, an archive of photos …)
            raise ImportFileError("import.binary_file", file_name=file_name)
        workbook = load_workbook(stream, read_only=True, data_only=True)
    except ImportFileError:
        raise
    except Exception:  # openpyxl reports damage with many exception types (zip, XML, KeyError …)
        raise ImportFileError("import.corrupt_xlsx", file_name=file_name) from None
    try:
        found = _find_sheets(workbook, file_name, mapping, alts, every_sheet=every_sheet)
    except ImportFileError:
        workbook.close()
        raise
    except Exception:
        workbook.close()
        raise ImportFileError("import.corrupt_xlsx", file_name=file_name) from None
    return found if every_sheet else found.tables[0]


def _find_sheets(
    workbook: Any, file_name: str, mapping: Mapping, alts: Sequence[Mapping], *, every_sheet: bool
) -> Tables:
    """The sheets with the header, in the order to import them; the others, with why they are left out.

    PDD puts its 售后 data on a second sheet (售后信息); the 千牛 三表 workbook holds 订单报表 (one row per
    order) and 销售明细 (one row per item) of the same orders. Without `every_sheet` only the first sheet
    with the header is taken. A sheet whose header another export knows better is that export's, not
    this one's (the workbook may carry a 发货报表 or a 退款 sheet beside the orders).
    """
    scanned: list[list[list[str]]] = []
    found: list[tuple[Any, int, HeaderMatch, list[str]]] = []
    skipped: list[SkippedSheet] = []
    for sheet in workbook.worksheets:
        sheet.reset_dimensions()  # some exporters write a wrong <dimension>; read every cell
        rows = [_xlsx_cells(r) for r in sheet.iter_rows(max_row=SCAN_ROWS, values_only=True)]
        scanned.append(rows)
        header = _find_header(rows, mapping)
        rival = _best_rival(rows if header is None else [rows[header[0]]], alts)
        if header is not None and (rival is None or rival[0] <= mapping.recognised(rows[header[0]])):
            found.append((sheet, header[0], header[1], rows[header[0]]))
            if not every_sheet:
                break
        elif any(any(c.strip() for c in cells) for cells in rows):  # an empty sheet (Sheet2 …) goes unsaid
            skipped.append(_skipped(sheet.title, mapping, rival[1] if rival is not None else None))
    if not found:
        if not any(any(cells) for rows in scanned for cells in rows):
            raise ImportFileError("import.empty_file", file_name=file_name)
        raise _header_error(file_name, mapping, alts, scanned)
    # Summary rows before item rows: an order's item lines replace the summary line it was stored as
    # (order_summaries), and a 宝贝报表 without times can only add lines to an order already stored.
    found.sort(key=lambda f: not _summary_sheet(mapping, f[2], f[3]))
    tables = [
        Table(file_name, "xlsx", None, sheet.title, index + 1, tuple(clean_heading(c) for c in cells), match,
              _xlsx_rows(workbook, sheet, file_name, close=position == len(found) - 1))
        for position, (sheet, index, match, cells) in enumerate(found)
    ]
    return Tables(tables, skipped)


def _summary_sheet(mapping: Mapping, match: HeaderMatch, cells: Sequence[str]) -> bool:
    """A one-row-per-order sheet: no sub-order id, and its quantity counts a whole order (宝贝总数量)."""
    if not mapping.order_summary or "platform_line_id" in match.columns:
        return False
    return any(text_key(cells[i]) in mapping.order_summary for i in match.columns.get("quantity", ()))


def _skipped(title: str, mapping: Mapping, detected: Mapping | None) -> SkippedSheet:
    params = {"sheet": title, "export_zh": mapping.name_zh, "export_en": mapping.name_en}
    if detected is None:
        return SkippedSheet(title, "import.sheet_skipped", params)
    return SkippedSheet(
        title, "import.sheet_other_export", {**params, "detected_zh": detected.name_zh, "detected_en": detected.name_en}
    )


def _xlsx_rows(workbook: Any, sheet: Any, file_name: str, *, close: bool = True) -> Iterator[tuple[int, list[str]]]:
    try:
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, _xlsx_cells(values)
    except Exception:  # damage deep inside a sheet only shows while streaming it
        workbook.close()
        raise ImportFileError("import.corrupt_xlsx", file_name=file_name) from None
    finally:
        if close:  # the workbook's last sheet to import: the others were read before it
            workbook.close()


def _xlsx_cells(values: Sequence[Any]) -> list[str]:
    return [_xlsx_text(v) for v in values]


def _xlsx_text(value: Any) -> str:
    """A cell value as the text a CSV export would have held."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        # Beyond 15 digits Excel has already rounded: keep the E+ form so an id is refused, not misread.
        return f"{value:.15G}" if abs(value) >= 1e15 else repr(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)


# ---- finding the header -------------------------------------------------------------------------


def _find_header(rows: Sequence[Sequence[str]], mapping: Mapping) -> tuple[int, HeaderMatch] | None:
    """The complete match with most recognised fields; the earliest row wins a tie."""
    best: tuple[int, HeaderMatch] | None = None
    for index, cells in enumerate(rows[:SCAN_ROWS]):
        match = mapping.match(cells)
        if match.complete and (best is None or match.score > best[1].score):
            best = (index, match)
    return best


def _refuse_ambiguous(
    file_name: str, cells: Sequence[str], mapping: Mapping, alts: Sequence[Mapping]
) -> None:
    """The header fits, but another export knows more of its headings: the merchant picked the wrong type.

    A JD 服务单 has 订单号, 商品名称 and 商品数量 too; without this check it could pass for an order list.
    """
    rival = _best_rival([cells], alts)
    if rival is not None and rival[0] > mapping.recognised(cells):
        raise _wrong_file(file_name, mapping, rival[1])


def _header_error(
    file_name: str, mapping: Mapping, alts: Sequence[Mapping], attempts: Sequence[Sequence[Sequence[str]]]
) -> ImportFileError:
    """Why no header was found: another export's file, columns renamed or missing, or no header at all."""
    rows = [cells for attempt in attempts for cells in attempt[:SCAN_ROWS]]
    own = max(rows, key=mapping.recognised, default=[])
    rival = _best_rival(rows, alts)
    if rival is not None and rival[0] > mapping.recognised(own):
        return _wrong_file(file_name, mapping, rival[1])
    params = {"file_name": file_name, "export_zh": mapping.name_zh, "export_en": mapping.name_en}
    own_match = mapping.match(own)
    if own_match.score >= 3:  # clearly this export, with columns renamed or removed
        columns = "、".join(f"「{h}」" for h in own_match.missing_required)
        return ImportFileError(
            "import.missing_columns",
            columns=columns,
            missing=list(own_match.missing_required),
            mapping_file=mapping.file_name,
            **params,
        )
    return ImportFileError("import.no_header", scanned=SCAN_ROWS, **params)


def _best_rival(rows: Sequence[Sequence[str]], alts: Sequence[Mapping]) -> tuple[int, Mapping] | None:
    """The other export whose header one of these rows completes, knowing most of its headings."""
    rivals = [(alt.recognised(cells), alt) for alt in alts for cells in rows if alt.match(cells).complete]
    return max(rivals, key=lambda pair: pair[0], default=None)


def _wrong_file(file_name: str, mapping: Mapping, detected: Mapping) -> ImportFileError:
    return ImportFileError(
        "import.wrong_file",
        file_name=file_name,
        export_zh=mapping.name_zh,
        export_en=mapping.name_en,
        detected_zh=detected.name_zh,
        detected_en=detected.name_en,
        detected_platform=detected.platform,
        detected_kind=detected.kind,
    )
