"""Chinese display formats: 万元/亿元 with thousands separators, percentages, 2026年10月31日."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

WAN_PER_YI = 10_000  # 1 亿元 = 10,000 万元


def num(x: float | int | None, decimals: int = 0) -> str:
    """A number with thousands separators; a dash for unknown."""
    if x is None:
        return "—"
    return f"{x:,.{decimals}f}"


def wan(x: float | None, decimals: int = 1) -> str:
    """An amount in 万元, e.g. '1,234.5 万元'."""
    return "—" if x is None else f"{num(x, decimals)} 万元"


def yi(x_wan: float | None, decimals: int = 2) -> str:
    """An amount given in 万元, shown in 亿元, e.g. '83.25 亿元'."""
    return "—" if x_wan is None else f"{num(x_wan / WAN_PER_YI, decimals)} 亿元"


def pct(ratio: float | Decimal | None, decimals: int = 1) -> str:
    """A fraction as a percentage with one decimal, e.g. 0.76 -> '76.0%'."""
    return "—" if ratio is None else f"{float(ratio) * 100:.{decimals}f}%"


def pct_plain(ratio: float | Decimal) -> str:
    """A threshold as a percentage without trailing zeros, e.g. 0.05 -> '5%', 0.045 -> '4.5%'."""
    text = f"{Decimal(str(ratio)) * 100:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return f"{text}%"


def cn_date(d: date | None) -> str:
    """'2026年10月31日' (no leading zeros, as Chinese documents write dates)."""
    return "—" if d is None else f"{d.year}年{d.month}月{d.day}日"


def cn_month(d: date | None) -> str:
    return "—" if d is None else f"{d.year}年{d.month}月"


def amount(x: float | int | None, unit: str) -> str:
    """An actual or target in its metric's unit: 万元 amounts in 亿元 once they reach 1 亿元."""
    if x is None:
        return "—"
    if unit == "比率":
        return pct(x)
    if unit == "万元":
        return yi(x) if abs(x) >= WAN_PER_YI else wan(x)
    return f"{num(x)} {unit}"


# Markdown (CommonMark + GFM) and Streamlit's own syntax (:color[…], :material/icon:, $LaTeX$)
# from a string: emphasis, code, links, images, HTML, tables, strikethrough and maths markers
# always; a dot before a letter (www.x.com, track.png: GFM would autolink) and a colon before a
# letter or slash (http:, :red[) where they would start something; a list or heading marker at the
# start. Decimals (3.5), dates (2026-10-31) and times (10:30) stay as they are written.
_MARKDOWN_ALWAYS = re.compile(r"([\\`*_{}\[\]()#<>|~$!])")
_MARKDOWN_BEFORE_WORD = re.compile(r"([.:])(?=[^\d\s.:])")
_MARKDOWN_LINE_START = re.compile(r"^(\s*\d*)((?<=\d)[.)]|(?<!\d)[-+])(?=\s|$)")


def md(text: object) -> str:
    """A string from data or a URL, safe inside st.markdown/caption/error/info/…: shown as typed,
    never a link, image, HTML, heading, list, emphasis, colour or formula. Line breaks become
    spaces."""
    flat = " ".join(str("" if text is None else text).splitlines())
    escaped = _MARKDOWN_BEFORE_WORD.sub(r"\\\1", _MARKDOWN_ALWAYS.sub(r"\\\1", flat))
    return _MARKDOWN_LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), escaped)
