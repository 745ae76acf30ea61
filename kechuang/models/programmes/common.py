"""Pieces every programme page shares: headline figures from the metrics engine, region buckets,
funnels."""

from __future__ import annotations

from datetime import date

import polars as pl

from kechuang.engine import contract, metrics, prefetch
from kechuang.engine.metrics import METRIC_BY_ID, Progress
from kechuang.engine.warehouse import Warehouse

UNKNOWN = "未填报"  # a category left empty in the source data
NO_TOWN = "镇区不详"  # a firm not found in the enterprise register

# Region buckets, in display order. 长三角其他 = the rest of the Yangtze River Delta (浙江, 安徽 and
# 苏中/苏北); 本地（南通） = Rudong itself and the rest of Nantong.
REGION_BUCKETS = ("上海", "苏南", "长三角其他", "珠三角", "本地（南通）", "其他地区", UNKNOWN)

# Checked in this order; the first bucket with a keyword found in the text wins, so "江苏南通" is
# local (checked before 江苏) and "江苏南京" is 苏南 (checked before the rest of Jiangsu).
_REGION_KEYWORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("本地（南通）", ("本地", "县内", "如东", "南通", "如皋", "海安", "启东", "海门", "崇川")),
    ("上海", ("上海", "沪")),
    (
        "苏南",
        (
            "苏南",
            "南京",
            "苏州",
            "无锡",
            "常州",
            "镇江",
            "昆山",
            "江阴",
            "常熟",
            "张家港",
            "太仓",
            "宜兴",
            "溧阳",
            "丹阳",
        ),
    ),
    (
        "珠三角",
        (
            "珠三角",
            "广东",
            "广州",
            "深圳",
            "珠海",
            "佛山",
            "东莞",
            "中山",
            "惠州",
            "江门",
            "肇庆",
            "粤港澳",
            "香港",
            "澳门",
        ),
    ),
    (
        "长三角其他",
        (
            "长三角",
            "浙江",
            "杭州",
            "宁波",
            "温州",
            "嘉兴",
            "湖州",
            "绍兴",
            "金华",
            "衢州",
            "舟山",
            "台州",
            "丽水",
            "安徽",
            "合肥",
            "芜湖",
            "马鞍山",
            "滁州",
            "宣城",
            "铜陵",
            "池州",
            "安庆",
            "蚌埠",
            "江苏",
            "省内",
            "苏中",
            "苏北",
            "扬州",
            "泰州",
            "盐城",
            "淮安",
            "宿迁",
            "连云港",
            "徐州",
        ),
    ),
)


def region_bucket(text: str | None) -> str:
    """The region bucket of a free-text region (counterparty, partner or project source).

    Keyword match in a fixed order: 本地（南通） (如东, 南通 and its county towns, "本地"), 上海
    (上海, 沪), 苏南 (南京, 苏州, 无锡, 常州, 镇江 and their county towns), 珠三角 (Guangdong's
    delta cities, 粤港澳), 长三角其他 (长三角, 浙江, 安徽 and the rest of Jiangsu); anything else
    is 其他地区 (e.g. 省外其他, 北京) and an empty value is 未填报. The first match wins:
    "上海、苏州" is 上海.
    """
    if text is None or not text.strip():
        return UNKNOWN
    for bucket, keywords in _REGION_KEYWORDS:
        if any(k in text for k in keywords):
            return bucket
    return "其他地区"


def with_region_bucket(
    frame: pl.DataFrame, column: str, out: str = "region_bucket"
) -> pl.DataFrame:
    """The frame with the region bucket of a text column added."""
    values = frame[column].unique().to_list()
    mapping = {v: region_bucket(v) for v in values if v is not None}
    return frame.with_columns(
        pl.col(column).replace_strict(mapping, default=UNKNOWN, return_dtype=pl.String).alias(out)
    )


def scoped_target(wh: Warehouse, metric_id: str, target: float | None) -> float | None:
    """The county target, or None on a town-scoped warehouse for a metric the scope restricts."""
    return None if wh.scope is not None and not metrics.county_wide(metric_id) else target


def headline(
    wh: Warehouse,
    metric_id: str,
    as_of: date,
    target: float | None,
    shared: prefetch.Shared | None = None,
) -> Progress:
    """A metric's actual, pace and status exactly as the cockpit computes them.

    The plan's targets are county targets: on a warehouse scoped to towns, a metric that the
    scope restricts is shown without target or pace (a town's share of a county target is not
    set by the plan); county-wide metrics (metrics.county_wide) keep theirs."""
    metric = METRIC_BY_ID[metric_id]
    target = scoped_target(wh, metric_id, target)
    actual = metrics.metric_actual(wh, metric_id, as_of, shared)
    return metrics.progress_of(metric, actual, target, as_of, wh.missing(*metric.tables))


def monthly(
    wh: Warehouse,
    metric_id: str,
    as_of: date,
    target: float | None,
    shared: prefetch.Shared | None = None,
) -> pl.DataFrame | None:
    """The cockpit's monthly series (cumulative actual, pace, target) plus each month's own change.

    Like headline(), no target or pace line for a town-scoped metric the scope restricts."""
    series = metrics.monthly_series(
        wh, metric_id, as_of, scoped_target(wh, metric_id, target), shared
    )
    if series is None:
        return None
    return series.with_columns(
        (pl.col("actual") - pl.col("actual").shift(1, fill_value=0.0)).alias("in_month"),
    ).select("on", "in_month", "actual", "pace", "target")


def counts(
    frame: pl.DataFrame,
    key: str,
    *,
    order: tuple[str, ...] | None = None,
    missing: str = UNKNOWN,
    value: str | None = None,
    name: str = "n_projects",
) -> pl.DataFrame:
    """Rows per value of a category column (and the sum of a value column), with each one's share.

    With `order`, every listed category appears (0 when absent) in that order, then any others;
    otherwise the largest first. Columns: key, name, [value], share_ratio (of the count, or of the
    value when one is given; null when the total is 0)."""
    aggs = [pl.len().cast(pl.Int64).alias(name)]
    if value:
        aggs.append(pl.col(value).sum())
    grouped = frame.with_columns(pl.col(key).fill_null(missing)).group_by(key).agg(aggs)
    if order is not None:
        listed = pl.DataFrame({key: list(order)}, schema={key: pl.String})
        others = grouped.filter(~pl.col(key).is_in(list(order))).sort(key)
        grouped = pl.concat(
            [listed.join(grouped, on=key, how="left"), others], how="diagonal_relaxed"
        ).with_columns(
            pl.col(name).fill_null(0), *([pl.col(value).fill_null(0.0)] if value else [])
        )
    else:
        grouped = grouped.sort([value or name, key], descending=[True, False])
    basis = value or name
    total = grouped[basis].sum()
    share = pl.col(basis) / total if total else pl.lit(None, dtype=pl.Float64)
    return grouped.with_columns(share.cast(pl.Float64).alias("share_ratio"))


def funnel(stage_no: pl.Series, stages: tuple[str, ...]) -> pl.DataFrame:
    """Projects that reached each stage (stage number >= s) and the conversion from the stage
    before.

    `stage_no` holds each project's stage reached, 1..len(stages). Columns: stage_no, stage,
    n_at_stage (currently there), n_reached, conversion_ratio (n_reached / n_reached of the
    stage before; null for the first stage or when the stage before has none)."""
    at = [int((stage_no == i).sum()) for i in range(1, len(stages) + 1)]
    reached = [sum(at[i:]) for i in range(len(stages))]
    conversion = [None] + [
        reached[i] / reached[i - 1] if reached[i - 1] else None for i in range(1, len(stages))
    ]
    return pl.DataFrame(
        {
            "stage_no": range(1, len(stages) + 1),
            "stage": list(stages),
            "n_at_stage": at,
            "n_reached": reached,
            "conversion_ratio": conversion,
        },
        schema={
            "stage_no": pl.Int32,
            "stage": pl.String,
            "n_at_stage": pl.Int64,
            "n_reached": pl.Int64,
            "conversion_ratio": pl.Float64,
        },
    )


def display(
    frame: pl.DataFrame,
    columns: list[str] | None = None,
    table: str | None = None,
    overrides: dict[str, str] | None = None,
) -> pl.DataFrame:
    """The chosen columns under their Chinese labels: overrides, then labels.COLUMN_LABELS, then
    the table's contract labels, then any table's (so a firm's name and town read 企业名称,
    所属镇区)."""
    overrides = overrides or {}
    chosen = frame.select(columns) if columns else frame

    def label(name: str) -> str:
        if name in overrides:
            return overrides[name]
        found = contract.column_label(name, table)
        return contract.column_label(name) if found == name else found

    return chosen.rename({c: label(c) for c in chosen.columns})


def monthly_labels(unit: str, in_month: str = "当月") -> dict[str, str]:
    """Labels of a monthly series table whose values are in `unit`."""
    return {
        "on": "截至日期",
        "in_month": f"{in_month}（{unit}）",
        "actual": f"累计完成（{unit}）",
        "pace": f"序时进度（{unit}）",
        "target": f"年度目标（{unit}）",
    }
