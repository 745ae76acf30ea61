"""产学研: the five-stage pipeline as a funnel, who the partners are, and registered projects
waiting to start."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl

from kechuang.engine import contract, worklists
from kechuang.engine.metrics import Progress
from kechuang.engine.prefetch import Shared
from kechuang.engine.warehouse import Warehouse
from kechuang.models.programmes.common import (
    REGION_BUCKETS,
    UNKNOWN,
    counts,
    funnel,
    headline,
    monthly,
    with_region_bucket,
)

METRIC_ID = "iur_projects"
STAGES = contract.CATEGORIES[
    ("iur_projects", "stage")
]  # 需求征集 → 精准对接 → 备案登记 → 落地实施 → 跟踪服务
REGISTERED = STAGES.index("备案登记") + 1  # stage number of 备案登记
MODES = contract.CATEGORIES[("iur_projects", "mode")]
# The follow-up list (registered projects still waiting past N days): the one rule is
# engine.worklists.iur_follow_up, which the work records' 产学研 list (worklog.lists) uses too.
DEFAULT_OVERDUE_DAYS = worklists.IUR_OVERDUE_DAYS
follow_up = worklists.iur_follow_up


@dataclass
class IurView:
    """Everything the 产学研 page shows; frames are None when iur_projects is absent."""

    headline: Progress
    monthly: pl.DataFrame | None
    pipeline: pl.DataFrame | None  # the covered projects with their stage reached (stage_no)
    funnel: pl.DataFrame | None
    by_partner: pl.DataFrame | None
    by_region: pl.DataFrame | None
    by_mode: pl.DataFrame | None


def _by(rows: pl.DataFrame, key: str, order: tuple[str, ...] | None = None) -> pl.DataFrame:
    """Projects in the pipeline, those registered (reached 备案登记), and their amount, per value
    of key."""
    base = counts(rows, key, order=order)
    extra = (
        rows.with_columns(pl.col(key).fill_null(UNKNOWN))
        .group_by(key)
        .agg(
            (pl.col("stage_no") >= REGISTERED).sum().cast(pl.Int64).alias("n_registered"),
            pl.col("amount_wan").sum(),
        )
    )
    return (
        base.join(extra, on=key, how="left", maintain_order="left")
        .with_columns(pl.col("n_registered").fill_null(0), pl.col("amount_wan").fill_null(0.0))
        .select(key, "n_projects", "n_registered", "amount_wan", "share_ratio")
    )


def by_partner(rows: pl.DataFrame) -> pl.DataFrame:
    """Per partner institution (with its region bucket): projects, registered projects, amount."""
    keyed = rows.with_columns(pl.col("partner").fill_null(UNKNOWN))
    region = keyed.group_by("partner").agg(pl.col("region_bucket").mode().sort().first())
    return (
        _by(keyed, "partner")
        .join(region, on="partner", how="left", maintain_order="left")
        .select(
            "partner", "region_bucket", "n_projects", "n_registered", "amount_wan", "share_ratio"
        )
    )


def iur_view(wh: Warehouse, as_of: date, target: float | None) -> IurView:
    """The 产学研 page on the as-of date (projects covered: see
    queries/programme_iur_pipeline.sql)."""
    shared = Shared()  # the metric's events fetched once for the headline and the series
    top = headline(wh, METRIC_ID, as_of, target, shared)
    if not wh.available("iur_projects"):
        return IurView(top, None, None, None, None, None, None)
    rows = with_region_bucket(wh.query("programme_iur_pipeline", as_of=as_of), "partner_region")
    return IurView(
        headline=top,
        monthly=monthly(wh, METRIC_ID, as_of, target, shared),
        pipeline=rows.with_columns(
            pl.col("stage_no")
            .replace_strict(dict(enumerate(STAGES, start=1)), return_dtype=pl.String)
            .alias("stage_reached")
        ),
        funnel=funnel(rows["stage_no"], STAGES),
        by_partner=by_partner(rows),
        by_region=_by(rows, "region_bucket", REGION_BUCKETS).filter(
            (pl.col("n_projects") > 0) | (pl.col("region_bucket") != UNKNOWN)
        ),
        by_mode=_by(rows, "mode", MODES),
    )
