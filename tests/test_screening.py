"""The six HNTE criteria, near-miss gaps and gazelle candidates at the boundaries metrics.md
names."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import polars as pl
from fixtures import AS_OF, firm, uscc, write_warehouse

from kechuang.engine import screening
from kechuang.engine.warehouse import Warehouse


def money(n, revenues, rds, *, table="tax_annual", years=(2023, 2024, 2025)):
    return [
        {"uscc": uscc(n), "year": y, "revenue_wan": r, "rd_expense_wan": d}
        for y, r, d in zip(years, revenues, rds, strict=True)
        if r is not None or d is not None
    ]


def stats(n, rd_staff=10, employees=100, assets=20000.0, **extra):
    return {
        "uscc": uscc(n),
        "year": 2025,
        "rd_staff": rd_staff,
        "employees": employees,
        "total_assets_wan": assets,
        **extra,
    }


def patent(n, **kw):
    return {
        "ip_id": f"ZL{n}",
        "uscc": uscc(n),
        "ip_type": "实用新型",
        "granted_on": date(2024, 1, 1),
        "valid": True,
        **kw,
    }


# Firm 1 passes everything exactly at the line: growth 4800/4000 = 20%, intensity 590/11800 = 5%
# at revenue(Y) 4800 <= 5000, R&D staff 10/100, assets exactly 20000.
FIRMS = {
    1: dict(
        firm=firm(1),
        money=money(1, [3000.0, 4000.0, 4800.0], [150.0, 200.0, 240.0]),
        stats=stats(1),
        patents=[patent(1)],
    ),
    # established exactly one year before A: passes age.
    2: dict(
        firm=firm(2, established_on=date(2025, 10, 31)),
        money=money(2, [3000.0, 4000.0, 4800.0], [150.0, 200.0, 240.0]),
        stats=stats(2),
        patents=[patent(2)],
    ),
    # established a day later: a near miss on age.
    3: dict(
        firm=firm(3, established_on=date(2025, 11, 1)),
        money=money(3, [3000.0, 4000.0, 4800.0], [150.0, 200.0, 240.0]),
        stats=stats(3),
        patents=[patent(3)],
    ),
    # revenue(Y) exactly 5000 sits in the 5% tier; 585/13000 = 4.5% fails by 65 万元.
    4: dict(
        firm=firm(4),
        money=money(4, [4000.0, 4000.0, 5000.0], [180.0, 180.0, 225.0]),
        stats=stats(4),
        patents=[patent(4)],
    ),
    # revenue(Y) exactly 20000 sits in the 4% tier; 1880/47000 = 4% exactly passes; 20000/16000 =
    # 25% growth.
    5: dict(
        firm=firm(5),
        money=money(5, [11000.0, 16000.0, 20000.0], [440.0, 640.0, 800.0]),
        stats=stats(5),
        patents=[patent(5)],
    ),
    # revenue(Y) 20000.5 is in the 3% tier, exactly 3%; but no longer an SME by revenue.
    6: dict(
        firm=firm(6),
        money=money(6, [10000.0, 16000.0, 20000.5], [300.0, 480.0, 600.015]),
        stats=stats(6),
        patents=[patent(6)],
    ),
    # growth 6000/5000 (the float pitfall) passes; 4% tier at 6000, 600/15000 = 4%.
    7: dict(
        firm=firm(7),
        money=money(7, [4000.0, 5000.0, 6000.0], [160.0, 200.0, 240.0]),
        stats=stats(7),
        patents=[patent(7)],
    ),
    # no stats row: R&D staff unknown and SME unknown (revenue passes, the rest unknown).
    8: dict(
        firm=firm(8),
        money=money(8, [3000.0, 4000.0, 4800.0], [150.0, 200.0, 240.0]),
        stats=None,
        patents=[patent(8)],
    ),
    # R&D staff 2 of 30: needs ceil(3.0) = 3 persons, 1 more (float would say 2 more).
    9: dict(
        firm=firm(9),
        money=money(9, [3000.0, 4000.0, 4800.0], [150.0, 200.0, 240.0]),
        stats=stats(9, rd_staff=2, employees=30),
        patents=[patent(9)],
    ),
    # patents: one invalid, one granted after A: none counts.
    10: dict(
        firm=firm(10),
        money=money(10, [3000.0, 4000.0, 4800.0], [150.0, 200.0, 240.0]),
        stats=stats(10),
        patents=[
            patent(10, ip_id="X1", valid=False),
            patent(10, ip_id="X2", granted_on=date(2026, 11, 1)),
        ],
    ),
    # holds a certificate valid on A: not evaluated.
    11: dict(
        firm=firm(11),
        money=money(11, [3000.0, 4000.0, 4800.0], [150.0, 200.0, 240.0]),
        stats=stats(11),
        patents=[patent(11)],
    ),
    # inactive: not evaluated.
    12: dict(
        firm=firm(12, status="吊销"),
        money=money(12, [3000.0, 4000.0, 4800.0], [150.0, 200.0, 240.0]),
        stats=stats(12),
        patents=[patent(12)],
    ),
    # tax misses 2025 and has a null 2024 revenue: stats revenue fills each value; a tax R&D of 0
    # stays 0, so R&D is 150 + 0 + 240 = 390 of 11800 (3.3%): a near miss by 200 万元, where stats
    # alone would pass.
    13: dict(
        firm=firm(13),
        money=money(13, [3000.0, None, None], [150.0, 0.0, None]),
        stats=stats(13, revenue_wan=4800.0, rd_expense_wan=240.0),
        patents=[patent(13)],
        stats_2024={"uscc": uscc(13), "year": 2024, "revenue_wan": 4000.0, "rd_expense_wan": 200.0},
    ),
    # revenue(Y-1) is 0: growth unknown.
    14: dict(
        firm=firm(14),
        money=money(14, [3000.0, 0.0, 4800.0], [150.0, 0.0, 240.0]),
        stats=stats(14),
        patents=[patent(14)],
    ),
    # established_on unknown: age unknown, a near miss by missing data.
    15: dict(
        firm=firm(15, established_on=None),
        money=money(15, [3000.0, 4000.0, 4800.0], [150.0, 200.0, 240.0]),
        stats=stats(15),
        patents=[patent(15)],
    ),
}


def build(tmp_path, with_patents=True) -> Warehouse:
    tables = {
        "enterprises": [f["firm"] for f in FIRMS.values()],
        "tax_annual": [row for f in FIRMS.values() for row in f["money"]],
        "stats_annual": [f["stats"] for f in FIRMS.values() if f["stats"]]
        + [f["stats_2024"] for f in FIRMS.values() if "stats_2024" in f],
        "hnte_certificates": [
            {"uscc": uscc(11), "certificate_no": "GR11", "issued_on": date(2024, 11, 1)}
        ],
    }
    if with_patents:
        tables["patents"] = [p for f in FIRMS.values() for p in f["patents"]]
    return Warehouse(write_warehouse(tmp_path / "data", **tables))


def by_uscc(frame):
    return {row["uscc"]: row for row in frame.iter_rows(named=True)}


def passes(row):
    return tuple(row[f"pass_{c}"] for c in screening.CRITERIA)


def test_candidates_and_criteria_at_exact_boundaries(tmp_path):
    rows = by_uscc(screening.screen(build(tmp_path), AS_OF, include_all=True))
    assert uscc(11) not in rows and uscc(12) not in rows  # valid HNTE, inactive
    assert passes(rows[uscc(1)]) == (True, True, True, True, True, True)
    assert passes(rows[uscc(2)]) == (True, True, True, True, True, True)
    assert passes(rows[uscc(3)]) == (False, True, True, True, True, True)
    assert passes(rows[uscc(4)]) == (True, True, False, True, True, True)
    assert passes(rows[uscc(5)]) == (True, True, True, True, True, True)
    assert passes(rows[uscc(6)]) == (True, True, True, True, True, False)
    assert passes(rows[uscc(7)]) == (True, True, True, True, True, True)
    assert passes(rows[uscc(8)]) == (True, True, True, None, True, None)
    assert passes(rows[uscc(9)]) == (True, True, True, False, True, True)
    assert passes(rows[uscc(10)]) == (True, False, True, True, True, True)
    assert passes(rows[uscc(13)]) == (True, True, False, True, True, True)
    assert passes(rows[uscc(14)]) == (True, True, True, True, None, True)
    assert passes(rows[uscc(15)]) == (None, True, True, True, True, True)
    candidates = screening.screen(build(tmp_path / "b"), AS_OF)
    assert sorted(candidates["uscc"]) == sorted(uscc(n) for n in (1, 2, 5, 7))


def test_values_behind_the_criteria(tmp_path):
    rows = by_uscc(screening.screen(build(tmp_path), AS_OF, include_all=True))
    one = rows[uscc(1)]
    assert one["settled_year"] == 2025
    assert (
        one["revenue_y_wan"],
        one["revenue_y1_wan"],
        one["revenue_3y_wan"],
        one["rd_3y_wan"],
    ) == (4800, 4000, 11800, 590)
    assert one["intensity_threshold"] == Decimal("0.05")
    assert abs(one["rd_intensity"] - 0.05) < 1e-12 and abs(one["revenue_growth"] - 0.2) < 1e-12
    assert one["rd_staff_ratio"] == 0.1
    assert rows[uscc(5)]["intensity_threshold"] == Decimal("0.04")
    assert rows[uscc(6)]["intensity_threshold"] == Decimal("0.03")
    fallback = rows[uscc(13)]
    assert (fallback["revenue_y_wan"], fallback["revenue_y1_wan"], fallback["rd_3y_wan"]) == (
        4800,
        4000,
        390,
    )  # 150 + 0 + 240


def test_score_is_documented_sum(tmp_path):
    one = by_uscc(screening.screen(build(tmp_path), AS_OF))[uscc(1)]
    # IP: one Class II right = 4; R&D: 30 x 0.05 / 0.10 = 15; growth 20% -> 12; staff 20 x 0.10 /
    # 0.20 = 10.
    assert one["score"] == 41.0


def test_unknown_inputs_score_nothing(tmp_path):
    """README: "Unknown inputs score 0". DuckDB's least(1.0, null) is 1.0: firm 8's unknown R&D
    staff share scored the full 20 (51.0) before the query tested for null."""
    eight = by_uscc(screening.screen_all(build(tmp_path), AS_OF))[uscc(8)]
    assert eight["rd_staff_ratio"] is None
    # IP: one Class II right = 4; R&D: 30 x 0.05 / 0.10 = 15; growth 20% -> 12; staff unknown 0.
    assert eight["score"] == 31.0


def test_near_miss_gaps_in_plain_words(tmp_path):
    misses = by_uscc(screening.near_misses(build(tmp_path), AS_OF))
    assert sorted(misses) == sorted(uscc(n) for n in (3, 4, 6, 9, 10, 13, 14, 15))
    assert (
        misses[uscc(3)]["missed_criterion"],
        misses[uscc(3)]["gap_amount"],
        misses[uscc(3)]["gap_unit"],
    ) == ("age", 1.0, "天")
    assert misses[uscc(3)]["gap_text"] == "成立未满1年，2026年11月1日满1年"
    four = misses[uscc(4)]
    assert (four["missed_criterion"], four["gap_amount"], four["gap_unit"]) == (
        "rd_intensity",
        65.0,
        "万元",
    )
    assert four["gap_text"] == "研发投入强度 4.5%，需达 5%，三年研发费用还差 65.0 万元"
    nine = misses[uscc(9)]
    assert (nine["gap_amount"], nine["gap_unit"], nine["gap_text"]) == (
        1.0,
        "人",
        "研发人员占比 6.7%，需达 10%，还差 1 人",
    )
    assert (
        misses[uscc(6)]["gap_text"]
        == "营业收入 20,000.5 万元，超过上限 20,000 万元（超出中小企业规模，不属培育对象）"
    )
    assert misses[uscc(6)]["gap_amount"] == 0.5
    assert (misses[uscc(13)]["missed_criterion"], misses[uscc(13)]["gap_amount"]) == (
        "rd_intensity",
        200.0,
    )
    assert misses[uscc(10)]["gap_text"] == "无有效知识产权，需至少1项"
    assert (misses[uscc(14)]["missed_status"], misses[uscc(15)]["missed_status"]) == (
        "数据缺失",
        "数据缺失",
    )


def test_growth_gap_amount(tmp_path):
    row = {
        "pass_growth": False,
        "settled_year": 2025,
        "revenue_y1_wan": 5000.0,
        "revenue_y_wan": 5500.0,
        "revenue_growth": 0.1,
    }
    gap = screening.criterion_gap(row, "growth", screening.HnteThresholds(), AS_OF)
    assert (gap.amount, gap.unit) == (500.0, "万元")
    assert gap.text == "营业收入增长 10.0%，需达 20%，2025年营收还差 500.0 万元"


def test_changing_a_threshold_changes_the_candidates(tmp_path):
    wh = build(tmp_path)
    stricter = screening.HnteThresholds(growth_min=Decimal("0.25"))
    assert sorted(screening.screen(wh, AS_OF, stricter)["uscc"]) == [
        uscc(5)
    ]  # only 25% growth survives
    looser = screening.HnteThresholds(intensity_tier1=Decimal("0.045"))
    assert uscc(4) in set(screening.screen(wh, AS_OF, looser)["uscc"])


def test_ip_unknown_when_patents_table_absent(tmp_path):
    rows = by_uscc(screening.screen(build(tmp_path, with_patents=False), AS_OF, include_all=True))
    assert rows[uscc(1)]["pass_ip"] is None
    assert rows[uscc(1)]["candidate"] is False


def test_funnel_counts(tmp_path):
    evaluated = screening.screen(build(tmp_path), AS_OF, include_all=True)
    counts = dict(
        zip(
            screening.funnel(evaluated)["step"], screening.funnel(evaluated)["n_firms"], strict=True
        )
    )
    assert counts == {
        "evaluated": 13,
        "age": 11,
        "ip": 12,
        "rd_intensity": 11,
        "rd_staff": 11,
        "growth": 12,
        "sme": 11,
        "candidate": 4,
    }


# -- gazelle ----------------------------------------------------------------------------------


def gazelle_fixture(tmp_path) -> Warehouse:
    firms = [
        firm(1, established_on=date(2016, 10, 31)),  # exactly ten years before A; 1440/1000 = 1.44
        firm(2, established_on=date(2016, 10, 30)),  # a day too old
        firm(3, established_on=date(2020, 1, 1)),  # revenue(Y) 1439.99 < ... ratio 1.43999
        firm(4, established_on=date(2020, 1, 1)),  # base revenue 0
        firm(5, established_on=date(2020, 1, 1)),  # no valid certificate
        firm(6, established_on=date(2020, 1, 1)),  # on the 2026 list, grows 100%
        firm(7, established_on=date(2020, 1, 1)),  # revenue(Y) 900 < 1000
    ]
    tax = [
        *money(1, [1000.0, 1200.0, 1440.0], [0, 0, 0]),
        *money(2, [1000.0, 1200.0, 1440.0], [0, 0, 0]),
        *money(3, [1000.0, 1200.0, 1439.99], [0, 0, 0]),
        *money(4, [0.0, 1200.0, 1440.0], [0, 0, 0]),
        *money(5, [1000.0, 1200.0, 1440.0], [0, 0, 0]),
        *money(6, [1000.0, 1500.0, 4000.0], [0, 0, 0]),
        *money(7, [100.0, 300.0, 900.0], [0, 0, 0]),
    ]
    certs = [
        {"uscc": uscc(n), "certificate_no": f"G{n}", "issued_on": date(2025, 1, 1)}
        for n in (1, 2, 3, 4, 6, 7)
    ]
    certs.append(
        {"uscc": uscc(5), "certificate_no": "G5", "issued_on": date(2023, 10, 31)}
    )  # expired on 2026-10-31
    cultivation = [{"uscc": uscc(6), "year": 2026, "track": "瞪羚"}]
    return Warehouse(
        write_warehouse(
            tmp_path / "g",
            enterprises=firms,
            tax_annual=tax,
            hnte_certificates=certs,
            cultivation=cultivation,
        )
    )


def test_gazelle_candidates_at_boundaries(tmp_path):
    found = screening.gazelle_candidates(gazelle_fixture(tmp_path), AS_OF)
    assert found["uscc"].to_list() == [uscc(6), uscc(1)]  # ranked by growth
    assert found["in_cultivation"].to_list() == [True, False]
    assert abs(found["cagr"][1] - 0.2) < 1e-12 and found["cagr"][0] == 1.0


def test_gazelle_threshold_adjustable(tmp_path):
    looser = screening.GazelleThresholds(min_revenue_wan=Decimal("900"))
    found = screening.gazelle_candidates(gazelle_fixture(tmp_path), AS_OF, looser)
    assert sorted(found["uscc"]) == sorted([uscc(1), uscc(6), uscc(7)])


def test_near_misses_alone_equal_near_misses_of_the_whole_screen(tmp_path):
    wh = build(tmp_path)
    whole = screening.screen(wh, AS_OF, include_all=True)
    alone = screening.near_misses(wh, AS_OF)
    assert alone.height > 0 and alone.equals(screening.near_misses(wh, AS_OF, screened=whole))
    few = screening.candidates_and_near_misses(wh, AS_OF)
    assert few.equals(whole.filter(pl.col("n_not_passed") <= 1))
    assert screening.screen(wh, AS_OF).equals(whole.filter(pl.col("candidate")))


def test_filter_keys_at_the_tier_cuts(tmp_path):
    # The page's size bands are cut where the intensity tiers are: exactly at a cut is the lower
    # band.
    rows = by_uscc(screening.screen(build(tmp_path), AS_OF, include_all=True))
    bands = {n: rows[uscc(n)]["size_band_no"] for n in (1, 4, 5, 6)}
    assert bands == {
        1: 0,
        4: 0,
        5: 1,
        6: 2,
    }  # revenue(Y) 4800, 5000 exactly, 20000 exactly, 20000.5
    assert {rows[uscc(n)]["division_code"] for n in (1, 4)} == {"34"}


def test_rd_status_and_unknown_revenue(tmp_path):
    wh = Warehouse(
        write_warehouse(
            tmp_path / "d",
            enterprises=[firm(20, industry_code=" 2614"), firm(21, industry_code=None), firm(22)],
            tax_annual=money(20, [1000.0, 1000.0, 1000.0], [0.0, 0.0, 0.0])
            + money(22, [None, 900.0, None], [None, 9.0, None]),
        )
    )
    rows = by_uscc(screening.screen(wh, AS_OF, include_all=True))
    keys = {
        n: (
            rows[uscc(n)]["size_band_no"],
            rows[uscc(n)]["rd_status_no"],
            rows[uscc(n)]["division_code"],
        )
        for n in (20, 21, 22)
    }
    # 20: revenue known, R&D 0 in every year; 21: no money data; 22: only Y-1 known (revenue(Y)
    # unknown), R&D 9 > 0.
    assert keys == {20: (0, 1, "26"), 21: (3, 2, None), 22: (3, 0, "34")}
