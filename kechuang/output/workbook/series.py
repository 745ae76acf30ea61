"""One sheet per action programme of the plan (企业孵化行动, ...): the monthly series of each
countable metric, with a native line chart each."""

from __future__ import annotations

import re

import polars as pl

from kechuang.engine import metrics
from kechuang.engine.plan import Plan
from kechuang.output.workbook.sheet import (
    COLOURS,
    COUNT,
    DECIMAL1,
    PROGRESS,
    RD_TOWNS,
    TABLE_ROW,
    UNIT_SHOWN,
    YI,
    Context,
    table_names,
)
from kechuang.zh import fmt

NO_PLAN_PROGRAMME = "月度进展"  # the one series sheet when the year has no plan file


def programmes(plan: Plan | None) -> list[tuple[str, list[str]]]:
    """The plan's action programmes (重点工作) in order, each with its metric ids; a remainder
    sheet for unplaced ids."""
    if plan is None:
        return [(NO_PLAN_PROGRAMME, [m.id for m in metrics.METRICS])]
    out: dict[str, list[str]] = {}
    for task in sorted(plan.tasks, key=lambda t: t.no):
        ids = out.setdefault(_sheet_name(task.action), [])
        ids += [i for i in task.metrics if i in metrics.METRIC_BY_ID and i not in ids]
    placed = {i for ids in out.values() for i in ids}
    rest = [m.id for m in metrics.METRICS if m.id not in placed]
    if rest:
        out["其他指标"] = rest
    return [(name, ids) for name, ids in out.items() if ids]


def _sheet_name(text: str) -> str:
    return re.sub(r"[\[\]:*?/\\]", "_", text)[:31]


def programme_sheet(ctx: Context, sheet: str, ids: list[str]) -> None:
    town_scope = ctx.wh.scope is not None
    notes, blocks = [], []
    for metric_id in ids:
        metric = metrics.METRIC_BY_ID[metric_id]
        wide = "（全县）" if town_scope and metrics.county_wide(metric_id) else ""
        if metric.is_ratio:
            value = metrics.metric_actual(ctx.wh, metric_id, ctx.as_of, ctx.shared)
            if missing := ctx.wh.missing(*metric.tables):
                notes.append(f"{metric.label}：缺少数据 {table_names(missing)}。")
                continue
            notes.append(
                f"{metric.label}为比率指标，不按月累计：当前 {fmt.pct(value)}，见“{PROGRESS}”与"
                f"“{RD_TOWNS}”表。"
            )
            continue
        target = ctx.plan.target(metric_id) if ctx.plan else None
        series = metrics.monthly_series(ctx.wh, metric_id, ctx.as_of, target, ctx.shared)
        if series is None:
            missing = ctx.wh.missing(*metric.tables)
            notes.append(
                f"{metric.label}："
                + (
                    f"缺少数据 {table_names(missing)}，无月度数据。"
                    if missing
                    else "数据只有年度、没有日期，不按月列示。"
                )
            )
            continue
        blocks.append((metric, wide, target, series))
    frame = (
        pl.DataFrame({"截至日期": blocks[0][3]["on"]})
        if blocks
        else pl.DataFrame({"截至日期": []}, schema={"截至日期": pl.Date})
    )
    formats, charts = {}, []
    for metric, wide, target, series in blocks:
        unit = UNIT_SHOWN.get(metric.unit, metric.unit)
        names = {
            "actual": f"{metric.label}{wide}：累计完成（{unit}）",
            "pace": f"{metric.label}{wide}：序时进度（{unit}）",
            "target": f"{metric.label}{wide}：年度目标（{unit}）",
        }
        # A town's own series is a contribution: county pace and target lines would not apply to it.
        kept = ["actual"] + (
            ["pace", "target"] if target is not None and (wide or not town_scope) else []
        )
        start = frame.width
        scale = fmt.shown_scale(metric.unit)
        frame = frame.with_columns((series[k] / scale).alias(names[k]) for k in kept)
        for k in kept:
            formats[names[k]] = YI if metric.unit == "万元" else DECIMAL1 if k == "pace" else COUNT
        charts.append((metric.label + wide, unit, {k: start + j for j, k in enumerate(kept)}))
    note = " ".join(notes) or "每月末累计完成数；序时进度 = 年度目标 × 截至当日的全年时间占比。"
    ws = ctx.table(
        sheet, f"{sheet} · 月度进展", frame, note, formats | {"截至日期": 'yyyy"年"m"月"d"日"'}
    )
    last = TABLE_ROW + frame.height
    for n, (title, unit, cols) in enumerate(charts):
        chart = ctx.book.add_chart({"type": "line"})
        for key, col in cols.items():
            style = {
                "actual": {"color": COLOURS["actual"], "width": 2.25},
                "pace": {"color": COLOURS["pace"], "dash_type": "dash"},
                "target": {"color": COLOURS["target"], "dash_type": "round_dot"},
            }[key]
            chart.add_series(
                {
                    "name": {"actual": "累计完成", "pace": "序时进度", "target": "年度目标"}[key],
                    "categories": [sheet, TABLE_ROW + 1, 0, last, 0],
                    "values": [sheet, TABLE_ROW + 1, col, last, col],
                    "line": style,
                    "marker": {"type": "circle", "size": 5}
                    if key == "actual"
                    else {"type": "none"},
                }
            )
        chart.set_title({"name": title, "name_font": {"size": 12}})
        chart.set_x_axis({"num_format": 'm"月"', "name": "月份"})
        chart.set_y_axis(
            {
                "name": unit,
                "num_format": "#,##0",
                "major_gridlines": {"visible": True, "line": {"color": "#E0E0E0"}},
            }
        )
        chart.set_legend({"position": "bottom"})
        chart.set_size({"width": 560, "height": 300})
        # Below the table, two charts a row.
        ws.insert_chart(last + 2 + (n // 2) * 17, 0, chart, {"x_offset": (n % 2) * 580})
