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
    current_user,
    share_view,
    user_scope,
)
from kechuang.ui.date_picker import pick_date
from kechuang.zh import fmt, labels


def data_dir() -> Path:
    return settings.current().data_dir


# The version is part of every key: a new data version opens a new database, never a stale one.
@st.cache_resource(show_spinner=False, max_entries=2)
def _county(path: str, version: str) -> Warehouse:
    wh = Warehouse(path, strict=False)
    wh.warm_up()  # the version's one-off work (clean-column checks, summaries), in a thread
    return wh


# A town scope is a schema on the county's database (its bounded views and town-sized summaries),
# not a copy of the data: 64 of them cost less than one county (issue 23: one copy per town took
# the server from 75 MB to 640 MB).
@st.cache_resource(show_spinner=False, max_entries=64, ttl=3600)
def _town_scope(path: str, scope: tuple[str, ...], version: str) -> Warehouse:
    wh = _county(path, version).scoped(frozenset(scope))
    wh.warm_up()  # its summaries, over its bounded views
    return wh


def _open(path: str, scope: tuple[str, ...] | None, version: str) -> Warehouse:
    return _county(path, version) if scope is None else _town_scope(path, scope, version)


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
    # After the open: an import thread started first holds the GIL while the server's event loop
    # should be sending the form (measured: the login form ≈ 0.2 s later).
    threading.Thread(target=_import_heavy_modules, daemon=True).start()


def _import_heavy_modules() -> None:
    for name in _HEAVY_MODULES:
        importlib.import_module(name)


_HEAVY_MODULES = (
    "kechuang.charts",  # numpy and pandas first: see kechuang/charts/__init__.py
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
    st.session_state[_RECORDS] = _records_version()
    return version


_RECORDS = "_kechuang_records_version"


def _records_version() -> tuple:
    """The work records' version (kechuang/worklog): part of every cached call's key, since
    key_enterprises_served and the 科小二 figures count the contacts recorded in the dashboard."""
    from kechuang.state import db
    from kechuang.worklog import reading

    return reading.version(db.engine())


def _records() -> tuple:
    return st.session_state.get(_RECORDS) or _records_version()


def _with_records(key: tuple, records: tuple) -> Warehouse:
    from kechuang.worklog import bridge

    return bridge.attach(_open(*key), stamp=records)


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
    return _with_records(_key(scope), _records())


@st.cache_data(show_spinner=False, max_entries=512)
def _call(module: str, name: str, key: tuple, records: tuple, args: tuple, kwargs: dict):
    func = getattr(importlib.import_module(module), name)
    return func(_with_records(key, records), *args, **kwargs)


def cached(func, *args, scope: frozenset[str] | None = None, **kwargs):
    """func(warehouse, *args, **kwargs), cached per data version, work-records version, scope and
    arguments."""
    return _call(func.__module__, func.__qualname__, _key(scope), _records(), args, kwargs)


def county_warehouse() -> Warehouse:
    """The whole county's warehouse, whoever is signed in: only to look up a firm's town before a
    record is refused or allowed (kechuang/worklog), never to show data."""
    path = str(data_dir())
    return _open(path, None, _version(path))


def open_or_stop() -> Warehouse:
    """The warehouse, or a clear message and a stop when the data directory cannot be opened."""
    try:
        pin_data_version()
        return warehouse()
    except DataError as err:
        st.error(f"无法打开数据：{fmt.md(err)}")
        st.info(
            "生成演示数据：`python -m kechuang demo-data --out data/demo`，或用环境变量 "
            "KECHUANG_DATA 指定数据目录。"
        )
        st.stop()


# -- URL state: page, as-of date and town live in the query string --------------------------


_AS_OF_NOTICE = "_kechuang_as_of_notice"


def as_of_from_url(text: str | None, latest: date) -> tuple[date, str | None]:
    """The as-of date of a link's ?as_of= and, when it was not usable, a notice saying why.

    Garbage, a date before 2015 and a date after the data's freshness all bring the view to the
    data's last day (metrics.bring_back); the text itself is never echoed (it is the link's)."""
    if not text:
        return latest, None
    try:
        asked = date.fromisoformat(text.strip())
    except ValueError:
        return latest, (
            f"链接中的截至日期无法识别（应为 2026-10-30 这样的日期），已按数据的最新日期"
            f"{fmt.cn_date(latest)}显示。"
        )
    return metrics.bring_back(asked, latest)


# Streamlit's own English controls, hidden or worded in Chinese for every page:
# - a table's toolbar (Show/hide columns, Search, Fullscreen; its CSV download is off in
#   config.toml):
#   tables are sorted by their headers and downloaded through `table`'s audited buttons;
# - the file uploader's instructions and button.
HOUSE_STYLE = """<style>
@media (max-width: 640px) {
  [data-testid="stMainBlockContainer"] { padding: 3.75rem 1rem 2rem 1rem !important; }
}
[data-testid="stElementToolbar"] { display: none !important; }
[data-testid="stFileUploaderDropzoneInstructions"] > div > span,
[data-testid="stFileUploaderDropzoneInstructions"] > div > small { display: none; }
[data-testid="stFileUploaderDropzoneInstructions"] > div::after {
  content: "可把文件拖入此框（CSV、Excel、Parquet）"; font-size: 14px; }
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p {
  display: none; }
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"]::after {
  content: "选择文件"; }
</style>"""


# On a phone the sidebar covers 300 of 390 px and Streamlit leaves it open after a page is tapped:
# close it once a page link in it is tapped (Streamlit's breakpoint for the overlay sidebar is
# 768 px).
# The listener is added once per browser tab; the script is ours (no text from data or a URL in it).
CLOSE_SIDEBAR_ON_NAVIGATION = """<script>
if (!window.kechuangSidebarCloser) {
  window.kechuangSidebarCloser = true;
  document.addEventListener("click", (event) => {
    if (window.innerWidth >= 768 || !event.target.closest('[data-testid="stSidebarNav"] a')) return;
    setTimeout(() => {
      const close = document.querySelector(
        '[data-testid="stSidebar"] [data-testid="stSidebarCollapseButton"] button');
      if (close) close.click();
    }, 50);
  }, true);
}
</script>"""


def house_style() -> None:
    st.html(HOUSE_STYLE)
    st.html(CLOSE_SIDEBAR_ON_NAVIGATION, unsafe_allow_javascript=True)


def render_filters(wh: Warehouse) -> tuple[date, str | None]:
    """Draw the global as-of date and town in the sidebar; called by app.py on every run.

    The widgets live in the entry point, not in a page, so their state survives page switches
    (a page's widgets are forgotten when another page runs). Seeded from the URL once, written
    back to the URL on every run, so page, as-of date and town always make a deep link."""
    house_style()
    view = share_view()
    if view is not None:  # a share link fixes the view: no filters to change
        st.session_state[_FILTERS] = (view.as_of, view.town)
        return st.session_state[_FILTERS]
    latest = cached(metrics.default_as_of)  # the county's freshness, the same for every account
    if "as_of" not in st.session_state or not (
        metrics.EARLIEST_AS_OF <= st.session_state.as_of <= latest
    ):
        asked = st.query_params.get("as_of") if "as_of" not in st.session_state else None
        st.session_state.as_of, notice = as_of_from_url(asked, latest)
        if notice:
            st.session_state[_AS_OF_NOTICE] = notice
    if notice := st.session_state.pop(_AS_OF_NOTICE, None):
        st.warning(notice, icon=":material/event_busy:")
    allowed = user_scope()
    # A town officer picks among their own towns only; "whole county" would be a county label on
    # their towns' rows.
    towns = sorted(allowed) if allowed is not None else [ALL_TOWNS, *cached(_towns)]
    if "town" not in st.session_state or st.session_state.town not in towns:
        wanted = st.query_params.get("town", towns[0] if towns else ALL_TOWNS)
        st.session_state.town = wanted if wanted in towns else towns[0]
        if wanted not in towns:
            # A town officer is not told the other town's name back, nor whether it exists.
            url_notice(
                (
                    "链接中的镇区不在本账户的范围内"
                    if allowed is not None
                    else f"链接中的镇区“{echo(wanted)}”在数据中不存在"
                )
                + f"，已显示“{st.session_state.town}”。"
            )
    unknown_url_params()
    with st.sidebar:
        as_of = pick_date(  # not st.date_input: its calendar speaks English
            "截至日期",
            key="as_of",
            min_value=metrics.EARLIEST_AS_OF,
            max_value=latest,  # no day after the data: pace is never judged on days without data
            help=f"数据截至{fmt.cn_date(latest)}，可选日期不晚于此日",
        )
        town = st.selectbox("镇区", towns, key="town")
    st.query_params["as_of"] = as_of.isoformat()
    if town == ALL_TOWNS:
        st.query_params.pop("town", None)
    else:
        st.query_params["town"] = town
    st.session_state[_FILTERS] = (as_of, None if town == ALL_TOWNS else town)
    return st.session_state[_FILTERS]


# What the app reads from a URL; Streamlit's own embed parameters are left alone.
URL_PARAMS = frozenset({"as_of", "town", "uscc", "share", "metric", "embed", "embed_options"})
URL_ECHO = 40  # characters of a bad value repeated in a notice


def url_notice(text: str) -> None:
    """One notice about a URL parameter the app could not use (escaped: it repeats the URL)."""
    st.warning(fmt.md(text), icon=":material/link_off:")


def echo(value: str) -> str:
    """A bad value from the URL as a notice repeats it: at most URL_ECHO characters."""
    return value if len(value) <= URL_ECHO else value[:URL_ECHO] + "…"


def unknown_url_params() -> None:
    """Parameters the app does not know are named once and removed from the URL."""
    unknown = sorted(k for k in st.query_params if k not in URL_PARAMS)
    if unknown:
        url_notice(f"链接中的参数 {'、'.join(echo(k) for k in unknown)} 无法识别，已忽略。")
        for k in unknown:
            del st.query_params[k]


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


def town_standing(as_of: date, town: str):
    """The town against the county's towns (models.overview.town_standing), for any account that
    may see the town — a town officer included, though their warehouse holds only their towns.

    Decided (README, Access control): rank and share of county are aggregates a town officer may
    see; they are computed on the county's data here and nothing else of other towns leaves it."""
    allowed = user_scope()
    if allowed is not None and town not in allowed:
        return []
    path = str(data_dir())
    county = (path, None, _version(path))
    return _call("kechuang.models.overview", "town_standing", county, _records(), (as_of, town), {})


def target_list(rows, note: str = "点击一项查看明细") -> None:
    """The compact target list (charts.target_list): one row per target, details on a tap."""
    from kechuang.charts import target_list as tl

    st.html(tl.html(rows, note))


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
            st.error(f"{contract.TABLE_LABELS[name]}：{fmt.md(info.problem)}")


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
                f"序时应完成 {fmt.pace_text(p.expected, p.unit)}",
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
        if wanted is not None and wanted not in options:
            url_notice(
                f"链接中的{label}“{echo(wanted)}”无效，已显示“{format_func(st.session_state[key])}”。"
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
