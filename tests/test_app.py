"""Every page runs under AppTest on a fixture warehouse without an exception; filters survive page
switches."""

from __future__ import annotations

import ast
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from fixtures import firm, sign_in, uscc, write_warehouse
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "views").glob("*.py"))


@pytest.fixture
def app_data(tmp_path, monkeypatch):
    data = write_warehouse(
        tmp_path / "data",
        enterprises=[firm(1), firm(2, town="长沙镇")],
        hnte_certificates=[
            {"uscc": uscc(1), "certificate_no": "C1", "issued_on": date(2026, 3, 1)}
        ],
        tech_contracts=[
            {
                "contract_id": "T1",
                "uscc": uscc(2),
                "amount_wan": 1234.5,
                "registered_on": date(2026, 10, 30),
            }
        ],
    )
    monkeypatch.setenv("KECHUANG_DATA", str(data))
    return data


ADMIN_ONLY = {"views/admin.py"}


def run_page(page: str, user: str = "analyst", **params) -> AppTest:
    at = sign_in(AppTest.from_file(str(ROOT / "app.py"), default_timeout=60), user)
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    if page != "views/overview.py":  # the default page
        at.switch_page(page)
        at.run()
    return at


@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs(app_data, page):
    at = run_page(page, "admin" if page in ADMIN_ONLY else "analyst")
    assert not at.exception, [e.value for e in at.exception]


def test_progress_page_shows_engine_numbers(app_data):
    at = run_page("views/progress.py")
    shown = {m.label: m.value for m in at.metric}
    assert "完成" in shown
    values = [m.value for m in at.metric if m.label == "完成"]
    assert values[0] == "—"  # sci_projects absent: unknown, not 0
    assert values[1] == "1 家"  # new_hnte
    assert "0.00 亿元" not in values and "0.12 亿元" in values  # 1,234.5 万元
    assert at.query_params["as_of"] == "2026-10-30"


def test_url_sets_as_of_and_town(app_data):
    at = run_page("views/progress.py", as_of="2026-06-30", town="长沙镇")
    assert at.session_state["as_of"] == date(2026, 6, 30)
    assert at.selectbox(key="as_of__month").value == 6  # the sidebar's picker shows it
    assert at.selectbox(key="town").value == "长沙镇"
    values = [m.value for m in at.metric if m.label == "完成"]
    assert values[1] == "0 家"  # the 长沙镇 firm holds no certificate
    assert values[5] == "0.00 亿元"  # its contract is registered after 2026-06-30


def test_town_and_as_of_survive_a_page_switch(app_data):
    at = run_page("views/progress.py", as_of="2026-06-30", town="长沙镇")
    at.switch_page("views/contracts.py")
    at.run()
    assert not at.exception
    assert (at.session_state["as_of"], at.selectbox(key="town").value) == (
        date(2026, 6, 30),
        "长沙镇",
    )
    assert (at.query_params["as_of"], at.query_params["town"]) == ("2026-06-30", "长沙镇")


def test_progress_page_names_missing_data_by_the_department_file(app_data):
    # app_data holds no sci_projects: 高成长型科创项目落地 says which file is missing, in Chinese.
    at = run_page("views/progress.py")
    notes = [c.value for c in at.caption if c.value.startswith("缺少数据")]
    assert "缺少数据：科创项目招引" in notes
    assert not any("sci_projects" in n or "_" in n for n in notes)


def test_the_login_page_loads_neither_polars_nor_duckdb():
    """A fresh server's login page waits for no polars or DuckDB import (≈ 0.3 s): app.py imports
    only the light UI modules (ui/access, ui/login) before it draws the form, and ui/cache (the
    warehouse) after it."""
    source = (ROOT / "app.py").read_text(encoding="utf-8")
    tree = ast.parse(source)
    main = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "main")
    login = next(
        n for n in main.body if isinstance(n, ast.If) and ast.unparse(n.test) == "user is None"
    )
    before = [
        ast.unparse(n)
        for n in [*tree.body, *main.body]
        if isinstance(n, ast.Import | ast.ImportFrom) and n.lineno < login.lineno
    ]
    assert "from kechuang.ui import access, collector, gate, login" in before
    in_branch = [ast.unparse(n) for n in login.body]
    assert in_branch.index("login.login_page()") < in_branch.index("from kechuang.ui import cache")
    probe = "import sys\nprint(sorted(m for m in ('polars', 'duckdb') if m in sys.modules))"
    code = "\n".join([*before, probe])
    run = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert run.stdout.strip() == "[]"
    # ...and the probe can tell: the warehouse module loads both.
    code = "\n".join([*before, "from kechuang.ui import cache", probe])
    run = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert run.stdout.strip() == "['duckdb', 'polars']"
