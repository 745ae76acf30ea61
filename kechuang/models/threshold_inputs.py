"""The analyst pages' thresholds: what the widgets show and how their values become the
screens' Decimals (精准筛选 and 瞪羚/独角兽). No Streamlit here."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from decimal import Decimal

from kechuang.engine import screening
from kechuang.zh import fmt


@dataclass(frozen=True)
class ThresholdInput:
    field: str  # the HnteThresholds / GazelleThresholds field
    label: str
    kind: str  # percent (widget in %, field a fraction), wan (万元), count (persons), years
    step: float
    max_value: float
    help: str = ""


HNTE_INPUTS: tuple[
    ThresholdInput, ...
] = (  # in pairs: two columns on a wide screen, one on a phone
    ThresholdInput(
        "min_age_years", "成立年限不少于（年）", "years", 1, 10, "成立日期加上该年数不晚于截至日期"
    ),
    ThresholdInput("rd_staff_min", "研发人员占比不低于（%）", "percent", 1, 100),
    ThresholdInput(
        "intensity_tier1",
        "研发投入强度·第一档（%）",
        "percent",
        0.5,
        20,
        "上年营业收入不超过第一档上限时的要求",
    ),
    ThresholdInput("tier1_max_wan", "第一档营收上限（万元）", "wan", 1000, 100_000),
    ThresholdInput(
        "intensity_tier2",
        "研发投入强度·第二档（%）",
        "percent",
        0.5,
        20,
        "上年营业收入在两档上限之间时的要求",
    ),
    ThresholdInput("tier2_max_wan", "第二档营收上限（万元）", "wan", 1000, 1_000_000),
    ThresholdInput(
        "intensity_tier3",
        "研发投入强度·第三档（%）",
        "percent",
        0.5,
        20,
        "上年营业收入超过第二档上限时的要求",
    ),
    ThresholdInput(
        "growth_min", "营业收入增长不低于（%）", "percent", 1, 500, "上年营业收入比前年增长"
    ),
    ThresholdInput("sme_max_employees", "中小企业·从业人员上限（人）", "count", 50, 100_000),
    ThresholdInput("sme_max_revenue_wan", "中小企业·营业收入上限（万元）", "wan", 1000, 1_000_000),
    ThresholdInput("sme_max_assets_wan", "中小企业·资产总额上限（万元）", "wan", 1000, 1_000_000),
)
GAZELLE_INPUTS: tuple[ThresholdInput, ...] = (
    ThresholdInput(
        "min_revenue_wan",
        "营业收入不低于（万元）",
        "wan",
        100,
        1_000_000,
        "两年口径看上年营业收入；四年口径（江苏）看基期营业收入",
    ),
    ThresholdInput("growth_min", "年均复合增长不低于（%）", "percent", 1, 500),
    ThresholdInput("max_age_years", "成立年限不超过（年）", "years", 1, 50),
)
SPAN_LABELS = {2: "两年口径（上年比前两年）", 4: "四年口径（江苏：上年比前四年）"}


def widget_value(spec: ThresholdInput, thresholds) -> float | int:
    """The widget's starting value for a threshold field: percentages in %, amounts as floats."""
    value = getattr(thresholds, spec.field)
    if spec.kind == "percent":
        return float(value * 100)
    if spec.kind == "wan":
        return float(value)
    return int(value)


def _field_value(spec: ThresholdInput, value: float | int):
    if spec.kind == "percent":
        return Decimal(str(value)) / 100
    if spec.kind == "wan":
        return Decimal(str(value))
    return int(value)


def hnte_thresholds(values: Mapping[str, float | int]) -> screening.HnteThresholds:
    """HnteThresholds from widget values (keys: field names; missing keys keep their defaults)."""
    specs = {s.field: s for s in HNTE_INPUTS}
    return screening.HnteThresholds(
        **{k: _field_value(specs[k], v) for k, v in values.items() if k in specs}
    )


def untouched_hnte_thresholds() -> screening.HnteThresholds:
    """What 精准筛选's widgets give before anyone changes them (their starting values read back)."""
    untouched = screening.HnteThresholds()
    return hnte_thresholds({s.field: widget_value(s, untouched) for s in HNTE_INPUTS})


def gazelle_thresholds(
    values: Mapping[str, float | int], span_years: int = 2
) -> screening.GazelleThresholds:
    specs = {s.field: s for s in GAZELLE_INPUTS}
    chosen = {k: _field_value(specs[k], v) for k, v in values.items() if k in specs}
    return screening.GazelleThresholds(**chosen, span_years=span_years)


def changed_thresholds(t) -> list[str]:
    """Fields that differ from their defaults, in words (shown so that nobody mistakes a custom
    screen)."""
    default = type(t)()
    specs = {
        s.field: s
        for s in (HNTE_INPUTS if isinstance(t, screening.HnteThresholds) else GAZELLE_INPUTS)
    }
    out = []
    for f in fields(t):
        value, base = getattr(t, f.name), getattr(default, f.name)
        if value != base and f.name in specs:
            spec = specs[f.name]
            name, unit = spec.label.rstrip("）").split("（")
            if spec.kind == "percent":
                out.append(f"{name} {fmt.pct_plain(value)}（默认 {fmt.pct_plain(base)}）")
            else:
                out.append(f"{name} {fmt.num(value)} {unit}（默认 {fmt.num(base)} {unit}）")
    return out
