"""A fresh `streamlit run serve.py` (what `make run` serves) on bench data: how long until the
overview's first target row is visible.

Starts the app on a free port (KECHUANG_DATA = the bench data, a throwaway users file with the demo
accounts), waits for /_stcore/health, opens the app in Debian's Chromium (Playwright), logs in as
the demo analyst and waits for the first target row's status badge. Reported: the
server's start until it answers its health check, and the app's own time from then to the first
card (the login page drawn, then the overview drawn after 登录 is clicked; the few milliseconds of
typing excluded), by the page's own clock: when each element first exists (a MutationObserver), not
when Playwright's polling noticed it. Prints JSON; measures, never asserts.

    .venv/bin/python -m bench.first_page county
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from bench.server import ROOT, app_server

CHROMIUM = "/usr/bin/chromium"
# The overview's first target row (its compact list, kechuang/charts/target_list.py): the figure a
# leader opens the link for. (The cards' "完成年度目标" moved behind a tap with issue 18.)
FIRST_ROW = '[data-testid="stMain"] .kc-targets .kc-row .kc-status'
USER = "analyst"
LOGIN_BOX = 'input[aria-label="密码"]'
# When each element first exists in the page, and when 登录 was clicked, by the page's own clock
# (performance.now(): ms since the navigation began). Playwright's waits poll at growing intervals
# (up to 0.5 s), which they would add to the times measured.
WATCH = """
window.__kcSeen = {};
const wanted = %s;
new MutationObserver(() => {
  for (const [name, selector] of Object.entries(wanted)) {
    if (!(name in window.__kcSeen) && document.querySelector(selector)) {
      window.__kcSeen[name] = performance.now();
    }
  }
}).observe(document, {subtree: true, childList: true, attributes: true});
document.addEventListener("click", () => {
  if (!("click" in window.__kcSeen)) window.__kcSeen.click = performance.now();
}, true);
"""


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
        page.add_init_script(WATCH % json.dumps({"login": LOGIN_BOX, "row": FIRST_ROW}))
        page.goto(server.url)
        page.wait_for_selector(LOGIN_BOX, timeout=60_000)
        page.get_by_label("用户名").fill(USER)
        page.get_by_label("密码", exact=True).fill(password)
        page.get_by_role("button", name="登录").click()
        page.locator(FIRST_ROW).first.wait_for(timeout=60_000)
        seen = page.evaluate("window.__kcSeen")  # ms since the navigation began
        browser.close()
    login_page = seen["login"] / 1000
    overview = (seen["row"] - seen["click"]) / 1000
    return {
        "server_start_s": server.started_s,
        "login_page_s": login_page,
        "overview_after_login_s": overview,
        "first_page_s": login_page + overview,
    }


def main() -> None:
    scale = sys.argv[1] if len(sys.argv) > 1 else "county"
    print(json.dumps(measure(ROOT / "bench" / "cache" / scale)))


if __name__ == "__main__":
    main()
