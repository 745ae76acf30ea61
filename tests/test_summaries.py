"""Speed by design (kechuang.engine.warehouse): summaries per warehouse and clean text columns read
as stored.

Every summary must equal the direct query, hold only the warehouse's towns, and never outlive its
data version; reading clean columns as stored must not change a single value."""

from __future__ import annotations

import threading
from datetime import date

import polars as pl
import pytest
from fixtures import AS_OF, firm, uscc, write_table, write_warehouse

from kechuang import ingest
from kechuang.engine import database, metrics, profile, screening
from kechuang.engine.sources import data_version
from kechuang.engine.warehouse import Warehouse
from kechuang.ingest import Source


def month(y: int, m: int) -> date:
    return date(y, m, 1)


def monthly(n: int, period: date, sales: float) -> dict:
    return {
        "uscc": uscc(n),
        "period": period,
        "invoiced_sales_wan": sales,
        "tax_paid_wan": sales / 10,
    }


@pytest.fixture
def data(tmp_path):
    return write_warehouse(
        tmp_path / "wh",
        enterprises=[firm(1, town="掘港街道"), firm(2, town="掘港街道"), firm(3, town="长沙镇")],
        tax_monthly=[
            monthly(1, month(2025, 9), 100.0),
            monthly(2, month(2025, 9), 20.0),
            monthly(1, month(2026, 9), 150.0),
            monthly(2, month(2026, 9), 30.0),
            monthly(3, month(2026, 9), 7.0),
            monthly(3, month(2026, 11), 9.0),
            monthly(9, month(2026, 9), 5.0),  # a firm missing from the register: town unknown
        ],
        tax_annual=[
            {"uscc": uscc(1), "year": 2024, "revenue_wan": 1000.0, "rd_expense_wan": 50.0},
            {"uscc": uscc(1), "year": 2025, "revenue_wan": None, "rd_expense_wan": 60.0},
            {
                "uscc": uscc(9),
                "year": 2025,
                "revenue_wan": 1.0,
            },  # not in the register: not in the summary
        ],
        stats_annual=[
            {
                "uscc": uscc(1),
                "year": 2025,
                "revenue_wan": 1300.0,
                "rd_expense_wan": 70.0,
                "rd_staff": 5,
                "employees": 40,
            },
            {"uscc": uscc(3), "year": 2025, "revenue_wan": 20000.0, "employees": 300},
        ],
    )


def test_town_monthly_sales_sums_each_town_and_month_with_last_years_month(data):
    got = metrics.town_monthly_sales(Warehouse(data), AS_OF)
    assert got.select("town", "period", "invoiced_sales_wan", "last_year_sales_wan").rows() == [
        ("掘港街道", month(2025, 9), 120.0, None),
        ("掘港街道", month(2026, 9), 180.0, 120.0),
        ("长沙镇", month(2026, 9), 7.0, None),  # November is after the as-of date
        (None, month(2026, 9), 5.0, None),
    ]
    assert got["yoy"].to_list() == [None, pytest.approx(0.5), None, None]


def test_town_monthly_sales_is_none_without_tax_monthly(tmp_path):
    assert (
        metrics.town_monthly_sales(
            Warehouse(write_warehouse(tmp_path, enterprises=[firm(1)])), AS_OF
        )
        is None
    )


def test_firm_year_summary_equals_the_direct_join_with_the_fallback_rule(data):
    wh = Warehouse(data)
    got = wh.query("sum_firm_year").join(wh.query("sum_firms").select("fkey", "uscc"), on="fkey")
    rows = sorted(
        got.select(
            "uscc",
            "year",
            "revenue_wan",
            "rd_expense_wan",
            "tax_rd_expense_wan",
            "has_stats",
            "stats_revenue_wan",
            "employees",
        ).rows()
    )
    assert rows == [
        (uscc(1), 2024, 1000.0, 50.0, 50.0, False, None, None),
        (
            uscc(1),
            2025,
            1300.0,
            60.0,
            60.0,
            True,
            1300.0,
            40,
        ),  # tax revenue null: stats; tax R&D present: tax
        (uscc(3), 2025, 20000.0, None, None, True, 20000.0, 300),
    ]


def test_settled_year_summary_holds_the_screens_money_inputs_of_this_years_settled_year(data):
    """2025: the latest tax_annual year before the current one. Firm 1: 2025 and 2024 (tax revenue
    null in 2025: stats 1300; R&D tax 60 and 50); firm 3: 2025 from stats only (no R&D: 0)."""
    wh = Warehouse(data)
    got = wh.query("sum_firm_settled").join(wh.query("sum_firms").select("fkey", "uscc"), on="fkey")
    assert sorted(got.drop("fkey").select("uscc", pl.exclude("uscc")).rows()) == [
        (uscc(1), 2025, 1300.0, 1000.0, 2300.0, 110.0, 5, 40, None),
        (uscc(3), 2025, 20000.0, None, 20000.0, 0.0, None, 300, None),
    ]


def _screen(wh: Warehouse, as_of: date) -> pl.DataFrame:
    params = screening.HnteThresholds().params()
    return wh.query(
        "hnte_screen", as_of=as_of, uscc=None, evaluated_only=False, max_not_passed=None, **params
    )


def test_the_screen_reads_the_settled_summary_this_year_and_groups_the_years_itself_otherwise(
    data,
):
    wh = Warehouse(data)
    this_year, last_year = _screen(wh, AS_OF), _screen(wh, date(2025, 6, 30))
    wh.prepare("_sum_firm_settled")
    cur = wh.cursor()
    try:  # what the screen reads this year, changed: firm 1's revenue of 2025
        cur.execute("update _sum_firm_settled set revenue_y_wan = 1 where fkey = 1")
    finally:
        cur.close()
    read = _screen(wh, AS_OF)
    assert read.filter(pl.col("uscc") == uscc(1))["revenue_y_wan"].to_list() == [1.0]
    others = pl.col("uscc") != uscc(1)
    assert read.filter(others).equals(this_year.filter(others))
    assert _screen(wh, date(2025, 6, 30)).equals(last_year)  # settled on 2024: not the summary
    cur = wh.cursor()
    try:  # no summary row for 2025: the screen groups the years itself, as for any other year
        cur.execute("delete from _sum_firm_settled")
    finally:
        cur.close()
    assert _screen(wh, AS_OF).equals(this_year)


def test_summaries_of_a_town_scoped_warehouse_hold_only_its_towns(data):
    town = Warehouse(data, scope={"长沙镇"})
    assert town.query("sum_firms")["uscc"].to_list() == [uscc(3)]
    assert metrics.town_monthly_sales(town, AS_OF).select("town", "invoiced_sales_wan").rows() == [
        ("长沙镇", 7.0)
    ]
    assert town.query("sum_firm_year")["fkey"].to_list() == [1]


def test_a_summary_is_built_once_per_warehouse(data):
    wh = Warehouse(data)
    metrics.town_monthly_sales(wh, AS_OF)
    write_table(
        data, "tax_monthly", [monthly(1, month(2026, 9), 1.0)]
    )  # changed under an open warehouse
    assert (
        metrics.town_monthly_sales(wh, AS_OF)
        .filter(town="掘港街道", period=month(2026, 9))["invoiced_sales_wan"]
        .item()
        == 180.0
    )


def test_after_an_ingest_a_new_warehouse_has_new_summaries_and_the_open_one_keeps_its_version(
    data, tmp_path
):
    old = Warehouse(data)
    assert metrics.town_monthly_sales(old, AS_OF).filter(period=month(2026, 9))[
        "town"
    ].to_list() == ["掘港街道", "长沙镇", None]
    before = data_version(data)
    csv = tmp_path / "e.csv"  # firm 3 moves to 掘港街道; firm 2 leaves the register
    csv.write_text(
        f"统一社会信用代码,企业名称,所属镇区\n{uscc(1)},甲,掘港街道\n{uscc(3)},丙,掘港街道\n",
        encoding="utf-8",
    )
    [result] = ingest.ingest(data, [Source.from_path(csv)])
    assert result.written and data_version(data) != before
    new = Warehouse(data)
    assert metrics.town_monthly_sales(new, AS_OF).filter(period=month(2026, 9)).select(
        "town", "invoiced_sales_wan"
    ).rows() == [("掘港街道", 157.0), (None, 35.0)]
    assert metrics.town_monthly_sales(old, AS_OF).filter(period=month(2026, 9)).select(
        "town", "invoiced_sales_wan"
    ).rows() == [("掘港街道", 180.0), ("长沙镇", 7.0), (None, 5.0)]


def test_summaries_built_from_many_threads_at_once_agree(data):
    wh = Warehouse(data)
    results, errors = [], []

    def work():
        try:
            results.append(screening.screen(wh, AS_OF, include_all=True).to_dicts())
        except Exception as err:  # noqa: BLE001 - the test reports any
            errors.append(err)

    threads = [threading.Thread(target=work) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len(results) == 6 and all(r == results[0] for r in results)


def test_padded_and_blank_text_is_still_normalised_after_the_clean_check(tmp_path):
    data = write_warehouse(
        tmp_path,
        enterprises=[firm(1, town=" 掘港街道 "), firm(2, town="  ")],
        tax_monthly=[
            {"uscc": f" {uscc(1)}", "period": month(2026, 9), "invoiced_sales_wan": 4.0},
            {"uscc": uscc(1), "period": month(2026, 8), "invoiced_sales_wan": 3.0},
        ],
    )
    wh = Warehouse(data)
    file = profile.enterprise_file(wh, uscc(1), AS_OF)
    assert file.registry["town"] == "掘港街道"
    assert file.sections["tax_monthly"]["invoiced_sales_wan"].to_list() == [3.0, 4.0]
    assert metrics.town_monthly_sales(wh, AS_OF).select("town", "invoiced_sales_wan").rows() == [
        ("掘港街道", 3.0),
        ("掘港街道", 4.0),
    ]
    assert wh.query("towns")["town"].to_list() == ["掘港街道"]


def test_clean_columns_are_read_as_stored_and_give_the_same_rows(data, monkeypatch):
    monkeypatch.setattr(database, "IN_MEMORY_ROWS", 0)  # every table stays on Parquet
    wh = Warehouse(data)
    plain = wh.con.sql(
        "select * from tax_monthly order by uscc, period"
    ).fetchall()  # before the check: normalised
    wh.prepare("select * from tax_monthly")
    assert (
        "trim"
        not in wh.con.sql(
            "select sql from duckdb_views() where view_name = '_raw_tax_monthly'"
        ).fetchall()[0][0]
    )
    assert wh.con.sql("select * from tax_monthly order by uscc, period").fetchall() == plain


def view_sql(wh: Warehouse, view: str) -> str:
    return wh.con.sql(f"select sql from duckdb_views() where view_name = '{view}'").fetchall()[0][0]


def test_small_tables_are_read_from_memory_after_the_check_and_give_the_same_rows(
    tmp_path, monkeypatch
):
    monkeypatch.setattr(database, "IN_MEMORY_ROWS", 2)  # exactly at the limit is small
    data = write_warehouse(
        tmp_path,
        enterprises=[firm(1, town=" 掘港街道 "), firm(2, town="  ")],
        tax_monthly=[
            {"uscc": f" {uscc(1)}", "period": month(2026, 9), "invoiced_sales_wan": 4.0},
            {"uscc": uscc(1), "period": month(2026, 8), "invoiced_sales_wan": 3.0},
            {"uscc": uscc(2), "period": month(2026, 8), "invoiced_sales_wan": 1.0},
        ],
    )
    wh = Warehouse(data)
    before = {
        t: wh.con.sql(f"select * from {t} order by all").fetchall()
        for t in ("enterprises", "tax_monthly")
    }
    wh.warm_up(background=False)
    assert "_mem_enterprises" in view_sql(wh, "_raw_enterprises")  # 2 rows: copied, normalised
    assert "read_parquet" in view_sql(wh, "_raw_tax_monthly")  # 3 rows: read in place
    assert {t: wh.con.sql(f"select * from {t} order by all").fetchall() for t in before} == before
    assert wh.query("towns")["town"].to_list() == ["掘港街道"]


def test_warm_up_settles_every_table_and_builds_the_shared_summaries(data):
    wh = Warehouse(data)
    wh.warm_up(background=True).join()
    assert not wh._unsettled and {"firms", "firm_year", "firm_settled"} <= wh._summaries
    assert metrics.town_monthly_sales(wh, AS_OF).height == 4


def test_how_far_back_the_data_reaches_is_the_countys_and_asked_once_per_warehouse(
    data, monkeypatch
):
    from kechuang.models import timeline

    county, town = Warehouse(data), Warehouse(data, scope={"长沙镇"})
    asked = []
    original = Warehouse.query
    monkeypatch.setattr(
        Warehouse,
        "query",
        lambda self, name, **p: (asked.append(name), original(self, name, **p))[1],
    )
    assert timeline.earliest_dates(town) == timeline.earliest_dates(county)
    assert timeline.earliest_dates(town)["enterprises"] == date(2015, 1, 1)
    assert timeline.earliest_dates(town)["stats_annual"] == date(2025, 1, 1)
    assert asked.count("cockpit_earliest") == 2  # once for each warehouse, then remembered
