"""The Chinese date picker (kechuang/ui/date_picker.py) under AppTest: its bounds, the day brought
into the month, the optional "no date", and the session-state key it reads and writes."""

from __future__ import annotations

from datetime import date

import pytest
from fixtures import choose_date
from streamlit.testing.v1 import AppTest

from kechuang.ui import date_picker as dp

LO, HI = date(2015, 1, 1), date(2026, 10, 30)  # EARLIEST_AS_OF and the demo data's last day


def script(lo, hi, value, optional, suggest):
    import streamlit as st

    from kechuang.ui.date_picker import pick_date

    picked = pick_date(
        "截至日期",
        key="day",
        min_value=lo,
        max_value=hi,
        value=value,
        optional=optional,
        suggest=suggest,
    )
    st.write(f"picked={picked}")


def app(value=None, lo=LO, hi=HI, optional=False, suggest=None, seed=None) -> AppTest:
    at = AppTest.from_function(script, args=(lo, hi, value, optional, suggest), default_timeout=30)
    if seed is not None:
        at.session_state["day"] = seed
    return at.run()


def shown(at: AppTest) -> tuple:
    """(year, month, day) as the selects show them."""
    return tuple(at.selectbox(key=k).value for k in dp.part_keys("day"))


def options(at: AppTest, part: str) -> list[str]:
    return at.selectbox(key=f"day__{part}").options


def picked(at: AppTest) -> str:
    return next(m.value for m in at.markdown if m.value.startswith("picked="))


def test_starts_on_the_maximum_and_offers_nothing_after_it():
    at = app()
    assert not at.exception
    assert at.session_state["day"] == HI and picked(at) == "picked=2026-10-30"
    assert shown(at) == (2026, 10, 30)
    assert options(at, "year") == [f"{y}年" for y in range(2015, 2027)]
    assert options(at, "month") == [f"{m}月" for m in range(1, 11)]  # no 11月, 12月 of 2026
    assert options(at, "day") == [f"{d}日" for d in range(1, 31)]  # October's 31st is after HI


def test_a_month_before_the_maximum_offers_all_its_days():
    at = choose_date(app(), "day", date(2026, 8, 31))
    assert at.session_state["day"] == date(2026, 8, 31)
    assert options(at, "day")[-1] == "31日" and len(options(at, "day")) == 31
    at.selectbox(key="day__year").set_value(2025).run()
    assert options(at, "month") == [f"{m}月" for m in range(1, 13)]  # a whole year before HI


def test_the_day_is_brought_into_a_shorter_month():
    at = app(seed=date(2026, 3, 31))
    assert shown(at) == (2026, 3, 31)
    at.selectbox(key="day__month").set_value(4).run()
    assert at.session_state["day"] == date(2026, 4, 30) and shown(at) == (2026, 4, 30)
    assert options(at, "day") == [f"{d}日" for d in range(1, 31)]
    at.selectbox(key="day__month").set_value(2).run()
    assert at.session_state["day"] == date(2026, 2, 28)
    at.selectbox(key="day__month").set_value(1).run()
    assert at.session_state["day"] == date(2026, 1, 28)  # not back to 31: the shown day is kept


def test_february_of_a_leap_year_keeps_the_29th_until_the_year_changes():
    at = app(seed=date(2024, 2, 29))
    assert options(at, "day")[-1] == "29日"
    at.selectbox(key="day__year").set_value(2025).run()
    assert at.session_state["day"] == date(2025, 2, 28)


def test_a_year_change_past_the_maximum_stops_at_the_maximum():
    at = app(seed=date(2025, 12, 15))
    at.selectbox(key="day__year").set_value(2026).run()
    assert at.session_state["day"] == HI and shown(at) == (2026, 10, 30)


def test_the_minimum_bounds_the_first_month_and_day():
    lo = date(2026, 10, 5)
    at = app(lo=lo, hi=date(2027, 2, 10), seed=date(2027, 1, 3))
    assert options(at, "year") == ["2026年", "2027年"]
    assert options(at, "month") == ["1月", "2月"]
    at.selectbox(key="day__year").set_value(2026).run()
    assert at.session_state["day"] == date(2026, 10, 5)  # 2026-01-03 brought up to the minimum
    assert options(at, "month") == ["10月", "11月", "12月"]
    assert options(at, "day") == [f"{d}日" for d in range(5, 32)]


@pytest.mark.parametrize(
    ("seed", "kept"),
    [(date(2030, 1, 1), HI), (date(2000, 5, 5), LO), (date(2020, 2, 29), date(2020, 2, 29))],
)
def test_a_value_set_before_the_picker_is_shown_within_the_bounds(seed, kept):
    at = app(seed=seed)
    assert at.session_state["day"] == kept
    assert shown(at) == (kept.year, kept.month, kept.day)


def test_the_key_round_trips_between_session_state_and_the_selects():
    at = app(seed=date(2020, 2, 29))
    at.selectbox(key="day__day").set_value(3).run()
    assert at.session_state["day"] == date(2020, 2, 3) and picked(at) == "picked=2020-02-03"
    at.session_state["day"] = date(2019, 7, 14)  # set by code (the sidebar, from a link)
    at.run()
    assert shown(at) == (2019, 7, 14) and picked(at) == "picked=2019-07-14"
    at.run()  # and it stays
    assert at.session_state["day"] == date(2019, 7, 14)


def test_an_optional_date_starts_empty_and_can_be_emptied_again():
    at = app(lo=date(2026, 12, 5), hi=date(2028, 12, 31), optional=True, suggest=date(2026, 12, 5))
    assert at.session_state["day"] is None and picked(at) == "picked=None"
    assert options(at, "year") == ["不设", "2026年", "2027年", "2028年"]
    assert at.selectbox(key="day__month").disabled and options(at, "month") == ["—"]
    assert at.selectbox(key="day__day").disabled and options(at, "day") == ["—"]
    at.selectbox(key="day__year").set_value(2027).run()
    assert at.session_state["day"] == date(2027, 12, 5) and picked(at) == "picked=2027-12-05"
    assert not at.selectbox(key="day__month").disabled
    at.selectbox(key="day__year").set_value(0).run()  # the option "不设"
    assert at.session_state["day"] is None and shown(at) == (0, 0, 0)
    assert [at.selectbox(key=k).format_func(0) for k in dp.part_keys("day")] == ["不设", "—", "—"]


def test_bounds_the_wrong_way_round_are_a_programming_error():
    with pytest.raises(ValueError, match="max_value 2026-01-01 < min_value 2026-01-02"):
        dp.pick_date("日期", key="day", min_value=date(2026, 1, 2), max_value=date(2026, 1, 1))


@pytest.mark.parametrize(
    ("year", "month", "day", "made"),
    [
        (2026, 4, 31, date(2026, 4, 30)),
        (2026, 2, 30, date(2026, 2, 28)),
        (2024, 2, 30, date(2024, 2, 29)),
        (2026, 12, 31, HI),
        (2014, 12, 31, LO),
    ],
)
def test_combine_brings_the_day_into_the_month_and_the_bounds(year, month, day, made):
    # 2014 is no year the picker offers; combine still keeps to the bounds
    assert dp.combine(year, month, day, LO, HI) == made
