"""Every queries/*.sql (checks included) runs against a fixture with every table present, and
against an empty directory."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from fixtures import AS_OF, firm, uscc, write_warehouse

from kechuang.engine import contract
from kechuang.engine.screening import GazelleThresholds, HnteThresholds
from kechuang.engine.warehouse import QUERIES_DIR, Warehouse

NAMES = sorted(
    p.relative_to(QUERIES_DIR).with_suffix("").as_posix() for p in QUERIES_DIR.rglob("*.sql")
)
PARAMS = {
    "as_of": AS_OF,
    "today": date(2026, 11, 26),
    "uscc": uscc(1),
    "text": "测试",
    "evaluated_only": False,
    "max_not_passed": None,
    **HnteThresholds().params(),
    **GazelleThresholds().params(),
}


def one_row_per_table(data: Path) -> Path:
    filler = {"VARCHAR": "X1", "DATE": AS_OF, "INTEGER": 2026, "DOUBLE": 1.0, "BOOLEAN": True}
    rows = {
        t: [{c.name: filler[c.type] if c.required else None for c in contract.columns(t)}]
        for t in contract.TABLES
    }
    rows["enterprises"] = [firm(1)]
    for t, cols in contract.TABLES.items():
        if any(c.name == "uscc" for c in cols) and t != "enterprises":
            rows[t][0]["uscc"] = uscc(1)
    return write_warehouse(data, **rows)


@pytest.fixture(scope="module")
def full(tmp_path_factory):
    return Warehouse(one_row_per_table(tmp_path_factory.mktemp("full")))


@pytest.fixture(scope="module")
def empty(tmp_path_factory):
    return Warehouse(tmp_path_factory.mktemp("empty"))


def test_queries_found():
    assert "hnte_screen" in NAMES and "checks/duplicate_keys" in NAMES


@pytest.mark.parametrize("name", NAMES)
def test_query_runs_on_fixture(full, empty, name):
    full.query(name, **PARAMS)
    empty.query(name, **PARAMS)


@pytest.mark.parametrize("name", NAMES)
def test_query_has_a_header(name):
    first = (QUERIES_DIR / f"{name}.sql").read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("-- "), name
