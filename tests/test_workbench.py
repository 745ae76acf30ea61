"""Analyst workbench: 精准筛选, 瞪羚/独角兽, 研发活动清零 and 一企一档 — package functions with
exact values, chart structure, and each page under AppTest on hand-built fixtures."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import plotly.graph_objects as go
import polars as pl
import pytest
from fixtures import AS_OF, firm, open_sections, uscc, write_warehouse
from streamlit.testing.v1 import AppTest

from kechuang.charts import workbench as charts
from kechuang.engine import industries, metrics, profile, screening
from kechuang.engine.warehouse import Warehouse
from kechuang.models import enterprise_view, gazelle, rd_zero, threshold_inputs, workbench

ROOT = Path(__file__).resolve().parent.parent

# -- fixtures -------------------------------------------------------------------------------------
# 精准筛选 (A = 2026-10-31, Y = 2025). Evaluated: 1, 2, 3, 4, 6 (5 holds a valid certificate, 7 is
# 注销).
#  1  candidate exactly at the lines: 4800/4000 = 20% growth, 590/11800 = 5% at revenue(Y)
#     4800 <= 5000, R&D staff 10/100, assets 20000. Score 4 + 15 + 12 + 10 = 41.
#  2  candidate: 5000/4000 = 25% growth, 650/13000 = 5% (5000 is still the 5% tier), staff
#     20/100, an invention patent. Score 30 + 15 + 16 + 20 = 81. 长沙镇, division 39.
#  3  near miss on intensity: 585/13000 = 4.5%, 65 万元 short.
#  4  near miss on growth: 5900/5000 = 18%, 100 万元 short (its 5900 sits in the 4% tier:
#     695/13900 = 5%).
#  6  no tax data at all; stats only; no patent: fails IP, growth unknown — not a near miss.


def tax(n, revenues, rds, years=(2023, 2024, 2025)):
    return [
        {"uscc": uscc(n), "year": y, "revenue_wan": r, "rd_expense_wan": d}
        for y, r, d in zip(years, revenues, rds, strict=True)
    ]


def stats(n, year=2025, rd_staff=10, employees=100, assets=20000.0, **extra):
    return {
        "uscc": uscc(n),
        "year": year,
        "rd_staff": rd_staff,
        "employees": employees,
        "total_assets_wan": assets,
        **extra,
    }


def patent(n, ip_type="实用新型", **kw):
    return {
        "ip_id": f"ZL{n}{ip_type}",
        "uscc": uscc(n),
        "ip_type": ip_type,
        "granted_on": date(2024, 1, 1),
        "valid": True,
        **kw,
    }


def screening_tables() -> dict:
    return {
        "enterprises": [
            firm(1),
            firm(2, town="长沙镇", industry_code="3921"),
            firm(3),
            firm(4),
            firm(5),
            firm(6, name="如东无税科技有限公司"),
            firm(7, status="注销"),
        ],
        "tax_annual": [
            *tax(1, [3000.0, 4000.0, 4800.0], [150.0, 200.0, 240.0]),
            *tax(2, [4000.0, 4000.0, 5000.0], [200.0, 200.0, 250.0]),
            *tax(3, [4000.0, 4000.0, 5000.0], [180.0, 180.0, 225.0]),
            *tax(4, [3000.0, 5000.0, 5900.0], [150.0, 250.0, 295.0]),
            *tax(5, [3000.0, 4000.0, 4800.0], [150.0, 200.0, 240.0]),
            *tax(7, [3000.0, 4000.0, 4800.0], [150.0, 200.0, 240.0]),
        ],
        "stats_annual": [
            stats(1),
            stats(2, rd_staff=20),
            stats(3),
            stats(4),
            stats(5),
            stats(7),
            stats(
                6, revenue_wan=800.0, rd_expense_wan=40.0, rd_staff=3, employees=20, assets=500.0
            ),
        ],
        "patents": [patent(1), patent(2, "发明专利"), patent(3), patent(4), patent(5), patent(7)],
        "hnte_certificates": [
            {"uscc": uscc(5), "certificate_no": "GR5", "issued_on": date(2023, 12, 1)}
        ],
        "tax_monthly": [
            {
                "uscc": uscc(1),
                "period": date(2026, m, 1),
                "invoiced_sales_wan": 400.0 + m,
                "tax_paid_wan": 20.0,
            }
            for m in (8, 9)
        ],
        "service_visits": [
            {
                "visit_id": "V1",
                "uscc": uscc(6),
                "visited_on": date(2026, 6, 1),
                "service_type": "高企申报辅导",
                "team": "一组",
            }
        ],
    }


# 瞪羚/独角兽: every firm holds a certificate valid on A. Y = 2025, spans 2 and 4 (2021 data
# present).
#  11 revenue 1000 (2023) -> 1440 (2025): 1.44 exactly, passes; 2021 base 500 < 1000 fails the
#     four-year floor.
#  12 established exactly ten years before A; 2000 -> 3200 (1.6); 2021 base 1200: 3200/1200 >=
#     1.2^4. On the 2026 list.
#  13 a day too old.  14 revenue(Y) 999 < 1000 (passes once the floor is 900).
#  15 on the 2026 list (独角兽): trend 1000, 1200, 1500 (stats fallback), 2000, 2500.
#  16 on the list, no revenue.
#  17 on the 2025 list only.


def gazelle_tables() -> dict:
    years = (2021, 2023, 2025)
    return {
        "enterprises": [
            firm(11, established_on=date(2020, 1, 1)),
            firm(12, established_on=date(2016, 10, 31)),
            firm(13, established_on=date(2016, 10, 30)),
            firm(14, established_on=date(2020, 1, 1)),
            firm(15, established_on=date(2018, 1, 1)),
            firm(16, established_on=date(2018, 1, 1)),
            firm(17),
        ],
        "tax_annual": [
            *tax(11, [500.0, 1000.0, 1440.0], [0.0] * 3, years),
            *tax(12, [1200.0, 2000.0, 3200.0], [0.0] * 3, years),
            *tax(13, [1200.0, 2000.0, 3200.0], [0.0] * 3, years),
            *tax(14, [500.0, 600.0, 999.0], [0.0] * 3, years),
            *tax(
                15,
                [1000.0, 1200.0, None, 2000.0, 2500.0],
                [0.0] * 5,
                (2021, 2022, 2023, 2024, 2025),
            ),
        ],
        "stats_annual": [stats(15, year=2023, revenue_wan=1500.0)],
        "hnte_certificates": [
            {"uscc": uscc(n), "certificate_no": f"G{n}", "issued_on": date(2025, 1, 1)}
            for n in range(11, 18)
        ],
        "cultivation": [
            {"uscc": uscc(12), "year": 2026, "track": "瞪羚"},
            {"uscc": uscc(15), "year": 2026, "track": "独角兽"},
            {"uscc": uscc(16), "year": 2026, "track": "瞪羚"},
            {"uscc": uscc(17), "year": 2025, "track": "瞪羚"},
        ],
    }


# 研发活动清零 (Y = 2025 in stats_annual). Population: 21, 22, 25, 26; R&D-active: 22 (tax), 26
# (stats). Worklist: 25 (掘港街道, visited 2026-09-01; a visit after A does not count) and 21
# (洋口镇, exactly 1 亿元).


def rd_tables() -> dict:
    return {
        "enterprises": [
            firm(21, town="洋口镇", industry_code="2614"),
            firm(22, industry_code="3415"),
            firm(23, industry_code="3811"),
            firm(24, industry_code="5199"),
            firm(25, industry_code="1310"),
            firm(26, industry_code="4320"),
            firm(27, industry_code="3415", status="注销"),
        ],
        "stats_annual": [
            stats(21, revenue_wan=10000.0, rd_expense_wan=0.0, has_rd_institution=False),
            stats(22, revenue_wan=20000.0, rd_expense_wan=0.0),
            stats(23, revenue_wan=9999.99, rd_expense_wan=0.0),
            stats(24, revenue_wan=50000.0, rd_expense_wan=0.0),
            stats(25, revenue_wan=15000.0, rd_expense_wan=0.0),
            stats(26, revenue_wan=12000.0, rd_expense_wan=10.0),
            stats(27, revenue_wan=30000.0, rd_expense_wan=0.0),
        ],
        "tax_annual": [
            {"uscc": uscc(22), "year": 2025, "revenue_wan": 20000.0, "rd_expense_wan": 50.0},
            {"uscc": uscc(21), "year": 2025, "revenue_wan": 10000.0, "rd_expense_wan": 0.0},
        ],
        "service_visits": [
            {
                "visit_id": "V1",
                "uscc": uscc(21),
                "visited_on": date(2026, 5, 1),
                "service_type": "研发费用归集",
                "team": "二组",
            },
            {
                "visit_id": "V2",
                "uscc": uscc(25),
                "visited_on": date(2026, 9, 1),
                "service_type": "高企申报辅导",
                "team": "一组",
            },
            {
                "visit_id": "V3",
                "uscc": uscc(25),
                "visited_on": date(2026, 11, 15),
                "service_type": "政策落实",
                "team": "一组",
            },
        ],
    }


@pytest.fixture
def screen_wh(tmp_path) -> Warehouse:
    return Warehouse(write_warehouse(tmp_path / "s", **screening_tables()))


@pytest.fixture
def gazelle_wh(tmp_path) -> Warehouse:
    return Warehouse(write_warehouse(tmp_path / "g", **gazelle_tables()))


@pytest.fixture
def rd_wh(tmp_path) -> Warehouse:
    return Warehouse(write_warehouse(tmp_path / "r", **rd_tables()))


# -- industries -----------------------------------------------------------------------------------


def test_industry_division_names():
    assert industries.division_label("3415") == "34 通用设备制造业"
    assert industries.division_label("1310") == "13 农副食品加工业"
    assert industries.division_label("4320") == "43 金属制品、机械和设备修理业"
    assert industries.division_label("6513") == "65 软件和信息技术服务业"
    assert industries.division_label("9910") == "行业代码 99"
    assert industries.division_label(None) == industries.division_label("A1") == "行业不详"
    assert industries.section("3415") == ("C", "制造业") and industries.section("7320") == (
        "M",
        "科学研究和技术服务业",
    )
    assert [industries.is_manufacturing(c) for c in ("1299", "1310", "4390", "4411", None)] == [
        False,
        True,
        True,
        False,
        False,
    ]
    assert all(f"{n:02d}" in industries.DIVISIONS for n in range(13, 44))
    frame = pl.DataFrame({"industry_code": ["3415", "9910", None, " 2614"]})
    assert frame.select(workbench.division_expr())["industry_code"].to_list() == [
        "34 通用设备制造业",
        "行业代码 99",
        "行业不详",
        "26 化学原料和化学制品制造业",
    ]


# -- thresholds from widgets ----------------------------------------------------------------------


def test_thresholds_from_widget_values():
    defaults = screening.HnteThresholds()
    specs = {s.field: s for s in threshold_inputs.HNTE_INPUTS}
    assert threshold_inputs.widget_value(specs["intensity_tier1"], defaults) == 5.0
    assert threshold_inputs.widget_value(specs["tier2_max_wan"], defaults) == 20000.0
    assert threshold_inputs.widget_value(specs["sme_max_employees"], defaults) == 500
    # every default round-trips through its widget unchanged
    assert (
        threshold_inputs.hnte_thresholds(
            {
                s.field: threshold_inputs.widget_value(s, defaults)
                for s in threshold_inputs.HNTE_INPUTS
            }
        )
        == defaults
    )
    t = threshold_inputs.hnte_thresholds(
        {"growth_min": 25.0, "intensity_tier1": 4.5, "min_age_years": 2}
    )
    assert (t.growth_min, t.intensity_tier1, t.min_age_years) == (
        Decimal("0.25"),
        Decimal("0.045"),
        2,
    )
    assert t.params()["growth_min"] == "0.25"
    assert threshold_inputs.changed_thresholds(t) == [
        "成立年限不少于 2 年（默认 1 年）",
        "研发投入强度·第一档 4.5%（默认 5%）",
        "营业收入增长不低于 25%（默认 20%）",
    ]
    g = threshold_inputs.gazelle_thresholds(
        {"min_revenue_wan": 900.0, "growth_min": 20.0, "max_age_years": 10}, span_years=4
    )
    assert g == screening.GazelleThresholds(min_revenue_wan=Decimal("900"), span_years=4)


# -- 精准筛选 --------------------------------------------------------------------------------------


def test_filter_keys_are_named():
    frame = pl.DataFrame(
        {"division_code": ["34", "99", None], "size_band_no": [0, 2, 3], "rd_status_no": [0, 1, 2]}
    )
    out = workbench.classify(frame, screening.HnteThresholds())
    assert workbench.size_bands(screening.HnteThresholds()) == (
        "5,000 万元及以下",
        "5,000 万元–2 亿元",
        "2 亿元以上",
        "营收不详",
    )
    assert out["size_band"].to_list() == ["5,000 万元及以下", "2 亿元以上", "营收不详"]
    assert out["rd_status"].to_list() == ["有研发费用", "无研发费用", "研发数据缺失"]
    assert out["division"].to_list() == ["34 通用设备制造业", "行业代码 99", "行业不详"]
    bands = workbench.size_bands(
        screening.HnteThresholds(tier1_max_wan=Decimal("3000"), tier2_max_wan=Decimal("30000"))
    )
    assert (
        workbench.classify(
            frame,
            screening.HnteThresholds(tier1_max_wan=Decimal("3000"), tier2_max_wan=Decimal("30000")),
        )["size_band"].to_list()
        == [bands[0], bands[2], bands[3]]
        == ["3,000 万元及以下", "3 亿元以上", "营收不详"]
    )


def test_screen_page_filters_and_funnel(screen_wh):
    t = screening.HnteThresholds()
    page = workbench.screen_page(screen_wh, AS_OF, t)
    assert (
        page.counts["n_firms"].sum() == 5
    )  # evaluated: 1, 2, 3, 4, 6 (5 holds a certificate, 7 is closed)
    assert page.settled_year == 2025
    assert page.candidates["uscc"].to_list() == [uscc(2), uscc(1)]  # by score
    assert sorted(page.near_misses["uscc"]) == [
        uscc(3),
        uscc(4),
    ]  # 6 misses two criteria: counted, not listed
    assert workbench.divisions(page.counts) == [
        "34 通用设备制造业",
        "39 计算机、通信和其他电子设备制造业",
    ]
    electronics = ["39 计算机、通信和其他电子设备制造业"]
    assert workbench.filtered(page.counts, division=electronics)["n_firms"].sum() == 1
    assert workbench.filtered(page.candidates, division=electronics)["uscc"].to_list() == [uscc(2)]
    middle = [
        "5,000 万元–2 亿元"
    ]  # only 4 (revenue 5900); 2 and 3 sit exactly at 5000, the lower band
    assert workbench.filtered(page.counts, size=middle)["n_firms"].sum() == 1
    assert workbench.filtered(page.near_misses, size=middle)["uscc"].to_list() == [uscc(4)]
    assert workbench.filtered(page.counts, rd_status=["无研发费用"]).height == 0
    assert workbench.filtered(page.counts, rd_status=["有研发费用"])["n_firms"].sum() == 5
    funnel = workbench.funnel(page.counts, t)
    assert funnel["label"].to_list() == [
        "参评企业",
        "成立满1年",
        "拥有有效知识产权",
        "研发投入强度",
        "研发人员占比",
        "营业收入增长",
        "中小企业规模",
        "候选（六项全过）",
    ]
    # 6 fails IP (no patent) and has unknown growth; 3 fails intensity; 4 fails growth.
    assert funnel["n_firms"].to_list() == [5, 5, 4, 4, 5, 3, 5, 2]
    assert funnel["n_cumulative"].to_list() == [5, 5, 4, 3, 3, 2, 2, 2]
    assert (
        workbench.funnel(workbench.filtered(page.counts, division=electronics), t)[
            "n_cumulative"
        ].to_list()
        == [1] * 8
    )
    empty = workbench.funnel(workbench.filtered(page.counts, rd_status=["无研发费用"]), t)
    assert empty["n_firms"].to_list() == empty["n_cumulative"].to_list() == [0] * 8


def test_candidate_table_words_values_and_score(screen_wh):
    t = screening.HnteThresholds()
    page = workbench.screen_page(screen_wh, AS_OF, t)
    table = workbench.candidate_table(page.candidates, t)
    assert table["统一社会信用代码"].to_list() == [uscc(2), uscc(1)]  # by score
    assert table["培育评分"].to_list() == [81.0, 41.0]
    assert table.columns[:9] == [
        "企业名称",
        "培育评分",
        "所属镇区",
        "成立满1年",
        "拥有有效知识产权",
        "研发投入强度",
        "研发人员占比",
        "营业收入增长",
        "中小企业规模",
    ]
    assert set(table.row(1)[3:9]) == {"通过"}
    one = table.row(1, named=True)
    assert (
        one["上年营业收入（万元）"],
        one["强度要求"],
        one["研发人员占比（上年）"],
        one["行业"],
    ) == (4800.0, 0.05, 0.1, "34 通用设备制造业")
    assert (
        abs(one["营收增长率"] - 0.2) < 1e-12 and abs(one["研发费用占比（近三年）"] - 0.05) < 1e-12
    )
    three = (
        workbench.candidate_table(page.near_misses, t)
        .filter(pl.col("统一社会信用代码") == uscc(3))
        .row(0, named=True)
    )
    assert (three["拥有有效知识产权"], three["研发投入强度"], three["营业收入增长"]) == (
        "通过",
        "未通过",
        "通过",
    )


def test_near_miss_gaps_exact(screen_wh):
    t = screening.HnteThresholds()
    near = workbench.screen_page(screen_wh, AS_OF, t).near_misses
    table = workbench.near_miss_table(near, t)
    rows = {r["统一社会信用代码"]: r for r in table.iter_rows(named=True)}
    assert sorted(rows) == [uscc(3), uscc(4)]
    assert (
        rows[uscc(3)]["未达项"],
        rows[uscc(3)]["状态"],
        rows[uscc(3)]["差额"],
        rows[uscc(3)]["差额单位"],
    ) == ("研发投入强度", "未通过", 65.0, "万元")
    assert rows[uscc(3)]["差距"] == "研发投入强度 4.5%，需达 5%，三年研发费用还差 65.0 万元"
    assert rows[uscc(4)]["差距"] == "营业收入增长 18.0%，需达 20%，2025年营收还差 100.0 万元"
    assert rows[uscc(4)]["差额"] == 100.0
    counts = workbench.near_miss_counts(near, t)
    assert counts.filter(pl.col("未通过（家）") > 0)["未达项"].to_list() == [
        "研发投入强度",
        "营业收入增长",
    ]
    assert counts["数据缺失（家）"].sum() == 0


def test_changing_thresholds_changes_candidates_exactly(screen_wh):
    def candidates(**widgets):
        t = threshold_inputs.hnte_thresholds(widgets)
        return sorted(workbench.screen_page(screen_wh, AS_OF, t).candidates["uscc"])

    assert candidates() == [uscc(1), uscc(2)]
    assert candidates(growth_min=25.0) == [
        uscc(2)
    ]  # 20% growth no longer passes, 25% exactly still does
    assert candidates(growth_min=15.0) == [uscc(1), uscc(2), uscc(4)]  # 18% growth now passes
    assert candidates(intensity_tier1=4.5) == [uscc(1), uscc(2), uscc(3)]  # 4.5% exactly passes
    assert candidates(rd_staff_min=20.0) == [uscc(2)]


def test_score_explained_and_rules_follow_thresholds():
    assert sum(points for _, points, _ in workbench.SCORE_PARTS) == 100
    lines = workbench.score_parts()
    assert [line.split("：")[0] for line in lines] == [
        "知识产权（30分）",
        "研发投入强度（30分）",
        "营业收入增长（20分）",
        "研发人员占比（20分）",
    ]
    assert lines[2].endswith(
        "35%及以上20分，25%及以上16分，15%及以上12分，5%及以上8分，正增长4分，不增长0分"
    )
    rules = workbench.criteria_rules(
        threshold_inputs.hnte_thresholds({"growth_min": 30.0, "tier1_max_wan": 6000.0})
    )
    assert rules[4] == "营业收入增长：上年营业收入比前年增长不低于 30%"
    assert "上年营收6,000 万元及以下需达 5%" in rules[2]
    assert "不是认定评分" in workbench.SCORE_NOTE


def test_filter_tag_for_file_names():
    t = screening.HnteThresholds()
    assert workbench.filter_tag([], [], [], t) is None
    assert (
        workbench.filter_tag(["34 通用设备制造业"], ["2 亿元以上"], [], t)
        == "34通用设备制造业_2 亿元以上"
    )
    assert (
        workbench.filter_tag(
            ["a", "b", "c"],
            [],
            ["无研发费用"],
            threshold_inputs.hnte_thresholds({"growth_min": 25.0}),
        )
        == "3个行业_无研发费用_自定义阈值"
    )


# -- 瞪羚/独角兽 -----------------------------------------------------------------------------------


def test_gazelle_candidates_spans_and_places(gazelle_wh):
    assert gazelle.gazelle_spans(gazelle_wh, AS_OF) == (2, 4)
    two = gazelle.gazelle_table(
        screening.gazelle_candidates(gazelle_wh, AS_OF, threshold_inputs.gazelle_thresholds({}))
    )
    assert two["统一社会信用代码"].to_list() == [
        uscc(15),
        uscc(12),
        uscc(11),
    ]  # by growth: 2500/1500 (stats 2023), 3200/2000, 1440/1000
    assert two["培育名单"].to_list() == ["已入选（独角兽）", "已入选（瞪羚）", "未入选"]
    looser = threshold_inputs.gazelle_thresholds({"min_revenue_wan": 900.0})
    assert uscc(14) in screening.gazelle_candidates(gazelle_wh, AS_OF, looser)["uscc"].to_list()
    four = screening.gazelle_candidates(
        gazelle_wh, AS_OF, threshold_inputs.gazelle_thresholds({}, span_years=4)
    )
    assert four["uscc"].to_list() == [uscc(12), uscc(15)]
    places = gazelle.places(gazelle_wh, AS_OF, 10.0)
    assert (places.filled, places.remaining, places.share) == (3, 7, 0.3)
    assert gazelle.Places(10.0, 12).remaining == 0 and gazelle.Places(None, 3).remaining is None


def test_gazelle_spans_without_four_years(screen_wh):
    assert gazelle.gazelle_spans(screen_wh, AS_OF) == (2,)


def test_cultivation_list_with_trajectories(gazelle_wh):
    listed = gazelle.cultivation_list(gazelle_wh, AS_OF)
    rows = {r["uscc"]: r for r in listed.iter_rows(named=True)}
    assert sorted(rows) == sorted([uscc(12), uscc(15), uscc(16)])  # 17 is on last year's list only
    assert rows[uscc(15)]["revenue_trend"] == [
        1000.0,
        1200.0,
        1500.0,
        2000.0,
        2500.0,
    ]  # 2023 from stats
    assert (
        rows[uscc(15)]["first_year"],
        rows[uscc(15)]["last_year"],
        rows[uscc(15)]["revenue_y_wan"],
    ) == (2021, 2025, 2500.0)
    assert abs(rows[uscc(15)]["cagr"] - (2.5**0.25 - 1)) < 1e-12
    assert rows[uscc(12)]["revenue_trend"] == [1200.0, None, 2000.0, None, 3200.0]
    assert rows[uscc(16)]["revenue_trend"] == [None] * 5 and rows[uscc(16)]["cagr"] is None
    assert (
        rows[uscc(15)]["hnte_valid_until"] == date(2028, 1, 1)
        and rows[uscc(15)]["track"] == "独角兽"
    )
    table = gazelle.cultivation_table(listed)
    assert "营业收入走势（2021–2025年，万元）" in table.columns


def test_gazelle_query_survives_large_revenue(tmp_path):
    # 80 亿元 of base revenue overflowed DECIMAL(38) before the growth factor was held at scale 12.
    data = write_warehouse(
        tmp_path / "big",
        enterprises=[firm(1, established_on=date(2020, 1, 1))],
        tax_annual=tax(1, [804511.24, 900000.0, 1200000.0], [0.0] * 3),
        hnte_certificates=[
            {"uscc": uscc(1), "certificate_no": "B1", "issued_on": date(2025, 1, 1)}
        ],
    )
    found = screening.gazelle_candidates(Warehouse(data), AS_OF)
    assert found["uscc"].to_list() == [uscc(1)]  # 1200000 / 804511.24 = 1.4916 >= 1.44


# -- 研发活动清零 ----------------------------------------------------------------------------------


def test_rd_zero_worklist_table(rd_wh):
    coverage = metrics.rd_coverage(rd_wh, AS_OF)
    assert (coverage.n_population, coverage.n_active, coverage.coverage) == (4, 2, 0.5)
    table = rd_zero.rd_zero_table(coverage.worklist)
    assert table["统一社会信用代码"].to_list() == [uscc(25), uscc(21)]
    assert table.row(0) == (
        "掘港街道",
        "如东测试25号科技有限公司",
        uscc(25),
        "13 农副食品加工业",
        15000.0,
        "未填报",
        0.0,
        None,
        date(2026, 9, 1),
        "高企申报辅导",
        "一组",
    )
    assert table.row(1)[4:] == (10000.0, "无", 0.0, 0.0, date(2026, 5, 1), "研发费用归集", "二组")
    towns = rd_zero.rd_town_table(coverage.by_town())
    assert towns.columns == [
        "所属镇区",
        "亿元以上制造业企业数",
        "有研发活动企业数",
        "待清零企业数",
        "覆盖率",
    ]
    assert towns.rows() == [("掘港街道", 3, 2, 1, 2 / 3), ("洋口镇", 1, 0, 1, 0.0)]


# -- 一企一档 --------------------------------------------------------------------------------------


def test_uscc_param_checks():
    assert enterprise_view.check_uscc_param(None) == enterprise_view.UsccParam(None, None, None)
    assert enterprise_view.check_uscc_param(f" {uscc(1).lower()} ") == enterprise_view.UsccParam(
        uscc(1), None, None
    )
    bad = enterprise_view.check_uscc_param("12345")
    assert (
        bad.code is None
        and bad.error == "链接中的统一社会信用代码“12345”无效：统一社会信用代码应为18位，实为5位。"
    )
    assert "含非法字符：IO" in enterprise_view.check_uscc_param("91320623MA00000IO0").error
    wrong = uscc(1)[:17] + ("0" if uscc(1)[17] != "0" else "1")
    flagged = enterprise_view.check_uscc_param(
        wrong
    )  # a wrong check character is flagged, not refused
    assert (
        flagged.code == wrong
        and flagged.error is None
        and flagged.warning.startswith("统一社会信用代码校验位不符（应为")
    )


def test_enterprise_file_pieces(screen_wh):
    file = profile.enterprise_file(screen_wh, uscc(1), AS_OF)
    assert enterprise_view.registry_facts(file)[3] == ("国民经济行业", "34 通用设备制造业（3415）")
    annual = enterprise_view.annual_figures(file)
    assert annual["year"].to_list() == [2023, 2024, 2025]
    assert annual["revenue_source"].to_list() == ["税务", "税务", "税务"]
    assert annual["intensity_threshold"].to_list() == [0.05, 0.05, 0.05]
    assert annual.row(2, named=True)["rd_staff_ratio"] == 0.1 and annual[
        "rd_intensity"
    ].to_list() == [0.05, 0.05, 0.05]
    assert enterprise_view.monthly_sales(file)["invoiced_sales_wan"].to_list() == [408.0, 409.0]
    assert enterprise_view.patents_by_type(file, AS_OF).rows() == [("实用新型", 1, 1)]
    lines = enterprise_view.checklist_lines(file)
    assert [(label, passed) for label, passed, _ in lines] == [
        (label, True) for label in workbench.criterion_labels().values()
    ]
    assert lines[2][2] == "5.0%（要求 5%）"
    near = profile.enterprise_file(screen_wh, uscc(3), AS_OF)
    assert enterprise_view.checklist_lines(near)[2] == (
        "研发投入强度",
        False,
        "研发投入强度 4.5%，需达 5%，三年研发费用还差 65.0 万元",
    )


def test_enterprise_file_without_tax_data(screen_wh):
    file = profile.enterprise_file(screen_wh, uscc(6), AS_OF)
    absent, empty = enterprise_view.source_notes(file)
    assert (
        "企业所得税年度汇算" in empty
        and "增值税开票（月度）" in empty
        and "高新技术企业证书" in empty
    )
    assert "技术合同" in absent  # not in this warehouse at all
    annual = enterprise_view.annual_figures(file)
    assert annual.rows() == [(2025, 800.0, "统计", 40.0, 0.05, 0.05, 3, 20, 0.15, None, 800.0)]
    assert (
        enterprise_view.monthly_sales(file) is None
        and enterprise_view.certificate_table(file, AS_OF) is None
    )
    assert (
        enterprise_view.section_state(file, "tax_annual") == "empty"
        and enterprise_view.section_state(file, "tech_contracts") == "absent"
    )
    visits = enterprise_view.section_table(file, "service_visits")
    assert visits.columns == ["记录编号", "走访日期", "服务类别", "服务团队"]


def test_certificates_and_renewal(screen_wh):
    file = profile.enterprise_file(
        screen_wh, uscc(5), AS_OF
    )  # issued 2023-12-01, valid until 2026-12-01 (exclusive)
    assert enterprise_view.certificate_table(file, AS_OF).rows() == [
        ("GR5", date(2023, 12, 1), date(2026, 11, 30), "有效")
    ]
    assert file.hnte_renewal_due
    assert (
        enterprise_view.renewal_note(file, AS_OF)
        == "高新技术企业证书有效至2026年11月30日，距到期不足六个月（31 "
        "天），需尽快组织重新认定申报。"
    )
    assert (
        enterprise_view.renewal_note(profile.enterprise_file(screen_wh, uscc(1), AS_OF), AS_OF)
        is None
    )


# -- charts ---------------------------------------------------------------------------------------


def test_chart_structure(screen_wh, rd_wh):
    t = screening.HnteThresholds()
    fig = charts.funnel_chart(
        workbench.funnel(workbench.screen_page(screen_wh, AS_OF, t).counts, t)
    )
    assert isinstance(fig, go.Figure) and [tr.type for tr in fig.data] == ["bar", "bar"]
    assert [tr.name for tr in fig.data] == ["单项通过", "逐项累计通过"]
    assert list(fig.data[1].x) == [5, 5, 4, 3, 3, 2, 2, 2] and fig.data[0].orientation == "h"
    assert (
        fig.layout.title.text.startswith("筛选漏斗")
        and fig.layout.xaxis.title.text == "企业数（家）"
    )
    town = charts.coverage_by_town_chart(metrics.rd_coverage(rd_wh, AS_OF).by_town())
    assert [tr.name for tr in town.data] == [
        "有研发活动",
        "待清零",
    ] and town.layout.barmode == "stack"
    assert (
        list(town.data[1].x) == [1, 1]
        and town.layout.title.text == "亿元以上制造业企业：各镇区研发活动覆盖"
    )
    file = profile.enterprise_file(screen_wh, uscc(1), AS_OF)
    annual = enterprise_view.annual_figures(file)
    revenue = charts.revenue_chart(annual)
    assert [tr.name for tr in revenue.data] == ["营业收入", "研发费用"] and list(
        revenue.data[0].x
    ) == ["2023年", "2024年", "2025年"]
    assert revenue.layout.yaxis.title.text == "万元"
    intensity = charts.rd_intensity_chart(annual)
    assert [tr.type for tr in intensity.data] == ["bar", "scatter"] and list(
        intensity.data[1].y
    ) == [5.0, 5.0, 5.0]
    monthly = charts.monthly_sales_chart(enterprise_view.monthly_sales(file))
    assert monthly.layout.title.text == "月度增值税开票销售额" and list(monthly.data[0].y) == [
        408.0,
        409.0,
    ]


# -- pages under AppTest ---------------------------------------------------------------------------


def run_page(data: Path, page: str, monkeypatch, **params) -> AppTest:
    monkeypatch.setenv("KECHUANG_DATA", str(data))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["as_of"] = AS_OF.isoformat()
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    at.switch_page(page)
    at.run()
    open_sections(at)
    assert not at.exception, [e.value for e in at.exception]
    return at


def frame_with(at: AppTest, *columns: str):
    """The first dataframe on the page holding all the named columns."""
    return next(d.value for d in at.dataframe if set(columns) <= set(d.value.columns))


def test_screening_page_thresholds_change_candidates(tmp_path, monkeypatch):
    data = write_warehouse(tmp_path / "s", **screening_tables())
    at = run_page(data, "views/screening.py", monkeypatch)
    shown = {m.label: m.value for m in at.metric}
    assert shown == {"参评企业": "5 家", "候选企业（六项全过）": "2 家", "差一项": "2 家"}
    assert frame_with(at, "培育评分", "成立满1年")["统一社会信用代码"].tolist() == [
        uscc(2),
        uscc(1),
    ]
    near = frame_with(at, "差距")
    assert dict(zip(near["统一社会信用代码"], near["差距"], strict=True)) == {
        uscc(3): "研发投入强度 4.5%，需达 5%，三年研发费用还差 65.0 万元",
        uscc(4): "营业收入增长 18.0%，需达 20%，2025年营收还差 100.0 万元",
    }
    at.number_input(key="hnte_growth_min").set_value(25.0).run()
    assert frame_with(at, "培育评分", "成立满1年")["统一社会信用代码"].tolist() == [uscc(2)]
    assert any("营业收入增长不低于 25%（默认 20%）" in i.value for i in at.info)
    at.number_input(key="hnte_growth_min").set_value(15.0).run()
    assert sorted(frame_with(at, "培育评分", "成立满1年")["统一社会信用代码"]) == [
        uscc(1),
        uscc(2),
        uscc(4),
    ]
    at.multiselect(key="screen_division").set_value(["39 计算机、通信和其他电子设备制造业"]).run()
    assert frame_with(at, "培育评分", "成立满1年")["统一社会信用代码"].tolist() == [uscc(2)]
    assert {m.label: m.value for m in at.metric}["参评企业"] == "1 家"
    markdown = " ".join(m.value for m in at.markdown)
    assert (
        all(item in markdown for item in screening.NOT_CHECKED) and "知识产权（30分）" in markdown
    )


def test_gazelle_page_counts_places(tmp_path, monkeypatch):
    # A training on the as-of day: the data must reach the day a page is opened at (issue 18).
    training = {"training_id": "T", "title": "t", "held_on": AS_OF, "kind": "中小企业专项培训"}
    data = write_warehouse(tmp_path / "g", trainings=[training], **gazelle_tables())
    at = run_page(data, "views/gazelle.py", monkeypatch)
    shown = {m.label: m.value for m in at.metric}
    assert (shown["2026年培育名额"], shown["已入选"], shown["尚余名额"]) == (
        "10 家",
        "3 家",
        "7 家",
    )
    listed = frame_with(at, "培育方向")
    assert sorted(listed["统一社会信用代码"]) == sorted([uscc(12), uscc(15), uscc(16)])
    assert frame_with(at, "培育名单")["统一社会信用代码"].tolist() == [uscc(15), uscc(12), uscc(11)]
    at.number_input(key="gazelle_min_revenue_wan").set_value(900.0).run()
    assert uscc(14) in frame_with(at, "培育名单")["统一社会信用代码"].tolist()
    at.radio(key="gazelle_span").set_value(4).run()
    assert frame_with(at, "培育名单")["统一社会信用代码"].tolist() == [uscc(12), uscc(15)]


def test_rd_zero_page_lists_the_worklist(tmp_path, monkeypatch):
    data = write_warehouse(tmp_path / "r", **rd_tables())
    at = run_page(data, "views/rd_zero.py", monkeypatch)
    shown = {m.label: m.value for m in at.metric}
    assert (shown["研发活动覆盖率"], shown["亿元以上制造业企业"], shown["待清零"]) == (
        "50.0%",
        "4 家",
        "2 家",
    )
    worklist = frame_with(at, "最近走访日期")
    assert worklist["统一社会信用代码"].tolist() == [uscc(25), uscc(21)]
    assert worklist["最近服务类别"].tolist() == ["高企申报辅导", "研发费用归集"]
    assert [b.label for b in at.get("download_button")][-2:] == ["下载 CSV", "下载 Excel"]
    at.selectbox(key="town").set_value("洋口镇").run()
    assert frame_with(at, "最近走访日期")["统一社会信用代码"].tolist() == [uscc(21)]
    assert {m.label: m.value for m in at.metric}["研发活动覆盖率"] == "0.0%"


def test_enterprise_page_deep_link_and_missing_tax(tmp_path, monkeypatch):
    data = write_warehouse(tmp_path / "s", **screening_tables())
    at = run_page(data, "views/enterprise.py", monkeypatch, uscc=uscc(2))
    assert at.header[0].value == "如东测试2号科技有限公司"
    assert at.query_params["uscc"] == uscc(2)
    no_tax = run_page(data, "views/enterprise.py", monkeypatch, uscc=uscc(6))
    assert no_tax.header[0].value == "如东无税科技有限公司"
    assert any(
        "企业所得税年度汇算" in i.value and "增值税开票（月度）" in i.value for i in no_tax.info
    )
    assert any(c.value.startswith("增值税开票（月度）：无该企业记录") for c in no_tax.caption)
    assert frame_with(no_tax, "营收口径")["营收口径"].tolist() == ["统计"]


def test_enterprise_page_bad_and_unknown_codes(tmp_path, monkeypatch):
    data = write_warehouse(tmp_path / "s", **screening_tables())
    bad = run_page(data, "views/enterprise.py", monkeypatch, uscc="12345")
    assert (
        bad.error[0].value
        == "链接中的统一社会信用代码“12345”无效：统一社会信用代码应为18位，实为5位。"
    )
    unknown = run_page(data, "views/enterprise.py", monkeypatch, uscc=uscc(99))
    assert unknown.error[0].value.startswith(f"未找到统一社会信用代码为 {uscc(99)} 的企业")
    found = run_page(data, "views/enterprise.py", monkeypatch)
    found.text_input(key="enterprise_search").set_value("无税").run()
    assert found.header[0].value == "如东无税科技有限公司" and found.query_params["uscc"] == uscc(6)


def test_workbench_pages_with_only_the_register(tmp_path, monkeypatch):
    data = write_warehouse(tmp_path / "e", enterprises=[firm(1)])
    for page in ("views/screening.py", "views/gazelle.py", "views/rd_zero.py"):
        run_page(data, page, monkeypatch)
    at = run_page(data, "views/enterprise.py", monkeypatch, uscc=uscc(1))
    assert at.header[0].value == "如东测试1号科技有限公司"
    assert any("以下数据暂缺" in c.value for c in at.caption)
