"""Which firms are on which list (from the warehouse), and one firm's identity for a record.

The lists are those the dashboard finds firms for, computed by the functions their pages call, so
the county view and 我的待办 count exactly the firms the pages list: rd_zero = the 清零 worklist,
candidates = HNTE candidates and near misses (default thresholds), gazelle = 瞪羚/独角兽 candidates,
key_enterprises = the plan year's 一企一策 firms, iur = firms with a 产学研 project waiting past the
follow-up limit.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from kechuang.engine import metrics, screening, worklists
from kechuang.engine.uscc import problem as uscc_problem
from kechuang.engine.warehouse import Warehouse
from kechuang.worklog import rules

MEMBER_SCHEMA = {"list_id": pl.String, "uscc": pl.String, "name": pl.String, "town": pl.String}


def normal_uscc(text: str | None) -> str:
    """The USCC as typed, upper-cased; a WorklogError when it cannot be one."""
    code = (text or "").strip().upper()
    if len(code) != 18 or (uscc_problem(code) or "").startswith("统一社会信用代码含非法字符"):
        raise rules.WorklogError(f"{uscc_problem(code) or '统一社会信用代码有误'}：{text!r}")
    return code


def find_firm(wh: Warehouse, text: str | None) -> rules.Firm:
    """The firm with this USCC in the warehouse's enterprises table; a WorklogError when unknown.
    Look it up in the county's (unscoped) warehouse, so a town officer's refusal names the town."""
    code = normal_uscc(text)
    rows = wh.query("worklog_firm", uscc=code) if wh.available("enterprises") else None
    if rows is None or rows.height == 0:
        raise rules.WorklogError(f"未找到统一社会信用代码为 {code} 的企业（企业名录中没有）")
    row = rows.row(0, named=True)
    return rules.Firm(row["uscc"], row["name"] or code, row["town"])


def _part(list_id: str, frame: pl.DataFrame | None) -> pl.DataFrame:
    if frame is None or frame.height == 0:
        return pl.DataFrame(schema=MEMBER_SCHEMA)
    return frame.select(
        pl.lit(list_id).alias("list_id"),
        pl.col("uscc").cast(pl.String),
        pl.col("name").cast(pl.String),
        pl.col("town").cast(pl.String),
    )


def members(wh: Warehouse, as_of: date) -> pl.DataFrame:
    """Every (list, firm) on the as-of date: list_id, uscc, name, town; one row per firm and
    list."""
    parts = [_part("rd_zero", metrics.rd_coverage(wh, as_of).worklist)]
    if wh.available("enterprises"):
        parts.append(_part("candidates", screening.candidates_and_near_misses(wh, as_of)))
    if wh.available("tax_annual", "hnte_certificates"):
        parts.append(_part("gazelle", screening.gazelle_candidates(wh, as_of)))
    if wh.available("key_enterprises"):
        parts.append(_part("key_enterprises", wh.query("programme_key_enterprises", as_of=as_of)))
    parts.append(_part("iur", worklists.iur_follow_up(wh, as_of)))
    return (
        pl.concat(parts)
        .filter(pl.col("uscc").is_not_null())
        .unique(["list_id", "uscc"], keep="first", maintain_order=True)
    )
