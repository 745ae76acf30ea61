"""Tables leaving the dashboard: CSV with a BOM (so WPS/Excel read the Chinese) and XLSX."""

from __future__ import annotations

import io
import re
from datetime import date

import polars as pl


def file_stem(page: str, as_of: date, *filters: str | None) -> str:
    """'技术合同_长沙镇_截至2026-10-31': page, filters and as-of date, safe for any file system."""
    parts = [page, *(f for f in filters if f), f"截至{as_of.isoformat()}"]
    return re.sub(r'[\\/:*?"<>|\s]+', "_", "_".join(parts))


def csv_bytes(frame: pl.DataFrame) -> bytes:
    """UTF-8 with BOM; lists and nested values as text."""
    flat = frame.with_columns(pl.col(c).cast(pl.String) for c, t in frame.schema.items() if t.is_nested())
    return "\ufeff".encode() + flat.write_csv().encode("utf-8")


def xlsx_bytes(frame: pl.DataFrame, sheet: str = "数据") -> bytes:
    """One sheet with a bold frozen header, autofilter and readable column widths."""
    import xlsxwriter

    buffer = io.BytesIO()
    with xlsxwriter.Workbook(buffer, {"in_memory": True, "remove_timezone": True}) as book:
        write_sheet(book, frame, sheet[:31])
    return buffer.getvalue()


def write_sheet(book, frame: pl.DataFrame, sheet: str, start_row: int = 0):
    """Write a frame as a formatted table into an xlsxwriter workbook; returns the worksheet."""
    ws = book.add_worksheet(sheet[:31])
    header = book.add_format({"bold": True, "bg_color": "#F2F2F2", "border": 1, "text_wrap": True, "valign": "top"})
    date_fmt = book.add_format({"num_format": "yyyy-mm-dd"})
    number_fmt = book.add_format({"num_format": "#,##0.00"})
    int_fmt = book.add_format({"num_format": "#,##0"})
    for col, (name, dtype) in enumerate(frame.schema.items()):
        ws.write(start_row, col, name, header)
        values = frame[name].to_list()
        fmt = date_fmt if dtype == pl.Date else number_fmt if dtype.is_float() else int_fmt if dtype.is_integer() else None
        for row, value in enumerate(values, start=start_row + 1):
            if value is None:
                continue
            if isinstance(value, list | dict):
                value = str(value)
            ws.write(row, col, value, fmt)
        width = max([len(str(name)) * 2] + [len(str(v)) + 2 for v in values[:200] if v is not None])
        ws.set_column(col, col, min(max(width, 8), 50))
    ws.freeze_panes(start_row + 1, 0)
    if frame.width:
        ws.autofilter(start_row, 0, start_row + max(frame.height, 1), frame.width - 1)
    return ws
