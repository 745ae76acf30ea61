"""What a leader, a town officer and a share-link visitor see at 390 px and 1440 px (issue 18),
on the demo county: pages no taller than four phone screens, the sidebar closed after a tap, no
English on screen, nothing fetched from outside the server, no table toolbar or its download,
status colours, and shown 完成/序时/差 that agree with the status."""

from __future__ import annotations

import re
import time
from datetime import date
from fractions import Fraction
from pathlib import Path

import pytest
from conftest import open_page, settle

from kechuang.access import share
from kechuang.charts import style

PHONE, DESKTOP = 390, 1440
MAX_PHONE_HEIGHT = 3_400  # four screens of a 390 x 844 phone
MAIN = '[data-testid="stMain"]'
AS_OF = "2026-10-30"  # the demo data's last day
SHOTS = Path(__file__).resolve().parents[2] / "screenshots"

# Visible text nodes with a Latin word (names of file formats aside); Material icon ligatures
# ("dashboard") are drawn as icons, not read.
ENGLISH = r"""() => {
  const found = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode, el = node.parentElement;
    const text = node.textContent.trim();
    const words = text.replace(/\b(CSV|Excel|XLSX|PDF|Word|WPS|Parquet|USCC)\b/g, '');
    if (!el || !/[A-Za-z]{2,}/.test(words) || el.closest('script, style, code, pre')) continue;
    const css = getComputedStyle(el), box = el.getBoundingClientRect();
    if (css.display === 'none' || css.visibility === 'hidden') continue;
    if (parseFloat(css.fontSize) === 0) continue;
    if (box.width <= 1 || box.height <= 1 || box.right < 0 || box.bottom < 0) continue;
    if (/Material/.test(css.fontFamily) || el.closest('[data-testid="stIconMaterial"]')) continue;
    found.push(text.slice(0, 60));
  }
  return found;
}"""
HEIGHT = f"""() => Math.max(document.querySelector('{MAIN}').scrollHeight,
                         document.scrollingElement.scrollHeight)"""
ROWS = """() => [...document.querySelectorAll('.kc-row')].map(row => ({
  id: row.dataset.id,
  status: row.querySelector('.kc-status').dataset.status,
  badge: getComputedStyle(row.querySelector('.kc-status')).backgroundColor,
  fill: getComputedStyle(
    row.querySelector('div[style*="position:relative"] > div')).backgroundColor,
  text: row.innerText,
}))"""
SIDEBAR_OPEN = """() => { const s = document.querySelector('[data-testid="stSidebar"]');
  return !!s && s.getBoundingClientRect().right > 10; }"""


def rgb(colour: str) -> str:
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgb({r}, {g}, {b})"


@pytest.fixture(scope="module")
def share_url(demo_url, server_instance):
    url, _ = share.create_link(
        demo_url, "overview", date(2026, 10, 30), None, "analyst", directory=server_instance
    )
    return url


class Visit:
    """A browser context at one width; requests to anywhere but the server are blocked, counted."""

    def __init__(self, browser, base: str, width: int, signed_in: dict | None = None):
        """signed_in: the cookies of a login (the signed_in fixture), else the login form shows."""
        self.context = browser.new_context(
            viewport={"width": width, "height": 844},
            is_mobile=width < 800,
            has_touch=width < 800,
            storage_state=signed_in,
        )
        self.page = self.context.new_page()
        self.outside: list[str] = []
        self.page.route("**/*", self._route)
        self.base = base

    def _route(self, route):
        url = route.request.url
        if url.startswith(self.base) or url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            self.outside.append(url)
            route.abort()

    def open(self, url: str, user: str | None):
        open_page(self.page, url, user)
        self.finish()
        return self.page

    def finish(self):
        """Wait until the target list is drawn, Streamlit has stopped and the page stops growing."""
        settle(self.page)
        self.page.wait_for_selector(".kc-row", timeout=60_000)
        self.page.wait_for_function(
            "!document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000
        )
        last, steady = -1, 0
        deadline = time.monotonic() + 20
        while steady < 5 and time.monotonic() < deadline:
            height = self.page.evaluate(HEIGHT)
            steady = steady + 1 if height == last else 0
            last = height
            time.sleep(0.3)


WHO = ("leader", "changsha", "share")


def visit(browser, demo_url, share_url, who: str, width: int, path: str = "/", signed_in=None):
    """`who`'s page; signed in already when given the signed_in fixture (the login page's own
    checks are in test_an_as_of_link_out_of_range_is_brought_back and the date-picker tests)."""
    state = signed_in(demo_url, who) if signed_in and who != "share" else None
    v = Visit(browser, demo_url, width, state)
    if who == "share":
        v.open(share_url, None)
    else:
        v.open(f"{demo_url}{path}?as_of={AS_OF}", who)
    return v


def check_screen(v: Visit, who: str) -> None:
    pg = v.page
    assert pg.locator('[data-testid="stException"]').count() == 0
    assert pg.evaluate(ENGLISH) == []
    assert v.outside == [], v.outside
    # No table toolbar (English tooltips; its own CSV download bypasses the audit) for anyone.
    assert pg.locator('[data-testid="stElementToolbar"]:visible').count() == 0
    assert "Download as CSV" not in pg.content()
    if who == "share":
        assert pg.locator('[data-testid="stDownloadButton"]').count() == 0


def check_rows(v: Visit, who: str) -> list[dict]:
    """Status colours, and the shown 完成/序时/差 against the status, in every compact row."""
    rows = v.page.evaluate(ROWS)
    assert len(rows) == 12, v.page.inner_text(MAIN)[:600]
    for row in rows:
        status = None if row["status"] == "none" else row["status"]
        assert row["fill"] == rgb(style.STATUS_COLOURS[status]), row
        if status is None:
            continue
        found = re.search(r"完成 ([\d,.]+)%? / [\d,.]+%?.*?序时 ([\d,.]+)", row["text"], re.S)
        if found:
            actual, pace = (Fraction(x.replace(",", "")) for x in found.groups())
            assert (actual < pace) == (status in ("at_risk", "behind")), row
            gap = re.search(r"差 ([\d,.]+)", row["text"])
            assert (Fraction(gap[1].replace(",", "")) == pace - actual) if gap else actual >= pace
    colours = {r["status"] for r in rows}
    if who != "changsha":  # a town officer's rows are contributions: mostly not judged
        assert {"on_track", "at_risk", "behind"} <= colours
    return rows


@pytest.mark.parametrize("width", [PHONE, DESKTOP])
@pytest.mark.parametrize("who", WHO)
def test_overview_as_each_visitor_sees_it(
    browser, demo_url, share_url, who, width, request, signed_in
):
    v = visit(browser, demo_url, share_url, who, width, signed_in=signed_in)
    try:
        check_screen(v, who)
        check_rows(v, who)
        if width == PHONE:
            height = v.page.evaluate(HEIGHT)
            assert height <= MAX_PHONE_HEIGHT, height
            assert v.page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        if request.config.getoption("--screenshots"):
            SHOTS.mkdir(exist_ok=True)
            v.page.set_viewport_size({"width": width, "height": v.page.evaluate(HEIGHT) + 40})
            time.sleep(1)
            v.page.screenshot(path=str(SHOTS / f"leader_view_{who}_overview_{width}.png"))
    finally:
        v.context.close()


def test_overview_with_the_tallest_target_fits_four_phone_screens(
    browser, demo_url, share_url, signed_in
):
    # 技术合同: a cumulative chart and all eighteen towns with a contract.
    v = Visit(browser, demo_url, PHONE, signed_in(demo_url, "leader"))
    try:
        v.open(f"{demo_url}/?as_of={AS_OF}&metric=tech_contract_amount", "leader")
        assert v.page.locator(".js-plotly-plot").count() == 2
        assert v.page.evaluate(HEIGHT) <= MAX_PHONE_HEIGHT
    finally:
        v.context.close()


@pytest.mark.parametrize("width", [PHONE, DESKTOP])
@pytest.mark.parametrize("who", ["leader", "changsha"])
def test_progress_as_each_account_sees_it(
    browser, demo_url, share_url, who, width, request, signed_in
):
    v = visit(browser, demo_url, share_url, who, width, "/progress", signed_in)
    try:
        check_screen(v, who)
        check_rows(v, who)
        if width == PHONE:
            assert v.page.evaluate(HEIGHT) <= MAX_PHONE_HEIGHT
        if request.config.getoption("--screenshots"):
            SHOTS.mkdir(exist_ok=True)
            v.page.set_viewport_size({"width": width, "height": v.page.evaluate(HEIGHT) + 40})
            time.sleep(1)
            v.page.screenshot(path=str(SHOTS / f"leader_view_{who}_progress_{width}.png"))
    finally:
        v.context.close()


@pytest.mark.parametrize("who", ["leader", "changsha"])
def test_the_sidebar_closes_after_a_page_is_tapped_on_a_phone(
    browser, demo_url, share_url, who, signed_in
):
    v = visit(browser, demo_url, share_url, who, PHONE, signed_in=signed_in)
    pg = v.page
    try:
        assert not pg.evaluate(SIDEBAR_OPEN)  # a phone starts with it closed
        pg.locator(
            '[data-testid="stExpandSidebarButton"], '
            '[data-testid="stSidebarCollapsedControl"] button'
        ).first.click()
        pg.wait_for_function(SIDEBAR_OPEN, timeout=10_000)
        pg.locator('[data-testid="stSidebarNav"] a', has_text="目标进度").first.click()
        pg.get_by_text("“六百创新”目标进度").wait_for(timeout=30_000)
        pg.wait_for_function(f"!({SIDEBAR_OPEN})()", timeout=10_000)
        check_screen(v, who)
    finally:
        v.context.close()


def test_the_sidebar_stays_on_a_desktop(browser, demo_url, share_url, signed_in):
    v = visit(browser, demo_url, share_url, "leader", DESKTOP, signed_in=signed_in)
    pg = v.page
    try:
        pg.locator('[data-testid="stSidebarNav"] a', has_text="目标进度").first.click()
        pg.get_by_text("“六百创新”目标进度").wait_for(timeout=30_000)
        time.sleep(1)
        assert pg.evaluate(SIDEBAR_OPEN)
    finally:
        v.context.close()


@pytest.mark.parametrize(
    ("asked", "notice"),
    [
        ("9999-12-31", "晚于数据的最新日期2026年10月30日"),
        ("1900-01-01", "早于可查询范围"),
        ("%3Cb%3Ex", "链接中的截至日期无法识别"),
    ],
)
def test_an_as_of_link_out_of_range_is_brought_back(browser, demo_url, share_url, asked, notice):
    v = Visit(browser, demo_url, PHONE)
    try:
        v.open(f"{demo_url}/progress?as_of={asked}", "leader")
        main = v.page.inner_text(MAIN)
        assert notice in main and "截至2026年10月30日" in main
        assert v.page.locator('[data-testid="stException"]').count() == 0
        assert "as_of=2026-10-30" in v.page.url
    finally:
        v.context.close()
