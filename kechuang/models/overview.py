"""The leadership cockpit (总览): target cards, the warning list (需关注) and the town table,
computed together by overview(). The same day last year and the cumulative series are
kechuang.models.timeline, the task breakdown kechuang.models.tasks, the link that reopens a view
kechuang.models.links.

Every figure comes from the metrics engine (kechuang.engine.metrics); this module only arranges and
words it. Rules the specs leave open, decided here:

- **Town view.** A town has no targets of its own: under a town scope a card shows the town's
  contribution and its share of the county target, without a pace judgement ("镇区贡献").
  Ratios (rd_coverage: every town should reach 100%) and county-level figures (commissioners,
  trainings: records that carry no enterprise) keep their judgement.
- **Towns dragging a target.** A town's fair share of a county target's expected-by-now is its
  share of the county's active enterprises; its gap is that share minus what it has delivered.
  The warning list names the towns with the largest gaps (in the metric's own unit). For
  rd_coverage it names the towns with the most firms still on the 清零 worklist.
"""

from __future__ import annotations

from concurrent.futures import Future
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import polars as pl

from kechuang.charts import target_list
from kechuang.engine import contract, metrics, prefetch
from kechuang.engine.metrics import METRIC_BY_ID, METRICS, Progress
from kechuang.engine.plan import PLANS_DIR, Plan
from kechuang.engine.warehouse import Warehouse
from kechuang.models import timeline
from kechuang.zh import fmt
from kechuang.zh.labels import STATUS_LABELS

LAGGARDS = 3  # towns named per target in the warning list
TOWN_UNKNOWN = "未归属镇区"


def town_metrics() -> list[str]:
    """The countable metrics a town contributes to (the columns of the town table)."""
    return [m.id for m in METRICS if not m.is_ratio and not metrics.county_wide(m.id)]


def signed(x: float, unit: str) -> str:
    """A difference with its sign: '+7 个', '-1.25 亿元', '+1.2 个百分点'; '持平' when
    none is shown."""
    if unit == "比率":
        if round(abs(x) * 100, 1) == 0:
            return "持平"
        return f"{'-' if x < 0 else '+'}{abs(x) * 100:.1f} 个百分点"
    if fmt.shown_value(abs(x), unit) == 0:
        return "持平"
    return ("-" if x < 0 else "+") + fmt.amount(abs(x), unit)


# -- cards --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Card:
    """One target as the overview shows it; every figure from metrics.progress, worded."""

    id: str
    label: str
    value: str  # the actual ("36 家", "81.37 亿元", "—")
    status: str | None  # on_track / at_risk / behind; None when not judged
    badge: str  # the status in words
    share: float | None  # the progress bar: actual / target
    share_text: str
    lines: tuple[str, ...]  # target, expected-by-now, projection, notes
    trend: tuple[float, ...] | None  # cumulative actual at each month end
    trend_note: str | None  # why there is no trend
    year_ago: str
    delta: (
        str | None
    )  # change against the same day last year (a ratio: the previous reference year)
    delta_basis: str = "较上年同期"  # what the delta is measured against


def _badge(p: Progress, judged: bool, has_plan: bool) -> str:
    if p.actual is None:
        return "数据暂缺"
    if p.target is None:
        return "跟踪指标" if has_plan else "未设目标"
    return STATUS_LABELS[p.status] if judged else "镇区贡献"


def _lines(p: Progress, judged: bool, scoped: bool, rd: metrics.RdCoverage | None) -> list[str]:
    lines = []
    if p.target is not None:
        lines.append(
            f"{'全县' if scoped and not judged else ''}年度目标 {fmt.amount(p.target, p.unit)}"
        )
    if p.id == "rd_coverage" and p.actual is not None and rd is not None:
        lines.append(
            f"有研发活动 {fmt.num(rd.n_active)} 家 / 共 {fmt.num(rd.n_population)} 家，待清零 "
            f"{fmt.num(rd.worklist.height)} 家"
        )
    elif judged and p.expected is not None:
        lines.append(f"序时应完成 {fmt.pace_text(p.expected, p.unit)}")
        if p.gap:
            lines.append(f"差 {fmt.gap_text(p.actual, p.expected, p.unit)}")
    if judged and p.projected is not None and p.actual is not None:
        lines.append(f"预计全年 {fmt.amount(p.projected, p.unit)}")
    if scoped and metrics.county_wide(p.id):
        lines.append("全县数据（不分镇区）")
    if p.missing_tables:
        lines.append(contract.missing_note(p.missing_tables))
    return lines


def _share_text(p: Progress, judged: bool) -> str:
    if p.share_of_target is None:
        return ""
    return f"{'完成年度目标' if judged else '占全县年度目标'} {fmt.pct(p.share_of_target)}"


def _trend(
    wh: Warehouse, p: Progress, as_of: date, shared: prefetch.Shared
) -> tuple[tuple[float, ...] | None, str | None]:
    if p.actual is None:
        return None, None
    series = metrics.monthly_series(wh, p.id, as_of, None, shared)
    if series is not None:
        return tuple(series["actual"].to_list()), None
    if METRIC_BY_ID[p.id].is_ratio:
        return None, "比率指标，无月度趋势"
    return None, "名单制指标，无月度趋势"


def cards(wh: Warehouse, as_of: date, plan: Plan | None, plans_dir: Path = PLANS_DIR) -> list[Card]:
    """One card per target of metrics.md, in its order, for the warehouse's scope."""
    shared = (
        prefetch.Shared()
    )  # each metric's events and rd_coverage fetched once for the card, its trend and its lines
    timeline.prefetch_with_year_ago(wh, as_of, shared)
    try:
        return _cards(wh, as_of, plan, plans_dir, shared, metrics.progress(wh, as_of, plan, shared))
    finally:
        shared.wait()


def _cards(
    wh: Warehouse,
    as_of: date,
    plan: Plan | None,
    plans_dir: Path,
    shared: prefetch.Shared,
    rows: list[Progress],
) -> list[Card]:
    scoped = wh.scope is not None
    rd = shared.rd_coverage(wh, as_of)
    before = timeline.year_ago(wh, as_of, plans_dir, shared)
    out = []
    for p in rows:
        judged = metrics.judged_in_scope(p.id, scoped)
        trend, trend_note = _trend(wh, p, as_of, shared)
        y = before[p.id]
        delta = (
            signed(p.actual - y.actual, p.unit)
            if p.actual is not None and y.actual is not None
            else None
        )
        out.append(
            Card(
                id=p.id,
                label=p.label,
                value=fmt.amount(p.actual, p.unit),
                status=p.status if judged and p.target is not None else None,
                badge=_badge(p, judged, plan is not None),
                share=p.share_of_target,
                share_text=_share_text(p, judged),
                lines=tuple(_lines(p, judged, scoped, rd)),
                trend=trend,
                trend_note=trend_note,
                year_ago=timeline.year_ago_text(y, p.unit, with_target=judged),
                delta=delta,
                delta_basis="较上一统计年度" if y.reference_year is not None else "较上年同期",
            )
        )
    return out


# -- the compact list (one row per target) -------------------------------------------------


def target_rows(
    rows: list[Progress], scoped: bool, has_plan: bool, cards: list[Card] | None = None
) -> list[target_list.Row]:
    """The compact list's rows: each target's status, bar and figures, and as details the card's
    lines and last year (or, without cards, the target, pace and projection)."""
    by_card = {c.id: c for c in cards or []}
    out = []
    for p in rows:
        judged = metrics.judged_in_scope(p.id, scoped)
        card = by_card.get(p.id)
        if card is not None:
            details = (*card.lines, *([card.trend_note] if card.trend_note else []), card.year_ago)
        else:
            details = tuple(_lines(p, judged, scoped, None))
        out.append(target_list.row(p, judged, _badge(p, judged, has_plan), details))
    return out


# -- by town ------------------------------------------------------------------------------


def town_table(wh: Warehouse, as_of: date) -> pl.DataFrame:
    """Each town's contribution to each countable target, its active enterprises and its open 清零
    worklist.

    Columns: town, n_enterprises, one column per town_metrics() id (null when its data is absent),
    rd_worklist. Events attributable to no town are the row 未归属镇区 (last)."""
    shared = _Shared()
    shared.prefetch(wh, as_of, town_metrics(), rd=True)
    return _town_table(wh, as_of, shared)


def _town_table(wh: Warehouse, as_of: date, shared: _Shared) -> pl.DataFrame:
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
    table = town_table(wh, as_of)
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


# -- the warning list (需关注) ---------------------------------------------------------------


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


class _Shared(prefetch.Shared):
    """prefetch.Shared plus the active enterprises per town, for the warning list's town gaps."""

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


def _summary(p: Progress) -> str:
    if METRIC_BY_ID[p.id].is_ratio:
        return f"{fmt.pct(p.actual)}，目标 {fmt.pct(p.target)}"
    return (
        f"完成 {fmt.amount(p.actual, p.unit)}，序时应完成 {fmt.pace_text(p.expected, p.unit)}，"
        f"差 {fmt.gap_text(p.actual, p.expected, p.unit)}，"
        f"完成年度目标 {fmt.pct(p.share_of_target)}"
    )


def _towns_text(
    wh: Warehouse, p: Progress, as_of: date, town: str | None, shared: prefetch.Shared
) -> str:
    unit = p.unit
    if metrics.county_wide(p.id):
        return "全县统筹指标，不分镇区"
    if p.id == "rd_coverage":
        worklist = shared.rd_coverage(wh, as_of).by_town().filter(pl.col("town").is_not_null())
        if town is not None:
            mine = worklist.filter(pl.col("town") == town)
            return f"{town}：待清零 {fmt.num(mine['n_worklist'].sum())} 家"
        worst = worklist.filter(pl.col("n_worklist") > 0).head(LAGGARDS)
        return "待清零企业最多：" + "、".join(
            f"{t} {fmt.num(n)} 家" for t, n in worst.select("town", "n_worklist").iter_rows()
        )
    gaps = town_gaps(wh, p.id, as_of, p.expected, shared, shared.town_base(wh, as_of))
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


def standing_text(rows: list[Progress]) -> str:
    """'11 项有量化目标：达标进度 3 项，预警 7 项，滞后 1 项' (targets with a status only)."""
    judged = [p.status for p in rows if p.status is not None]
    if not judged:
        return "暂无可作序时判断的指标（未设目标或数据暂缺）"
    counts = "，".join(f"{STATUS_LABELS[s]} {judged.count(s)} 项" for s in metrics.STATUSES)
    return f"{len(judged)} 项有量化目标：{counts}"


def attention(
    wh: Warehouse, as_of: date, plan: Plan | None, town: str | None = None
) -> list[Attention]:
    """The county's targets behind or at risk, most severe first, each with the towns dragging it
    (with a town chosen: that town's part in each). Expects the county (unscoped) warehouse."""
    shared = _Shared()
    return _attention(wh, metrics.progress(wh, as_of, plan, shared), as_of, town, shared)


def _attention(
    wh: Warehouse, progress_rows: list[Progress], as_of: date, town: str | None, shared: _Shared
) -> list[Attention]:
    rows = [p for p in progress_rows if p.status in ("behind", "at_risk")]
    rows.sort(key=lambda p: metrics.SEVERITY[p.status])  # stable: metrics.md order within a status
    return [
        Attention(p.id, p.label, p.status, _summary(p), _towns_text(wh, p, as_of, town, shared))
        for p in rows
    ]


# -- the whole overview at once --------------------------------------------------------------


@dataclass(frozen=True)
class Overview:
    """What the overview page shows, computed from one set of fetched rows (one prefetch.Shared)."""

    alerts: list[Attention]  # the warning list (empty when not a county view)
    county_rows: list[Progress]  # the county's progress rows (empty when not a county view)
    cards: (
        list[Card] | None
    )  # the warehouse's cards; None with a town chosen (the page asks the town's warehouse)
    town_table: (
        pl.DataFrame
    )  # every town of the warehouse (a chosen town is highlighted, not filtered out)


def overview(
    wh: Warehouse,
    as_of: date,
    plan: Plan | None,
    town: str | None = None,
    county_view: bool = True,
    plans_dir: Path = PLANS_DIR,
) -> Overview:
    """The overview's warning list, county progress, cards and town table from one fetch of each
    metric's rows.

    Equal to attention(), progress(), cards() and town_table() called on the same warehouse. With a
    town chosen the cards belong to the town's warehouse, so they are left to cards() on it (None
    here). Without county_view (a town officer's session) the warning list and county progress are
    not computed."""
    shared = _Shared()
    shared.prefetch_town_base(wh, as_of)
    rows: list[Progress] = []
    try:
        if (
            town is None
        ):  # every query of the page in one parallel batch, read as it arrives (last year's last)
            timeline.prefetch_with_year_ago(wh, as_of, shared)
        if county_view or town is None:
            rows = metrics.progress(
                wh, as_of, plan, shared
            )  # prefetches every metric and rd_coverage (if not yet)
        else:
            shared.prefetch(wh, as_of, town_metrics(), rd=True)
        alerts = _attention(wh, rows, as_of, town, shared) if county_view else []
        table = _town_table(wh, as_of, shared)
        cards = _cards(wh, as_of, plan, plans_dir, shared, rows) if town is None else None
    finally:
        shared.wait()
    return Overview(
        alerts=alerts, county_rows=rows if county_view else [], cards=cards, town_table=table
    )
