"""Tiny hand-built warehouses: each test writes just the rows it reasons about."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from kechuang.engine import contract
from kechuang.engine.uscc import check_char

AS_OF = date(2026, 10, 31)
DAY_AFTER = date(2026, 11, 1)
YEAR_START = date(2026, 1, 1)


def uscc(n: int) -> str:
    """A valid Rudong USCC for firm number n."""
    body = f"91320623MA{n:07d}"
    return body + check_char(body)


def firm(n: int, **overrides) -> dict:
    """An enterprises row with sensible defaults."""
    row = {
        "uscc": uscc(n),
        "name": f"如东测试{n}号科技有限公司",
        "established_on": date(2015, 1, 1),
        "registered_capital_wan": 1000.0,
        "industry_code": "3415",
        "town": "掘港街道",
        "status": "存续",
    }
    row.update(overrides)
    return row


def _complete(table: str, row: dict) -> dict:
    missing = {c.name: None for c in contract.columns(table) if c.name not in row}
    return {**missing, **row}


def write_table(data_dir: Path, table: str, rows: list[dict], path: Path | None = None) -> Path:
    """Write rows (missing columns null) as the contract's Parquet file of a table."""
    data_dir.mkdir(parents=True, exist_ok=True)
    path = path or data_dir / f"{table}.parquet"
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(
        pa.Table.from_pylist(
            [_complete(table, r) for r in rows], schema=contract.arrow_schema(table)
        ),
        path,
    )
    return path


def write_warehouse(data_dir: Path, **tables: list[dict]) -> Path:
    """A data directory holding exactly the given tables."""
    for table, rows in tables.items():
        write_table(data_dir, table, rows)
    return data_dir


# -- signed-in app sessions (the app's login state, for AppTest) -----------------------------------

SESSION_KEY = "_kechuang_session"  # kechuang.ui.access._SESSION


def sign_in(at, name: str = "analyst"):
    """Put a fresh session of the named account (from the test's users file) into an AppTest."""
    from kechuang.access import auth

    user = next(u for u in auth.list_users(auth.users_path()) if u.name == name)
    now = datetime.now(UTC)
    at.session_state[SESSION_KEY] = auth.Session(user=user, started_at=now, last_seen_at=now)
    return at


def sign_out(at):
    if SESSION_KEY in at.session_state:
        del at.session_state[SESSION_KEY]
    return at


def choose_date(at, key: str, day: date):
    """Choose `day` in the date picker `key` (kechuang/ui/date_picker.py) as a user would: year,
    then month, then day, each a run."""
    from kechuang.ui.date_picker import part_keys

    for select, value in zip(part_keys(key), (day.year, day.month, day.day), strict=True):
        at.selectbox(key=select).set_value(value).run()
    return at


def open_sections(at):
    """Open every section drawn only when opened (lazy expanders: a chart's 数据表与下载 keyed
    *_table_open, 总览's 逐项卡片/简报文字 *_section_open; opening reruns the page) and rerun: what
    a user does to read them. (跟踪记录's forms, *_records_open, stay closed.)"""
    keys = [
        k
        for k in at.session_state
        if isinstance(k, str) and k.endswith(("_table_open", "_section_open"))
    ]
    if keys:
        for k in keys:
            at.session_state[k] = True
        at.run()
    return at
