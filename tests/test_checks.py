"""Data-quality rules (queries/checks), the per-table coverage, presence in tax/stats, and the two
data pages."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from fixtures import firm, uscc, write_warehouse
from streamlit.testing.v1 import AppTest
from test_ingest import write_csv, wrong_check

from kechuang import ingest
from kechuang.engine import checks, contract
from kechuang.engine.checks import Finding
from kechuang.engine.sql import QUERIES_DIR
from kechuang.engine.warehouse import Warehouse
from kechuang.ingest import Source, manifest
from kechuang.models import data_status

ROOT = Path(__file__).resolve().parent.parent
TODAY = date(2026, 11, 26)


@pytest.fixture
def messy(tmp_path) -> Path:
    """One offence of each kind, each counted by hand."""
    return write_warehouse(
        tmp_path / "data",
        enterprises=[
            firm(1),
            firm(2, status="注销"),
            firm(3),
            firm(4, uscc="91320623MA123"),  # malformed
            firm(5, uscc=wrong_check(5)),  # check character: warning, kept
            firm(
                6, status="正常", established_on=date(2027, 1, 1), industry_code="34"
            ),  # category; future date; code
            firm(7, registered_capital_wan=-1.0),  # negative
            firm(8, registered_capital_wan=20_000_000.0),  # 2,000 亿元: 元 sent as 万元
        ],
        tax_monthly=[
            {"uscc": uscc(1), "period": date(2026, 9, 1), "invoiced_sales_wan": 1.0},
            {"uscc": uscc(1), "period": date(2026, 10, 1), "invoiced_sales_wan": 1.0},
            {
                "uscc": uscc(1),
                "period": date(2026, 10, 1),
                "invoiced_sales_wan": 2.0,
            },  # duplicate key
            {
                "uscc": uscc(3),
                "period": date(2026, 10, 15),
                "invoiced_sales_wan": 1.0,
            },  # not the 1st of a month
            {"uscc": uscc(99), "period": date(2026, 10, 1), "invoiced_sales_wan": 1.0},  # orphan
        ],
        tax_annual=[
            {"uscc": uscc(1), "year": 2025, "net_assets_wan": -50.0}
        ],  # negative equity is legitimate
        stats_annual=[
            {"uscc": uscc(1), "year": 2025},
            {"uscc": uscc(2), "year": 2025},
            {"uscc": uscc(3), "year": 2024},
        ],
    )


def test_findings_one_of_each_kind(messy):
    found = {
        (f.table, f.check): f
        for f in checks.findings(Warehouse(messy), TODAY)
        if f.check != "table_absent"
    }
    assert {k: (f.severity, f.rows) for k, f in found.items()} == {
        ("enterprises", "uscc_malformed"): ("error", 1),
        ("enterprises", "uscc_check_digit"): ("warning", 1),
        ("enterprises", "category_values"): ("error", 1),
        ("enterprises", "negative_amounts"): ("error", 1),
        ("enterprises", "out_of_range"): ("warning", 3),  # future date, 2-digit code, huge capital
        ("tax_monthly", "duplicate_keys"): ("error", 2),
        ("tax_monthly", "orphan_uscc"): ("warning", 1),
        ("tax_monthly", "out_of_range"): ("warning", 1),
    }
    assert found[("enterprises", "uscc_malformed")].example == "uscc=91320623MA123, n_rows=1"


def test_rule_rows_are_the_offending_rows_and_names_are_allow_listed(messy):
    wh = Warehouse(messy)
    rows = checks.rule_rows(wh, "out_of_range", "enterprises", TODAY)
    assert sorted(rows["column_name"].to_list()) == [
        "established_on",
        "industry_code",
        "registered_capital_wan",
    ]
    shown = checks.rule_rows_display(rows)
    assert shown.columns == ["数据表", "记录", "列", "值"] and set(shown["列"]) == {
        "成立日期",
        "国民经济行业代码",
        "注册资本（万元）",
    }
    assert set(shown["数据表"]) == {"市场主体登记"}
    with pytest.raises(ValueError):
        checks.rule_rows(wh, "../required_nulls")
    with pytest.raises(ValueError):
        checks.rule_rows(wh, "_coverage")  # summaries are not rules


def test_out_of_range_respects_today(messy):
    rows = checks.rule_rows(Warehouse(messy), "out_of_range", "enterprises", date(2027, 6, 1))
    assert (
        "established_on" not in rows["column_name"].to_list()
    )  # 2027-01-01 is no longer in the future


def test_coverage_rows_period_and_last_ingest(messy, tmp_path):
    src = write_csv(
        tmp_path / "高企.csv",
        [["证书编号", "统一社会信用代码", "发证日期"], ["GR1", uscc(1), "2025-11-20"]],
        "utf-8",
    )
    ingest.ingest(messy, [Source.from_path(src)], user="王五")
    cov = {
        r["table_name"]: r
        for r in data_status.coverage(Warehouse(messy), TODAY).iter_rows(named=True)
    }
    assert (
        cov["enterprises"]["n_rows"],
        cov["enterprises"]["status"],
        cov["enterprises"]["n_errors"],
    ) == (8, "可用", 3)
    assert cov["enterprises"]["n_warnings"] == 2
    assert cov["tax_monthly"]["span"] == "2026年9月 至 2026年10月"
    assert cov["stats_annual"]["span"] == "2024年 至 2025年"
    assert cov["hnte_certificates"]["span"] == "2025年11月20日 至 2025年11月20日"
    assert re.fullmatch(
        r"\d{4}年\d{1,2}月\d{1,2}日 \d\d:\d\d 王五", cov["hnte_certificates"]["last_ingest"]
    )
    assert (
        cov["patents"]["status"],
        cov["patents"]["n_rows"],
        cov["patents"]["span"],
        cov["patents"]["last_ingest"],
    ) == ("暂缺", None, "—", "—")
    assert checks.coverage_display(checks.coverage(Warehouse(messy), TODAY)).columns == list(
        checks.COVERAGE_LABELS.values()
    )


def test_presence_of_active_enterprises_in_tax_and_stats(messy):
    rows = checks.presence(Warehouse(messy)).to_dicts()
    # active: firms 1, 3, 4, 5, 7, 8 (2 is 注销, 6 is 正常) = 6; in October 2026: firms 1 and 3
    # (dated the 15th)
    assert rows[0] == {
        "数据来源": "增值税开票",
        "最近一期": "2026年10月",
        "在业存续企业数": 6,
        "其中出现在该期数据中": 2,
        "覆盖率": "33.3%",
    }
    assert rows[1]["数据来源"] == "企业所得税年度汇算清缴" and rows[1]["其中出现在该期数据中"] == 1
    assert (
        rows[2]["最近一期"] == "2025年" and rows[2]["其中出现在该期数据中"] == 1
    )  # firm 2 is in stats but not active


def test_presence_is_unknown_not_zero_when_a_source_is_absent(tmp_path):
    data = write_warehouse(tmp_path / "d", enterprises=[firm(1)])
    rows = checks.presence(Warehouse(data)).to_dicts()
    assert [r["其中出现在该期数据中"] for r in rows] == [None, None, None]
    assert [r["覆盖率"] for r in rows] == ["—", "—", "—"]


def test_category_rule_matches_the_contract():
    sql = (QUERIES_DIR / "checks" / "category_values.sql").read_text(encoding="utf-8")
    found = {}
    for table, column, values in re.findall(
        r"from (\w+)\nwhere (\w+) is not null and \w+ not in \(([^)]*)\)", sql
    ):
        found[(table, column)] = tuple(re.findall(r"'([^']*)'", values))
    assert found == contract.CATEGORIES


def test_every_rule_has_a_chinese_label_and_a_severity():
    for rule in checks.rule_names():
        name = rule.removeprefix("checks/")
        assert name in checks.CHECK_LABELS, name
        assert (
            (QUERIES_DIR / f"{rule}.sql").read_text(encoding="utf-8").startswith("-- severity: ")
        ), name


def test_findings_display_orders_errors_first():
    found = [
        Finding("patents", "table_absent", "warning", 0, "x"),
        Finding("tax_monthly", "orphan_uscc", "warning", 3, "y"),
        Finding("enterprises", "duplicate_keys", "error", 2, "z"),
    ]
    shown = checks.findings_display(found)
    assert shown["检查项"].to_list() == ["键重复", "企业不在市场主体登记中", "缺少数据表"]
    assert shown["级别"].to_list() == ["错误", "提示", "提示"]
    assert checks.finding_title(found[2]) == "错误 · 市场主体登记 · 键重复（2 行）"


# -- the pages under AppTest -----------------------------------------------------------------------


def run_page(page: str, data: Path, monkeypatch, **state) -> AppTest:
    monkeypatch.setenv("KECHUANG_DATA", str(data))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    at.switch_page(page)
    for k, v in state.items():
        at.session_state[k] = v
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_quality_page_shows_findings_rows_and_history(messy, tmp_path, monkeypatch):
    ingest.ingest(
        messy,
        [
            Source.from_path(
                write_csv(
                    tmp_path / "c.csv",
                    [["合同登记号", "本地主体统一社会信用代码"], ["T1", uscc(1)]],
                )
            )
        ],
    )
    at = run_page("views/data_status.py", messy, monkeypatch)
    assert at.title[0].value == "数据质量"
    assert [s.value for s in at.subheader] == [
        "各表概况",
        "在业存续企业的数据覆盖",
        "检查结果",
        "导入记录",
    ]
    assert any(
        m.value.startswith("共 **8** 项：错误 **4** 项，提示 **4** 项。") for m in at.markdown
    )
    picker = at.selectbox(key="quality_finding")
    assert picker.options[0].startswith("错误 · ")
    frames = [df.value for df in at.dataframe]
    assert any("最近导入" in f.columns for f in frames)
    assert any(
        "文件" in f.columns and "c.csv" in f["文件"].to_list() for f in frames
    )  # the manifest


def test_quality_page_without_problems_or_tables(tmp_path, monkeypatch):
    at = run_page("views/data_status.py", write_warehouse(tmp_path / "d", patents=[]), monkeypatch)
    assert any(s.value == "未发现数据问题。" for s in at.success)


def test_upload_page_renders_and_shows_an_outcome(tmp_path, monkeypatch):
    data = write_warehouse(tmp_path / "d", enterprises=[firm(1)])
    at = run_page("views/upload.py", data, monkeypatch)
    assert at.title[0].value == "数据导入"
    assert at.button(key="upload_go").disabled  # nothing chosen yet
    src = write_csv(
        tmp_path / "e.csv",
        [
            ["统一社会信用代码", "企业名称", "登记状态"],
            [uscc(2), "乙", "存续"],
            [uscc(3), "丙", "正常"],
            [wrong_check(4), "丁", "在业"],
        ],
    )
    results = ingest.ingest(
        data, [Source("e.csv", data=src.read_bytes())], user="网页上传"
    )  # what the page's button calls
    at = run_page("views/upload.py", data, monkeypatch, upload_outcome=(results, False, None))
    shown = at.dataframe[0].value
    assert shown.to_dict("records")[0] == {
        "数据表": "市场主体登记（enterprises）",
        "方式": "整表替换",
        "文件": "e.csv",
        "导入行数": 2,
        "未导入行数": 1,
        "提示行数": 1,
        "导入后总行数": 2,
        "结果": "已写入新版本",
    }
    rejects = [df.value for df in at.dataframe if "未导入原因" in df.value.columns][0]
    assert rejects["行号"].to_list() == [3]
    assert at.selectbox(key="rollback_table").options == ["市场主体登记（enterprises）"]
    at.button(key="rollback_go").click().run()
    assert not at.exception and any("已恢复" in s.value for s in at.success)
    assert Warehouse(data).con.sql("select count(*) from enterprises").fetchall() == [(1,)]


def test_upload_page_shows_an_unusable_file_as_an_error(tmp_path, monkeypatch):
    data = write_warehouse(tmp_path / "d", enterprises=[firm(1)])
    at = run_page(
        "views/upload.py", data, monkeypatch, upload_outcome=([], False, "无法识别 x.csv 是哪张表")
    )
    # the file name is escaped for markdown (x\.csv renders as x.csv, never as a link)
    assert at.error[0].value == "未导入：无法识别 x\\.csv 是哪张表"
    assert manifest.history(data).height == 0
    assert isinstance(ingest.summary_frame([]), pl.DataFrame)


def test_one_home_for_table_names_and_the_missing_note():
    from kechuang.engine import contract

    assert contract.table_names(["sci_projects", "patents"]) == "科创项目招引、知识产权"
    assert contract.table_names(["sci_projects"], with_ids=True) == "科创项目招引（sci_projects）"
    assert contract.missing_note(["sci_projects"]) == "缺少数据：科创项目招引"
    assert contract.column_label("score") == "培育评分"  # derived (zh.labels)
    assert contract.column_label("uscc") == "统一社会信用代码"  # the contract's
    assert contract.column_label("no_such_column") == "no_such_column"
