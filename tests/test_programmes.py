"""The programme pages' numbers (kechuang.models.programmes) on the hand-built county of
programme_fixture."""

from __future__ import annotations

from datetime import date

import plotly.graph_objects as go
import polars as pl
import pytest
from fixtures import AS_OF, uscc
from programme_fixture import CHANGSHA, COMMISSIONER_NAMES, write_county

from kechuang.charts import programmes as charts
from kechuang.engine import metrics, worklists
from kechuang.engine.warehouse import Warehouse
from kechuang.models.programmes import (
    commissioners,
    common,
    contracts,
    iur,
    projects,
    services,
    trainings,
)
from kechuang.worklog import lists


@pytest.fixture(scope="module")
def county(tmp_path_factory):
    return Warehouse(write_county(tmp_path_factory.mktemp("county")))


@pytest.fixture(scope="module")
def changsha(county):
    return county.scoped({CHANGSHA})


def rows(frame: pl.DataFrame, key: str, *cols: str) -> dict:
    return {r[0]: r[1:] if len(r) > 2 else r[1] for r in frame.select(key, *cols).iter_rows()}


# -- shared pieces -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "bucket"),
    [
        ("上海", "上海"),
        ("上海市浦东新区", "上海"),
        ("沪", "上海"),
        ("上海、苏州", "上海"),
        ("苏南", "苏南"),
        ("江苏南京", "苏南"),
        ("苏州工业园区", "苏南"),
        ("无锡", "苏南"),
        ("常州", "苏南"),
        ("镇江", "苏南"),
        ("长三角其他", "长三角其他"),
        ("浙江杭州", "长三角其他"),
        ("合肥", "长三角其他"),
        ("江苏扬州", "长三角其他"),
        ("珠三角", "珠三角"),
        ("广东深圳", "珠三角"),
        ("东莞", "珠三角"),
        ("本地", "本地（南通）"),
        ("如东县", "本地（南通）"),
        ("江苏南通", "本地（南通）"),
        ("海安", "本地（南通）"),
        ("省外其他", "其他地区"),
        ("北京", "其他地区"),
        ("其他", "其他地区"),
        ("美国", "其他地区"),
        (None, "未填报"),
        ("", "未填报"),
        ("  ", "未填报"),
    ],
)
def test_region_bucket(text, bucket):
    assert common.region_bucket(text) == bucket


def test_funnel_counts_reached_stages_and_conversion():
    out = common.funnel(pl.Series([5, 4, 3, 3, 2, 2, 1, 1]), iur.STAGES)
    assert out["stage"].to_list() == ["需求征集", "精准对接", "备案登记", "落地实施", "跟踪服务"]
    assert out["n_at_stage"].to_list() == [2, 2, 2, 1, 1]
    assert out["n_reached"].to_list() == [8, 6, 4, 2, 1]
    assert out["conversion_ratio"].to_list() == [None, 0.75, 4 / 6, 0.5, 0.5]


def test_funnel_conversion_is_null_after_an_empty_stage():
    out = common.funnel(pl.Series([1, 1], dtype=pl.Int32), ("a", "b", "c"))
    assert out["n_reached"].to_list() == [2, 0, 0]
    assert out["conversion_ratio"].to_list() == [None, 0.0, None]
    assert common.funnel(pl.Series([], dtype=pl.Int32), ("a", "b"))[
        "conversion_ratio"
    ].to_list() == [None, None]


def test_counts_keeps_listed_order_and_zeros():
    frame = pl.DataFrame({"k": ["b", "x", None, "b"], "v": [1.0, 2.0, 3.0, 4.0]})
    out = common.counts(frame, "k", order=("a", "b"), value="v")
    assert out.select("k", "n_projects", "v").rows() == [
        ("a", 0, 0.0),
        ("b", 2, 5.0),
        ("x", 1, 2.0),
        ("未填报", 1, 3.0),
    ]
    assert out["share_ratio"].to_list() == pytest.approx([0.0, 0.5, 0.2, 0.3])


def test_headline_drops_the_county_target_under_a_town_scope(county, changsha):
    assert common.headline(county, "tech_contract_amount", AS_OF, 1e6).target == 1e6
    assert common.headline(changsha, "tech_contract_amount", AS_OF, 1e6).target is None
    assert common.headline(changsha, "commissioners", AS_OF, 100).target == 100  # county-level


# -- 技术合同 ----------------------------------------------------------------------------------


def test_contracts_headline_and_breakdowns(county):
    view = contracts.contracts_view(county, AS_OF, 1_000_000)
    assert (
        view.headline.actual
        == 1900.0
        == metrics.metric_actual(county, "tech_contract_amount", AS_OF)
    )
    assert view.headline.status == "behind"
    assert (view.n_contracts, view.tech_amount_wan) == (5, 1500.0)
    assert rows(view.by_type, "contract_type", "n_contracts", "amount_wan") == {
        "技术开发": (2, 1100.0),
        "技术转让": (1, 300.0),
        "技术许可": (1, 0.0),
        "技术咨询": (0, 0.0),
        "技术服务": (1, 500.0),
    }
    assert rows(view.by_direction, "direction", "n_contracts", "amount_wan", "tech_amount_wan") == {
        "技术输出": (4, 1400.0, 1050.0),
        "技术吸纳": (1, 500.0, 450.0),
    }
    assert rows(view.by_region, "region_bucket", "amount_wan") == {
        "上海": 1000.0,
        "苏南": 500.0,
        "长三角其他": 0.0,
        "珠三角": 300.0,
        "本地（南通）": 0.0,
        "其他地区": 100.0,
    }
    assert rows(view.by_town, "town", "amount_wan") == {"掘港街道": 1600.0, CHANGSHA: 300.0}
    assert rows(view.by_town, "town", "amount_wan") == dict(
        metrics.by_town(county, "tech_contract_amount", AS_OF).iter_rows()
    )
    assert view.by_type["share_ratio"].sum() == pytest.approx(1.0)
    assert view.firms.select("rank", "uscc", "amount_wan").rows() == [
        (1, uscc(1), 1500.0),
        (2, uscc(2), 300.0),
        (3, uscc(8), 100.0),
        (4, uscc(3), 0.0),
    ]
    assert rows(view.firms, "uscc", "output_amount_wan", "absorbed_amount_wan")[uscc(1)] == (
        1000.0,
        500.0,
    )


def test_contracts_monthly_matches_the_cockpit_series(county):
    view = contracts.contracts_view(county, AS_OF, 1_000_000)
    series = metrics.monthly_series(county, "tech_contract_amount", AS_OF, 1_000_000)
    assert view.monthly["actual"].to_list() == series["actual"].to_list()
    assert view.monthly["in_month"].to_list() == [1100.0, 0, 500.0, 0, 0, 0, 0, 0, 0, 300.0]
    assert view.monthly["n_contracts"].to_list() == [2, 0, 1, 0, 0, 1, 0, 0, 0, 1]
    assert view.monthly["tech_in_month"].to_list() == [1000.0, 0, 450.0, 0, 0, 50.0, 0, 0, 0, 0]


def test_contracts_under_a_town(changsha):
    view = contracts.contracts_view(changsha, AS_OF, 1_000_000)
    assert (view.headline.actual, view.headline.target, view.n_contracts) == (300.0, None, 2)
    assert (
        view.monthly["pace"].null_count() == view.monthly.height
    )  # no county pace line for a town


def test_contracts_absent(tmp_path):
    wh = Warehouse(write_county(tmp_path, tech_contracts=False))
    view = contracts.contracts_view(wh, AS_OF, 1_000_000)
    assert view.headline.actual is None and view.by_type is None and view.n_contracts is None
    assert contracts.prospects(wh, AS_OF) is None


def test_prospects_membership_order_and_reasons(county):
    out = contracts.prospects(county, AS_OF)
    assert out["uscc"].to_list() == [uscc(6), uscc(4), uscc(5), uscc(12), uscc(14)]
    by_firm = {r["uscc"]: r for r in out.to_dicts()}
    assert by_firm[uscc(4)]["hnte_valid_until"] == date(
        2027, 2, 27
    )  # 2024-02-29 + 3 years = 2027-02-28, exclusive
    assert by_firm[uscc(4)]["last_registered_on"] == date(2025, 12, 31)
    assert by_firm[uscc(12)]["hnte_valid_until"] == AS_OF
    assert by_firm[uscc(6)]["reasons"] == "2025年研发投入 12.5 万元"
    assert by_firm[uscc(4)]["reasons"] == "有效高企（至2027年2月27日）"
    assert by_firm[uscc(5)]["reasons"] == "产学研项目 1 项"


def test_prospects_on_the_day_after(county):
    # firm 12's certificate lapses; T4 (firm 2) does not matter, firm 2 registered already.
    assert uscc(12) not in contracts.prospects(county, date(2026, 11, 1))["uscc"].to_list()


def test_prospect_reasons_combined():
    text = contracts.prospect_reasons(date(2027, 1, 2), 2, 2025, 1234.5)
    assert text == "有效高企（至2027年1月2日）；产学研项目 2 项；2025年研发投入 1,234.5 万元"
    assert contracts.prospect_reasons(None, 0, 2025, 0.0) == ""


# -- 产学研 -----------------------------------------------------------------------------------


def test_iur_funnel_and_headline(county):
    view = iur.iur_view(county, AS_OF, 100)
    assert view.headline.actual == 4
    assert view.funnel["n_reached"].to_list() == [8, 6, 4, 2, 1]
    assert view.funnel["n_at_stage"].to_list() == [2, 2, 2, 1, 1]
    assert view.funnel["conversion_ratio"].to_list() == [None, 0.75, 4 / 6, 0.5, 0.5]
    assert (
        view.funnel["n_reached"][2] == view.headline.actual
    )  # reached 备案登记 = registered in the year
    assert rows(view.pipeline, "project_id", "stage_reached") == {
        "I1": "跟踪服务",
        "I2": "落地实施",
        "I3": "备案登记",
        "I4": "备案登记",
        "I5": "精准对接",
        "I9": "精准对接",
        "I6": "需求征集",
        "I10": "需求征集",
    }


def test_iur_funnel_on_an_earlier_day(county):
    # On 2026-08-01 I3 (registered 08-02) had not been registered yet: it counts at 精准对接.
    view = iur.iur_view(county, date(2026, 8, 1), 100)
    assert view.funnel["n_reached"].to_list() == [8, 6, 3, 2, 1]
    assert view.headline.actual == 3


def test_iur_breakdowns(county):
    view = iur.iur_view(county, AS_OF, 100)
    assert rows(view.by_mode, "mode", "n_projects", "n_registered") == {
        "委托开发": (1, 1),
        "合作开发": (1, 0),
        "揭榜挂帅": (2, 2),
        "定向委托": (1, 1),
        "技术转让": (1, 0),
        "共建研发机构": (0, 0),
        "未填报": (2, 0),
    }
    assert rows(view.by_region, "region_bucket", "n_projects") == {
        "上海": 2,
        "苏南": 2,
        "长三角其他": 1,
        "珠三角": 1,
        "本地（南通）": 0,
        "其他地区": 0,
        "未填报": 2,
    }
    assert rows(view.by_partner, "partner", "region_bucket", "n_projects", "amount_wan")[
        "南京大学"
    ] == ("苏南", 2, 130.0)


@pytest.mark.parametrize(
    ("days", "expected"), [(89, ["I8", "I4", "I3"]), (90, ["I8", "I4"]), (91, ["I8"]), (304, [])]
)
def test_iur_follow_up_at_the_day_boundary(county, days, expected):
    out = iur.follow_up(county, AS_OF, days)
    assert out["project_id"].to_list() == expected


def test_iur_follow_up_days(county):
    assert rows(iur.follow_up(county, AS_OF), "project_id", "days_since_registered") == {
        "I8": 304,
        "I4": 91,
    }


def test_the_work_records_iur_list_is_the_pages_follow_up_list(county):
    # One rule (engine.worklists) for the page and the work records: I4 and I8 wait past 90 days,
    # both firm 2's, which the 产学研 list holds once.
    assert iur.follow_up is worklists.iur_follow_up
    members = lists.members(county, AS_OF)
    assert members.filter(pl.col("list_id") == "iur")["uscc"].to_list() == [uscc(2)]


# -- 科创项目招引 -------------------------------------------------------------------------------


def test_projects_view(county):
    view = projects.projects_view(county, AS_OF, 50)
    assert view.headline.actual == 2
    assert view.pipeline.rows() == [
        ("在谈", 2, 1, 100.0),
        ("签约", 2, 2, 380.0),
        ("落地", 4, 2, 1800.0),
    ]
    assert rows(view.by_field, "field", "n_projects") == {"人工智能": 1, "新能源": 1}
    assert rows(view.by_region, "region_bucket", "n_projects") == {
        "上海": 1,
        "苏南": 1,
        "长三角其他": 0,
        "珠三角": 0,
        "本地（南通）": 0,
        "其他地区": 0,
    }
    assert rows(view.by_town, "town", "n_projects") == {"掘港街道": 1, CHANGSHA: 1}
    assert view.landed["project_id"].to_list() == ["S2", "S1"]
    assert view.in_progress["project_id"].to_list() == ["S3", "S7", "S8", "S9"]


def test_projects_under_a_town(changsha):
    view = projects.projects_view(changsha, AS_OF, 50)
    assert view.headline.actual == 1 and view.headline.target is None
    assert view.pipeline["n_projects"].to_list() == [1, 1, 1]


# -- 科小二服务 ---------------------------------------------------------------------------------


def test_services_view(county):
    view = services.services_view(county, AS_OF, 100)
    assert (view.headline.actual, view.n_key) == (2, 4)
    assert view.unvisited["uscc"].to_list() == [uscc(4), uscc(3)]  # by town, then name
    assert rows(view.unvisited, "uscc", "last_visited_on") == {
        uscc(3): date(2025, 12, 31),
        uscc(4): None,
    }
    assert rows(view.by_town, "town", "n_key", "n_served", "n_unvisited", "coverage_ratio") == {
        "掘港街道": (2, 1, 1, 0.5),
        CHANGSHA: (2, 1, 1, 0.5),
    }
    assert rows(view.by_service_type, "service_type", "n_visits", "n_key_visited") == {
        "创新型企业培育": (0, 0),
        "产学研合作": (0, 0),
        "政策落实": (1, 1),
        "未来产业发展": (0, 0),
        "高企申报辅导": (1, 1),
        "研发费用归集": (0, 0),
        "专利布局": (1, 1),
        "项目申报": (1, 0),
    }
    assert rows(
        view.by_team, "team", "n_visits", "n_firms", "n_key_visited", "n_key", "n_served"
    ) == {
        "第二服务队": (2, 2, 2, 2, 1),
        "第一服务队": (1, 1, 1, 2, 1),
        "第三服务队": (1, 1, 0, 0, 0),
    }


def test_services_without_the_key_list(tmp_path):
    view = services.services_view(
        Warehouse(write_county(tmp_path, key_enterprises=False)), AS_OF, 100
    )
    assert view.headline.actual is None and view.unvisited is None and view.by_town is None
    assert "n_key_visited" not in view.by_service_type.columns  # unknown, not 0
    assert view.by_service_type["n_visits"].sum() == 4


# -- 科创专员 ----------------------------------------------------------------------------------


def test_commissioners_view(county):
    view = commissioners.commissioners_view(county, AS_OF, 100)
    assert view.headline.actual == 3
    assert rows(view.by_role, "role", "n_serving") == {
        "科技招商专员": 1,
        "政策服务专员": 1,
        "场景服务专员": 1,
        "科技研发服务专员": 0,
    }
    assert rows(view.by_field, "field", "n_serving") == {"人工智能": 2, "前沿新材料": 1}
    assert rows(view.roster, "commissioner_id", "serving_status") == {
        "C1": "在任",
        "C2": "在任",
        "C5": "在任",
        "C4": "已离任",
        "C7": "已离任",
    }
    assert view.monthly["actual"].to_list() == [3.0] * 10
    assert view.monthly["n_joined"].to_list() == [0] * 9 + [1]
    assert view.monthly["n_left"].to_list() == [1] + [0] * 8 + [1]


def test_commissioner_names_never_leave_the_warehouse(county):
    view = commissioners.commissioners_view(county, AS_OF, 100)
    for frame in (view.roster, view.by_role, view.by_field, view.monthly):
        assert "name" not in frame.columns
        assert not any(n in str(frame.rows()) for n in COMMISSIONER_NAMES)


# -- 培训 ------------------------------------------------------------------------------------


def test_trainings_view(county, changsha):
    from kechuang.engine.plan import load_plan

    view = trainings.trainings_view(county, AS_OF, load_plan(2026))
    assert (view.sme_trainings.actual, view.sme_attendance.actual, view.cadre_trainings.actual) == (
        2,
        4,
        1,
    )
    assert rows(view.trainings, "training_id", "training_status", "n_firms") == {
        "TR1": ("已举办", 3),
        "TR4": ("已举办", 0),
        "TR2": ("已举办", 1),
        "TR3": ("计划中", 1),
    }
    assert trainings.sme_attendance(view.trainings)["n_firms"].sum() == view.sme_attendance.actual
    assert trainings.sme_attendance(view.trainings)["label"].to_list() == [
        "第1场（1月1日）",
        "第2场（10月31日）",
    ]
    town = trainings.trainings_view(changsha, AS_OF, load_plan(2026))
    assert (town.sme_trainings.actual, town.sme_attendance.actual, town.cadre_trainings.actual) == (
        2,
        2,
        1,
    )
    assert (town.sme_trainings.target, town.sme_attendance.target) == (3, None)


def test_trainings_without_attendance(tmp_path):
    view = trainings.trainings_view(
        Warehouse(write_county(tmp_path, training_attendance=False)), AS_OF, None
    )
    assert view.sme_attendance.actual is None
    assert view.trainings["n_firms"].null_count() == view.trainings.height  # unknown, not 0


# -- charts ----------------------------------------------------------------------------------


def test_cumulative_chart_structure(county):
    fig = charts.cumulative_chart(
        common.monthly(county, "tech_contract_amount", AS_OF, 1e6), "登记额", "亿元", scale=10_000
    )
    assert isinstance(fig, go.Figure)
    assert [t.type for t in fig.data] == ["bar", "scatter", "scatter"]
    assert [t.name for t in fig.data] == ["当月", "累计完成", "序时进度"]
    assert fig.layout.title.text == "登记额" and fig.layout.yaxis.title.text == "亿元"
    assert fig.data[1].y[-1] == pytest.approx(0.19) and list(fig.data[0].x)[:2] == ["1月", "2月"]
    no_target = charts.cumulative_chart(
        common.monthly(county, "commissioners", AS_OF, None), "专员", "名", bars=False
    )
    assert [t.name for t in no_target.data] == ["累计完成"]


def test_bar_and_funnel_chart_structure(county):
    view = contracts.contracts_view(county, AS_OF, 1e6)
    fig = charts.bar_chart(
        view.by_type,
        "contract_type",
        [("amount_wan", "合同成交额"), ("tech_amount_wan", "技术交易额")],
        "按类别",
        "万元",
    )
    assert [t.type for t in fig.data] == ["bar", "bar"] and fig.layout.barmode == "group"
    assert list(fig.data[0].y) == list(contracts.CONTRACT_TYPES) and fig.data[0].orientation == "h"
    top = charts.bar_chart(
        view.firms, "name", [("amount_wan", "合同成交额")], "前 2", "万元", top=2
    )
    assert len(top.data[0].y) == 2 and top.layout.showlegend is False
    long = charts.bar_chart(
        pl.DataFrame({"k": ["常州大学国家技术转移中心如东分中心", "短名"], "v": [2, 1]}),
        "k",
        [("v", "项目")],
        "t",
        "项",
    )
    assert (
        list(long.layout.yaxis.ticktext) == ["常州大学国家技术转…", "短名"]
        and long.data[0].y[0] == "常州大学国家技术转移中心如东分中心"
    )
    stacked = charts.bar_chart(
        services.services_view(county, AS_OF, 100).by_town,
        "town",
        [("n_served", "已走访"), ("n_unvisited", "未走访")],
        "覆盖",
        "家",
        stacked=True,
    )
    assert stacked.layout.barmode == "stack"
    funnel = charts.funnel_chart(iur.iur_view(county, AS_OF, 100).funnel, "全流程")
    assert funnel.data[0].type == "funnel" and list(funnel.data[0].x) == [8, 6, 4, 2, 1]
    assert funnel.data[0].text[1] == "6 项（转化 75.0%）" and funnel.data[0].text[0] == "8 项"
    assert funnel.layout.title.text == "全流程"
