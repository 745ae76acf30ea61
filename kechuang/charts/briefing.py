"""Chart builders the pages had not needed yet: every target's completion against 序时进度 in one
figure.

Pure like the other builders (a frame in, a plotly Figure out), so a page can draw it as the
briefing does.
"""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from kechuang.charts import memo, style
from kechuang.charts.style import ACTUAL, FONT, PACE
from kechuang.zh import fmt

STATUS_COLOURS = {s: style.STATUS_COLOURS[s] for s in ("on_track", "at_risk", "behind")}
STATUS_NAMES = {"on_track": "达到序时进度", "at_risk": "预警", "behind": "滞后"}


@memo.figure
def target_progress_chart(frame: pl.DataFrame, title: str) -> go.Figure:
    """Horizontal bars of each target's completion share, coloured by status, a pace tick on each.

    `frame`: label, share (actual / target), pace (expected / target; null where not paced), status
    (on_track, at_risk, behind; null where not judged: drawn in the plain colour). Rows in plan
    order,
    first on top; targets without a share (no number in the plan, no data) are left out."""
    rows = frame.filter(pl.col("share").is_not_null())
    labels = rows["label"].to_list()
    fig = go.Figure()
    statuses = rows["status"].to_list()
    for status in [*STATUS_COLOURS, None]:
        picked = [i for i, s in enumerate(statuses) if s == status]
        if not picked:
            continue
        shares = [rows["share"][i] * 100 for i in picked]
        fig.add_trace(
            go.Bar(
                x=shares,
                y=[labels[i] for i in picked],
                orientation="h",
                name=STATUS_NAMES.get(status, "完成比例"),
                marker_color=STATUS_COLOURS.get(status, ACTUAL),
                text=[fmt.pct(s / 100) for s in shares],
                textposition="outside",
                cliponaxis=False,
                hovertemplate="%{y}：%{x:.1f}%<extra></extra>",
            )
        )
    paced = rows.filter(pl.col("pace").is_not_null())
    if paced.height:
        fig.add_trace(
            go.Scatter(
                x=(paced["pace"] * 100).to_list(),
                y=paced["label"].to_list(),
                mode="markers",
                name="序时进度",
                marker={"symbol": "line-ns", "size": 22, "line": {"width": 3, "color": PACE}},
                hovertemplate="%{y}：序时进度 %{x:.1f}%<extra></extra>",
            )
        )
    top = max([100.0, *(rows["share"] * 100).to_list()])
    fig.update_layout(
        title={"text": title, "x": 0, "xanchor": "left", "font": {"size": 15}},
        height=110 + 34 * max(len(labels), 1),
        margin={"l": 8, "r": 48, "t": 80, "b": 8},
        font={"family": FONT, "size": 12},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "x": 0},
        barmode="overlay",
        bargap=0.35,
        plot_bgcolor="white",
        hovermode="closest",
    )
    fig.update_xaxes(
        title_text="完成年度目标比例（%）",
        range=[0, top * 1.12],
        ticksuffix="%",
        gridcolor="#eeeeee",
    )
    fig.update_yaxes(categoryorder="array", categoryarray=labels[::-1], automargin=True)
    return fig
