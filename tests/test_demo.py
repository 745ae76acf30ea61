"""The synthetic data directory: deterministic, contract-shaped, joinable, roughly like Rudong."""

from __future__ import annotations

import datetime as dt

import duckdb
import pyarrow.parquet as pq
import pytest

from kechuang.demo import write_demo
from kechuang.engine import contract, uscc

AS_OF = dt.date(2026, 10, 31)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    rows = write_demo(out)
    return out, rows


@pytest.fixture(scope="module")
def con(demo):
    out, _ = demo
    con = duckdb.connect()
    for table in contract.TABLES:
        con.execute(f"create view {table} as select * from read_parquet('{out / table}.parquet')")
    return con


def _one(con, sql):
    return con.execute(sql).fetchall()[0][0]


def test_same_seed_same_bytes_other_seed_other_firms(demo, tmp_path):
    out, _ = demo
    again, other = tmp_path / "again", tmp_path / "other"
    write_demo(again)
    write_demo(other, seed=7)
    files = sorted(p.relative_to(out) for p in out.rglob("*.parquet"))
    assert len(files) == len(contract.TABLES)
    for rel in files:
        assert (again / rel).read_bytes() == (out / rel).read_bytes(), rel
    assert (other / "enterprises.parquet").read_bytes() != (
        out / "enterprises.parquet"
    ).read_bytes()


def test_unknown_scale_is_rejected(tmp_path):
    with pytest.raises(ValueError, match="scale"):
        write_demo(tmp_path, scale="nation")


def test_every_table_has_the_contract_schema(demo):
    out, rows = demo
    assert set(rows) == set(contract.TABLES)
    for table in contract.TABLES:
        schema = pq.read_schema(out / f"{table}.parquet")
        expected = contract.arrow_schema(table)
        assert schema.names == expected.names, table
        assert [f.type for f in schema] == [f.type for f in expected], table
        assert pq.ParquetFile(out / f"{table}.parquet").metadata.num_rows == rows[table]


def test_codes_are_valid_and_keys_unique(con):
    codes = [r[0] for r in con.execute("select uscc from enterprises").fetchall()]
    assert all(uscc.is_valid(c) for c in codes)
    assert len(set(codes)) == len(codes)
    for table, key in contract.UNIQUE_KEYS.items():
        cols = ", ".join(key)
        dupes = _one(
            con,
            f"select count(*) from (select {cols} from {table} group by all having count(*) > 1)",
        )
        assert dupes == 0, (table, key)


def test_categories_are_the_contract_values(con):
    for (table, column), values in contract.CATEGORIES.items():
        found = {
            r[0]
            for r in con.execute(
                f"select distinct {column} from {table} where {column} is not null"
            ).fetchall()
        }
        assert found <= set(values), (table, column, found - set(values))


def test_no_department_row_points_outside_enterprises(con):
    for table, cols in contract.TABLES.items():
        if table != "enterprises" and any(c.name == "uscc" for c in cols):
            orphans = _one(
                con,
                f"select count(*) from {table} where uscc is not null "
                f"and uscc not in (select uscc from enterprises)",
            )
            assert orphans == 0, table


def test_amounts_are_non_negative_and_consistent(con):
    assert (
        _one(
            con,
            "select count(*) from tech_contracts where amount_wan < 0 or tech_amount_wan > "
            "amount_wan",
        )
        == 0
    )
    assert _one(con, "select count(*) from stats_annual where rd_staff > employees") == 0
    for table, column in (
        ("tax_monthly", "invoiced_sales_wan"),
        ("tax_annual", "revenue_wan"),
        ("stats_annual", "revenue_wan"),
        ("iur_projects", "amount_wan"),
    ):
        assert _one(con, f"select count(*) from {table} where {column} < 0") == 0, table
    assert (
        _one(
            con,
            "select count(*) from iur_projects where stage in ('需求征集', '精准对接') "
            "and registered_on is not null",
        )
        == 0
    )
    assert (
        _one(
            con,
            "select count(*) from sci_projects where (stage = '落地') <> (landed_on is not null)",
        )
        == 0
    )


def test_county_scale_looks_like_rudong(con):
    assert 25_000 <= _one(con, "select count(*) from enterprises") <= 35_000
    valid = _one(
        con,
        f"select count(distinct uscc) from hnte_certificates "
        f"where issued_on <= date '{AS_OF}' and date '{AS_OF}' < issued_on + interval 3 year",
    )
    assert 250 <= valid <= 450
    latest = _one(
        con,
        "select max(d) from (select max(registered_on) d from tech_contracts "
        "union all select max(issued_on) from hnte_certificates "
        "union all select max(registered_on) from iur_projects "
        "union all select max(landed_on) from sci_projects "
        "union all select max(visited_on) from service_visits "
        "union all select max(held_on) from trainings "
        "union all select max(period) from tax_monthly "
        "union all select max(established_on) from enterprises)",
    )
    assert dt.date(2026, 10, 28) <= latest <= AS_OF
    ytd = _one(
        con, "select sum(amount_wan) from tech_contracts where registered_on >= date '2026-01-01'"
    )
    assert 700_000 <= ytd <= 900_000
    share = _one(
        con,
        """
        with pop as (select e.uscc from enterprises e
                     join stats_annual s on s.uscc = e.uscc and s.year = 2025
                     where e.status in ('存续', '在业')
                       and substr(e.industry_code, 1, 2)::int between 13 and 43
                       and s.revenue_wan >= 10000),
             active as (select uscc from stats_annual where year = 2025 and rd_expense_wan > 0
                        union select uscc from tax_annual where year = 2025 and rd_expense_wan > 0)
        select avg((uscc in (select uscc from active))::int) from pop""",
    )
    assert 0.8 <= share < 0.95


def test_its_own_check_finds_no_problem(demo):
    from kechuang.engine.checks import findings
    from kechuang.engine.warehouse import Warehouse

    assert findings(Warehouse(demo[0])) == []


def test_the_2026_picture_mixes_on_track_at_risk_and_behind(demo):
    from datetime import date

    from kechuang.engine.metrics import progress
    from kechuang.engine.plan import load_plan
    from kechuang.engine.warehouse import Warehouse

    statuses = {
        p.id: p.status for p in progress(Warehouse(demo[0]), date(2026, 10, 30), load_plan(2026))
    }
    assert {"on_track", "at_risk", "behind"} <= set(statuses.values())
    assert (
        statuses["key_enterprises_served"] == "behind"
        and statuses["sci_projects_landed"] == "on_track"
    )
