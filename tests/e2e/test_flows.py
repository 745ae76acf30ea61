"""Key figures, deep links, the enterprise file and the phone layout, in the real browser."""

from __future__ import annotations

import re

from fixtures import AS_OF, uscc
from playwright.sync_api import expect

from kechuang import fmt, metrics, plan
from kechuang.warehouse import Warehouse

from .conftest import CANDIDATE
from .test_pages import open_page


def test_progress_figures_equal_the_package(page, base_url, data_dir):
    rows = metrics.progress(Warehouse(data_dir), AS_OF, plan.load_plan(AS_OF.year))
    expected = [fmt.amount(p.actual, p.unit) for p in rows]
    open_page(page, f"{base_url}/progress?as_of={AS_OF.isoformat()}")
    metric = page.locator('[data-testid="stMetric"]').filter(has=page.get_by_text("完成", exact=True))
    expect(metric).to_have_count(len(expected))
    shown = [m.locator('[data-testid="stMetricValue"]').inner_text().strip() for m in metric.all()]
    assert shown == expected


def test_deep_link_restores_date_and_town(page, base_url):
    open_page(page, f"{base_url}/progress?as_of=2026-06-30&town=长沙镇")
    date_input = page.locator('[data-testid="stDateInput"] input').first
    expect(date_input).to_be_visible()
    assert re.sub(r"\D", "", date_input.input_value()) == "20260630"
    expect(page.get_by_role("combobox", name="镇区")).to_have_value("长沙镇")
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)


def test_enterprise_file_by_link(page, base_url):
    open_page(page, f"{base_url}/enterprise?uscc={uscc(CANDIDATE)}")
    expect(page.get_by_text(f"如东测试{CANDIDATE}号科技有限公司").first).to_be_visible()
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)


def test_cockpit_has_no_horizontal_scroll_on_a_phone(browser, base_url):
    ctx = browser.new_context(viewport={"width": 390, "height": 844})
    try:
        page = ctx.new_page()
        open_page(page, f"{base_url}/overview")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    finally:
        ctx.close()
