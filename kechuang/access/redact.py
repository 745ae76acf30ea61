"""What each role may see of named tax figures: an enterprise's own invoiced sales and tax paid.

Roles with auth.can(user, "view_named_tax") (admin, analyst) see the numbers. Everyone else sees
aggregates (county and town totals, computed elsewhere) and, for a named firm, bands:

    redact.band(1234.5)                  -> "1,000–5,000 万元"  (BANDS, the one definition)
    redact.frame_for(user, frame)        # each named tax column -> a banded text column (…_band)
    redact.annual_bands(monthly)         # monthly rows -> one row per (uscc,) year of banded totals
    redact.file_for(user, file)          # an EnterpriseFile: its tax_monthly section becomes annual
                                         #   bands, no monthly values; other sections pass through
    redact.section_title("tax_monthly", user)

A band is [lower, upper): exactly 1,000 万元 is "1,000–5,000 万元". Band columns are renamed (not
overwritten) so that nothing downstream can sum a text column by mistake.
"""

from __future__ import annotations

import dataclasses

import polars as pl

from kechuang.access import auth
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

# Named tax columns (tax_monthly) -> the banded column that replaces them for restricted roles.
NAMED_TAX_COLUMNS: dict[str, str] = {
    "invoiced_sales_wan": "invoiced_sales_band",
    "tax_paid_wan": "tax_paid_band",
}
REDACTED_SECTIONS: dict[str, str] = {
    "tax_monthly": "增值税开票（年度区间）"
}  # section -> title once banded


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


def frame_for(user: auth.User | None, frame: pl.DataFrame) -> pl.DataFrame:
    """The frame as this user may see it: named tax columns replaced in place by their bands,
    unless allowed."""
    if auth.can(user, "view_named_tax"):
        return frame
    return frame.select(
        band_expr(c).alias(NAMED_TAX_COLUMNS[c]) if c in NAMED_TAX_COLUMNS else pl.col(c)
        for c in frame.columns
    )


def annual_bands(monthly: pl.DataFrame) -> pl.DataFrame:
    """Monthly tax rows (period, invoiced_sales_wan, tax_paid_wan[, uscc]) as banded annual totals.

    One row per (uscc,) year: tax_year, n_months (months with a row), invoiced_sales_band,
    tax_paid_band. A year whose values are all unknown has a null band, never the lowest one."""
    keys = (["uscc"] if "uscc" in monthly.columns else []) + ["tax_year"]
    present = [c for c in NAMED_TAX_COLUMNS if c in monthly.columns]
    totals = [pl.when(pl.col(c).count() > 0).then(pl.col(c).sum()).alias(c) for c in present]
    return (
        monthly.with_columns(pl.col("period").dt.year().alias("tax_year"))
        .group_by(keys)
        .agg(pl.len().cast(pl.Int32).alias("n_months"), *totals)
        .sort(keys)
        .select(*keys, "n_months", *(band_expr(c).alias(NAMED_TAX_COLUMNS[c]) for c in present))
    )


def file_for(user: auth.User | None, file: EnterpriseFile) -> EnterpriseFile:
    """The enterprise file as this user may see it: monthly tax rows become annual bands unless
    allowed."""
    if auth.can(user, "view_named_tax"):
        return file
    sections = {}
    for name, frame in file.sections.items():
        if name == "tax_monthly":
            sections[name] = annual_bands(frame)
        elif any(c in NAMED_TAX_COLUMNS for c in frame.columns):
            sections[name] = frame_for(user, frame)
        else:
            sections[name] = frame
    return dataclasses.replace(file, sections=sections)


def section_title(name: str, user: auth.User | None) -> str:
    """The Chinese title of an enterprise-file section as this user sees it."""
    if name in REDACTED_SECTIONS and not auth.can(user, "view_named_tax"):
        return REDACTED_SECTIONS[name]
    return SECTIONS[name][2]
