"""briefing_workbook: the sheets written in order into one XLSX, every query of the workbook
started at once on the prefetch threads."""

from __future__ import annotations

import io
from concurrent.futures import Future
from datetime import date, datetime
from pathlib import Path

from kechuang.engine import metrics, prefetch, screening, worklists
from kechuang.engine.plan import Plan, load_plan
from kechuang.engine.warehouse import Warehouse
from kechuang.output import summary, tables
from kechuang.output.workbook.cover import cover_sheet
from kechuang.output.workbook.lists import (
    SCREEN_TABLES,
    candidates_sheet,
    follow_up_sheets,
    near_misses_sheet,
    rd_sheets,
    unvisited_sheet,
)
from kechuang.output.workbook.progress import progress_sheet
from kechuang.output.workbook.series import programme_sheet, programmes
from kechuang.output.workbook.sheet import (
    CANDIDATES,
    COVER,
    FOLLOW_UP_CONTACTS,
    FOLLOW_UP_FUNNEL,
    NEAR_MISSES,
    PROGRESS,
    RD_TOWNS,
    RD_WORKLIST,
    TITLE,
    UNVISITED,
    Context,
)
from kechuang.worklog import briefing
from kechuang.zh import fmt


class UnknownTown(ValueError):
    """A town that does not appear in the enterprise register."""


def _towns(wh: Warehouse) -> list[str]:
    return wh.query("towns")["town"].to_list()


def briefing_workbook(
    wh: Warehouse,
    as_of: date,
    town: str | None = None,
    out: str | Path | None = None,
    *,
    generated_at: datetime | None = None,
    viewer=None,
) -> bytes:
    """The briefing workbook for the as-of date and scope (a town or the county) as XLSX bytes;
    also written to out.

    `viewer`: the account it is made for (auth.User): tables naming firms pass through
    redact.frame_for, so a role without named tax figures gets bands. None: the server's
    operator."""
    if town is not None and town not in _towns(wh):
        known = "、".join(_towns(wh)) or "（登记数据中没有镇区）"
        raise UnknownTown(f"未知镇区：{town}。可选镇区：{known}")
    generated_at = (generated_at or datetime.now()).replace(microsecond=0)
    scoped = wh if town is None or wh.scope == frozenset({town}) else wh.scoped({town})
    try:
        data = _build(scoped, as_of, town, load_plan(as_of.year), generated_at, viewer)
    finally:
        if scoped is not wh:
            scoped.close()
    if out is not None:
        Path(out).write_bytes(data)
    return data


def _build(
    wh: Warehouse,
    as_of: date,
    town: str | None,
    plan: Plan | None,
    generated_at: datetime,
    viewer=None,
) -> bytes:

    scope_label = town or ("、".join(sorted(wh.scope)) if wh.scope else summary.COUNTY)
    shared = (
        prefetch.Shared()
    )  # each metric's events and rd_coverage fetched once for the whole workbook
    # The workbook's other questions do not depend on the metrics: they start first, on the same
    # prefetch threads, so every query of the workbook runs in one parallel batch (each sheet then
    # waits for its own result).
    workers = prefetch.pool()
    jobs = {
        "screened": workers.submit(screening.candidates_and_near_misses, wh, as_of)
        if not wh.missing(*SCREEN_TABLES)
        else None,
        "unvisited": workers.submit(worklists.key_enterprises_unvisited, wh, as_of),
        "freshness": workers.submit(wh.query, "data_freshness"),
    }
    try:
        return _write(wh, as_of, town, plan, generated_at, scope_label, shared, jobs, viewer)
    finally:  # on an error, no query may outlive the call (a town's warehouse is closed after it)
        for job in jobs.values():
            if job is not None:
                job.exception()


def _write(
    wh: Warehouse,
    as_of: date,
    town: str | None,
    plan: Plan | None,
    generated_at: datetime,
    scope_label: str,
    shared: prefetch.Shared,
    jobs: dict[str, Future | None],
    viewer=None,
) -> bytes:
    rows = metrics.progress(wh, as_of, plan, shared)
    buffer = io.BytesIO()
    book = tables.new_workbook(buffer)
    book.set_properties(
        {
            "title": f"{TITLE}（{scope_label}，截至{fmt.cn_date(as_of)}）",
            "author": "如东科创驾驶舱",
            "company": "如东县科学技术局",
            "created": generated_at,
        }
    )
    ctx = Context(book, wh, as_of, scope_label, plan, shared)
    ctx.jobs = jobs
    if viewer is not None:
        from kechuang.access import redact

        ctx.seen = lambda frame: redact.frame_for(viewer, frame)
    cover = book.add_worksheet(COVER)
    contents = [(PROGRESS, "每项目标的完成、年度目标、完成比例、序时进度、预计全年与状态")]
    progress_sheet(ctx, rows)
    for name, ids in programmes(plan):
        contents.append(
            (
                name,
                "月度累计完成与序时进度：" + "、".join(metrics.METRIC_BY_ID[i].label for i in ids),
            )
        )
        programme_sheet(ctx, name, ids)
    contents += [
        (CANDIDATES, "六项条件全部通过的高新技术企业培育候选"),
        (NEAR_MISSES, "仅差一项条件的企业及差距"),
        (RD_TOWNS, "亿元以上制造业企业研发活动覆盖率分镇区"),
        (RD_WORKLIST, "尚无研发活动的亿元以上制造业企业（清零清单）"),
        (UNVISITED, "年内尚未走访的“一企一策”重点企业"),
        (FOLLOW_UP_CONTACTS, "本月驾驶舱记录的走访、宣传、辅导，分镇区"),
        (FOLLOW_UP_FUNNEL, "高企培育、研发活动清零清单上企业的培育阶段"),
    ]
    candidates_sheet(ctx)
    near_misses_sheet(ctx)
    rd_sheets(ctx)
    unvisited_sheet(ctx)
    follow_up = follow_up_sheets(ctx)
    text = summary.compose(rows, as_of, plan, scope_label, town_scope=wh.scope is not None)
    cover_sheet(ctx, cover, f"{text}\n{briefing.paragraph(follow_up)}", generated_at, contents)
    book.close()
    return buffer.getvalue()
