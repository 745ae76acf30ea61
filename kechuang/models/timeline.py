"""How a target moves through the year: the same day last year, and the cumulative series against
the pace line.

- **Same day last year.** Shown only when every dated source of the metric reaches back into last
  year; otherwise the data cannot tell a real 0 from a missing year, and the figure is "—".
  How far back the data reaches is a property of the whole county's data, asked once per warehouse.
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from pathlib import Path

import polars as pl

from kechuang.engine import metrics, prefetch
from kechuang.engine.dates import add_years
from kechuang.engine.metrics import METRIC_BY_ID, METRICS
from kechuang.engine.plan import PLANS_DIR, Plan, load_plan
from kechuang.engine.warehouse import Warehouse
from kechuang.zh import fmt

# -- the same day last year ---------------------------------------------------------------


@dataclass(frozen=True)
class YearAgo:
    on: date
    actual: float | int | None  # None: data absent or not reaching back into last year
    target: float | None  # last year's plan target (None without a plan file or target)
    has_plan: bool
    # rd_coverage is a figure of a statistics year, not of a day: it is compared with the previous
    # reference year (the same day last year reads the same statistics: a comparison with itself).
    reference_year: int | None = None


def previous_reference_year(
    wh: Warehouse, as_of: date, shared: metrics.Shared | None = None
) -> tuple[int | None, float | None]:
    """rd_coverage's comparison: the year before the current reference year and its coverage
    (None when the data holds no statistics of that year)."""
    now = shared.rd_coverage(wh, as_of) if shared is not None else metrics.rd_coverage(wh, as_of)
    if now.reference_year is None:
        return None, None
    year = now.reference_year - 1
    before = metrics.rd_coverage(wh, date(year, 12, 31))
    return year, before.coverage if before.reference_year == year else None


def _county(wh: Warehouse) -> Warehouse:
    return (
        wh if wh.scope is None else wh.unscoped()
    )  # the same database, closed (dropped) after use


_EARLIEST: weakref.WeakKeyDictionary[Warehouse, dict[str, date | None]] = (
    weakref.WeakKeyDictionary()
)
_EARLIEST_LOCK = threading.Lock()


def earliest_dates(wh: Warehouse) -> dict[str, date | None]:
    """How far back each dated source of the whole county reaches (queries/cockpit_earliest.sql).

    A fact of the data version, so it is computed once per warehouse (a warehouse is opened per
    data version); a town-scoped warehouse asks a county warehouse once, and closes it."""
    with _EARLIEST_LOCK:
        known = _EARLIEST.get(wh)
    if known is not None:
        return known
    county = _county(wh)
    try:
        found = dict(county.query("cockpit_earliest").iter_rows())
    finally:
        if county is not wh:
            county.close()
    with _EARLIEST_LOCK:
        _EARLIEST[wh] = found
    return found


def reaches(earliest: dict[str, date | None], metric_id: str, year: int, wh: Warehouse) -> bool:
    """Whether every dated source of a metric holds records of the year (or earlier)."""
    tables = METRIC_BY_ID[metric_id].tables
    return wh.available(*tables) and all(
        earliest[t] is not None and earliest[t] <= date(year, 12, 31)
        for t in tables
        if t in earliest
    )


def _year_ago_metrics(wh: Warehouse, as_of: date) -> tuple[date, list[str]]:
    """The same day last year and the metrics whose data reaches back to it."""
    on = add_years(as_of, -1)
    earliest = earliest_dates(wh)
    return on, [
        m.id for m in METRICS if m.id != "rd_coverage" and reaches(earliest, m.id, on.year, wh)
    ]


def prefetch_with_year_ago(
    wh: Warehouse, as_of: date, shared: prefetch.Shared, ids: list[str] | None = None
) -> None:
    """Every metric's rows on the as-of date and, for the cards' comparison, on the same day last
    year: one batch."""
    on, reaching = _year_ago_metrics(wh, as_of)
    shared.prefetch_dates(
        wh, [(as_of, ids, True), (on, reaching, "rd_coverage" in reaching)], wait=False
    )


def year_ago(
    wh: Warehouse, as_of: date, plans_dir: Path = PLANS_DIR, shared: prefetch.Shared | None = None
) -> dict[str, YearAgo]:
    """Each metric's actual on the same day a year earlier, with that year's target."""
    on = add_years(as_of, -1)
    previous = load_plan(on.year, plans_dir)
    # How far back the data reaches is a property of the whole county's data, not of a town's rows.
    earliest = earliest_dates(wh)
    reaching = [m.id for m in METRICS if reaches(earliest, m.id, on.year, wh)]
    if shared is not None:
        shared.prefetch(wh, on, [i for i in reaching if i != "rd_coverage"], rd=False)
    out = {}
    year, coverage = previous_reference_year(wh, as_of, shared)
    for m in METRICS:
        if m.id == "rd_coverage":
            out[m.id] = YearAgo(on, coverage, None, previous is not None, year or on.year)
            continue
        actual = (
            metrics.metric_actual(wh, m.id, on, shared)
            if reaches(earliest, m.id, on.year, wh)
            else None
        )
        out[m.id] = YearAgo(
            on, actual, previous.target(m.id) if previous else None, previous is not None
        )
    return out


def year_ago_text(y: YearAgo, unit: str, with_target: bool = True) -> str:
    """'上年同期（2025年10月30日）：39 个；2025年目标 45 个';
    a ratio: '上一统计年度（2024年）：87.0%'."""
    if y.reference_year is not None:
        text = f"上一统计年度（{y.reference_year}年）：{fmt.amount(y.actual, unit)}"
        return text + ("（无该年统计数据）" if y.actual is None else "")
    text = f"上年同期（{fmt.cn_date(y.on)}）：{fmt.amount(y.actual, unit)}"
    if y.actual is None:
        text += f"（数据未覆盖{y.on.year}年）"
    if with_target and y.target is not None:
        text += f"；{y.on.year}年目标 {fmt.amount(y.target, unit)}"
    return text


# -- cumulative chart data ----------------------------------------------------------------


@dataclass(frozen=True)
class Cumulative:
    # on (every month end of the year, the as-of date for its month), actual (null after it),
    # pace, target
    series: pl.DataFrame
    last_year: pl.DataFrame | None  # on (moved into this year), actual: the same months last year


def pace_line(year: int, target: float | None, as_of: date) -> pl.DataFrame:
    """Month ends of the whole year with the pace line and the target; the as-of date stands in for
    its month's end (one point a month, so a chart's "10月" is the data's October)."""
    days = [
        as_of if (d.year, d.month) == (as_of.year, as_of.month) else d
        for d in metrics.month_ends(date(year, 12, 31))
    ]
    pace = [
        float(Fraction(target) * metrics.elapsed_share(d)) if target is not None else None
        for d in days
    ]
    return pl.DataFrame(
        {"on": days, "pace": pace, "target": [target] * len(days)},
        schema={"on": pl.Date, "pace": pl.Float64, "target": pl.Float64},
    )


def cumulative(wh: Warehouse, metric_id: str, as_of: date, plan: Plan | None) -> Cumulative | None:
    """The month-by-month actual against the pace and target lines (no lines for a town's
    contribution).

    None for a ratio, a roster or absent data."""
    series = metrics.monthly_series(wh, metric_id, as_of, None)
    if series is None:
        return None
    judged = metrics.judged_in_scope(metric_id, wh.scope is not None)
    target = plan.target(metric_id) if plan is not None and judged else None
    frame = pace_line(as_of.year, target, as_of).join(
        series.select("on", "actual"), on="on", how="left"
    )
    last_year = None
    on = add_years(as_of, -1)
    earliest = earliest_dates(wh)
    if reaches(earliest, metric_id, on.year, wh):
        before = metrics.monthly_series(wh, metric_id, on, None)
        if before is not None:
            moved = [add_years(d, 1) for d in before["on"].to_list()]
            last_year = pl.DataFrame(
                {"on": moved, "actual": before["actual"]},
                schema={"on": pl.Date, "actual": pl.Float64},
            )
    return Cumulative(frame.select("on", "actual", "pace", "target"), last_year)
