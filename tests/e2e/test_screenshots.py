"""`pytest tests/e2e -k screenshots --screenshots`: every page at desktop and phone width, under screenshots/."""

from __future__ import annotations

import pytest

from .conftest import ROOT
from .test_pages import PATHS, open_page

SIZES = {"desktop": (1280, 900), "phone": (390, 844)}


def test_screenshots(request):
    if not request.config.getoption("--screenshots"):
        pytest.skip("run with --screenshots to save PNGs")
    browser, base_url = request.getfixturevalue("browser"), request.getfixturevalue("base_url")
    out = ROOT / "screenshots"
    out.mkdir(exist_ok=True)
    for name, (w, h) in SIZES.items():
        ctx = browser.new_context(viewport={"width": w, "height": h})
        try:
            page = ctx.new_page()
            for path in PATHS:
                open_page(page, f"{base_url}/{path}")
                page.screenshot(path=str(out / f"{path}-{name}.png"), full_page=True)
        finally:
            ctx.close()
