"""Named tax figures: numbers for admin and analyst, bands for everyone else, bands exact at their
boundaries."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest
from fixtures import AS_OF, firm, uscc, write_warehouse

from kechuang.access import auth, redact
from kechuang.engine.profile import enterprise_file
from kechuang.engine.warehouse import Warehouse

ANALYST = auth.User("analyst", "analyst")
ADMIN = auth.User("admin", "admin")
RESTRICTED = [
    auth.User("leader", "leader"),
    auth.User("t", "town", frozenset({"掘港街道"})),
    auth.User("s", "share"),
    None,
]

BOUNDARIES = [
    (-3.0, "100 万元以下"),
    (0.0, "100 万元以下"),
    (99.99, "100 万元以下"),
    (100.0, "100–500 万元"),
    (499.99, "100–500 万元"),
    (500.0, "500–1,000 万元"),
    (999.99, "500–1,000 万元"),
    (1_000.0, "1,000–5,000 万元"),
    (4_999.99, "1,000–5,000 万元"),
    (5_000.0, "5,000 万元–1 亿元"),
    (9_999.99, "5,000 万元–1 亿元"),
    (10_000.0, "1–5 亿元"),
    (49_999.99, "1–5 亿元"),
    (50_000.0, "5–10 亿元"),
    (99_999.99, "5–10 亿元"),
    (100_000.0, "10 亿元以上"),
    (3_000_000.0, "10 亿元以上"),
    (None, None),
]


@pytest.mark.parametrize(("value", "label"), BOUNDARIES)
def test_band_is_closed_below_and_open_above(value, label):
    assert redact.band(value) == label


def test_the_frame_expression_agrees_with_the_scalar_band():
    values = [v for v, _ in BOUNDARIES]
    got = (
        pl.DataFrame({"x": values}, schema={"x": pl.Float64})
        .select(redact.band_expr("x"))["x"]
        .to_list()
    )
    assert got == [label for _, label in BOUNDARIES]


def test_bands_are_defined_once_ascending_and_distinct():
    assert (
        sorted(redact.BREAKS) == redact.BREAKS
        and len(set(redact.BAND_LABELS)) == len(redact.BANDS) == 8
    )
    assert redact.BANDS[-1][0] is None


MONTHLY = pl.DataFrame(
    {
        "uscc": ["A", "A", "A", "A", "B"],
        "period": [
            date(2025, 11, 1),
            date(2025, 12, 1),
            date(2026, 1, 1),
            date(2026, 2, 1),
            date(2026, 1, 1),
        ],
        "invoiced_sales_wan": [600.0, 400.0, 30.0, None, 12_000.0],
        "tax_paid_wan": [50.0, 49.99, None, None, 1_000.0],
    }
)


def test_frame_for_keeps_numbers_for_analysts_and_bands_them_for_everyone_else():
    assert (
        redact.frame_for(ANALYST, MONTHLY) is MONTHLY
        and redact.frame_for(ADMIN, MONTHLY) is MONTHLY
    )
    for user in RESTRICTED:
        shown = redact.frame_for(user, MONTHLY)
        assert shown.columns == ["uscc", "period", "invoiced_sales_band", "tax_paid_band"]
        assert shown.row(0) == ("A", date(2025, 11, 1), "500–1,000 万元", "100 万元以下")
        assert shown.row(4) == ("B", date(2026, 1, 1), "1–5 亿元", "1,000–5,000 万元")
        assert shown["tax_paid_band"][2] is None
    unrelated = pl.DataFrame({"town": ["长沙镇"], "revenue_wan": [1.0]})
    assert redact.frame_for(None, unrelated).equals(unrelated)


def test_annual_bands_sum_each_year_and_keep_unknown_unknown():
    assert redact.annual_bands(MONTHLY).rows() == [
        ("A", 2025, 2, "1,000–5,000 万元", "100 万元以下"),  # 1,000.0 exactly; 99.99
        (
            "A",
            2026,
            2,
            "100 万元以下",
            None,
        ),  # no known tax paid in 2026: unknown, not the lowest band
        ("B", 2026, 1, "1–5 亿元", "1,000–5,000 万元"),
    ]
    one_firm = redact.annual_bands(MONTHLY.filter(pl.col("uscc") == "B").drop("uscc"))
    assert (
        one_firm.columns == ["tax_year", "n_months", "invoiced_sales_band", "tax_paid_band"]
        and one_firm.height == 1
    )


@pytest.fixture
def file(tmp_path):
    rows = [
        {
            "uscc": uscc(1),
            "period": date(2026, m, 1),
            "invoiced_sales_wan": 250.0,
            "tax_paid_wan": 12.5,
        }
        for m in range(1, 11)
    ]
    data = write_warehouse(
        tmp_path / "data",
        enterprises=[firm(1)],
        tax_monthly=rows,
        tax_annual=[
            {"uscc": uscc(1), "year": 2025, "revenue_wan": 3000.0, "rd_expense_wan": 150.0}
        ],
    )
    return enterprise_file(Warehouse(data, strict=False), uscc(1), AS_OF)


def test_the_enterprise_file_shows_no_monthly_tax_values_to_restricted_roles(file):
    assert redact.file_for(ANALYST, file) is file
    assert file.sections["tax_monthly"].height == 10
    for user in RESTRICTED:
        shown = redact.file_for(user, file)
        assert shown.sections["tax_monthly"].rows() == [
            (uscc(1), 2026, 10, "1,000–5,000 万元", "100–500 万元")
        ]  # 2,500; 125
        assert "12.5" not in str(shown.as_json()["sections"]["tax_monthly"])
        assert shown.sections["tax_annual"].equals(
            file.sections["tax_annual"]
        )  # other sections pass through
        assert list(shown.sections) == list(file.sections) and shown.registry == file.registry
    assert file.sections["tax_monthly"].height == 10  # the original is untouched


def test_section_titles_say_when_a_section_is_banded():
    assert redact.section_title("tax_monthly", ANALYST) == "增值税开票（月度）"
    assert redact.section_title("tax_monthly", auth.User("l", "leader")) == "增值税开票（年度区间）"
    assert redact.section_title("patents", None) == "知识产权"
