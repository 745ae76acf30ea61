"""What a leader sees (issue 18): shown figures that agree with their status everywhere, one
freshness for everyone, as-of dates brought back with a notice, comparisons that mean something."""

from __future__ import annotations

import re
from datetime import date
from fractions import Fraction

import pytest
from fixtures import firm, uscc, write_warehouse

from kechuang import cli, demo
from kechuang.engine import metrics
from kechuang.engine.plan import load_plan
from kechuang.engine.warehouse import Warehouse
from kechuang.models import attention, timeline, towns
from kechuang.models import overview as cockpit
from kechuang.output import summary
from kechuang.ui import filters
from kechuang.zh import fmt

PLAN = load_plan(2026)
DATES = (
    date(2026, 1, 31),
    date(2026, 3, 31),
    date(2026, 6, 30),
    date(2026, 9, 15),
    date(2026, 10, 30),
)
NUMBER = r"(-?[\d,]+(?:\.\d+)?)"


@pytest.fixture(scope="module")
def county(tmp_path_factory) -> Warehouse:
    """The demo county (deterministic, 30,000 firms), written in a temporary folder."""
    out = tmp_path_factory.mktemp("demo")
    demo.write_demo(out)
    return Warehouse(out)


def number(text: str) -> Fraction:
    return Fraction(text.replace(",", ""))


# -- the rounding rule, by hand ------------------------------------------------------------------


def test_the_training_of_the_issue_is_behind_with_the_pace_shown_as_three():
    # 3 trainings a year, 2 held on 2026-10-30 (day 303): the pace 2.49 is shown 3, the gap 1,
    # and 2 is below 80% of the shown 3, so 滞后 (it was 预警 beside "序时应完成 2 场", which
    # contradicted itself).
    expected = 3 * metrics.elapsed_share(date(2026, 10, 30))
    assert float(expected) == pytest.approx(2.4904, abs=1e-4)
    assert fmt.pace_text(expected, "场") == "3 场" and fmt.gap_text(2, expected, "场") == "1 场"
    assert metrics.pace_status(2, expected, "场") == "behind"
    assert metrics.pace_status(3, expected, "场") == "on_track"


@pytest.mark.parametrize(
    ("actual", "status"),
    [(42, "on_track"), (41, "at_risk"), (34, "at_risk"), (33, "behind")],  # 80% of 42 = 33.6
)
def test_status_boundaries_on_the_shown_pace(actual, status):
    expected = 50 * metrics.elapsed_share(date(2026, 10, 30))  # 41.5: shown 42
    assert fmt.pace_value(expected, "家") == 42
    assert metrics.pace_status(actual, expected, "家") == status


def test_amounts_are_judged_in_yi_to_the_hundredth():
    expected = Fraction(1_000_000) * metrics.elapsed_share(date(2026, 10, 30))  # 830,136.99 万元
    assert fmt.pace_text(expected, "万元") == "83.02 亿元"
    assert metrics.pace_status(830_150, expected, "万元") == "on_track"  # shown 83.02 = 83.02
    assert metrics.pace_status(830_149.9, expected, "万元") == "at_risk"  # shown 83.01
    assert fmt.gap_text(830_149.9, expected, "万元") == "0.01 亿元"


def test_a_ratio_is_shown_rounded_down():
    assert fmt.amount(0.99996, "比率") == "99.9%"  # never 100.0% while a firm is missing
    assert metrics.pace_status(0.99996, 1.0, "比率") == "at_risk"
    assert metrics.pace_status(0.8, 1.0, "比率") == "at_risk"
    assert metrics.pace_status(0.7999, 1.0, "比率") == "behind"  # shown 79.9%


# -- shown figures agree with the status, for every target, at several dates ---------------------


def _check_row(row, p) -> None:
    figures = re.fullmatch(rf"{NUMBER}%? / {NUMBER}%? ?(\S*)", row.figures)
    assert figures, row.figures
    shown_actual = number(figures[1])
    if p.unit == "比率":
        target = number(figures[2])
        gap = re.fullmatch(rf"差 {NUMBER} 个百分点", row.pace)
        shown_gap = number(gap[1]) if gap else Fraction(0)
        assert (row.pace == "已达目标") == (p.status == "on_track")
        assert shown_gap == target - shown_actual if gap else shown_actual >= target
        assert (p.status == "behind") == (shown_actual < Fraction(4, 5) * target)
        return
    pace = re.fullmatch(rf"序时 {NUMBER} \S+ · (?:差 {NUMBER} \S+|达到序时)", row.pace)
    assert pace, row.pace
    shown_pace = number(pace[1])
    shown_gap = number(pace[2]) if pace[2] else Fraction(0)
    # The issue's rule: a shown 完成 below the shown 序时 is exactly 预警/滞后; equal is on pace.
    assert (shown_actual < shown_pace) == (p.status in ("at_risk", "behind")), p.id
    assert shown_gap == max(shown_pace - shown_actual, 0), p.id
    assert (p.status == "behind") == (shown_actual < Fraction(4, 5) * shown_pace), p.id
    if p.unit != "万元":
        assert shown_pace.denominator == 1  # counts: a whole number, rounded up
        assert shown_pace >= Fraction(p.expected) > shown_pace - 1


@pytest.mark.parametrize("as_of", DATES)
def test_shown_figures_agree_with_the_status_everywhere(county, as_of):
    rows = metrics.progress(county, as_of, PLAN)
    listed = cockpit.target_rows(rows, False, True, cockpit.cards(county, as_of, PLAN))
    judged = 0
    for p, row in zip(rows, listed, strict=True):
        if p.status is None:
            continue
        judged += 1
        _check_row(row, p)
        # The same pace and gap in the card's lines, the warning list, the briefing text.
        if p.unit != "比率":
            assert f"序时 {fmt.pace_text(p.expected, p.unit)}" in row.pace
            assert f"序时应完成 {fmt.pace_text(p.expected, p.unit)}" in row.details
            assert (f"差 {fmt.gap_text(p.actual, p.expected, p.unit)}" in row.details) == bool(
                p.gap
            )
    assert judged == 11
    text = summary.compose(rows, as_of, PLAN)
    for p in rows:
        if p.status in ("at_risk", "behind"):
            gap = fmt.gap_text(p.actual, p.target if p.unit == "比率" else p.expected, p.unit)
            assert f"{p.label}（" in text and f"差{gap.replace(' ', '')}" in text, p.id
    for a in attention.attention(county, as_of, PLAN):
        p = next(r for r in rows if r.id == a.id)
        if p.unit != "比率":
            assert f"差 {fmt.gap_text(p.actual, p.expected, p.unit)}" in a.summary


def test_the_cli_text_says_the_same(county, capsys):
    assert cli.main(["progress", "--data", str(county.data_dir), "--as-of", "2026-10-30"]) == 0
    out = capsys.readouterr().out
    for p in metrics.progress(county, date(2026, 10, 30), PLAN):
        if p.status is not None and p.unit != "比率":
            line = next(x for x in out.splitlines() if x.strip().startswith(p.label + ":"))
            assert f"序时应完成 {fmt.pace_text(p.expected, p.unit)}" in line
            assert (f"差 {fmt.gap_text(p.actual, p.expected, p.unit)}" in line) == bool(p.gap)


# -- one freshness; as-of dates brought back ----------------------------------------------------


def two_towns(tmp_path):
    """掘港's last contract is on 10-30, 长沙's on 10-29: the county's data runs to 10-30."""
    return write_warehouse(
        tmp_path / "d",
        enterprises=[firm(1, town="掘港街道"), firm(2, town="长沙镇")],
        tech_contracts=[
            {
                "contract_id": "A",
                "uscc": uscc(1),
                "amount_wan": 10.0,
                "registered_on": date(2026, 10, 30),
            },
            {
                "contract_id": "B",
                "uscc": uscc(2),
                "amount_wan": 10.0,
                "registered_on": date(2026, 10, 29),
            },
        ],
    )


def test_one_freshness_for_a_town_and_the_county(tmp_path):
    data = two_towns(tmp_path)
    assert metrics.default_as_of(Warehouse(data)) == date(2026, 10, 30)
    assert metrics.default_as_of(Warehouse(data, {"长沙镇"})) == date(2026, 10, 30)


@pytest.mark.parametrize(
    ("text", "shown", "notice"),
    [
        (None, date(2026, 10, 30), None),
        ("2026-06-30", date(2026, 6, 30), None),
        ("2026-10-30", date(2026, 10, 30), None),
        (
            "9999-12-31",
            date(2026, 10, 30),
            "截至日期9999年12月31日晚于数据的最新日期2026年10月30日",
        ),
        (
            "2026-10-31",
            date(2026, 10, 30),
            "截至日期2026年10月31日晚于数据的最新日期2026年10月30日",
        ),
        ("1900-01-01", date(2026, 10, 30), "截至日期1900年1月1日早于可查询范围（2015年1月1日起）"),
        ("garbage<b>", date(2026, 10, 30), "链接中的截至日期无法识别"),
        ("2026-02-30", date(2026, 10, 30), "链接中的截至日期无法识别"),
    ],
)
def test_as_of_from_a_link_is_brought_back_with_a_notice(text, shown, notice):
    as_of, said = filters.as_of_from_url(text, date(2026, 10, 30))
    assert as_of == shown
    if notice is None:
        assert said is None
    else:
        assert said.startswith(notice) and "<b>" not in said and "已按" in said


def test_cli_as_of_after_the_data_is_brought_back_with_one_line(tmp_path, capsys):
    data = two_towns(tmp_path)
    assert cli.main(["progress", "--json", "--data", str(data), "--as-of", "2026-12-05"]) == 0
    out = capsys.readouterr()
    assert '"as_of": "2026-10-30"' in out.out
    assert out.err.splitlines() == [
        "截至日期2026年12月5日晚于数据的最新日期2026年10月30日，此后暂无数据，已按2026年10月30日计算。"
    ]


# -- comparisons that mean something -----------------------------------------------------------


def test_rd_coverage_is_compared_with_the_previous_reference_year(tmp_path):
    # 2025 statistics: 2 of 2 manufacturers R&D-active; 2024: 1 of 2. The same day last year
    # reads the 2025 statistics again (a comparison with itself): the card compares with 2024.
    rows = []
    for year, rd in ((2024, (10.0, 0.0)), (2025, (10.0, 5.0))):
        rows += [
            {"uscc": uscc(n), "year": year, "revenue_wan": 20000.0, "rd_expense_wan": r}
            for n, r in zip((1, 2), rd, strict=True)
        ]
    data = write_warehouse(
        tmp_path / "d",
        enterprises=[firm(1, industry_code="2614"), firm(2, industry_code="2614")],
        stats_annual=rows,
        tax_annual=[],
    )
    wh = Warehouse(data)
    y = timeline.year_ago(wh, date(2026, 10, 30))["rd_coverage"]
    assert (y.reference_year, y.actual) == (2024, 0.5)
    assert timeline.year_ago_text(y, "比率") == "上一统计年度（2024年）：50.0%"
    card = next(c for c in cockpit.cards(wh, date(2026, 10, 30), PLAN) if c.id == "rd_coverage")
    assert (card.delta, card.delta_basis) == ("+50.0 个百分点", "较上一统计年度")


def test_without_the_previous_year_there_is_no_comparison(tmp_path):
    data = write_warehouse(
        tmp_path / "d",
        enterprises=[firm(1, industry_code="2614")],
        stats_annual=[
            {"uscc": uscc(1), "year": 2025, "revenue_wan": 20000.0, "rd_expense_wan": 1.0}
        ],
        tax_annual=[],
    )
    card = next(
        c for c in cockpit.cards(Warehouse(data), date(2026, 10, 30), PLAN) if c.id == "rd_coverage"
    )
    assert card.delta is None and card.year_ago == "上一统计年度（2024年）：—（无该年统计数据）"


# -- a town against the other towns ----------------------------------------------------------------


def test_town_standing_rank_and_share_without_other_towns(tmp_path):
    data = write_warehouse(
        tmp_path / "d",
        enterprises=[firm(1, town="掘港街道"), firm(2, town="长沙镇"), firm(3, town="洋口镇")],
        hnte_certificates=[
            {"uscc": uscc(n), "certificate_no": f"C{n}{k}", "issued_on": date(2026, 3, 1)}
            for n, k in ((1, 1), (2, 1))
        ],
        tech_contracts=[
            {
                "contract_id": "A",
                "uscc": uscc(1),
                "amount_wan": 30000.0,
                "registered_on": date(2026, 5, 1),
            },
            {
                "contract_id": "B",
                "uscc": uscc(2),
                "amount_wan": 10000.0,
                "registered_on": date(2026, 5, 2),
            },
        ],
    )
    standing = {s.id: s for s in towns.town_standing(Warehouse(data), date(2026, 10, 30), "长沙镇")}
    hnte, money = standing["new_hnte"], standing["tech_contract_amount"]
    assert (hnte.value, hnte.county, hnte.rank, hnte.n_towns) == (1.0, 2.0, 1, 3)  # tied first
    assert (
        towns.town_standing_text(money)
        == "技术合同认定登记额 1.00 亿元，占全县 25.0%，居各镇区第 2 位（共 3 个）"
    )
    assert towns.zero_text(list(standing.values())) is None  # 长沙镇 has some of each
    lonely = towns.town_standing(Warehouse(data), date(2026, 10, 30), "洋口镇")
    assert towns.zero_text(lonely) == (
        "本年尚无：新增高新技术企业（全县已有 2 家）、技术合同认定登记额（全县已有 4.00 亿元）。"
    )
