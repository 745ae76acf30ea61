"""The Word/PDF briefing's tables that are lists: appendix tables, data sources, the month's
contacts.

Kept apart from kechuang.models.briefing (the narrative and the charts) to keep each module one
size.
"""

from __future__ import annotations

import importlib
from datetime import date

import polars as pl

from kechuang.engine import contract, metrics, screening
from kechuang.engine.metrics import METRIC_BY_ID
from kechuang.engine.warehouse import Warehouse
from kechuang.output import document
from kechuang.output.document import Block, Paragraph, Table
from kechuang.output.workbook.lists import NO_TOWN, SCREEN_TABLES
from kechuang.zh import fmt


def candidates(wh: Warehouse, as_of: date, shown: int, viewer=None) -> Block:
    """附表1: the candidates passing all six criteria, best score first, the first `shown`.

    `viewer` without named tax figures (redact.allowed) gets each firm's revenue as a band."""
    from kechuang.access import redact

    banded = viewer is not None and not redact.allowed(viewer)
    caption = f"附表1　高新技术企业培育候选（评分前{shown}家）"
    if missing := wh.missing(*SCREEN_TABLES):
        return Paragraph(f"{caption}：缺少数据{_names(missing)}，无法筛选。")
    found = (
        screening.candidates_and_near_misses(wh, as_of)
        .filter(pl.col("candidate"))
        .sort(["score", "uscc"], descending=[True, False])
    )
    if found.height == 0:
        return Paragraph(f"{caption}：六项条件全部通过的企业暂无。")
    top = found.head(shown)
    rows = [
        [
            str(i),
            r["name"] or "—",
            r["town"] or "—",
            (redact.band(r["revenue_y_wan"]) or "—") if banded else fmt.num(r["revenue_y_wan"], 1),
            fmt.pct(r["rd_intensity"]),
            fmt.num(r["n_valid_ip"]),
            fmt.num(r["score"], 1),
        ]
        for i, r in enumerate(top.iter_rows(named=True), start=1)
    ]
    header = [
        "序号",
        "企业名称",
        "镇区",
        "营业收入（区间）" if banded else "营业收入（万元）",
        "研发强度",
        "有效知识产权",
        "评分",
    ]
    note = f"注：六项条件全部通过的企业共{found.height}家，按培育评分列前{shown}家。"
    return Table(caption, header, rows, [1.0, 5.1, 2.4, 2.1, 1.6, 1.8, 1.6], "clcrrrr", note=note)


def rd_worklist(wh: Warehouse, as_of: date) -> Block:
    """附表2: the 清零 worklist, a row per town: its coverage and the firms still without R&D."""
    caption = "附表2　亿元以上制造业企业研发活动清零清单（按镇区）"
    if missing := wh.missing(*METRIC_BY_ID["rd_coverage"].tables):
        return Paragraph(f"{caption}：缺少数据{_names(missing)}。")
    rd = metrics.rd_coverage(wh, as_of)
    if rd.n_population == 0:
        return Paragraph(f"{caption}：暂无亿元以上制造业企业。")
    names = (
        rd.worklist.with_columns(pl.col("town").fill_null(NO_TOWN))
        .group_by("town", maintain_order=True)
        .agg(pl.col("name").fill_null("—"))
    )
    by_town = dict(names.iter_rows())
    rows = [
        [
            r["town"] or NO_TOWN,
            fmt.num(r["n_population"]),
            fmt.num(r["n_active"]),
            fmt.pct(r["coverage_ratio"]),
            fmt.num(r["n_worklist"]),
            "、".join(by_town.get(r["town"] or NO_TOWN, [])) or "—",
        ]
        for r in rd.by_town().iter_rows(named=True)
    ]
    note = (
        f"注：参考年度{rd.reference_year or '—'}年。"
        f"全部亿元以上制造业企业{fmt.num(rd.n_population)}家，"
        f"有研发活动{fmt.num(rd.n_active)}家，覆盖率{fmt.pct(rd.coverage)}；"
        f"尚无研发活动{fmt.num(rd.worklist.height)}家，名单按镇区列示。"
    )
    header = ["镇区", "企业数", "有研发活动", "覆盖率", "待清零", "待清零企业名单"]
    widths = [2.6, 1.3, 1.6, 1.8, 1.4, 6.9]
    return Table(caption, header, rows, widths, "lrrrrl", note=note)


def sources(wh: Warehouse) -> Paragraph:
    """数据来源: the department data present."""
    fresh = wh.query("data_freshness").filter(pl.col("available"))
    names = "、".join(contract.TABLE_LABELS[t] for t in fresh["table_name"].to_list())
    return Paragraph(
        f"{names or '无'}。同一截至日期与范围，“简报导出”页的 Word、PDF、Excel 简报与"
        " python -m kechuang export 的数字相同。",
        lead="数据来源：",
        note=True,
    )


def _names(tables: list[str]) -> str:
    return "、".join(contract.TABLE_LABELS[t] for t in tables)


def work(contacts: pl.DataFrame, caption: str) -> Table:
    """本月工作情况: the work records' frame as it comes (first column the town)."""
    header = [str(c) for c in contacts.columns]
    rows = [["—" if v is None else str(v) for v in r] for r in contacts.iter_rows()]
    width = document.TEXT_WIDTH_CM / max(len(header), 1)
    return Table(caption, header, rows, [width] * len(header))


def month_contacts(wh: Warehouse, as_of: date) -> pl.DataFrame | None:
    """Hook for the work records (issue 21): the as-of month's contacts by town; None until then.

    Looks for kechuang.worklog.month_contacts_by_town(wh, as_of) -> a frame, one row per town (first
    column the town, then counts with Chinese headers, e.g. 走访/宣传/辅导/合计). While the module
    or the
    function is absent the briefing has no 本月工作情况 section."""
    try:
        worklog = importlib.import_module("kechuang.worklog")
    except ModuleNotFoundError as err:
        if err.name != "kechuang.worklog":  # the module exists but is broken: say so
            raise
        return None
    by_town = getattr(worklog, "month_contacts_by_town", None)
    return None if by_town is None else by_town(wh, as_of)
