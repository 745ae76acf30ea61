"""Data-quality findings: the SQL rules in queries/checks/ (empty result = healthy) plus absent tables."""

from __future__ import annotations

import re
from dataclasses import dataclass

from kechuang import contract
from kechuang.warehouse import QUERIES_DIR, Warehouse, query_text


@dataclass(frozen=True)
class Finding:
    table: str
    check: str
    severity: str  # error or warning
    rows: int  # offending rows (or groups of rows, as the rule's grain says)
    example: str

    def as_json(self) -> dict:
        return {"table": self.table, "check": self.check, "severity": self.severity, "rows": self.rows, "example": self.example}


def rule_names() -> list[str]:
    return sorted(f"checks/{p.stem}" for p in (QUERIES_DIR / "checks").glob("*.sql"))


def _severity(sql: str) -> str:
    found = re.search(r"^-- severity: (error|warning)", sql, re.MULTILINE)
    return found.group(1) if found else "error"


def findings(wh: Warehouse) -> list[Finding]:
    """Every problem in the data directory, tables without data first."""
    out = []
    for name, info in wh.tables.items():
        if info.problem:
            out.append(Finding(name, "table_unreadable", "error", 0, info.problem))
        elif info.source is None:
            out.append(Finding(name, "table_absent", "warning", 0, f"缺少表 {name}（{contract.TABLE_LABELS[name]}）"))
    for rule in rule_names():
        result = wh.query(rule)
        if result.height == 0:
            continue
        severity = _severity(query_text(rule))
        by_table = result.partition_by("table_name", as_dict=True) if "table_name" in result.columns else {("",): result}
        for (table,), rows in by_table.items():
            n = int(rows["n_rows"].sum()) if "n_rows" in rows.columns else rows.height
            example = ", ".join(f"{k}={v}" for k, v in rows.row(0, named=True).items() if k != "table_name")
            out.append(Finding(table, rule.removeprefix("checks/"), severity, n, example))
    return out
