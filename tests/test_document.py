"""The Word/PDF briefing: headings, the target table against `progress --json` and the workbook,
charts, fonts, town scope, the PDF's text, the CLI (suffixes, audit, LibreOffice missing), the page.

kaleido and LibreOffice are slow (seconds each): the real documents are built once per module; tests
that only check wording or layout of other parts replace the PNG rendering by a fixed image.
"""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import threading
from datetime import date, datetime

import docx
import openpyxl
import plotly.graph_objects as go
import polars as pl
import pytest
from docx.oxml.ns import qn
from fixtures import AS_OF
from test_export import TOWN, make_data

from kechuang import cli
from kechuang.access import audit
from kechuang.charts import briefing as briefing_charts
from kechuang.engine import metrics
from kechuang.engine.plan import load_plan
from kechuang.engine.warehouse import Warehouse
from kechuang.models import attention, briefing
from kechuang.output import document, figures, pdf
from kechuang.output import workbook as export
from kechuang.output.workbook.series import programmes
from kechuang.output.workbook.sheet import TABLE_ROW
from kechuang.worklog import rules
from kechuang.zh import fmt

GENERATED = datetime(2026, 11, 2, 9, 30)
ACTIONS = [
    "企业孵化行动",
    "研发筑基行动",
    "校企对接行动",
    "成果转化行动",
    "服务提质行动",
    "专员对接行动",
]
HEADINGS = [f"{n}、{a}" for n, a in zip("一二三四五六", ACTIONS, strict=True)] + [
    "七、目标完成情况",
    "八、需关注事项",
    "九、本月工作情况",  # the work records (kechuang/worklog); none in this fixture
]
# The fixture's county table, worked out by hand (test_export.make_data): 2 new HNTEs of 50;
# contracts 1,234.5 + 500 万元 of 100 亿元; 1 of 3 large manufacturers with R&D; 1 key enterprise
# visited; 90 commissioners. 序时进度 = 304/365 = 83.3%; 80% of it is the 预警 line.
COUNTY_TABLE = [
    ["指标", "年度目标", "完成", "完成比例", "序时进度", "状态"],
    ["高成长型科创项目落地", "50 个", "—", "—", "83.3%", "—"],
    ["新增高新技术企业", "50 家", "2 家", "4.0%", "83.3%", "滞后"],
    ["瞪羚、独角兽定制化培育", "10 家", "—", "—", "83.3%", "—"],
    ["亿元以上制造业企业研发活动覆盖率", "100.0%", "33.3%", "33.3%", "100.0%", "滞后"],
    ["产学研合作项目备案登记", "100 项", "—", "—", "83.3%", "—"],
    ["技术合同认定登记额", "100.00 亿元", "0.17 亿元", "0.2%", "83.3%", "滞后"],
    ["重点企业“一企一策”服务", "100 家", "1 家", "1.0%", "83.3%", "滞后"],
    ["科创专员", "100 名", "90 名", "90.0%", "83.3%", "达标进度"],
    ["中小企业专项培训", "3 场", "—", "—", "83.3%", "—"],
    ["专项培训覆盖企业", "300 家次", "—", "—", "83.3%", "—"],
    ["科技创新专题培训（干部）", "1 场", "—", "—", "83.3%", "—"],
    ["校企共建新型研发机构/产业联盟", "—", "—", "—", "—", "跟踪指标"],
]
OTHER_TOWNS_FIRMS = [
    "如东测试1号科技有限公司",
    "如东测试3号科技有限公司",
    "如东测试4号科技有限公司",
]


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    return make_data(tmp_path_factory.mktemp("document") / "data")


@pytest.fixture(scope="module")
def county(data):
    """The county's briefing, charts and all, as python-docx reads it back."""
    payload = briefing.briefing_docx(Warehouse(data), AS_OF, generated_at=GENERATED)
    return docx.Document(io.BytesIO(payload))


@pytest.fixture(scope="module")
def officer(data, tmp_path_factory, demo_users_file):
    """`export --out x.docx --as-user changsha`: the town officer's briefing, with its audit."""
    folder = tmp_path_factory.mktemp("officer")
    shutil.copy(demo_users_file, folder / "state.db")  # the demo accounts (state database)
    out = folder / "长沙镇简报.docx"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("KECHUANG_USERS", str(folder / "users.json"))
        mp.setenv("KECHUANG_AUDIT", str(folder / "audit.jsonl"))
        argv = ["export", "--out", str(out), "--as-of", "2026-10-31", "--data", str(data)]
        rc = cli.main([*argv, "--as-user", "changsha"])
        log = audit.read(path=folder / "audit.jsonl")
    return rc, docx.Document(str(out)), log


@pytest.fixture(scope="module")
def county_pdf(data, tmp_path_factory):
    """`export --out 简报.pdf` for the county, and its text as pdftotext reads it."""
    folder = tmp_path_factory.mktemp("pdf")
    out = folder / "简报.pdf"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("KECHUANG_AUDIT", str(folder / "audit.jsonl"))
        argv = ["export", "--out", str(out), "--as-of", "2026-10-31", "--data", str(data)]
        rc = cli.main(argv)
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True).stdout
    info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True).stdout
    return rc, text, info


@pytest.fixture
def quick_charts(monkeypatch):
    """Charts as a fixed PNG: for tests about the words and tables, not the pictures."""
    png = _tiny_png()
    monkeypatch.setattr(figures, "png", lambda figs: [png] * len(figs))


def _tiny_png() -> bytes:
    import struct
    import zlib

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\xff\xff")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def _table(table) -> list[list[str]]:
    return [[c.text for c in row.cells] for row in table.rows]


def _texts(doc) -> str:
    """Every text of the document: paragraphs, table cells, footer."""
    parts = [p.text for p in doc.paragraphs]
    parts += [c.text for t in doc.tables for row in t.rows for c in row.cells]
    parts += [p.text for s in doc.sections for p in s.footer.paragraphs]
    return "\n".join(parts)


def _after(doc, heading: str) -> list[str]:
    """The body paragraphs between a heading and the next one."""
    texts, inside = [], False
    for p in doc.paragraphs:
        if p.text.startswith("附表"):  # the appendix after the last heading
            break
        if p.style.name == "Heading 1":
            inside = p.text == heading
        elif inside and p.text.strip() and p.style.name != "Caption":
            texts.append(p.text)
    return texts


# -- the county document ------------------------------------------------------------------------


def test_masthead_headings_and_footer(county):
    lines = [p.text for p in county.paragraphs if p.text.strip()]
    assert lines[:3] == [
        "如东县科技创新“六百创新”工作进展简报",
        "第10期",
        "如东县科学技术局\t数据截至2026年10月31日",
    ]
    assert [p.text for p in county.paragraphs if p.style.name == "Heading 1"] == HEADINGS
    footer = [p.text for p in county.sections[0].footer.paragraphs]
    assert (
        footer[0] == "数据来源：如东科创驾驶舱（部门数据，见文末）　生成时间：2026年11月2日 09:30"
    )
    assert footer[1] == "— 1 —"  # the PAGE field's placeholder between dashes
    assert (
        'w:instrText xml:space="preserve"> PAGE </w:instrText>'
        in county.sections[0].footer._element.xml
    )
    section = county.sections[0]
    assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21.0, 29.7)
    assert lines[-1].startswith("数据来源：市场主体登记、")


def test_each_action_carries_its_text_from_the_summary_generator(county, data):
    from kechuang.output import summary

    rows = metrics.progress(Warehouse(data), AS_OF, load_plan(2026))
    for action, ids in programmes(load_plan(2026)):
        heading = HEADINGS[ACTIONS.index(action)]
        mine = [p for p in rows if p.id in ids]
        expected = summary.compose(mine, AS_OF, load_plan(2026)).split("\n")
        assert _after(county, heading)[1:] == expected, action
    assert _after(county, "一、企业孵化行动")[0].startswith(
        "目标任务：新增 50 个高成长型科创项目落地"
    )
    first = next(p for p in county.paragraphs if p.text.startswith("总体情况："))
    assert first.text == "总体情况：" + summary.compose(rows, AS_OF, load_plan(2026)).split("\n")[1]


def test_target_table_equals_progress_json_and_workbook(county, data, capsys):
    table = _table(county.tables[0])
    assert table == COUNTY_TABLE
    argv = ["progress", "--json", "--as-of", "2026-10-31", "--data", str(data)]
    assert cli.main(argv) == 0
    shown = json.loads(capsys.readouterr().out)["metrics"]
    labels = {None: "—", "on_track": "达标进度", "at_risk": "预警", "behind": "滞后"}
    for row, m in zip(table[1:], shown, strict=True):
        pace = m["expected_by_now"] / m["target"] if m["target"] else None
        status = "跟踪指标" if m["target"] is None else labels[m["status"]]
        assert row == [
            m["label"],
            fmt.amount(m["target"], m["unit"]),
            fmt.amount(m["actual"], m["unit"]),
            fmt.pct(m["share_of_target"]),
            fmt.pct(pace),
            status,
        ]
    book = openpyxl.load_workbook(
        io.BytesIO(export.briefing_workbook(Warehouse(data), AS_OF, generated_at=GENERATED))
    )
    sheet = list(book["目标进度"].iter_rows(min_row=TABLE_ROW + 2, values_only=True))
    for row, cells, m in zip(table[1:], sheet, shown, strict=True):
        assert (cells[1], cells[10]) == (row[0], row[5])
        # the workbook holds figures as shown: 亿元 for 万元 metrics (fmt.shown_scale)
        scale = fmt.shown_scale(m["unit"])
        assert fmt.amount(None if cells[4] is None else cells[4] * scale, m["unit"]) == row[2]
        assert fmt.amount(None if cells[5] is None else cells[5] * scale, m["unit"]) == row[1]


def test_lagging_rows_are_marked(county):
    rows = county.tables[0].rows[1:]
    for row in rows:
        fills = {s.get(qn("w:fill")) for c in row.cells for s in c._tc.iter(qn("w:shd"))}
        status = row.cells[5].text
        expected = {"滞后": {"FDE2E1"}, "预警": {"FFF1D6"}}.get(status, set())
        assert fills == expected, row.cells[0].text
        bold = any(r.font.bold for r in row.cells[5].paragraphs[0].runs)
        assert bold == (status in ("滞后", "预警"))


def test_attention_names_the_towns_dragging_each_target(county, data):
    alerts = attention.attention(Warehouse(data), AS_OF, load_plan(2026))
    texts = _after(county, "八、需关注事项")
    assert texts[0] == "全县5 项有量化目标：达标进度 1 项，预警 0 项，滞后 4 项。"
    assert texts[1:-1] == [f"【滞后】{a.label}：{a.summary}。{a.towns}。" for a in alerts]
    # no work recorded: both towns' lists untouched, as 总览 says (test_untouched_agreement)
    assert texts[-1] == (
        f"【工作记录】截至{fmt.cn_date(rules.today())}，2 个镇区的清单近30天无人跟进"
        "（清单上的企业均无走访、阶段或责任人记录）：掘港街道、长沙镇。"
    )
    assert texts[1] == (
        "【滞后】新增高新技术企业：完成 2 家，序时应完成 42 家，差 40 家，完成年度目标 4.0%。"
        "拖后：掘港街道（差 24 家）、长沙镇（差 16 家）。"
    )


def test_four_charts_as_images_with_captions(county):
    blobs = [s._inline.graphic.graphicData.pic.blipFill.blip.embed for s in county.inline_shapes]
    assert len(county.inline_shapes) == 4 and len(set(blobs)) == 4
    captions = [p.text for p in county.paragraphs if p.text.startswith("图")]
    assert captions == [
        "图1　新增高新技术企业逐月累计与序时进度",
        "图2　技术合同认定登记额逐月累计与序时进度",
        "图3　各项目标完成年度目标比例与序时进度",
        "图4　各镇区排名：新增高新技术企业",
    ]
    for shape in county.inline_shapes:
        part = county.part.related_parts[shape._inline.graphic.graphicData.pic.blipFill.blip.embed]
        assert part.blob[:8] == b"\x89PNG\r\n\x1a\n"
        width = int.from_bytes(part.blob[16:20], "big")
        assert width == figures.WIDTH_PX * figures.SCALE  # rendered by kaleido, not a placeholder


def test_fonts_are_named_for_east_asian_text(county):
    def east_asia(element) -> str | None:
        fonts = element.find(qn("w:rPr")).find(qn("w:rFonts"))
        assert fonts.get(qn("w:asciiTheme")) is None and fonts.get(qn("w:eastAsiaTheme")) is None
        return fonts.get(qn("w:eastAsia"))

    styles = county.styles
    assert east_asia(styles["Normal"].element) == "仿宋"
    assert east_asia(styles["Heading 1"].element) == "黑体"
    assert east_asia(styles["Heading 2"].element) == "楷体"
    assert styles["Normal"].font.size.pt == 16 and styles["Heading 1"].font.size.pt == 16
    title = county.paragraphs[0].runs[0]
    assert east_asia(title._r) == "方正小标宋简体" and title.font.size.pt == 22
    assert str(title.font.color.rgb) == "C00000"
    header_cell = county.tables[0].rows[0].cells[0].paragraphs[0].runs[0]
    assert east_asia(header_cell._r) == "黑体"
    body_cell = county.tables[0].rows[1].cells[0].paragraphs[0].runs[0]
    assert east_asia(body_cell._r) == "仿宋"


def test_appendix_tables(county):
    candidates, worklist = _table(county.tables[2]), _table(county.tables[3])
    assert candidates == [
        ["序号", "企业名称", "镇区", "营业收入（万元）", "研发强度", "有效知识产权", "评分"],
        ["1", "如东测试4号科技有限公司", "掘港街道", "1,200.0", "6.3%", "1", "81.0"],
    ]
    assert worklist == [
        ["镇区", "企业数", "有研发活动", "覆盖率", "待清零", "待清零企业名单"],
        ["掘港街道", "2", "1", "50.0%", "1", "如东测试3号科技有限公司"],
        ["长沙镇", "1", "0", "0.0%", "1", "如东测试2号科技有限公司"],
    ]
    captions = [p.text for p in county.paragraphs if p.text.startswith("附表")]
    assert captions == [
        "附表1　高新技术企业培育候选（评分前10家）",
        "附表2　亿元以上制造业企业研发活动清零清单（按镇区）",
    ]


def test_the_work_section_says_what_was_recorded_this_month(county):
    # kechuang.worklog offers month_contacts_by_town: nothing recorded in October in this fixture.
    assert _table(county.tables[1]) == [
        ["镇区", "走访", "宣传", "辅导", "合计（次）", "覆盖企业（家）"],
        ["合计", "0", "0", "0", "0", "0"],
    ]


# -- PDF ----------------------------------------------------------------------------------------


def test_pdf_has_the_title_and_every_target(county_pdf):
    rc, text, info = county_pdf
    assert rc == 0
    flat = re.sub(r"\s+", "", text)
    assert "如东县科技创新“六百创新”工作进展简报" in flat and "第10期" in flat
    assert "数据截至2026年10月31日" in flat
    for m in metrics.METRICS:
        assert m.label in flat, m.label
    assert "—2—" in flat  # page numbers
    assert "A4" in info and "Pages:" in info


def test_cli_pdf_without_libreoffice_exits_2_with_what_to_install(
    data, tmp_path, monkeypatch, capsys
):
    monkeypatch.setenv("PATH", str(tmp_path))  # no soffice on it
    out = tmp_path / "简报.pdf"
    assert cli.main(["export", "--out", str(out), "--data", str(data)]) == 2
    err = capsys.readouterr().err.strip()
    assert err == f"错误：{pdf.INSTALL}" and len(err.splitlines()) == 1
    assert "libreoffice-writer-nogui" in err and not out.exists()


def test_cli_word_without_a_browser_exits_2_with_what_to_install(
    data, tmp_path, monkeypatch, capsys
):
    monkeypatch.setattr(figures, "browser", lambda: None)
    out = tmp_path / "简报.docx"
    assert cli.main(["export", "--out", str(out), "--data", str(data)]) == 2
    err = capsys.readouterr().err.strip()
    assert err == f"错误：{figures.INSTALL}" and not out.exists()


def test_cli_refuses_other_suffixes(data, tmp_path, capsys):
    assert cli.main(["export", "--out", str(tmp_path / "简报.doc"), "--data", str(data)]) == 2
    assert "应以 .docx、.pdf 或 .xlsx 结尾" in capsys.readouterr().err


def test_parallel_conversions_do_not_clash():
    word = docx.Document()
    word.add_paragraph("并行转换")
    buffer = io.BytesIO()
    word.save(buffer)
    results: list[bytes] = []
    workers = [
        threading.Thread(target=lambda: results.append(pdf.docx_to_pdf(buffer.getvalue())))
        for _ in range(2)
    ]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert len(results) == 2 and all(r.startswith(b"%PDF") for r in results)


# -- town scope ---------------------------------------------------------------------------------


def test_town_officer_briefing_holds_only_their_town(officer):
    rc, doc, log = officer
    assert rc == 0
    text = _texts(doc)
    for name in OTHER_TOWNS_FIRMS:
        assert name not in text
    assert "掘港街道" not in text
    assert "如东测试2号科技有限公司" in text  # the town's own firm on the 清零 list
    assert [p.text for p in doc.paragraphs[:3]] == [
        "如东县科技创新“六百创新”工作进展简报",
        "第10期",
        "（长沙镇）",
    ]
    assert _after(doc, "八、需关注事项")[0].startswith("本简报只含长沙镇的数据")
    assert len(doc.inline_shapes) == 3  # no ranking of one town
    rows = log.filter(pl.col("action") == "export").to_dicts()
    assert [(r["user_name"], r["detail"], r["scope"]) for r in rows] == [
        ("changsha", "长沙镇简报.docx", "长沙镇")
    ]


def test_town_briefing_equals_the_town_workbook(data, quick_charts):
    wh = Warehouse(data)
    doc = docx.Document(io.BytesIO(briefing.briefing_docx(wh, AS_OF, TOWN)))
    table = _table(doc.tables[0])
    assert table[0] == ["指标", "全县年度目标", "完成", "占全县目标", "序时进度", "状态"]
    by_label = {r[0]: r for r in table[1:]}
    assert by_label["新增高新技术企业"] == [
        "新增高新技术企业",
        "50 家",
        "1 家",
        "2.0%",
        "—",
        "镇区贡献",
    ]
    assert by_label["科创专员"] == ["科创专员", "100 名", "90 名", "90.0%", "83.3%", "达标进度"]
    book = openpyxl.load_workbook(io.BytesIO(export.briefing_workbook(wh, AS_OF, TOWN)))
    for cells in book["目标进度"].iter_rows(min_row=TABLE_ROW + 2, values_only=True):
        unit = metrics.METRIC_BY_ID[next(m.id for m in metrics.METRICS if m.label == cells[1])].unit
        scale = fmt.shown_scale(unit)  # the workbook holds 亿元 for 万元 metrics
        assert by_label[cells[1]][2] == fmt.amount(
            None if cells[4] is None else cells[4] * scale, unit
        )
    text = _texts(doc)
    for name in OTHER_TOWNS_FIRMS:
        assert name not in text
    towns_line = _after(doc, "八、需关注事项")[1]
    assert towns_line.endswith("长沙镇：完成 1 家，按企业数占比应完成 17 家，差 16 家。")


def test_unknown_town_is_refused(data):
    with pytest.raises(briefing.UnknownTown, match="未知镇区：火星镇"):
        briefing.briefing_docx(Warehouse(data), AS_OF, "火星镇")


def test_month_contacts_hook_adds_the_section(data, quick_charts, monkeypatch):
    import sys
    import types

    worklog = types.ModuleType("kechuang.worklog")
    worklog.month_contacts_by_town = lambda wh, as_of: pl.DataFrame(
        {"镇区": ["长沙镇"], "走访": [3], "宣传": [1], "辅导": [0], "合计": [4]}
    )
    monkeypatch.setitem(sys.modules, "kechuang.worklog", worklog)
    doc = docx.Document(io.BytesIO(briefing.briefing_docx(Warehouse(data), AS_OF)))
    assert [p.text for p in doc.paragraphs if p.style.name == "Heading 1"][-1] == "九、本月工作情况"
    assert _table(doc.tables[1]) == [
        ["镇区", "走访", "宣传", "辅导", "合计"],
        ["长沙镇", "3", "1", "0", "4"],
    ]


# -- pieces -------------------------------------------------------------------------------------


def test_cn_number():
    assert [briefing.cn_number(n) for n in (1, 6, 9, 10, 11, 19, 20, 23)] == [
        "一",
        "六",
        "九",
        "十",
        "十一",
        "十九",
        "二十",
        "二十三",
    ]


def test_target_progress_chart():
    frame = pl.DataFrame(
        {
            "label": ["甲", "乙", "丙", "丁"],
            "share": [0.9, 0.5, None, 0.2],
            "pace": [0.8, 0.8, 0.8, None],
            "status": ["on_track", "behind", None, None],
        }
    )
    fig = briefing_charts.target_progress_chart(frame, "各项目标")
    bars = [t for t in fig.data if isinstance(t, go.Bar)]
    assert [(t.name, list(t.y), list(t.x)) for t in bars] == [
        ("达到序时进度", ["甲"], [90.0]),
        ("滞后", ["乙"], [50.0]),
        ("完成比例", ["丁"], [20.0]),
    ]
    assert [t.marker.color for t in bars] == ["#2e7d32", "#c62828", "#1565c0"]
    pace = fig.data[-1]
    assert pace.name == "序时进度" and list(pace.y) == ["甲", "乙"] and list(pace.x) == [80.0, 80.0]
    assert list(fig.layout.yaxis.categoryarray) == ["丁", "乙", "甲"]  # plan order, first on top


def test_document_typesetter_marks_and_widths():
    doc = document.Document(
        title="标题",
        issue="第1期",
        issuer="单位",
        dated="数据截至2026年1月1日",
        blocks=[
            document.Table(
                "表1",
                ["甲", "乙"],
                [["a", "b"], ["c", "d"]],
                [3.0, 4.0],
                marks=[None, "behind"],
                mark_column=1,
            )
        ],
        footer="页脚",
    )
    word = docx.Document(io.BytesIO(document.write_docx(doc)))
    table = word.tables[0]
    assert [round(c.width.cm, 1) for c in table.columns] == [3.0, 4.0]
    assert table.rows[2].cells[1].paragraphs[0].runs[0].font.bold
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None  # repeated on each page


# -- the 简报导出 page --------------------------------------------------------------------------


def test_page_builds_the_word_briefing_on_click(data, monkeypatch, quick_charts):
    from test_export import _briefing_page

    at = _briefing_page(data, monkeypatch, as_of="2026-10-31")
    labels = [b.label for b in at.button if b.key and b.key.startswith("make_briefing")]
    assert labels == ["生成简报", "生成 Word 简报", "生成 PDF 简报"]
    assert len(at.download_button) == 0  # nothing built before the click
    at.button(key="make_briefing_docx").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.download_button(key="briefing_docx").label == "下载 Word 简报"
    made = docx.Document(io.BytesIO(at.session_state["briefing_docx_file"][1]))
    assert _table(made.tables[0]) == COUNTY_TABLE


def test_page_pdf_button_says_what_to_install_without_libreoffice(data, monkeypatch, tmp_path):
    from test_export import _briefing_page

    monkeypatch.setenv("PATH", str(tmp_path))
    at = _briefing_page(data, monkeypatch, as_of="2026-10-31")
    assert at.button(key="make_briefing_pdf").disabled
    assert any(c.value == pdf.INSTALL for c in at.caption)


# The schema's child order (ECMA-376) of the properties this module writes: Word refuses a file
# whose children are out of order, where LibreOffice forgives it.
SCHEMA_ORDER = {
    "pPr": "pStyle keepNext keepLines pageBreakBefore framePr widowControl numPr "
    "suppressLineNumbers pBdr shd tabs suppressAutoHyphens kinsoku wordWrap overflowPunct "
    "topLinePunct autoSpaceDE autoSpaceDN bidi adjustRightInd snapToGrid spacing ind "
    "contextualSpacing mirrorIndents suppressOverlap jc textDirection textAlignment "
    "textboxTightWrap outlineLvl divId cnfStyle rPr sectPr pPrChange",
    "rPr": "rStyle rFonts b bCs i iCs caps smallCaps strike dstrike outline shadow emboss imprint "
    "noProof snapToGrid vanish webHidden color spacing w kern position sz szCs highlight u effect "
    "bdr shd fitText vertAlign rtl cs em lang eastAsianLayout specVanish oMath",
    "tblPr": "tblStyle tblpPr tblOverlap bidiVisual tblStyleRowBandSize tblStyleColBandSize tblW "
    "jc tblCellSpacing tblInd tblBorders shd tblLayout tblCellMar tblLook tblCaption "
    "tblDescription tblPrChange",
    "tcPr": "cnfStyle tcW gridSpan hMerge vMerge tcBorders shd noWrap tcMar textDirection "
    "tcFitText vAlign hideMark headers cellIns cellDel cellMerge tcPrChange",
}


def test_properties_follow_the_schema_order(county):
    parts = [county.element, county.styles.element, county.sections[0].footer._element]
    for name, order in SCHEMA_ORDER.items():
        rank = {f"{{{qn('w:p').split('}')[0][1:]}}}{tag}": i for i, tag in enumerate(order.split())}
        for part in parts:
            for props in part.iter(qn(f"w:{name}")):
                seen = [rank[c.tag] for c in props if c.tag in rank]
                assert seen == sorted(seen), (name, [c.tag.split("}")[1] for c in props])


def test_a_failed_render_is_said_in_one_line(monkeypatch):
    async def broken(figs, path):
        raise RuntimeError("Chromium went away\nTraceback …")

    monkeypatch.setattr(figures, "_render", broken)
    with pytest.raises(
        figures.Failed, match=r"^简报图表绘制失败（Chromium .*）：Chromium went away$"
    ):
        figures.png([go.Figure()])


def test_kaleidos_context_race_is_rendered_again_once(monkeypatch):
    calls, failures = [], [1]  # the first render fails

    async def racing(figs, path):
        calls.append(path)
        if len(calls) in failures:
            raise RuntimeError("{'description': 'ReferenceError: kaleido_scopes is not defined'}")
        return [b"png"]

    monkeypatch.setattr(figures, "_render", racing)
    assert figures.png([go.Figure()]) == [b"png"] and len(calls) == 2
    calls.clear()
    failures[:] = [1, 2]  # twice in a row: said in one line, not tried again and again
    with pytest.raises(figures.Failed, match=r"：\{'description': 'ReferenceError: kaleido_scopes"):
        figures.png([go.Figure()])
    assert len(calls) == 2


def test_a_year_without_plan_file(data, quick_charts):
    doc = docx.Document(io.BytesIO(briefing.briefing_docx(Warehouse(data), date(2025, 12, 31))))
    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert headings == ["一、月度进展", "二、目标完成情况", "三、需关注事项", "四、本月工作情况"]
    assert doc.paragraphs[1].text == "第12期"
    assert _after(doc, "一、月度进展")[-1] == "2025年尚无计划文件，未设年度目标，以上仅列完成数。"
    assert {row[1] for row in _table(doc.tables[0])[1:]} == {"—"}  # no targets


def test_a_name_with_control_characters_is_written_not_refused():
    """A firm or town name with a vertical tab (pasted from Word) or \\x01 (a stray byte of an
    export) in a heading, paragraph, table cell or caption: the document is written, the character
    shown as a space (python-docx refuses XML-incompatible text and would lose the whole file)."""
    name = "如东\x0b测试\x01科技有限公司"
    shown = "如东 测试 科技有限公司"
    made = document.write_docx(
        document.Document(
            title="标题",
            issue="第10期",
            issuer="如东县科学技术局",
            dated="数据截至2026年10月31日",
            blocks=[
                document.Heading(f"一、{name}"),
                document.Paragraph(f"{name}。", lead="【滞后】"),
                document.Table(f"表1　{name}", ["企业名称"], [[name]], [5.0]),
            ],
            footer="数据来源",
        )
    )
    word = docx.Document(io.BytesIO(made))
    texts = [p.text for p in word.paragraphs]
    assert f"一、{shown}" in texts and f"【滞后】{shown}。" in texts and f"表1　{shown}" in texts
    assert word.tables[0].rows[1].cells[0].text == shown
