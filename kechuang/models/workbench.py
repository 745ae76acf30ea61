"""Analyst workbench (精准筛选, 瞪羚/独角兽, 研发活动清零, 一企一档): thresholds from widgets,
filters, display frames with Chinese labels, the score in plain words, revenue trajectories and the
pieces of an enterprise file. No Streamlit here: the pages call these and render what they return.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal

import polars as pl

from kechuang.engine import contract, industries, metrics, screening
from kechuang.engine.warehouse import Warehouse
from kechuang.zh import fmt

# -- thresholds: what the widgets show and how their values become the screen's Decimals ----------


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


# -- the HNTE screen: classification, filters, funnel, display frames ------------------------------

RD_STATUSES = ("有研发费用", "无研发费用", "研发数据缺失")
SIZE_UNKNOWN = "营收不详"


def _wan_text(x: Decimal | float) -> str:
    x = Decimal(str(x))
    if x >= 10_000 and x % 10_000 == 0:
        return f"{fmt.num(x / 10_000)} 亿元"
    return f"{fmt.num(x)} 万元"


def size_bands(t: screening.HnteThresholds) -> tuple[str, str, str, str]:
    """Revenue bands of the last settled year, cut where the R&D-intensity tiers are cut."""
    return (
        f"{_wan_text(t.tier1_max_wan)}及以下",
        f"{_wan_text(t.tier1_max_wan)}–{_wan_text(t.tier2_max_wan)}",
        f"{_wan_text(t.tier2_max_wan)}以上",
        SIZE_UNKNOWN,
    )


def classify(screened: pl.DataFrame, t: screening.HnteThresholds) -> pl.DataFrame:
    """The screen with its filter keys named: division (行业), size_band (营收规模), rd_status
    (研发状态).

    queries/hnte_criteria.sql computes the keys: the industry code's two digits, the revenue band
    of the last settled year cut where the R&D-intensity tiers are cut (exactly at a cut is the
    lower band), and rd_status: 有研发费用 when the three-year R&D sum is > 0; 无研发费用 when some
    year's revenue is known and the sum is 0; 研发数据缺失 when no revenue of the three years is
    known."""
    return screened.with_columns(
        division_expr("division_code").alias("division"),
        pl.col("size_band_no")
        .replace_strict(dict(enumerate(size_bands(t))), return_dtype=pl.String)
        .alias("size_band"),
        pl.col("rd_status_no")
        .replace_strict(dict(enumerate(RD_STATUSES)), return_dtype=pl.String)
        .alias("rd_status"),
    )


def division_expr(column: str = "industry_code") -> pl.Expr:
    """The industry division label of a code column, vectorised (industries.division_label)."""
    codes = pl.col(column).str.strip_chars().str.slice(0, 2)
    named = {code: f"{code} {name}" for code, name in industries.DIVISIONS.items()}
    return (
        pl.when(codes.str.contains(r"^\d\d$"))
        .then(
            codes.replace_strict(
                named, default=pl.concat_str(pl.lit("行业代码 "), codes), return_dtype=pl.String
            )
        )
        .otherwise(pl.lit(industries.UNKNOWN))
    )


@dataclass(frozen=True)
class ScreenPage:
    """What the screening page shows, classified for its filters (filtered() applies to each
    frame)."""

    candidates: pl.DataFrame  # firms passing all six criteria, by score
    near_misses: (
        pl.DataFrame
    )  # firms failing or lacking exactly one, with the gap (screening.near_misses)
    counts: (
        pl.DataFrame
    )  # every evaluated firm, counted (n_firms) by filter keys and criterion results

    @property
    def settled_year(self) -> int | None:
        """Y, the last settled fiscal year the money criteria read (None when no firm was
        evaluated)."""
        return self.counts["settled_year"][0] if self.counts.height else None


def screen_page(wh: Warehouse, as_of: date, t: screening.HnteThresholds) -> ScreenPage:
    """The screening page's data from one query (screening.page_screen); only candidates and near
    misses leave it as rows."""
    firms, counts = screening.page_screen(wh, as_of, t)
    return ScreenPage(
        classify(firms.filter(pl.col("candidate")), t),
        classify(screening.near_misses(wh, as_of, t, screened=firms), t),
        classify(counts, t),
    )


def filter_tag(
    division: list[str], size: list[str], rd_status: list[str], t: screening.HnteThresholds
) -> str | None:
    """A short tag for a download's file name saying which filters and thresholds shaped it."""
    parts = []
    if division:
        parts.append(
            division[0].replace(" ", "") if len(division) == 1 else f"{len(division)}个行业"
        )
    parts += [*size, *rd_status]
    if t != screening.HnteThresholds():
        parts.append("自定义阈值")
    return "_".join(parts) or None


def divisions(frame: pl.DataFrame) -> list[str]:
    """The division labels present in a classified frame, in code order (行业不详 last)."""
    present = set(frame["division"].unique().to_list())
    return sorted(present - {industries.UNKNOWN}) + (
        [industries.UNKNOWN] if industries.UNKNOWN in present else []
    )


def filtered(
    frame: pl.DataFrame,
    division: Iterable[str] = (),
    size: Iterable[str] = (),
    rd_status: Iterable[str] = (),
):
    """Rows of a classified frame within the chosen values of each filter (an empty choice keeps
    all)."""
    for column, chosen in (("division", division), ("size_band", size), ("rd_status", rd_status)):
        chosen = list(chosen)
        if chosen:
            frame = frame.filter(pl.col(column).is_in(chosen))
    return frame


def funnel(counts: pl.DataFrame, t: screening.HnteThresholds) -> pl.DataFrame:
    """screening.funnel with each criterion's own count and the running count passing it and all
    before it.

    `counts`: ScreenPage.counts (n_firms per group), filtered as the page's filters say."""
    steps = screening.funnel(counts)
    running, cumulative = pl.lit(True), [int(counts["n_firms"].sum())]
    for c in screening.CRITERIA:
        running = running & pl.col(f"pass_{c}").fill_null(False)
        cumulative.append(int(counts.filter(running)["n_firms"].sum()))
    cumulative.append(int(counts.filter(pl.col("candidate"))["n_firms"].sum()))
    names = criterion_labels(t)
    return steps.with_columns(
        pl.Series("n_cumulative", cumulative, dtype=pl.Int64),
        pl.Series(
            "label", ["参评企业", *(names[c] for c in screening.CRITERIA), "候选（六项全过）"]
        ),
    )


def criterion_labels(t: screening.HnteThresholds = screening.HnteThresholds()) -> dict[str, str]:
    """The six criteria in Chinese; the age criterion says the chosen number of years."""
    return {**screening.CRITERIA, "age": f"成立满{t.min_age_years}年"}


def _pass_text(column: str) -> pl.Expr:
    return pl.col(column).replace_strict(
        screening.PASS_LABELS, default=screening.PASS_LABELS[None], return_dtype=pl.String
    )


VALUE_COLUMNS = {  # the values behind the criteria, as the screen computed them
    "revenue_y_wan": "上年营业收入（万元）",
    "revenue_growth": "营收增长率",
    "rd_intensity": "研发费用占比（近三年）",
    "intensity_threshold": "强度要求",
    "rd_staff_ratio": "研发人员占比（上年）",
    "employees": "从业人员（人）",
    "total_assets_wan": "资产总计（万元）",
    "n_valid_ip": "有效知识产权（项）",
    "established_on": "成立日期",
}


def candidate_table(frame: pl.DataFrame, t: screening.HnteThresholds) -> pl.DataFrame:
    """One row per firm: identity, score, each criterion as 通过/未通过/数据缺失, then the values
    behind them."""
    names = criterion_labels(t)
    return frame.select(
        pl.col("name").alias("企业名称"),
        pl.col("score").alias("培育评分"),
        pl.col("town").alias("所属镇区"),
        *(_pass_text(f"pass_{c}").alias(names[c]) for c in screening.CRITERIA),
        *(
            pl.col(c).cast(pl.Float64) if c == "intensity_threshold" else pl.col(c)
            for c in VALUE_COLUMNS
        ),
        pl.col("division").alias("行业"),
        pl.col("uscc").alias("统一社会信用代码"),
    ).rename(VALUE_COLUMNS)


def near_miss_table(frame: pl.DataFrame, t: screening.HnteThresholds) -> pl.DataFrame:
    """Near misses: the one criterion missed, whether failed or unknown, and the gap in plain
    words."""
    names = criterion_labels(t)
    return frame.select(
        pl.col("name").alias("企业名称"),
        pl.col("missed_criterion").replace_strict(names, return_dtype=pl.String).alias("未达项"),
        pl.col("missed_status").alias("状态"),
        pl.col("gap_text").alias("差距"),
        pl.col("gap_amount").alias("差额"),
        pl.col("gap_unit").alias("差额单位"),
        pl.col("score").alias("培育评分"),
        pl.col("town").alias("所属镇区"),
        pl.col("division").alias("行业"),
        pl.col("uscc").alias("统一社会信用代码"),
    )


def near_miss_counts(frame: pl.DataFrame, t: screening.HnteThresholds) -> pl.DataFrame:
    """Near misses per missed criterion (criteria order), split into failed and unknown."""
    names = criterion_labels(t)
    rows = []
    for c in screening.CRITERIA:
        part = frame.filter(pl.col("missed_criterion") == c)
        failed = part.filter(pl.col("missed_status") == screening.PASS_LABELS[False]).height
        rows.append((names[c], failed, part.height - failed))
    return pl.DataFrame(
        rows,
        schema={"未达项": pl.String, "未通过（家）": pl.Int64, "数据缺失（家）": pl.Int64},
        orient="row",
    )


# The readiness score of queries/hnte_screen.sql, in plain words (README "Score"): (part, points,
# how).
SCORE_PARTS: tuple[tuple[str, int, str], ...] = (
    (
        "知识产权",
        30,
        "有1项及以上Ⅰ类知识产权（发明专利、集成电路布图设计、植物新品种）得30分；"
        "否则每项Ⅱ类知识产权（实用新型、外观设计、软件著作权等）得4分，最多20分",
    ),
    (
        "研发投入强度",
        30,
        "近三年研发费用占营业收入的比例，按比例计分：达到所在档次要求得15分，达到要求的2倍及以上得满分30分"
        "（如要求5%、实际2.5%得7.5分）",
    ),
    (
        "营业收入增长",
        20,
        "上年营收比前年增长：35%及以上20分，25%及以上16分，15%及以上12分，5%及以上8分，正增长4分，不增长0分",
    ),
    (
        "研发人员占比",
        20,
        "研发人员占从业人员的比例：20%及以上得满分20分，以下按比例计（10%得10分）",
    ),
)
SCORE_NOTE = (
    "培育评分（0–100分）仿照高企认定的创新能力评价（知识产权、成果转化、研发组织管理、成长性）设计，"
    "只用各部门数据能算出的部分，用于排序和确定服务先后，不是认定评分。数据缺失的部分计0分。"
)


def score_parts() -> list[str]:
    """The score's parts in plain words, one line each: part, points, how they are earned."""
    return [f"{part}（{points}分）：{how}" for part, points, how in SCORE_PARTS]


def criteria_rules(t: screening.HnteThresholds) -> list[str]:
    """What each criterion checks with the thresholds in force, in plain words."""
    names = criterion_labels(t)
    small, middle, large, _ = size_bands(t)
    return [
        f"{names['age']}：成立日期加{t.min_age_years}年不晚于截至日期",
        f"{names['ip']}：截至日期已授权且有效的知识产权至少1项",
        f"{names['rd_intensity']}：近三个已汇算年度研发费用合计 ÷ "
        f"营业收入合计，上年营收{small}需达 {fmt.pct_plain(t.intensity_tier1)}，"
        f"{middle}需达 {fmt.pct_plain(t.intensity_tier2)}，{large}需达 "
        f"{fmt.pct_plain(t.intensity_tier3)}",
        f"{names['rd_staff']}：上年统计年报研发人员 ÷ 从业人员不低于 "
        f"{fmt.pct_plain(t.rd_staff_min)}",
        f"{names['growth']}：上年营业收入比前年增长不低于 {fmt.pct_plain(t.growth_min)}",
        f"{names['sme']}：从业人员不超过 {fmt.num(t.sme_max_employees)} 人、营业收入不超过 "
        f"{_wan_text(t.sme_max_revenue_wan)}、"
        f"资产总额不超过 {_wan_text(t.sme_max_assets_wan)}",
    ]


# -- 瞪羚/独角兽 ---------------------------------------------------------------------------------


def gazelle_spans(wh: Warehouse, as_of: date) -> tuple[int, ...]:
    """The spans the data supports: 2 always; 4 (Jiangsu) when some firm has a revenue figure for
    Y-4."""
    years = wh.query("workbench_revenue_years", as_of=as_of)
    if years.height == 0:
        return (2,)
    settled = years["settled_year"][0]
    return (2, 4) if settled - 4 in years["year"].to_list() else (2,)


def gazelle_table(frame: pl.DataFrame) -> pl.DataFrame:
    """Cultivation candidates for display: growth, revenue of both years, and whether already
    listed."""
    return frame.select(
        pl.col("name").alias("企业名称"),
        pl.col("cagr").alias("年均复合增长率"),
        pl.col("revenue_base_wan").alias("基期营业收入（万元）"),
        pl.col("revenue_wan").alias("上年营业收入（万元）"),
        pl.when(pl.col("in_cultivation"))
        .then(pl.concat_str(pl.lit("已入选（"), pl.col("track"), pl.lit("）")))
        .otherwise(pl.lit("未入选"))
        .alias("培育名单"),
        pl.col("town").alias("所属镇区"),
        division_expr().alias("行业"),
        pl.col("established_on").alias("成立日期"),
        pl.col("uscc").alias("统一社会信用代码"),
    )


def cultivation_list(wh: Warehouse, as_of: date) -> pl.DataFrame:
    """The plan year's cultivation list, one row per firm, with its revenue by year (trend,
    first..last year).

    Columns: uscc, name, town, division, track, hnte_valid_until, revenue_trend (list, oldest
    first; null where a year has no figure), first_year, last_year, revenue_y_wan (last year) and
    cagr over the years between the first and last known figures (null unless both are > 0 and at
    least a year apart)."""
    rows = wh.query("workbench_cultivation", as_of=as_of)
    firm_cols = [
        "uscc",
        "name",
        "town",
        "industry_code",
        "established_on",
        "track",
        "hnte_valid_until",
    ]
    out = (
        rows.sort("uscc", "year")
        .group_by(firm_cols, maintain_order=True)
        .agg(
            pl.col("revenue_wan").filter(pl.col("year").is_not_null()).alias("revenue_trend"),
            pl.col("year").min().alias("first_year"),
            pl.col("year").max().alias("last_year"),
            pl.col("revenue_wan")
            .filter(pl.col("year") == pl.col("year").max())
            .first()
            .alias("revenue_y_wan"),
            pl.struct("year", "revenue_wan")
            .filter(pl.col("revenue_wan").is_not_null())
            .first()
            .alias("_first"),
            pl.struct("year", "revenue_wan")
            .filter(pl.col("revenue_wan").is_not_null())
            .last()
            .alias("_last"),
        )
    )
    first, last = pl.col("_first").struct.field, pl.col("_last").struct.field
    span = last("year") - first("year")
    return (
        out.with_columns(
            division_expr().alias("division"),
            pl.when((span >= 1) & (first("revenue_wan") > 0) & (last("revenue_wan") > 0))
            .then((last("revenue_wan") / first("revenue_wan")).pow(1 / span.cast(pl.Float64)) - 1)
            .alias("cagr"),
        )
        .drop("_first", "_last")
        .sort("track", "name", "uscc", nulls_last=True)
    )


def cultivation_table(frame: pl.DataFrame) -> pl.DataFrame:
    years = _year_span(frame)
    return frame.select(
        pl.col("name").fill_null("（登记信息缺失）").alias("企业名称"),
        pl.col("revenue_trend").alias(f"营业收入走势（{years}，万元）"),
        pl.col("track").alias("培育方向"),
        pl.col("revenue_y_wan").alias("上年营业收入（万元）"),
        pl.col("cagr").alias("年均复合增长率"),
        pl.col("town").alias("所属镇区"),
        pl.col("division").alias("行业"),
        pl.col("hnte_valid_until").alias("高企证书有效期至"),
        pl.col("uscc").alias("统一社会信用代码"),
    )


def _year_span(frame: pl.DataFrame) -> str:
    lo, hi = (
        frame["first_year"].min() if frame.height else None,
        frame["last_year"].max() if frame.height else None,
    )
    return f"{lo}–{hi}年" if lo is not None and hi is not None else "各年"


@dataclass(frozen=True)
class Places:
    target: float | None  # the plan's cultivation target (None without a plan or target)
    filled: int | None  # firms on the plan year's list (None when the cultivation table is absent)

    @property
    def remaining(self) -> int | None:
        if self.target is None or self.filled is None:
            return None
        return max(int(self.target) - self.filled, 0)

    @property
    def share(self) -> float | None:
        return self.filled / self.target if self.target and self.filled is not None else None


def places(wh: Warehouse, as_of: date, target: float | None) -> Places:
    """How many of the plan's cultivation places are filled: the `cultivation` metric's own
    actual."""
    filled = metrics.metric_actual(wh, "cultivation", as_of)
    return Places(target, None if filled is None else int(filled))


# -- 研发活动清零 --------------------------------------------------------------------------------

_RD_INSTITUTION = {True: "有", False: "无"}


def rd_zero_table(worklist: pl.DataFrame) -> pl.DataFrame:
    """The 清零 worklist for display, by town then revenue (as queries/rd_population.sql orders
    it)."""
    return worklist.select(
        pl.col("town").alias("所属镇区"),
        pl.col("name").alias("企业名称"),
        pl.col("uscc").alias("统一社会信用代码"),
        division_expr().alias("行业"),
        pl.col("revenue_wan").alias("营业收入（万元）"),
        pl.col("has_rd_institution")
        .replace_strict(_RD_INSTITUTION, default="未填报", return_dtype=pl.String)
        .alias("研发机构"),
        pl.col("stats_rd_expense_wan").alias("统计研发经费（万元）"),
        pl.col("tax_rd_expense_wan").alias("加计扣除研发费用（万元）"),
        pl.col("last_visited_on").alias("最近走访日期"),
        pl.col("last_service_type").alias("最近服务类别"),
        pl.col("last_visit_team").alias("最近走访团队"),
    )


def rd_town_table(by_town: pl.DataFrame) -> pl.DataFrame:
    return contract.for_display(
        by_town.select("town", "n_population", "n_active", "n_worklist", "coverage_ratio")
    )
