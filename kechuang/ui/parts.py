"""What pages are drawn with: the cached warehouse and calls, URL state, filters, tables, cards and
charts' frames.

Reached as `ui.<name>` (kechuang/ui/__init__.py loads this module on first use)."""

from __future__ import annotations

import importlib
import threading
from datetime import date
from pathlib import Path

import streamlit as st

from kechuang import settings
from kechuang.engine import contract, metrics
from kechuang.engine.warehouse import DataError, Warehouse, data_version
from kechuang.ui.access import (
    _FILTERS,
    ALL_TOWNS,
    audited_download,
    can,
    share_view,
    user_scope,
)
from kechuang.zh import fmt, labels


def data_dir() -> Path:
    return settings.current().data_dir


@st.cache_resource(show_spinner=False, max_entries=32)
def _open(path: str, scope: tuple[str, ...] | None, version: str) -> Warehouse:
    # The version is part of the key: a new data version opens a new warehouse, never a stale one.
    wh = Warehouse(path, frozenset(scope) if scope is not None else None, strict=False)
    # The version's one-off work (clean-column checks, summaries) in a background thread.
    wh.warm_up()
    return wh


def prepare_in_background() -> None:
    """While the login page shows: open the county warehouse (its warm-up starts) and import the
    chart modules.

    Called after the form is drawn. Nothing is read for anyone here; the first page after login
    then finds the work done. (Measured: doing the open and this module's import in a thread
    instead made the login page slower to appear, ≈ 2.2 s against ≈ 1.7 s.)"""
    try:
        path = str(data_dir())
        _open(path, None, data_version(path))
    except Exception:  # a data problem is reported by open_or_stop after login, with its message
        pass
    threading.Thread(
        target=lambda: [importlib.import_module(m) for m in _HEAVY_MODULES], daemon=True
    ).start()


_HEAVY_MODULES = (
    "plotly.graph_objects",
    "kechuang.charts.overview",
    "kechuang.models.overview",
    "kechuang.output.summary",
)


_PINNED = "_kechuang_data_version"


def pin_data_version() -> str:
    """Fix the data version for this script run (open_or_stop calls it at the top of every page)."""
    path = str(data_dir())
    version = data_version(path)
    st.session_state[_PINNED] = (path, version)
    return version


def _version(path: str) -> str:
    # Pinned once per run, so an ingest landing mid-run never mixes two data versions on one page;
    # the next run pins the new version (no restart needed). Cached warehouses read the resolved,
    # immutable files.
    pinned = st.session_state.get(_PINNED)
    return pinned[1] if pinned and pinned[0] == path else data_version(path)


def _key(scope: frozenset[str] | None = None) -> tuple[str, tuple[str, ...] | None, str]:
    # The signed-in user's towns bound every warehouse this session opens: a page asking for the
    # whole county, or a URL naming another town, still gets only the user's towns.
    allowed = user_scope()
    if allowed is not None:
        scope = allowed if scope is None else frozenset(scope) & allowed
    path = str(data_dir())
    return path, tuple(sorted(scope)) if scope is not None else None, _version(path)


def warehouse(scope: frozenset[str] | None = None) -> Warehouse:
    """The warehouse of the configured data directory (optionally restricted to towns)."""
    return _open(*_key(scope))


@st.cache_data(show_spinner=False, max_entries=512)
def _call(module: str, name: str, key: tuple, args: tuple, kwargs: dict):
    func = getattr(importlib.import_module(module), name)
    return func(_open(*key), *args, **kwargs)


def cached(func, *args, scope: frozenset[str] | None = None, **kwargs):
    """func(warehouse, *args, **kwargs), cached per data version, scope and arguments."""
    return _call(func.__module__, func.__qualname__, _key(scope), args, kwargs)


def open_or_stop() -> Warehouse:
    """The warehouse, or a clear message and a stop when the data directory cannot be opened."""
    try:
        pin_data_version()
        return warehouse()
    except DataError as err:
        st.error(f"无法打开数据：{err}")
        st.info(
            "生成演示数据：`python -m kechuang demo-data --out data/demo`，或用环境变量 "
            "KECHUANG_DATA 指定数据目录。"
        )
        st.stop()


# -- URL state: page, as-of date and town live in the query string --------------------------


def _url_date(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def render_filters(wh: Warehouse) -> tuple[date, str | None]:
    """Draw the global as-of date and town in the sidebar; called by app.py on every run.

    The widgets live in the entry point, not in a page, so their state survives page switches
    (a page's widgets are forgotten when another page runs). Seeded from the URL once, written
    back to the URL on every run, so page, as-of date and town always make a deep link."""
    view = share_view()
    if view is not None:  # a share link fixes the view: no filters to change
        st.session_state[_FILTERS] = (view.as_of, view.town)
        return st.session_state[_FILTERS]
    latest = cached(metrics.default_as_of)
    if "as_of" not in st.session_state:
        st.session_state.as_of = _url_date(st.query_params.get("as_of")) or latest
    allowed = user_scope()
    # A town officer picks among their own towns only; "whole county" would be a county label on
    # their towns' rows.
    towns = sorted(allowed) if allowed is not None else [ALL_TOWNS, *cached(_towns)]
    if "town" not in st.session_state or st.session_state.town not in towns:
        wanted = st.query_params.get("town", towns[0] if towns else ALL_TOWNS)
        st.session_state.town = wanted if wanted in towns else towns[0]
    with st.sidebar:
        as_of = st.date_input(
            "截至日期",
            key="as_of",
            min_value=date(2015, 1, 1),
            max_value=max(latest, date.today()),
            format="YYYY/MM/DD",
        )
        town = st.selectbox("镇区", towns, key="town")
    st.query_params["as_of"] = as_of.isoformat()
    if town == ALL_TOWNS:
        st.query_params.pop("town", None)
    else:
        st.query_params["town"] = town
    st.session_state[_FILTERS] = (as_of, None if town == ALL_TOWNS else town)
    return st.session_state[_FILTERS]


def sidebar_filters(wh: Warehouse) -> tuple[date, str | None]:
    """The global (as-of date, town or None) that app.py drew for this run."""
    if _FILTERS not in st.session_state:  # a page run on its own, without app.py
        return render_filters(wh)
    return st.session_state[_FILTERS]


def towns() -> list[str]:
    """The towns in the data this session may see."""
    return cached(_towns)


def _towns(wh: Warehouse) -> list[str]:
    return wh.query("towns")["town"].to_list()


def town_scope(town: str | None) -> frozenset[str] | None:
    return frozenset({town}) if town else None


# -- shared display pieces ----------------------------------------------------------------


def freshness(wh: Warehouse) -> None:
    """Which sources are present, how current each is, and which are absent."""
    rows = cached(_freshness)
    absent = [r for r in rows if not r["available"]]
    if absent:
        names = "、".join(
            f"{contract.TABLE_LABELS[r['table_name']]}（{r['table_name']}）" for r in absent
        )
        st.warning(f"以下数据暂缺，相关指标显示为“—”：{names}")
    for name, info in wh.tables.items():
        if info.problem:
            st.error(f"{contract.TABLE_LABELS[name]}：{info.problem}")


def _freshness(wh: Warehouse) -> list[dict]:
    return wh.query("data_freshness").to_dicts()


# Tables kept by year: their latest date is a year (data_freshness.sql stores it as 31 December).
_YEARLY_TABLES = {
    "tax_annual",
    "stats_annual",
    "tech_sme_registry",
    "key_enterprises",
    "cultivation",
}


def _latest_label(row: dict) -> str:
    if not row["available"]:
        return "暂缺"
    if row["latest_on"] is not None and row["table_name"] in _YEARLY_TABLES:
        return f"{row['latest_on'].year}年度"
    return fmt.cn_date(row["latest_on"])


def freshness_table(wh: Warehouse):
    rows = cached(_freshness)
    return [
        {
            "数据": contract.TABLE_LABELS[r["table_name"]],
            "行数": fmt.num(r["n_rows"]) if r["available"] else "—",
            "数据截至": _latest_label(r),
        }
        for r in rows
    ]


def status_badge(status: str | None) -> str:
    """A status in words and colour (never colour alone), as Markdown."""
    colour = {"on_track": "green", "at_risk": "orange", "behind": "red"}.get(status, "gray")
    return f":{colour}-badge[{labels.STATUS_LABELS[status]}]"


EMPTY_TABLE = "当前条件下暂无记录。"


def table(frame, stem: str, *, key: str, **dataframe_kwargs):
    """A table with its CSV (UTF-8 BOM) and XLSX downloads; returns st.dataframe's value.

    `frame` is a polars frame with display (Chinese) column names; `stem` comes from
    tables.file_stem(page, as_of, filters...). An empty frame shows EMPTY_TABLE instead (returns
    None)."""
    from kechuang.output import tables

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


# -- programme pages: headline cards, charts with their tables, absent-data notes -------------


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


def absent(tables: list[str], what: str = "本节") -> None:
    """The note shown in place of a section whose data is absent (its figures read “—”)."""
    st.info(f"{what}暂无数据（显示为“—”）：缺少{contract.table_names(tables, with_ids=True)}。")


def progress_card(
    p: metrics.Progress, title: str | None = None, no_target: str = "跟踪指标"
) -> None:
    """One target's actual, target, expected-by-now, status in words and a progress bar (compact on
    a phone).

    `no_target` is the badge shown when there is no target (e.g. "镇区无分解目标" under a town
    filter)."""
    with st.container(border=True):
        badge = status_badge(p.status) if p.target is not None else f":gray-badge[{no_target}]"
        st.markdown(f"**{title or p.label}**　{badge}")
        st.metric("完成", fmt.amount(p.actual, p.unit))
        parts = (
            [
                f"年度目标 {fmt.amount(p.target, p.unit)}",
                f"序时应完成 {fmt.amount(p.expected, p.unit)}",
            ]
            if p.target is not None
            else []
        )
        if p.projected is not None:
            parts.append(f"预计全年 {fmt.amount(p.projected, p.unit)}")
        if parts:
            st.caption(" · ".join(parts))
        if p.share_of_target is not None:
            st.progress(
                min(max(p.share_of_target, 0.0), 1.0),
                text=f"完成年度目标 {fmt.pct(p.share_of_target)}",
            )
        if p.missing_tables:
            st.caption(contract.missing_note(p.missing_tables))


def chart_table(fig, frame, stem: str, *, key: str) -> None:
    """A chart, then its table with CSV/Excel downloads in an expander below it."""
    st.plotly_chart(fig, key=f"{key}_chart", config={"displayModeBar": False})
    with st.expander("数据表与下载"):
        table(frame, stem, key=key, column_config=column_formats(frame), placeholder="—")


def url_choice(
    label: str,
    options: list[str],
    *,
    key: str,
    param: str,
    format_func=str,
    default: str | None = None,
) -> str:
    """A selectbox whose choice lives in the URL query string (?param=...), seeded from it once."""
    if key not in st.session_state or st.session_state[key] not in options:
        wanted = st.query_params.get(param)
        st.session_state[key] = (
            wanted if wanted in options else (default if default in options else options[0])
        )
    choice = st.selectbox(label, options, key=key, format_func=format_func)
    st.query_params[param] = choice
    return choice


# -- analyst workbench: firm tables whose rows open the firm's 一企一档 ----------------------------


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
