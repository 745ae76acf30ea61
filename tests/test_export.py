"""The briefing workbook: sheets, headers, engine values, native charts, town scope, absent data,
CLI."""

from __future__ import annotations

import io
from datetime import date, datetime

import openpyxl
import pytest
from fixtures import AS_OF, firm, uscc, write_warehouse

from kechuang import cli
from kechuang.engine import metrics, screening, worklists
from kechuang.engine.plan import load_plan
from kechuang.engine.warehouse import Warehouse
from kechuang.output import workbook as export
from kechuang.output.workbook.progress import PROGRESS_HEADER
from kechuang.output.workbook.sheet import TABLE_ROW
from kechuang.zh import fmt

GENERATED = datetime(2026, 11, 2, 9, 30)
TOWN = "长沙镇"
PROGRAMMES = [
    "企业孵化行动",
    "研发筑基行动",
    "校企对接行动",
    "成果转化行动",
    "服务提质行动",
    "专员对接行动",
]
SHEETS = [
    "封面",
    "目标进度",
    *PROGRAMMES,
    "高企候选",
    "差一项企业",
    "研发清零分镇区",
    "研发清零清单",
    "重点企业未走访",
    "本月走访记录",
    "培育阶段",
]


def _money(n: int, year: int, revenue: float, rd: float) -> dict:
    return {"uscc": uscc(n), "year": year, "revenue_wan": revenue, "rd_expense_wan": rd}


def _stats(
    n: int,
    revenue: float,
    rd: float,
    rd_staff: int = 2,
    employees: int = 100,
    assets: float = 3000.0,
) -> dict:
    return {
        "uscc": uscc(n),
        "year": 2025,
        "revenue_wan": revenue,
        "rd_expense_wan": rd,
        "rd_staff": rd_staff,
        "employees": employees,
        "total_assets_wan": assets,
        "above_scale": True,
        "has_rd_institution": False,
    }


@pytest.fixture
def data(tmp_path):
    return make_data(tmp_path / "data")


def make_data(path):
    """Five firms in two towns, every sheet with something in it.

    Firms 1-3 are manufacturers with 2025 revenue >= 1 亿元: 1 (掘港街道) has R&D, 2 (长沙镇) and 3
    (掘港街道) have none (the 清零 worklist). Firms 1 and 2 got their first HNTE certificate in
    2026. Firm 4 (掘港街道) passes all six criteria; firm 5 (长沙镇) misses only growth (+10%). Key
    enterprises 1 and 2; only 1 visited. 90 commissioners serve from 1 January (a county-level
    record: no enterprise, no town).
    """
    return write_warehouse(
        path,
        enterprises=[
            firm(1),
            firm(2, town=TOWN),
            firm(3),
            firm(4, industry_code="6513"),
            firm(5, town=TOWN, industry_code="6513"),
        ],
        hnte_certificates=[
            {"uscc": uscc(1), "certificate_no": "C1", "issued_on": date(2026, 3, 1)},
            {"uscc": uscc(2), "certificate_no": "C2", "issued_on": date(2026, 5, 10)},
        ],
        tech_contracts=[
            {
                "contract_id": "T1",
                "uscc": uscc(2),
                "amount_wan": 1234.5,
                "registered_on": date(2026, 10, 31),
            },
            {
                "contract_id": "T2",
                "uscc": uscc(1),
                "amount_wan": 500.0,
                "registered_on": date(2026, 2, 15),
            },
        ],
        stats_annual=[
            _stats(1, 30000.0, 500.0, employees=600, assets=50000.0),
            _stats(2, 20000.0, 0.0),
            _stats(3, 15000.0, 0.0),
            _stats(4, 1200.0, 80.0, rd_staff=20),
            _stats(5, 1100.0, 80.0, rd_staff=20),
        ],
        tax_annual=[
            _money(4, 2023, 800.0, 50.0),
            _money(4, 2024, 1000.0, 60.0),
            _money(4, 2025, 1200.0, 80.0),
            _money(5, 2023, 900.0, 50.0),
            _money(5, 2024, 1000.0, 60.0),
            _money(5, 2025, 1100.0, 80.0),
        ],
        patents=[
            {
                "ip_id": "P4",
                "uscc": uscc(4),
                "ip_type": "发明专利",
                "granted_on": date(2024, 1, 1),
                "valid": True,
            },
            {
                "ip_id": "P5",
                "uscc": uscc(5),
                "ip_type": "实用新型",
                "granted_on": date(2024, 1, 1),
                "valid": True,
            },
        ],
        key_enterprises=[
            {"uscc": uscc(1), "year": 2026, "team": "一组", "focus": "研发"},
            {"uscc": uscc(2), "year": 2026, "team": "二组", "focus": "高企"},
        ],
        commissioners=[
            {"commissioner_id": f"K{i}", "name": f"专员{i}", "joined_on": date(2026, 1, 1)}
            for i in range(90)
        ],
        service_visits=[
            {
                "visit_id": "V1",
                "uscc": uscc(1),
                "visited_on": date(2026, 4, 1),
                "service_type": "政策落实",
                "team": "一组",
            },
            {
                "visit_id": "V0",
                "uscc": uscc(2),
                "visited_on": date(2025, 6, 1),
                "service_type": "政策落实",
                "team": "二组",
            },
        ],
    )


def _book(payload: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(payload))


def _table(ws, header_row: int = TABLE_ROW + 1) -> list[dict]:
    """A data sheet's rows as dicts keyed by its (Chinese) header."""
    rows = list(ws.iter_rows(min_row=header_row, values_only=True))
    header = rows[0]
    return [dict(zip(header, r, strict=True)) for r in rows[1:] if any(v is not None for v in r)]


def _cover(ws) -> dict:
    return {r[0]: r[1] for r in ws.iter_rows(values_only=True) if r[0] is not None}


@pytest.fixture
def county(data):
    wh = Warehouse(data)
    yield wh, _book(export.briefing_workbook(wh, AS_OF, generated_at=GENERATED))
    wh.close()


def test_sheets_headers_and_layout(county):
    _wh, book = county
    assert book.sheetnames == SHEETS
    progress = book["目标进度"]
    assert [c.value for c in progress[3]] == list(PROGRESS_HEADER)
    assert [c.value for c in book["高企候选"][3]][:5] == [
        "统一社会信用代码",
        "企业名称",
        "所属镇区",
        "国民经济行业代码",
        "成立日期",
    ]
    assert [c.value for c in book["差一项企业"][3]][3:6] == ["未达项", "状态", "差距"]
    assert [c.value for c in book["研发清零清单"][3]][:3] == [
        "所属镇区",
        "统一社会信用代码",
        "企业名称",
    ]
    assert [c.value for c in book["重点企业未走访"][3]] == [
        "所属镇区",
        "统一社会信用代码",
        "企业名称",
        "服务团队",
        "服务重点",
        "往年最近走访日期",
    ]
    for name in SHEETS[1:]:
        assert book[name].freeze_panes in ("A4", "C4"), name  # the header row (row 3) stays in view
        assert book[name].auto_filter.ref.startswith("A3:"), name
    assert book["目标进度"]["A1"].value == "“六百创新”目标进度（全县，截至2026年10月31日）"


def test_progress_sheet_equals_engine(county):
    wh, book = county
    rows = {r["指标"]: r for r in _table(book["目标进度"])}
    engine = metrics.progress(wh, AS_OF, load_plan(2026))
    assert list(rows) == [p.label for p in engine]
    for p in engine:
        row = rows[p.label]
        # Figures as every page shows them (fmt's rule): 万元 in 亿元, the expected-by-now
        # rounded up.
        # XLSX keeps 15-16 significant digits of a double.
        shown = [row["完成"], row["年度目标"], row["序时应完成"], row["预计全年"], row["完成比例"]]
        scale = fmt.shown_scale(p.unit)
        figures = [fmt.shown_value(p.actual, p.unit), p.target, p.pace, p.projected]
        for cell, value in zip(
            shown,
            [None if v is None else v / scale for v in figures] + [p.share_of_target],
            strict=True,
        ):
            assert cell == (None if value is None else pytest.approx(value, rel=1e-14)), p.id
    # By hand: two first certificates in 2026 against 50; 304 of 365 days elapsed.
    hnte = rows["新增高新技术企业"]
    assert (hnte["完成"], hnte["年度目标"], hnte["完成比例"], hnte["状态"], hnte["单位"]) == (
        2,
        50,
        0.04,
        "滞后",
        "家",
    )
    assert hnte["序时应完成"] == 42 and hnte[  # 50 x 304/365 = 41.6, rounded up
        "序时进度比例"
    ] == pytest.approx(304 / 365)
    assert rows["技术合同认定登记额"]["完成"] == 0.17  # 1,734.5 万元 in 亿元 to 0.01
    assert rows["技术合同认定登记额"]["单位"] == "亿元"
    assert rows["亿元以上制造业企业研发活动覆盖率"]["完成"] == 0.333  # rounded down to 0.1%
    assert (
        rows["高成长型科创项目落地"]["完成"] is None and rows["高成长型科创项目落地"]["状态"] == "—"
    )
    assert rows["高成长型科创项目落地"]["缺少数据"] == "科创项目招引"
    assert rows["校企共建新型研发机构/产业联盟"]["状态"] == "跟踪指标"
    ws = book["目标进度"]
    hnte_row = next(r for r in range(4, 16) if ws.cell(r, 2).value == "新增高新技术企业")
    contract_row = next(r for r in range(4, 16) if ws.cell(r, 2).value == "技术合同认定登记额")
    coverage_row = next(
        r for r in range(4, 16) if ws.cell(r, 2).value == "亿元以上制造业企业研发活动覆盖率"
    )
    assert ws.cell(hnte_row, 5).number_format == "#,##0"
    assert ws.cell(contract_row, 5).number_format == "#,##0.00"
    assert ws.cell(coverage_row, 5).number_format == "0.0%"
    assert ws.cell(hnte_row, 7).number_format == "0.0%"


def test_programme_sheets_hold_monthly_series_and_charts(county):
    wh, book = county
    ws = book["企业孵化行动"]
    rows = _table(ws)
    assert [r["截至日期"].date() for r in rows] == metrics.month_ends(AS_OF)
    actual = [r["新增高新技术企业：累计完成（家）"] for r in rows]
    assert actual == [0, 0, 1, 1, 2, 2, 2, 2, 2, 2]  # certificates of 1 March and 10 May
    series = metrics.monthly_series(wh, "new_hnte", AS_OF, 50)
    assert actual == series["actual"].to_list()
    assert [r["新增高新技术企业：序时进度（家）"] for r in rows] == pytest.approx(
        series["pace"].to_list()
    )
    assert {r["新增高新技术企业：年度目标（家）"] for r in rows} == {50}
    assert "高成长型科创项目落地：累计完成（个）" not in rows[0]  # sci_projects absent
    assert "缺少数据 科创项目招引（sci_projects）" in ws["A2"].value
    assert len(ws._charts) == 1
    contracts = _table(book["成果转化行动"])
    assert [r["技术合同认定登记额：累计完成（亿元）"] for r in contracts] == [
        0,
        0.05,
        0.05,
        0.05,
        0.05,
        0.05,
        0.05,
        0.05,
        0.05,
        0.17345,
    ]
    assert book["成果转化行动"].cell(5, 2).number_format == "#,##0.00"
    assert "比率指标" in book["研发筑基行动"]["A2"].value


def test_charts_on_the_sheets_that_should_have_them(county):
    _wh, book = county
    charted = {name for name in SHEETS if book[name]._charts}
    # 校企对接行动's only metric (iur_projects) has no data: no series to chart.
    assert charted == {
        "目标进度",
        "企业孵化行动",
        "成果转化行动",
        "服务提质行动",
        "专员对接行动",
        "研发清零分镇区",
    }
    assert len(book["服务提质行动"]._charts) == 1  # key enterprises; the training tables are absent


def test_worklist_sheets_equal_engine(county):
    wh, book = county
    candidates = _table(book["高企候选"])
    assert [(r["统一社会信用代码"], r["所属镇区"]) for r in candidates] == [(uscc(4), "掘港街道")]
    assert candidates[0]["研发投入强度"] == pytest.approx(
        190 / 3000
    )  # (50 + 60 + 80) / (800 + 1000 + 1200)
    assert book["高企候选"].cell(4, 7).number_format == "0.0%"
    near = _table(book["差一项企业"])
    engine = screening.near_misses(wh, AS_OF)
    assert [r["统一社会信用代码"] for r in near] == engine["uscc"].to_list() == [uscc(5)]
    assert near[0]["未达项"] == "营业收入增长" and near[0]["差距"] == engine["gap_text"][0]
    assert "营业收入增长 10.0%" in near[0]["差距"]
    worklist = _table(book["研发清零清单"])
    assert [(r["所属镇区"], r["统一社会信用代码"], r["营业收入（万元）"]) for r in worklist] == [
        ("掘港街道", uscc(3), 15000),
        ("长沙镇", uscc(2), 20000),
    ]
    assert worklist[0]["是否有研发机构"] == "否"
    towns = _table(book["研发清零分镇区"])
    assert [
        (r["所属镇区"], r["亿元以上制造业企业数"], r["覆盖率"], r["待清零企业数"]) for r in towns
    ] == [("掘港街道", 2, 0.5, 1), ("长沙镇", 1, 0, 1)]
    unvisited = _table(book["重点企业未走访"])
    assert [(r["统一社会信用代码"], r["往年最近走访日期"]) for r in unvisited] == [
        (uscc(2), datetime(2025, 6, 1))
    ]
    assert worklists.key_enterprises_unvisited(wh, AS_OF)["uscc"].to_list() == [uscc(2)]


def test_cover_sheet(county):
    wh, book = county
    cover = _cover(book["封面"])
    assert book["封面"]["A1"].value == "如东县科技创新工作简报"
    assert cover["截至日期"] == "2026年10月31日"
    assert cover["范围"] == "全县"
    assert cover["生成时间"] == "2026年11月2日 09:30"
    assert "仅生成时间不同" in cover["说明"]
    assert cover["简报文字"].startswith("截至2026年10月31日，全县高成长型科创项目落地暂无数据")
    freshness = {
        r[0]: r[1:5] for r in book["封面"].iter_rows(values_only=True) if r[1] in wh.tables
    }
    assert freshness["市场主体登记"] == ("enterprises", 5, "2015年1月1日", "可用")
    assert freshness["技术合同认定登记"] == ("tech_contracts", 2, "2026年10月31日", "可用")
    assert freshness["统计联网直报年报"][2] == "2025年度"
    assert freshness["科创项目招引"] == ("sci_projects", None, None, "暂缺")
    links = [c.hyperlink.location for c in book["封面"]["A"] if c.hyperlink]
    assert links == [f"'{name}'!A1" for name in SHEETS[1:]]


def test_same_content_from_page_and_cli(data, tmp_path, capsys):
    """The page and the CLI call the same function: with the same generated-at time the file is
    identical."""
    wh = Warehouse(data)
    # The CLI's --as-of 2026-10-31 is after the data's last day: both compute the data's last day.
    as_of, notice = metrics.bring_back(AS_OF, metrics.default_as_of(wh))
    first = export.briefing_workbook(wh, as_of, TOWN, generated_at=GENERATED)
    assert export.briefing_workbook(wh, as_of, TOWN, generated_at=GENERATED) == first
    out = tmp_path / "简报.xlsx"
    assert (
        cli.main(
            [
                "export",
                "--out",
                str(out),
                "--as-of",
                "2026-10-31",
                "--town",
                TOWN,
                "--data",
                str(data),
            ]
        )
        == 0
    )
    printed = capsys.readouterr()
    assert printed.out.strip() == str(out.resolve())
    assert printed.err.strip() == (notice or "")
    ours, theirs = _book(first), openpyxl.load_workbook(out)
    assert ours.sheetnames == theirs.sheetnames
    for name in ours.sheetnames:
        mine = [r for r in ours[name].iter_rows(values_only=True) if r[0] != "生成时间"]
        cli_rows = [r for r in theirs[name].iter_rows(values_only=True) if r[0] != "生成时间"]
        assert mine == cli_rows, name


def test_town_restricts_every_sheet(data):
    wh = Warehouse(data)
    book = _book(export.briefing_workbook(wh, AS_OF, TOWN, generated_at=GENERATED))
    assert _cover(book["封面"])["范围"] == TOWN
    assert "镇区口径" in _cover(book["封面"])
    for name in ["高企候选", "差一项企业", "研发清零分镇区", "研发清零清单", "重点企业未走访"]:
        assert {r["所属镇区"] for r in _table(book[name])} <= {TOWN}, name
    assert _table(book["高企候选"]) == []  # the candidate is in 掘港街道
    assert [r["统一社会信用代码"] for r in _table(book["差一项企业"])] == [uscc(5)]
    assert [r["统一社会信用代码"] for r in _table(book["研发清零清单"])] == [uscc(2)]
    progress = {r["指标"]: r for r in _table(book["目标进度"])}
    assert (
        progress["新增高新技术企业"]["完成"] == 1 and progress["新增高新技术企业"]["口径"] == TOWN
    )
    assert progress["技术合同认定登记额"]["完成"] == 0.12  # 1,234.5 万元
    assert (
        progress["新增高新技术企业"]["状态"] == "—"
    )  # a contribution to the county target, not paced
    assert (
        progress["科创专员"]["口径"] == "全县"
    )  # commissioners carry no enterprise: the county figure, paced
    assert (progress["科创专员"]["完成"], progress["科创专员"]["状态"]) == (90, "达标进度")
    contracts = _table(book["成果转化行动"])
    assert [r["技术合同认定登记额：累计完成（亿元）"] for r in contracts][-2:] == [0, 0.12345]
    assert list(contracts[0]) == [
        "截至日期",
        "技术合同认定登记额：累计完成（亿元）",
    ]  # no county pace for a town's share
    assert "科创专员（全县）：序时进度（名）" in _table(book["专员对接行动"])[0]
    assert book["目标进度"]["A1"].value.startswith("“六百创新”目标进度（长沙镇，")
    scoped = Warehouse(data, frozenset({TOWN}))
    assert progress["新增高新技术企业"]["完成"] == metrics.metric_actual(scoped, "new_hnte", AS_OF)


def test_unknown_town_is_refused(data):
    with pytest.raises(export.UnknownTown, match="未知镇区：火星镇"):
        export.briefing_workbook(Warehouse(data), AS_OF, "火星镇")


def test_absent_tables_are_named_not_fatal(tmp_path):
    wh = Warehouse(
        write_warehouse(
            tmp_path / "d",
            tech_contracts=[
                {
                    "contract_id": "T1",
                    "uscc": uscc(1),
                    "amount_wan": 10.0,
                    "registered_on": date(2026, 1, 5),
                }
            ],
        )
    )
    book = _book(export.briefing_workbook(wh, AS_OF, generated_at=GENERATED))
    assert book.sheetnames == SHEETS
    for name in ["高企候选", "差一项企业"]:
        assert book[name]["A2"].value.startswith(
            "缺少数据：市场主体登记（enterprises）、企业所得税年度汇算清缴（tax_annual）"
        )
    assert (
        "缺少数据：" in book["研发清零清单"]["A2"].value
        and "统计联网直报年报（stats_annual）" in book["研发清零清单"]["A2"].value
    )
    assert book["重点企业未走访"]["A2"].value.startswith(
        "缺少数据：重点企业“一企一策”服务清单（key_enterprises）"
    )
    assert _table(book["成果转化行动"])[0]["技术合同认定登记额：累计完成（亿元）"] == 0.001
    assert book["研发筑基行动"]["A2"].value.startswith(
        "亿元以上制造业企业研发活动覆盖率：缺少数据 市场主体登记（enterprises）"
    )
    assert _cover(book["封面"])["简报文字"].startswith(
        "截至2026年10月31日，全县高成长型科创项目落地暂无数据"
    )


def test_year_without_plan_file(data):
    book = _book(
        export.briefing_workbook(Warehouse(data), date(2025, 12, 31), generated_at=GENERATED)
    )
    assert book.sheetnames[2] == "月度进展"
    assert _cover(book["封面"])["计划"] == "2025年尚无计划文件，未设年度目标"
    assert "年度目标" not in " ".join(str(c.value) for c in book["月度进展"][3])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--town", "火星镇"], "未知镇区：火星镇"),
        (["--as-of", "2026-02-30"], "日期格式有误"),
        (["--as-of", "31.10.2026"], "日期格式有误"),
    ],
)
def test_cli_export_bad_input_exits_2(data, tmp_path, capsys, args, message):
    out = tmp_path / "b.xlsx"
    assert cli.main(["export", "--out", str(out), "--data", str(data), *args]) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1
    assert not out.exists()


def test_cli_export_refuses_other_suffix_and_missing_folder(data, tmp_path, capsys):
    assert cli.main(["export", "--out", str(tmp_path / "b.csv"), "--data", str(data)]) == 2
    assert cli.main(["export", "--out", str(tmp_path / "no" / "b.xlsx"), "--data", str(data)]) == 2
    assert "输出目录不存在" in capsys.readouterr().err


def test_cli_export_imports_neither_streamlit_nor_plotly(data, tmp_path):
    import subprocess
    import sys

    code = (
        "import sys; from kechuang import cli; "
        f"rc = cli.main(['export', '--out', {str(tmp_path / 'b.xlsx')!r}, '--data', "
        f"{str(data)!r}]); "
        "print(rc, 'streamlit' in sys.modules, any(m.startswith('plotly') for m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip().splitlines()[-1] == "0 False False"


def _briefing_page(data, monkeypatch, **params):
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("KECHUANG_DATA", str(data))
    at = AppTest.from_file(
        str(Path(__file__).resolve().parent.parent / "app.py"), default_timeout=60
    )
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    at.switch_page("views/briefing.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_briefing_page_text_and_download(data, monkeypatch):
    from kechuang.output import summary

    at = _briefing_page(data, monkeypatch, as_of="2026-10-31")
    assert at.title[0].value == "简报导出"
    assert at.code[0].value == summary.briefing_text(
        Warehouse(data), date(2026, 10, 31), load_plan(2026)
    )
    # Commands are for administrators only (issue 18): the analyst sees no `python -m kechuang`.
    assert not any("python -m" in c.value for c in at.code)
    assert len(at.download_button) == 0  # built on demand
    at.button(key="make_briefing").click().run()
    assert not at.exception, [e.value for e in at.exception]
    button = at.download_button(key="briefing_xlsx")
    assert button.label == "下载简报"
    assert any("已生成" in c.value for c in at.caption)


def test_briefing_page_for_a_town(data, monkeypatch):
    at = _briefing_page(data, monkeypatch, as_of="2026-10-31")
    at.selectbox(key="town").set_value(TOWN).run()
    assert at.code[0].value.startswith(f"截至2026年10月31日，{TOWN}")
    assert not any("python -m" in c.value for c in at.code)  # commands: administrators only
    at.button(key="make_briefing").click().run()
    assert not at.exception and at.download_button(key="briefing_xlsx")


def test_a_failed_word_briefing_is_said_in_escaped_text(data, monkeypatch):
    """The Word/PDF error is shown as text: markdown in it (a path, a program's words) escaped."""
    from kechuang.models import briefing
    from kechuang.output import figures
    from kechuang.zh import fmt

    said = "图表生成失败：*kaleido* [浏览器](http://example.invalid) 未响应"

    def fail(*args, **kwargs):
        raise figures.Failed(said)

    monkeypatch.setattr(briefing, "briefing_docx", fail)
    at = _briefing_page(data, monkeypatch, as_of="2026-10-31")
    at.button(key="make_briefing_docx").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert [e.value for e in at.error] == [fmt.md(said)]
    assert fmt.md(said) != said  # the markdown was there to escape
    assert not any(b.label == "下载 Word 简报" for b in at.get("download_button"))
