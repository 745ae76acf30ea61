"""The benchmark's workloads run on a tiny warehouse (so `make bench` cannot rot unnoticed); timing
is not tested."""

from __future__ import annotations

from datetime import date

import pytest
from fixtures import firm, uscc, write_warehouse

from bench import run
from kechuang.engine import screening
from kechuang.engine.warehouse import Warehouse


@pytest.fixture
def data(tmp_path):
    return write_warehouse(
        tmp_path,
        enterprises=[firm(1), firm(2, town="长沙镇", established_on=date(2025, 12, 1))],
        tax_monthly=[
            {"uscc": uscc(1), "period": date(2025, 9, 1), "invoiced_sales_wan": 2.0},
            {"uscc": uscc(1), "period": date(2026, 9, 1), "invoiced_sales_wan": 3.0},
        ],
        tax_annual=[
            {"uscc": uscc(n), "year": y, "revenue_wan": revenue, "rd_expense_wan": 60.0}
            for n in (1, 2)
            for y, revenue in ((2023, 1000.0), (2024, 1000.0), (2025, 1300.0))
        ],
        stats_annual=[
            {
                "uscc": uscc(1),
                "year": 2025,
                "rd_staff": 20,
                "employees": 100,
                "total_assets_wan": 900.0,
            }
        ],
        patents=[
            {
                "ip_id": "P1",
                "uscc": uscc(1),
                "ip_type": "发明专利",
                "granted_on": date(2020, 1, 1),
                "valid": True,
            }
        ],
        hnte_certificates=[
            {"uscc": uscc(2), "certificate_no": "C1", "issued_on": date(2024, 11, 1)}
        ],
    )


def test_every_workload_runs(data):
    wh = Warehouse(data)
    for work in run._workloads().values():
        work(wh)
        work(wh)  # a warm run on the same warehouse
    # Like for like: firm 1 passes all six (R&D 180 / 3300 = 5.5%, growth 30%); firm 2 holds a
    # valid certificate.
    assert run.pandas_screen(data).index.to_list() == [uscc(1)]
    assert screening.screen(wh, run.AS_OF)["uscc"].to_list() == [uscc(1)]


def test_the_yoy_workload_matches_the_plain_sql(data):
    wh = Warehouse(data)
    summary = run._workloads()["monthly sales by town, YoY"](wh)
    plain = run._sql(wh, run.PLAIN_MONTHLY_YOY)
    assert summary.select("town", "period", "invoiced_sales_wan", "last_year_sales_wan").rows() == [
        r[:4] for r in plain
    ]
