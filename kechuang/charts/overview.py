"""总览 charts: the towns compared on one target (the cumulative chart: charts.cumulative)."""

from __future__ import annotations

import html

import plotly.graph_objects as go
import polars as pl

from kechuang.charts import memo, style
from kechuang.charts.cumulative import cumulative_chart  # noqa: F401  (the one cumulative chart)
from kechuang.zh import fmt

ACTUAL = style.ACTUAL_LIGHT  # the other towns
HIGHLIGHT = style.HIGHLIGHT  # the chosen town
ROW_HEIGHT = 21  # px per town: 18 towns in 468 px, readable at 390 px


@memo.figure
def town_chart(
    frame: pl.DataFrame, title: str, unit: str, highlight: str | None = None
) -> go.Figure:
    """Horizontal bars of a value by town (town, value), largest on top; the chosen town darker
    (a highlight, not a status: red is kept for 滞后)."""
    scale, shown_unit = fmt.shown_scale(unit), fmt.shown_unit(unit)
    decimals = 2 if shown_unit == "亿元" else 0
    ordered = frame.sort("value", "town", descending=[False, True])
    values = (ordered["value"] / scale).to_list()
    towns = ordered["town"].to_list()
    colours = [
        HIGHLIGHT if t == highlight else (ACTUAL if highlight else style.ACTUAL) for t in towns
    ]
    fig = go.Figure(
        go.Bar(
            x=values,
            y=[html.escape(t, quote=False) for t in towns],  # Plotly reads <a href> in labels
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
    style.layout(fig, title, 90 + ROW_HEIGHT * max(len(towns), 1), x_title=shown_unit)
    fig.update_layout(hovermode="closest", showlegend=False, margin={"r": 36})
    fig.update_xaxes(tickformat=",", rangemode="tozero")
    if decimals == 0 and max(values, default=0) <= 8:
        fig.update_xaxes(dtick=1)  # small counts: no half-firm ticks
    return fig
