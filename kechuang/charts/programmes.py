"""Chart builders of the programme pages: a frame in, a plotly Figure out (Chinese titles, readable
at 390 px)."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

BAR = "#c62828"  # the theme's primary colour
BAR_LIGHT = "#ef9a9a"
LINE = "#1565c0"
PACE = "#757575"
MUTED = "#bdbdbd"
LABEL_CHARS = 10  # category labels longer than this are shortened on the axis (readable at 390 px)
SERIES_COLORS = (BAR, LINE, "#2e7d32", "#ef6c00", "#6a1b9a", "#00838f")


# Shared by every chart module: one look, legends above the plot, titles left-aligned.
def apply_layout(
    fig: go.Figure, title: str, height: int, x_title: str | None = None, y_title: str | None = None
) -> go.Figure:
    fig.update_layout(
        title={
            "text": title,
            "x": 0,
            "xanchor": "left",
            "y": 1,
            "yref": "container",
            "yanchor": "top",
            "pad": {"t": 8},
            "font": {"size": 15},
        },
        height=height,
        margin={"l": 8, "r": 8, "t": 64, "b": 8},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.01, "x": 0, "font": {"size": 11}},
        separators=".,",
        plot_bgcolor="white",
        hoverlabel={"font_size": 12},
        bargap=0.25,
    )
    fig.update_xaxes(
        title_text=x_title, automargin=True, gridcolor="#eeeeee", zerolinecolor="#cccccc"
    )
    fig.update_yaxes(
        title_text=y_title, automargin=True, gridcolor="#eeeeee", zerolinecolor="#cccccc"
    )
    return fig


def cumulative_chart(
    frame: pl.DataFrame,
    title: str,
    unit: str,
    *,
    scale: float = 1.0,
    bar_name: str = "当月",
    line_name: str = "累计完成",
    bars: bool = True,
    decimals: int = 0,
) -> go.Figure:
    """Monthly bars, the cumulative line and the dashed pace line of a metric's monthly series.

    `frame` has on, in_month, actual and pace (as from programmes.common.monthly); values are
    divided by `scale` (e.g. 10,000 to draw 万元 as 亿元) and `unit` names the result."""
    months = [f"{d.month}月" for d in frame["on"]]
    fmt = f",.{decimals}f"
    fig = go.Figure()
    if bars:
        fig.add_trace(
            go.Bar(
                x=months,
                y=[v / scale for v in frame["in_month"]],
                name=bar_name,
                marker_color=BAR_LIGHT,
                hovertemplate=f"%{{x}} {bar_name} %{{y:{fmt}}} {unit}<extra></extra>",
            )
        )
    fig.add_trace(
        go.Scatter(
            x=months,
            y=[v / scale for v in frame["actual"]],
            name=line_name,
            mode="lines+markers",
            line={"color": BAR, "width": 3},
            hovertemplate=f"%{{x}} {line_name} %{{y:{fmt}}} {unit}<extra></extra>",
        )
    )
    if frame["pace"].null_count() < frame.height:
        fig.add_trace(
            go.Scatter(
                x=months,
                y=[None if v is None else v / scale for v in frame["pace"]],
                name="序时进度",
                mode="lines",
                line={"color": PACE, "dash": "dash", "width": 2},
                hovertemplate=f"%{{x}} 序时进度 %{{y:{fmt}}} {unit}<extra></extra>",
            )
        )
    fig.update_yaxes(tickformat=",")
    return apply_layout(fig, title, 320, y_title=unit)


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
                marker_color=(BAR, MUTED, LINE)[i % 3]
                if stacked
                else SERIES_COLORS[i % len(SERIES_COLORS)],
                text=[None if v is None else f"{v:{fmt}}" for v in values],
                textposition="inside" if stacked else "outside",
                textfont={"size": 11},
                cliponaxis=False,
                hovertemplate=f"%{{y}} {name} %{{x:{fmt}}}<extra></extra>",
            )
        )
    short = [
        c if len(c) <= LABEL_CHARS else c[: LABEL_CHARS - 1] + "…" for c in cats
    ]  # full name in the hover
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
            marker={"color": [SERIES_COLORS[i % len(SERIES_COLORS)] for i in range(frame.height)]},
            connector={"line": {"color": MUTED}},
            hovertemplate="%{y}：%{text}<extra></extra>",
        )
    )
    return apply_layout(fig, title, 80 + 52 * frame.height)
