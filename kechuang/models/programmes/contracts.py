"""技术合同: registered amount against the plan, its breakdowns, and the firms to bring in next."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl

from kechuang.engine import contract
from kechuang.engine.metrics import Progress
from kechuang.engine.prefetch import Shared
from kechuang.engine.warehouse import Warehouse
from kechuang.models.programmes.common import (
    NO_TOWN,
    REGION_BUCKETS,
    UNKNOWN,
    counts,
    headline,
    monthly,
    with_region_bucket,
)
from kechuang.zh import fmt

METRIC_ID = "tech_contract_amount"
CONTRACT_TYPES = contract.CATEGORIES[("tech_contracts", "contract_type")]
# The local party's role: 卖方 sells technology (output), 买方 buys it (absorbed).
DIRECTIONS = {"卖方": "技术输出", "买方": "技术吸纳"}
TOP_FIRMS = 10  # firms drawn in the chart; the table ranks them all
# Sources of the 重点企业动态清单's reasons; a missing one only drops its reason.
PROSPECT_SOURCES = ("hnte_certificates", "iur_projects", "tax_annual", "stats_annual")


@dataclass
class ContractsView:
    """Everything the 技术合同 page shows; frames are None when tech_contracts is absent."""

    headline: Progress
    n_contracts: int | None
    tech_amount_wan: float | None
    monthly: pl.DataFrame | None  # on, in_month, actual, pace, target, tech_in_month, n_contracts
    by_type: pl.DataFrame | None
    by_town: pl.DataFrame | None
    by_direction: pl.DataFrame | None
    by_region: pl.DataFrame | None
    firms: pl.DataFrame | None  # registering firms ranked by amount


def _breakdown(
    rows: pl.DataFrame, key: str, order: tuple[str, ...] | None = None, missing: str = UNKNOWN
) -> pl.DataFrame:
    """Contracts, contract amount, technology-transaction amount and share of the amount per value
    of key."""
    amounts = counts(
        rows, key, order=order, missing=missing, value="amount_wan", name="n_contracts"
    )
    tech = (
        rows.with_columns(pl.col(key).fill_null(missing))
        .group_by(key)
        .agg(pl.col("tech_amount_wan").sum())
    )
    return (
        amounts.join(tech, on=key, how="left", maintain_order="left")
        .with_columns(pl.col("tech_amount_wan").fill_null(0.0))
        .select(key, "n_contracts", "amount_wan", "tech_amount_wan", "share_ratio")
    )


def _monthly(
    wh: Warehouse,
    rows: pl.DataFrame,
    as_of: date,
    target: float | None,
    shared: Shared | None = None,
) -> pl.DataFrame | None:
    series = monthly(wh, METRIC_ID, as_of, target, shared)
    if series is None:
        return None
    per_month = rows.group_by(pl.col("registered_on").dt.month().alias("month")).agg(
        pl.col("tech_amount_wan").sum().alias("tech_in_month"), pl.len().alias("n_contracts")
    )
    return (
        series.with_columns(pl.col("on").dt.month().alias("month"))
        .join(per_month, on="month", how="left", maintain_order="left")
        .with_columns(pl.col("tech_in_month").fill_null(0.0), pl.col("n_contracts").fill_null(0))
        .drop("month")
    )


def firms_ranked(rows: pl.DataFrame) -> pl.DataFrame:
    """Registering firms by contract amount in the year (rank 1 = largest)."""
    return (
        rows.group_by("uscc")
        .agg(
            pl.col("name").first(),
            pl.col("town").first().fill_null(NO_TOWN),
            pl.len().alias("n_contracts"),
            pl.col("amount_wan").sum(),
            pl.col("tech_amount_wan").sum(),
            pl.col("amount_wan").filter(pl.col("role") == "卖方").sum().alias("output_amount_wan"),
            pl.col("amount_wan")
            .filter(pl.col("role") == "买方")
            .sum()
            .alias("absorbed_amount_wan"),
        )
        .sort(["amount_wan", "uscc"], descending=[True, False])
        .with_row_index("rank", offset=1)
        .with_columns(pl.col("rank").cast(pl.Int64))
    )


def contracts_view(wh: Warehouse, as_of: date, target: float | None) -> ContractsView:
    """The 技术合同 page on the as-of date (breakdowns add up to the cockpit's
    tech_contract_amount)."""
    shared = Shared()  # the metric's events fetched once for the headline and the series
    top = headline(wh, METRIC_ID, as_of, target, shared)
    if not wh.available("tech_contracts"):
        return ContractsView(top, None, None, None, None, None, None, None, None)
    rows = wh.query("programme_tech_contracts", as_of=as_of)
    rows = with_region_bucket(rows, "counterparty_region").with_columns(
        pl.col("role")
        .replace_strict(DIRECTIONS, default=UNKNOWN, return_dtype=pl.String)
        .alias("direction")
    )
    return ContractsView(
        headline=top,
        n_contracts=rows.height,
        tech_amount_wan=float(rows["tech_amount_wan"].sum()),
        monthly=_monthly(wh, rows, as_of, target, shared),
        by_type=_breakdown(rows, "contract_type", CONTRACT_TYPES),
        by_town=_breakdown(rows, "town", missing=NO_TOWN),
        by_direction=_breakdown(rows, "direction", tuple(DIRECTIONS.values())),
        by_region=_breakdown(rows, "region_bucket", REGION_BUCKETS).filter(
            (pl.col("n_contracts") > 0) | (pl.col("region_bucket") != UNKNOWN)
        ),
        firms=firms_ranked(rows),
    )


def prospect_reasons(
    hnte_valid_until: date | None,
    n_iur_projects: int,
    rd_year: int | None,
    rd_expense_wan: float | None,
) -> str:
    """Why a firm is on the 重点企业动态清单, in words, e.g.
    '有效高企（至2027年2月28日）；产学研项目 2 项'."""
    reasons = []
    if hnte_valid_until is not None:
        reasons.append(f"有效高企（至{fmt.cn_date(hnte_valid_until)}）")
    if n_iur_projects:
        reasons.append(f"产学研项目 {n_iur_projects} 项")
    if rd_expense_wan is not None and rd_expense_wan > 0:
        reasons.append(f"{rd_year}年研发投入 {fmt.wan(rd_expense_wan)}")
    return "；".join(reasons)


def prospects(wh: Warehouse, as_of: date) -> pl.DataFrame | None:
    """重点企业动态清单: active firms likely to register contracts that have registered none this
    year.

    Likely = an HNTE certificate valid on the as-of date, a 产学研 project registered since the
    start of the previous year or not yet registered, or R&D spending in the last settled year.
    Ranked by the number of reasons, then R&D spending. None when tech_contracts or enterprises is
    absent (we could not tell who has registered, or who is active); an absent reason source only
    drops its reason.
    """
    if not wh.available("tech_contracts", "enterprises"):
        return None
    rows = wh.query("programme_contract_prospects", as_of=as_of)
    reasons = [
        prospect_reasons(*r)
        for r in rows.select(
            "hnte_valid_until", "n_iur_projects", "rd_year", "rd_expense_wan"
        ).iter_rows()
    ]
    n_reasons = (
        pl.col("hnte_valid_until").is_not_null().cast(pl.Int64)
        + (pl.col("n_iur_projects") > 0).cast(pl.Int64)
        + (pl.col("rd_expense_wan").fill_null(0) > 0).cast(pl.Int64)
    )
    return (
        rows.with_columns(
            pl.Series("reasons", reasons, dtype=pl.String), n_reasons.alias("n_reasons")
        )
        .sort(
            ["n_reasons", "rd_expense_wan", "uscc"], descending=[True, True, False], nulls_last=True
        )
        .select(
            "uscc",
            "name",
            "town",
            "reasons",
            "n_reasons",
            "hnte_valid_until",
            "n_iur_projects",
            "rd_year",
            "rd_expense_wan",
            "last_registered_on",
        )
    )
