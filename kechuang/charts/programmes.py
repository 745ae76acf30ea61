"""Chart builders of the programme pages: a frame in, a plotly Figure out (Chinese titles, readable
at 390 px)."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from kechuang.charts import memo, style
from kechuang.charts.cumulative import cumulative_chart  # noqa: F401  (the one cumulative chart)

LABEL_CHARS = style.LABEL_CHARS
# Stacked parts: the first is what is done (never red), the second what remains.
STACKED = (style.ACTUAL, style.MUTED, style.SERIES[1])


def apply_layout(
    fig: go.Figure, title: str, height: int, x_title: str | None = None, y_title: str | None = None
) -> go.Figure:
    """style.layout, with room for the legend when the chart shows one."""
    style.layout(fig, title, height, x_title, y_title)
    if fig.layout.showlegend is not False and len(fig.data) > 1:
        style.legend_room(fig)
    return fig


@memo.figure
def bar_chart(
    frame: pl.DataFrame,
    category: str,
    series: list[tuple[str, str]],
    title: str,
    value_title: str,
    *,
    scale: float = 1.0,
    top: int | None = None,
    stacked: bool = False,
    decimals: int = 0,
) -> go.Figure:
    """Horizontal bars per category (first row on top); several series grouped, or stacked.

    `series` lists (column, legend name). With `top`, only the first `top` rows are drawn."""
    shown = frame.head(top) if top else frame
    cats = [str(c) for c in shown[category]]
    fmt = f",.{decimals}f"
    fig = go.Figure()
    for i, (col, name) in enumerate(series):
        values = [None if v is None else v / scale for v in shown[col]]
        fig.add_trace(
            go.Bar(
                y=cats,
                x=values,
                name=name,
                orientation="h",
                marker_color=STACKED[i % 3] if stacked else style.SERIES[i % len(style.SERIES)],
                text=[None if v is None else f"{v:{fmt}}" for v in values],
                textposition="inside" if stacked else "outside",
                textfont={"size": 11},
                cliponaxis=False,
                hovertemplate=f"%{{y}} {name} %{{x:{fmt}}}<extra></extra>",
            )
        )
    short = [style.shorten(c) for c in cats]  # full name in the hover
    fig.update_yaxes(
        autorange="reversed",
        categoryorder="array",
        categoryarray=cats,
        tickmode="array",
        tickvals=cats,
        ticktext=short,
    )
    totals = (
        [sum(v or 0 for v in row) for row in zip(*(shown[c] for c, _ in series), strict=True)]
        if stacked
        else [v for c, _ in series for v in shown[c] if v is not None]
    )
    top_value = max(totals, default=0) / scale
    fig.update_xaxes(
        tickformat=",", range=[0, top_value * 1.22 if top_value > 0 else 1]
    )  # room for the value labels
    if decimals == 0 and top_value <= 8:
        fig.update_xaxes(dtick=1)  # small counts: no half-project ticks
    fig.update_layout(
        barmode="stack" if stacked else "group",
        showlegend=len(series) > 1,
        legend_traceorder="normal",
        uniformtext={"minsize": 9, "mode": "hide"},
    )
    per_row = 22 * (1 if stacked else len(series)) + 10
    return apply_layout(fig, title, max(220, 90 + per_row * len(cats)), x_title=value_title)


@memo.figure
def funnel_chart(
    frame: pl.DataFrame,
    title: str,
    *,
    stage: str = "stage",
    value: str = "n_reached",
    conversion: str | None = "conversion_ratio",
    unit: str = "项",
) -> go.Figure:
    """A funnel of stage counts, each labelled with its count and its conversion from the stage
    before."""
    texts = []
    for row in frame.iter_rows(named=True):
        text = f"{row[value]:,} {unit}"
        if conversion and row[conversion] is not None:
            text += f"（转化 {row[conversion] * 100:.1f}%）"
        texts.append(text)
    top_value = max(frame[value].max() or 0, 1)
    positions = [
        "inside" if v >= 0.35 * top_value else "outside" for v in frame[value]
    ]  # small bars: label beside
    fig = go.Figure(
        go.Funnel(
            y=list(frame[stage]),
            x=list(frame[value]),
            text=texts,
            textinfo="text",
            textposition=positions,
            textfont={"size": 12},
            cliponaxis=False,
            marker={"color": [style.SERIES[i % len(style.SERIES)] for i in range(frame.height)]},
            connector={"line": {"color": style.MUTED}},
            hovertemplate="%{y}：%{text}<extra></extra>",
        )
    )
    return apply_layout(fig, title, 80 + 52 * frame.height)
