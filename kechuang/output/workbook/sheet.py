"""What every sheet of the briefing workbook shares: the sheet names, number formats and chart
colours, the A4 print setup, and the context a sheet is written in (workbook, warehouse, scope,
the queries started ahead)."""

from __future__ import annotations

from concurrent.futures import Future
from datetime import date

import polars as pl

from kechuang.engine import contract, prefetch
from kechuang.engine.plan import Plan
from kechuang.engine.warehouse import Warehouse
from kechuang.output import tables
from kechuang.zh import fmt

TITLE = "如东县科技创新工作简报"
COVER, PROGRESS = "封面", "目标进度"
CANDIDATES, NEAR_MISSES = "高企候选", "差一项企业"
RD_TOWNS, RD_WORKLIST, UNVISITED = "研发清零分镇区", "研发清零清单", "重点企业未走访"
FOLLOW_UP_CONTACTS, FOLLOW_UP_FUNNEL = (
    "本月走访记录",
    "培育阶段",
)  # the work records (kechuang/worklog)
TABLE_ROW = 2  # data sheets: title in row 0, a note in row 1, the header in row 2

UNIT_SHOWN = {
    "比率": "%",
    "万元": fmt.AMOUNT_UNIT,
}  # 技术合同 in 亿元, as on every page (fmt.shown_unit)
YI = "#,##0.00"  # 亿元 to 0.01, the precision the pages show
PERCENT, WAN, COUNT, DECIMAL1 = (
    tables.FORMATS["percent"],
    tables.FORMATS["wan"],
    tables.FORMATS["count"],
    "#,##0.0",
)
COLOURS = {"actual": "#1565C0", "pace": "#455A64", "target": "#9E9E9E"}  # as charts/style.py


class Context:
    """The workbook being written and what every sheet writer reads: warehouse, as-of date, scope,
    plan, the fetched rows shared across sheets and the formats of titles and notes."""

    def __init__(
        self,
        book,
        wh: Warehouse,
        as_of: date,
        scope_label: str,
        plan: Plan | None,
        shared: prefetch.Shared,
    ):
        self.book, self.wh, self.as_of, self.scope_label, self.plan = (
            book,
            wh,
            as_of,
            scope_label,
            plan,
        )
        self.shared = shared
        self.screened: pl.DataFrame | None = (
            None  # the evaluated firms, screened once for both screen sheets
        )
        self.jobs: dict[
            str, Future | None
        ] = {}  # queries started before the sheets are written (_build)
        self.seen = lambda frame: frame  # what the viewer may see of a table naming firms
        self.title = book.add_format({"bold": True, "font_size": 14})
        self.note = book.add_format({"italic": True, "font_color": "#595959"})
        self.warn = book.add_format({"bold": True, "font_color": "#C62828"})

    def result(self, name: str, compute):
        """A started query's result (compute() when it was not started)."""
        job = self.jobs.pop(name, None)
        return job.result() if job is not None else compute()

    def heading(self, ws, title: str, note: str = "") -> None:
        print_setup(ws)
        tables.write_cell(
            ws, 0, 0, f"{title}（{self.scope_label}，截至{fmt.cn_date(self.as_of)}）", self.title
        )
        if note:
            tables.write_cell(ws, 1, 0, note, self.note)

    def absent(self, sheet: str, title: str, missing: list[str]) -> None:
        """A sheet that says which data is absent instead of a table."""
        ws = self.book.add_worksheet(sheet)
        self.heading(ws, title)
        tables.write_cell(
            ws,
            1,
            0,
            f"缺少数据：{table_names(missing)}，本表无法生成。导入这些数据后重新生成简报。",
            self.warn,
        )
        ws.set_column(0, 0, 16)

    def table(
        self,
        sheet: str,
        title: str,
        frame: pl.DataFrame,
        note: str = "",
        formats: dict[str, str] | None = None,
    ):
        """A titled data sheet: the frame (display names) under a title and a note, header frozen,
        autofilter."""
        frame = self.seen(frame)
        ws = tables.write_sheet(self.book, frame, sheet, start_row=TABLE_ROW, formats=formats)
        self.heading(ws, title, note or f"共 {frame.height} 行")
        return ws


def print_setup(ws, landscape: bool = True) -> None:
    """A4, one page wide, the header rows repeated on every printed page."""
    ws.set_paper(9)
    if landscape:
        ws.set_landscape()
        ws.repeat_rows(0, TABLE_ROW)
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
    ws.set_footer("&C第 &P 页，共 &N 页")


def table_names(names: list[str]) -> str:
    return contract.table_names(names, with_ids=True)
