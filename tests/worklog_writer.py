"""One writer process of the concurrency test (a small module: forked from a server that imported it
once)."""

from __future__ import annotations

import os
from datetime import date

import alembic.command  # noqa: F401  (imported once by the fork server, not by each writer)

from kechuang.access import auth
from kechuang.state import db
from kechuang.worklog import rules, store

ANALYST = auth.User("analyst", "analyst")


def write(url: str, firm: rules.Firm, n: int, audit_path: str) -> tuple[int, int]:
    """Five contacts, then one stage change from the screen everyone saw (seq 0): (contacts,
    stages). The audit path is passed: the fork server keeps the environment it started with."""
    os.environ["KECHUANG_AUDIT"] = audit_path
    engine = db.engine(url)
    for i in range(5):
        store.record_contact(
            engine,
            ANALYST,
            firm,
            kind="走访",
            on="2026-05-06",
            note=f"{n}-{i}",
            today=date(2026, 11, 5),
        )
    try:
        store.record_stage(engine, ANALYST, firm, "rd_zero", "已对接", expected_seq=0)
        return 5, 1
    except rules.StaleStage:
        return 5, 0
