"""Pure chart builders: a frame in, a plotly Figure out; Chinese titles, readable at 390 px
width."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from kechuang.zh import fmt

ACTUAL = "#1565c0"
PACE = "#ef6c00"
TARGET = "#424242"
LAST_YEAR = "#9e9e9e"
HIGHLIGHT = "#c62828"
FONT = "PingFang SC, Microsoft YaHei, Noto Sans CJK SC, WenQuanYi Micro Hei, sans-serif"


def _scale(unit: str) -> tuple[float, str]:
    """Amounts in 万元 are charted in 亿元; everything else as it is."""
    return (fmt.WAN_PER_YI, "亿元") if unit == "万元" else (1, unit)


def _layout(fig: go.Figure, title: str, height: int) -> go.Figure:
    fig.update_layout(
        title={"text": title, "x": 0, "xanchor": "left", "font": {"size": 15}},
        height=height,
        margin={"l": 8, "r": 8, "t": 72, "b": 8},
        font={"family": FONT, "size": 12},
        legend={
            "orientation": "h",
            "yanchor": "bottom",
            "y": 1.0,
            "x": 0,
        },  # above the plot: no clash with the axis title
        separators=".,",
        hovermode="x unified",
        plot_bgcolor="white",
    )
    fig.update_xaxes(showgrid=False)
    fig.update_yaxes(gridcolor="#eeeeee", rangemode="tozero", automargin=True)
    return fig


def cumulative_chart(
    series: pl.DataFrame, title: str, unit: str, last_year: pl.DataFrame | None = None
) -> go.Figure:
    """Cumulative actual month by month against the pace line and the target (timeline.Cumulative
    frames).

    `series`: on, actual (null after the as-of date), pace, target; `last_year`: on, actual."""
    scale, shown_unit = _scale(unit)
    decimals = 2 if shown_unit == "亿元" else 0
    hover = f"%{{y:,.{decimals}f}} {shown_unit}"
    fig = go.Figure()
    done = series.filter(pl.col("actual").is_not_null())
    fig.add_trace(
        go.Scatter(
            x=done["on"].to_list(),
            y=(done["actual"] / scale).to_list(),
            name="实际累计",
            mode="lines+markers",
            line={"color": ACTUAL, "width": 3},
            hovertemplate=hover,
        )
    )
    if series["pace"].null_count() < series.height:
        fig.add_trace(
            go.Scatter(
                x=series["on"].to_list(),
                y=(series["pace"] / scale).to_list(),
                name="序时进度",
                mode="lines",
                line={"color": PACE, "dash": "dash"},
                hovertemplate=hover,
            )
        )
    if series["target"].null_count() < series.height:
        fig.add_trace(
            go.Scatter(
                x=series["on"].to_list(),
                y=(series["target"] / scale).to_list(),
                name="年度目标",
                mode="lines",
                line={"color": TARGET, "dash": "dot"},
                hovertemplate=hover,
            )
        )
    if last_year is not None and last_year.height:
        fig.add_trace(
            go.Scatter(
                x=last_year["on"].to_list(),
                y=(last_year["actual"] / scale).to_list(),
                name="上年同期",
                mode="lines",
                line={"color": LAST_YEAR},
                hovertemplate=hover,
            )
        )
    _layout(fig, title, 340)
    fig.update_xaxes(
        title_text="月份", tickformat="%-m月", hoverformat="%Y年%-m月%-d日", dtick="M2"
    )
    fig.update_yaxes(title_text=f"累计（{shown_unit}）", tickformat=",")
    return fig


def town_chart(
    frame: pl.DataFrame, title: str, unit: str, highlight: str | None = None
) -> go.Figure:
    """Horizontal bars of a value by town (town, value), largest on top; the chosen town in red."""
    scale, shown_unit = _scale(unit)
    decimals = 2 if shown_unit == "亿元" else 0
    ordered = frame.sort("value", "town", descending=[False, True])
    values = (ordered["value"] / scale).to_list()
    towns = ordered["town"].to_list()
    colours = [HIGHLIGHT if t == highlight else ACTUAL for t in towns]
    fig = go.Figure(
        go.Bar(
            x=values,
            y=towns,
            orientation="h",
            marker_color=colours,
            name=title,
            text=[fmt.num(v, decimals) for v in values],
            textposition="outside",
            textangle=0,
            cliponaxis=False,
            hovertemplate=f"%{{y}}：%{{x:,.{decimals}f}} {shown_unit}<extra></extra>",
        )
    )
    _layout(fig, title, 90 + 26 * max(len(towns), 1))
    fig.update_layout(hovermode="closest", showlegend=False, margin={"t": 48, "r": 36})
    fig.update_xaxes(title_text=shown_unit, tickformat=",")
    fig.update_yaxes(title_text=None, automargin=True)
    return fig
