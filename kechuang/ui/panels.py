"""Shared display pieces: the data's freshness, status badges, a target's progress card, the
compact target list, and the note shown in place of a section whose data is absent."""

from __future__ import annotations

import streamlit as st

from kechuang.engine import contract, metrics
from kechuang.engine.warehouse import Warehouse
from kechuang.ui.cache import cached
from kechuang.zh import fmt, labels


def freshness(wh: Warehouse) -> None:
    """Which sources are present, how current each is, and which are absent."""
    rows = cached(_freshness)
    absent = [r for r in rows if not r["available"]]
    if absent:
        names = "、".join(
            f"{contract.TABLE_LABELS[r['table_name']]}（{r['table_name']}）" for r in absent
        )
        st.warning(f"以下数据暂缺，相关指标显示为“—”：{names}")
    for name, info in wh.tables.items():
        if info.problem:
            st.error(f"{contract.TABLE_LABELS[name]}：{fmt.md(info.problem)}")


def _freshness(wh: Warehouse) -> list[dict]:
    return wh.query("data_freshness").to_dicts()


# Tables kept by year: their latest date is a year (data_freshness.sql stores it as 31 December).
_YEARLY_TABLES = {
    "tax_annual",
    "stats_annual",
    "tech_sme_registry",
    "key_enterprises",
    "cultivation",
}


def _latest_label(row: dict) -> str:
    if not row["available"]:
        return "暂缺"
    if row["latest_on"] is not None and row["table_name"] in _YEARLY_TABLES:
        return f"{row['latest_on'].year}年度"
    return fmt.cn_date(row["latest_on"])


def freshness_table(wh: Warehouse):
    rows = cached(_freshness)
    return [
        {
            "数据": contract.TABLE_LABELS[r["table_name"]],
            "行数": fmt.num(r["n_rows"]) if r["available"] else "—",
            "数据截至": _latest_label(r),
        }
        for r in rows
    ]


def status_badge(status: str | None) -> str:
    """A status in words and colour (never colour alone), as Markdown."""
    colour = {"on_track": "green", "at_risk": "orange", "behind": "red"}.get(status, "gray")
    return f":{colour}-badge[{labels.STATUS_LABELS[status]}]"


def absent(tables: list[str], what: str = "本节") -> None:
    """The note shown in place of a section whose data is absent (its figures read “—”)."""
    st.info(f"{what}暂无数据（显示为“—”）：缺少{contract.table_names(tables, with_ids=True)}。")


def progress_card(
    p: metrics.Progress, title: str | None = None, no_target: str = "跟踪指标"
) -> None:
    """One target's actual, target, expected-by-now, status in words and a progress bar (compact on
    a phone).

    `no_target` is the badge shown when there is no target (e.g. "镇区无分解目标" under a town
    filter)."""
    with st.container(border=True):
        badge = status_badge(p.status) if p.target is not None else f":gray-badge[{no_target}]"
        st.markdown(f"**{title or p.label}**　{badge}")
        st.metric("完成", fmt.amount(p.actual, p.unit))
        parts = (
            [
                f"年度目标 {fmt.amount(p.target, p.unit)}",
                f"序时应完成 {fmt.pace_text(p.expected, p.unit)}",
            ]
            if p.target is not None
            else []
        )
        if p.projected is not None:
            parts.append(f"预计全年 {fmt.amount(p.projected, p.unit)}")
        if parts:
            st.caption(" · ".join(parts))
        if p.share_of_target is not None:
            st.progress(
                min(max(p.share_of_target, 0.0), 1.0),
                text=f"完成年度目标 {fmt.pct(p.share_of_target)}",
            )
        if p.missing_tables:
            st.caption(contract.missing_note(p.missing_tables))


def target_list(rows, note: str = "点击一项查看明细") -> None:
    """The compact target list (charts.target_list): one row per target, details on a tap."""
    from kechuang.charts import target_list as tl

    st.html(tl.html(rows, note))


def opened(label: str, key: str):
    """An expander drawn only when opened (Streamlit's on_change="rerun": opening or closing it
    reruns the page): the expander when open, to draw into, else None. Below-the-fold sections were
    computed and sent on every rerun though closed (issue 23). The key's suffix says what it holds
    (tests open *_table_open and *_section_open as a user does: tests/fixtures.py open_sections)."""
    box = st.expander(label, key=key, on_change="rerun")
    return box if box.open else None
