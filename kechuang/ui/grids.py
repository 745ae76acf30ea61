"""Tables as pages show them: a grid with its audited CSV and Excel downloads, Chinese number and
date formats, a chart with its table below, and firm tables whose rows open the firm's 一企一档."""

from __future__ import annotations

from datetime import date

import streamlit as st

from kechuang.ui import panels
from kechuang.ui.access import audited_download, can, current_user

EMPTY_TABLE = "当前条件下暂无记录。"


def table(frame, stem: str, *, key: str, **dataframe_kwargs):
    """A table with its CSV (UTF-8 BOM) and XLSX downloads; returns st.dataframe's value.

    `frame` is a polars frame with display (Chinese) column names; `stem` comes from
    tables.file_stem(page, as_of, filters...). An empty frame shows EMPTY_TABLE instead (returns
    None). A table naming firms passes through redact.frame_for: what the grid and both files hold
    is what this role may see of named tax figures."""
    from kechuang.access import redact
    from kechuang.output import tables

    frame = redact.frame_for(current_user(), frame)

    if (
        frame.height == 0
    ):  # an empty grid would say "empty" in English, and an empty file helps nobody
        st.info(EMPTY_TABLE)
        return None
    shown = st.dataframe(frame, hide_index=True, key=key, **dataframe_kwargs)
    if can("download_firm_lists"):
        left, right, _ = st.columns([1, 1, 4])
        with left:
            audited_download(
                "下载 CSV",
                lambda: tables.csv_bytes(frame),
                f"{stem}.csv",
                "text/csv",
                key=f"{key}_csv",
            )
        with right:
            audited_download(
                "下载 Excel",
                lambda: tables.xlsx_bytes(frame),
                f"{stem}.xlsx",
                tables.XLSX_MIME,
                key=f"{key}_xlsx",
            )
    return shown


def column_formats(frame) -> dict:
    """st.dataframe column_config for a display frame: Chinese dates, thousands separators, ratios
    as 12.3%."""
    import polars as pl

    config = {}
    for name, dtype in frame.schema.items():
        if dtype == pl.Date:
            config[name] = st.column_config.DateColumn(format="YYYY年M月D日")
        elif dtype.is_float() and ("率" in name or "占比" in name):
            config[name] = st.column_config.NumberColumn(format="percent", step=0.001)
        elif dtype.is_float():
            config[name] = st.column_config.NumberColumn(format="localized", step=0.1)
        elif dtype.is_integer():
            config[name] = st.column_config.NumberColumn(format="localized", step=1)
    return config


def chart_table(fig, frame, stem: str, *, key: str) -> None:
    """A chart, then its table with CSV/Excel downloads in an expander below it."""
    st.plotly_chart(fig, key=f"{key}_chart", config={"displayModeBar": False})
    # Closed, a table's conversion and Arrow bytes were ≈ 8% of a warm page switch (issue 23).
    if box := panels.opened("数据表与下载", f"{key}_table_open"):
        with box:
            table(frame, stem, key=key, column_config=column_formats(frame), placeholder="—")


def number_formats(frame) -> dict:
    """column_formats, plus every ratio the exports recognise (e.g. 研发投入强度) as 12.3% and
    years without separators."""
    from kechuang.output import tables

    config = column_formats(frame)
    for name, dtype in frame.schema.items():
        if dtype.is_float() and tables.is_ratio_column(name):
            config[name] = st.column_config.NumberColumn(format="percent", step=0.001)
        elif dtype.is_integer() and tables.column_format(name, dtype) == tables.FORMATS["year"]:
            config[name] = st.column_config.NumberColumn(format="%d")
    return config


def firm_table(
    frame,
    stem: str,
    *,
    key: str,
    as_of: date,
    uscc_column: str = "统一社会信用代码",
    column_config: dict | None = None,
):
    """ui.table of firms (number_formats applied): selecting a row opens that firm's 一企一档
    (?uscc=...&as_of=...)."""
    event = table(
        frame,
        stem,
        key=key,
        column_config={**number_formats(frame), **(column_config or {})},
        placeholder="—",
        on_select="rerun",
        selection_mode="single-row",
    )
    rows = event.selection.rows if event else []
    if rows:
        st.switch_page(
            "views/enterprise.py",
            query_params={"uscc": frame[uscc_column][rows[0]], "as_of": as_of.isoformat()},
        )
