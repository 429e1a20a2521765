"""Reading platform export files (抖店, 千牛, 京东, 拼多多) into typed records — pure Python, no Django.

The public API; see parse.py for how to consume it and mappings/README.md for the mapping files.
"""

from aftersales.platforms.importing.extract import derive_line_id, summary_line_id
from aftersales.platforms.importing.mapping import Mapping, load_mapping, resolve_platform
from aftersales.platforms.importing.parse import (
    ParsedExport,
    ParsedFile,
    open_export,
    open_exports,
    parse_cases,
    parse_export,
    parse_orders,
)
from aftersales.platforms.importing.reader import SkippedSheet, Table, Tables, open_table, open_tables
from aftersales.platforms.importing.records import (
    CASE_KINDS,
    CASE_STATUSES,
    CHANNELS,
    ORDER_STATUSES,
    REASONS,
    CaseRecord,
    ImportFileError,
    OrderLineRecord,
    ParsedRow,
    RowError,
    RowWarning,
)

__all__ = [
    "CASE_KINDS",
    "CASE_STATUSES",
    "CHANNELS",
    "ORDER_STATUSES",
    "REASONS",
    "CaseRecord",
    "ImportFileError",
    "Mapping",
    "OrderLineRecord",
    "ParsedExport",
    "ParsedFile",
    "ParsedRow",
    "RowError",
    "RowWarning",
    "SkippedSheet",
    "Table",
    "Tables",
    "derive_line_id",
    "load_mapping",
    "open_export",
    "open_exports",
    "open_table",
    "open_tables",
    "parse_cases",
    "parse_export",
    "parse_orders",
    "resolve_platform",
    "summary_line_id",
]
