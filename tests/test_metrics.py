"""Every metric id of metrics.md on a hand-built fixture, at the year start, the as-of day and the
day after."""

from __future__ import annotations

from datetime import date
from fractions import Fraction

import pytest
from fixtures import AS_OF, DAY_AFTER, YEAR_START, firm, uscc, write_warehouse

from kechuang.engine import metrics, prefetch
from kechuang.engine.plan import load_plan
from kechuang.engine.warehouse import Warehouse


def open_with(tmp_path, **tables) -> Warehouse:
    return Warehouse(write_warehouse(tmp_path / "data", **tables))


def test_sci_projects_landed_counts_high_growth_landings_in_the_year(tmp_path):
    rows = [
        {
            "project_id": "P1",
            "high_growth": True,
            "stage": "落地",
            "landed_on": YEAR_START,
            "town": "长沙镇",
        },
        {"project_id": "P2", "high_growth": True, "stage": "落地", "landed_on": date(2025, 12, 31)},
        {
            "project_id": "P3",
            "high_growth": True,
            "stage": "落地",
            "landed_on": AS_OF,
            "town": "掘港街道",
        },
        {"project_id": "P4", "high_growth": True, "stage": "落地", "landed_on": DAY_AFTER},
        {"project_id": "P5", "high_growth": None, "stage": "落地", "landed_on": date(2026, 5, 1)},
        {"project_id": "P6", "high_growth": False, "stage": "落地", "landed_on": date(2026, 5, 1)},
        {"project_id": "P7", "high_growth": True, "stage": "签约", "landed_on": date(2026, 5, 1)},
    ]
    wh = open_with(tmp_path, sci_projects=rows)
    assert metrics.metric_actual(wh, "sci_projects_landed", AS_OF) == 2
    assert metrics.metric_actual(wh, "sci_projects_landed", DAY_AFTER) == 3
    assert metrics.metric_actual(wh, "sci_projects_landed", YEAR_START) == 1
    assert dict(metrics.by_town(wh, "sci_projects_landed", AS_OF).iter_rows()) == {
        "长沙镇": 1.0,
        "掘港街道": 1.0,
    }


def hnte_rows():
    return [
        # F1 first-time certificate in the year: new.
        {"uscc": uscc(1), "certificate_no": "C1", "issued_on": date(2026, 3, 1)},
        # F2 renewed while still valid (2023-11-20 is valid to 2026-11-19): not new.
        {"uscc": uscc(2), "certificate_no": "C2a", "issued_on": date(2023, 11, 20)},
        {"uscc": uscc(2), "certificate_no": "C2b", "issued_on": date(2026, 10, 15)},
        # F3 lapsed (valid until 2025-11-30) and returned: new.
        {"uscc": uscc(3), "certificate_no": "C3a", "issued_on": date(2022, 12, 1)},
        {"uscc": uscc(3), "certificate_no": "C3b", "issued_on": date(2026, 5, 1)},
        # F4 certificate on its third anniversary on 2025-12-31: no longer valid that day, so new
        # on 2026-01-01.
        {"uscc": uscc(4), "certificate_no": "C4a", "issued_on": date(2022, 12, 31)},
        {"uscc": uscc(4), "certificate_no": "C4b", "issued_on": YEAR_START},
        # F5 issued 2023-12-31, still valid on 2025-12-31: its 2026 renewal is not new.
        {"uscc": uscc(5), "certificate_no": "C5a", "issued_on": date(2023, 12, 31)},
        {"uscc": uscc(5), "certificate_no": "C5b", "issued_on": date(2026, 6, 1)},
        # F6 certified on the as-of day: new.
        {"uscc": uscc(6), "certificate_no": "C6", "issued_on": AS_OF},
        # F7 certified the day after: not yet.
        {"uscc": uscc(7), "certificate_no": "C7", "issued_on": DAY_AFTER},
        # F8 two certificates in the year: counted once, on the first.
        {"uscc": uscc(8), "certificate_no": "C8a", "issued_on": date(2026, 2, 1)},
        {"uscc": uscc(8), "certificate_no": "C8b", "issued_on": date(2026, 9, 1)},
    ]


def test_new_hnte_first_time_renewed_lapsed_and_anniversary(tmp_path):
    wh = open_with(
        tmp_path, hnte_certificates=hnte_rows(), enterprises=[firm(n) for n in range(1, 9)]
    )
    assert metrics.metric_actual(wh, "new_hnte", AS_OF) == 5  # F1, F3, F4, F6, F8
    assert metrics.metric_actual(wh, "new_hnte", DAY_AFTER) == 6  # + F7
    assert metrics.metric_actual(wh, "new_hnte", YEAR_START) == 1  # F4 only
    series = metrics.monthly_series(wh, "new_hnte", AS_OF, 50)
    assert series["actual"].to_list() == [
        1,
        2,
        3,
        3,
        4,
        4,
        4,
        4,
        4,
        5,
    ]  # F4 Jan, F8 Feb, F1 Mar, F3 May, F6 Oct


def test_new_hnte_leap_day_certificate_expires_on_28_february(tmp_path):
    rows = [
        {
            "uscc": uscc(1),
            "certificate_no": "L1",
            "issued_on": date(2023, 2, 28),
        },  # valid to 2026-02-27
        {"uscc": uscc(1), "certificate_no": "L2", "issued_on": date(2026, 2, 28)},
    ]
    wh = open_with(tmp_path, hnte_certificates=rows)
    assert metrics.metric_actual(wh, "new_hnte", AS_OF) == 0  # valid on 2025-12-31: a renewal
    wh.con.execute("select 1")
    got = wh.con.execute(
        "select add_years(date '2024-02-29', 3), add_years(date '2024-02-29', 4)"
    ).fetchone()
    assert got == (date(2027, 2, 28), date(2028, 2, 29))


def test_cultivation_counts_distinct_firms_of_the_plan_year(tmp_path):
    rows = [
        {"uscc": uscc(1), "year": 2026, "track": "瞪羚"},
        {"uscc": uscc(2), "year": 2026, "track": "独角兽"},
        {"uscc": uscc(1), "year": 2026, "track": "瞪羚"},
        {"uscc": uscc(3), "year": 2025, "track": "瞪羚"},
    ]
    wh = open_with(tmp_path, cultivation=rows)
    assert metrics.metric_actual(wh, "cultivation", AS_OF) == 2
    assert metrics.monthly_series(wh, "cultivation", AS_OF, 10) is None  # a roster has no dates


def rd_fixture(tmp_path) -> Warehouse:
    firms = [
        firm(1, industry_code="3415"),  # revenue exactly 10000, R&D in tax only: active
        firm(2, industry_code="2614", town="长沙镇"),  # stats R&D: active
        firm(3, industry_code="1361", town="长沙镇"),  # no R&D anywhere: worklist
        firm(4, industry_code="4330"),  # division 43, stats R&D null, tax R&D 0: worklist
        firm(5, industry_code="3415"),  # 9999.99: below the line
        firm(6, industry_code="5191"),  # wholesale: not manufacturing
        firm(7, industry_code="1310", status="注销"),  # inactive
        firm(8, industry_code="3810"),  # no 2025 stats row
        firm(9, industry_code="4411"),  # division 44: not manufacturing
    ]
    stats = [
        {"uscc": uscc(1), "year": 2025, "revenue_wan": 10000.0, "rd_expense_wan": 0.0},
        {"uscc": uscc(2), "year": 2025, "revenue_wan": 20000.0, "rd_expense_wan": 100.0},
        {"uscc": uscc(3), "year": 2025, "revenue_wan": 15000.0, "rd_expense_wan": 0.0},
        {"uscc": uscc(4), "year": 2025, "revenue_wan": 12000.0, "rd_expense_wan": None},
        {"uscc": uscc(5), "year": 2025, "revenue_wan": 9999.99, "rd_expense_wan": 0.0},
        {"uscc": uscc(6), "year": 2025, "revenue_wan": 50000.0, "rd_expense_wan": 0.0},
        {"uscc": uscc(7), "year": 2025, "revenue_wan": 30000.0, "rd_expense_wan": 0.0},
        {"uscc": uscc(8), "year": 2024, "revenue_wan": 20000.0, "rd_expense_wan": 0.0},
        {"uscc": uscc(9), "year": 2025, "revenue_wan": 20000.0, "rd_expense_wan": 0.0},
    ]
    tax = [
        {"uscc": uscc(1), "year": 2025, "revenue_wan": 10100.0, "rd_expense_wan": 5.0},
        {"uscc": uscc(4), "year": 2025, "revenue_wan": 12000.0, "rd_expense_wan": 0.0},
    ]
    return open_with(tmp_path, enterprises=firms, stats_annual=stats, tax_annual=tax)


def test_rd_coverage_population_active_and_worklist(tmp_path):
    cov = metrics.rd_coverage(rd_fixture(tmp_path), AS_OF)
    assert cov.reference_year == 2025
    assert sorted(cov.population["uscc"]) == [uscc(1), uscc(2), uscc(3), uscc(4)]
    assert cov.n_active == 2
    assert cov.coverage == 0.5
    assert sorted(cov.worklist["uscc"]) == [uscc(3), uscc(4)]
    towns = {
        r["town"]: (r["n_population"], r["n_worklist"]) for r in cov.by_town().iter_rows(named=True)
    }
    assert towns == {"掘港街道": (2, 1), "长沙镇": (2, 1)}


def test_rd_coverage_is_compared_with_its_target_directly(tmp_path):
    wh = rd_fixture(tmp_path)
    rd = next(p for p in metrics.progress(wh, AS_OF, load_plan(2026)) if p.id == "rd_coverage")
    assert (rd.actual, rd.target, rd.expected, rd.projected, rd.status) == (
        0.5,
        1.0,
        1.0,
        None,
        "behind",
    )


def test_rd_coverage_is_null_without_stats(tmp_path):
    wh = open_with(tmp_path, enterprises=[firm(1)])
    assert metrics.metric_actual(wh, "rd_coverage", AS_OF) is None


def test_iur_projects_registered_in_the_year(tmp_path):
    rows = [
        {"project_id": "I1", "stage": "备案登记", "registered_on": YEAR_START},
        {"project_id": "I2", "stage": "落地实施", "registered_on": date(2025, 12, 31)},
        {"project_id": "I3", "stage": "跟踪服务", "registered_on": AS_OF},
        {"project_id": "I4", "stage": "备案登记", "registered_on": DAY_AFTER},
        {"project_id": "I5", "stage": "需求征集", "registered_on": None},
    ]
    wh = open_with(tmp_path, iur_projects=rows)
    assert metrics.metric_actual(wh, "iur_projects", AS_OF) == 2


def test_tech_contract_amount_sums_every_role(tmp_path):
    rows = [
        {"contract_id": "T1", "role": "卖方", "amount_wan": 100.5, "registered_on": YEAR_START},
        {"contract_id": "T2", "role": "买方", "amount_wan": 200.25, "registered_on": AS_OF},
        {
            "contract_id": "T3",
            "role": "卖方",
            "amount_wan": 1000.0,
            "registered_on": date(2025, 12, 31),
        },
        {"contract_id": "T4", "role": "卖方", "amount_wan": 50.0, "registered_on": DAY_AFTER},
        {
            "contract_id": "T5",
            "role": "买方",
            "amount_wan": None,
            "registered_on": date(2026, 5, 1),
        },
    ]
    wh = open_with(tmp_path, tech_contracts=rows)
    assert metrics.metric_actual(wh, "tech_contract_amount", AS_OF) == 300.75
    assert metrics.metric_actual(wh, "tech_contract_amount", DAY_AFTER) == 350.75


def test_key_enterprises_served_needs_a_visit_in_the_year(tmp_path):
    keys = [{"uscc": uscc(n), "year": 2026, "team": "一队"} for n in (1, 2, 3, 4, 5)]
    keys.append({"uscc": uscc(6), "year": 2025, "team": "一队"})
    visits = [
        {"visit_id": "V1", "uscc": uscc(1), "visited_on": YEAR_START},
        {"visit_id": "V2", "uscc": uscc(2), "visited_on": date(2025, 12, 31)},
        {"visit_id": "V3", "uscc": uscc(3), "visited_on": AS_OF},
        {"visit_id": "V4", "uscc": uscc(3), "visited_on": AS_OF, "team": "二队"},
        {"visit_id": "V5", "uscc": uscc(4), "visited_on": DAY_AFTER},
        {"visit_id": "V6", "uscc": uscc(6), "visited_on": date(2026, 3, 1)},
        {"visit_id": "V7", "uscc": uscc(7), "visited_on": date(2026, 3, 1)},
    ]
    wh = open_with(tmp_path, key_enterprises=keys, service_visits=visits)
    assert metrics.metric_actual(wh, "key_enterprises_served", AS_OF) == 2
    assert metrics.metric_actual(wh, "key_enterprises_served", DAY_AFTER) == 3


def test_commissioners_serving_on_the_as_of_day(tmp_path):
    rows = [
        {"commissioner_id": "C1", "joined_on": date(2025, 5, 1)},
        {"commissioner_id": "C2", "joined_on": AS_OF},
        {"commissioner_id": "C3", "joined_on": DAY_AFTER},
        {"commissioner_id": "C4", "joined_on": date(2025, 1, 1), "left_on": AS_OF},
        {"commissioner_id": "C5", "joined_on": date(2026, 2, 15), "left_on": DAY_AFTER},
        {"commissioner_id": "C6", "joined_on": None},
        {"commissioner_id": "C7", "joined_on": date(2024, 1, 1), "left_on": date(2025, 6, 1)},
    ]
    wh = open_with(tmp_path, commissioners=rows)
    assert metrics.metric_actual(wh, "commissioners", AS_OF) == 3  # C1, C2, C5
    assert metrics.metric_actual(wh, "commissioners", DAY_AFTER) == 3  # C1, C2, C3 (C5 left)
    series = metrics.monthly_series(wh, "commissioners", AS_OF, 100)
    assert series["actual"].to_list() == [
        2,
        3,
        3,
        3,
        3,
        3,
        3,
        3,
        3,
        3,
    ]  # C1, C4; C5 from February; C4 leaves, C2 joins on A


def test_trainings_and_attendance(tmp_path):
    trainings = [
        {"training_id": "T1", "kind": "中小企业专项培训", "held_on": YEAR_START},
        {"training_id": "T2", "kind": "中小企业专项培训", "held_on": AS_OF},
        {"training_id": "T3", "kind": "中小企业专项培训", "held_on": date(2025, 12, 31)},
        {"training_id": "T4", "kind": "中小企业专项培训", "held_on": DAY_AFTER},
        {"training_id": "T5", "kind": "科技创新专题培训", "held_on": date(2026, 6, 1)},
        {"training_id": "T6", "kind": None, "held_on": date(2026, 3, 1)},
    ]
    attendance = [
        {"training_id": "T1", "uscc": uscc(1)},
        {"training_id": "T1", "uscc": uscc(2)},
        {"training_id": "T1", "uscc": uscc(2)},
        {"training_id": "T2", "uscc": uscc(1)},
        {"training_id": "T3", "uscc": uscc(3)},
        {"training_id": "T5", "uscc": uscc(4)},
    ]
    wh = open_with(tmp_path, trainings=trainings, training_attendance=attendance)
    assert metrics.metric_actual(wh, "sme_trainings", AS_OF) == 2
    assert metrics.metric_actual(wh, "cadre_trainings", AS_OF) == 1
    assert metrics.metric_actual(wh, "sme_training_attendance", AS_OF) == 3
    assert (
        metrics.metric_actual(wh, "sme_training_attendance", DAY_AFTER) == 3
    )  # T4 has no attendance


def test_new_rd_partnerships(tmp_path):
    rows = [
        {
            "institution_id": "R1",
            "kind": "新型研发机构",
            "partner": "东南大学",
            "approved_on": date(2026, 2, 1),
        },
        {
            "institution_id": "R2",
            "kind": "产业技术创新战略联盟",
            "partner": "南通大学",
            "approved_on": AS_OF,
        },
        {
            "institution_id": "R3",
            "kind": "新型研发机构",
            "partner": None,
            "approved_on": date(2026, 2, 1),
        },
        {
            "institution_id": "R4",
            "kind": "工程技术研究中心",
            "partner": "东南大学",
            "approved_on": date(2026, 2, 1),
        },
        {
            "institution_id": "R5",
            "kind": "新型研发机构",
            "partner": "东南大学",
            "approved_on": date(2025, 12, 31),
        },
        {
            "institution_id": "R6",
            "kind": "新型研发机构",
            "partner": "  ",
            "approved_on": date(2026, 2, 1),
        },
    ]
    wh = open_with(tmp_path, rd_institutions=rows)
    assert (
        metrics.metric_actual(wh, "new_rd_partnerships", AS_OF) == 2
    )  # an empty partner counts as null
    row = next(
        p for p in metrics.progress(wh, AS_OF, load_plan(2026)) if p.id == "new_rd_partnerships"
    )
    assert (row.target, row.status) == (None, None)


# -- pace ----------------------------------------------------------------------------------

PACE_DAY = date(2026, 3, 14)  # day 73 of 365: a target of 50 is expected at exactly 10


@pytest.mark.parametrize(
    ("actual", "status"), [(10, "on_track"), (9, "at_risk"), (8, "at_risk"), (7, "behind")]
)
def test_pace_status_boundaries(actual, status):
    assert metrics.elapsed_share(PACE_DAY) == Fraction(73, 365)
    assert metrics.pace_status(actual, 50 * metrics.elapsed_share(PACE_DAY)) == status


def test_progress_paces_against_the_plan(tmp_path):
    rows = [
        {
            "project_id": f"P{i}",
            "high_growth": True,
            "stage": "落地",
            "landed_on": date(2026, 1, 1 + i),
        }
        for i in range(8)
    ]
    wh = open_with(tmp_path, sci_projects=rows)
    landed = next(
        p for p in metrics.progress(wh, PACE_DAY, load_plan(2026)) if p.id == "sci_projects_landed"
    )
    assert (landed.actual, landed.target, landed.expected, landed.projected, landed.status) == (
        8,
        50,
        10.0,
        40.0,
        "at_risk",
    )
    assert landed.share_of_target == 0.16


def test_elapsed_share_on_year_start_and_leap_year():
    assert metrics.elapsed_share(date(2026, 1, 1)) == Fraction(1, 365)
    assert metrics.elapsed_share(date(2028, 12, 31)) == 1


def test_absent_table_gives_null_never_zero(tmp_path):
    wh = open_with(tmp_path, enterprises=[firm(1)])
    rows = {p.id: p for p in metrics.progress(wh, AS_OF, load_plan(2026))}
    assert [p.id for p in metrics.METRICS] == list(rows)
    for p in rows.values():
        assert p.actual is None and p.status is None and p.missing_tables, p.id


def test_present_but_empty_table_gives_zero(tmp_path):
    wh = open_with(tmp_path, tech_contracts=[])
    assert metrics.metric_actual(wh, "tech_contract_amount", AS_OF) == 0


def test_default_as_of_is_latest_event_not_after_today(tmp_path):
    wh = open_with(
        tmp_path,
        tech_contracts=[{"contract_id": "T1", "registered_on": date(2026, 10, 28)}],
        service_visits=[
            {"visit_id": "V1", "visited_on": date(2026, 10, 30)},
            {"visit_id": "V2", "visited_on": date(2027, 1, 5)},
        ],
    )
    assert metrics.default_as_of(wh, today=date(2026, 11, 26)) == date(2026, 10, 30)
    assert metrics.default_as_of(wh, today=date(2026, 10, 29)) == date(2026, 10, 28)


def test_key_enterprises_unvisited_is_the_complement_of_served(tmp_path):
    from kechuang.engine.worklists import key_enterprises_unvisited

    keys = [{"uscc": uscc(n), "year": 2026, "team": "一队"} for n in (1, 2, 3)]
    visits = [
        {"visit_id": "V1", "uscc": uscc(1), "visited_on": AS_OF},
        {"visit_id": "V2", "uscc": uscc(2), "visited_on": date(2025, 12, 31)},
        {"visit_id": "V3", "uscc": uscc(3), "visited_on": DAY_AFTER},
    ]
    wh = open_with(
        tmp_path,
        key_enterprises=keys,
        service_visits=visits,
        enterprises=[firm(1), firm(2), firm(3)],
    )
    rows = key_enterprises_unvisited(wh, AS_OF)
    assert rows["uscc"].to_list() == [uscc(2), uscc(3)]
    assert rows["last_visited_on"].to_list() == [date(2025, 12, 31), None]
    assert (
        key_enterprises_unvisited(open_with(tmp_path / "x", enterprises=[firm(1)]), AS_OF) is None
    )


def test_shared_prefetch_of_two_dates_without_waiting_equals_direct_queries(tmp_path):
    wh = open_with(
        tmp_path,
        enterprises=[firm(1)],
        hnte_certificates=[
            {"uscc": uscc(1), "certificate_no": "C1", "issued_on": date(2025, 3, 1)},
            {"uscc": uscc(1), "certificate_no": "C2", "issued_on": date(2026, 3, 1)},
        ],
    )
    before = date(2025, 10, 31)
    shared = prefetch.Shared()
    shared.prefetch_dates(
        wh, [(AS_OF, ["new_hnte"], True), (before, ["new_hnte"], False)], wait=False
    )
    assert metrics.metric_actual(wh, "new_hnte", before, shared) == 1  # read when asked for
    shared.prefetch(
        wh, AS_OF, ["new_hnte"]
    )  # waits for its own date only; nothing is fetched twice
    shared.wait()
    assert not shared._pending
    assert shared.events(wh, "new_hnte", AS_OF).equals(metrics.metric_events(wh, "new_hnte", AS_OF))
    assert (
        metrics.metric_actual(wh, "new_hnte", AS_OF, shared) == 0
    )  # the 2025 certificate was valid at the year end
    assert shared.rd_coverage(wh, AS_OF).coverage == metrics.rd_coverage(wh, AS_OF).coverage
