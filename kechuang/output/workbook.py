"""The briefing workbook (简报): one function, briefing_workbook, behind the 简报导出 page and
`kechuang export`.

Sheets: 封面 (as-of date, scope, sources' freshness, generated-at, the briefing text, contents);
目标进度 (every target, with a native bar chart); one sheet per action programme of the plan
(企业孵化行动, ...) with the monthly series of each countable metric and a native line chart each;
高企候选; 差一项企业; 研发清零分镇区 (with a chart); 研发清零清单; 重点企业未走访. Every number
comes from metrics / screening / worklists; a sheet whose data is absent says which data is missing.
The same as-of date, scope and data give the same content from the page and the CLI; only the
generated-at time (on the cover and in the file properties) differs.
"""

from __future__ import annotations

import io
import re
from concurrent.futures import Future
from datetime import date, datetime
from pathlib import Path

import polars as pl

from kechuang.engine import contract, metrics, prefetch, screening, worklists
from kechuang.engine.plan import Plan, load_plan
from kechuang.engine.warehouse import Warehouse
from kechuang.output import summary, tables
from kechuang.worklog import briefing
from kechuang.zh import fmt, labels

TITLE = "如东县科技创新工作简报"
COVER, PROGRESS = "封面", "目标进度"
CANDIDATES, NEAR_MISSES = "高企候选", "差一项企业"
RD_TOWNS, RD_WORKLIST, UNVISITED = "研发清零分镇区", "研发清零清单", "重点企业未走访"
FOLLOW_UP_CONTACTS, FOLLOW_UP_FUNNEL = (
    "本月走访记录",
    "培育阶段",
)  # the work records (kechuang/worklog)
NO_PLAN_PROGRAMME = "月度进展"  # the one series sheet when the year has no plan file
NO_TOWN = "镇区不详"
TABLE_ROW = 2  # data sheets: title in row 0, a note in row 1, the header in row 2

SCREEN_TABLES = ("enterprises", "tax_annual")  # without these nothing can be screened
SCREEN_OPTIONAL = (
    "stats_annual",
    "patents",
    "hnte_certificates",
)  # without these some criteria are unknown
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


class UnknownTown(ValueError):
    """A town that does not appear in the enterprise register."""


def _towns(wh: Warehouse) -> list[str]:
    return wh.query("towns")["town"].to_list()


def briefing_workbook(
    wh: Warehouse,
    as_of: date,
    town: str | None = None,
    out: str | Path | None = None,
    *,
    generated_at: datetime | None = None,
    viewer=None,
) -> bytes:
    """The briefing workbook for the as-of date and scope (a town or the county) as XLSX bytes;
    also written to out.

    `viewer`: the account it is made for (auth.User): tables naming firms pass through
    redact.frame_for, so a role without named tax figures gets bands. None: the server's
    operator."""
    if town is not None and town not in _towns(wh):
        known = "、".join(_towns(wh)) or "（登记数据中没有镇区）"
        raise UnknownTown(f"未知镇区：{town}。可选镇区：{known}")
    generated_at = (generated_at or datetime.now()).replace(microsecond=0)
    scoped = wh if town is None or wh.scope == frozenset({town}) else wh.scoped({town})
    try:
        data = _build(scoped, as_of, town, load_plan(as_of.year), generated_at, viewer)
    finally:
        if scoped is not wh:
            scoped.close()
    if out is not None:
        Path(out).write_bytes(data)
    return data


def _build(
    wh: Warehouse,
    as_of: date,
    town: str | None,
    plan: Plan | None,
    generated_at: datetime,
    viewer=None,
) -> bytes:

    scope_label = town or ("、".join(sorted(wh.scope)) if wh.scope else summary.COUNTY)
    shared = (
        prefetch.Shared()
    )  # each metric's events and rd_coverage fetched once for the whole workbook
    # The workbook's other questions do not depend on the metrics: they start first, on the same
    # prefetch threads, so every query of the workbook runs in one parallel batch (each sheet then
    # waits for its own result).
    workers = prefetch.pool()
    jobs = {
        "screened": workers.submit(screening.candidates_and_near_misses, wh, as_of)
        if not wh.missing(*SCREEN_TABLES)
        else None,
        "unvisited": workers.submit(worklists.key_enterprises_unvisited, wh, as_of),
        "freshness": workers.submit(wh.query, "data_freshness"),
    }
    try:
        return _write(wh, as_of, town, plan, generated_at, scope_label, shared, jobs, viewer)
    finally:  # on an error, no query may outlive the call (a town's warehouse is closed after it)
        for job in jobs.values():
            if job is not None:
                job.exception()


def _write(
    wh: Warehouse,
    as_of: date,
    town: str | None,
    plan: Plan | None,
    generated_at: datetime,
    scope_label: str,
    shared: prefetch.Shared,
    jobs: dict[str, Future | None],
    viewer=None,
) -> bytes:
    rows = metrics.progress(wh, as_of, plan, shared)
    buffer = io.BytesIO()
    book = tables.new_workbook(buffer)
    book.set_properties(
        {
            "title": f"{TITLE}（{scope_label}，截至{fmt.cn_date(as_of)}）",
            "author": "如东科创驾驶舱",
            "company": "如东县科学技术局",
            "created": generated_at,
        }
    )
    ctx = _Context(book, wh, as_of, scope_label, plan, shared)
    ctx.jobs = jobs
    if viewer is not None:
        from kechuang.access import redact

        ctx.seen = lambda frame: redact.frame_for(viewer, frame)
    cover = book.add_worksheet(COVER)
    contents = [(PROGRESS, "每项目标的完成、年度目标、完成比例、序时进度、预计全年与状态")]
    _progress_sheet(ctx, rows)
    for name, ids in programmes(plan):
        contents.append(
            (
                name,
                "月度累计完成与序时进度：" + "、".join(metrics.METRIC_BY_ID[i].label for i in ids),
            )
        )
        _programme_sheet(ctx, name, ids)
    contents += [
        (CANDIDATES, "六项条件全部通过的高新技术企业培育候选"),
        (NEAR_MISSES, "仅差一项条件的企业及差距"),
        (RD_TOWNS, "亿元以上制造业企业研发活动覆盖率分镇区"),
        (RD_WORKLIST, "尚无研发活动的亿元以上制造业企业（清零清单）"),
        (UNVISITED, "年内尚未走访的“一企一策”重点企业"),
        (FOLLOW_UP_CONTACTS, "本月驾驶舱记录的走访、宣传、辅导，分镇区"),
        (FOLLOW_UP_FUNNEL, "高企培育、研发活动清零清单上企业的培育阶段"),
    ]
    _candidates_sheet(ctx)
    _near_misses_sheet(ctx)
    _rd_sheets(ctx)
    _unvisited_sheet(ctx)
    follow_up = _follow_up_sheets(ctx)
    text = summary.compose(rows, as_of, plan, scope_label, town_scope=wh.scope is not None)
    _cover(ctx, cover, f"{text}\n{briefing.paragraph(follow_up)}", generated_at, contents)
    book.close()
    return buffer.getvalue()


class _Context:
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
        _print_setup(ws)
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
            f"缺少数据：{_table_names(missing)}，本表无法生成。导入这些数据后重新生成简报。",
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


def _print_setup(ws, landscape: bool = True) -> None:
    """A4, one page wide, the header rows repeated on every printed page."""
    ws.set_paper(9)
    if landscape:
        ws.set_landscape()
        ws.repeat_rows(0, TABLE_ROW)
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
    ws.set_footer("&C第 &P 页，共 &N 页")


def _table_names(names: list[str]) -> str:
    return contract.table_names(names, with_ids=True)


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


# -- 目标进度 --------------------------------------------------------------------------------------

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


def _progress_sheet(ctx: _Context, rows: list[metrics.Progress]) -> None:
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


# -- one sheet per action programme: monthly series ------------------------------------------------


def _programme_sheet(ctx: _Context, sheet: str, ids: list[str]) -> None:
    town_scope = ctx.wh.scope is not None
    notes, blocks = [], []
    for metric_id in ids:
        metric = metrics.METRIC_BY_ID[metric_id]
        wide = "（全县）" if town_scope and metrics.county_wide(metric_id) else ""
        if metric.is_ratio:
            value = metrics.metric_actual(ctx.wh, metric_id, ctx.as_of, ctx.shared)
            if missing := ctx.wh.missing(*metric.tables):
                notes.append(f"{metric.label}：缺少数据 {_table_names(missing)}。")
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
                    f"缺少数据 {_table_names(missing)}，无月度数据。"
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


# -- worklists -------------------------------------------------------------------------------------

CANDIDATE_COLUMNS = [
    "uscc",
    "name",
    "town",
    "industry_code",
    "established_on",
    "revenue_y_wan",
    "rd_intensity",
    "intensity_threshold",
    "rd_staff_ratio",
    "revenue_growth",
    "n_valid_ip",
    "score",
]
NEAR_MISS_COLUMNS = [
    "uscc",
    "name",
    "town",
    "missed_criterion",
    "missed_status",
    "gap_text",
    "revenue_y_wan",
    "rd_intensity",
    "rd_staff_ratio",
    "revenue_growth",
    "n_valid_ip",
    "score",
]
RD_WORKLIST_COLUMNS = [
    "town",
    "uscc",
    "name",
    "industry_code",
    "revenue_wan",
    "has_rd_institution",
    "last_visited_on",
    "last_service_type",
    "last_visit_team",
]
UNVISITED_COLUMNS = ["town", "uscc", "name", "team", "focus", "last_visited_before_year_on"]
SCORE = {contract.column_label("score"): "0.0"}


def _screen_note(ctx: _Context) -> str:
    missing = ctx.wh.missing(*SCREEN_OPTIONAL)
    unknown = (
        f"缺少 {_table_names(missing)}，相关条件按“数据缺失”处理（不通过）。" if missing else ""
    )
    return unknown + "以下条件无法用部门数据核验：" + "；".join(screening.NOT_CHECKED) + "。"


def _candidates_sheet(ctx: _Context) -> None:
    title = "高新技术企业培育候选（六项条件全部通过）"
    if missing := ctx.wh.missing(*SCREEN_TABLES):
        return ctx.absent(CANDIDATES, title, missing)
    ctx.screened = ctx.result(
        "screened", lambda: screening.candidates_and_near_misses(ctx.wh, ctx.as_of)
    )
    frame = ctx.screened.filter(pl.col("candidate"))
    ctx.table(
        CANDIDATES,
        title,
        contract.for_display(frame, CANDIDATE_COLUMNS),
        f"共 {frame.height} 家。" + _screen_note(ctx),
        SCORE,
    )


def _near_misses_sheet(ctx: _Context) -> None:
    title = "仅差一项条件的企业"
    if missing := ctx.wh.missing(*SCREEN_TABLES):
        return ctx.absent(NEAR_MISSES, title, missing)
    frame = screening.near_misses(ctx.wh, ctx.as_of, screened=ctx.screened).with_columns(
        pl.col("missed_criterion").replace_strict(screening.CRITERIA, return_dtype=pl.String)
    )
    ctx.table(
        NEAR_MISSES,
        title,
        contract.for_display(frame, NEAR_MISS_COLUMNS),
        f"共 {frame.height} 家。" + _screen_note(ctx),
        SCORE,
    )


def _rd_sheets(ctx: _Context) -> None:
    title_towns, title_list = (
        "亿元以上制造业企业研发活动覆盖率（分镇区）",
        "研发活动清零清单（按镇区）",
    )
    if missing := ctx.wh.missing(*metrics.METRIC_BY_ID["rd_coverage"].tables):
        ctx.absent(RD_TOWNS, title_towns, missing)
        return ctx.absent(RD_WORKLIST, title_list, missing)
    rd = ctx.shared.rd_coverage(ctx.wh, ctx.as_of)
    year = f"参考年度 {rd.reference_year} 年；" if rd.reference_year else ""
    towns = rd.by_town().with_columns(pl.col("town").fill_null(NO_TOWN))
    note = (
        f"{year}全部 {rd.n_population} 家，有研发活动 {rd.n_active} 家，覆盖率 "
        f"{fmt.pct(rd.coverage)}。"
    )
    ws = ctx.table(
        RD_TOWNS,
        title_towns,
        contract.for_display(
            towns, ["town", "n_population", "n_active", "coverage_ratio", "n_worklist"]
        ),
        note,
    )
    if towns.height:
        last = TABLE_ROW + towns.height
        chart = ctx.book.add_chart({"type": "column"})
        chart.add_series(
            {
                "name": contract.column_label("n_worklist"),
                "categories": [RD_TOWNS, TABLE_ROW + 1, 0, last, 0],
                "values": [RD_TOWNS, TABLE_ROW + 1, 4, last, 4],
                "fill": {"color": "#C62828"},
                "data_labels": {"value": True},
            }
        )
        chart.set_title({"name": "待清零企业数（分镇区）", "name_font": {"size": 12}})
        chart.set_y_axis(
            {
                "name": "家",
                "num_format": "0",
                "major_gridlines": {"visible": True, "line": {"color": "#E0E0E0"}},
            }
        )
        chart.set_legend({"none": True})
        chart.set_size({"width": 640, "height": 320})
        ws.insert_chart(TABLE_ROW + 1, 6, chart)
    worklist = rd.worklist.with_columns(pl.col("town").fill_null(NO_TOWN))
    note = (
        f"{year}共 {worklist.height} 家尚无研发活动（统计年报研发经费支出与加计扣除研发费用均不"
        "大于0），按镇区排列。"
    )
    ctx.table(RD_WORKLIST, title_list, contract.for_display(worklist, RD_WORKLIST_COLUMNS), note)


def _unvisited_sheet(ctx: _Context) -> None:
    title = f"{ctx.as_of.year}年尚未走访的“一企一策”重点企业"
    frame = ctx.result("unvisited", lambda: worklists.key_enterprises_unvisited(ctx.wh, ctx.as_of))
    if frame is None:
        return ctx.absent(UNVISITED, title, ctx.wh.missing("key_enterprises", "service_visits"))
    frame = frame.rename({"last_visited_on": "last_visited_before_year_on"})
    ctx.table(
        UNVISITED,
        title,
        contract.for_display(frame, UNVISITED_COLUMNS),
        f"共 {frame.height} 家，按镇区排列。",
    )


def _follow_up_sheets(ctx: _Context) -> briefing.FollowUp:
    """The month's recorded contacts by town and the stage funnel (kechuang/worklog/briefing.py)."""
    found = briefing.follow_up(ctx.wh, ctx.as_of)
    month = f"{found.month.year}年{found.month.month}月"
    note = (
        "驾驶舱中记录的联系（更正后的记录计一次）；"
        "与“科小二”走访文件同一天同类别的记录已计入走访数据。"
    )
    ctx.table(FOLLOW_UP_CONTACTS, f"{month}走访、宣传、辅导（分镇区）", found.contacts_table, note)
    ctx.table(FOLLOW_UP_FUNNEL, "培育阶段", found.funnel_table, "未记录阶段的企业计入第一阶段。")
    return found


# -- 封面 ------------------------------------------------------------------------------------------


def _cover(
    ctx: _Context, ws, text: str, generated_at: datetime, contents: list[tuple[str, str]]
) -> None:
    book, plan = ctx.book, ctx.plan
    key = tables.book_format(book, bold=True, valign="top")
    wrap = tables.book_format(book, text_wrap=True, valign="top")
    header = tables.book_format(book, bold=True, bg_color="#F2F2F2", border=1)
    link = tables.book_format(book, font_color="#1565C0", underline=1)
    _print_setup(ws, landscape=False)
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
