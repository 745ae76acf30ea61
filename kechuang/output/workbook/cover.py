"""封面: title, as-of date, scope, plan, generated-at, the briefing text, the sources' freshness
and the contents with links to each sheet."""

from __future__ import annotations

from datetime import date, datetime

from kechuang.engine import contract
from kechuang.output import tables
from kechuang.output.workbook.sheet import COUNT, TITLE, Context, print_setup
from kechuang.zh import fmt


def cover_sheet(
    ctx: Context, ws, text: str, generated_at: datetime, contents: list[tuple[str, str]]
) -> None:
    book, plan = ctx.book, ctx.plan
    key = tables.book_format(book, bold=True, valign="top")
    wrap = tables.book_format(book, text_wrap=True, valign="top")
    header = tables.book_format(book, bold=True, bg_color="#F2F2F2", border=1)
    link = tables.book_format(book, font_color="#1565C0", underline=1)
    print_setup(ws, landscape=False)
    ws.set_column(0, 0, 24)
    ws.set_column(1, 1, 22)
    ws.set_column(2, 4, 14)
    ws.set_column(5, 5, 24)
    tables.write_cell(ws, 0, 0, TITLE, tables.book_format(book, bold=True, font_size=18))
    facts = [
        ("截至日期", fmt.cn_date(ctx.as_of)),
        ("范围", ctx.scope_label),
        (
            "计划",
            f"{plan.title}（{plan.document}）"
            if plan
            else f"{ctx.as_of.year}年尚无计划文件，未设年度目标",
        ),
        ("生成时间", f"{fmt.cn_date(generated_at.date())} {generated_at:%H:%M}"),
        (
            "说明",
            "同一截至日期、范围与数据，在“简报导出”页点击“生成简报”或运行 python -m kechuang "
            "export 得到的内容相同，仅生成时间不同。",
        ),
    ]
    if ctx.wh.scope is not None:
        facts.append(
            (
                "镇区口径",
                "企业相关数据只含本镇区企业；科创专员、培训活动不属于某一企业，为全县数据；年度目标为全县目标。",
            )
        )
    row = 2
    for name, value in facts:
        tables.write_cell(ws, row, 0, name, key)
        tables.merge_cells(ws, row, 1, row, 5, value, wrap)
        ws.set_row(row, _row_height(value, 88))
        row += 1
    row += 1
    tables.write_cell(ws, row, 0, "简报文字", key)
    for paragraph in text.split("\n"):
        tables.merge_cells(ws, row, 1, row, 5, paragraph, wrap)
        ws.set_row(row, _row_height(paragraph, 88))
        row += 1
    row += 1
    tables.write_cell(ws, row, 0, "数据来源", key)
    row += 1
    for c, text in enumerate(("数据", "数据表", "行数", "数据截至", "状态")):
        tables.write_cell(ws, row, c, text, header)
    for r in ctx.result("freshness", lambda: ctx.wh.query("data_freshness")).iter_rows(named=True):
        row += 1
        info = ctx.wh.tables[r["table_name"]]
        tables.write_cell(ws, row, 0, contract.TABLE_LABELS[r["table_name"]])
        tables.write_cell(ws, row, 1, r["table_name"])
        if r["available"]:
            tables.write_cell(ws, row, 2, r["n_rows"], tables.book_format(book, COUNT))
            tables.write_cell(ws, row, 3, _latest(r["table_name"], r["latest_on"]))
            tables.write_cell(ws, row, 4, "可用")
        else:
            tables.write_cell(
                ws, row, 4, f"无法读取：{info.problem}" if info.problem else "暂缺", ctx.warn
            )
    row += 2
    tables.write_cell(ws, row, 0, "目录", key)
    for sheet, what in contents:
        row += 1
        ws.write_url(row, 0, f"internal:'{sheet}'!A1", link, sheet)
        tables.merge_cells(ws, row, 1, row, 5, what, wrap)
    ws.activate()


def _latest(table: str, latest_on: date | None) -> str:
    """数据截至: a date, or a year for tables kept by year (their latest date is only 31
    December)."""
    if latest_on is None:
        return "—"
    if "year" in {c.name for c in contract.columns(table)}:
        return f"{latest_on.year}年度"
    return fmt.cn_date(latest_on)


def _row_height(text: str, width_units: int) -> float:
    """A merged wrapped cell's height: Excel does not fit merged rows by itself (15 points a
    line)."""
    per_line = max(width_units - 4, 10)
    lines = sum(max(1, -(-tables.display_width(part) // per_line)) for part in text.split("\n"))
    return 15.0 * lines + 3
