"""Chart builders of the analyst workbench: a frame in, a plotly Figure out (Chinese titles,
readable at 390 px)."""

from __future__ import annotations

import html

import plotly.graph_objects as go
import polars as pl

from kechuang.charts import memo, style
from kechuang.charts.programmes import apply_layout  # one look for every chart

PRIMARY = style.ACTUAL  # passing together: the screen's result, not a status
LIGHT = style.ACTUAL_LIGHT
BLUE = style.ACTUAL
GREEN = style.GOOD
TO_DO = style.TO_DO  # still on the 清零 worklist
AMBER = style.AT_RISK


def _wrap(text: str, width: int = 9) -> str:
    """A long category label over several lines, so a 390 px screen keeps room for the bars."""
    return "<br>".join(text[i : i + width] for i in range(0, len(text), width))


def _bars(
    cats: list[str], values: pl.Series, name: str, colour: str, hover: str, **labels
) -> go.Bar:
    """One series of horizontal bars (the funnel's and the towns' charts); `labels`: their text."""
    return go.Bar(
        y=cats,
        x=values.to_list(),
        name=name,
        orientation="h",
        marker_color=colour,
        hovertemplate=hover,
        **labels,
    )


def _outside(text: list[str]) -> dict:
    """Labels beside the bars' ends, never clipped by the plot area."""
    return {"text": text, "textposition": "outside", "cliponaxis": False}


@memo.figure
def funnel_chart(frame: pl.DataFrame) -> go.Figure:
    """The screen's funnel (workbench.funnel): firms passing each criterion on its own, and passing
    it together with every criterion above it; evaluated firms on top, candidates at the bottom."""
    cats = [_wrap(x) for x in frame["label"]]
    fig = go.Figure()
    for column, name, colour in (
        ("n_firms", "单项通过", LIGHT),
        ("n_cumulative", "逐项累计通过", PRIMARY),
    ):
        hover = f"%{{y}}<br>{name} %{{x:,}} 家<extra></extra>"
        labels = _outside([f"{v:,}" for v in frame[column]])
        fig.add_trace(_bars(cats, frame[column], name, colour, hover, **labels))
    top = max(frame["n_firms"].max() or 0, 1)
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(
        tickformat=",", range=[0, top * 1.22]
    )  # room for the labels beside the longest bars
    fig.update_layout(barmode="group")
    fig.update_traces(textfont={"size": 11})
    return apply_layout(
        fig, "筛选漏斗：参评企业 → 各项条件 → 候选", 120 + 44 * frame.height, x_title="企业数（家）"
    )


@memo.figure
def coverage_by_town_chart(by_town: pl.DataFrame) -> go.Figure:
    """Per town: R&D-active firms and firms still on the 清零 worklist
    (metrics.RdCoverage.by_town), stacked."""
    frame = by_town.sort("n_worklist", "n_population", descending=True)
    # Plotly reads <a href=…> in a label as a link: a town from the data is text
    cats = [html.escape(t, quote=False) for t in frame["town"].fill_null("镇区不详").to_list()]
    fig = go.Figure()
    active = "%{y} 有研发活动 %{x:,} 家<extra></extra>"
    fig.add_trace(_bars(cats, frame["n_active"], "有研发活动", GREEN, active))
    to_do = _outside([f"{v}" if v else "" for v in frame["n_worklist"]])
    hover = "%{y} 待清零 %{x:,} 家<extra></extra>"
    fig.add_trace(_bars(cats, frame["n_worklist"], "待清零", TO_DO, hover, textangle=0, **to_do))
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(tickformat=",")
    fig.update_layout(barmode="stack")
    return apply_layout(
        fig,
        "亿元以上制造业企业：各镇区研发活动覆盖",
        120 + 26 * frame.height,
        x_title="企业数（家）",
    )


@memo.figure
def revenue_chart(annual: pl.DataFrame) -> go.Figure:
    """A firm's revenue by year (enterprise_view.annual_figures), in 万元, with R&D expense beside
    it."""
    years = [f"{y}年" for y in annual["year"]]
    fig = go.Figure()
    fig.add_trace(
        go.Bar(
            x=years,
            y=annual["revenue_wan"].to_list(),
            name="营业收入",
            marker_color=BLUE,
            customdata=annual["revenue_source"].fill_null("—").to_list(),
            hovertemplate="%{x} 营业收入 %{y:,.1f} 万元（%{customdata}口径）<extra></extra>",
        )
    )
    fig.add_trace(
        go.Bar(
            x=years,
            y=annual["rd_expense_wan"].to_list(),
            name="研发费用",
            marker_color=style.SERIES[1],
            hovertemplate="%{x} 研发费用 %{y:,.1f} 万元<extra></extra>",
        )
    )
    fig.update_yaxes(tickformat=",")
    fig.update_layout(barmode="group")
    return apply_layout(fig, "年度营业收入与研发费用", 300, y_title="万元")


@memo.figure
def rd_intensity_chart(annual: pl.DataFrame) -> go.Figure:
    """Each year's R&D intensity against the HNTE tier line for that year's revenue."""
    years = [f"{y}年" for y in annual["year"]]
    pct = [None if v is None else v * 100 for v in annual["rd_intensity"]]
    line = [None if v is None else v * 100 for v in annual["intensity_threshold"]]
    fig = go.Figure()
    fig.add_trace(
        go.Bar(
            x=years,
            y=pct,
            name="研发投入强度",
            marker_color=BLUE,
            hovertemplate="%{x} 研发投入强度 %{y:.1f}%<extra></extra>",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=years,
            y=line,
            name="高企强度要求",
            mode="lines+markers",
            line={"color": style.PACE, "dash": "dash"},
            hovertemplate="%{x} 按当年营收所在档次需达 %{y:.1f}%<extra></extra>",
        )
    )
    fig.update_yaxes(ticksuffix="%", rangemode="tozero")
    return apply_layout(fig, "研发投入强度与高企要求（按当年营收分档）", 300, y_title="占营业收入")


@memo.figure
def monthly_sales_chart(monthly: pl.DataFrame) -> go.Figure:
    """Monthly invoiced sales (enterprise_view.monthly_sales), in 万元."""
    months = monthly["period"].to_list()
    fig = go.Figure(
        go.Bar(
            x=months,
            y=monthly["invoiced_sales_wan"].to_list(),
            name="开票销售额",
            marker_color=BLUE,
            hovertemplate="%{x|%Y年%-m月} 开票销售额 %{y:,.1f} 万元<extra></extra>",
        )
    )
    fig.update_xaxes(tickformat="%Y年%-m月", dtick="M6" if len(months) > 12 else "M1")
    fig.update_yaxes(tickformat=",")
    return apply_layout(fig, "月度增值税开票销售额", 280, y_title="万元")
