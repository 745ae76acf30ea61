"""The real app in Chromium: every page opens, figures equal the engine's, deep links, downloads,
phone width."""

from __future__ import annotations

import json
import re
import time
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from conftest import IDLE, STILL, browser_data, open_page, settle
from fixtures import uscc

from kechuang.engine import metrics
from kechuang.engine.plan import load_plan
from kechuang.engine.warehouse import Warehouse
from kechuang.zh import fmt

ROOT = Path(__file__).resolve().parents[2]
URL_PATHS = re.findall(
    r'"views/[a-z_]+\.py",\s*"[^"]+",\s*"[^"]+",\s*"([a-z-]+)"',
    (ROOT / "app.py").read_text(encoding="utf-8"),
)
AS_OF = date(2026, 10, 31)


def test_navigation_lists_every_page():
    assert len(URL_PATHS) == 18 and "rd-zero" in URL_PATHS and "todo" in URL_PATHS


def user_for(url_path: str) -> str:
    return (
        "admin" if url_path == "admin" else "analyst"
    )  # the analyst sees every page but the administrator's


@pytest.fixture
def page(signed_page, request):
    """Signed in already, as the account the test's page needs (the login form's own tests are in
    test_browser_access.py and test_browser_sessions.py)."""
    callspec = getattr(request.node, "callspec", None)
    return signed_page(user_for(callspec.params["url_path"] if callspec else ""))


@pytest.mark.parametrize("url_path", URL_PATHS)
def test_every_page_opens_without_an_exception(app_url, page, url_path):
    # The default page (总览) lives at "/" in Streamlit.
    open_page(
        page,
        f"{app_url}/{'' if url_path == 'overview' else url_path}?as_of=2026-10-31",
        user_for(url_path),
    )
    assert page.locator('[data-testid="stException"]').count() == 0
    assert "Page not found" not in page.inner_text("body")


def test_progress_figures_equal_the_engine(app_url, page, tmp_path):
    open_page(page, f"{app_url}/progress?as_of=2026-10-31")
    page.get_by_text("逐项明细").click()  # the figures are a tap below the compact list
    cards = page.locator('[data-testid="stMetric"]')
    cards.nth(35).wait_for(timeout=30_000)  # 12 targets x 3 figures
    shown = cards.all_inner_texts()
    expected = metrics.progress(Warehouse(browser_data(tmp_path / "d")), AS_OF, load_plan(2026))
    for p in expected:
        assert any(
            text.startswith("完成") and fmt.amount(p.actual, p.unit) in text for text in shown
        ), p.id


def test_deep_link_restores_date_and_town(app_url, page):
    open_page(page, f"{app_url}/progress?as_of=2026-06-30&town=长沙镇")
    sidebar = page.locator('[data-testid="stSidebar"]')
    picker = [  # 年, 月, 日 (kechuang/ui/date_picker.py)
        sidebar.locator(f".st-key-as_of__{part} input").input_value()
        for part in ("year", "month", "day")
    ]
    assert picker == ["2026年", "6月", "30日"]
    town = sidebar.locator(".st-key-town")
    assert "长沙镇" in town.inner_text() + town.locator("input").input_value()
    assert "town=%E9%95%BF%E6%B2%99%E9%95%87" in page.url


def test_enterprise_file_opens_by_uscc(app_url, page):
    open_page(page, f"{app_url}/enterprise?uscc={uscc(3)}&as_of=2026-10-31")
    # The file is drawn below the title as its data arrives: wait for the name, not only the title.
    main = page.locator('[data-testid="stMain"]')
    main.get_by_text("如东测试3号科技有限公司").first.wait_for(timeout=45_000)


def test_rd_zero_downloads_parse(app_url, page, tmp_path):
    open_page(page, f"{app_url}/rd-zero?as_of=2026-10-31")
    for label, check in (("下载 CSV", "csv"), ("下载 Excel", "xlsx")):
        with page.expect_download() as info:
            page.get_by_role("button", name=label).first.click()
        path = tmp_path / info.value.suggested_filename
        info.value.save_as(path)
        if check == "csv":
            raw = path.read_bytes()
            assert raw.startswith(b"\xef\xbb\xbf") and "如东测试2号科技有限公司" in raw.decode(
                "utf-8-sig"
            )
        else:
            sheet = openpyxl.load_workbook(path).active
            assert sheet.max_row >= 2


def test_cockpit_fits_a_phone(app_url, browser):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    pg = context.new_page()
    open_page(pg, f"{app_url}/?as_of=2026-10-31")
    assert pg.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    context.close()


def test_screenshots(app_url, browser, request):
    if not request.config.getoption("--screenshots"):
        pytest.skip("only with --screenshots (make screenshots)")
    out = ROOT / "screenshots"
    out.mkdir(exist_ok=True)
    for width, height in ((1280, 900), (390, 844)):
        context = browser.new_context(viewport={"width": width, "height": height})
        pg = context.new_page()
        for url_path in URL_PATHS:
            open_page(
                pg,
                f"{app_url}/{'' if url_path == 'overview' else url_path}?as_of=2026-10-31",
                user_for(url_path),
            )
            pg.screenshot(path=out / f"{url_path}_{width}.png", full_page=True)
        context.close()


def test_selecting_a_screening_candidate_opens_its_file(app_url, page):
    open_page(page, f"{app_url}/screening?as_of=2026-10-31")
    grid = page.locator('[data-testid="stDataFrame"]:visible').first
    grid.wait_for(timeout=30_000)
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    # The row-selection column sits at the grid's left edge; the first data row is below the header
    # (35 px rows).
    page.mouse.click(box["x"] + 18, box["y"] + 35 + 17)
    page.wait_for_function("location.pathname.endsWith('/enterprise')", timeout=30_000)
    page.get_by_text("如东测试3号科技有限公司").first.wait_for(timeout=30_000)
    assert f"uscc={uscc(3)}" in page.url


def open_expanders(page) -> None:
    """Open every closed expander in view, as a user would (Streamlit draws their content then)."""
    closed = page.locator("details:not([open]) > summary:visible")
    for _ in range(50):  # expanders inside expanders appear once their parent is open
        if closed.count() == 0:
            return
        summary = closed.first.element_handle()
        summary.click()
        page.wait_for_function(OPENED, arg=summary, timeout=10_000)
    raise AssertionError("expanders keep closing")


# An expander is open, its opening animation over and no run going (a lazy expander reruns).
OPENED = f"summary => summary.parentElement.open && ({STILL}) && ({IDLE})()"


def download_buttons(page):
    """{key class: tab index or None} of every download button (every tab, every expander open)."""
    found = {}
    tabs = page.locator('[role="tab"]')
    for t in [None, *range(tabs.count())]:
        if t is not None:
            if not tabs.nth(t).is_visible():  # a tab set in a part of the page not open yet
                open_expanders(page)
            if not tabs.nth(t).is_visible():
                continue
            tabs.nth(t).click()
            page.wait_for_function(
                f"tab => tab.getAttribute('aria-selected') === 'true' && ({STILL})",
                arg=tabs.nth(t).element_handle(),
                timeout=10_000,
            )
        open_expanders(page)
        for button in page.locator('[data-testid="stDownloadButton"] button:visible').all():
            # The widget key (class st-key-<key>) names a button across tab switches.
            key = button.evaluate(
                "b => [...(b.closest('[class*=\"st-key-\"]') || {classList: []}).classList]"
                ".find(c => c.startsWith('st-key-'))"
            )
            assert key, "a download button without a key"
            found.setdefault(key, t)
    return found


# The pages with nothing to download on browser_data's three firms (empty lists, no programme data):
# they are checked to offer none, and no time is spent waiting for one.
NO_DOWNLOADS = {
    "progress",
    "services",
    "todo",
    "data",
    "trainings",
    "briefing",
    "enterprise",
    "iur",
    "commissioners",
    "gazelle",
    "projects",
}


@pytest.mark.parametrize("url_path", [p for p in URL_PATHS if p not in ("upload",)])
def test_every_download_button_yields_a_file_that_parses(app_url, page, tmp_path, url_path):
    open_page(
        page,
        f"{app_url}/{'' if url_path == 'overview' else url_path}?as_of=2026-10-31",
        user_for(url_path),
    )
    settle(page)
    page.wait_for_function(IDLE, timeout=45_000)
    shown_at_first = page.locator('[data-testid="stDownloadButton"] button:visible').count()
    found = download_buttons(page)
    deadline = time.monotonic() + 15
    # A page still drawing (a loaded machine) shows its buttons a little later.
    while not found and url_path not in NO_DOWNLOADS and time.monotonic() < deadline:
        page.wait_for_timeout(500)
        found = download_buttons(page)
    assert bool(found) == (url_path not in NO_DOWNLOADS), found
    if url_path == "rd-zero":  # its per-town table's downloads sit in a closed expander
        assert len(found) > shown_at_first
    tabs = page.locator('[role="tab"]')
    for i, key in enumerate(found):
        button = page.locator(f".{key} button")
        open_expanders(page)
        for t in range(tabs.count()):  # in another tab: select tabs until it shows
            if button.is_visible():
                break
            if not tabs.nth(t).is_visible():  # a tab set inside a closed part of the page
                continue
            tabs.nth(t).click()
            open_expanders(page)
        with page.expect_download(timeout=30_000) as info:
            button.click()
        path = tmp_path / f"{i}_{info.value.suggested_filename}"
        info.value.save_as(path)
        if path.suffix == ".csv":
            assert path.read_bytes().startswith(b"\xef\xbb\xbf"), path.name
            path.read_text(encoding="utf-8-sig")
        elif path.suffix == ".jsonl":  # the audit log's export (账户与审计)
            for line in path.read_text(encoding="utf-8").splitlines():
                json.loads(line)
        else:
            assert path.suffix == ".xlsx", path.name
            openpyxl.load_workbook(path)
