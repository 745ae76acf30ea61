"""The plan's targets (metrics.md): actual, target, pace and status for every metric id.

Each countable metric has one query, `queries/metric_<id>.sql`, returning the rows that
count on the as-of date as (event_on, town, value). The actual is their sum; the monthly
trend is their running sum; the by-town split is their sum per town. So the card, the
chart, the town table, the CLI and the export all add up the same rows.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction
from typing import TYPE_CHECKING

import polars as pl

from kechuang.engine.plan import Plan
from kechuang.engine.warehouse import Warehouse
from kechuang.zh import fmt

if TYPE_CHECKING:  # metrics computes; prefetch.Shared (which calls it) schedules
    from kechuang.engine.prefetch import Shared


@dataclass(frozen=True)
class MetricDef:
    id: str
    label: str
    unit: str  # display unit; "比率" for ratios (0..1 in machine output)
    tables: tuple[str, ...]  # tables without which the actual is unknown (null)
    is_ratio: bool = False


METRICS: tuple[MetricDef, ...] = (
    MetricDef("sci_projects_landed", "高成长型科创项目落地", "个", ("sci_projects",)),
    MetricDef("new_hnte", "新增高新技术企业", "家", ("hnte_certificates",)),
    MetricDef("cultivation", "瞪羚、独角兽定制化培育", "家", ("cultivation",)),
    MetricDef(
        "rd_coverage",
        "亿元以上制造业企业研发活动覆盖率",
        "比率",
        ("enterprises", "stats_annual", "tax_annual"),
        True,
    ),
    MetricDef("iur_projects", "产学研合作项目备案登记", "项", ("iur_projects",)),
    MetricDef("tech_contract_amount", "技术合同认定登记额", "万元", ("tech_contracts",)),
    MetricDef(
        "key_enterprises_served",
        "重点企业“一企一策”服务",
        "家",
        ("key_enterprises", "service_visits"),
    ),
    MetricDef("commissioners", "科创专员", "名", ("commissioners",)),
    MetricDef("sme_trainings", "中小企业专项培训", "场", ("trainings",)),
    MetricDef(
        "sme_training_attendance", "专项培训覆盖企业", "家次", ("trainings", "training_attendance")
    ),
    MetricDef("cadre_trainings", "科技创新专题培训（干部）", "场", ("trainings",)),
    MetricDef("new_rd_partnerships", "校企共建新型研发机构/产业联盟", "个", ("rd_institutions",)),
)
METRIC_BY_ID = {m.id: m for m in METRICS}
STATUSES = ("on_track", "at_risk", "behind")
SEVERITY = {"behind": 0, "at_risk": 1, "on_track": 2}  # most severe first


def county_wide(metric_id: str) -> bool:
    """Whether a metric stays county-wide under a town scope: none of its tables carries an
    enterprise or a town."""
    from kechuang.engine import contract

    return not any(
        {"uscc", "town"} & {c.name for c in contract.columns(t)}
        for t in METRIC_BY_ID[metric_id].tables
    )


def judged_in_scope(metric_id: str, scoped: bool) -> bool:
    """Whether a figure is paced (judged against the target): always for the county; under a town
    scope only ratios and county-wide figures (a town has no targets of its own, only a
    contribution)."""
    return not scoped or county_wide(metric_id) or METRIC_BY_ID[metric_id].is_ratio


AT_RISK_SHARE = Fraction(4, 5)  # at risk while actual >= 80% of expected-by-now


@dataclass
class Progress:
    """One target's standing on the as-of date."""

    id: str
    label: str
    unit: str
    actual: float | int | None
    target: float | None
    expected: (
        float | None
    )  # expected-by-now: target x elapsed share of the year (target itself for ratios)
    projected: float | None  # projected year-end: actual / elapsed share (None for ratios)
    status: str | None  # on_track, at_risk, behind; None when actual or target is unknown
    missing_tables: list[str] = field(default_factory=list)

    @property
    def pace(self) -> float | int | None:
        """The expected-by-now as shown (fmt.pace_value: counts rounded up to a whole number)."""
        return fmt.pace_value(self.expected, self.unit)

    @property
    def gap(self) -> float | int | None:
        """Shown expected-by-now minus shown actual (0 when on pace): what 差 says everywhere."""
        return fmt.gap_value(self.actual, self.expected, self.unit)

    @property
    def share_of_target(self) -> float | None:
        """Actual as a fraction of the target (a ratio's actual as shown: 89.3% of 100%)."""
        if self.actual is None or not self.target:
            return None
        if self.unit == "比率":
            return fmt.shown_value(self.actual, self.unit) / self.target
        return self.actual / self.target

    def as_json(self) -> dict:
        return {
            "id": self.id,
            "label": self.label,
            "actual": self.actual,
            "target": self.target,
            "unit": self.unit,
            "status": self.status,
            "expected_by_now": self.expected,
            "expected_shown": self.pace,
            "gap_shown": self.gap,
            "projected": self.projected,
            "share_of_target": self.share_of_target,
            "missing_tables": self.missing_tables,
        }


def elapsed_share(as_of: date) -> Fraction:
    """Day of year of the as-of date over the days in its year, exactly."""
    days = 366 if calendar.isleap(as_of.year) else 365
    return Fraction(as_of.timetuple().tm_yday, days)


def pace_status(actual: float, expected: Fraction | float, unit: str = "个") -> str:
    """on_track when actual >= expected, at_risk when >= 80% of it, else behind (exact arithmetic).

    Judged on the figures as they are shown (fmt's rounding rule): the actual rounded as shown,
    the expected-by-now rounded *up* (counts to a whole number, 亿元 to 0.01). For a count this
    gives the same on_track as the exact pace (a whole actual reaches 2.49 exactly when it reaches
    3), and makes the at-risk line 80% of the shown figure, so a reader can check any status from
    the two numbers on the screen."""
    x = Fraction(fmt.shown_value(actual, unit))
    e = Fraction(fmt.pace_value(expected, unit))
    if x >= e:
        return "on_track"
    if x >= AT_RISK_SHARE * e:
        return "at_risk"
    return "behind"


def default_as_of(wh: Warehouse, today: date | None = None) -> date:
    """The data's freshness: the latest event date of the whole county's data, never later than
    today (today when there is none). One date for everyone: a town-scoped warehouse asks the
    county's data (a date, not a row), so a town officer's default is the county's."""
    today = today or date.today()
    county = wh if wh.scope is None else Warehouse(wh.data_dir, strict=wh.strict)
    try:
        latest = county.query("default_as_of", today=today)["as_of"][0]
    finally:
        if county is not wh:
            county.close()
    return latest if latest is not None else today


def bring_back(asked: date | None, fresh: date) -> tuple[date, str | None]:
    """The as-of date to compute with and, when the asked date was not usable, why (in Chinese).

    Pace is never judged on days with no data: a date after the data's freshness is brought back
    to it (the statuses of the data's last day), as is a date before 2000 (no data of that age)."""
    if asked is None:
        return fresh, None
    if asked > fresh:
        return fresh, (
            f"截至日期{fmt.cn_date(asked)}晚于数据的最新日期{fmt.cn_date(fresh)}，"
            f"此后暂无数据，已按{fmt.cn_date(fresh)}计算。"
        )
    if asked < EARLIEST_AS_OF:
        return fresh, (
            f"截至日期{fmt.cn_date(asked)}早于可查询范围（{fmt.cn_date(EARLIEST_AS_OF)}起），"
            f"已按数据的最新日期{fmt.cn_date(fresh)}计算。"
        )
    return asked, None


EARLIEST_AS_OF = date(2015, 1, 1)  # the date picker's first day; no department data is older


def metric_events(
    wh: Warehouse, metric_id: str, as_of: date, shared: Shared | None = None
) -> pl.DataFrame | None:
    """The rows that make up a countable metric on the as-of date; None when its data is absent."""
    metric = METRIC_BY_ID[metric_id]
    if metric.is_ratio:
        raise ValueError(f"{metric_id} is a ratio, not a count of events")
    if shared is not None:
        return shared.events(wh, metric_id, as_of)
    if not wh.available(*metric.tables):
        return None
    return wh.query(f"metric_{metric_id}", as_of=as_of)


def metric_actual(
    wh: Warehouse, metric_id: str, as_of: date, shared: Shared | None = None
) -> float | int | None:
    """The actual of one metric on the as-of date (None when its data is absent)."""
    if metric_id == "rd_coverage":
        return (
            shared.rd_coverage(wh, as_of) if shared is not None else rd_coverage(wh, as_of)
        ).coverage
    events = metric_events(wh, metric_id, as_of, shared)
    if events is None:
        return None
    total = events["value"].sum()
    return total if METRIC_BY_ID[metric_id].unit == "万元" else int(round(total))


def progress_of(
    metric: MetricDef, actual, target: float | None, as_of: date, missing: list[str]
) -> Progress:
    """Pace a metric: expected-by-now, projection and status (ratios compared with the target
    directly)."""
    expected = projected = status = None
    if target is not None:
        if metric.is_ratio:
            expected = target
            status = pace_status(actual, target, metric.unit) if actual is not None else None
        else:
            share = elapsed_share(as_of)
            expected = float(Fraction(target) * share)
            if actual is not None:
                projected = float(Fraction(actual) / share)
                status = pace_status(actual, Fraction(target) * share, metric.unit)
    elif actual is not None and not metric.is_ratio:
        projected = float(Fraction(actual) / elapsed_share(as_of))
    return Progress(
        metric.id, metric.label, metric.unit, actual, target, expected, projected, status, missing
    )


def progress(
    wh: Warehouse, as_of: date, plan: Plan | None, shared: Shared | None = None
) -> list[Progress]:
    """Every target of metrics.md, in its order, paced against the plan of the as-of year.

    With a prefetch.Shared every metric's query is started at once, on parallel cursors; without
    one they run one after the other (the same rows, the same figures)."""
    if shared is not None:
        shared.prefetch(wh, as_of, rd=True)
    out = []
    for metric in METRICS:
        target = plan.target(metric.id) if plan is not None else None
        actual = metric_actual(wh, metric.id, as_of, shared)
        out.append(progress_of(metric, actual, target, as_of, wh.missing(*metric.tables)))
    return out


def month_ends(as_of: date) -> list[date]:
    """The last day of each month of the plan year up to the as-of date (the as-of date last)."""
    ends = [
        date(as_of.year, m, calendar.monthrange(as_of.year, m)[1]) for m in range(1, as_of.month)
    ]
    return [*ends, as_of]


def monthly_series(
    wh: Warehouse, metric_id: str, as_of: date, target: float | None, shared: Shared | None = None
) -> pl.DataFrame | None:
    """Cumulative actual at each month end of the year, with the pace line and the target.

    Columns: on (date), actual, pace (target x elapsed share, null without a target), target.
    None when the data is absent or the metric has no dates (a roster or a ratio).
    """
    metric = METRIC_BY_ID[metric_id]
    if metric.is_ratio:
        return None
    events = metric_events(wh, metric_id, as_of, shared)
    if events is None or (events.height and events["event_on"].null_count() == events.height):
        return None
    ends = month_ends(as_of)
    # One pass for every month end: each sum is the filtered column's sum, as a filter then sum
    # would give.
    sums = events.select(
        pl.col("value").filter(pl.col("event_on") <= end).sum().alias(str(n))
        for n, end in enumerate(ends)
    ).row(0)
    rows = []
    for end, actual in zip(ends, sums, strict=True):
        pace = float(Fraction(target) * elapsed_share(end)) if target is not None else None
        rows.append({"on": end, "actual": float(actual), "pace": pace, "target": target})
    return pl.DataFrame(
        rows, schema={"on": pl.Date, "actual": pl.Float64, "pace": pl.Float64, "target": pl.Float64}
    )


def by_town(
    wh: Warehouse, metric_id: str, as_of: date, shared: Shared | None = None
) -> pl.DataFrame | None:
    """Each town's contribution to a countable metric (town null = not attributable to a town)."""
    if shared is not None:  # the warning list and the town table both split a metric: once per call
        key = (metric_id, as_of)
        if key not in shared._by_town:
            shared._by_town[key] = _by_town(metric_events(wh, metric_id, as_of, shared))
        return shared._by_town[key]
    return _by_town(metric_events(wh, metric_id, as_of))


def _by_town(events: pl.DataFrame | None) -> pl.DataFrame | None:
    if events is None:
        return None
    return (
        events.group_by("town")
        .agg(pl.col("value").sum())
        .sort("value", "town", descending=[True, False])
    )


@dataclass
class RdCoverage:
    """R&D activity of manufacturers with revenue >= 1 亿元 (rd_coverage) and its 清零 worklist."""

    population: pl.DataFrame  # one row per firm, with is_rd_active
    reference_year: int | None

    @property
    def n_population(self) -> int:
        return self.population.height

    @property
    def n_active(self) -> int:
        return int(self.population["is_rd_active"].sum()) if self.population.height else 0

    @property
    def coverage(self) -> float | None:
        return self.n_active / self.n_population if self.n_population else None

    @property
    def worklist(self) -> pl.DataFrame:
        return self.population.filter(~pl.col("is_rd_active"))

    def by_town(self) -> pl.DataFrame:
        """Per town: population, R&D-active, coverage and how many firms remain on the worklist."""
        return (
            self.population.group_by("town")
            .agg(
                pl.len().alias("n_population"),
                pl.col("is_rd_active").sum().alias("n_active"),
            )
            .with_columns(
                (pl.col("n_active") / pl.col("n_population")).alias("coverage_ratio"),
                (pl.col("n_population") - pl.col("n_active")).alias("n_worklist"),
            )
            .sort("n_worklist", "town", descending=[True, False])
        )


def rd_coverage(wh: Warehouse, as_of: date) -> RdCoverage:
    """The rd_coverage population on the as-of date; coverage is None when its data is absent."""
    if not wh.available(*METRIC_BY_ID["rd_coverage"].tables):
        return RdCoverage(wh.query("rd_population", as_of=as_of).clear(), None)
    population = wh.query("rd_population", as_of=as_of)
    year = population["year"][0] if population.height else None
    return RdCoverage(population, year)


def town_monthly_sales(wh: Warehouse, as_of: date) -> pl.DataFrame | None:
    """Invoiced sales per town and month up to the as-of date, with the same month last year and
    the YoY change.

    Read from the (town, month) summary of tax_monthly, built once per data version. None when
    tax_monthly is absent."""
    if not wh.available("tax_monthly"):
        return None
    return wh.query("town_monthly_sales", as_of=as_of)
