"""科小二服务: key enterprises (一企一策) visited this year, the ones not yet visited, and what the
teams did."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl

from kechuang.engine import contract, worklists
from kechuang.engine.metrics import Progress
from kechuang.engine.prefetch import Shared
from kechuang.engine.warehouse import Warehouse
from kechuang.models.programmes.common import NO_TOWN, UNKNOWN, headline, monthly

METRIC_ID = "key_enterprises_served"
SERVICE_TYPES = contract.CATEGORIES[("service_visits", "service_type")]


@dataclass
class ServicesView:
    """Everything the 科小二服务 page shows; frames are None when their data is absent."""

    headline: Progress
    n_key: int | None  # key enterprises of the plan year
    monthly: pl.DataFrame | None
    unvisited: pl.DataFrame | None  # the worklist (worklists.key_enterprises_unvisited)
    by_town: pl.DataFrame | None  # key enterprises, served, not yet visited, coverage per town
    by_service_type: pl.DataFrame | None  # visits in the year per service type
    by_team: pl.DataFrame | None  # visits per team, and each team's own key enterprises served


def coverage_by_town(key_firms: pl.DataFrame) -> pl.DataFrame:
    """Per town: key enterprises, those visited this year, those not yet, and the share visited."""
    return (
        key_firms.with_columns(pl.col("town").fill_null(NO_TOWN))
        .group_by("town")
        .agg(
            pl.len().alias("n_key"),
            pl.col("first_visited_on").is_not_null().sum().cast(pl.Int64).alias("n_served"),
        )
        .with_columns(
            (pl.col("n_key") - pl.col("n_served")).alias("n_unvisited"),
            (pl.col("n_served") / pl.col("n_key")).alias("coverage_ratio"),
        )
        .sort(["n_unvisited", "town"], descending=[True, False])
    )


def visits_by(visits: pl.DataFrame, key: str, order: tuple[str, ...] | None = None) -> pl.DataFrame:
    """Visits in the year per value of key: visits, firms visited, key enterprises visited.

    n_key_visited is left out when the key-enterprise list is absent (is_key_enterprise all
    null)."""
    key_known = visits["is_key_enterprise"].null_count() < visits.height or visits.height == 0
    grouped = (
        visits.with_columns(pl.col(key).fill_null(UNKNOWN))
        .group_by(key)
        .agg(
            pl.len().alias("n_visits"),
            pl.col("uscc").n_unique().alias("n_firms"),
            pl.col("uscc").filter(pl.col("is_key_enterprise")).n_unique().alias("n_key_visited"),
        )
    )
    if order is None:
        grouped = grouped.sort(["n_visits", key], descending=[True, False])
    else:
        listed = pl.DataFrame({key: list(order)}).join(
            grouped, on=key, how="left", maintain_order="left"
        )
        others = grouped.filter(~pl.col(key).is_in(list(order))).sort(key)
        grouped = pl.concat([listed, others], how="diagonal_relaxed")
    grouped = grouped.with_columns(
        pl.col("n_visits", "n_firms", "n_key_visited").fill_null(0).cast(pl.Int64)
    )
    return grouped if key_known else grouped.drop("n_key_visited")


def by_team(visits: pl.DataFrame, key_firms: pl.DataFrame | None) -> pl.DataFrame:
    """Per team: its visits in the year, and the key enterprises assigned to it with those
    served."""
    out = visits_by(visits, "team")
    if key_firms is None:
        return out
    assigned = (
        key_firms.with_columns(pl.col("team").fill_null(UNKNOWN))
        .group_by("team")
        .agg(
            pl.len().alias("n_key"),
            pl.col("first_visited_on").is_not_null().sum().cast(pl.Int64).alias("n_served"),
        )
    )
    return (
        out.join(assigned, on="team", how="full", coalesce=True)
        .with_columns(
            pl.col("n_visits", "n_firms", "n_key_visited", "n_key", "n_served")
            .fill_null(0)
            .cast(pl.Int64)
        )
        .sort(["n_visits", "team"], descending=[True, False])
    )


def services_view(wh: Warehouse, as_of: date, target: float | None) -> ServicesView:
    """The 科小二服务 page on the as-of date (served and not-yet lists match
    key_enterprises_served)."""
    shared = Shared()  # the metric's events fetched once for the headline and the series
    top = headline(wh, METRIC_ID, as_of, target, shared)
    has_key = wh.available("key_enterprises", "service_visits")
    key_firms = wh.query("programme_key_enterprises", as_of=as_of) if has_key else None
    visits = (
        wh.query("programme_service_visits", as_of=as_of)
        if wh.available("service_visits")
        else None
    )
    if visits is not None and not wh.available("key_enterprises"):
        visits = visits.with_columns(
            pl.lit(None, dtype=pl.Boolean).alias("is_key_enterprise")
        )  # unknown, not false
    return ServicesView(
        headline=top,
        n_key=key_firms.height if key_firms is not None else None,
        monthly=monthly(wh, METRIC_ID, as_of, target, shared),
        unvisited=worklists.key_enterprises_unvisited(wh, as_of, key_firms),
        by_town=coverage_by_town(key_firms) if key_firms is not None else None,
        by_service_type=visits_by(visits, "service_type", SERVICE_TYPES)
        if visits is not None
        else None,
        by_team=by_team(visits, key_firms) if visits is not None else None,
    )
