"""What each role may see of named tax figures: any figure of a named enterprise from a tax table.

Tax data (the tax bureau's tables, data-contract.md "Tax 税务局"): `tax_monthly` (增值税开票:
invoiced sales, tax paid) and `tax_annual` (企业所得税年度汇算: 营业收入, 加计扣除研发费用,
所有者权益). Roles with auth.can(user, "view_named_tax") (admin, analyst) see the numbers.
Everyone else sees aggregates (county and town totals, computed elsewhere) and, for a named firm,
bands:

    redact.band(1234.5)                  -> "1,000–5,000 万元"  (BANDS, the one definition)
    redact.frame_for(user, frame)        # a table naming firms: each tax amount column -> a banded
                                         #   text column, revenue trends dropped,
                                         #   gap amounts removed
    redact.annual_bands(monthly)         # monthly rows -> one row per (uscc,) year of banded totals
    redact.file_for(user, file)          # an EnterpriseFile: tax sections banded (monthly
                                         #   rows become annual bands), the screen row's
                                         #   amounts banded, checklist
                                         #   gaps without amounts; other sections pass through
    redact.annual_for(user, annual)      # 一企一档's 营业收入与研发 table
    redact.findings_for(user, found)     # 数据质量 findings and their rows (check_rows_for)
    redact.section_title("tax_monthly", user)

The screening lists (精准筛选, 瞪羚, 清零) take revenue from tax_annual, else statistics, per value:
a restricted role sees every 万元 amount of a named firm there as a band whatever its source, and
ratios (R&D intensity, growth) as they are. A gap in 万元 ("还差 310.5 万元") is removed: with the
ratio beside it, it would give the exact revenue back.

A band is [lower, upper): exactly 1,000 万元 is "1,000–5,000 万元". Band columns are renamed (not
overwritten) so that nothing downstream can sum a text column by mistake.
"""

from __future__ import annotations

import dataclasses
import re

import polars as pl

from kechuang.access import auth
from kechuang.engine import checks, contract
from kechuang.engine.checks import Finding
from kechuang.engine.profile import SECTIONS, EnterpriseFile

# (upper bound exclusive in 万元, label); the last band has no upper bound.
BANDS: tuple[tuple[float | None, str], ...] = (
    (100, "100 万元以下"),
    (500, "100–500 万元"),
    (1_000, "500–1,000 万元"),
    (5_000, "1,000–5,000 万元"),
    (10_000, "5,000 万元–1 亿元"),
    (50_000, "1–5 亿元"),
    (100_000, "5–10 亿元"),
    (None, "10 亿元以上"),
)
BREAKS = [upper for upper, _ in BANDS if upper is not None]
BAND_LABELS = [label for _, label in BANDS]

# The tax bureau's tables: every figure of a named firm in them is banded for restricted roles.
TAX_TABLES: dict[str, str] = {"tax_monthly": "增值税开票", "tax_annual": "企业所得税年度汇算清缴"}
# Amount columns of a named firm (contract names of the tax tables, and the screen's amounts that
# are
# the tax figure where there is one) -> the banded column that replaces them for restricted roles.
NAMED_TAX_COLUMNS: dict[str, str] = {
    "invoiced_sales_wan": "invoiced_sales_band",
    "tax_paid_wan": "tax_paid_band",
    "revenue_wan": "revenue_band",
    "rd_expense_wan": "rd_expense_band",
    "net_assets_wan": "net_assets_band",
    "revenue_y_wan": "revenue_y_band",
    "revenue_y1_wan": "revenue_y1_band",
    "revenue_3y_wan": "revenue_3y_band",
    "rd_3y_wan": "rd_3y_band",
    "revenue_base_wan": "revenue_base_band",
    "tax_revenue_wan": "tax_revenue_band",
    "stats_revenue_wan": "stats_revenue_band",
    "tax_rd_expense_wan": "tax_rd_expense_band",
    "total_assets_wan": "total_assets_band",
}
# Display (Chinese) headers of such amounts: a 万元 column whose header names one of these figures.
TAX_WORDS = ("营业收入", "营收", "研发费用", "所有者权益", "开票销售额", "入库税款", "资产")
FIRM_COLUMNS = frozenset({"uscc", "name", "统一社会信用代码", "企业名称", "示例代码"})
GAP_TEXT_COLUMNS = frozenset({"gap_text", "差距", "text"})
REDACTED_SECTIONS: dict[str, str] = {
    "tax_monthly": "增值税开票（年度区间）",
    "tax_annual": "企业所得税年度汇算（区间）",
}  # section -> title once banded
# "…，三年研发费用还差 310.5 万元", "…，2025年营收还差 120 万元",
# "营业收入 3,000.0 万元，超过上限 …"
_GAP_AMOUNT = re.compile(r"，[^，；]*还差 [-\d,.]+ 万元")
_OVER_LIMIT = re.compile(r"(营业收入|资产总额) [-\d,.]+ 万元，超过上限")


def allowed(user: auth.User | None) -> bool:
    return auth.can(user, "view_named_tax")


def band(value_wan: float | None) -> str | None:
    """The band of an amount in 万元 (None for unknown)."""
    if value_wan is None:
        return None
    for upper, label in BANDS:
        if upper is None or value_wan < upper:
            return label
    raise AssertionError("unreachable: the last band is open")


def band_expr(column: str) -> pl.Expr:
    """The band of a 万元 column as a text expression (null stays null)."""
    return pl.col(column).bin_intervals(BREAKS, labels=BAND_LABELS).cast(pl.String)


def _is_tax_label(name: str) -> bool:
    return "万元" in name and any(word in name for word in TAX_WORDS)


def gap_text(text: str | None) -> str | None:
    """A checklist gap in words without the amounts that would give a tax figure back."""
    if text is None:
        return None
    return _OVER_LIMIT.sub(r"\1超过上限", _GAP_AMOUNT.sub("", text))


def names_firms(frame: pl.DataFrame) -> bool:
    return any(c in FIRM_COLUMNS for c in frame.columns)


def frame_for(
    user: auth.User | None, frame: pl.DataFrame, *, named: bool | None = None
) -> pl.DataFrame:
    """The frame as this user may see it. For a frame naming firms (`named`, by default: it has a
    USCC or name column) and a role without named tax figures: each tax amount column becomes its
    band (contract names -> …_band, Chinese headers …（万元） -> …（区间）), lists of such
    amounts (trend sparklines) are dropped, 万元 gaps are emptied and gap texts lose their
    amounts."""
    if allowed(user) or not (names_firms(frame) if named is None else named):
        return frame
    out = []
    for c, dtype in frame.schema.items():
        taxed = c in NAMED_TAX_COLUMNS or _is_tax_label(c)
        if taxed and dtype.is_nested():
            continue  # a revenue trend: no band says it
        if c in NAMED_TAX_COLUMNS:
            out.append(band_expr(c).alias(NAMED_TAX_COLUMNS[c]))
        elif taxed and dtype.is_numeric():
            out.append(
                band_expr(c).alias(c.replace("（万元）", "（区间）").replace("万元", "区间"))
            )
        elif c == "gap_amount" and "gap_unit" in frame.columns:
            out.append(pl.when(pl.col("gap_unit") != "万元").then(pl.col(c)).alias(c))
        elif c in GAP_TEXT_COLUMNS and dtype == pl.String:
            out.append(pl.col(c).map_elements(gap_text, return_dtype=pl.String))
        else:
            out.append(pl.col(c))
    return frame.select(out)


def annual_bands(monthly: pl.DataFrame) -> pl.DataFrame:
    """Monthly tax rows (period, invoiced_sales_wan, tax_paid_wan[, uscc]) as banded annual totals.

    One row per (uscc,) year: tax_year, n_months (months with a row), invoiced_sales_band,
    tax_paid_band. A year whose values are all unknown has a null band, never the lowest one."""
    keys = (["uscc"] if "uscc" in monthly.columns else []) + ["tax_year"]
    present = [c for c in ("invoiced_sales_wan", "tax_paid_wan") if c in monthly.columns]
    totals = [pl.when(pl.col(c).count() > 0).then(pl.col(c).sum()).alias(c) for c in present]
    return (
        monthly.with_columns(pl.col("period").dt.year().alias("tax_year"))
        .group_by(keys)
        .agg(pl.len().cast(pl.Int32).alias("n_months"), *totals)
        .sort(keys)
        .select(*keys, "n_months", *(band_expr(c).alias(NAMED_TAX_COLUMNS[c]) for c in present))
    )


def _screen_row(row: dict | None) -> dict | None:
    """The screen's row of one firm with every 万元 amount banded (ratios, passes as they are)."""
    if row is None:
        return None
    return {
        NAMED_TAX_COLUMNS.get(k, k): (
            band(float(v)) if k in NAMED_TAX_COLUMNS and v is not None else v
        )
        for k, v in row.items()
    }


def file_for(user: auth.User | None, file: EnterpriseFile) -> EnterpriseFile:
    """The enterprise file as this user may see it: tax figures as bands unless allowed (monthly
    rows become annual bands), the screen row's amounts banded, checklist gaps without 万元
    amounts."""
    if allowed(user):
        return file
    sections = {}
    for name, frame in file.sections.items():
        if name == "tax_monthly":
            sections[name] = annual_bands(frame)
        else:
            sections[name] = frame_for(user, frame, named=True)
    checklist = [
        dataclasses.replace(
            g,
            amount=None if g.unit == "万元" else g.amount,
            text=gap_text(g.text),
        )
        for g in file.checklist
    ]
    return dataclasses.replace(
        file, sections=sections, screen_row=_screen_row(file.screen_row), checklist=checklist
    )


def annual_for(user: auth.User | None, annual: pl.DataFrame | None) -> pl.DataFrame | None:
    """一企一档's annual figures (enterprise_view.annual_figures) as this user may see them."""
    return None if annual is None else frame_for(user, annual, named=True)


def section_title(name: str, user: auth.User | None) -> str:
    """The Chinese title of an enterprise-file section as this user sees it."""
    if name in REDACTED_SECTIONS and not allowed(user):
        return REDACTED_SECTIONS[name]
    return SECTIONS[name][2]


# -- 数据质量: findings of the checks name firms and values ----------------------------------------

_VALUE_COLUMNS = ("value", "min_value")
_TAX_AMOUNTS = frozenset(
    c.name for t in TAX_TABLES for c in contract.TABLES[t] if c.name.endswith("_wan")
)


def _value_band(value) -> str | None:
    try:
        return band(float(value))
    except (TypeError, ValueError):
        return None


def check_rows_for(user: auth.User | None, rows: pl.DataFrame) -> pl.DataFrame:
    """A check rule's rows (checks.rule_rows) as this user may see them: the value of a tax amount
    (out of range, negative) in a tax table's row becomes its band."""
    if allowed(user) or "table_name" not in rows.columns or "column_name" not in rows.columns:
        return rows
    taxed = pl.col("table_name").is_in(list(TAX_TABLES)) & pl.col("column_name").is_in(
        list(_TAX_AMOUNTS)
    )
    return rows.with_columns(
        pl.when(taxed)
        .then(pl.col(c).map_elements(_value_band, return_dtype=pl.String))
        .otherwise(pl.col(c).cast(pl.String))
        .alias(c)
        for c in _VALUE_COLUMNS
        if c in rows.columns
    )


def findings_for(user: auth.User | None, found: list[Finding]) -> list[Finding]:
    """Findings as this user may see them: a tax table's example loses its figures (banded), in the
    CLI's `example` and the page's `shown` alike."""
    if allowed(user):
        return found
    return [_finding(user, f) if f.table in TAX_TABLES else f for f in found]


def _finding(user: auth.User | None, f: Finding) -> Finding:
    pairs = [part.partition("=") for part in f.example.split(", ")] if f.example else []
    if not pairs or any(not sep for _, sep, _ in pairs):
        hidden = "（税务数据，示例已隐去）"
        return dataclasses.replace(f, example=hidden, shown=hidden)
    row = check_rows_for(
        user,
        pl.DataFrame(
            [{"table_name": f.table, **{k: v for k, _, v in pairs}}],
            schema={"table_name": pl.String, **{k: pl.String for k, _, _ in pairs}},
        ),
    )
    example = ", ".join(f"{k}={v}" for k, v in row.drop("table_name").row(0, named=True).items())
    shown_row = checks.rule_rows_display(row.drop("table_name")).row(0, named=True)
    shown = "，".join(f"{k}：{'—' if v is None else v}" for k, v in shown_row.items())
    return dataclasses.replace(f, example=example, shown=shown)
