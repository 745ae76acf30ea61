"""What the work-record pages show, in Chinese: timeline lines, the 我的待办 and county tables, the
overview's line on untouched towns. No Streamlit; the pages escape these texts before markdown."""

from __future__ import annotations

import polars as pl

from kechuang.worklog import county, rules
from kechuang.worklog.reading import fmt_time
from kechuang.zh import fmt, labels
from kechuang.zh.labels import FIRM_COLUMNS as FIRM


def entry_line(e: dict) -> str:
    """One timeline line: '2026年5月6日 走访（高企申报辅导）：备注；下一步：…（2026年6月1日前）'."""
    label = rules.LISTS.get(e["list"] or "", "")
    if e["entry"] == "contact":
        text = f"{fmt.cn_date(e['on'])} {e['kind']}"
        text += f"（{e['service_type']}）" if e["service_type"] else ""
        text += f"：{e['note']}" if e["note"] else ""
        if e["next_step"]:
            text += f"；下一步：{e['next_step']}（{fmt.cn_date(e['due_on'])}前）"
        if e["supersedes"]:
            text += f"；更正第 {e['supersedes']} 号记录，原因：{e['reason']}"
    elif e["entry"] == "stage":
        text = f"{label}阶段：{e['stage']}"
        text += f"（{e['reason']}）" if e["reason"] else ""
        text += "（更正上一阶段）" if e.get("correction") else ""
    else:
        text = f"{label}责任人：{e['owner']}"
    return text


def entry_meta(e: dict) -> str:
    """'第 3 号 · changsha 记录于 2026年5月6日 14:05（已被第 5 号更正）'."""
    from datetime import datetime

    at = fmt_time(datetime.fromisoformat(e["recorded_at"]))
    meta = f"第 {e['id']} 号 · {e['by']} 记录于 {at}"
    return meta + (f"（已被第 {e['superseded_by']} 号更正）" if e.get("superseded_by") else "")


def todo_table(todo: pl.DataFrame) -> pl.DataFrame:
    """我的待办 for display (企业名称, 状态, 期限, 下一步, 所在清单, 培育阶段, 责任人, 最近联系,
    所属镇区, 代码): what is due comes right after the name, so a phone shows it without scrolling
    sideways."""
    state = (
        pl.when(pl.col("is_overdue"))
        .then(pl.lit("已逾期"))
        .when(pl.col("due_on").is_not_null())
        .then(pl.lit("待办"))
        .when(pl.col("last_on").is_null())
        .then(pl.lit("尚未联系"))
        .otherwise(pl.lit("—"))
    )
    return labels.shown(
        todo.with_columns(state.alias("状态")),
        {
            "name": FIRM["name"],
            "状态": "状态",
            "due_on": "期限",
            "next_step": "下一步",
            "lists": "所在清单",
            "stages": "培育阶段",
            "owners": "责任人",
            "last_on": "最近联系",
            "town": FIRM["town"],
            "uscc": FIRM["uscc"],
        },
    )


def county_table(view: pl.DataFrame) -> pl.DataFrame:
    """The county view for display (镇区, 清单, 在册企业, 近30天联系, 逾期未办, 近30天有记录,
    阶段分布)."""
    stages = pl.Series("阶段分布", [county.stage_text(r) for r in view.to_dicts()], dtype=pl.String)
    return labels.shown(
        view.with_columns(stages),
        {
            "town": "镇区",
            "list": "清单",
            "n_firms": "在册企业",
            "n_contacted": "近30天联系",
            "n_overdue": "逾期未办",
            "n_touched": "近30天有记录",
            "阶段分布": "阶段分布",
        },
    )


def untouched_line(untouched: pl.DataFrame) -> str | None:
    """The 需关注 line naming the towns whose lists nobody worked for 30 days (None: none)."""
    if untouched.height == 0:
        return None
    towns = "、".join(r["town"] or "未知镇区" for r in untouched.to_dicts())
    return (
        f"{untouched.height} 个镇区的清单近{county.WINDOW_DAYS}天无人跟进"
        f"（清单上的企业均无走访、阶段或责任人记录）：{towns}"
    )


def untouched_short(untouched: pl.DataFrame) -> str | None:
    """总览's one line on a phone: how many towns, the names left to 跟踪台账 (None: none)."""
    if untouched.height == 0:
        return None
    return (
        f"工作记录：{untouched.height} 个镇区的清单近{county.WINDOW_DAYS}天无人跟进（详见跟踪台账）"
    )


def funnel_table(funnel: pl.DataFrame) -> pl.DataFrame:
    return labels.shown(funnel, {"list": "清单", "stage": "阶段", "n_firms": "企业数"})


def contacts_table(by_town: pl.DataFrame) -> pl.DataFrame:
    return labels.shown(
        by_town,
        {
            "town": "镇区",
            "n_visits": "走访",
            "n_publicity": "宣传",
            "n_coaching": "辅导",
            "n_contacts": "合计（次）",
            "n_firms": "覆盖企业（家）",
        },
    )
