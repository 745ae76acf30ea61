"""The Word/PDF briefing (工作简报): what it says, from the functions behind the pages and the
workbook.

One function a format: briefing_docx and briefing_pdf (the .docx converted by LibreOffice), both
behind the 简报导出 page and `kechuang export --out 简报.docx|.pdf`. The content, in the order a
county office reports: the masthead (第N期 is the as-of month), the overall standing, one heading
per action of the plan (一、企业孵化行动…) with its tasks and the 简报文字 of its targets
(summary.compose, the generator of the workbook's cover), the cumulative charts of new HNTEs and
technology contracts; then every target in one table and one chart, 需关注 with the towns dragging
each target and the town ranking (the overview's own computation), the month's contacts by town once
the work records exist, and appendix tables.

Scope: `town` restricts every figure about firms to the town (a scoped warehouse, as the
workbook). Like the overview page with a town chosen, 需关注 is the county's lagging targets with
the town's part in each, and the town ranking shows every town with the chosen one in red; both
need the county warehouse, so for a caller who sees only some towns (a town officer) they cover
those towns and say so.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import polars as pl

from kechuang.charts import briefing as briefing_charts
from kechuang.charts import overview as overview_charts
from kechuang.engine import metrics
from kechuang.engine.metrics import METRIC_BY_ID, Progress
from kechuang.engine.plan import Plan, load_plan
from kechuang.engine.warehouse import Warehouse
from kechuang.models import briefing_tables, overview, timeline
from kechuang.models.towns import town_chart_spec, town_values
from kechuang.output import document, figures, pdf, summary, workbook
from kechuang.output.document import Heading, Image, PageBreak, Paragraph, Table
from kechuang.output.workbook.series import programmes
from kechuang.worklog import briefing as worklog_briefing
from kechuang.zh import fmt
from kechuang.zh.labels import STATUS_LABELS

TITLE = "如东县科技创新“六百创新”工作进展简报"
ISSUER = "如东县科学技术局"
CUMULATIVE = ("new_hnte", "tech_contract_amount")  # charted under the action that holds them
CANDIDATES_SHOWN = 10
TARGET_HEADER = ["指标", "年度目标", "完成", "完成比例", "序时进度", "状态"]
TOWN_TARGET_HEADER = ["指标", "全县年度目标", "完成", "占全县目标", "序时进度", "状态"]
UnknownTown = workbook.UnknownTown


def cn_number(n: int) -> str:
    """1 -> 一, 10 -> 十, 12 -> 十二 (headings 一、二、三…)."""
    digits = "一二三四五六七八九"
    if n < 10:
        return digits[n - 1]
    return ("" if n < 20 else digits[n // 10 - 1]) + "十" + (digits[n % 10 - 1] if n % 10 else "")


def briefing_docx(
    wh: Warehouse,
    as_of: date,
    town: str | None = None,
    *,
    generated_at: datetime | None = None,
    viewer=None,
) -> bytes:
    """The briefing as Word (.docx) bytes for the as-of date and scope. `viewer`: the account it is
    made for (named firms' tax figures as bands where it must; None: the server's operator)."""
    return document.write_docx(compose(wh, as_of, town, generated_at=generated_at, viewer=viewer))


def briefing_pdf(
    wh: Warehouse,
    as_of: date,
    town: str | None = None,
    *,
    generated_at: datetime | None = None,
    viewer=None,
) -> bytes:
    """The same document as PDF (LibreOffice); pdf.Unavailable before any work when it is absent."""
    pdf.require()
    return pdf.docx_to_pdf(briefing_docx(wh, as_of, town, generated_at=generated_at, viewer=viewer))


def write(
    wh: Warehouse, as_of: date, town: str | None, out: Path, *, generated_at=None, viewer=None
) -> bytes:
    """The file its suffix names (.docx, .pdf or .xlsx: the workbook) written to out."""
    suffix = out.suffix.lower()
    if suffix == ".xlsx":
        return workbook.briefing_workbook(
            wh, as_of, town, out, generated_at=generated_at, viewer=viewer
        )
    make = {".docx": briefing_docx, ".pdf": briefing_pdf}[suffix]
    data = make(wh, as_of, town, generated_at=generated_at, viewer=viewer)
    out.write_bytes(data)
    return data


def compose(
    wh: Warehouse,
    as_of: date,
    town: str | None = None,
    *,
    generated_at: datetime | None = None,
    viewer=None,
) -> document.Document:
    """The briefing as blocks for the typesetter, charts rendered (kaleido)."""
    towns = wh.query("towns")["town"].to_list()
    if town is not None and town not in towns:
        raise UnknownTown(
            f"未知镇区：{town}。可选镇区：{'、'.join(towns) or '（登记数据中没有镇区）'}"
        )
    figures.require()  # before any query: no browser, no charts
    generated_at = (generated_at or datetime.now()).replace(microsecond=0)
    scoped = wh if town is None or wh.scope == frozenset({town}) else wh.scoped({town})
    try:
        briefing = _Briefing(wh, scoped, as_of, town, load_plan(as_of.year), viewer)
        return briefing.document(generated_at)
    finally:
        if scoped is not wh:
            scoped.close()


class _Briefing:
    def __init__(
        self, wh: Warehouse, scoped: Warehouse, as_of: date, town, plan: Plan | None, viewer=None
    ):
        self.wh, self.scoped, self.as_of, self.town, self.plan = wh, scoped, as_of, town, plan
        self.viewer = viewer  # the account it is made for (redact), None: the server's operator
        self.town_scope = scoped.scope is not None
        self.scope_label = town or ("、".join(sorted(wh.scope)) if wh.scope else summary.COUNTY)
        self.rows = metrics.progress(scoped, as_of, plan)
        self.county_view = wh.scope is None  # the county's pace and the towns' fair shares
        self.view = overview.overview(wh, as_of, plan, town, self.county_view)
        self.blocks: list = []
        self.charts: list[tuple[Image, object]] = []  # placeholders and their figures
        self.n_tables = 0

    def compose_text(self, rows: list[Progress]) -> list[str]:
        return summary.compose(
            rows, self.as_of, self.plan, self.scope_label, town_scope=self.town_scope
        ).split("\n")

    def chart(self, fig, what: str) -> None:
        image = Image(b"", f"图{len(self.charts) + 1}　{what}")
        self.charts.append((image, fig))
        self.blocks.append(image)

    def table(self, caption: str, header, rows, widths, **kw) -> None:
        self.n_tables += 1
        self.blocks.append(Table(caption, header, rows, widths, **kw))

    def document(self, generated_at: datetime) -> document.Document:
        lead = self.compose_text(self.rows)[1:]
        if lead:
            self.blocks.append(Paragraph("".join(lead), lead="总体情况："))
        sections = programmes(self.plan)
        for n, (action, ids) in enumerate(sections, start=1):
            self.action(n, action, ids)
        n = len(sections)
        self.targets(n + 1)
        self.attention(n + 2)
        contacts = briefing_tables.month_contacts(self.scoped, self.as_of)
        if contacts is not None:
            self.work(n + 3, contacts)
        self.appendix()
        for (image, _), png in zip(
            self.charts, figures.png([fig for _, fig in self.charts]), strict=True
        ):
            image.png = png
        stamp = f"{fmt.cn_date(generated_at.date())} {generated_at:%H:%M}"
        return document.Document(
            title=TITLE,
            issue=f"第{self.as_of.month}期",
            issuer=ISSUER,
            dated=f"数据截至{fmt.cn_date(self.as_of)}",
            scope=f"（{self.scope_label}）" if self.town_scope else "",
            blocks=self.blocks,
            footer=f"数据来源：如东科创驾驶舱（部门数据，见文末）　生成时间：{stamp}",
            generated_at=generated_at,
        )

    # -- one heading per action of the plan --------------------------------------------------------

    def action(self, n: int, action: str, ids: list[str]) -> None:
        self.blocks.append(Heading(f"{cn_number(n)}、{action}"))
        if self.plan is not None:
            tasks = [t.task for t in self.plan.tasks if t.action == action]
            if tasks:
                self.blocks.append(Paragraph("".join(tasks), lead="目标任务："))
        mine = [p for p in self.rows if p.id in ids]
        for text in self.compose_text(mine):
            self.blocks.append(Paragraph(text))
        for metric_id in (i for i in CUMULATIVE if i in ids):
            m = METRIC_BY_ID[metric_id]
            cum = timeline.cumulative(self.scoped, metric_id, self.as_of, self.plan)
            if cum is None:
                self.blocks.append(Paragraph(f"{m.label}：缺少数据，无累计曲线。"))
                continue
            title = f"{m.label}：{self.scope_label}累计完成"
            self.chart(
                overview_charts.cumulative_chart(
                    cum.series, title, m.unit, cum.last_year, target_line=True
                ),
                f"{m.label}逐月累计" + ("与序时进度" if not self.town_scope else ""),
            )

    # -- every target ------------------------------------------------------------------------------

    def targets(self, n: int) -> None:
        self.blocks.append(Heading(f"{cn_number(n)}、目标完成情况"))
        share = metrics.elapsed_share(self.as_of)
        # A town's share of a county target is a contribution, not a pace: count what is judged.
        judged = [p for p in self.rows if metrics.judged_in_scope(p.id, self.town_scope)]
        self.blocks.append(
            Paragraph(
                f"截至{fmt.cn_date(self.as_of)}，全年时间进度{fmt.pct(float(share))}。"
                + ("全县统筹及比率指标中，" if self.town_scope else "")
                + overview.standing_text(judged)
                + "。"
            )
        )
        rows, marks, frame = [], [], []
        for p in self.rows:
            judged = metrics.judged_in_scope(p.id, self.town_scope) and p.target is not None
            pace = p.expected / p.target if judged and p.expected is not None else None
            status = _status(p, judged)
            rows.append(
                [
                    p.label,
                    fmt.amount(p.target, p.unit),
                    fmt.amount(p.actual, p.unit),
                    fmt.pct(p.share_of_target),
                    fmt.pct(pace),
                    status,
                ]
            )
            marks.append(p.status if judged and p.status in ("behind", "at_risk") else None)
            frame.append((p.label, p.share_of_target, pace, p.status if judged else None))
        note = (
            "注：序时进度为应完成数占年度目标的比例；比率指标直接与目标比较。"
            "红底为滞后，黄底为预警。"
        )
        if self.town_scope:
            note += f"{self.scope_label}的数据为其对全县年度目标的贡献，不单独作序时判断。"
        header = TOWN_TARGET_HEADER if self.town_scope else TARGET_HEADER
        self.table(
            f"表{self.n_tables + 1}　“六百创新”目标完成情况",
            header,
            rows,
            [4.6, 2.5, 2.5, 1.9, 1.9, 2.2],
            align="lrrrrc",
            marks=marks,
            mark_column=5,
            note=note,
        )
        chart_frame = pl.DataFrame(
            frame,
            schema={
                "label": pl.String,
                "share": pl.Float64,
                "pace": pl.Float64,
                "status": pl.String,
            },
            orient="row",
        )
        words = "占全县年度目标比例" if self.town_scope else "完成年度目标比例与序时进度"
        title = f"{self.scope_label}各项目标{words}"
        self.chart(briefing_charts.target_progress_chart(chart_frame, title), f"各项目标{words}")

    # -- 需关注 and the town ranking ---------------------------------------------------------

    def attention(self, n: int) -> None:
        self.blocks.append(Heading(f"{cn_number(n)}、需关注事项"))
        if self.county_view:
            self.blocks.append(
                Paragraph(
                    "全县"
                    + overview.standing_text(self.view.county_rows)
                    + (
                        f"；下列各项附{self.town}的完成情况（按企业数占比折算序时应完成）"
                        if self.town
                        else ""
                    )
                    + "。"
                )
            )
            for a in self.view.alerts:
                self.blocks.append(
                    Paragraph(
                        f"{a.summary}。{a.towns}。",
                        lead=f"【{STATUS_LABELS[a.status]}】{a.label}：",
                    )
                )
            if not self.view.alerts and any(p.status for p in self.view.county_rows):
                self.blocks.append(Paragraph("有量化目标的指标均达到序时进度。"))
        else:
            self.blocks.append(
                Paragraph(
                    f"本简报只含{self.scope_label}的数据，全县序时进度与各镇区对比不在其内；"
                    "如需请向县科技局索取全县简报。"
                )
            )
        # As 总览's 需关注 (and 跟踪台账 for a town): the towns whose lists nobody worked for 30
        # days, the same count; self.wh: the county, or a town officer's own towns.
        untouched = worklog_briefing.untouched_text(self.wh, self.as_of)
        if untouched:
            self.blocks.append(Paragraph(f"{untouched}。", lead="【工作记录】"))
        metric_id = self.ranked_metric()
        values = None if metric_id is None else town_values(self.view.town_table, metric_id)
        if values is None or values.height < 2:  # one town (a town officer's) is not a ranking
            return
        title, unit = town_chart_spec(metric_id)
        self.chart(
            overview_charts.town_chart(values, title, unit, highlight=self.town),
            title.replace("各镇区", "各镇区排名：")
            + (f"（{self.town}以红色标出）" if self.town else ""),
        )

    def ranked_metric(self) -> str | None:
        """As the overview: the first target needing attention, else the first with a town split."""
        first = [a.id for a in self.view.alerts] + [m.id for m in metrics.METRICS]
        table = self.view.town_table
        return next((i for i in first if town_values(table, i) is not None), None)

    def work(self, n: int, contacts: pl.DataFrame) -> None:
        self.blocks.append(Heading(f"{cn_number(n)}、本月工作情况"))
        self.blocks.append(
            Paragraph(f"{fmt.cn_month(self.as_of)}各镇区走访、宣传、辅导企业情况如下。")
        )
        self.n_tables += 1
        caption = f"表{self.n_tables}　本月工作情况（分镇区）"
        self.blocks.append(briefing_tables.work(contacts, caption))

    # -- appendix ----------------------------------------------------------------------------------

    def appendix(self) -> None:
        self.blocks.append(PageBreak())
        self.blocks.append(
            briefing_tables.candidates(self.scoped, self.as_of, CANDIDATES_SHOWN, self.viewer)
        )
        self.blocks.append(briefing_tables.rd_worklist(self.scoped, self.as_of))
        self.blocks.append(briefing_tables.sources(self.scoped))


def _status(p: Progress, judged: bool) -> str:
    if p.target is None:
        return "跟踪指标"
    return STATUS_LABELS[p.status] if judged else "镇区贡献"
