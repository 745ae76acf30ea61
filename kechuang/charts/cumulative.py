"""The one cumulative chart: a target's running total month by month against the pace line.

Used by 总览 (with the target line and the same months last year) and the programme pages (with
the month's own bars). The x axis names the data's months ("1月" … "10月"): the last point is the
as-of date, drawn on its own month (data to 10-30 sits on "10月", not near the "11月" tick), and the
hover gives the exact day.
"""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from kechuang.charts import memo, style
from kechuang.zh import fmt


def _months(days) -> list[str]:
    return [f"{d.month}月" for d in days]


@memo.figure
def cumulative_chart(
    frame: pl.DataFrame,
    title: str,
    unit: str,
    last_year: pl.DataFrame | None = None,
    *,
    scale: float | None = None,
    bar_name: str = "当月",
    line_name: str = "累计完成",
    bars: bool = True,
    target_line: bool = False,
    decimals: int | None = None,
) -> go.Figure:
    """`frame`: on (month ends, the as-of date last), actual (null after the as-of date), pace
    (null without a target), optionally target (drawn with `target_line`) and in_month (drawn as
    bars unless `bars` is off); `last_year`: on (moved into this
    year), actual. A metric unit of 万元 is drawn in 亿元 (fmt.shown_unit) unless `scale` is given,
    in which case `unit` already names the scaled figure."""
    if scale is None:
        scale, unit = fmt.shown_scale(unit), fmt.shown_unit(unit)
    if decimals is None:
        decimals = 2 if unit == fmt.AMOUNT_UNIT else 0
    number = f",.{decimals}f"
    months = _months(frame["on"])
    days = [fmt.cn_date(d) for d in frame["on"]]

    def hover(name: str) -> str:
        return f"%{{customdata}} {name} %{{y:{number}}} {unit}<extra></extra>"

    def values(column: str, source: pl.DataFrame = frame) -> list:
        return [None if v is None else v / scale for v in source[column]]

    fig = go.Figure()
    bars = bars and "in_month" in frame.columns
    if bars:
        fig.add_trace(
            go.Bar(
                x=months,
                y=values("in_month"),
                name=bar_name,
                marker_color=style.ACTUAL_LIGHT,
                customdata=days,
                hovertemplate=hover(bar_name),
            )
        )
    done = frame["actual"].is_not_null()
    fig.add_trace(
        go.Scatter(
            x=[m for m, d in zip(months, done, strict=True) if d],
            y=[v for v, d in zip(values("actual"), done, strict=True) if d],
            customdata=[x for x, d in zip(days, done, strict=True) if d],
            name=line_name,
            mode="lines+markers",
            line={"color": style.ACTUAL, "width": 3},
            hovertemplate=hover(line_name),
        )
    )
    if frame["pace"].null_count() < frame.height:
        fig.add_trace(
            go.Scatter(
                x=months,
                y=values("pace"),
                customdata=days,
                name="序时进度",
                mode="lines",
                line={"color": style.PACE, "dash": "dash", "width": 2},
                hovertemplate=hover("序时进度"),
            )
        )
    if target_line and "target" in frame.columns and frame["target"].null_count() < frame.height:
        fig.add_trace(
            go.Scatter(
                x=months,
                y=values("target"),
                customdata=days,
                name="年度目标",
                mode="lines",
                line={"color": style.TARGET, "dash": "dot"},
                hovertemplate=hover("年度目标"),
            )
        )
    if last_year is not None and last_year.height:
        fig.add_trace(
            go.Scatter(
                x=_months(last_year["on"]),
                y=values("actual", last_year),
                customdata=[f"上年{d.month}月{d.day}日" for d in last_year["on"]],
                name="上年同期",
                mode="lines",
                line={"color": style.LAST_YEAR, "width": 2},
                hovertemplate=hover("上年同期"),
            )
        )
    # Every other month labelled, counted back from the last month with data, upright: twelve
    # labels do not fit 390 px without turning sideways.
    last = len(frame.filter(frame["actual"].is_not_null())) - 1
    ticks = [m for i, m in enumerate(months) if (last - i) % 2 == 0]
    fig.update_xaxes(
        type="category",
        categoryorder="array",
        categoryarray=months,
        tickmode="array",
        tickvals=ticks,
        ticktext=ticks,
        tickangle=0,
    )
    fig.update_yaxes(tickformat=",", rangemode="tozero")
    style.layout(fig, title, 280, y_title=unit if bars else f"累计（{unit}）")
    fig.update_layout(hovermode="x unified", showlegend=len(fig.data) > 1)
    if len(fig.data) > 1:
        style.legend_room(fig, rows=1 if len(fig.data) <= 3 else 2)
    return fig
