"""The date pickers in the browser at 390 px and 1440 px (issue 18: no English on screen): the
sidebar's 截至日期 and the work-record form's 日期 and 期限, each select opened, no Latin text on
the page, only days up to the data's freshness offered, and a chosen day moving 总览's 截至日期."""

from __future__ import annotations

import re

import pytest
from conftest import choose_option, open_list, open_page, wait_enabled
from test_browser_phone import DESKTOP, ENGLISH, MAIN, PHONE, SHOTS, Visit

AS_OF = "2026-10-30"  # the demo data's last day
RECORD_PANEL = "跟踪记录：为研发活动清零清单上的企业记录走访、阶段、责任人"
CONTACT = "rd_zero_records_contact_0"  # views/rd_zero.py's contact form (kechuang/ui/records.py)

# Inputs showing a Latin placeholder (an empty select shows Streamlit's "Choose an option"): the
# text is drawn though it is no text node, so ENGLISH does not see it.
PLACEHOLDERS = """() => [...document.querySelectorAll('input[placeholder], textarea[placeholder]')]
  .filter(e => e.getClientRects().length && !e.value && /[A-Za-z]{2,}/.test(e.placeholder))
  .map(e => e.placeholder)"""
OPTIONS = """() => [...document.querySelectorAll('[role=listbox] [role=option]')]
  .map(o => o.innerText.trim())"""


def open_sidebar(pg) -> None:
    if pg.viewport_size["width"] < 768:  # a phone starts with it closed
        pg.locator(
            '[data-testid="stExpandSidebarButton"], '
            '[data-testid="stSidebarCollapsedControl"] button'
        ).first.click()
    pg.locator(".st-key-as_of__year").get_by_role("combobox").wait_for(timeout=10_000)


def open_each_select(pg, key: str) -> dict[str, list[str]]:
    """Open the year, month and day selects of the picker `key` in turn; while each list is open,
    no English on the page. Returns the options each list showed first (it draws those in view)."""
    shown = {}
    for part in ("year", "month", "day"):
        box = pg.locator(f".st-key-{key}__{part}").get_by_role("combobox")
        if box.is_disabled():
            continue
        open_list(pg, f"{key}__{part}")
        assert pg.evaluate(ENGLISH) == [], (key, part)
        assert pg.evaluate(PLACEHOLDERS) == [], (key, part)
        shown[part] = pg.evaluate(OPTIONS)
        pg.keyboard.press("Escape")
        pg.get_by_role("listbox").wait_for(state="detached", timeout=10_000)
    return shown


def overview_date(pg) -> str:
    return re.search(r"截至(\d{4}年\d{1,2}月\d{1,2}日)", pg.inner_text(MAIN))[1]


@pytest.mark.parametrize("width", [PHONE, DESKTOP])
def test_the_sidebar_picker_speaks_chinese_and_moves_the_overview(
    browser, demo_url, width, request
):
    v = Visit(browser, demo_url, width)
    pg = v.page
    try:
        v.open(f"{demo_url}/?as_of={AS_OF}", "leader")
        open_sidebar(pg)
        shown = open_each_select(pg, "as_of")
        # The list opens at the chosen option: the data's last day ends every list.
        assert shown["year"][-1] == "2026年" and shown["month"][-1] == "10月"
        assert shown["day"][-1] == "30日" and "31日" not in shown["day"]
        if request.config.getoption("--screenshots"):
            SHOTS.mkdir(exist_ok=True)
            open_list(pg, "as_of__day")
            pg.screenshot(path=str(SHOTS / f"date_picker_sidebar_{width}.png"))
            pg.keyboard.press("Escape")

        assert overview_date(pg) == "2026年10月30日"
        choose_option(pg, "as_of__day", "15日")
        pg.wait_for_function("location.search.includes('as_of=2026-10-15')", timeout=45_000)
        v.finish()
        assert overview_date(pg) == "2026年10月15日"
        # 31 August, then September: the day is brought to 30 September, on the page too.
        choose_option(pg, "as_of__month", "8月")
        choose_option(pg, "as_of__day", "31日")
        choose_option(pg, "as_of__month", "9月")
        pg.wait_for_function("location.search.includes('as_of=2026-09-30')", timeout=45_000)
        v.finish()
        assert overview_date(pg) == "2026年9月30日"
        assert pg.locator(".st-key-as_of__day").get_by_role("combobox").input_value() == "30日"
        assert pg.evaluate(ENGLISH) == [] and v.outside == []
    finally:
        v.context.close()


@pytest.mark.parametrize("width", [PHONE, DESKTOP])
def test_the_work_record_form_pickers_speak_chinese(browser, demo_url, width, request):
    v = Visit(browser, demo_url, width)
    pg = v.page
    try:
        open_page(pg, f"{demo_url}/rd-zero?as_of={AS_OF}", "analyst")  # no target rows to await
        pg.get_by_text(RECORD_PANEL).click()
        form = pg.locator(f".st-key-{CONTACT}")
        form.scroll_into_view_if_needed()
        on = open_each_select(pg, f"{CONTACT}_on")
        assert set(on) == {"year", "month", "day"}
        due = pg.locator(f".st-key-{CONTACT}_due__year").get_by_role("combobox")
        assert due.input_value() == "不设"  # the optional 期限 starts empty
        assert open_each_select(pg, f"{CONTACT}_due").keys() == {"year"}  # 月, 日 wait for a year
        assert (
            pg.locator(f".st-key-{CONTACT}_due__day").get_by_role("combobox").input_value() == "—"
        )
        year = pg.evaluate(
            f"document.querySelector('.st-key-{CONTACT}_on__year input').value"
        )  # the contact's year: the 期限 offers it and the two after
        choose_option(pg, f"{CONTACT}_due__year", year)
        wait_enabled(pg, f"{CONTACT}_due__day")
        assert open_each_select(pg, f"{CONTACT}_due").keys() == {"year", "month", "day"}
        if request.config.getoption("--screenshots"):
            SHOTS.mkdir(exist_ok=True)
            pg.locator(f".st-key-{CONTACT}_due__month").evaluate(
                "e => e.scrollIntoView({block: 'center'})"
            )
            open_list(pg, f"{CONTACT}_due__month")
            pg.screenshot(path=str(SHOTS / f"date_picker_record_form_{width}.png"))
            pg.keyboard.press("Escape")
        assert pg.evaluate(ENGLISH) == [] and v.outside == []
    finally:
        v.context.close()
