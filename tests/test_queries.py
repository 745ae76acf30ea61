"""Every queries/*.sql (checks included) runs against a fixture with every table present, and
against an empty directory."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from fixtures import AS_OF, firm, uscc, write_warehouse

from kechuang.engine import contract
from kechuang.engine.screening import GazelleThresholds, HnteThresholds
from kechuang.engine.sql import QUERIES_DIR, query_text
from kechuang.engine.warehouse import Warehouse

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


def header(name: str) -> list[str]:
    """The leading `-- ` comment lines of queries/<name>.sql, without the marker."""
    lines = []
    for line in (QUERIES_DIR / f"{name}.sql").read_text(encoding="utf-8").splitlines():
        if not line.startswith("--"):
            break
        lines.append(line[2:].strip())
    return lines


def declared_params(name: str) -> set[str]:
    """The `$names` after `Params:` (to the end of the header), with those of every query named
    as `those of <other>.sql`."""
    text = " ".join(header(name))
    if "Params:" not in text:
        return set()
    listed = text.split("Params:", 1)[1]
    found = set(re.findall(r"\$([a-z_][a-z0-9_]*)", listed))
    for other in re.findall(r"those of ([a-z0-9_/]+)\.sql", listed):
        found |= declared_params(other)
    return found


def used_params(name: str) -> set[str]:
    sql = query_text(name)  # includes resolved
    code = "\n".join(line.split("--", 1)[0] for line in sql.splitlines())
    return set(re.findall(r"\$([a-z_][a-z0-9_]*)", code))


@pytest.mark.parametrize("name", NAMES)
def test_query_header_fields(name):
    lines = header(name)
    assert lines, f"{name}: no header"
    if name.startswith("checks/") and not name.startswith("checks/_"):
        # A rule's first line is its severity, as engine/checks reads it.
        assert re.fullmatch(r"severity: (error|warning)", lines[0]), (name, lines[0])
        lines = lines[1:]
    what = lines[0]
    assert what and not what.startswith(("Grain:", "Params:")), f"{name}: no description first"
    grain = " ".join(lines).split("Grain:", 1)
    assert len(grain) == 2 and grain[1].strip(), f"{name}: no Grain field"
    assert declared_params(name) == used_params(name), name


def test_declared_params_follow_includes():
    # `Params: those of hnte_criteria.sql, $evaluated_only, ...` takes the included file's too.
    assert declared_params("enterprise") == {"uscc"} == used_params("enterprise")
    assert declared_params("hnte_screen") == used_params("hnte_screen")
    assert "evaluated_only" in declared_params("hnte_screen")
    assert "evaluated_only" not in declared_params("hnte_criteria")
