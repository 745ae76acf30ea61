"""Chart builders: structure (traces, titles, units), not pixels."""

from __future__ import annotations

from datetime import date

import plotly.graph_objects as go
import polars as pl

from kechuang.charts import overview as charts
from kechuang.charts import style


def series(target: float | None = 1_000_000.0) -> pl.DataFrame:
    days = [date(2026, 1, 31), date(2026, 2, 1), date(2026, 2, 28)]
    return pl.DataFrame(
        {
            "on": days,
            "actual": [80000.0, 90000.0, None],
            "pace": [None if target is None else p for p in (84931.5, 87671.2, 161643.8)],
            "target": [target] * 3,
        },
        schema={"on": pl.Date, "actual": pl.Float64, "pace": pl.Float64, "target": pl.Float64},
    )


def test_cumulative_chart_in_yi_with_pace_target_and_last_year():
    last = pl.DataFrame({"on": [date(2026, 1, 31)], "actual": [20000.0]})
    fig = charts.cumulative_chart(
        series(), "技术合同认定登记额：全县累计完成", "万元", last, target_line=True
    )
    assert isinstance(fig, go.Figure)
    assert [t.name for t in fig.data] == ["累计完成", "序时进度", "年度目标", "上年同期"]
    assert all(t.type == "scatter" for t in fig.data)
    actual, pace, target, last_year = fig.data
    assert list(actual.y) == [8.0, 9.0]  # 万元 charted in 亿元; nothing after the as-of date
    # The x axis names months: the as-of day 2-1 is drawn on "2月", its exact day in the hover.
    assert list(actual.x) == ["1月", "2月"] and list(actual.customdata) == [
        "2026年1月31日",
        "2026年2月1日",
    ]
    assert list(target.y) == [100.0] * 3
    assert pace.line.dash == "dash" and pace.line.color == style.PACE
    assert list(last_year.y) == [2.0]
    assert fig.layout.title.text == "技术合同认定登记额：全县累计完成"
    assert fig.layout.yaxis.title.text == "累计（亿元）"
    assert fig.layout.xaxis.type == "category"
    assert "亿元" in actual.hovertemplate
    # The legend sits under the plot (above it, it overprints the title at 390 px).
    assert fig.layout.legend.yref == "container" and fig.layout.legend.yanchor == "bottom"


def test_cumulative_chart_without_target_has_only_the_actual():
    fig = charts.cumulative_chart(series(None), "新增高新技术企业：长沙镇累计完成", "家")
    assert [t.name for t in fig.data] == ["累计完成"]
    assert list(fig.data[0].y) == [80000.0, 90000.0]
    assert fig.layout.yaxis.title.text == "累计（家）"
    assert fig.layout.showlegend is False


def test_town_chart_largest_on_top_and_the_chosen_town_highlighted():
    frame = pl.DataFrame(
        {"town": ["掘港街道", "长沙镇", "洋口镇"], "value": [50000.0, 30000.0, 30000.0]}
    )
    fig = charts.town_chart(frame, "各镇区技术合同认定登记额", "万元", highlight="长沙镇")
    (bar,) = fig.data
    assert bar.type == "bar" and bar.orientation == "h"
    assert list(bar.y) == [
        "长沙镇",
        "洋口镇",
        "掘港街道",
    ]  # plotly draws the first category at the bottom
    assert list(bar.x) == [3.0, 3.0, 5.0]
    assert list(bar.text) == ["3.00", "3.00", "5.00"]
    assert list(bar.marker.color) == [charts.HIGHLIGHT, charts.ACTUAL, charts.ACTUAL]
    assert fig.layout.title.text == "各镇区技术合同认定登记额"
    assert fig.layout.xaxis.title.text == "亿元"
    assert fig.layout.height == 90 + charts.ROW_HEIGHT * 3


def test_town_chart_counts_stay_counts():
    fig = charts.town_chart(
        pl.DataFrame({"town": ["长沙镇"], "value": [1.0]}), "各镇区研发活动待清零企业数", "家"
    )
    assert list(fig.data[0].text) == ["1"]
    assert fig.layout.xaxis.title.text == "家"
    assert list(fig.data[0].marker.color) == [style.ACTUAL]  # no town chosen: one colour


def test_a_figure_is_built_once_per_input_and_shared(monkeypatch):
    """Issue 23: a page switch redraws the same charts; building them was most of its CPU."""
    from kechuang.charts import memo

    built = []
    monkeypatch.setattr(memo, "SIZE", 2)

    @memo.figure
    def chart(frame, title, *, unit="家"):
        built.append(title)
        return {"title": title, "rows": frame.height, "unit": unit}

    frame = pl.DataFrame({"town": ["长沙镇", "岔河镇"], "value": [3, 4]})
    first = chart(frame, "甲")
    assert chart(frame.clone(), "甲") is first  # equal content, same figure
    assert built == ["甲"]
    chart(frame.with_columns(pl.col("value") + 1), "甲")  # another value: built again
    chart(frame.with_columns(pl.col("value").cast(pl.Float64)), "甲")  # another type too
    chart(frame, "甲", unit="个")  # a keyword argument is part of the key
    assert built == ["甲"] * 4
    long = pl.Series("v", range(100))  # repr shows only its ends: the content is the key
    assert memo.key("c", (long,), {}) != memo.key("c", (long.scatter(50, -1),), {})
    assert chart(frame, "甲") is not first  # only the newest two are kept
    assert len(memo._cache) <= 2
    assert built == ["甲"] * 5
