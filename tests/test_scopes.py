"""Town scopes on one database (issue 23): `county.scoped(towns)` shares the data, never the rows.

Fixture county (as of 2026-10-31): firm 1 in 掘港街道 (contract T1, 10 万元), firm 2 in 长沙镇
(T2, 20 万元), firm 3 in 长沙镇 (T3, 40 万元); each firm has one 2025 tax_annual row."""

from __future__ import annotations

import gc
import threading
from datetime import date

import duckdb
import polars as pl
import pytest
from fixtures import firm, uscc, write_warehouse

from kechuang.engine import metrics
from kechuang.engine.warehouse import Warehouse

AS_OF = date(2026, 10, 31)


@pytest.fixture
def county(tmp_path) -> Warehouse:
    towns = {1: "掘港街道", 2: "长沙镇", 3: "长沙镇"}
    data = write_warehouse(
        tmp_path,
        enterprises=[firm(n, town=t) for n, t in towns.items()],
        tech_contracts=[
            {"contract_id": f"T{n}", "uscc": uscc(n), "amount_wan": a, "registered_on": AS_OF}
            for n, a in ((1, 10.0), (2, 20.0), (3, 40.0))
        ],
        tax_annual=[{"uscc": uscc(n), "year": 2025, "revenue_wan": 100.0 * n} for n in towns],
    )
    return Warehouse(data)


def schemas(wh: Warehouse) -> set[str]:
    rows = wh.con.sql("select schema_name from duckdb_schemas() where schema_name like 'scope_%'")
    return {r[0] for r in rows.fetchall()}


def test_a_town_scope_shares_the_database_and_sees_only_its_towns(county):
    town = county.scoped({"长沙镇"})
    assert town._db is county._db and town.scope == frozenset({"长沙镇"})
    assert metrics.metric_actual(county, "tech_contract_amount", AS_OF) == 70.0
    assert metrics.metric_actual(town, "tech_contract_amount", AS_OF) == 60.0
    assert town.query("sum_firms")["uscc"].to_list() == [uscc(2), uscc(3)]
    assert county.query("sum_firms")["uscc"].to_list() == [uscc(1), uscc(2), uscc(3)]
    assert town.con.execute("select sum(revenue_wan) from tax_annual").fetchone() == (500.0,)


def test_a_summary_the_scope_has_not_built_fails_instead_of_reading_the_countys(county):
    county.query("sum_firms")  # the county's summary exists in the database now
    town = county.scoped({"掘港街道"})
    with pytest.raises(duckdb.CatalogException):
        town.con.sql("select count(*) from _sum_firms").fetchall()
    assert town.query("sum_firms")["uscc"].to_list() == [uscc(1)]  # built for the town on use


def test_closing_a_scope_drops_its_schema_and_a_collected_one_is_dropped_by_the_next_query(county):
    first, second = county.scoped({"长沙镇"}), county.scoped({"掘港街道"})
    first.query("sum_firms")
    names = {first._schema, second._schema}
    assert names <= schemas(county)
    first.close()
    assert first._schema not in schemas(county)
    dropped = second._schema
    del second
    gc.collect()
    county.query("towns")
    assert dropped not in schemas(county) and county._schema in schemas(county)


def test_the_unscoped_view_is_the_whole_county_on_the_same_database(county):
    town = county.scoped({"长沙镇"})
    whole = town.unscoped()
    assert whole._db is county._db and whole.scope is None
    assert whole.con.execute("select count(*) from enterprises").fetchone() == (3,)
    assert town.scoped(None).scope == frozenset({"长沙镇"})  # scoped() never widens


def test_scopes_queried_from_many_threads_at_once_keep_their_rows(county):
    towns = {"掘港街道": 10.0, "长沙镇": 60.0}
    results, errors = [], []

    def work(town: str) -> None:
        try:
            wh = county.scoped({town})
            for _ in range(5):
                results.append((town, metrics.metric_actual(wh, "tech_contract_amount", AS_OF)))
        except Exception as err:  # noqa: BLE001 - the test reports any
            errors.append(err)

    threads = [threading.Thread(target=work, args=(t,)) for t in list(towns) * 3]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len(results) == 30
    assert all(amount == towns[town] for town, amount in results)


def test_a_town_scope_sees_only_its_towns_recorded_contacts_wherever_it_is_read_from(tmp_path):
    # The file: one visit of firm 1 (掘港街道) and one of firm 2 (长沙镇) on 1 May. Recorded in the
    # dashboard: firm 1 on 1 May (the file's visit again), firm 2 on 6 May, firm 3 (长沙镇) on
    # 7 May.
    towns = {1: "掘港街道", 2: "长沙镇", 3: "长沙镇"}
    may = {n: date(2026, 5, n) for n in (1, 6, 7)}
    data = write_warehouse(
        tmp_path,
        enterprises=[firm(n, town=t) for n, t in towns.items()],
        service_visits=[
            {"visit_id": f"V{n}", "uscc": uscc(n), "visited_on": may[1], "service_type": "政策落实"}
            for n in (1, 2)
        ],
    )
    county = Warehouse(data)
    county.set_recorded_contacts(
        pl.DataFrame(
            {
                "entry_id": [11, 12, 13],
                "uscc": [uscc(1), uscc(2), uscc(3)],
                "kind": ["走访", "走访", "辅导"],
                "contacted_on": [may[1], may[6], may[7]],
                "service_type": ["政策落实", None, None],
            }
        ),
        stamp=1,
    )
    town, juegang = county.scoped({"长沙镇"}), county.scoped({"掘港街道"})

    def ids(wh: Warehouse, sql: str) -> list:
        return sorted(r[0] for r in wh.con.sql(sql).fetchall())

    assert ids(county, "select entry_id from recorded_contacts") == [11, 12, 13]
    assert ids(town, "select entry_id from recorded_contacts") == [12, 13]
    assert ids(juegang, "select entry_id from recorded_contacts") == [11]
    # service_contacts: the file's rows, then the recorded ones the file does not hold (entry 11
    # is firm 1's file visit).
    assert ids(county, "select visit_id from service_contacts") == ["V1", "V2", "W12", "W13"]
    assert ids(town, "select visit_id from service_contacts") == ["V2", "W12", "W13"]
    assert ids(juegang, "select visit_id from service_contacts") == ["V1"]
    # A scope's views stay bounded to its towns when named from another scope's connection.
    town_schema = town._schema
    assert ids(juegang, f"select entry_id from {town_schema}.recorded_contacts") == [12, 13]
    assert ids(juegang, f"select visit_id from {town_schema}.service_contacts") == [
        "V2",
        "W12",
        "W13",
    ]
    # The county's rows are not under the plain name in main: only a scope's schema has it.
    with pytest.raises(duckdb.CatalogException):
        county._db.sql("select * from main.service_contacts").fetchall()
