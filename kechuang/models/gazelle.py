"""瞪羚/独角兽: the gazelle screen's spans and table, the cultivation list and its places. No
Streamlit here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl

from kechuang.engine import metrics
from kechuang.engine.warehouse import Warehouse
from kechuang.models.workbench import division_expr


def gazelle_spans(wh: Warehouse, as_of: date) -> tuple[int, ...]:
    """The spans the data supports: 2 always; 4 (Jiangsu) when some firm has a revenue figure for
    Y-4."""
    years = wh.query("workbench_revenue_years", as_of=as_of)
    if years.height == 0:
        return (2,)
    settled = years["settled_year"][0]
    return (2, 4) if settled - 4 in years["year"].to_list() else (2,)


def gazelle_table(frame: pl.DataFrame, span: int = 2) -> pl.DataFrame:
    """Cultivation candidates for display: growth, revenue of both years, and whether already
    listed.

    The growth is named by its span ("2年期"), as the 培育名单's is by its years: two different
    年均复合增长率 of one firm must not read as the same figure."""
    return frame.select(
        pl.col("name").alias("企业名称"),
        pl.col("cagr").alias(f"年均复合增长率（{span}年期）"),
        pl.col("revenue_base_wan").alias("基期营业收入（万元）"),
        pl.col("revenue_wan").alias("上年营业收入（万元）"),
        pl.when(pl.col("in_cultivation"))
        .then(pl.concat_str(pl.lit("已入选（"), pl.col("track"), pl.lit("）")))
        .otherwise(pl.lit("未入选"))
        .alias("培育名单"),
        pl.col("town").alias("所属镇区"),
        division_expr().alias("行业"),
        pl.col("established_on").alias("成立日期"),
        pl.col("uscc").alias("统一社会信用代码"),
    )


def cultivation_list(wh: Warehouse, as_of: date) -> pl.DataFrame:
    """The plan year's cultivation list, one row per firm, with its revenue by year (trend,
    first..last year).

    Columns: uscc, name, town, division, track, hnte_valid_until, revenue_trend (list, oldest
    first; null where a year has no figure), first_year, last_year, revenue_y_wan (last year) and
    cagr over the years between the first and last known figures (null unless both are > 0 and at
    least a year apart)."""
    rows = wh.query("workbench_cultivation", as_of=as_of)
    firm_cols = [
        "uscc",
        "name",
        "town",
        "industry_code",
        "established_on",
        "track",
        "hnte_valid_until",
    ]
    out = (
        rows.sort("uscc", "year")
        .group_by(firm_cols, maintain_order=True)
        .agg(
            pl.col("revenue_wan").filter(pl.col("year").is_not_null()).alias("revenue_trend"),
            pl.col("year").min().alias("first_year"),
            pl.col("year").max().alias("last_year"),
            pl.col("revenue_wan")
            .filter(pl.col("year") == pl.col("year").max())
            .first()
            .alias("revenue_y_wan"),
            pl.struct("year", "revenue_wan")
            .filter(pl.col("revenue_wan").is_not_null())
            .first()
            .alias("_first"),
            pl.struct("year", "revenue_wan")
            .filter(pl.col("revenue_wan").is_not_null())
            .last()
            .alias("_last"),
        )
    )
    first, last = pl.col("_first").struct.field, pl.col("_last").struct.field
    span = last("year") - first("year")
    return (
        out.with_columns(
            division_expr().alias("division"),
            pl.when((span >= 1) & (first("revenue_wan") > 0) & (last("revenue_wan") > 0))
            .then((last("revenue_wan") / first("revenue_wan")).pow(1 / span.cast(pl.Float64)) - 1)
            .alias("cagr"),
        )
        .drop("_first", "_last")
        .sort("track", "name", "uscc", nulls_last=True)
    )


def cultivation_table(frame: pl.DataFrame) -> pl.DataFrame:
    years = _year_span(frame)
    return frame.select(
        pl.col("name").fill_null("（登记信息缺失）").alias("企业名称"),
        pl.col("revenue_trend").alias(f"营业收入走势（{years}，万元）"),
        pl.col("track").alias("培育方向"),
        pl.col("revenue_y_wan").alias("上年营业收入（万元）"),
        pl.col("cagr").alias(f"年均复合增长率（{years}）"),
        pl.col("town").alias("所属镇区"),
        pl.col("division").alias("行业"),
        pl.col("hnte_valid_until").alias("高企证书有效期至"),
        pl.col("uscc").alias("统一社会信用代码"),
    )


def _year_span(frame: pl.DataFrame) -> str:
    lo, hi = (
        frame["first_year"].min() if frame.height else None,
        frame["last_year"].max() if frame.height else None,
    )
    return f"{lo}–{hi}年" if lo is not None and hi is not None else "各年"


@dataclass(frozen=True)
class Places:
    target: float | None  # the plan's cultivation target (None without a plan or target)
    filled: int | None  # firms on the plan year's list (None when the cultivation table is absent)

    @property
    def remaining(self) -> int | None:
        if self.target is None or self.filled is None:
            return None
        return max(int(self.target) - self.filled, 0)

    @property
    def share(self) -> float | None:
        return self.filled / self.target if self.target and self.filled is not None else None


def places(wh: Warehouse, as_of: date, target: float | None) -> Places:
    """How many of the plan's cultivation places are filled: the `cultivation` metric's own
    actual."""
    filled = metrics.metric_actual(wh, "cultivation", as_of)
    return Places(target, None if filled is None else int(filled))
