"""The work records in the briefing (workbook, 简报文字, and the Word briefing of issue 22): the
month's contacts by town and the stage funnel, as frames and as one paragraph. Month = the as-of
date's month."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl

from kechuang.engine.warehouse import Warehouse
from kechuang.worklog import county, lists, rules, texts
from kechuang.zh import fmt


@dataclass(frozen=True)
class FollowUp:
    """What a briefing says about the work records for a warehouse's scope and month."""

    month: date  # the first day of the month
    contacts: pl.DataFrame  # county.contacts_by_town
    funnel: pl.DataFrame  # county.stage_funnel over the lists' firms
    untouched: pl.DataFrame  # county.untouched: towns whose lists nobody worked for 30 days
    today: date  # the end of those 30 days (as on 总览 and 跟踪台账: today, not the as-of date)

    @property
    def contacts_table(self) -> pl.DataFrame:
        return texts.contacts_table(self.contacts)

    @property
    def funnel_table(self) -> pl.DataFrame:
        return texts.funnel_table(self.funnel)


def follow_up(
    wh: Warehouse,
    as_of: date,
    records: county.Records | None = None,
    today: date | None = None,
) -> FollowUp:
    """The month's contacts by town, the funnel and the untouched towns of the warehouse's scope
    (a town's, or the county's)."""
    records = records or county.snapshot()
    today = today or rules.today()
    members = lists.members(wh, as_of)
    return FollowUp(
        as_of.replace(day=1),
        county.contacts_by_town(as_of, records=records, towns=wh.scope),
        county.stage_funnel(members, records=records),
        county.untouched(members, records, today),
        today,
    )


def untouched_sentence(f: FollowUp) -> str | None:
    """'截至2026年12月5日，2 个镇区的清单近30天无人跟进（…）：甲镇、乙镇' (None: every town's lists
    were worked). The count is the one 总览's 需关注 gives (same members, records and day)."""
    return _dated(f.untouched, f.today)


def untouched(
    wh: Warehouse, as_of: date, today: date, records: county.Records | None = None
) -> pl.DataFrame:
    """The towns of the warehouse's scope whose lists nobody worked in the 30 days to `today`
    (county.untouched): what 总览's 需关注 counts and the briefings name."""
    return county.untouched(lists.members(wh, as_of), records or county.snapshot(), today)


def untouched_text(
    wh: Warehouse, as_of: date, records: county.Records | None = None, today: date | None = None
) -> str | None:
    """untouched_sentence for the warehouse's scope (the Word briefing's 需关注)."""
    today = today or rules.today()
    return _dated(untouched(wh, as_of, today, records), today)


def _dated(untouched: pl.DataFrame, today: date) -> str | None:
    line = texts.untouched_line(untouched)
    return None if line is None else f"截至{fmt.cn_date(today)}，{line}"


def paragraph(f: FollowUp) -> str:
    """'2026年10月，驾驶舱记录走访、宣传、辅导共 12 次，覆盖 9 家企业（…）；培育阶段：…。'"""
    month = f"{f.month.year}年{f.month.month}月"
    c = f.contacts
    if c.height == 0:
        text = f"{month}，驾驶舱中尚无走访、宣传、辅导记录"
    else:
        top = c.row(0, named=True)
        text = (
            f"{month}，驾驶舱记录走访、宣传、辅导共 {fmt.num(int(c['n_contacts'].sum()))} 次"
            f"（走访 {int(c['n_visits'].sum())}、宣传 {int(c['n_publicity'].sum())}、"
            f"辅导 {int(c['n_coaching'].sum())}），"
            f"涉及 {c.height} 个镇区，最多的是{top['town'] or '未知镇区'}（{top['n_contacts']} 次）"
        )
    stages = []
    for list_id, label in ((k, rules.LISTS[k]) for k in rules.STAGES):
        rows = f.funnel.filter((pl.col("list_id") == list_id) & (pl.col("n_firms") > 0))
        if rows.height:
            parts = "、".join(f"{r['stage']} {r['n_firms']}" for r in rows.to_dicts())
            stages.append(f"{label}清单 {int(rows['n_firms'].sum())} 家（{parts}）")
    text += ("；培育阶段：" + "；".join(stages) if stages else "") + "。"
    untouched = untouched_sentence(f)
    return text + (f"{untouched}。" if untouched else "")


def month_contacts_by_town(wh: Warehouse, as_of: date) -> pl.DataFrame:
    """For the Word briefing (models/briefing_tables.month_contacts): the as-of month's recorded
    contacts per town of the warehouse's scope, Chinese headers, a 合计 row last (the only row when
    nothing was recorded that month)."""
    records = county.snapshot()
    by_town = county.contacts_by_town(as_of, records=records, towns=wh.scope)
    rows = county.month_contacts(as_of, records, wh.scope)
    total = by_town.select(
        pl.lit("合计").alias("town"),
        *(pl.col(c).sum().cast(pl.UInt32) for c in county.KIND_COLUMNS.values()),
        pl.lit(rows.height, pl.UInt32).alias("n_contacts"),
        pl.lit(rows["uscc"].n_unique(), pl.UInt32).alias("n_firms"),
    )
    return texts.contacts_table(pl.concat([by_town, total], how="vertical_relaxed"))
