"""培训: SME trainings and the firms they reached against the plan, cadre trainings, and the list.

Training counts are county-level (a training belongs to no town); under a town filter the
attendance counts only that town's firms.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl

from kechuang.engine.metrics import Progress
from kechuang.engine.plan import Plan
from kechuang.engine.warehouse import Warehouse
from kechuang.models.programmes.common import headline

SME = "中小企业专项培训"
CADRE = "科技创新专题培训"
METRIC_IDS = ("sme_trainings", "sme_training_attendance", "cadre_trainings")


@dataclass
class TrainingsView:
    """Everything the 培训 page shows; the list is None when trainings is absent."""

    sme_trainings: Progress
    sme_attendance: Progress
    cadre_trainings: Progress
    trainings: (
        pl.DataFrame | None
    )  # every training of the plan year; n_firms null when attendance is absent


def trainings_view(wh: Warehouse, as_of: date, plan: Plan | None) -> TrainingsView:
    """The 培训 page on the as-of date: the three targets and the year's trainings with
    attendance."""
    sme, attendance, cadre = (
        headline(wh, m, as_of, plan.target(m) if plan else None) for m in METRIC_IDS
    )
    if not wh.available("trainings"):
        return TrainingsView(sme, attendance, cadre, None)
    rows = wh.query("programme_trainings", as_of=as_of)
    if not wh.available("training_attendance"):
        rows = rows.with_columns(pl.lit(None, dtype=pl.Int64).alias("n_firms"))  # unknown, not 0
    status = (
        pl.when(pl.col("is_held"))
        .then(pl.lit("已举办"))
        .otherwise(pl.lit("计划中"))
        .alias("training_status")
    )
    return TrainingsView(sme, attendance, cadre, rows.with_columns(status).drop("is_held"))


def sme_attendance(trainings: pl.DataFrame) -> pl.DataFrame:
    """Attending firms per SME training held so far (the bars of the attendance chart), labelled by
    date."""
    held = trainings.filter((pl.col("kind") == SME) & (pl.col("training_status") == "已举办"))
    label = [f"第{i}场（{d.month}月{d.day}日）" for i, d in enumerate(held["held_on"], start=1)]
    return held.select("training_id", "title", "held_on", "n_firms").insert_column(
        0, pl.Series("label", label, dtype=pl.String)
    )
