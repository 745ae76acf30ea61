"""The town table of the overview (each town's contribution to each countable target) and a town's
standing among the county's towns (share of the county, rank), with their Chinese labels.
"""

from __future__ import annotations

from concurrent.futures import Future
from dataclasses import dataclass
from datetime import date

import polars as pl

from kechuang.engine import metrics, prefetch
from kechuang.engine.metrics import METRIC_BY_ID, METRICS
from kechuang.engine.warehouse import Warehouse
from kechuang.zh import fmt

TOWN_UNKNOWN = "未归属镇区"


def town_metrics() -> list[str]:
    """The countable metrics a town contributes to (the columns of the town table)."""
    return [m.id for m in METRICS if not m.is_ratio and not metrics.county_wide(m.id)]


class TownShared(prefetch.Shared):
    """prefetch.Shared plus the active enterprises per town: the town table's rows and the basis of
    the warning list's town gaps (kechuang.models.attention)."""

    def __init__(self) -> None:
        super().__init__()
        self._base: dict[date, pl.DataFrame] = {}
        self._jobs: dict[date, Future] = {}

    def prefetch_town_base(self, wh: Warehouse, as_of: date) -> Future:
        """Start fetching the active enterprises per town on the prefetch threads (town_base then
        waits for it)."""
        job = prefetch.pool().submit(wh.query, "cockpit_town_enterprises", as_of=as_of)
        self._jobs[as_of] = job
        return job

    def town_base(self, wh: Warehouse, as_of: date) -> pl.DataFrame:
        if as_of not in self._base and as_of in self._jobs:
            self._base[as_of] = self._jobs.pop(as_of).result()
        if as_of not in self._base:
            self._base[as_of] = wh.query("cockpit_town_enterprises", as_of=as_of)
        return self._base[as_of]


def town_table(wh: Warehouse, as_of: date) -> pl.DataFrame:
    """Each town's contribution to each countable target, its active enterprises and its open 清零
    worklist.

    Columns: town, n_enterprises, one column per town_metrics() id (null when its data is absent),
    rd_worklist. Events attributable to no town are the row 未归属镇区 (last)."""
    shared = TownShared()
    shared.prefetch(wh, as_of, town_metrics(), rd=True)
    return town_table_shared(wh, as_of, shared)


def town_table_shared(wh: Warehouse, as_of: date, shared: TownShared) -> pl.DataFrame:
    """town_table from rows fetched (or being fetched) once for the whole overview."""
    frame = shared.town_base(wh, as_of).with_columns(pl.col("n_enterprises").cast(pl.Float64))
    parts = []
    for metric_id in town_metrics():
        split = metrics.by_town(wh, metric_id, as_of, shared)
        parts.append((metric_id, split))
    rd = shared.rd_coverage(wh, as_of)
    rd_split = (
        rd.by_town().select("town", pl.col("n_worklist").cast(pl.Float64).alias("value"))
        if rd.coverage is not None
        else None
    )
    parts.append(("rd_worklist", rd_split))
    for column, split in parts:
        if split is None:
            frame = frame.with_columns(pl.lit(None, pl.Float64).alias(column))
            continue
        split = (
            split.with_columns(pl.col("town").fill_null(TOWN_UNKNOWN))
            .group_by("town")
            .agg(pl.col("value").sum())
        )
        frame = frame.join(split.rename({"value": column}), on="town", how="full", coalesce=True)
        frame = frame.with_columns(pl.col(column).fill_null(0.0))
    frame = frame.with_columns(pl.col("n_enterprises").fill_null(0.0))
    return (
        frame.with_columns((pl.col("town") == TOWN_UNKNOWN).alias("_unknown"))
        .sort("_unknown", "n_enterprises", "town", descending=[False, True, False])
        .drop("_unknown")
    )


@dataclass(frozen=True)
class TownStanding:
    """One town against the county's towns on one figure: aggregates only, no other town named."""

    id: str  # a town_metrics() id, or rd_worklist
    label: str
    unit: str
    value: float  # the town's figure
    county: float  # the county's total (every town, and events of no town)
    rank: int | None  # 1 = the most among the towns (competition ranking); None when the town has 0
    n_towns: int


def town_standing(wh: Warehouse, as_of: date, town: str) -> list[TownStanding]:
    """The town's figure, share of the county and rank among the towns, for every town-split figure.

    Expects the county (unscoped) warehouse: the ui calls it for a town officer too
    (ui.town_standing),
    whose own warehouse holds only their town. It returns the town's figures and county totals,
    never another town's name, figure or firm."""
    return standing_in(town_table(wh, as_of), town)


def standing_in(table: pl.DataFrame, town: str) -> list[TownStanding]:
    """town_standing from the county's town_table (computed once for every town asked about)."""
    towns = table.filter(pl.col("town") != TOWN_UNKNOWN)
    out = []
    for column in [*town_metrics(), "rd_worklist"]:
        if table[column].null_count() == table.height:
            continue  # data absent
        mine = towns.filter(pl.col("town") == town)[column].sum()
        above = towns.filter(pl.col(column) > mine).height
        m = METRIC_BY_ID.get(column)
        out.append(
            TownStanding(
                column,
                m.label if m else "研发活动待清零企业",
                m.unit if m else "家",
                float(mine),
                float(table[column].sum()),
                above + 1 if mine > 0 else None,
                towns.height,
            )
        )
    return out


def town_standing_text(s: TownStanding) -> str:
    """'新增高新技术企业 5 家，占全县 13.9%，居各镇区第 3 位（共 14 个）'."""
    value = fmt.amount(s.value, s.unit)
    share = f"占全县 {fmt.pct(s.value / s.county)}" if s.county else "全县亦为 0"
    if s.id == "rd_worklist":
        return f"研发活动待清零企业 {value}，{share}" + ("" if s.value else "，已清零")
    return f"{s.label} {value}，{share}，居各镇区第 {s.rank} 位（共 {s.n_towns} 个）"


def zero_text(standings: list[TownStanding]) -> str | None:
    """What the town has none of yet, in one sentence (instead of a flat zero chart)."""
    zero = [s for s in standings if s.id != "rd_worklist" and s.value == 0]
    if not zero:
        return None
    items = "、".join(
        f"{s.label}（全县已有 {fmt.amount(s.county, s.unit)}）" if s.county else s.label
        for s in zero
    )
    return f"本年尚无：{items}。"


def town_column(metric_id: str) -> str | None:
    """The town-table column of a metric (rd_coverage: the open worklist); None for county-wide
    figures."""
    if metric_id == "rd_coverage":
        return "rd_worklist"
    return metric_id if metric_id in town_metrics() else None


def town_values(table: pl.DataFrame, metric_id: str) -> pl.DataFrame | None:
    """town, value for one metric from the town table; None when it has no town split or no data."""
    column = town_column(metric_id)
    if column is None or column not in table.columns or table[column].null_count() == table.height:
        return None
    return table.select("town", pl.col(column).alias("value"))


def town_chart_spec(metric_id: str) -> tuple[str, str]:
    """Title and unit of the by-town chart of a metric."""
    if metric_id == "rd_coverage":
        return "各镇区研发活动待清零企业数", "家"
    m = METRIC_BY_ID[metric_id]
    return f"各镇区{m.label}", m.unit


def town_table_labels() -> dict[str, str]:
    """Chinese column names of the town table."""
    names = {"town": "镇区", "n_enterprises": "在册企业（家）"}
    for metric_id in town_metrics():
        m = METRIC_BY_ID[metric_id]
        names[metric_id] = f"{m.label}（{fmt.shown_unit(m.unit)}）"
    names["rd_worklist"] = "研发活动待清零企业（家）"
    return names


def town_table_display(table: pl.DataFrame) -> pl.DataFrame:
    """The town table with Chinese column names; counts as integers, amounts in 亿元 with two
    decimals (the unit and precision the cards show them in)."""
    amounts = [c for c in table.columns if c in METRIC_BY_ID and METRIC_BY_ID[c].unit == "万元"]
    counts = [c for c in table.columns if c != "town" and c not in amounts]
    return table.with_columns(
        *[pl.col(c).round(0).cast(pl.Int64) for c in counts],
        *[(pl.col(c) / fmt.WAN_PER_YI).round(2) for c in amounts],
    ).rename(town_table_labels())
