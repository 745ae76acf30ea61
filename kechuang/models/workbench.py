"""精准筛选 (the analyst workbench's HNTE screen): classification, filters, funnel, display frames
with Chinese labels and the score in plain words. No Streamlit here: the page calls these and
renders what they return."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import polars as pl

from kechuang.engine import industries, screening
from kechuang.engine.warehouse import Warehouse
from kechuang.zh import fmt, labels
from kechuang.zh.labels import FIRM_COLUMNS as FIRM

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
    passes = {f"pass_{c}": names[c] for c in screening.CRITERIA}
    worded = frame.with_columns(
        *(_pass_text(c) for c in passes), pl.col("intensity_threshold").cast(pl.Float64)
    )
    return labels.shown(
        worded,
        {
            "name": FIRM["name"],
            "score": "培育评分",
            "town": FIRM["town"],
            **passes,
            **VALUE_COLUMNS,
            "division": FIRM["division"],
            "uscc": FIRM["uscc"],
        },
    )


def near_miss_table(frame: pl.DataFrame, t: screening.HnteThresholds) -> pl.DataFrame:
    """Near misses: the one criterion missed, whether failed or unknown, and the gap in plain
    words."""
    names = criterion_labels(t)
    worded = frame.with_columns(
        pl.col("missed_criterion").replace_strict(names, return_dtype=pl.String)
    )
    return labels.shown(
        worded,
        {
            "name": FIRM["name"],
            "missed_criterion": "未达项",
            "missed_status": "状态",
            "gap_text": "差距",
            "gap_amount": "差额",
            "gap_unit": "差额单位",
            "score": "培育评分",
            "town": FIRM["town"],
            "division": FIRM["division"],
            "uscc": FIRM["uscc"],
        },
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
