"""Tables leaving the dashboard: CSV with a BOM (so WPS/Excel read the Chinese) and XLSX.

Frames arrive with English (contract) or Chinese (display) column names; the XLSX number format
of a column follows from its name and type: 万元 amounts `#,##0.00`, counts `#,##0`, ratios
(fractions) `0.0%`, years without a thousands separator, dates as 2026年10月31日, flags as 是/否.
"""

from __future__ import annotations

import io
import math
import re
import unicodedata
from datetime import date

import polars as pl

from kechuang.engine import contract

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

FORMATS = {
    "wan": "#,##0.00",
    "count": "#,##0",
    "percent": "0.0%",
    "year": "0",
    "date": 'yyyy"年"m"月"d"日"',
    "datetime": 'yyyy"年"m"月"d"日" hh:mm',
}
# Ratio columns (fractions 0..1 in frames) by contract/derived name; their Chinese labels match too.
PERCENT_NAMES = frozenset(
    {
        "rd_intensity",
        "intensity_threshold",
        "rd_staff_ratio",
        "revenue_growth",
        "cagr",
        "coverage_ratio",
        "share_of_target",
    }
)
_PERCENT_LABELS = frozenset(contract.column_label(n) for n in PERCENT_NAMES)
YES_NO = {True: "是", False: "否"}
HEADER_WIDTH = 20


def file_stem(page: str, as_of: date, *filters: str | None) -> str:
    """'技术合同_长沙镇_截至2026-10-31': page, filters and as-of date, safe for any file system."""
    parts = [page, *(f for f in filters if f), f"截至{as_of.isoformat()}"]
    return re.sub(r'[\\/:*?"<>|\s]+', "_", "_".join(parts))


def _as_text(name: str, dtype: pl.DataType) -> pl.Expr:
    """A nested column as text: a list as its items joined by 、, a struct as JSON."""
    if isinstance(dtype, pl.List | pl.Array):
        items = pl.col(name).arr.to_list() if isinstance(dtype, pl.Array) else pl.col(name)
        return items.list.eval(pl.element().cast(pl.String)).list.join("、")
    if isinstance(dtype, pl.Struct):
        return pl.col(name).struct.json_encode()
    return pl.col(name).map_elements(str, return_dtype=pl.String)


def _is_category(dtype: pl.DataType) -> bool:
    return isinstance(dtype, pl.Categorical | pl.Enum)


def _flat(frame: pl.DataFrame) -> pl.DataFrame:
    """Nested values as text, flags as 是/否, categories as plain text (so the CSV writer's formula
    guard sees them): what a reader of the file expects to see."""
    return frame.with_columns(
        *(_as_text(c, t) for c, t in frame.schema.items() if t.is_nested()),
        *(pl.col(c).cast(pl.String) for c, t in frame.schema.items() if _is_category(t)),
        *(
            pl.col(c).replace_strict(YES_NO, return_dtype=pl.String)
            for c, t in frame.schema.items()
            if t == pl.Boolean
        ),
    )


# A text cell starting with one of these is read as a formula by Excel/WPS (= + - @) or shifts
# into one after a tab or carriage return: OWASP "CSV injection" says prefix a single quote.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutral_text(value: str | None) -> str | None:
    """A text cell that a spreadsheet shows as text: '=HYPERLINK(…)' rather than a formula."""
    if value is not None and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_bytes(frame: pl.DataFrame) -> bytes:
    """UTF-8 with BOM; lists and nested values as text, flags as 是/否. The one CSV writer of the
    app and the CLI: text cells that a spreadsheet would run as a formula get a leading ' (numbers,
    dates and flags are never text here, so they stay numbers)."""
    flat = _flat(frame)
    safe = flat.with_columns(
        pl.when(_formula_like(c)).then(pl.lit("'") + pl.col(c)).otherwise(pl.col(c)).alias(c)
        for c, t in flat.schema.items()
        if t == pl.String
    )
    safe = safe.rename({c: neutral_text(c) for c in safe.columns})
    return "\ufeff".encode() + safe.write_csv().encode("utf-8")


def _formula_like(column: str) -> pl.Expr:
    return pl.any_horizontal(pl.col(column).str.starts_with(s) for s in FORMULA_STARTS)


# Every workbook we write: xlsxwriter never turns a string into a formula, a link or a number.
WORKBOOK_OPTIONS = {
    "in_memory": True,
    "remove_timezone": True,
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
}


def new_workbook(target):
    """An xlsxwriter workbook with WORKBOOK_OPTIONS (target: a path or a BytesIO)."""
    import xlsxwriter

    return xlsxwriter.Workbook(target, WORKBOOK_OPTIONS)


def write_cell(ws, row: int, col: int, value, fmt=None) -> None:
    """The one writer of a single cell: text as text (a name '=HYPERLINK(…)' stays a name), numbers
    as numbers, dates as dates, None as a blank (formatted) cell."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        ws.write_blank(row, col, None, fmt)
    elif isinstance(value, str):
        ws.write_string(row, col, value, fmt)
    elif isinstance(value, bool):
        ws.write_boolean(row, col, value, fmt)
    elif isinstance(value, int | float):
        ws.write_number(row, col, value, fmt)
    elif isinstance(value, date):
        ws.write_datetime(row, col, value, fmt)
    else:
        ws.write_string(row, col, str(value), fmt)


def merge_cells(ws, first_row: int, first_col: int, last_row: int, last_col: int, value, fmt):
    """merge_range writing its value through write_cell (merge_range would guess the type)."""
    ws.merge_range(first_row, first_col, last_row, last_col, "", fmt)
    write_cell(ws, first_row, first_col, value, fmt)


def xlsx_bytes(frame: pl.DataFrame, sheet: str = "数据") -> bytes:
    """One sheet with a bold frozen header, autofilter and readable column widths."""
    buffer = io.BytesIO()
    with new_workbook(buffer) as book:
        write_sheet(book, frame, sheet[:31])
    return buffer.getvalue()


def column_format(name: str, dtype: pl.DataType) -> str | None:
    """The Excel number format of a column, from its name and type (None: as is)."""
    if dtype == pl.Date:
        return FORMATS["date"]
    if isinstance(dtype, pl.Datetime):
        return FORMATS["datetime"]
    if dtype.is_integer():
        return (
            FORMATS["year"]
            if name == "year" or name.endswith(("_year", "年度"))
            else FORMATS["count"]
        )
    if dtype.is_float() or dtype.is_decimal():
        return FORMATS["percent"] if is_ratio_column(name) else FORMATS["wan"]
    return None


def is_ratio_column(name: str) -> bool:
    """A float column holding fractions (shown as 12.3%): *_ratio, a known ratio, or a Chinese
    率/占比 header."""
    return (
        name.endswith("_ratio")
        or name in PERCENT_NAMES
        or name in _PERCENT_LABELS
        or "率" in name
        or "占比" in name
    )


def display_width(value) -> int:
    """Characters a value takes in a cell, CJK counting double."""
    if isinstance(value, float):
        text = f"{value:,.2f}"
    elif isinstance(value, date):
        text = "2026年10月31日"
    else:
        text = str(value)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def book_format(book, num_format: str | None = None, **props):
    """One xlsxwriter format per distinct definition and workbook (formats are workbook objects)."""
    cache = book.__dict__.setdefault("_kechuang_formats", {})
    key = (num_format, tuple(sorted(props.items())))
    if key not in cache:
        cache[key] = book.add_format(
            {**props, **({"num_format": num_format} if num_format else {})}
        )
    return cache[key]


def _cell_writer(ws, dtype: pl.DataType):
    """The xlsxwriter method for a column's type, chosen once per column rather than per cell by
    `write()`.

    Text is always written as text: a firm name starting with "=" or "http" stays a name, never a
    formula or link."""
    if dtype.is_numeric():
        return lambda row, col, value, fmt: (
            ws.write_number(row, col, value, fmt) if math.isfinite(value) else None
        )
    if dtype == pl.String:
        return ws.write_string
    if isinstance(dtype, pl.Datetime):
        return lambda row, col, value, fmt: ws.write_datetime(
            row, col, value.replace(tzinfo=None), fmt
        )
    if dtype == pl.Date:
        return ws.write_datetime
    return lambda row, col, value, fmt: write_cell(ws, row, col, value, fmt)


def write_sheet(
    book,
    frame: pl.DataFrame,
    sheet: str,
    start_row: int = 0,
    *,
    formats: dict[str, str] | None = None,
):
    """Write a frame as a formatted table into an xlsxwriter workbook; returns the worksheet.

    `formats` overrides the number format of named columns (by default it follows name and type)."""
    ws = book.add_worksheet(sheet[:31])
    header = book_format(
        book, bold=True, bg_color="#F2F2F2", border=1, text_wrap=True, valign="top"
    )
    flat = _flat(frame)
    header_lines = 1
    for col, (name, dtype) in enumerate(frame.schema.items()):
        write_cell(ws, start_row, col, name, header)
        num_format = (formats or {}).get(name) or column_format(name, dtype)
        fmt = book_format(book, num_format) if num_format else None
        values = flat[name].to_list()
        write = _cell_writer(ws, flat.schema[name])
        for row, value in enumerate(values, start=start_row + 1):
            if (
                value is not None and value == value and value != ""
            ):  # None, NaN and "" stay blank cells
                write(row, col, value, fmt)
        # A long header wraps (text_wrap) rather than widening its column past HEADER_WIDTH.
        width = max(
            [min(display_width(name), HEADER_WIDTH) + 2]
            + [display_width(v) + 2 for v in values[:200] if v is not None]
        )
        width = min(max(width, 8), 50)
        ws.set_column(col, col, width)
        header_lines = max(header_lines, -(-display_width(name) // (width - 1)))
    if header_lines > 1:  # wrapped headers: Excel and WPS do not grow a row written by xlsxwriter
        ws.set_row(start_row, 15 * header_lines + 2)
    ws.freeze_panes(start_row + 1, 0)
    if frame.width:
        ws.autofilter(start_row, 0, start_row + max(frame.height, 1), frame.width - 1)
    return ws
