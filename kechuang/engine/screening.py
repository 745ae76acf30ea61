"""精准筛选: HNTE candidates, near misses with their gaps, and gazelle/unicorn candidates
(metrics.md)."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction

import polars as pl

from kechuang.engine.dates import add_years
from kechuang.engine.warehouse import Warehouse
from kechuang.zh import fmt

CRITERIA: dict[str, str] = {
    "age": "成立满1年",
    "ip": "拥有有效知识产权",
    "rd_intensity": "研发投入强度",
    "rd_staff": "研发人员占比",
    "growth": "营业收入增长",
    "sme": "中小企业规模",
}
PASS_LABELS = {True: "通过", False: "未通过", None: "数据缺失"}

# What the screen cannot check from departmental data (shown with the results, domain.md).
NOT_CHECKED = (
    "高新技术产品（服务）收入占比不低于60%",
    "境内研发费用占比不低于60%",
    "核心技术属于《国家重点支持的高新技术领域》",
    "创新能力评价达71分以上（知识产权、成果转化、研发组织管理、成长性）",
)


@dataclass(frozen=True)
class HnteThresholds:
    """The screen's adjustable thresholds; defaults are those of metrics.md."""

    min_age_years: int = 1
    tier1_max_wan: Decimal = Decimal("5000")
    tier2_max_wan: Decimal = Decimal("20000")
    intensity_tier1: Decimal = Decimal("0.05")
    intensity_tier2: Decimal = Decimal("0.04")
    intensity_tier3: Decimal = Decimal("0.03")
    rd_staff_min: Decimal = Decimal("0.10")
    growth_min: Decimal = Decimal("0.20")
    sme_max_employees: int = 500
    sme_max_revenue_wan: Decimal = Decimal("20000")
    sme_max_assets_wan: Decimal = Decimal("20000")

    def params(self) -> dict:
        """Query parameters: decimals as strings, so DuckDB compares them exactly."""
        return {k: (str(v) if isinstance(v, Decimal) else v) for k, v in asdict(self).items()}


@dataclass(frozen=True)
class GazelleThresholds:
    min_revenue_wan: Decimal = Decimal("1000")
    growth_min: Decimal = Decimal("0.20")
    max_age_years: int = 10
    span_years: int = 2  # 4 = the Jiangsu variant over four years

    def params(self) -> dict:
        return {k: (str(v) if isinstance(v, Decimal) else v) for k, v in asdict(self).items()}


def screen_all(
    wh: Warehouse,
    as_of: date,
    thresholds: HnteThresholds = HnteThresholds(),
    uscc: str | None = None,
):
    """Every enterprise (or one) with the six criteria, whether evaluated or not, by score."""
    return wh.query(
        "hnte_screen",
        as_of=as_of,
        uscc=uscc,
        evaluated_only=False,
        max_not_passed=None,
        **thresholds.params(),
    )


def screen(
    wh: Warehouse,
    as_of: date,
    thresholds: HnteThresholds = HnteThresholds(),
    include_all: bool = False,
):
    """Evaluated enterprises (active, no valid certificate): candidates only unless include_all."""
    return _evaluated(wh, as_of, thresholds, None if include_all else 0)


def candidates_and_near_misses(
    wh: Warehouse, as_of: date, thresholds: HnteThresholds = HnteThresholds()
) -> pl.DataFrame:
    """Evaluated firms failing or lacking at most one criterion, by score: what
    near_misses(screened=...) needs."""
    return _evaluated(wh, as_of, thresholds, 1)


def _evaluated(
    wh: Warehouse, as_of: date, thresholds: HnteThresholds, max_not_passed: int | None
) -> pl.DataFrame:
    """Evaluated firms by score; with max_not_passed only those failing or lacking at most that
    many criteria."""
    rows = wh.query(
        "hnte_screen",
        as_of=as_of,
        uscc=None,
        evaluated_only=True,
        max_not_passed=max_not_passed,
        **thresholds.params(),
    )
    return rows.filter(pl.col("candidate")) if max_not_passed == 0 else rows


def page_screen(
    wh: Warehouse, as_of: date, thresholds: HnteThresholds = HnteThresholds()
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The screening page's data from one pass over the evaluated firms
    (queries/hnte_screen_page.sql):

    (firms failing or lacking at most one criterion, by score — what near_misses(screened=...)
     needs;
     counts: n_firms evaluated firms per combination of filter keys and criterion results, for
     funnel())."""
    out = wh.query("hnte_screen_page", as_of=as_of, uscc=None, **thresholds.params())
    counted = pl.col("n_firms").is_not_null()
    firms = out.filter(~counted).drop("n_firms").sort(["score", "uscc"], descending=[True, False])
    counts = out.filter(counted).select(
        "settled_year",
        "division_code",
        "size_band_no",
        "rd_status_no",
        *(f"pass_{c}" for c in CRITERIA),
        "candidate",
        "n_firms",
    )
    return firms, counts


def funnel(evaluated: pl.DataFrame) -> pl.DataFrame:
    """Counts: evaluated, passing each criterion, candidates (one row per step).

    `evaluated` holds one row per firm, or per group of firms when it has a column n_firms
    (page_screen's counts)."""
    if "n_firms" not in evaluated.columns:
        evaluated = evaluated.with_columns(n_firms=pl.lit(1, pl.Int64))

    def n(condition: pl.Expr) -> int:
        return int(evaluated.select(pl.col("n_firms").filter(condition).sum()).item() or 0)

    steps = [("evaluated", "参评企业", n(pl.lit(True)))]
    steps += [
        (c, f"通过：{label}", n(pl.col(f"pass_{c}").fill_null(False)))
        for c, label in CRITERIA.items()
    ]
    steps.append(("candidate", "六项全部通过（候选）", n(pl.col("candidate"))))
    return pl.DataFrame(steps, schema=["step", "label", "n_firms"], orient="row")


@dataclass(frozen=True)
class Gap:
    criterion: str
    passed: bool | None
    amount: float | None  # how much is missing, in unit (None when not an amount)
    unit: str | None  # 万元, 人, 天 or None
    text: str  # the gap in plain Chinese


def _frac(x) -> Fraction:
    return Fraction(str(x)) if isinstance(x, Decimal) else Fraction(x)


def criterion_gap(row: dict, criterion: str, t: HnteThresholds, as_of: date) -> Gap:
    """What one criterion needs for one screened firm, in plain words (exact arithmetic)."""
    passed = row[f"pass_{criterion}"]
    y = row["settled_year"]
    if passed is True:
        return Gap(criterion, True, None, None, "通过")
    if criterion == "age":
        if passed is None:
            return Gap(criterion, None, None, None, "缺少成立日期")
        due = add_years(row["established_on"], t.min_age_years)
        return Gap(
            criterion,
            False,
            float((due - as_of).days),
            "天",
            f"成立未满{t.min_age_years}年，{fmt.cn_date(due)}满{t.min_age_years}年",
        )
    if criterion == "ip":
        if passed is None:
            return Gap(criterion, None, None, None, "知识产权数据缺失")
        return Gap(criterion, False, 1.0, "项", "无有效知识产权，需至少1项")
    if criterion == "rd_intensity":
        if passed is None:
            return Gap(
                criterion,
                None,
                None,
                None,
                f"缺少{y}年营业收入，无法计算研发投入强度" if y else "缺少营业收入数据",
            )
        thr = row["intensity_threshold"]
        short = _frac(thr) * _frac(row["revenue_3y_wan"]) - _frac(row["rd_3y_wan"])
        amount = float(short)
        return Gap(
            criterion,
            False,
            amount,
            "万元",
            f"研发投入强度 {fmt.pct(row['rd_intensity'])}，需达 {fmt.pct_plain(thr)}，三年研发费用"
            f"还差 {fmt.num(math.ceil(amount * 10) / 10, 1)} 万元",
        )
    if criterion == "rd_staff":
        if passed is None:
            return Gap(
                criterion,
                None,
                None,
                None,
                f"缺少{y}年统计年报的研发人员或从业人员数" if y else "缺少统计年报数据",
            )
        need = math.ceil(_frac(t.rd_staff_min) * row["employees"]) - row["rd_staff"]
        return Gap(
            criterion,
            False,
            float(need),
            "人",
            f"研发人员占比 {fmt.pct(row['rd_staff_ratio'])}，需达 "
            f"{fmt.pct_plain(t.rd_staff_min)}，还差 {need} 人",
        )
    if criterion == "growth":
        if passed is None:
            return Gap(
                criterion,
                None,
                None,
                None,
                "缺少连续两年营业收入（或上年营收不为正），无法计算增长率",
            )
        short = _frac(row["revenue_y1_wan"]) * (1 + _frac(t.growth_min)) - _frac(
            row["revenue_y_wan"]
        )
        amount = float(short)
        return Gap(
            criterion,
            False,
            amount,
            "万元",
            f"营业收入增长 {fmt.pct(row['revenue_growth'])}，需达 {fmt.pct_plain(t.growth_min)}，"
            f"{y}年营收还差 {fmt.num(math.ceil(amount * 10) / 10, 1)} 万元",
        )
    return _sme_gap(row, t, passed)


def _sme_gap(row: dict, t: HnteThresholds, passed: bool | None) -> Gap:
    parts, first = [], None
    checks = (
        ("employees", "从业人员", t.sme_max_employees, "人"),
        ("revenue_y_wan", "营业收入", t.sme_max_revenue_wan, "万元"),
        ("total_assets_wan", "资产总额", t.sme_max_assets_wan, "万元"),
    )
    for key, label, limit, unit in checks:
        value = row[key]
        if value is None:
            parts.append(f"{label}数据缺失")
        elif _frac(value) > _frac(limit):
            over = float(_frac(value) - _frac(limit))
            shown = fmt.num(value) if unit == "人" else fmt.num(value, 1)
            parts.append(f"{label} {shown} {unit}，超过上限 {fmt.num(limit)} {unit}")
            first = first or (over, unit)
    if passed is None:
        return Gap("sme", None, None, None, "；".join(p for p in parts if "缺失" in p))
    return Gap(
        "sme",
        False,
        first[0],
        first[1],
        "；".join(p for p in parts if "超过" in p) + "（超出中小企业规模，不属培育对象）",
    )


def checklist(row: dict, t: HnteThresholds, as_of: date) -> list[Gap]:
    """The six criteria of one screened firm with their gaps."""
    return [criterion_gap(row, c, t, as_of) for c in CRITERIA]


def near_misses(
    wh: Warehouse,
    as_of: date,
    thresholds: HnteThresholds = HnteThresholds(),
    screened: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Evaluated firms failing or lacking exactly one criterion, with that criterion and its gap.

    `screened`: the result of `screen(wh, as_of, thresholds, include_all=True)` when the caller has
    it already."""
    if screened is None:
        screened = _evaluated(
            wh, as_of, thresholds, 1
        )  # only candidates and near misses leave the database
    rows = screened.filter(pl.col("n_not_passed") == 1)
    gaps = []
    for row in rows.iter_rows(named=True):
        missed = next(c for c in CRITERIA if row[f"pass_{c}"] is not True)
        gaps.append(criterion_gap(row, missed, thresholds, as_of))
    return rows.with_columns(
        pl.Series("missed_criterion", [g.criterion for g in gaps], dtype=pl.String),
        pl.Series("missed_status", [PASS_LABELS[g.passed] for g in gaps], dtype=pl.String),
        pl.Series("gap_amount", [g.amount for g in gaps], dtype=pl.Float64),
        pl.Series("gap_unit", [g.unit for g in gaps], dtype=pl.String),
        pl.Series("gap_text", [g.text for g in gaps], dtype=pl.String),
    )


def gazelle_candidates(
    wh: Warehouse, as_of: date, thresholds: GazelleThresholds = GazelleThresholds()
) -> pl.DataFrame:
    """Cultivation candidates ranked by growth; firms already on the list are marked
    (in_cultivation)."""
    return wh.query("gazelle_candidates", as_of=as_of, **thresholds.params())
