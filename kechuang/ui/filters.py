"""URL state and the sidebar's filters: page, as-of date and town live in the query string, so
every view is a deep link; a URL value the app cannot use is named once, in Chinese, and dropped."""

from __future__ import annotations

from datetime import date

import streamlit as st

from kechuang.engine import metrics
from kechuang.engine.warehouse import Warehouse
from kechuang.ui.access import _FILTERS, ALL_TOWNS, share_view, user_scope
from kechuang.ui.cache import _towns, cached
from kechuang.ui.date_picker import pick_date
from kechuang.ui.style import house_style
from kechuang.zh import fmt

_AS_OF_NOTICE = "_kechuang_as_of_notice"


def as_of_from_url(text: str | None, latest: date) -> tuple[date, str | None]:
    """The as-of date of a link's ?as_of= and, when it was not usable, a notice saying why.

    Garbage, a date before 2015 and a date after the data's freshness all bring the view to the
    data's last day (metrics.bring_back); the text itself is never echoed (it is the link's)."""
    if not text:
        return latest, None
    try:
        asked = date.fromisoformat(text.strip())
    except ValueError:
        return latest, (
            f"链接中的截至日期无法识别（应为 2026-10-30 这样的日期），已按数据的最新日期"
            f"{fmt.cn_date(latest)}显示。"
        )
    return metrics.bring_back(asked, latest)


def render_filters(wh: Warehouse) -> tuple[date, str | None]:
    """Draw the global as-of date and town in the sidebar; called by app.py on every run.

    The widgets live in the entry point, not in a page, so their state survives page switches
    (a page's widgets are forgotten when another page runs). Seeded from the URL once, written
    back to the URL on every run, so page, as-of date and town always make a deep link."""
    house_style()
    view = share_view()
    if view is not None:  # a share link fixes the view: no filters to change
        st.session_state[_FILTERS] = (view.as_of, view.town)
        return st.session_state[_FILTERS]
    latest = cached(metrics.default_as_of)  # the county's freshness, the same for every account
    if "as_of" not in st.session_state or not (
        metrics.EARLIEST_AS_OF <= st.session_state.as_of <= latest
    ):
        asked = st.query_params.get("as_of") if "as_of" not in st.session_state else None
        st.session_state.as_of, notice = as_of_from_url(asked, latest)
        if notice:
            st.session_state[_AS_OF_NOTICE] = notice
    if notice := st.session_state.pop(_AS_OF_NOTICE, None):
        st.warning(notice, icon=":material/event_busy:")
    allowed = user_scope()
    # A town officer picks among their own towns only; "whole county" would be a county label on
    # their towns' rows.
    towns = sorted(allowed) if allowed is not None else [ALL_TOWNS, *cached(_towns)]
    if "town" not in st.session_state or st.session_state.town not in towns:
        wanted = st.query_params.get("town", towns[0] if towns else ALL_TOWNS)
        st.session_state.town = wanted if wanted in towns else towns[0]
        if wanted not in towns:
            # A town officer is not told the other town's name back, nor whether it exists.
            url_notice(
                (
                    "链接中的镇区不在本账户的范围内"
                    if allowed is not None
                    else f"链接中的镇区“{echo(wanted)}”在数据中不存在"
                )
                + f"，已显示“{st.session_state.town}”。"
            )
    unknown_url_params()
    with st.sidebar:
        as_of = pick_date(  # not st.date_input: its calendar speaks English
            "截至日期",
            key="as_of",
            min_value=metrics.EARLIEST_AS_OF,
            max_value=latest,  # no day after the data: pace is never judged on days without data
            help=f"数据截至{fmt.cn_date(latest)}，可选日期不晚于此日",
        )
        town = st.selectbox("镇区", towns, key="town")
    st.query_params["as_of"] = as_of.isoformat()
    if town == ALL_TOWNS:
        st.query_params.pop("town", None)
    else:
        st.query_params["town"] = town
    st.session_state[_FILTERS] = (as_of, None if town == ALL_TOWNS else town)
    return st.session_state[_FILTERS]


# What the app reads from a URL; Streamlit's own embed parameters are left alone.
URL_PARAMS = frozenset({"as_of", "town", "uscc", "share", "metric", "embed", "embed_options"})
URL_ECHO = 40  # characters of a bad value repeated in a notice


def url_notice(text: str) -> None:
    """One notice about a URL parameter the app could not use (escaped: it repeats the URL)."""
    st.warning(fmt.md(text), icon=":material/link_off:")


def echo(value: str) -> str:
    """A bad value from the URL as a notice repeats it: at most URL_ECHO characters."""
    return value if len(value) <= URL_ECHO else value[:URL_ECHO] + "…"


def unknown_url_params() -> None:
    """Parameters the app does not know are named once and removed from the URL."""
    unknown = sorted(k for k in st.query_params if k not in URL_PARAMS)
    if unknown:
        url_notice(f"链接中的参数 {'、'.join(echo(k) for k in unknown)} 无法识别，已忽略。")
        for k in unknown:
            del st.query_params[k]


def sidebar_filters(wh: Warehouse) -> tuple[date, str | None]:
    """The global (as-of date, town or None) that app.py drew for this run."""
    if _FILTERS not in st.session_state:  # a page run on its own, without app.py
        return render_filters(wh)
    return st.session_state[_FILTERS]


def url_choice(
    label: str,
    options: list[str],
    *,
    key: str,
    param: str,
    format_func=str,
    default: str | None = None,
) -> str:
    """A selectbox whose choice lives in the URL query string (?param=...), seeded from it once."""
    if key not in st.session_state or st.session_state[key] not in options:
        wanted = st.query_params.get(param)
        st.session_state[key] = (
            wanted if wanted in options else (default if default in options else options[0])
        )
        if wanted is not None and wanted not in options:
            url_notice(
                f"链接中的{label}“{echo(wanted)}”无效，已显示“{format_func(st.session_state[key])}”。"
            )
    choice = st.selectbox(label, options, key=key, format_func=format_func)
    st.query_params[param] = choice
    return choice
