"""Every page of the app opens in Chromium without a Streamlit exception."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

PATHS = ["overview", "progress", "screening", "gazelle", "rd-zero", "enterprise", "contracts", "iur", "projects",
         "services", "commissioners", "trainings", "briefing", "upload", "data"]


def open_page(page, url):
    page.goto(url)
    page.wait_for_selector('[data-testid="stMain"] h1', timeout=30000)
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=30000)


@pytest.mark.parametrize("path", PATHS)
def test_page_opens_without_exception(page, base_url, path):
    open_page(page, f"{base_url}/{path}")
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)
