"""A small county for the work-record tests: three firms in two towns, all 2026 key enterprises.

Firm 1 (掘港街道) and firm 3 (掘港街道) were visited in the service_visits file in 2026; firm 2
(长沙镇) was not. So key_enterprises_served is 2 on AS_OF from the file alone."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from fixtures import firm, uscc, write_warehouse

from kechuang.access import auth
from kechuang.worklog.rules import Firm

TOWN_A, TOWN_B = "掘港街道", "长沙镇"
F1, F2, F3 = (
    Firm(uscc(n), f"如东测试{n}号科技有限公司", t)
    for n, t in ((1, TOWN_A), (2, TOWN_B), (3, TOWN_A))
)
VISIT_1 = date(2026, 3, 2)  # firm 1's file visit, 政策落实

ANALYST = auth.User("analyst", "analyst", frozenset(), "演示分析员")
ADMIN = auth.User("admin", "admin")
LEADER = auth.User("leader", "leader")
CHANGSHA = auth.User("changsha", "town", frozenset({TOWN_B}))
JUEGANG = auth.User("juegang", "town", frozenset({TOWN_A}))
SHARE = auth.User("share", auth.SHARE_ROLE)


def county(data_dir: Path) -> Path:
    return write_warehouse(
        data_dir,
        enterprises=[firm(1), firm(2, town=TOWN_B), firm(3)],
        key_enterprises=[{"uscc": uscc(n), "year": 2026, "team": "一组"} for n in (1, 2, 3)],
        service_visits=[
            {
                "visit_id": "v1",
                "uscc": uscc(1),
                "visited_on": VISIT_1,
                "service_type": "政策落实",
                "team": "一组",
            },
            {
                "visit_id": "v2",
                "uscc": uscc(3),
                "visited_on": date(2026, 4, 1),
                "service_type": "专利布局",
                "team": "一组",
            },
            {
                "visit_id": "v0",
                "uscc": uscc(2),
                "visited_on": date(2025, 6, 1),
                "service_type": "专利布局",
                "team": "一组",
            },
        ],
    )


def one_rd_zero_firm_state(tmp_path: Path, monkeypatch, instance: Path, **firm_fields):
    """Pages over one manufacturer above 1 亿元 without R&D (firm 2, on the 清零 list) and the
    instance's own state database, which holds the demo accounts the pages sign in with. A
    generator for a fixture: yields the state database's engine, then disposes it."""
    from kechuang.state import db

    data = write_warehouse(
        tmp_path / "data",
        enterprises=[firm(2, industry_code="2614", **firm_fields)],
        stats_annual=[
            {"uscc": uscc(2), "year": 2025, "revenue_wan": 15000.0, "rd_expense_wan": 0.0}
        ],
        tax_annual=[{"uscc": uscc(2), "year": 2025, "revenue_wan": 15000.0, "rd_expense_wan": 0.0}],
    )
    url = f"sqlite:///{(instance / 'state.db').resolve()}"
    monkeypatch.setenv("KECHUANG_DATA", str(data))
    monkeypatch.setenv("KECHUANG_STATE", url)
    monkeypatch.setenv("KECHUANG_AUDIT", str(tmp_path / "audit.jsonl"))
    auth.ensure_demo_users(auth.users_path())
    yield db.engine(url)
    db.dispose(url)
