"""Chinese display formats: 万元/亿元 with thousands separators, percentages, 2026年10月31日.

It also holds the one rounding rule of a target's figures, used by the pages, the workbook, the
简报文字 and the CLI text (and by metrics.pace_status, so a status always agrees with what is
shown):

- an actual is shown as it is rounded: counts whole, amounts of 万元 in 亿元 to 0.01 (100 万元),
  ratios rounded *down* to 0.1% (a coverage never reads 100.0% while one firm is missing);
- the expected-by-now (序时应完成) is rounded *up* to the same precision: 2.49 场 is shown 3 场;
- the gap (差) is the shown expected minus the shown actual.

So a shown 完成 below the shown 序时 is exactly 预警/滞后, and equal shown numbers are on pace.
"""

from __future__ import annotations

import math
import re
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

WAN_PER_YI = 10_000  # 1 亿元 = 10,000 万元
AMOUNT_UNIT = (
    "亿元"  # a target in 万元 (技术合同) is shown in 亿元 everywhere: cards, tables, workbook, text
)
AMOUNT_STEP = Fraction(100)  # 0.01 亿元, in 万元: the precision amounts are shown at
RATIO_STEP = Fraction(1, 1000)  # 0.1%


def shown_unit(unit: str) -> str:
    """The unit a metric's figures are shown in ('万元' metrics in 亿元; ratios as '%')."""
    return AMOUNT_UNIT if unit == "万元" else "%" if unit == "比率" else unit


def shown_scale(unit: str) -> int:
    """What a metric's value is divided by to be shown in shown_unit (10,000 for 万元 → 亿元)."""
    return WAN_PER_YI if unit == "万元" else 1


def _step(unit: str) -> Fraction:
    return AMOUNT_STEP if unit == "万元" else RATIO_STEP if unit == "比率" else Fraction(1)


def shown_value(x: float | int | Fraction | None, unit: str) -> float | int | None:
    """An actual as it is shown, in the metric's own unit: counts whole (half up), 万元 to the
    nearest 100 (0.01 亿元, half up), ratios down to 0.1%."""
    if x is None:
        return None
    step = _step(unit)
    if unit == "比率":
        return float(math.floor(Fraction(x) / step) * step)
    exact = Decimal(Fraction(x).numerator) / Decimal(Fraction(x).denominator)
    whole = int((exact / Decimal(step.numerator)).quantize(Decimal(1), ROUND_HALF_UP))
    return whole * int(step) if unit != "万元" else float(whole * step)


def pace_value(expected: float | Fraction | None, unit: str) -> float | int | None:
    """The expected-by-now as it is shown, in the metric's own unit: rounded *up* to the shown
    precision (counts to a whole number). Ratios are compared with their target as it is."""
    if expected is None:
        return None
    if unit == "比率":
        return float(expected)
    step = _step(unit)
    up = math.ceil(Fraction(expected) / step) * step
    return int(up) if unit != "万元" else float(up)


def gap_value(actual: float | int | None, expected: float | Fraction | None, unit: str):
    """How far the shown actual is below the shown expected-by-now (0 when at or above it)."""
    if actual is None or expected is None:
        return None
    gap = Fraction(pace_value(expected, unit)) - Fraction(shown_value(actual, unit))
    gap = max(gap, Fraction(0))
    return int(gap) if unit not in ("万元", "比率") else float(gap)


def pace_text(expected: float | Fraction | None, unit: str) -> str:
    """'42 家', '81.37 亿元': the expected-by-now as every page, workbook and text shows it."""
    return amount(pace_value(expected, unit), unit)


def gap_text(actual, expected, unit: str) -> str:
    """'9 家', '1.25 亿元', '11.5 个百分点': shown expected minus shown actual."""
    gap = gap_value(actual, expected, unit)
    if gap is None:
        return "—"
    if unit == "比率":
        return f"{gap * 100:.1f} 个百分点"
    return amount(gap, unit)


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
    """An actual or target in its metric's shown unit, rounded as shown_value: '36 家',
    '81.37 亿元' (a 万元 metric is always in 亿元), '89.4%'."""
    if x is None:
        return "—"
    sign = "-" if x < 0 else ""
    v = shown_value(abs(x), unit)
    if unit == "比率":
        return sign + pct(v)
    if unit == "万元":
        return sign + yi(v)
    return f"{sign}{num(v)} {unit}"


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
