"""科创项目招引: high-growth projects landed against the plan, where they come from and land, and
the pipeline."""

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

METRIC_ID = "sci_projects_landed"
STAGES = contract.CATEGORIES[("sci_projects", "stage")]  # 在谈 → 签约 → 落地


@dataclass
class ProjectsView:
    """Everything the 科创项目招引 page shows; frames are None when sci_projects is absent."""

    headline: Progress
    monthly: pl.DataFrame | None
    pipeline: pl.DataFrame | None  # per stage: projects, high-growth ones, planned investment
    by_field: pl.DataFrame | None  # the landed high-growth projects (the metric's rows) ...
    by_region: pl.DataFrame | None  # ... by source region bucket
    by_town: pl.DataFrame | None  # ... by town
    landed: pl.DataFrame | None  # the metric's rows, newest first
    in_progress: pl.DataFrame | None  # projects in talks or signed: the ones to bring to landing


def pipeline(rows: pl.DataFrame) -> pl.DataFrame:
    """Projects at each stage on the as-of date (在谈, 签约, and 落地 in the year), high-growth
    ones, investment."""
    per_stage = rows.group_by("stage").agg(
        pl.len().alias("n_projects"),
        pl.col("high_growth").fill_null(False).sum().cast(pl.Int64).alias("n_high_growth"),
        pl.col("investment_wan").sum(),
    )
    return (
        pl.DataFrame({"stage": list(STAGES)})
        .join(per_stage, on="stage", how="left", maintain_order="left")
        .with_columns(
            pl.col("n_projects", "n_high_growth").fill_null(0),
            pl.col("investment_wan").fill_null(0.0),
        )
    )


def _landed_by(
    landed: pl.DataFrame, key: str, order: tuple[str, ...] | None = None, missing: str = UNKNOWN
) -> pl.DataFrame:
    out = counts(landed, key, order=order, missing=missing, name="n_projects")
    invest = (
        landed.with_columns(pl.col(key).fill_null(missing))
        .group_by(key)
        .agg(pl.col("investment_wan").sum())
    )
    return (
        out.join(invest, on=key, how="left", maintain_order="left")
        .with_columns(pl.col("investment_wan").fill_null(0.0))
        .select(key, "n_projects", "investment_wan", "share_ratio")
    )


def projects_view(wh: Warehouse, as_of: date, target: float | None) -> ProjectsView:
    """The 科创项目招引 page on the as-of date (the landed breakdowns add up to
    sci_projects_landed)."""
    shared = Shared()  # the metric's events fetched once for the headline and the series
    top = headline(wh, METRIC_ID, as_of, target, shared)
    if not wh.available("sci_projects"):
        return ProjectsView(top, None, None, None, None, None, None, None)
    rows = with_region_bucket(wh.query("programme_sci_pipeline", as_of=as_of), "source_region")
    landed = rows.filter(pl.col("is_counted"))
    by_region = _landed_by(landed, "region_bucket", REGION_BUCKETS)
    return ProjectsView(
        headline=top,
        monthly=monthly(wh, METRIC_ID, as_of, target, shared),
        pipeline=pipeline(rows),
        by_field=_landed_by(landed, "field"),
        by_region=by_region.filter(
            (pl.col("n_projects") > 0) | (pl.col("region_bucket") != UNKNOWN)
        ),
        by_town=_landed_by(landed, "town", missing=NO_TOWN),
        landed=landed.sort(["landed_on", "project_id"], descending=[True, False]).drop(
            "is_counted", "uscc"
        ),
        in_progress=rows.filter(pl.col("stage") != "落地")
        .sort(
            [pl.col("stage") == "在谈", pl.col("investment_wan"), pl.col("project_id")],
            descending=[False, True, False],
            nulls_last=True,
        )
        .drop("is_counted", "uscc", "landed_on"),
    )
