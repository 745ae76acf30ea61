"""The worklist sheets: 高企候选, 差一项企业, 研发清零分镇区 (with a chart), 研发清零清单,
重点企业未走访, and the work records' 本月走访记录 and 培育阶段."""

from __future__ import annotations

import polars as pl

from kechuang.engine import contract, metrics, screening, worklists
from kechuang.output.workbook.sheet import (
    CANDIDATES,
    FOLLOW_UP_CONTACTS,
    FOLLOW_UP_FUNNEL,
    NEAR_MISSES,
    RD_TOWNS,
    RD_WORKLIST,
    TABLE_ROW,
    UNVISITED,
    Context,
    table_names,
)
from kechuang.worklog import briefing
from kechuang.zh import fmt

NO_TOWN = "镇区不详"
SCREEN_TABLES = ("enterprises", "tax_annual")  # without these nothing can be screened
SCREEN_OPTIONAL = (
    "stats_annual",
    "patents",
    "hnte_certificates",
)  # without these some criteria are unknown
CANDIDATE_COLUMNS = [
    "uscc",
    "name",
    "town",
    "industry_code",
    "established_on",
    "revenue_y_wan",
    "rd_intensity",
    "intensity_threshold",
    "rd_staff_ratio",
    "revenue_growth",
    "n_valid_ip",
    "score",
]
NEAR_MISS_COLUMNS = [
    "uscc",
    "name",
    "town",
    "missed_criterion",
    "missed_status",
    "gap_text",
    "revenue_y_wan",
    "rd_intensity",
    "rd_staff_ratio",
    "revenue_growth",
    "n_valid_ip",
    "score",
]
RD_WORKLIST_COLUMNS = [
    "town",
    "uscc",
    "name",
    "industry_code",
    "revenue_wan",
    "has_rd_institution",
    "last_visited_on",
    "last_service_type",
    "last_visit_team",
]
UNVISITED_COLUMNS = ["town", "uscc", "name", "team", "focus", "last_visited_before_year_on"]
SCORE = {contract.column_label("score"): "0.0"}


def _screen_note(ctx: Context) -> str:
    missing = ctx.wh.missing(*SCREEN_OPTIONAL)
    unknown = (
        f"缺少 {table_names(missing)}，相关条件按“数据缺失”处理（不通过）。" if missing else ""
    )
    return unknown + "以下条件无法用部门数据核验：" + "；".join(screening.NOT_CHECKED) + "。"


def candidates_sheet(ctx: Context) -> None:
    title = "高新技术企业培育候选（六项条件全部通过）"
    if missing := ctx.wh.missing(*SCREEN_TABLES):
        return ctx.absent(CANDIDATES, title, missing)
    ctx.screened = ctx.result(
        "screened", lambda: screening.candidates_and_near_misses(ctx.wh, ctx.as_of)
    )
    frame = ctx.screened.filter(pl.col("candidate"))
    ctx.table(
        CANDIDATES,
        title,
        contract.for_display(frame, CANDIDATE_COLUMNS),
        f"共 {frame.height} 家。" + _screen_note(ctx),
        SCORE,
    )


def near_misses_sheet(ctx: Context) -> None:
    title = "仅差一项条件的企业"
    if missing := ctx.wh.missing(*SCREEN_TABLES):
        return ctx.absent(NEAR_MISSES, title, missing)
    frame = screening.near_misses(ctx.wh, ctx.as_of, screened=ctx.screened).with_columns(
        pl.col("missed_criterion").replace_strict(screening.CRITERIA, return_dtype=pl.String)
    )
    ctx.table(
        NEAR_MISSES,
        title,
        contract.for_display(frame, NEAR_MISS_COLUMNS),
        f"共 {frame.height} 家。" + _screen_note(ctx),
        SCORE,
    )


def rd_sheets(ctx: Context) -> None:
    title_towns, title_list = (
        "亿元以上制造业企业研发活动覆盖率（分镇区）",
        "研发活动清零清单（按镇区）",
    )
    if missing := ctx.wh.missing(*metrics.METRIC_BY_ID["rd_coverage"].tables):
        ctx.absent(RD_TOWNS, title_towns, missing)
        return ctx.absent(RD_WORKLIST, title_list, missing)
    rd = ctx.shared.rd_coverage(ctx.wh, ctx.as_of)
    year = f"参考年度 {rd.reference_year} 年；" if rd.reference_year else ""
    towns = rd.by_town().with_columns(pl.col("town").fill_null(NO_TOWN))
    note = (
        f"{year}全部 {rd.n_population} 家，有研发活动 {rd.n_active} 家，覆盖率 "
        f"{fmt.pct(rd.coverage)}。"
    )
    ws = ctx.table(
        RD_TOWNS,
        title_towns,
        contract.for_display(
            towns, ["town", "n_population", "n_active", "coverage_ratio", "n_worklist"]
        ),
        note,
    )
    if towns.height:
        last = TABLE_ROW + towns.height
        chart = ctx.book.add_chart({"type": "column"})
        chart.add_series(
            {
                "name": contract.column_label("n_worklist"),
                "categories": [RD_TOWNS, TABLE_ROW + 1, 0, last, 0],
                "values": [RD_TOWNS, TABLE_ROW + 1, 4, last, 4],
                "fill": {"color": "#C62828"},
                "data_labels": {"value": True},
            }
        )
        chart.set_title({"name": "待清零企业数（分镇区）", "name_font": {"size": 12}})
        chart.set_y_axis(
            {
                "name": "家",
                "num_format": "0",
                "major_gridlines": {"visible": True, "line": {"color": "#E0E0E0"}},
            }
        )
        chart.set_legend({"none": True})
        chart.set_size({"width": 640, "height": 320})
        ws.insert_chart(TABLE_ROW + 1, 6, chart)
    worklist = rd.worklist.with_columns(pl.col("town").fill_null(NO_TOWN))
    note = (
        f"{year}共 {worklist.height} 家尚无研发活动（统计年报研发经费支出与加计扣除研发费用均不"
        "大于0），按镇区排列。"
    )
    ctx.table(RD_WORKLIST, title_list, contract.for_display(worklist, RD_WORKLIST_COLUMNS), note)


def unvisited_sheet(ctx: Context) -> None:
    title = f"{ctx.as_of.year}年尚未走访的“一企一策”重点企业"
    frame = ctx.result("unvisited", lambda: worklists.key_enterprises_unvisited(ctx.wh, ctx.as_of))
    if frame is None:
        return ctx.absent(UNVISITED, title, ctx.wh.missing("key_enterprises", "service_visits"))
    frame = frame.rename({"last_visited_on": "last_visited_before_year_on"})
    ctx.table(
        UNVISITED,
        title,
        contract.for_display(frame, UNVISITED_COLUMNS),
        f"共 {frame.height} 家，按镇区排列。",
    )


def follow_up_sheets(ctx: Context) -> briefing.FollowUp:
    """The month's recorded contacts by town and the stage funnel (kechuang/worklog/briefing.py)."""
    found = briefing.follow_up(ctx.wh, ctx.as_of)
    month = f"{found.month.year}年{found.month.month}月"
    note = (
        "驾驶舱中记录的联系（更正后的记录计一次）；"
        "与“科小二”走访文件同一天同类别的记录已计入走访数据。"
    )
    ctx.table(FOLLOW_UP_CONTACTS, f"{month}走访、宣传、辅导（分镇区）", found.contacts_table, note)
    ctx.table(FOLLOW_UP_FUNNEL, "培育阶段", found.funnel_table, "未记录阶段的企业计入第一阶段。")
    return found
