"""A fresh `streamlit run app.py` on bench data: how long until the overview's first target card is
visible.

Starts the app on a free port (KECHUANG_DATA = the bench data, a throwaway users file with the demo
accounts), waits for /_stcore/health, opens the app in Debian's Chromium (Playwright), logs in as
the demo analyst and waits for the first card's progress text (完成年度目标). Reported: the
server's start until it answers its health check, and the app's own time from then to the first
card (the login page drawn, then the overview drawn after the form is sent; the few milliseconds of
typing excluded). Prints JSON; measures, never asserts.

    .venv/bin/python -m bench.first_page county
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CARD_TEXT = "完成年度目标"
USER = "analyst"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def measure(data: Path) -> dict:
    from playwright.sync_api import sync_playwright

    from kechuang.access import auth

    password = next(p for name, _, p, _, _ in auth.DEMO_ACCOUNTS if name == USER)
    with tempfile.TemporaryDirectory(prefix="kechuang_bench_") as tmp:
        users = Path(tmp) / "users.json"
        auth.ensure_demo_users(users)
        port = _free_port()
        env = {
            **os.environ,
            "KECHUANG_DATA": str(data),
            "KECHUANG_USERS": str(users),
            "KECHUANG_AUDIT": str(Path(tmp) / "audit.jsonl"),
        }
        started = time.perf_counter()
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                "app.py",
                "--server.port",
                str(port),
                "--server.headless",
                "true",
                "--browser.gatherUsageStats",
                "false",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            while True:
                try:
                    with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2):
                        break
                except OSError:
                    if time.perf_counter() - started > 60 or server.poll() is not None:
                        raise RuntimeError("the app did not start within 60 s") from None
                    time.sleep(0.05)
            healthy = time.perf_counter()
            with sync_playwright() as p:
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
                page.goto(url)
                page.wait_for_selector('input[aria-label="密码"]', timeout=60_000)
                login_shown = time.perf_counter()
                page.get_by_label("用户名").fill(USER)
                page.get_by_label("密码", exact=True).fill(password)
                page.get_by_role("button", name="登录").click()
                sent = time.perf_counter()
                page.locator('[data-testid="stMain"]').get_by_text(CARD_TEXT).first.wait_for(
                    timeout=60_000
                )
                card = time.perf_counter()
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=10)
    return {
        "server_start_s": healthy - started,
        "login_page_s": login_shown - opened,
        "overview_after_login_s": card - sent,
        "first_page_s": (login_shown - opened) + (card - sent),
    }


def main() -> None:
    scale = sys.argv[1] if len(sys.argv) > 1 else "county"
    print(json.dumps(measure(ROOT / "bench" / "cache" / scale)))


if __name__ == "__main__":
    main()
