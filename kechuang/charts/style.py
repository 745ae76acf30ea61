"""The one chart style: palette, status colours, fonts, and a layout that reads at 390 px.

Every chart builder in kechuang/charts uses `layout` and these colours, so a colour means the
same everywhere: green on pace, amber 预警, red 滞后 (and red never marks something good: done,
visited, R&D-active are blue or green). Series that carry no judgement take the neutral palette.
"""

from __future__ import annotations

import plotly.graph_objects as go

# Status colours (charts, progress bars, badges): the same three wherever a status is shown.
ON_TRACK = "#2e7d32"
AT_RISK = "#f0a202"  # amber
BEHIND = "#c62828"
NEUTRAL = "#78909c"  # a figure without a judgement (a town's contribution, a tracked metric)
STATUS_COLOURS = {"on_track": ON_TRACK, "at_risk": AT_RISK, "behind": BEHIND, None: NEUTRAL}

# Neutral series: no status meaning. The first is the "actual" of every chart.
ACTUAL = "#1565c0"
ACTUAL_LIGHT = "#90caf9"
PACE = "#455a64"  # the pace line: dashed dark grey, not a status colour
TARGET = "#9e9e9e"
LAST_YEAR = "#b0bec5"
MUTED = "#cfd8dc"
HIGHLIGHT = "#0d47a1"  # a chosen town among the others (these in ACTUAL_LIGHT)
GOOD = ON_TRACK  # something done (R&D-active, visited), when beside something still to do
TO_DO = BEHIND  # something still to do (待清零)
SERIES = (ACTUAL, "#00897b", "#6a1b9a", "#8d6e63", "#5c6bc0", "#26a69a")

FONT = "Noto Sans CJK SC, PingFang SC, Microsoft YaHei, WenQuanYi Micro Hei, sans-serif"
LABEL_CHARS = 10  # category labels longer than this are shortened on the axis at 390 px


def layout(
    fig: go.Figure,
    title: str,
    height: int,
    x_title: str | None = None,
    y_title: str | None = None,
) -> go.Figure:
    """Title top left, legend *below* the plot (at 390 px a legend above overprints the title),
    white background, light grid, thousands separators."""
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
        margin={"l": 8, "r": 8, "t": 44, "b": 8},
        font={"family": FONT, "size": 12},
        # At the bottom of the figure, under the axis: legend_room reserves its lines.
        legend={
            "orientation": "h",
            "yref": "container",
            "y": 0,
            "yanchor": "bottom",
            "x": 0,
            "font": {"size": 11},
        },
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


def legend_room(fig: go.Figure, rows: int = 1, axis: int = 34) -> go.Figure:
    """Room under the plot for the axis labels (`axis` px) and a legend of `rows` lines."""
    fig.update_layout(margin={"b": axis + 24 * rows}, height=fig.layout.height + 24 * rows)
    return fig


def shorten(label: str, width: int = LABEL_CHARS) -> str:
    """A category label cut to `width` characters for the axis (the full name in the hover)."""
    return label if len(label) <= width else label[: width - 1] + "…"
