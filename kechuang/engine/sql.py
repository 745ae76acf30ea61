"""The SQL questions of `queries/`: one file each, read once, `{{ other }}` includes resolved, and
the parameters each one uses (Warehouse.query binds them)."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

QUERIES_DIR = Path(__file__).resolve().parents[2] / "queries"

_INCLUDE = re.compile(r"\{\{\s*([a-z0-9_]+)\s*\}\}")


@cache
def query_text(name: str) -> str:
    """The SQL of `queries/<name>.sql` (names may hold one folder, e.g. `checks/x`).

    `{{ other }}` in it stands for the text of queries/other.sql, so two questions over the same
    rows (e.g. the screen's list and its page's counts) share one definition of those rows."""
    if not re.fullmatch(r"[a-z0-9_]+(/[a-z0-9_]+)?", name):
        raise ValueError(f"not a query name: {name!r}")
    path = QUERIES_DIR / f"{name}.sql"
    if not path.is_file():
        raise ValueError(f"no such query: {name} (looked for {path})")
    return _INCLUDE.sub(lambda m: query_text(m.group(1)), path.read_text(encoding="utf-8"))


def bound_params(sql: str, params: dict) -> dict:
    """The parameters the SQL uses; DuckDB refuses excess ones."""
    used = set(re.findall(r"\$([a-z_][a-z0-9_]*)", sql))
    missing = used - params.keys()
    if missing:
        raise ValueError(f"query needs parameters {sorted(missing)}")
    return {k: v for k, v in params.items() if k in used}
