"""Data quality: the SQL rules in queries/checks/ (empty result = healthy), absent tables, and
per-table coverage.

A rule is a file `queries/checks/<name>.sql` returning the offending rows (a `table_name` column
says which table, an `n_rows` column, when present, how many rows a line stands for); its first
line may say
`-- severity: error|warning`. Files whose name starts with `_` are summaries for the 数据质量 page
(coverage per table, presence of active enterprises in tax and statistics data), not rules.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

import polars as pl

from kechuang.engine import contract
from kechuang.engine.sql import QUERIES_DIR, query_text
from kechuang.engine.warehouse import Warehouse
from kechuang.zh import fmt

CHECK_LABELS = {
    "table_absent": "缺少数据表",
    "table_unreadable": "数据表无法读取",
    "required_nulls": "必填项为空",
    "duplicate_keys": "键重复",
    "uscc_malformed": "统一社会信用代码格式错误",
    "uscc_check_digit": "统一社会信用代码校验位不符（已保留）",
    "orphan_uscc": "企业不在市场主体登记中",
    "category_values": "类别值不在规定范围",
    "negative_amounts": "金额或人数为负",
    "out_of_range": "数值超出合理范围",
    "implausible_values": "数值相互矛盾",
    "stage_dates": "阶段与日期不符",
}
SEVERITY_LABELS = {"error": "错误", "warning": "提示"}


@dataclass(frozen=True)
class Finding:
    table: str
    check: str
    severity: str  # error or warning
    rows: int  # offending rows (or groups of rows, as the rule's grain says)
    example: str
    shown: str = ""  # the example in Chinese, for the page (the CLI prints `example`)

    def as_json(self) -> dict:
        return {
            "table": self.table,
            "check": self.check,
            "severity": self.severity,
            "rows": self.rows,
            "example": self.example,
        }


def rule_names() -> list[str]:
    return sorted(
        f"checks/{p.stem}"
        for p in (QUERIES_DIR / "checks").glob("*.sql")
        if not p.stem.startswith("_")
    )


def _severity(sql: str) -> str:
    found = re.search(r"^-- severity: (error|warning)", sql, re.MULTILINE)
    return found.group(1) if found else "error"


def findings(wh: Warehouse, today: date | None = None) -> list[Finding]:
    """Every problem in the data directory, tables without data first."""
    today = today or date.today()
    out = []
    for name, info in wh.tables.items():
        problem = info.problem or _lost_version(wh, name)
        if problem:
            out.append(Finding(name, "table_unreadable", "error", 0, problem))
        elif info.source is None:
            out.append(
                Finding(
                    name,
                    "table_absent",
                    "warning",
                    0,
                    f"缺少表 {name}（{contract.TABLE_LABELS[name]}）",
                )
            )
    for rule in rule_names():
        result = wh.query(rule, today=today)
        if result.height == 0:
            continue
        severity = _severity(query_text(rule))
        by_table = (
            result.partition_by("table_name", as_dict=True)
            if "table_name" in result.columns
            else {("",): result}
        )
        for (table,), rows in by_table.items():
            n = int(rows["n_rows"].sum()) if "n_rows" in rows.columns else rows.height
            example = ", ".join(
                f"{k}={v}" for k, v in rows.row(0, named=True).items() if k != "table_name"
            )
            first = rule_rows_display(rows.head(1).drop("table_name", strict=False)).row(
                0, named=True
            )
            shown = "，".join(f"{k}：{'—' if v is None else v}" for k, v in first.items())
            out.append(Finding(table, rule.removeprefix("checks/"), severity, n, example, shown))
    return out


def _lost_version(wh: Warehouse, table: str) -> str | None:
    """Why a table reads as absent although an ingest made it: its link points at a missing file."""
    link = wh.data_dir / f"{table}.parquet"
    if not link.is_symlink() or link.exists():
        return None
    return (
        f"表 {table} 的当前版本文件已丢失（{link} 指向 {os.readlink(link)}）："
        f"可用 python -m kechuang ingest --rollback {table} 恢复最近一个可读的版本"
    )


def finding_rows(
    wh: Warehouse, check: str, table: str | None = None, today: date | None = None
) -> pl.DataFrame:
    """The rows behind a finding: a rule's offending rows, or for a table that is absent or cannot
    be read, one row saying why."""
    if check in ("table_unreadable", "table_absent"):
        problem = (wh.tables[table].problem or _lost_version(wh, table)) if table else None
        problem = problem or f"缺少表 {table}（{contract.TABLE_LABELS.get(table, table)}）"
        return pl.DataFrame(
            {"table_name": [table], "problem": [problem]},
            schema={"table_name": pl.String, "problem": pl.String},
        )
    return rule_rows(wh, check, table, today)


def rule_rows(
    wh: Warehouse, check: str, table: str | None = None, today: date | None = None
) -> pl.DataFrame:
    """The offending rows of one rule (optionally of one table), to inspect and download."""
    rule = f"checks/{check}"
    if (
        rule not in rule_names()
    ):  # allow-list: a name from the page never reaches the file system unchecked
        raise ValueError(f"no such check: {check}")
    rows = wh.query(rule, today=today or date.today())
    if table and "table_name" in rows.columns:
        rows = rows.filter(pl.col("table_name") == table)
    return rows


# -- the 数据质量 page: per-table coverage, presence in tax and statistics, findings ---------------


def _period(d: date | None, grain: str) -> str:
    if d is None:
        return "—"
    return {"year": f"{d.year}年", "month": fmt.cn_month(d)}.get(grain, fmt.cn_date(d))


def coverage(
    wh: Warehouse, today: date | None = None, last: Mapping[str, dict] | None = None
) -> pl.DataFrame:
    """One row per table: availability, rows, date range, last ingest and counts of findings.

    `last`: each table's last ingest-log entry (ingest.manifest.last_ingests; the ingest package
    sits above the engine, so models/data_status passes it in)."""
    found = findings(wh, today)
    last = last or {}
    rows = []
    for r in wh.query("checks/_coverage").iter_rows(named=True):
        t = r["table_name"]
        info, entry = wh.tables[t], last.get(t, {})
        mine = [f for f in found if f.table == t and f.check != "table_absent"]
        span = (
            f"{_period(r['first_on'], r['date_grain'])} 至 {_period(r['last_on'], r['date_grain'])}"
            if r["available"] and r["first_on"]
            else "—"
        )
        rows.append(
            {
                "table_name": t,
                "label": contract.TABLE_LABELS[t],
                "status": "无法读取"
                if info.problem or _lost_version(wh, t)
                else ("可用" if r["available"] else "暂缺"),
                "n_rows": r["n_rows"] if r["available"] else None,
                "span": span,
                "last_ingest": _when_who(entry),
                "n_errors": sum(1 for f in mine if f.severity == "error"),
                "n_warnings": sum(1 for f in mine if f.severity == "warning"),
            }
        )
    schema = {
        "table_name": pl.String,
        "label": pl.String,
        "status": pl.String,
        "n_rows": pl.Int64,
        "span": pl.String,
        "last_ingest": pl.String,
        "n_errors": pl.Int64,
        "n_warnings": pl.Int64,
    }
    return pl.DataFrame(rows, schema=schema, orient="row")


def _when_who(entry: dict) -> str:
    """'2026年11月26日 19:06 王五' (and 回退 for a rollback), from a manifest entry."""
    if not entry:
        return "—"
    try:
        t = datetime.fromisoformat(str(entry.get("time")))
    except ValueError:
        return "—"
    what = "（回退）" if entry.get("action") == "rollback" else ""
    return f"{fmt.cn_date(t.date())} {t:%H:%M} {entry.get('user') or ''}{what}".strip()


COVERAGE_LABELS = {
    "label": "数据表",
    "status": "状态",
    "n_rows": "行数",
    "span": "数据期间",
    "last_ingest": "最近导入",
    "n_errors": "错误",
    "n_warnings": "提示",
}


def coverage_display(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.select(list(COVERAGE_LABELS)).rename(COVERAGE_LABELS)


def presence(wh: Warehouse) -> pl.DataFrame:
    """Active enterprises present in the latest tax month, tax year and statistics year (Chinese
    columns)."""
    rows = wh.query("checks/_presence")
    return rows.select(
        pl.col("table_name")
        .replace_strict(contract.TABLE_LABELS, return_dtype=pl.String)
        .alias("数据来源"),
        pl.struct("latest_on", "date_grain")
        .map_elements(lambda s: _period(s["latest_on"], s["date_grain"]), return_dtype=pl.String)
        .alias("最近一期"),
        pl.col("n_active").alias("在业存续企业数"),
        pl.col("n_present").alias("其中出现在该期数据中"),
        pl.col("present_ratio")
        .map_elements(fmt.pct, return_dtype=pl.String)
        .fill_null("—")
        .alias("覆盖率"),
    )


def findings_display(found: list[Finding]) -> pl.DataFrame:
    """Findings as a table for the page: errors first, then warnings; absent tables last."""
    order = sorted(
        found, key=lambda f: (f.check == "table_absent", f.severity != "error", f.table, f.check)
    )
    return pl.DataFrame(
        [
            {
                "级别": SEVERITY_LABELS.get(f.severity, f.severity),
                "数据表": contract.TABLE_LABELS.get(f.table, f.table),
                "检查项": CHECK_LABELS.get(f.check, f.check),
                "行数": f.rows,
                "示例": f.shown or f.example,
            }
            for f in order
        ],
        schema={
            "级别": pl.String,
            "数据表": pl.String,
            "检查项": pl.String,
            "行数": pl.Int64,
            "示例": pl.String,
        },
        orient="row",
    )


def finding_title(f: Finding) -> str:
    """How a finding is named in the page's picker, e.g. 错误 · 市场主体登记 · 键重复（2 行）."""
    return (
        f"{SEVERITY_LABELS.get(f.severity, f.severity)} · "
        f"{contract.TABLE_LABELS.get(f.table, f.table)} · "
        f"{CHECK_LABELS.get(f.check, f.check)}（{f.rows:,} 行）"
    )


RULE_COLUMN_LABELS = {
    "table_name": "数据表",
    "column_name": "列",
    "record": "记录",
    "key_value": "键值",
    "problem": "问题",
    "min_value": "最小值",
    "example_uscc": "示例代码",
    "value": "值",
    "n_rows": "行数",
    "event_on": "日期",
}


def rule_rows_display(frame: pl.DataFrame) -> pl.DataFrame:
    """A rule's rows with Chinese headers, table names and column names (at the display edge
    only)."""

    columns = {c.name: c.label for cols in contract.TABLES.values() for c in cols}
    out = frame
    if "table_name" in out.columns:
        out = out.with_columns(pl.col("table_name").replace(contract.TABLE_LABELS))
    if "column_name" in out.columns:
        out = out.with_columns(pl.col("column_name").replace(columns))
    return out.rename(
        {c: RULE_COLUMN_LABELS.get(c) or contract.column_label(c) for c in out.columns}
    )
