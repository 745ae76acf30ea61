"""科创专员: commissioners serving against the plan, by role and field, and how the roster grew.

County-level: commissioners belong to no town, so a town filter does not change these figures.
Names are personal data: nothing here selects them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl

from kechuang.engine import contract
from kechuang.engine.metrics import Progress
from kechuang.engine.prefetch import Shared
from kechuang.engine.warehouse import Warehouse
from kechuang.models.programmes.common import counts, headline, monthly

METRIC_ID = "commissioners"
ROLES = contract.CATEGORIES[("commissioners", "role")]


@dataclass
class CommissionersView:
    """Everything the 科创专员 page shows; frames are None when commissioners is absent."""

    headline: Progress
    monthly: (
        pl.DataFrame | None
    )  # serving at each month end (actual), net change (in_month), joined, left
    by_role: pl.DataFrame | None  # serving on the as-of date, the four roles in the plan's order
    by_field: pl.DataFrame | None
    roster: pl.DataFrame | None  # serving on the as-of date or left during the year; no names


def _joins_and_departures(rows: pl.DataFrame, series: pl.DataFrame) -> pl.DataFrame:
    """The monthly series with appointments and departures in each month of the year."""
    year = series["on"][0].year
    joined = (
        rows.filter(pl.col("joined_on").dt.year() == year)
        .group_by(pl.col("joined_on").dt.month().alias("month"))
        .agg(pl.len().alias("n_joined"))
    )
    left = (
        rows.filter(pl.col("left_on").dt.year() == year)
        .group_by(pl.col("left_on").dt.month().alias("month"))
        .agg(pl.len().alias("n_left"))
    )
    return (
        series.with_columns(pl.col("on").dt.month().alias("month"))
        .join(joined, on="month", how="left", maintain_order="left")
        .join(left, on="month", how="left", maintain_order="left")
        .with_columns(pl.col("n_joined", "n_left").fill_null(0).cast(pl.Int64))
        .drop("month")
    )


def commissioners_view(wh: Warehouse, as_of: date, target: float | None) -> CommissionersView:
    """The 科创专员 page on the as-of date (serving counts equal the cockpit's commissioners)."""
    shared = Shared()  # the metric's events fetched once for the headline and the series
    top = headline(wh, METRIC_ID, as_of, target, shared)
    if not wh.available("commissioners"):
        return CommissionersView(top, None, None, None, None)
    rows = wh.query("programme_commissioners", as_of=as_of)
    serving = rows.filter(pl.col("is_serving"))
    series = monthly(wh, METRIC_ID, as_of, target, shared)
    return CommissionersView(
        headline=top,
        monthly=_joins_and_departures(rows, series) if series is not None else None,
        by_role=counts(serving, "role", order=ROLES, name="n_serving"),
        by_field=counts(serving, "field", name="n_serving"),
        roster=rows.with_columns(
            pl.when(pl.col("is_serving"))
            .then(pl.lit("在任"))
            .otherwise(pl.lit("已离任"))
            .alias("serving_status")
        )
        .sort(["is_serving", "joined_on", "commissioner_id"], descending=[True, False, False])
        .select(
            "commissioner_id",
            "role",
            "field",
            "organization",
            "joined_on",
            "left_on",
            "serving_status",
        ),
    )
