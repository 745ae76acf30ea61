"""The compact target list of 总览 and 目标进度: one row per target — name, status, a progress bar
coloured by status with a mark at the pace, 完成/目标 and 序时/差 — and its details a tap away
(an HTML <details>: it opens without a round trip to the server). About 60 px a row, so every
target fits on one or two phone screens.

Pure: progress rows in, an HTML string out (st.html draws it). Every text is escaped; every figure
is worded by kechuang.zh.fmt, so the list says exactly what the cards, workbook and text say.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from kechuang.charts import style
from kechuang.engine.metrics import Progress
from kechuang.zh import fmt

# Badge text and background per status: the status colours, text dark enough to read on them.
BADGES = {
    "on_track": ("#ffffff", style.ON_TRACK),
    "at_risk": ("#3d2a00", style.AT_RISK),
    "behind": ("#ffffff", style.BEHIND),
    None: ("#37474f", "#eceff1"),
}


@dataclass(frozen=True)
class Row:
    """One target as the list shows it."""

    id: str
    label: str
    status: str | None  # on_track / at_risk / behind; None when not judged
    badge: str  # the status in words (or 镇区贡献, 跟踪指标, 数据暂缺)
    share: float | None  # bar length: actual / target
    pace_share: float | None  # where the pace mark sits: shown expected / target
    figures: str  # '36 / 50 家'
    pace: str  # '序时 42 家 · 差 6 家' ('' when not judged)
    details: tuple[str, ...]  # lines shown on a tap


def row(p: Progress, judged: bool, badge: str, details: tuple[str, ...] = ()) -> Row:
    """A progress row worded for the list (`judged`: paced, not a town's contribution)."""
    status = p.status if judged and p.target is not None else None
    figures = fmt.amount(p.actual, p.unit)
    if p.target is not None and p.unit == "比率":
        figures = f"{figures} / {fmt.amount(p.target, p.unit)}"
    elif p.target is not None:
        unit = fmt.shown_unit(p.unit)
        actual = figures.removesuffix(unit).strip() if p.actual is not None else "—"
        target = fmt.amount(p.target, p.unit).removesuffix(unit).strip()
        figures = f"{actual} / {target} {unit}"
    pace = ""
    if status is not None and p.unit == "比率":
        pace = f"差 {fmt.gap_text(p.actual, p.target, p.unit)}" if p.gap else "已达目标"
    elif status is not None and p.expected is not None:
        pace = f"序时 {fmt.pace_text(p.expected, p.unit)}"
        pace += f" · 差 {fmt.gap_text(p.actual, p.expected, p.unit)}" if p.gap else " · 达到序时"
    pace_share = None
    if status is not None and p.target:
        pace_share = (p.target if p.unit == "比率" else p.pace) / p.target
    return Row(p.id, p.label, status, badge, p.share_of_target, pace_share, figures, pace, details)


def _bar(r: Row) -> str:
    colour = style.STATUS_COLOURS[r.status]
    width = 0.0 if r.share is None else min(max(r.share, 0.0), 1.0) * 100
    mark = (
        f'<div title="序时进度" style="position:absolute;top:-3px;bottom:-3px;'
        f"left:calc({min(r.pace_share, 1.0) * 100:.1f}% - 1px);width:2px;"
        f'background:{style.PACE}"></div>'
        if r.pace_share is not None
        else ""
    )
    return (
        '<div style="position:relative;height:8px;border-radius:4px;background:#eceff1;'
        'margin:4px 0 3px 0">'
        f'<div style="width:{width:.1f}%;height:100%;border-radius:4px;background:{colour}"></div>'
        f"{mark}</div>"
    )


def _badge(r: Row) -> str:
    text, background = BADGES[r.status]
    return (
        f'<span class="kc-status" data-status="{escape(r.status or "none")}" '
        f'style="flex:none;font-size:12px;line-height:18px;padding:0 6px;border-radius:9px;'
        f'color:{text};background:{background}">{escape(r.badge)}</span>'
    )


def _row(r: Row) -> str:
    head = (
        '<div style="display:flex;justify-content:space-between;align-items:center;gap:6px">'
        f'<span style="font-weight:600;font-size:14px;line-height:20px">{escape(r.label)}</span>'
        f"{_badge(r)}</div>"
    )
    figures = (
        '<div style="display:flex;justify-content:space-between;flex-wrap:wrap;gap:0 8px;'
        'font-size:13px;line-height:18px;color:#37474f">'
        f"<span>完成 {escape(r.figures)}</span><span>{escape(r.pace)}</span></div>"
    )
    details = "".join(
        f'<div style="font-size:12.5px;line-height:18px;color:#546e7a">{escape(d)}</div>'
        for d in r.details
    )
    body = f"{head}{_bar(r)}{figures}"
    box = "padding:6px 0;border-bottom:1px solid #eceff1"
    if not details:
        return f'<div class="kc-row" data-id="{escape(r.id)}" style="{box}">{body}</div>'
    return (
        f'<details class="kc-row" data-id="{escape(r.id)}" style="{box}">'
        f'<summary style="list-style:none;cursor:pointer">{body}</summary>'
        f'<div style="padding:4px 0 2px 0">{details}</div></details>'
    )


def html(rows: list[Row], note: str = "点击一项查看明细") -> str:
    """The whole list as one HTML block."""
    caption = (
        f'<div style="font-size:12px;color:#78909c;margin-top:4px">{escape(note)}</div>'
        if note
        else ""
    )
    return (
        '<div class="kc-targets" style="font-family:inherit">'
        + "".join(_row(r) for r in rows)
        + caption
        + "</div>"
    )
