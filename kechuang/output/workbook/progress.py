"""目标进度: every target's actual, target, pace and status, with a native bar chart."""

from __future__ import annotations

from kechuang.engine import contract, metrics
from kechuang.output import summary, tables
from kechuang.output.workbook.sheet import (
    COLOURS,
    COUNT,
    PERCENT,
    PROGRESS,
    TABLE_ROW,
    UNIT_SHOWN,
    YI,
    Context,
)
from kechuang.zh import fmt, labels

PROGRESS_HEADER = (
    "序号",
    "指标",
    "单位",
    "口径",
    "完成",
    "年度目标",
    "完成比例",
    "序时应完成",
    "序时进度比例",
    "预计全年",
    "状态",
    "缺少数据",
)


def progress_sheet(ctx: Context, rows: list[metrics.Progress]) -> None:
    book, ws = ctx.book, ctx.book.add_worksheet(PROGRESS)
    town_scope = ctx.wh.scope is not None
    note = (
        f"序时进度：截至日期在全年中的占比 {fmt.pct(metrics.elapsed_share(ctx.as_of))}；比率指标直"
        "接与目标比较。"
        + (
            "镇区口径：目标为全县年度目标，完成比例为该镇区对全县目标的贡献，镇区数据不作序时进度判断；口径为“全县”的为全县数据。"
            if town_scope
            else ""
        )
    )
    ctx.heading(
        ws,
        "“六百创新”目标进度",
        note if ctx.plan else f"{ctx.as_of.year}年尚无计划文件，未设年度目标。",
    )
    header = tables.book_format(
        book, bold=True, bg_color="#F2F2F2", border=1, text_wrap=True, valign="top"
    )
    for c, text in enumerate(PROGRESS_HEADER):
        tables.write_cell(ws, TABLE_ROW, c, text, header)
    for i, p in enumerate(rows, start=1):
        r = TABLE_ROW + i
        value_fmt = tables.book_format(
            book, PERCENT if p.unit == "比率" else YI if p.unit == "万元" else COUNT
        )
        paced_fmt = (
            value_fmt  # the expected-by-now as shown everywhere: rounded up (fmt.pace_value)
        )
        pct_fmt = tables.book_format(book, PERCENT)
        scale = fmt.shown_scale(p.unit)

        def shown(x, scale=scale):
            return None if x is None else x / scale

        expected_share = p.expected / p.target if p.expected is not None and p.target else None
        scope = summary.COUNTY if not town_scope or metrics.county_wide(p.id) else ctx.scope_label
        cells = [
            (i, None),
            (p.label, None),
            (UNIT_SHOWN.get(p.unit, p.unit), None),
            (scope, None),
            (shown(fmt.shown_value(p.actual, p.unit)), value_fmt),
            (shown(p.target), value_fmt),
            (p.share_of_target, pct_fmt),
            (shown(p.pace), paced_fmt),
            (expected_share, pct_fmt),
            (shown(p.projected), paced_fmt),
            (_status(p, town_scope), None),
            ("、".join(contract.TABLE_LABELS[t] for t in p.missing_tables) or None, None),
        ]
        for c, (value, cell_fmt) in enumerate(cells):
            if value is None:
                ws.write_blank(r, c, None, cell_fmt)
            else:
                tables.write_cell(ws, r, c, value, cell_fmt)
    ws.set_column(0, 0, 6)
    ws.set_column(1, 1, 34)
    ws.set_column(2, 3, 8)
    ws.set_column(4, 9, 14)
    ws.set_column(10, 10, 10)
    ws.set_column(11, 11, 24)
    ws.freeze_panes(TABLE_ROW + 1, 2)
    last = TABLE_ROW + len(rows)
    ws.autofilter(TABLE_ROW, 0, last, len(PROGRESS_HEADER) - 1)
    chart = book.add_chart({"type": "bar"})
    # A town's share of the county target is a contribution, not a pace: no pace bars for a town.
    series = (
        [(6, "占全县年度目标比例", COLOURS["actual"])]
        if town_scope
        else [(6, "完成年度目标比例", COLOURS["actual"]), (8, "序时进度", COLOURS["pace"])]
    )
    for col, name, colour in series:
        chart.add_series(
            {
                "name": name,
                "categories": [PROGRESS, TABLE_ROW + 1, 1, last, 1],
                "values": [PROGRESS, TABLE_ROW + 1, col, last, col],
                "fill": {"color": colour},
                "gap": 60,
            }
        )
    chart.set_title(
        {
            "name": "占全县年度目标比例" if town_scope else "完成年度目标比例与序时进度",
            "name_font": {"size": 12},
        }
    )
    chart.set_x_axis(
        {
            "num_format": "0%",
            "min": 0,
            "major_gridlines": {"visible": True, "line": {"color": "#E0E0E0"}},
        }
    )
    chart.set_y_axis({"reverse": True})
    chart.set_legend({"position": "bottom"})
    chart.set_size({"width": 720, "height": 520})
    ws.insert_chart(last + 2, 1, chart)


def _status(p: metrics.Progress, town_scope: bool) -> str:
    """The status in words; a town's own figures are contributions to county targets and get no
    pace judgement."""
    if p.target is None:
        return "跟踪指标"
    if town_scope and not metrics.county_wide(p.id):
        return "—"
    return labels.STATUS_LABELS[p.status]
