"""Access control in Chromium: the login flow keeps the deep link, a town officer's town, share
links, audited downloads."""

from __future__ import annotations

import time
from datetime import date

from conftest import log_in, open_page, settle

from kechuang.access import audit, share

MAIN = '[data-testid="stMain"]'


def test_login_keeps_the_deep_link_and_refuses_a_wrong_password(app_url, page):
    page.goto(f"{app_url}/progress?as_of=2026-06-30&town=长沙镇")
    settle(page)
    assert page.locator('input[aria-label="密码"]').count() == 1
    assert page.locator('[data-testid="stMetric"]').count() == 0  # no figure before login
    log_in(page, "analyst", "not-the-password")
    page.get_by_text("用户名或密码错误").wait_for(timeout=30_000)
    log_in(page, "analyst")
    page.get_by_text("“六百创新”目标进度").wait_for(timeout=45_000)
    settle(page)
    assert "as_of=2026-06-30" in page.url and "town=%E9%95%BF%E6%B2%99%E9%95%87" in page.url
    assert "当前用户：演示分析员（分析员）" in page.inner_text('[data-testid="stSidebar"]')


def test_a_town_officer_cannot_switch_to_another_town(app_url, page):
    open_page(page, f"{app_url}/progress?as_of=2026-10-31&town=掘港街道", user="changsha")
    town = page.locator('[data-testid="stSidebar"] .st-key-town')  # not the date picker's selects
    assert "长沙镇" in town.inner_text() + town.locator("input").input_value()
    assert (
        "掘港街道" not in page.inner_text("body") and "town=%E9%95%BF%E6%B2%99%E9%95%87" in page.url
    )
    nav = page.inner_text('[data-testid="stSidebarNav"]')
    assert "数据导入" not in nav and "账户与审计" not in nav and "精准筛选" in nav


def test_a_page_the_role_lacks_says_so_and_shows_the_overview(app_url, page):
    open_page(page, f"{app_url}/upload?as_of=2026-10-31", user="leader")
    page.get_by_text("本账户无权打开“数据导入”页面，已转到“总览”").wait_for(timeout=30_000)
    assert page.locator('[data-testid="stFileUploader"]').count() == 0
    assert "如东科创驾驶舱" in page.inner_text(MAIN)
    page.locator('[data-testid="stSidebarNav"]').get_by_text("目标进度").click()
    page.get_by_text("“六百创新”目标进度").wait_for(timeout=30_000)
    settle(page)
    assert "无权打开" not in page.inner_text(MAIN)  # said once, for the link that asked


def test_a_share_link_opens_without_login_until_revoked(app_url, browser, server_instance):
    url, token_id = share.create_link(
        app_url, "progress", date(2026, 10, 31), "长沙镇", "analyst", directory=server_instance
    )
    context = browser.new_context(viewport={"width": 390, "height": 844})
    pg = context.new_page()
    open_page(pg, url, user=None)
    assert "“六百创新”目标进度" in pg.inner_text(
        MAIN
    ) and "截至2026年10月31日 · 长沙镇" in pg.inner_text(MAIN)
    assert pg.locator('input[aria-label="密码"]').count() == 0
    assert pg.locator('[data-testid="stDownloadButton"]').count() == 0
    assert pg.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    share.revoke(token_id, by="admin", directory=server_instance)
    open_page(pg, url, user=None)
    assert "分享链接无法打开：已撤销" in pg.inner_text(MAIN)
    context.close()


def test_a_download_is_audited(app_url, page, server_instance):
    open_page(page, f"{app_url}/rd-zero?as_of=2026-10-31", user="leader")
    # The server's log is shared with the other tests (the page tests download this file too).
    before = audit.read(path=server_instance / "audit.jsonl").height
    with page.expect_download() as info:
        page.get_by_role("button", name="下载 CSV").first.click()
    name = info.value.suggested_filename
    deadline = time.monotonic() + 30
    while True:  # the file is built, and the event written, when the browser fetches it
        events = audit.read(path=server_instance / "audit.jsonl").slice(before)
        found = events.filter((events["action"] == "download") & (events["detail"] == name))
        if found.height or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert found.select("user_name", "role", "scope").rows() == [("leader", "leader", "全县")]
