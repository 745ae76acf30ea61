"""The load bench (bench/load.py): its page check on hand-made pages, and a short real run.

Fixture county: firms 1–2 in 掘港街道, 3–4 in 长沙镇, 5–6 in 栟茶镇; each firm registered one
technology contract in 2026 (so the 技术合同 page of a town lists its own firms' contracts by
town) and has monthly tax rows. A town's pages must name that town and no other."""

from __future__ import annotations

import json
from datetime import date

import pytest
from fixtures import firm, uscc, write_warehouse
from streamlit.proto.Element_pb2 import Element

from bench import load
from bench.protocol import MAIN, SIDEBAR, Page

TOWNS = ["掘港街道", "长沙镇", "栟茶镇"]


def page(*texts: str, url_path: str = "contracts", chart: str | None = None) -> Page:
    shown = Page(page_script_hash="h", pages={url_path: {"hash": "h", "title": "技术合同"}})
    shown.raw[MAIN] = [t.encode() for t in texts]
    if chart is not None:
        element = Element()
        element.plotly_chart.spec = chart
        shown.elements[MAIN].append(element)
    return shown


def check(shown: Page, town: str = "长沙镇", wanted: str = "contracts") -> load.Tally:
    tally = load.Tally()
    load.check_page(shown, wanted, town, TOWNS, tally)
    return tally


def test_a_page_naming_only_its_town_passes():
    tally = check(page("截至2026年10月31日 · 长沙镇", "如东测试3号科技有限公司 长沙镇 1,234.5"))
    assert (tally.errors, tally.foreign) == (0, 0)


def test_another_towns_name_in_a_table_counts_as_a_foreign_view():
    tally = check(page("截至2026年10月31日 · 长沙镇", "如东测试1号科技有限公司 掘港街道"))
    assert (tally.errors, tally.foreign) == (0, 1)
    assert tally.samples == ["contracts for 长沙镇 shows 掘港街道"]


def test_another_towns_name_escaped_in_a_chart_spec_counts_as_a_foreign_view():
    spec = json.dumps({"data": [{"x": ["长沙镇", "栟茶镇"]}]})  # \\u957f\\u6c99\\u9547 …
    assert "栟茶镇" not in spec
    tally = check(page("长沙镇", chart=spec))
    assert (tally.errors, tally.foreign) == (0, 1)


def test_the_sidebar_is_not_read_and_a_page_without_its_town_is_an_error():
    shown = page("截至2026年10月31日 · 全县")
    shown.raw[SIDEBAR] = ["掘港街道 长沙镇 栟茶镇".encode()]  # the 镇区 box lists every town
    tally = check(shown)
    assert (tally.errors, tally.foreign) == (1, 0)


def test_the_wrong_page_is_an_error():
    tally = check(page("长沙镇", url_path="progress"))
    assert tally.errors == 1 and tally.samples == ["asked for contracts, got progress"]


ROW = {
    "sessions": 30,
    "switches": 412,
    "p50_s": 0.8,
    "p95_s": 1.9,
    "max_s": 2.6,
    "errors": 0,
    "foreign_town_views": 0,
    "rss_start_mib": 301.4,
    "rss_peak_mib": 702.6,
    "rss_after_mib": 330.2,
    "server_cpu_s": 95.5,
    "think_s": 2.0,
    "sign_in_p50_s": 4.1,
    "sign_in_max_s": 9.7,
}


def test_the_results_section_is_replaced_in_place_and_other_sections_kept():
    old = "# Benchmark results\n\ntable\n\n" + load.section([{"sessions": 1, "failed": "x"}])
    text = load.replace_section(old + "\n## Later\n\nkept\n", load.section([ROW]))
    assert text.count(load.SECTION) == 1 and "failed" not in text
    assert "| 30 | 412 | 0.8 | 1.9 | 2.6 | 0 | 0 | 301 / 703 / 330 | 95.5 | 4.1 / 9.7 |" in text
    assert text.startswith("# Benchmark results\n\ntable\n\n")
    assert text.endswith("\n\n## Later\n\nkept\n")
    assert load.replace_section("# B\n", "## Load\n") == "# B\n\n## Load\n"


@pytest.fixture
def county(tmp_path):
    firms = [firm(n, town=TOWNS[(n - 1) // 2]) for n in range(1, 7)]
    return write_warehouse(
        tmp_path / "data",
        enterprises=firms,
        tech_contracts=[
            {
                "contract_id": f"T{n}",
                "uscc": uscc(n),
                "role": "卖方",
                "contract_type": "技术开发",
                "amount_wan": 100.0 * n,
                "tech_amount_wan": 50.0 * n,
                "registered_on": date(2026, 3, n),
            }
            for n in range(1, 7)
        ],
        tax_monthly=[
            {"uscc": uscc(n), "period": date(2026, m, 1), "invoiced_sales_wan": 10.0 * n}
            for n in range(1, 7)
            for m in (1, 2, 3)
        ],
    )


def test_two_sessions_against_a_real_server_see_only_their_towns(county):
    result = load.measure(county, sessions=2, seconds=2.0, after=0.5, think=0.0)
    assert set(load.KEYS) <= result.keys()
    assert result["errors"] == 0, result["error_samples"]
    assert result["foreign_town_views"] == 0, result["error_samples"]
    assert result["sessions"] == 2
    assert result["switches"] >= 2 * len(load.CYCLE) and result["switches"] % len(load.CYCLE) == 0
    assert 0 < result["p50_s"] <= result["p95_s"] <= result["max_s"]
    assert result["rss_start_mib"] > 0 and 0 < result["rss_after_mib"] <= result["rss_peak_mib"]
    assert result["server_cpu_s"] > 0
