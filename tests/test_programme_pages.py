"""The six programme pages under AppTest on the hand-built county of programme_fixture (as of
2026-10-31)."""

from __future__ import annotations

from pathlib import Path

import pytest
from fixtures import firm, open_sections
from programme_fixture import CHANGSHA, COMMISSIONER_NAMES, write_county
from streamlit.testing.v1 import AppTest

from kechuang.ui import grids

ROOT = Path(__file__).resolve().parent.parent
PAGES = ["contracts", "iur", "projects", "services", "commissioners", "trainings"]


def name(n: int) -> str:
    return firm(n)["name"]


@pytest.fixture
def county(tmp_path, monkeypatch):
    monkeypatch.setenv("KECHUANG_DATA", str(write_county(tmp_path / "data")))


def open_page(page: str, town: str | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["as_of"] = "2026-10-31"
    at.run()
    at.switch_page(f"views/{page}.py")
    at.run()
    if town:
        at.selectbox(key="town").set_value(town).run()
    open_sections(at)
    assert not at.exception, [e.value for e in at.exception]
    return at


def metric(at: AppTest, label: str) -> list[str]:
    return [m.value for m in at.metric if m.label == label]


def frame_with(at: AppTest, column: str):
    """The (pandas) value of the one table on the page that has this column."""
    found = [d.value for d in at.dataframe if column in d.value.columns]
    assert len(found) == 1, (column, len(found))
    return found[0]


def texts(at: AppTest) -> str:
    return "\n".join(
        e.value for kind in (at.markdown, at.caption, at.info, at.title, at.subheader) for e in kind
    )


def test_contracts_page(county):
    at = open_page("contracts")
    assert metric(at, "完成") == ["0.19 亿元"]
    assert metric(at, "技术交易额") == ["0.15 亿元"] and metric(at, "登记合同") == ["5 项"]
    assert "预警" not in texts(at) and ":red-badge[滞后]" in texts(at)
    regions = frame_with(at, "地区")
    assert dict(zip(regions["地区"], regions["合同成交额（万元）"], strict=True)) == {
        "上海": 1000.0,
        "苏南": 500.0,
        "长三角其他": 0.0,
        "珠三角": 300.0,
        "本地（南通）": 0.0,
        "其他地区": 100.0,
    }
    directions = frame_with(at, "技术流向")
    assert directions["合同成交额（万元）"].tolist() == [1400.0, 500.0]
    prospects = frame_with(at, "列入原因")
    assert prospects["企业名称"].tolist() == [name(6), name(4), name(5), name(12), name(14)]
    assert "共 **5** 家" in texts(at)


def test_contracts_page_under_a_town(county):
    at = open_page("contracts", CHANGSHA)
    assert metric(at, "完成") == ["0.03 亿元"] and metric(at, "登记合同") == ["2 项"]
    assert "镇区无分解目标" in texts(at)
    assert not any(
        "列入原因" in df.value.columns for df in at.dataframe
    )  # no prospects in this town:
    assert grids.EMPTY_TABLE in [i.value for i in at.info]  # said in Chinese, not an empty grid


def test_iur_page_funnel_and_follow_up(county):
    at = open_page("iur")
    assert metric(at, "完成") == ["4 项"]
    funnel = frame_with(at, "已达该阶段（项）")
    assert funnel["已达该阶段（项）"].tolist() == [8, 6, 4, 2, 1]
    assert funnel["处于该阶段（项）"].tolist() == [2, 2, 2, 1, 1]
    assert frame_with(at, "登记后天数")["项目编号"].tolist() == ["I8", "I4"]
    at.number_input(key="iur_overdue_days").set_value(89).run()
    assert frame_with(at, "登记后天数")["项目编号"].tolist() == ["I8", "I4", "I3"]
    assert "超过 89 天的项目共 **3** 项" in texts(at)


def test_projects_page(county):
    at = open_page("projects")
    assert metric(at, "完成") == ["2 个"]
    stages = frame_with(at, "其中高成长型")
    assert stages["项目阶段"].tolist() == ["在谈", "签约", "落地"] and stages[
        "项目数"
    ].tolist() == [2, 2, 4]
    assert frame_with(at, "落地日期")["项目编号"].tolist() == ["S2", "S1"]


def test_services_page_worklist(county):
    at = open_page("services")
    assert metric(at, "完成") == ["2 家"]
    assert "重点企业 **4** 家，本年尚未走访 **2** 家" in texts(at)
    assert frame_with(at, "服务重点")["企业名称"].tolist() == [name(4), name(3)]
    towns = frame_with(at, "未走访")
    assert dict(zip(towns["所属镇区"], towns["已走访"], strict=True)) == {
        "掘港街道": 1,
        CHANGSHA: 1,
    }


def test_services_page_under_a_town(county):
    at = open_page("services", CHANGSHA)
    assert metric(at, "完成") == ["1 家"]
    assert frame_with(at, "服务重点")["企业名称"].tolist() == [name(3)]


def test_commissioners_page_shows_no_names(county):
    at = open_page("commissioners")
    assert metric(at, "完成") == ["3 名"]
    roster = frame_with(at, "任职状态")
    assert sorted(roster["编号"]) == ["C1", "C2", "C4", "C5", "C7"]
    for d in at.dataframe:
        assert "姓名" not in d.value.columns
        assert not any(n in d.value.to_string() for n in COMMISSIONER_NAMES)
    assert not any(n in texts(at) for n in COMMISSIONER_NAMES)


def test_commissioners_page_is_county_level_under_a_town(county):
    at = open_page("commissioners", CHANGSHA)
    assert metric(at, "完成") == ["3 名"]
    assert any("全县统计" in i.value for i in at.info)


def test_trainings_page(county):
    at = open_page("trainings")
    assert metric(at, "完成") == ["2 场", "4 家次", "1 场"]
    listed = frame_with(at, "举办状态")
    assert listed["举办状态"].tolist() == ["已举办", "已举办", "已举办", "计划中"]
    assert listed["参训企业（家）"].tolist() == [3, 0, 1, 1]


def test_trainings_page_under_a_town(county):
    at = open_page("trainings", CHANGSHA)
    assert metric(at, "完成") == ["2 场", "2 家次", "1 场"]
    assert any("培训场次为全县统计" in i.value for i in at.info)


@pytest.mark.parametrize(
    ("page", "table"),
    [
        ("contracts", "tech_contracts"),
        ("iur", "iur_projects"),
        ("projects", "sci_projects"),
        ("services", "service_visits"),
        ("commissioners", "commissioners"),
        ("trainings", "trainings"),
    ],
)
def test_page_says_which_data_is_absent(tmp_path, monkeypatch, page, table):
    monkeypatch.setenv("KECHUANG_DATA", str(write_county(tmp_path / "data", **{table: False})))
    at = open_page(page)
    assert metric(at, "完成")[0] == "—"
    assert any(table in i.value for i in at.info)
