"""A date picker that speaks only Chinese: 年 / 月 / 日 selects in one row.

Why not `st.date_input`: its calendar pop-up names months and weekdays in English ("October",
"Mo Tu We"), and Streamlit 1.67 cannot translate it; leaders and town officers must see no English
(issue 18). Why three selects rather than a list of dates: a user may want any day in a range of
years (the as-of date goes back to 2015), and three short lists ("2026年", "10月", "30日") are
quick to tap on a 390 px phone. Decisions:

- Only possible days are offered. The years, months and days listed stop at the bounds (a month
  that runs past the maximum lists days up to the maximum only), and when the year or month
  changes the day is brought into the new month and the bounds (31 March → April gives 30 April),
  so no impossible or out-of-range date can be picked. The widgets show the day that results
  before anything is saved or computed.
- The value lives in `st.session_state[key]` (a `datetime.date`, or None for "no date"), like the
  old `st.date_input(key=...)`: code may set it before the picker is drawn (the sidebar seeds it
  from the URL), and the three selects are reset from it on every run. Their own keys
  (`<key>__year`, `<key>__month`, `<key>__day`) are internal.
- Not for use inside `st.form`: a form sends nothing until it is submitted, so the day list could
  not follow the month. The work-record form is therefore a fragment (see ui/records.py).
- The row never wraps (`wrap=False`): at 390 px the three selects stay side by side. Typing in
  the lists is off (`filter_mode=None`), so a phone does not raise its keyboard. A select is
  never empty: an empty one would show Streamlit's English placeholder.
- An optional date (a next step's 期限) has "不设" as its first year; month and day then show
  "—" and are disabled. Choosing a year then sets `suggest`'s month and day in that year.
"""

from __future__ import annotations

import calendar
from datetime import date

import streamlit as st

NO_DATE = "不设"
# "No date" is the option 0, not None: a select holding None shows Streamlit's English placeholder.
_NONE = 0
_PARTS = ("year", "month", "day")

# Streamlit gives an unwrapped column at least 128 px, so three overflow a phone's 260 px sidebar:
# the picker's columns may shrink to their content ("2026年", "10月", "30日" and the arrow).
_STYLE = """<style>
[class*="__picker"] [data-testid="stColumn"] { min-width: 0 !important; }
[class*="__picker"] [data-testid="stSelectbox"] input { padding-left: 6px; padding-right: 0; }
</style>"""


def part_keys(key: str) -> tuple[str, str, str]:
    """The session-state keys of the year, month and day selects of the picker `key`."""
    return tuple(f"{key}__{part}" for part in _PARTS)


def clamp(day: date, lo: date, hi: date) -> date:
    return min(max(day, lo), hi)


def combine(year: int, month: int, day: int, lo: date, hi: date) -> date:
    """The day of the selects: the day brought into the month (31 → 30 in April), then into
    [lo, hi]."""
    return clamp(date(year, month, min(day, calendar.monthrange(year, month)[1])), lo, hi)


def years(lo: date, hi: date) -> list[int]:
    return list(range(lo.year, hi.year + 1))


def months(year: int, lo: date, hi: date) -> list[int]:
    """The months of `year` that hold a day in [lo, hi]."""
    first = lo.month if year == lo.year else 1
    last = hi.month if year == hi.year else 12
    return list(range(first, last + 1))


def days(year: int, month: int, lo: date, hi: date) -> list[int]:
    """The days of the month that lie in [lo, hi]."""
    first = lo.day if (year, month) == (lo.year, lo.month) else 1
    last = hi.day if (year, month) == (hi.year, hi.month) else calendar.monthrange(year, month)[1]
    return list(range(first, last + 1))


def pick_date(
    label: str,
    *,
    key: str,
    min_value: date,
    max_value: date,
    value: date | None = None,
    optional: bool = False,
    suggest: date | None = None,
    help: str | None = None,
) -> date | None:
    """Draw the picker and return its day (None: "no date", only when `optional`).

    `value` is the first day shown when `st.session_state[key]` is not set yet (None with
    `optional`: no date; None otherwise: `max_value`). `suggest` is the day whose month and day
    are taken when a year is chosen from "no date" (default: today within the bounds)."""
    if max_value < min_value:
        raise ValueError(f"pick_date {key!r}: max_value {max_value} < min_value {min_value}")
    state = st.session_state
    shown = state.get(key, value if optional or value is not None else max_value)
    if not isinstance(shown, date):
        shown = None if optional else clamp(value or max_value, min_value, max_value)
    if shown is not None:
        shown = clamp(shown, min_value, max_value)
    state[key] = shown
    year_key, month_key, day_key = part_keys(key)
    # The selects are reset from the value on every run: the value is the one truth, whoever set it.
    state[year_key], state[month_key], state[day_key] = (
        (shown.year, shown.month, shown.day) if shown else (_NONE, _NONE, _NONE)
    )
    if suggest is None:
        suggest = clamp(date.today(), min_value, max_value)
    # Typing off (no phone keyboard); "—" would stand for an empty select (none is ever empty).
    common = {"on_change": _changed, "args": (key, min_value, max_value, suggest)}
    common |= {"filter_mode": None, "placeholder": "—"}
    st.html(_STYLE)  # style only: Streamlit puts it in the event container, it takes no space
    with st.container(key=f"{key}__picker"):
        year_col, month_col, day_col = st.columns(
            [1.25, 1, 1], gap="xsmall", wrap=False, vertical_alignment="bottom"
        )
        year_col.selectbox(
            label,
            ([_NONE] if optional else []) + years(min_value, max_value),
            format_func=lambda y: NO_DATE if y == _NONE else f"{y}年",
            key=year_key,
            help=help,
            **common,
        )
        month_col.selectbox(
            f"{label}（月）",
            months(shown.year, min_value, max_value) if shown else [_NONE],
            format_func=lambda m: "—" if m == _NONE else f"{m}月",
            key=month_key,
            disabled=shown is None,
            label_visibility="collapsed",
            **common,
        )
        day_col.selectbox(
            f"{label}（日）",
            days(shown.year, shown.month, min_value, max_value) if shown else [_NONE],
            format_func=lambda d: "—" if d == _NONE else f"{d}日",
            key=day_key,
            disabled=shown is None,
            label_visibility="collapsed",
            **common,
        )
    return shown


def _changed(key: str, lo: date, hi: date, suggest: date) -> None:
    """A select changed (a callback: it runs before the script): the value becomes the day the
    three selects now name, brought into the month and the bounds."""
    state = st.session_state
    year, month, day = (state.get(k) for k in part_keys(key))
    if year in (None, _NONE):
        state[key] = None
    elif month in (None, _NONE) or day in (None, _NONE):  # a year chosen from "no date"
        state[key] = combine(year, suggest.month, suggest.day, lo, hi)
    else:
        state[key] = combine(year, month, day, lo, hi)
