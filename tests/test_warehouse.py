"""Opening a data directory: both table layouts, hive partitions, contract checks, absent tables,
scope."""

from __future__ import annotations

from datetime import date

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from fixtures import AS_OF, firm, uscc, write_table, write_warehouse

from kechuang.engine import metrics
from kechuang.engine.sources import DataError
from kechuang.engine.warehouse import Warehouse


def test_single_file_and_folder_layouts_read_the_same(tmp_path):
    rows = [
        {"uscc": uscc(1), "period": date(2026, m, 1), "invoiced_sales_wan": 10.0 * m}
        for m in (1, 2, 3)
    ]
    file_dir = tmp_path / "file"
    write_table(file_dir, "tax_monthly", rows)
    folder_dir = tmp_path / "folder"
    write_table(folder_dir, "tax_monthly", rows[:1], folder_dir / "tax_monthly" / "a.parquet")
    write_table(
        folder_dir, "tax_monthly", rows[1:], folder_dir / "tax_monthly" / "nested" / "b.parquet"
    )
    totals = [
        Warehouse(d)
        .con.execute("select count(*), sum(invoiced_sales_wan) from tax_monthly")
        .fetchone()
        for d in (file_dir, folder_dir)
    ]
    assert totals == [(3, 60.0), (3, 60.0)]


def test_hive_partition_key_not_in_contract_is_ignored(tmp_path):
    for year in (2025, 2026):
        write_table(
            tmp_path,
            "tax_monthly",
            [{"uscc": uscc(1), "period": date(year, 1, 1), "invoiced_sales_wan": 1.0}],
            tmp_path / "tax_monthly" / f"year={year}" / "part-0.parquet",
        )
    wh = Warehouse(tmp_path)
    assert [c[0] for c in wh.con.execute("describe tax_monthly").fetchall()] == [
        "uscc",
        "period",
        "invoiced_sales_wan",
        "tax_paid_wan",
    ]
    assert wh.con.execute("select count(*) from tax_monthly").fetchone() == (2,)


def test_hive_partition_key_that_is_a_contract_column_takes_the_contract_type(tmp_path):
    schema = pa.schema(
        [
            ("uscc", pa.string()),
            ("revenue_wan", pa.float64()),
            ("rd_expense_wan", pa.float64()),
            ("net_assets_wan", pa.float64()),
            ("hnte_preferential", pa.bool_()),
        ]
    )
    for year in (2024, 2025):
        path = tmp_path / "tax_annual" / f"year={year}" / "part.parquet"
        path.parent.mkdir(parents=True)
        pq.write_table(
            pa.Table.from_pylist([{"uscc": uscc(1), "revenue_wan": 100.0}], schema=schema), path
        )
    wh = Warehouse(tmp_path)
    assert wh.con.execute(
        "select any_value(typeof(year)), min(year), max(year) from tax_annual"
    ).fetchone() == ("INTEGER", 2024, 2025)


def test_missing_table_is_unavailable_not_an_error(tmp_path):
    wh = Warehouse(write_warehouse(tmp_path, enterprises=[firm(1)]))
    assert wh.available("enterprises") and not wh.available("patents")
    assert wh.missing("enterprises", "patents", "tax_annual") == ["patents", "tax_annual"]
    assert wh.con.execute("select count(*) from patents").fetchone() == (0,)


def test_mistyped_column_names_table_column_expected_and_found(tmp_path):
    table = pa.table(
        {
            "uscc": [uscc(1)],
            "name": ["甲"],
            "established_on": ["2020-01-01"],
            "registered_capital_wan": [1.0],
            "industry_code": ["3415"],
            "town": ["掘港街道"],
            "status": ["存续"],
        }
    )
    pq.write_table(table, tmp_path / "enterprises.parquet")
    with pytest.raises(DataError) as err:
        Warehouse(tmp_path)
    assert str(err.value).startswith(
        "表 enterprises 列 established_on（成立日期）类型不符：应为 DATE，实为 VARCHAR"
    )


def test_missing_column_is_named(tmp_path):
    pq.write_table(pa.table({"uscc": [uscc(1)], "name": ["甲"]}), tmp_path / "enterprises.parquet")
    with pytest.raises(
        DataError, match=r"表 enterprises 缺少列 established_on（成立日期），应为 DATE"
    ):
        Warehouse(tmp_path)


def test_lenient_open_reports_the_problem_and_keeps_the_rest(tmp_path):
    pq.write_table(pa.table({"uscc": [uscc(1)], "name": ["甲"]}), tmp_path / "enterprises.parquet")
    write_table(
        tmp_path,
        "tech_contracts",
        [{"contract_id": "T1", "amount_wan": 5.0, "registered_on": AS_OF}],
    )
    wh = Warehouse(tmp_path, strict=False)
    assert not wh.available("enterprises") and "缺少列" in wh.tables["enterprises"].problem
    assert metrics.metric_actual(wh, "tech_contract_amount", AS_OF) == 5.0


def test_integer_widening_is_accepted_and_cast(tmp_path):
    table = pa.table(
        {
            "uscc": [uscc(1)],
            "year": pa.array([2025], pa.int64()),
            "team": ["一队"],
            "focus": ["政策落实"],
        }
    )
    pq.write_table(table, tmp_path / "key_enterprises.parquet")
    wh = Warehouse(tmp_path)
    assert wh.con.execute("select typeof(year) from key_enterprises").fetchone() == ("INTEGER",)


def test_unreadable_file_is_a_clear_error(tmp_path):
    (tmp_path / "patents.parquet").write_bytes(b"not parquet")
    with pytest.raises(DataError, match=r"^表 patents 无法读取"):
        Warehouse(tmp_path)


def test_missing_directory(tmp_path):
    with pytest.raises(DataError, match="数据目录不存在"):
        Warehouse(tmp_path / "nope")


def test_empty_strings_are_null(tmp_path):
    wh = Warehouse(write_warehouse(tmp_path, enterprises=[firm(1, town=""), firm(2, town="  ")]))
    assert wh.con.execute("select count(*) from enterprises where town is null").fetchone() == (2,)


def scope_fixture(tmp_path):
    return write_warehouse(
        tmp_path,
        enterprises=[firm(1, town="掘港街道"), firm(2, town="长沙镇")],
        tech_contracts=[
            {"contract_id": "T1", "uscc": uscc(1), "amount_wan": 10.0, "registered_on": AS_OF},
            {"contract_id": "T2", "uscc": uscc(2), "amount_wan": 20.0, "registered_on": AS_OF},
            {"contract_id": "T3", "uscc": None, "amount_wan": 40.0, "registered_on": AS_OF},
        ],
        sci_projects=[
            {
                "project_id": "P1",
                "town": "长沙镇",
                "high_growth": True,
                "stage": "落地",
                "landed_on": AS_OF,
            },
            {
                "project_id": "P2",
                "town": "掘港街道",
                "high_growth": True,
                "stage": "落地",
                "landed_on": AS_OF,
            },
        ],
        trainings=[{"training_id": "X", "kind": "中小企业专项培训", "held_on": AS_OF}],
    )


def test_scope_restricts_every_enterprise_level_row(tmp_path):
    data = scope_fixture(tmp_path)
    county = Warehouse(data)
    town = Warehouse(data, scope={"长沙镇"})
    assert metrics.metric_actual(county, "tech_contract_amount", AS_OF) == 70.0
    assert metrics.metric_actual(town, "tech_contract_amount", AS_OF) == 20.0
    assert metrics.metric_actual(town, "sci_projects_landed", AS_OF) == 1
    assert metrics.metric_actual(town, "sme_trainings", AS_OF) == 1  # county-level: not scoped
    assert town.con.execute("select list(uscc) from enterprises").fetchone() == ([uscc(2)],)
    assert county.scoped({"掘港街道"}).con.execute(
        "select count(*) from enterprises"
    ).fetchone() == (1,)


def test_scope_cannot_be_widened(tmp_path):
    town = Warehouse(scope_fixture(tmp_path), scope={"长沙镇"})
    wider = town.scoped({"长沙镇", "掘港街道"})
    assert wider.scope == frozenset({"长沙镇"})
    assert town.scoped(None).scope == frozenset({"长沙镇"})


def test_scope_value_is_bound_not_formatted(tmp_path):
    evil = "长沙镇') or true or ('"
    town = Warehouse(scope_fixture(tmp_path), scope={evil})
    assert town.con.execute("select count(*) from enterprises").fetchone() == (0,)
