"""The leadership cockpit (kechuang.models.overview and views/overview.py) on a hand-built county.

The county on 2026-02-01 (day 32 of 365; elapsed share 32/365), against plans/2026.toml:
- active firms: 掘港街道 F1-F3, 长沙镇 F4-F5 (F6 deregistered, F7 established after the day: not
  counted)
- sci_projects_landed 6 (长沙镇 3, 掘港街道 2, no town 1; one landed on the day): target 50,
  expected 4.38 -> on track
- new_hnte 4 (掘港街道 F1-F3, 长沙镇 F4): expected 4.38, 80% = 3.51 -> at risk
- rd_coverage 4 of 5 manufacturers R&D-active = 80% exactly -> at risk (the boundary); 长沙镇 F5 on
  the worklist
- iur_projects 2 (掘港街道): expected 8.77, 80% = 7.01 -> behind
- tech_contract_amount 80,000 万元 (掘港 50,000, 长沙 30,000): expected 87,671.23, 80% = 70,136.99
  -> at risk;
  a 2025 contract of 20,000 万元 gives the same day last year
- sme_trainings 1 (county-wide): expected 0.26 -> on track; training_attendance absent; the rest
  absent.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import polars as pl
import pytest
from fixtures import choose_date, firm, open_sections, uscc, write_table, write_warehouse
from streamlit.testing.v1 import AppTest

from kechuang.engine import metrics
from kechuang.engine.plan import Plan, Task, load_plan
from kechuang.engine.warehouse import Warehouse
from kechuang.models import attention, links, tasks, timeline, towns
from kechuang.models import overview as cockpit
from kechuang.zh import fmt

ROOT = Path(__file__).resolve().parent.parent
DAY = date(2026, 2, 1)
PLAN = load_plan(2026)


def county_rows() -> dict[str, list[dict]]:
    return {
        "enterprises": [
            firm(1),
            firm(2),
            firm(3),
            firm(4, town="长沙镇"),
            firm(5, town="长沙镇"),
            firm(6, town="长沙镇", status="注销"),
            firm(7, established_on=date(2026, 3, 1)),
        ],
        "stats_annual": [
            {
                "uscc": uscc(n),
                "year": 2025,
                "revenue_wan": 20000.0,
                "rd_expense_wan": 0.0 if n == 5 else 100.0,
            }
            for n in range(1, 6)
        ],
        "sci_projects": [
            {
                "project_id": f"P{i}",
                "high_growth": True,
                "stage": "落地",
                "landed_on": on,
                "town": town,
            }
            for i, (on, town) in enumerate(
                [
                    (date(2026, 1, 5), "长沙镇"),
                    (date(2026, 1, 6), "长沙镇"),
                    (date(2026, 2, 1), "长沙镇"),
                    (date(2026, 1, 7), "掘港街道"),
                    (date(2026, 1, 8), "掘港街道"),
                    (date(2026, 1, 9), None),
                ]
            )
        ],
        "hnte_certificates": [
            {"uscc": uscc(n), "certificate_no": f"C{n}", "issued_on": date(2026, 1, 10 + n)}
            for n in range(1, 5)
        ],
        "iur_projects": [
            {"project_id": "I1", "uscc": uscc(1), "registered_on": date(2026, 1, 12)},
            {"project_id": "I2", "uscc": uscc(2), "registered_on": date(2026, 1, 13)},
        ],
        "tech_contracts": [
            {
                "contract_id": "T1",
                "uscc": uscc(1),
                "amount_wan": 50000.0,
                "registered_on": date(2026, 1, 15),
            },
            {
                "contract_id": "T2",
                "uscc": uscc(4),
                "amount_wan": 30000.0,
                "registered_on": date(2026, 1, 20),
            },
            {
                "contract_id": "T0",
                "uscc": uscc(2),
                "amount_wan": 20000.0,
                "registered_on": date(2025, 1, 10),
            },
        ],
        "trainings": [
            {"training_id": "TR1", "kind": "中小企业专项培训", "held_on": date(2026, 1, 20)}
        ],
    }


@pytest.fixture
def county_dir(tmp_path) -> Path:
    data = write_warehouse(tmp_path / "data", **county_rows())
    write_table(data, "tax_annual", [])
    return data


@pytest.fixture
def county(county_dir) -> Warehouse:
    return Warehouse(county_dir)


def by_id(items):
    return {c.id: c for c in items}


# -- small rules ------------------------------------------------------------------------------


def test_county_wide_and_town_metrics():
    assert [m for m in metrics.METRIC_BY_ID if metrics.county_wide(m)] == [
        "commissioners",
        "sme_trainings",
        "cadre_trainings",
    ]
    assert towns.town_metrics() == [
        "sci_projects_landed",
        "new_hnte",
        "cultivation",
        "iur_projects",
        "tech_contract_amount",
        "key_enterprises_served",
        "sme_training_attendance",
        "new_rd_partnerships",
    ]
    assert metrics.judged_in_scope("new_hnte", scoped=False)
    assert not metrics.judged_in_scope("new_hnte", scoped=True)
    assert metrics.judged_in_scope("rd_coverage", scoped=True)
    assert metrics.judged_in_scope("commissioners", scoped=True)


def test_pace_rounded_up_and_signed():
    # One rule (fmt): the expected-by-now rounded up at the shown precision; the gap from the
    # shown figures.
    assert fmt.pace_text(4.38356, "家") == "5 家"
    assert fmt.pace_text(4.0, "家") == "4 家"
    assert fmt.pace_text(87671.23, "万元") == "8.77 亿元"
    assert fmt.pace_text(5068.49, "万元") == "0.51 亿元"
    assert fmt.pace_text(None, "家") == "—"
    assert fmt.gap_text(2, 2.49, "场") == "1 场"
    assert fmt.gap_text(80000, 87671.23, "万元") == "0.77 亿元"
    assert cockpit.signed(7, "个") == "+7 个"
    assert cockpit.signed(-2, "家") == "-2 家"
    assert cockpit.signed(60000.0, "万元") == "+6.00 亿元"
    assert cockpit.signed(-4228.9, "万元") == "-0.42 亿元"
    assert cockpit.signed(0.012, "比率") == "+1.2 个百分点"
    assert cockpit.signed(0, "家") == "持平"
    assert cockpit.signed(0.0004, "比率") == "持平"  # shows as 0.0 个百分点
    assert cockpit.signed(1e-9, "万元") == "持平"


# -- the same day last year ---------------------------------------------------------------


def test_year_ago_only_where_the_data_reaches_back(county):
    before = timeline.year_ago(county, DAY)
    assert before["tech_contract_amount"] == timeline.YearAgo(
        date(2025, 2, 1), 20000.0, None, False
    )
    assert before["new_hnte"].actual is None  # certificates start in 2026: a 0 would be a guess
    assert before["cultivation"].actual is None  # absent
    assert (
        timeline.year_ago_text(before["tech_contract_amount"], "万元")
        == "上年同期（2025年2月1日）：2.00 亿元"
    )
    assert (
        timeline.year_ago_text(before["new_hnte"], "家")
        == "上年同期（2025年2月1日）：—（数据未覆盖2025年）"
    )


def test_year_ago_of_a_town_uses_the_county_reach(county_dir):
    # 长沙镇 has no contract in 2025, but the county's data reaches 2025: its 0 is real.
    before = timeline.year_ago(Warehouse(county_dir, {"长沙镇"}), DAY)
    assert before["tech_contract_amount"].actual == 0


def test_year_ago_with_last_years_plan_and_a_leap_day(tmp_path, county):
    plans = tmp_path / "plans"
    plans.mkdir()
    (plans / "2027.toml").write_text(
        'year = 2027\ntitle = "t"\n[targets]\nnew_hnte = 60\n', encoding="utf-8"
    )
    y = timeline.year_ago(county, date(2028, 2, 29), plans)["new_hnte"]
    assert (y.on, y.target, y.has_plan) == (date(2027, 2, 28), 60.0, True)
    assert (
        timeline.year_ago_text(timeline.YearAgo(y.on, 3, 60.0, True), "家")
        == "上年同期（2027年2月28日）：3 家；2027年目标 60 家"
    )
    assert (
        timeline.year_ago_text(timeline.YearAgo(y.on, 3, 60.0, True), "家", with_target=False)
        == "上年同期（2027年2月28日）：3 家"
    )


# -- cards ------------------------------------------------------------------------------------


def test_cards_for_the_county(county):
    cards = by_id(cockpit.cards(county, DAY, PLAN))
    assert list(cards) == [m.id for m in metrics.METRICS]
    hnte = cards["new_hnte"]
    assert (hnte.value, hnte.status, hnte.badge, hnte.share, hnte.share_text) == (
        "4 家",
        "at_risk",
        "预警",
        0.08,
        "完成年度目标 8.0%",
    )
    assert hnte.lines == (
        "年度目标 50 家",
        "序时应完成 5 家",
        "差 1 家",
        "预计全年 46 家",
    )  # 50 x 32/365 = 4.38 rounded up; 4 x 365/32 = 45.6
    assert hnte.trend == (4.0, 4.0) and hnte.trend_note is None
    assert hnte.delta is None
    sci = cards["sci_projects_landed"]
    assert (sci.value, sci.status, sci.trend) == (
        "6 个",
        "on_track",
        (5.0, 6.0),
    )  # January, then the as-of day
    tech = cards["tech_contract_amount"]
    assert (tech.value, tech.status, tech.delta) == ("8.00 亿元", "at_risk", "+6.00 亿元")
    assert tech.lines == (
        "年度目标 100.00 亿元",
        "序时应完成 8.77 亿元",
        "差 0.77 亿元",
        "预计全年 91.25 亿元",
    )
    assert tech.year_ago == "上年同期（2025年2月1日）：2.00 亿元"
    assert (cards["iur_projects"].status, cards["iur_projects"].badge) == ("behind", "滞后")
    rd = cards["rd_coverage"]
    assert (rd.value, rd.status, rd.badge) == ("80.0%", "at_risk", "预警")
    assert rd.lines == ("年度目标 100.0%", "有研发活动 4 家 / 共 5 家，待清零 1 家")
    assert (rd.trend, rd.trend_note) == (None, "比率指标，无月度趋势")
    culture = cards["cultivation"]
    assert (culture.value, culture.status, culture.badge, culture.share) == (
        "—",
        None,
        "数据暂缺",
        None,
    )
    assert culture.lines == (
        "年度目标 10 家",
        "序时应完成 1 家",
        "缺少数据：瞪羚、独角兽定制化培育名单",
    )
    assert cards["new_rd_partnerships"].badge == "数据暂缺"


def test_a_roster_has_no_trend(tmp_path):
    wh = Warehouse(
        write_warehouse(
            tmp_path / "d", enterprises=[firm(1)], cultivation=[{"uscc": uscc(1), "year": 2026}]
        )
    )
    card = by_id(cockpit.cards(wh, DAY, PLAN))["cultivation"]
    assert (card.value, card.trend, card.trend_note) == ("1 家", None, "名单制指标，无月度趋势")


def test_cards_for_a_town_show_its_contribution(county_dir):
    cards = by_id(cockpit.cards(Warehouse(county_dir, {"长沙镇"}), DAY, PLAN))
    hnte = cards["new_hnte"]
    assert (hnte.value, hnte.status, hnte.badge, hnte.share_text) == (
        "1 家",
        None,
        "镇区贡献",
        "占全县年度目标 2.0%",
    )
    assert hnte.lines == ("全县年度目标 50 家",)
    assert cards["tech_contract_amount"].value == "3.00 亿元"
    assert (
        cards["tech_contract_amount"].year_ago == "上年同期（2025年2月1日）：0.00 亿元"
    )  # no plan target: a town has none
    assert cards["sci_projects_landed"].value == "3 个"
    rd = cards["rd_coverage"]  # a ratio is judged for a town too: every town works down to zero
    assert (rd.value, rd.status) == ("50.0%", "behind")
    training = cards["sme_trainings"]  # county-wide: unchanged by the town, and still judged
    assert (training.value, training.status) == ("1 场", "on_track")
    assert "全县数据（不分镇区）" in training.lines


def test_cards_without_a_plan(county):
    cards = by_id(cockpit.cards(county, DAY, None))
    assert (cards["new_hnte"].badge, cards["new_hnte"].status, cards["new_hnte"].lines) == (
        "未设目标",
        None,
        ("预计全年 46 家",),
    )


# -- the warning list ---------------------------------------------------------------------


def test_attention_names_exactly_the_behind_and_at_risk_targets(county):
    items = attention.attention(county, DAY, PLAN)
    assert [(a.id, a.status) for a in items] == [
        ("iur_projects", "behind"),
        ("cadre_trainings", "behind"),  # trainings present, no cadre training yet: 0 < 80% of 0.09
        ("new_hnte", "at_risk"),
        ("rd_coverage", "at_risk"),
        ("tech_contract_amount", "at_risk"),
    ]
    iur, cadre, hnte, rd, tech = items
    assert cadre.towns == "全县统筹指标，不分镇区"
    assert iur.summary == "完成 2 项，序时应完成 9 项，差 7 项，完成年度目标 2.0%"
    # fair share by active firms (掘港 3/5, 长沙 2/5) of 8.77 expected: 5.26 and 3.51, rounded up
    assert iur.towns == "拖后：长沙镇（差 4 项）、掘港街道（差 4 项）"
    assert hnte.towns == "拖后：长沙镇（差 1 家）"  # 掘港 delivered 3 of its 2.63 (shown 3)
    assert (rd.summary, rd.towns) == ("80.0%，目标 100.0%", "待清零企业最多：长沙镇 1 家")
    assert tech.summary == "完成 8.00 亿元，序时应完成 8.77 亿元，差 0.77 亿元，完成年度目标 8.0%"
    # fair shares 52,602.74 and 35,068.49 万元, rounded up to 0.01 亿元: 5.27 and 3.51 亿元
    assert tech.towns == "拖后：长沙镇（差 0.51 亿元）、掘港街道（差 0.27 亿元）"


def test_standing_text(county):
    rows = metrics.progress(county, DAY, PLAN)
    assert cockpit.standing_text(rows) == "7 项有量化目标：达标进度 2 项，预警 3 项，滞后 2 项"
    assert (
        cockpit.standing_text(metrics.progress(county, DAY, None))
        == "暂无可作序时判断的指标（未设目标或数据暂缺）"
    )


def test_attention_for_a_chosen_town(county):
    items = by_id(attention.attention(county, DAY, PLAN, "长沙镇"))
    assert items["iur_projects"].towns == "长沙镇：完成 0 项，按企业数占比应完成 4 项，差 4 项"
    assert (
        items["tech_contract_amount"].towns
        == "长沙镇：完成 3.00 亿元，按企业数占比应完成 3.51 亿元，差 0.51 亿元"
    )
    assert items["rd_coverage"].towns == "长沙镇：待清零 1 家"
    assert by_id(attention.attention(county, DAY, PLAN, "掘港街道"))["new_hnte"].towns == (
        "掘港街道：完成 3 家，按企业数占比应完成 3 家，已达到占比"
    )


def test_attention_for_county_wide_targets_and_without_a_plan(county):
    behind_training = Plan(2026, "t", "", {"sme_trainings": 100.0}, ())
    assert [(a.id, a.towns) for a in attention.attention(county, DAY, behind_training)] == [
        ("sme_trainings", "全县统筹指标，不分镇区")
    ]
    assert attention.attention(county, DAY, None) == []


def test_town_gaps(county):
    gaps = attention.town_gaps(county, "new_hnte", DAY, 4.0)
    assert gaps.to_dicts() == [
        {"town": "长沙镇", "actual": 1.0, "expected": 1.6, "gap": pytest.approx(0.6)},
        {
            "town": "掘港街道",
            "actual": 3.0,
            "expected": pytest.approx(2.4),
            "gap": pytest.approx(-0.6),
        },
    ]


@pytest.mark.parametrize("plan", [PLAN, None])
def test_overview_equals_the_separate_calls(county, plan):
    view = cockpit.overview(county, DAY, plan)
    assert view.alerts == attention.attention(county, DAY, plan)
    assert view.county_rows == metrics.progress(county, DAY, plan)
    assert view.cards == cockpit.cards(county, DAY, plan)
    assert view.town_table.equals(towns.town_table(county, DAY))


def test_overview_with_a_town_or_for_a_town_officer(county):
    chosen = cockpit.overview(county, DAY, PLAN, "长沙镇")
    assert chosen.alerts == attention.attention(county, DAY, PLAN, "长沙镇")
    assert chosen.county_rows == metrics.progress(county, DAY, PLAN)
    assert chosen.cards is None  # the town's cards come from the town's warehouse
    assert chosen.town_table.equals(towns.town_table(county, DAY))
    officer = cockpit.overview(county, DAY, PLAN, None, county_view=False)
    assert (officer.alerts, officer.county_rows) == ([], [])
    assert officer.cards == cockpit.cards(county, DAY, PLAN)
    officer_town = cockpit.overview(county, DAY, PLAN, "长沙镇", county_view=False)
    assert (officer_town.alerts, officer_town.county_rows, officer_town.cards) == ([], [], None)
    assert officer_town.town_table.equals(towns.town_table(county, DAY))


# -- by town ------------------------------------------------------------------------------


def test_town_table(county):
    table = towns.town_table(county, DAY)
    assert table.columns == ["town", "n_enterprises", *towns.town_metrics(), "rd_worklist"]
    rows = {r["town"]: r for r in table.to_dicts()}
    assert list(rows) == [
        "掘港街道",
        "长沙镇",
        towns.TOWN_UNKNOWN,
    ]  # by active firms; no town last
    assert rows["掘港街道"] == {
        "town": "掘港街道",
        "n_enterprises": 3.0,
        "sci_projects_landed": 2.0,
        "new_hnte": 3.0,
        "cultivation": None,
        "iur_projects": 2.0,
        "tech_contract_amount": 50000.0,
        "key_enterprises_served": None,
        "sme_training_attendance": None,
        "new_rd_partnerships": None,
        "rd_worklist": 0.0,
    }
    assert (
        rows["长沙镇"]["sci_projects_landed"],
        rows["长沙镇"]["iur_projects"],
        rows["长沙镇"]["rd_worklist"],
    ) == (3.0, 0.0, 1.0)
    assert (
        rows[towns.TOWN_UNKNOWN]["n_enterprises"],
        rows[towns.TOWN_UNKNOWN]["sci_projects_landed"],
    ) == (0.0, 1.0)
    # the columns add up to the county's actuals
    assert table["sci_projects_landed"].sum() == 6 and table["tech_contract_amount"].sum() == 80000


def test_town_values_and_display(county):
    table = towns.town_table(county, DAY)
    assert towns.town_values(table, "new_hnte").to_dicts() == [
        {"town": "掘港街道", "value": 3.0},
        {"town": "长沙镇", "value": 1.0},
        {"town": towns.TOWN_UNKNOWN, "value": 0.0},
    ]
    assert towns.town_values(table, "rd_coverage")["value"].to_list() == [0.0, 1.0, 0.0]
    assert towns.town_values(table, "commissioners") is None  # county-wide
    assert towns.town_values(table, "cultivation") is None  # absent
    assert towns.town_chart_spec("rd_coverage") == ("各镇区研发活动待清零企业数", "家")
    assert towns.town_chart_spec("tech_contract_amount") == ("各镇区技术合同认定登记额", "万元")
    shown = towns.town_table_display(table)
    assert shown.columns[:3] == ["镇区", "在册企业（家）", "高成长型科创项目落地（个）"]
    assert (
        shown["技术合同认定登记额（亿元）"].dtype == pl.Float64
        and shown["新增高新技术企业（家）"].dtype == pl.Int64
    )
    assert shown.columns[-1] == "研发活动待清零企业（家）"


# -- cumulative chart data ----------------------------------------------------------------


def test_cumulative_series(county):
    cum = timeline.cumulative(county, "tech_contract_amount", DAY, PLAN)
    s = cum.series
    assert s.height == 12  # one point a month: the as-of day stands in for February's end
    assert s["on"].to_list()[:3] == [date(2026, 1, 31), date(2026, 2, 1), date(2026, 3, 31)]
    assert s["actual"].to_list()[:3] == [80000.0, 80000.0, None]
    assert s["pace"][1] == pytest.approx(1_000_000 * 32 / 365) and s["pace"][-1] == 1_000_000
    assert s["target"].unique().to_list() == [1_000_000]
    assert cum.last_year.to_dicts() == [
        {"on": date(2026, 1, 31), "actual": 20000.0},
        {"on": date(2026, 2, 1), "actual": 20000.0},
    ]
    assert (
        timeline.cumulative(county, "new_hnte", DAY, PLAN).last_year is None
    )  # certificates start in 2026
    assert timeline.cumulative(county, "rd_coverage", DAY, PLAN) is None
    assert timeline.cumulative(county, "cultivation", DAY, PLAN) is None


def test_cumulative_for_a_town_has_no_pace_line(county_dir):
    cum = timeline.cumulative(Warehouse(county_dir, {"长沙镇"}), "tech_contract_amount", DAY, PLAN)
    assert cum.series["pace"].null_count() == 12 and cum.series["actual"][0] == 30000.0


def test_pace_line_at_a_leap_year_end():
    line = timeline.pace_line(2028, 366.0, date(2028, 2, 29))
    assert line.filter(pl.col("on") == date(2028, 2, 29))["pace"].item() == 60.0  # 31 + 29 days
    assert line["pace"][-1] == 366.0


# -- the task breakdown -------------------------------------------------------------------


def test_task_breakdown(county):
    rows = metrics.progress(county, DAY, PLAN)
    breakdown = tasks.task_breakdown(rows, PLAN)
    assert len(breakdown) == len(PLAN.tasks)
    first = breakdown[0]  # sci (on track) and new_hnte (at risk): the worse one
    assert (first.status, first.status_text) == ("at_risk", "预警")
    assert first.departments.startswith("科技局、税务局")
    assert first.metrics == "高成长型科创项目落地、新增高新技术企业"
    assert (
        first.detail
        == "高成长型科创项目落地 6 个 / 50 个（达标进度）；新增高新技术企业 4 家 / 50 家（预警）"
    )
    texts = {(t.no, t.metrics): t.status_text for t in breakdown}
    assert texts[2, "—"] == "无量化指标"
    assert texts[2, "校企共建新型研发机构/产业联盟"] == "数据暂缺"  # rd_institutions absent
    assert texts[1, "瞪羚、独角兽定制化培育"] == "数据暂缺"
    assert texts[3, "产学研合作项目备案登记"] == "滞后"
    assert (
        texts[5, "中小企业专项培训、专项培训覆盖企业"] == "达标进度"
    )  # attendance absent: judged on what is known
    assert tasks.task_breakdown(rows, None) == []


def test_task_breakdown_tracked_only():
    rows = [metrics.Progress("new_rd_partnerships", "校企共建", "个", 6, None, None, 7.0, None)]
    plan = Plan(
        2026, "t", "", {}, (Task(2, "研发筑基行动", "共建", ("科技局",), ("new_rd_partnerships",)),)
    )
    (task,) = tasks.task_breakdown(rows, plan)
    assert (task.status, task.status_text, task.detail) == (
        None,
        "跟踪指标",
        "校企共建 6 个（跟踪指标）",
    )


# -- the share link -------------------------------------------------------------------------


def test_share_url(monkeypatch):
    monkeypatch.delenv("KECHUANG_BASE_URL", raising=False)
    assert links.share_url("", {"as_of": "2026-10-31"}) == "http://localhost:8501/?as_of=2026-10-31"
    monkeypatch.setenv("KECHUANG_BASE_URL", "https://kc.rudong.gov.cn/cockpit/")
    url = links.share_url(
        "progress", {"metric": "new_hnte", "share": "tok", "town": "长沙镇", "as_of": "2026-10-31"}
    )
    assert (
        url
        == "https://kc.rudong.gov.cn/cockpit/progress?as_of=2026-10-31&town=%E9%95%BF%E6%B2%99%E9%95%87&metric=new_hnte"
    )
    parts = urlsplit(url)
    assert parse_qs(parts.query) == {
        "as_of": ["2026-10-31"],
        "town": ["长沙镇"],
        "metric": ["new_hnte"],
    }
    assert links.share_url("/overview/", {}, base="http://h:1") == "http://h:1/overview"
    assert (
        links.share_url("", {"as_of": "2026-10-31", "town": ""}, base="http://h:1")
        == "http://h:1/?as_of=2026-10-31"
    )


# -- the page under AppTest -----------------------------------------------------------------


def open_page(data: Path, monkeypatch, **params) -> AppTest:
    monkeypatch.setenv("KECHUANG_DATA", str(data))
    monkeypatch.setenv("KECHUANG_BASE_URL", "http://kc.example")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    open_sections(at)
    assert not at.exception, [e.value for e in at.exception]
    return at


WARNING = re.compile(r"^:(red|orange)-badge\[(滞后|预警)\] \*\*(.+?)\*\*：")


def warnings_shown(at: AppTest) -> list[tuple[str, str]]:
    return [
        (m.group(2), m.group(3))
        for md in at.markdown
        if (m := WARNING.match(md.value)) and "责任部门" not in md.value
    ]


def test_page_cards_equal_the_engine(county_dir, monkeypatch):
    at = open_page(county_dir, monkeypatch, as_of=DAY.isoformat())
    rows = metrics.progress(Warehouse(county_dir), DAY, PLAN)
    assert [m.value for m in at.metric if m.label == "完成"] == [
        fmt.amount(p.actual, p.unit) for p in rows
    ]
    bars = [p.text for p in at.get("progress")]
    assert bars == [
        f"完成年度目标 {fmt.pct(p.share_of_target)}" for p in rows if p.share_of_target is not None
    ]
    captions = " ".join(c.value for c in at.caption)
    for p in rows:
        if p.target is not None and p.id != "rd_coverage" and p.actual is not None:
            assert f"序时应完成 {fmt.pace_text(p.expected, p.unit)}" in captions
            assert f"预计全年 {fmt.amount(p.projected, p.unit)}" in captions
    assert "上年同期（2025年2月1日）：2.00 亿元" in captions
    assert any(
        c.value.startswith("截至2026年2月1日，全县") for c in at.code
    )  # the briefing text, copyable
    assert any(e.label == "数据来源与更新时间" for e in at.expander)
    assert any(
        "- 技术合同认定登记：数据截至2026年1月20日，3 行" in md.value
        and "- 科创专员：暂缺" in md.value
        for md in at.markdown
    )


def test_page_warning_list_names_exactly_the_lagging_targets(county_dir, monkeypatch):
    at = open_page(county_dir, monkeypatch, as_of=DAY.isoformat())
    rows = metrics.progress(Warehouse(county_dir), DAY, PLAN)
    shown = warnings_shown(at)
    assert sorted(label for _, label in shown) == sorted(
        p.label for p in rows if p.status in ("behind", "at_risk")
    )
    assert shown[0] == ("滞后", "产学研合作项目备案登记")
    assert any("拖后：长沙镇（差 4 项）" in md.value for md in at.markdown)


def test_page_town_filter(county_dir, monkeypatch):
    at = open_page(county_dir, monkeypatch, as_of=DAY.isoformat())
    at.selectbox(key="town").set_value("长沙镇").run()
    assert at.query_params["town"] == "长沙镇"
    values = {
        p.label: m.value
        for p, m in zip(metrics.METRICS, [m for m in at.metric if m.label == "完成"], strict=True)
    }
    assert values["新增高新技术企业"] == "1 家"
    assert values["技术合同认定登记额"] == "3.00 亿元"
    assert values["亿元以上制造业企业研发活动覆盖率"] == "50.0%"
    assert values["中小企业专项培训"] == "1 场"  # county-wide, not scoped
    assert any("长沙镇：完成 0 项，按企业数占比应完成 4 项" in md.value for md in at.markdown)
    assert any("科创专员与培训场次为全县数据" in c.value for c in at.caption)


def test_page_url_round_trip(county_dir, monkeypatch):
    at = open_page(
        county_dir, monkeypatch, as_of="2026-01-31", town="长沙镇", metric="tech_contract_amount"
    )
    assert at.session_state["as_of"] == date(2026, 1, 31)
    assert at.selectbox(key="town").value == "长沙镇"
    assert at.selectbox(key="metric").value == "tech_contract_amount"
    links = [c.value for c in at.code if c.value.startswith("http://kc.example/")]
    assert links == [
        "http://kc.example/?as_of=2026-01-31&town=%E9%95%BF%E6%B2%99%E9%95%87&metric=tech_contract_amount"
    ]
    at.selectbox(key="metric").set_value("new_hnte").run()
    choose_date(at, "as_of", DAY)
    at.selectbox(key="town").set_value("全县").run()
    assert (at.query_params["as_of"], at.query_params["metric"], "town" in at.query_params) == (
        DAY.isoformat(),
        "new_hnte",
        False,
    )
    assert [c.value for c in at.code if c.value.startswith("http://kc.example/")] == [
        "http://kc.example/?as_of=2026-02-01&metric=new_hnte"
    ]


def test_page_defaults_to_the_most_urgent_target(county_dir, monkeypatch):
    at = open_page(county_dir, monkeypatch, as_of=DAY.isoformat())
    assert at.selectbox(key="metric").value == "iur_projects"
    assert at.query_params["metric"] == "iur_projects"


def test_page_without_a_plan_or_data(tmp_path, monkeypatch):
    at = open_page(
        write_warehouse(tmp_path / "d", enterprises=[firm(1)]), monkeypatch, as_of="2025-06-30"
    )
    assert warnings_shown(at) == []
    assert any("2025年尚无计划文件" in c.value for c in at.caption)
    assert all(m.value == "—" for m in at.metric if m.label == "完成")


def test_progress_page_does_not_pace_a_towns_share(county_dir, monkeypatch):
    monkeypatch.setenv("KECHUANG_DATA", str(county_dir))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.switch_page("views/progress.py")
    at.query_params["as_of"], at.query_params["town"] = DAY.isoformat(), "长沙镇"
    at.run()
    assert not at.exception
    assert at.selectbox(key="town").value == "长沙镇"
    values = [m.value for m in at.metric if m.label == "完成"]
    assert values[1] == "1 家"
    badges = [md.value for md in at.markdown if "-badge[" in md.value]
    assert (
        badges[1] == ":gray-badge[镇区贡献]" and badges[3] == ":red-badge[滞后]"
    )  # new_hnte; rd_coverage 50%
    assert "占全县年度目标 2.0%" in [p.text for p in at.get("progress")]
