"""A fresh `streamlit run app.py` on bench data: how long until the overview's first target is
visible.

Starts the app on a free port (KECHUANG_DATA = the bench data, a throwaway users file with the demo
accounts), waits for /_stcore/health, opens the app in Debian's Chromium (Playwright), logs in as
the demo analyst and waits for the first row of the target list (目标一览; the cards with their
完成年度目标 text are folded in an expander since the compact list came). Reported: the
server's start until it answers its health check, and the app's own time from then to the first
card (the login page drawn, then the overview drawn after the form is sent; the few milliseconds of
typing excluded). Prints JSON; measures, never asserts.

    .venv/bin/python -m bench.first_page county
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from bench.server import ROOT, app_server

CHROMIUM = "/usr/bin/chromium"
FIRST_TARGET = '[data-testid="stMain"] .kc-row'  # charts/target_list.py's rows
USER = "analyst"


def measure(data: Path) -> dict:
    from playwright.sync_api import sync_playwright

    from kechuang.access import auth

    password = next(p for name, _, p, _, _ in auth.DEMO_ACCOUNTS if name == USER)
    with app_server(data) as server, sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
            ],
        )
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        opened = time.perf_counter()
        page.goto(server.url)
        page.wait_for_selector('input[aria-label="密码"]', timeout=60_000)
        login_shown = time.perf_counter()
        page.get_by_label("用户名").fill(USER)
        page.get_by_label("密码", exact=True).fill(password)
        page.get_by_role("button", name="登录").click()
        sent = time.perf_counter()
        page.locator(FIRST_TARGET).first.wait_for(timeout=60_000)
        card = time.perf_counter()
        browser.close()
    return {
        "server_start_s": server.started_s,
        "login_page_s": login_shown - opened,
        "overview_after_login_s": card - sent,
        "first_page_s": (login_shown - opened) + (card - sent),
    }


def main() -> None:
    scale = sys.argv[1] if len(sys.argv) > 1 else "county"
    print(json.dumps(measure(ROOT / "bench" / "cache" / scale)))


if __name__ == "__main__":
    main()
