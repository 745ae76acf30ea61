"""End-to-end fixtures: a tiny warehouse, the real app under `streamlit run`, headless Chromium."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import date
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fixtures import firm, uscc, write_warehouse  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
CANDIDATE = 1


def pytest_addoption(parser):
    parser.addoption("--screenshots", action="store_true", default=False, help="save every page as PNG under screenshots/")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def e2e_tables() -> dict[str, list[dict]]:
    c = uscc(CANDIDATE)
    return {
        "enterprises": [firm(1), firm(2), firm(3, town="长沙镇"), firm(4, town="长沙镇")],
        "tax_annual": [{"uscc": c, "year": y, "revenue_wan": r, "rd_expense_wan": d}
                       for y, r, d in [(2023, 3000.0, 150.0), (2024, 4000.0, 200.0), (2025, 4800.0, 240.0)]],
        "stats_annual": [{"uscc": c, "year": 2025, "rd_staff": 10, "employees": 100, "total_assets_wan": 20000.0}],
        "patents": [{"ip_id": "ZL1", "uscc": c, "ip_type": "实用新型", "granted_on": date(2024, 1, 1), "valid": True}],
        "hnte_certificates": [{"uscc": uscc(2), "certificate_no": "GR2", "issued_on": date(2026, 3, 1)},
                              {"uscc": uscc(3), "certificate_no": "GR3", "issued_on": date(2026, 5, 1)}],
    }


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory) -> Path:
    return write_warehouse(tmp_path_factory.mktemp("e2e") / "data", **e2e_tables())


@pytest.fixture(scope="session")
def base_url(data_dir):
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} not installed (make test installs it)")
    port = _free_port()
    env = {**os.environ, "KECHUANG_DATA": str(data_dir)}
    streamlit = ROOT / ".venv" / "bin" / "streamlit"
    proc = subprocess.Popen([str(streamlit), "run", "app.py", "--server.port", str(port), "--server.headless", "true",
                             "--browser.gatherUsageStats", "false"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                with urllib.request.urlopen(url + "/_stcore/health", timeout=1) as r:
                    if r.status == 200:
                        break
            except OSError:
                time.sleep(0.25)
        else:
            pytest.fail("streamlit did not become healthy")
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="session")
def browser(base_url):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    pg = ctx.new_page()
    pg.set_default_timeout(20000)
    yield pg
    ctx.close()
