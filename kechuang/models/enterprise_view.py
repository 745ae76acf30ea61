"""一企一档 as the enterprise page shows it: the ?uscc= check, registry facts, source notes, the
annual and monthly figures, certificates, patents, the HNTE checklist and each section's table. No
Streamlit here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import polars as pl

from kechuang.engine import contract, industries, screening
from kechuang.engine import uscc as uscc_rules
from kechuang.engine.profile import SECTIONS, EnterpriseFile
from kechuang.models.workbench import criterion_labels
from kechuang.zh import fmt


@dataclass(frozen=True)
class UsccParam:
    code: str | None  # the normalised code to look up; None when it cannot be one
    error: str | None  # a message that stops the page
    warning: str | None  # a note shown with the file (a check character that does not verify)


def check_uscc_param(raw: str | None) -> UsccParam:
    """A USCC from the URL: malformed codes are refused; a wrong check character is flagged, not
    refused (some legitimate early codes fail it, domain.md)."""
    code = (raw or "").strip().upper()
    if not code:
        return UsccParam(None, None, None)
    problem = uscc_rules.problem(code)
    if problem and not uscc_rules.is_well_formed(code):
        shown = raw.strip() if len(raw.strip()) <= 40 else raw.strip()[:40] + "…"
        return UsccParam(None, f"链接中的统一社会信用代码“{shown}”无效：{problem}。", None)
    return UsccParam(code, None, f"{problem}，请核对。" if problem else None)


def unknown_message(code: str, warning: str | None) -> str:
    return f"未找到统一社会信用代码为 {code} 的企业：登记数据中没有这家企业。" + (warning or "")


def registry_facts(file: EnterpriseFile) -> list[tuple[str, str]]:
    """The register's facts in Chinese, in reading order."""
    r = file.registry
    capital = r.get("registered_capital_wan")
    return [
        ("统一社会信用代码", file.uscc),
        ("登记状态", r.get("status") or "—"),
        ("所属镇区", r.get("town") or "—"),
        (
            "国民经济行业",
            industries.division_label(r.get("industry_code"))
            + (f"（{r['industry_code']}）" if r.get("industry_code") else ""),
        ),
        ("成立日期", fmt.cn_date(r.get("established_on"))),
        ("注册资本", fmt.wan(capital) if capital is not None else "—"),
    ]


def source_notes(file: EnterpriseFile) -> tuple[list[str], list[str]]:
    """(sources absent from the warehouse, sources present without a row for this firm), as Chinese
    titles."""
    return (
        [SECTIONS[s][2] for s in file.absent_sources],
        [SECTIONS[s][2] for s in file.empty_sections],
    )


def section_state(file: EnterpriseFile, name: str) -> str | None:
    """'absent' (no such data), 'empty' (no record of the firm) or None (rows to show)."""
    if name in file.absent_sources:
        return "absent"
    if name in file.empty_sections:
        return "empty"
    return None


def _tier(revenue: float | None, t: screening.HnteThresholds) -> float | None:
    if revenue is None:
        return None
    if Decimal(str(revenue)) <= t.tier1_max_wan:
        return float(t.intensity_tier1)
    return float(
        t.intensity_tier2 if Decimal(str(revenue)) <= t.tier2_max_wan else t.intensity_tier3
    )


def annual_figures(
    file: EnterpriseFile, t: screening.HnteThresholds = screening.HnteThresholds()
) -> pl.DataFrame | None:
    """One row per year with tax or stats figures: revenue and R&D (tax figure, else stats, per
    value, as the screen takes them), the year's own R&D intensity against its tier line, and the
    R&D staff share. None when neither source has a row for the firm."""
    tax, stats = file.sections.get("tax_annual"), file.sections.get("stats_annual")
    parts = []
    if tax is not None and tax.height:
        parts.append(
            tax.select(
                "year",
                pl.col("revenue_wan").alias("tax_revenue_wan"),
                pl.col("rd_expense_wan").alias("tax_rd_wan"),
            )
        )
    if stats is not None and stats.height:
        parts.append(
            stats.select(
                "year",
                pl.col("revenue_wan").alias("stats_revenue_wan"),
                pl.col("rd_expense_wan").alias("stats_rd_wan"),
                "rd_staff",
                "employees",
            )
        )
    if not parts:
        return None
    frame = (
        parts[0]
        if len(parts) == 1
        else parts[0].join(parts[1], on="year", how="full", coalesce=True)
    )
    for col, dtype in (
        ("tax_revenue_wan", pl.Float64),
        ("tax_rd_wan", pl.Float64),
        ("stats_revenue_wan", pl.Float64),
        ("stats_rd_wan", pl.Float64),
        ("rd_staff", pl.Int32),
        ("employees", pl.Int32),
    ):
        if col not in frame.columns:
            frame = frame.with_columns(pl.lit(None, dtype=dtype).alias(col))
    frame = frame.sort("year").with_columns(
        pl.coalesce("tax_revenue_wan", "stats_revenue_wan").alias("revenue_wan"),
        pl.when(pl.col("tax_revenue_wan").is_not_null())
        .then(pl.lit("税务"))
        .when(pl.col("stats_revenue_wan").is_not_null())
        .then(pl.lit("统计"))
        .alias("revenue_source"),
        pl.coalesce("tax_rd_wan", "stats_rd_wan").alias("rd_expense_wan"),
    )
    return frame.with_columns(
        pl.when(pl.col("revenue_wan") > 0)
        .then(pl.col("rd_expense_wan").fill_null(0) / pl.col("revenue_wan"))
        .alias("rd_intensity"),
        pl.col("revenue_wan")
        .map_elements(lambda r: _tier(r, t), return_dtype=pl.Float64)
        .alias("intensity_threshold"),
        pl.when(pl.col("employees") > 0)
        .then(pl.col("rd_staff") / pl.col("employees"))
        .alias("rd_staff_ratio"),
    ).select(
        "year",
        "revenue_wan",
        "revenue_source",
        "rd_expense_wan",
        "rd_intensity",
        "intensity_threshold",
        "rd_staff",
        "employees",
        "rd_staff_ratio",
        "tax_revenue_wan",
        "stats_revenue_wan",
    )


ANNUAL_LABELS = {
    "year": "年度",
    "revenue_wan": "营业收入（万元）",
    "revenue_source": "营收口径",
    "rd_expense_wan": "研发费用（万元）",
    "rd_intensity": "研发投入强度",
    "intensity_threshold": "强度要求",
    "rd_staff": "研发人员（人）",
    "employees": "从业人员（人）",
    "rd_staff_ratio": "研发人员占比",
    "tax_revenue_wan": "税务营业收入（万元）",
    "stats_revenue_wan": "统计营业收入（万元）",
}


def monthly_sales(file: EnterpriseFile) -> pl.DataFrame | None:
    """Monthly invoiced sales (period, invoiced_sales_wan, tax_paid_wan); None when there is none
    to show (no rows, or a banded section for a role that may not see named tax figures)."""
    frame = file.sections.get("tax_monthly")
    if frame is None or frame.height == 0 or "invoiced_sales_wan" not in frame.columns:
        return None
    return frame.select("period", "invoiced_sales_wan", "tax_paid_wan")


def certificate_table(file: EnterpriseFile, as_of: date) -> pl.DataFrame | None:
    """HNTE certificates with their last valid day and their standing on the as-of date."""
    certs = file.sections.get("hnte_certificates")
    if certs is None or certs.height == 0:
        return None
    return certs.select(
        pl.col("certificate_no").alias("证书编号"),
        pl.col("issued_on").alias("发证日期"),
        (pl.col("valid_until") - pl.duration(days=1)).alias(
            "有效期至"
        ),  # the last valid day, as certificates state it
        pl.when(pl.col("issued_on") > as_of)
        .then(pl.lit("未生效"))
        .when(pl.col("valid_until") > as_of)
        .then(pl.lit("有效"))
        .otherwise(pl.lit("已过期"))
        .alias("截至日状态"),
    )


def renewal_note(file: EnterpriseFile, as_of: date) -> str | None:
    """The HNTE status in one sentence: valid until when, and whether renewal falls due within six
    months."""
    until = file.hnte_valid_until
    if until is None:
        return None
    last_day = date.fromordinal(until.toordinal() - 1)
    text = f"高新技术企业证书有效至{fmt.cn_date(last_day)}"
    if file.hnte_renewal_due:
        return text + f"，距到期不足六个月（{(until - as_of).days} 天），需尽快组织重新认定申报。"
    return text + "。"


def patents_by_type(file: EnterpriseFile, as_of: date) -> pl.DataFrame | None:
    """IP rights per type: all recorded and those valid and granted by the as-of date."""
    frame = file.sections.get("patents")
    if frame is None or frame.height == 0:
        return None
    valid = pl.col("valid").fill_null(False) & (pl.col("granted_on") <= as_of).fill_null(False)
    order = ["发明专利", "实用新型", "外观设计", "软件著作权", "集成电路布图设计", "植物新品种"]
    return (
        frame.with_columns(pl.col("ip_type").fill_null("未填报"))
        .group_by("ip_type")
        .agg(pl.len().cast(pl.Int64).alias("n_all"), valid.sum().cast(pl.Int64).alias("n_valid"))
        .with_columns(
            pl.col("ip_type")
            .map_elements(
                lambda x: order.index(x) if x in order else len(order), return_dtype=pl.Int64
            )
            .alias("_order")
        )
        .sort("_order", "ip_type")
        .select(
            pl.col("ip_type").alias("知识产权类型"),
            pl.col("n_all").alias("全部（项）"),
            pl.col("n_valid").alias("截至日有效（项）"),
        )
    )


def checklist_lines(
    file: EnterpriseFile, t: screening.HnteThresholds = screening.HnteThresholds()
) -> list[tuple[str, bool | None, str]]:
    """The checklist as (criterion, passed, text) for a phone-friendly list: what the firm has when
    it passes, else the gap in plain words (which names the value too)."""
    table = checklist_table(file, t)
    if table is None:
        return []
    return [
        (row["条件"], gap.passed, row["企业情况"] if gap.passed else row["差距"])
        for row, gap in zip(table.iter_rows(named=True), file.checklist, strict=True)
    ]


def checklist_table(
    file: EnterpriseFile, t: screening.HnteThresholds = screening.HnteThresholds()
) -> pl.DataFrame | None:
    """The six criteria of the firm: status in words, the value behind it, and what is still
    needed."""
    row = file.screen_row
    if row is None or not file.checklist:
        return None
    names = criterion_labels(t)
    values = {
        "age": fmt.cn_date(row["established_on"]),
        "ip": f"{row['n_valid_ip']} 项（其中Ⅰ类 {row['n_class1_ip']} 项）"
        if row["pass_ip"] is not None
        else "—",
        "rd_intensity": f"{fmt.pct(row['rd_intensity'])}（要求 "
        f"{fmt.pct_plain(row['intensity_threshold'])}）"
        if row["intensity_threshold"] is not None
        else "—",
        "rd_staff": fmt.pct(row["rd_staff_ratio"]),
        "growth": fmt.pct(row["revenue_growth"]),
        "sme": f"从业人员 {_persons(row['employees'])}，营收 {_amount(row, 'revenue_y')}，"
        f"资产 {_amount(row, 'total_assets')}",
    }
    return pl.DataFrame(
        [
            (
                names[g.criterion],
                screening.PASS_LABELS[g.passed],
                values[g.criterion],
                "—" if g.passed else g.text,
            )
            for g in file.checklist
        ],
        schema={"条件": pl.String, "结论": pl.String, "企业情况": pl.String, "差距": pl.String},
        orient="row",
    )


def _amount(row: dict, name: str) -> str:
    """An amount of the screen row in 万元, or its band where the role sees bands
    (redact.file_for)."""
    if f"{name}_wan" in row:
        return fmt.wan(row[f"{name}_wan"])
    return row.get(f"{name}_band") or "—"


def _persons(n: int | None) -> str:
    return "—" if n is None else f"{fmt.num(n)} 人"


# Columns not worth repeating in a section table (the file is about one firm).
_DROP = {"uscc"}


def section_table(file: EnterpriseFile, name: str) -> pl.DataFrame | None:
    """A section's rows under Chinese labels (without the firm's own USCC); None when there are
    none."""
    frame = file.sections.get(name)
    if frame is None or frame.height == 0:
        return None
    table = SECTIONS[name][1] if name != "trainings" else "trainings"
    shown = frame.select([c for c in frame.columns if c not in _DROP])
    overrides = {"valid_until": "有效期至（不含）"}
    return shown.rename(
        {c: overrides.get(c) or contract.column_label(c, table) for c in shown.columns}
    )
