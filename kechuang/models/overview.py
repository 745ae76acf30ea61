"""The leadership cockpit (总览): the target cards and the compact target list, and overview(),
which computes the cards, the warning list (kechuang.models.attention) and the town table
(kechuang.models.towns) together from one fetch. The same day last year and the cumulative series
are kechuang.models.timeline, the task breakdown kechuang.models.tasks, the link that reopens a view
kechuang.models.links.

Every figure comes from the metrics engine (kechuang.engine.metrics); this module only arranges and
words it. A rule the specs leave open, decided here:

- **Town view.** A town has no targets of its own: under a town scope a card shows the town's
  contribution and its share of the county target, without a pace judgement ("镇区贡献").
  Ratios (rd_coverage: every town should reach 100%) and county-level figures (commissioners,
  trainings: records that carry no enterprise) keep their judgement.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import polars as pl

from kechuang.charts import target_list
from kechuang.engine import contract, metrics, prefetch
from kechuang.engine.metrics import METRIC_BY_ID, Progress
from kechuang.engine.plan import PLANS_DIR, Plan
from kechuang.engine.warehouse import Warehouse
from kechuang.models import timeline
from kechuang.models.attention import Attention, attention_for, lagging_details
from kechuang.models.towns import TownShared, town_metrics, town_table_shared
from kechuang.zh import fmt
from kechuang.zh.labels import STATUS_LABELS


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


def standing_text(rows: list[Progress]) -> str:
    """'11 项有量化目标：达标进度 3 项，预警 7 项，滞后 1 项' (targets with a status only)."""
    judged = [p.status for p in rows if p.status is not None]
    if not judged:
        return "暂无可作序时判断的指标（未设目标或数据暂缺）"
    counts = "，".join(f"{STATUS_LABELS[s]} {judged.count(s)} 项" for s in metrics.STATUSES)
    return f"{len(judged)} 项有量化目标：{counts}"


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
    # the lagging targets' town details (attention.town_detail): any town's warning list from them
    details: dict[str, pl.DataFrame | None] = field(default_factory=dict)

    def alerts_for(self, town: str | None) -> list[Attention]:
        """The warning list with the chosen town's part in each target (town None: the towns
        dragging each), from this county view's rows without computing anything again: what
        overview(wh, as_of, plan, town) gives."""
        return attention_for(self.county_rows, self.details, town) if self.county_rows else []


def chart_metric(alerts: list[Attention]) -> str:
    """The target the cumulative chart opens on: the first one needing attention, else the first."""
    return alerts[0].id if alerts else metrics.METRICS[0].id


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
    shared = TownShared()
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
        details = lagging_details(wh, rows, as_of, shared) if county_view else {}
        alerts = attention_for(rows, details, town) if county_view else []
        table = town_table_shared(wh, as_of, shared)
        cards = _cards(wh, as_of, plan, plans_dir, shared, rows) if town is None else None
    finally:
        shared.wait()
    return Overview(
        alerts=alerts,
        county_rows=rows if county_view else [],
        cards=cards,
        town_table=table,
        details=details,
    )
