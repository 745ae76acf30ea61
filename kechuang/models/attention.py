"""The warning list (需关注) of the overview: the county's targets behind or at risk, each with the
towns dragging it. A rule the specs leave open, decided here:

- **Towns dragging a target.** A town's fair share of a county target's expected-by-now is its
  share of the county's active enterprises; its gap is that share minus what it has delivered.
  The warning list names the towns with the largest gaps (in the metric's own unit). For
  rd_coverage it names the towns with the most firms still on the 清零 worklist.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl

from kechuang.engine import metrics, prefetch
from kechuang.engine.metrics import METRIC_BY_ID, Progress
from kechuang.engine.plan import Plan
from kechuang.engine.warehouse import Warehouse
from kechuang.models.towns import TownShared
from kechuang.zh import fmt

LAGGARDS = 3  # towns named per target in the warning list


@dataclass(frozen=True)
class Attention:
    id: str
    label: str
    status: str  # behind or at_risk
    summary: str  # where the target stands
    towns: str  # the towns dragging it (or the chosen town's part, or why there is no town split)


def town_gaps(
    wh: Warehouse,
    metric_id: str,
    as_of: date,
    expected: float,
    shared: prefetch.Shared | None = None,
    base: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Per town: actual, its share of the county's expected-by-now (by active enterprises) and the
    gap.

    Columns town, actual, expected, gap; sorted by gap, largest first."""
    if base is None:
        base = wh.query("cockpit_town_enterprises", as_of=as_of)
    total = base["n_enterprises"].sum()
    split = metrics.by_town(wh, metric_id, as_of, shared)
    if not total or split is None:
        return pl.DataFrame(
            schema={
                "town": pl.String,
                "actual": pl.Float64,
                "expected": pl.Float64,
                "gap": pl.Float64,
            }
        )
    return (
        base.join(split.filter(pl.col("town").is_not_null()), on="town", how="left")
        .select(
            "town",
            pl.col("value").fill_null(0.0).cast(pl.Float64).alias("actual"),
            (expected * pl.col("n_enterprises") / total).alias("expected"),
        )
        .with_columns((pl.col("expected") - pl.col("actual")).alias("gap"))
        .sort("gap", "town", descending=[True, False])
    )


def _summary(p: Progress) -> str:
    if METRIC_BY_ID[p.id].is_ratio:
        return f"{fmt.pct(p.actual)}，目标 {fmt.pct(p.target)}"
    return (
        f"完成 {fmt.amount(p.actual, p.unit)}，序时应完成 {fmt.pace_text(p.expected, p.unit)}，"
        f"差 {fmt.gap_text(p.actual, p.expected, p.unit)}，"
        f"完成年度目标 {fmt.pct(p.share_of_target)}"
    )


def town_detail(
    wh: Warehouse, p: Progress, as_of: date, shared: prefetch.Shared
) -> pl.DataFrame | None:
    """What the warning list says about a lagging target's towns, as data: for rd_coverage the 清零
    worklist by town (town, n_worklist), for other town-split targets town_gaps; None for a
    county-wide target. Computed once for the county; any chosen town's words come from it
    (towns_text), so choosing a town computes nothing again."""
    if metrics.county_wide(p.id):
        return None
    if p.id == "rd_coverage":
        return shared.rd_coverage(wh, as_of).by_town().filter(pl.col("town").is_not_null())
    return town_gaps(wh, p.id, as_of, p.expected, shared, shared.town_base(wh, as_of))


def towns_text(p: Progress, town: str | None, detail: pl.DataFrame | None) -> str:
    """The towns dragging the target (town None), or the chosen town's part in it."""
    unit = p.unit
    if detail is None:
        return "全县统筹指标，不分镇区"
    if p.id == "rd_coverage":
        if town is not None:
            mine = detail.filter(pl.col("town") == town)
            return f"{town}：待清零 {fmt.num(mine['n_worklist'].sum())} 家"
        worst = detail.filter(pl.col("n_worklist") > 0).head(LAGGARDS)
        return "待清零企业最多：" + "、".join(
            f"{t} {fmt.num(n)} 家" for t, n in worst.select("town", "n_worklist").iter_rows()
        )
    gaps = detail  # town_gaps
    if gaps.height == 0:
        return "缺少市场主体登记数据，无法按镇区比较"
    if town is not None:
        mine = gaps.filter(pl.col("town") == town)
        if mine.height == 0:
            return f"{town}：无在册企业，不作比较"
        actual, expected, _gap = mine.row(0)[1:]
        text = (
            f"{town}：完成 {fmt.amount(actual, unit)}，"
            f"按企业数占比应完成 {fmt.pace_text(expected, unit)}"
        )
        gap = fmt.gap_value(actual, expected, unit)
        return text + (f"，差 {fmt.amount(gap, unit)}" if gap else "，已达到占比")
    # Ranked by the shown gap (fair share rounded up minus actual): names agree with figures.
    shown = [(t, fmt.gap_value(a, e, unit)) for t, a, e, _g in gaps.iter_rows()]
    worst = sorted((x for x in shown if x[1]), key=lambda x: -x[1])[:LAGGARDS]
    if not worst:
        return "各镇区均已达到按企业数占比折算的序时进度"
    return "拖后：" + "、".join(f"{t}（差 {fmt.amount(g, unit)}）" for t, g in worst)


def lagging(rows: list[Progress]) -> list[Progress]:
    """The targets behind or at risk, most severe first (stable: metrics.md order within a
    status)."""
    return sorted(
        (p for p in rows if p.status in ("behind", "at_risk")),
        key=lambda p: metrics.SEVERITY[p.status],
    )


def attention_for(
    rows: list[Progress], details: dict[str, pl.DataFrame | None], town: str | None
) -> list[Attention]:
    """The warning list from the lagging targets' town details (town_detail), for the county
    (town None) or with a chosen town's part in each."""
    return [
        Attention(p.id, p.label, p.status, _summary(p), towns_text(p, town, details[p.id]))
        for p in lagging(rows)
    ]


def attention(
    wh: Warehouse, as_of: date, plan: Plan | None, town: str | None = None
) -> list[Attention]:
    """The county's targets behind or at risk, most severe first, each with the towns dragging it
    (with a town chosen: that town's part in each). Expects the county (unscoped) warehouse."""
    shared = TownShared()
    rows = metrics.progress(wh, as_of, plan, shared)
    return attention_for(rows, lagging_details(wh, rows, as_of, shared), town)


def lagging_details(
    wh: Warehouse, progress_rows: list[Progress], as_of: date, shared: TownShared
) -> dict[str, pl.DataFrame | None]:
    """town_detail of every lagging target, by id."""
    return {p.id: town_detail(wh, p, as_of, shared) for p in lagging(progress_rows)}
